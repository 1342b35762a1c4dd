//! `landed remind` (DESIGN §4, §8): decide what is due now, record each reminder once in the
//! outbox, and send what is claimed, by e-mail and webhook.
//!
//! Exactly once: a reminder's key names what it is about and when (`checkin:12:2026-W48`,
//! `overdue:345:2026-11-20`), and the outbox keeps one row per key and destination, so deciding
//! again records nothing new. A row is claimed (with a lease) before it is sent and finished
//! only by its claimant, so two runs at once never send it twice. A failed send stays pending
//! and is retried with backoff; after the last attempt it is a dead letter, kept with its error.

use std::collections::BTreeMap;
use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::Weekday;
use jiff::tz::TimeZone;
use landed_core::authz::Action;
use landed_core::checkin;
use landed_core::deps::DepClass;
use landed_core::hash::HashMap;
use landed_core::model::{Id, Item, ItemStatus, Person, item_ref};
use landed_core::week::week_of;
use landed_core::when;
use landed_store::{ItemFilter, NewReminder, NotifySettings, Outcome, Reminder, Store};
use serde::Serialize;

use crate::{AppError, Ctx, Result, links, requests, resolve};

/// Attempts before a reminder becomes a dead letter.
pub const MAX_ATTEMPTS: i64 = 6;

/// Wait before the next attempt, after `attempts` failed ones.
pub fn backoff(attempts: i64) -> Duration {
    const MINUTES: [u64; 5] = [1, 5, 30, 120, 720];
    let i = usize::try_from(attempts.max(1) - 1)
        .unwrap_or(0)
        .min(MINUTES.len() - 1);
    Duration::from_secs(MINUTES[i] * 60)
}

/// How long a claimed reminder is nobody else's: longer than any send takes.
const LEASE: Duration = Duration::from_secs(300);
/// Time allowed for one delivery.
const SEND_TIMEOUT: Duration = Duration::from_secs(20);
/// The sender when none is configured.
const DEFAULT_FROM: &str = "landed <landed@localhost>";

/// A reminder decided now, before it goes to its channels.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Due {
    pub key: String,
    /// `checkin`, `overdue`, `request` or `dependency`.
    pub kind: std::borrow::Cow<'static, str>,
    pub person: String,
    #[serde(skip)]
    pub person_id: Id,
    pub subject: String,
    pub body: String,
    /// Where it goes (`email ana@example.org`, `webhook https://host/...`); empty when no
    /// channel reaches this person.
    pub to: Vec<String>,
}

/// What one run did.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct RemindReport {
    pub dry_run: bool,
    pub due: Vec<Due>,
    /// Reminders recorded by this run (others were recorded before).
    pub recorded: usize,
    pub sent: Vec<Sent>,
    /// Still pending after this run (failed and waiting for a retry, or not yet due).
    pub pending: usize,
    /// Dead letters in the outbox.
    pub dead: usize,
    /// Due reminders with no channel to go to.
    pub unroutable: usize,
}

/// One delivery attempt of this run.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Sent {
    pub key: String,
    pub channel: String,
    pub target: String,
    /// `sent`, `retry` or `dead`.
    pub outcome: std::borrow::Cow<'static, str>,
    pub error: Option<String>,
    pub next_at: Option<Timestamp>,
}

/// The weekday of a setting: its name or an unambiguous start of it (`fri`).
pub fn weekday(text: &str) -> Option<Weekday> {
    when::weekday_named(&text.trim().to_ascii_lowercase())
}

/// The three-letter name a setting stores.
fn short_day(day: Weekday) -> String {
    when::weekday_name(day)[..3].to_string()
}

/// Settings as read: the workspace's and each person's.
struct Channels {
    workspace: NotifySettings,
    people: HashMap<Id, NotifySettings>,
    smtp_url: Option<String>,
}

impl Channels {
    async fn load<S: Store>(store: &S, smtp_env: Option<&str>) -> Result<Channels> {
        let mut workspace = NotifySettings::default();
        let mut people = HashMap::default();
        for s in store.notify_settings().await? {
            match s.person {
                Some(p) => _ = people.insert(p, s),
                None => workspace = s,
            }
        }
        let smtp_url = smtp_env
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
            .or_else(|| workspace.smtp_url.clone());
        Ok(Channels {
            workspace,
            people,
            smtp_url,
        })
    }

    fn checkin_day(&self, person: Id) -> Weekday {
        self.people
            .get(&person)
            .and_then(|s| s.checkin_day.as_deref())
            .or(self.workspace.checkin_day.as_deref())
            .and_then(weekday)
            .unwrap_or(Weekday::Friday)
    }

    /// `(channel, target)` for a person: e-mail when it is on and an SMTP server is set, their
    /// own webhook, and the workspace's webhook.
    fn routes(&self, person: &Person) -> Vec<(&'static str, String)> {
        let own = self.people.get(&person.id);
        let mut routes = Vec::new();
        if let (Some(email), Some(_)) = (&person.email, &self.smtp_url)
            && !own.is_some_and(|s| s.email_off)
        {
            routes.push(("email", email.clone()));
        }
        if let Some(url) = own.and_then(|s| s.webhook_url.clone()) {
            routes.push(("webhook", url));
        }
        if let Some(url) = self.workspace.webhook_url.clone()
            && !routes.iter().any(|(_, t)| *t == url)
        {
            routes.push(("webhook", url));
        }
        routes
    }

    /// The signing secret of a webhook URL.
    fn secret(&self, url: &str) -> Option<String> {
        self.people
            .values()
            .chain(std::iter::once(&self.workspace))
            .find(|s| s.webhook_url.as_deref() == Some(url))
            .and_then(|s| s.webhook_secret.clone())
    }
}

/// What is due now, for everyone: check-ins not given by a person's check-in day (in their
/// zone), overdue items, unanswered requests past the workspace's limit, and dependencies that
/// are phantom, late or at risk.
async fn decide<S: Store>(ctx: &Ctx<'_, S>, channels: &Channels) -> Result<Vec<Due>> {
    let people = ctx.store.people().await?;
    let by_id: HashMap<Id, &Person> = people.iter().map(|p| (p.id, p)).collect();
    let by_handle: HashMap<&str, &Person> = people.iter().map(|p| (p.handle.as_str(), p)).collect();
    let open = ctx
        .store
        .items(&ItemFilter {
            statuses: vec![ItemStatus::Todo, ItemStatus::Doing, ItemStatus::Blocked],
            ..ItemFilter::default()
        })
        .await?;
    let mut owned: BTreeMap<Id, Vec<Item>> = BTreeMap::new();
    for i in open {
        if let Some(o) = i.owner {
            owned.entry(o).or_default().push(i);
        }
    }
    let zones: HashMap<Id, TimeZone> = people
        .iter()
        .map(|p| {
            let tz = when::zone_or_utc(&p.tz);
            (p.id, tz)
        })
        .collect();
    let mut due = Vec::new();
    let mut push =
        |person: &Person, kind: &'static str, key: String, subject: String, body: String| {
            due.push(Due {
                key,
                kind: kind.into(),
                person: person.handle.clone(),
                person_id: person.id,
                subject,
                body,
                to: Vec::new(),
            });
        };

    // Check-in reminders, on each person's day in their zone, until they check in. Everyone's
    // current week is one of at most two (zones straddle a Monday), read in one query.
    let weeks: Vec<_> = people
        .iter()
        .map(|p| week_of(ctx.now, &zones[&p.id]))
        .collect();
    let given: landed_core::hash::HashSet<(Id, landed_core::capacity::Week)> =
        match (weeks.iter().min(), weeks.iter().max()) {
            (Some(first), Some(last)) => ctx
                .store
                .checkins(None, Some((*first, *last)))
                .await?
                .into_iter()
                .map(|c| (c.person, c.week))
                .collect(),
            _ => Default::default(),
        };
    for p in &people {
        let tz = &zones[&p.id];
        let local = tz.to_datetime(ctx.now);
        let week = week_of(ctx.now, tz);
        if local.weekday().to_monday_one_offset()
            < channels.checkin_day(p.id).to_monday_one_offset()
        {
            continue;
        }
        if given.contains(&(p.id, week)) {
            continue;
        }
        let items = owned.get(&p.id).map(Vec::as_slice).unwrap_or_default();
        let agenda = checkin::agenda(items, week, local.date(), ctx.now);
        let nums: HashMap<Id, &Item> = items.iter().map(|i| (i.id, i)).collect();
        let mut body = format!(
            "Your check-in for {week} is due (the week ends Sunday {}). {} item(s) on your agenda:\n",
            checkin::week_dates(week).1,
            agenda.len()
        );
        for line in agenda.iter().take(20) {
            if let Some(i) = nums.get(&line.item) {
                let why: Vec<&str> = line.why.iter().map(|w| w.describe()).collect();
                body.push_str(&format!(
                    "- {} {} ({})\n",
                    item_ref(i.num),
                    i.title,
                    why.join(", ")
                ));
            }
        }
        body.push_str("\nCheck in with: landed checkin");
        push(
            p,
            "checkin",
            format!("checkin:{}:{week}", p.id),
            format!("Check-in for {week} is due"),
            body,
        );
    }

    // Overdue items, once per item and due date.
    for (owner, items) in &owned {
        let Some(p) = by_id.get(owner) else { continue };
        let today = when::today_in(ctx.now, &zones[owner]);
        for i in items {
            let Some(d) = i.due.date.filter(|d| *d < today) else {
                continue;
            };
            let r = item_ref(i.num);
            push(
                p,
                "overdue",
                format!("overdue:{}:{d}", i.id),
                format!("{r} is overdue (due {d})"),
                format!(
                    "{r} {} was due on {d} and is still {}.\nDone? landed done {r}\nNew date? landed item edit {r} --due DATE --reason \"what happened\"",
                    i.title, i.status
                ),
            );
        }
    }

    // Requests waiting for an answer too long: to the asked team's lead.
    let teams = ctx.store.teams().await?;
    for r in requests::list(ctx, None, true).await? {
        if !r.overdue {
            continue;
        }
        let Some(lead) = teams
            .iter()
            .find(|t| t.name == r.to_team)
            .and_then(|t| by_id.get(&t.lead))
        else {
            continue;
        };
        push(
            lead,
            "request",
            format!("request:{}:overdue", r.id),
            format!(
                "{} from {} is waiting for an answer",
                r.id,
                r.from_team.as_deref().unwrap_or("another team")
            ),
            format!(
                "{} asks team {} for \"{}\" by {}. Answer it: landed answer commit {} ... or landed answer not-yet {} --note \"why\"",
                r.from_team.as_deref().unwrap_or("Someone"),
                r.to_team,
                r.deliverable,
                r.needed_by,
                r.id,
                r.id
            ),
        );
    }

    // Dependencies that are phantom, late or at risk: to the needing side's owner.
    for d in links::list(ctx, None).await? {
        if !matches!(
            d.class,
            DepClass::Phantom | DepClass::Late | DepClass::AtRisk
        ) {
            continue;
        }
        let Some(p) = d.from_owner.as_deref().and_then(|h| by_handle.get(h)) else {
            continue;
        };
        push(
            p,
            "dependency",
            format!("dependency:{}:{}:{}", d.from, d.to, d.class.as_str()),
            format!(
                "{} depends on {}, which is {}",
                d.from,
                d.to,
                d.class.as_str().replace('_', " ")
            ),
            format!(
                "{} {} needs {} {}{}; it is {}{}.\nSee: landed deps list",
                d.from,
                d.from_title,
                d.to,
                d.to_title,
                d.needed_by.map(|n| format!(" by {n}")).unwrap_or_default(),
                d.class.as_str().replace('_', " "),
                d.delivers
                    .map(|w| format!(" (it delivers {w})"))
                    .unwrap_or_default()
            ),
        );
    }

    for d in &mut due {
        if let Some(p) = by_id.get(&d.person_id) {
            d.to = channels
                .routes(p)
                .into_iter()
                .map(|(c, t)| format!("{c} {}", redact_url(&t)))
                .collect();
        }
    }
    Ok(due)
}

/// A URL without its path and credentials, for display (webhook URLs carry their secret in
/// the path).
pub fn redact_url(target: &str) -> String {
    match target.split_once("://") {
        Some((scheme, rest)) => {
            let authority = rest.split(['/', '?']).next().unwrap_or("");
            let host = authority.rsplit('@').next().unwrap_or(authority);
            let more = if rest.len() > authority.len() {
                "/…"
            } else {
                ""
            };
            format!("{scheme}://{host}{more}")
        }
        None => target.to_string(),
    }
}

/// Decide what is due, record it, and send what can be sent now (nothing is written on a dry
/// run). `smtp_env` is `$LANDED_SMTP_URL`, which overrides the stored SMTP URL. Sending is the
/// workspace's to do (its admins'); a dry run only reads.
pub async fn run<S: Store>(
    ctx: &Ctx<'_, S>,
    dry_run: bool,
    smtp_env: Option<&str>,
) -> Result<RemindReport> {
    if !dry_run {
        ctx.allow(Action::Administer)?;
    }
    let channels = Channels::load(ctx.store, smtp_env).await?;
    let due = decide(ctx, &channels).await?;
    let people: HashMap<Id, Person> = ctx
        .store
        .people()
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut rows = Vec::new();
    let mut unroutable = 0;
    for d in &due {
        let Some(p) = people.get(&d.person_id) else {
            continue;
        };
        let routes = channels.routes(p);
        if routes.is_empty() {
            unroutable += 1;
        }
        for (channel, target) in routes {
            rows.push(NewReminder {
                key: d.key.clone(),
                channel: channel.to_string(),
                target,
                person: Some(p.id),
                subject: d.subject.clone(),
                body: d.body.clone(),
            });
        }
    }
    if dry_run {
        return Ok(RemindReport {
            dry_run,
            due,
            recorded: 0,
            sent: Vec::new(),
            pending: 0,
            dead: 0,
            unroutable,
        });
    }
    let recorded = ctx.store.enqueue_reminders(&rows, ctx.now).await?;
    let sent = send_due(ctx, &channels).await?;
    let counts = ctx.store.reminder_counts().await?;
    let count = |s: landed_store::ReminderState| {
        counts
            .iter()
            .find(|(state, _)| *state == s)
            .map_or(0, |(_, n)| usize::try_from(*n).unwrap_or(0))
    };
    Ok(RemindReport {
        dry_run,
        due,
        recorded,
        sent,
        pending: count(landed_store::ReminderState::Pending)
            + count(landed_store::ReminderState::Sending),
        dead: count(landed_store::ReminderState::Dead),
        unroutable,
    })
}

/// Claim and send every reminder due now, batch by batch.
async fn send_due<S: Store>(ctx: &Ctx<'_, S>, channels: &Channels) -> Result<Vec<Sent>> {
    let claim = format!(
        "{}-{}-{}",
        std::process::id(),
        ctx.now.as_nanosecond(),
        Timestamp::now().as_nanosecond()
    );
    let lease_until = ctx
        .now
        .checked_add(LEASE)
        .map_err(|e| AppError::NotAllowed(e.to_string()))?;
    let mut done = Vec::new();
    loop {
        let batch = ctx
            .store
            .claim_reminders(ctx.now, lease_until, &claim, 50)
            .await?;
        if batch.is_empty() {
            break;
        }
        for r in batch {
            let result = deliver(ctx, channels, &r).await;
            let (outcome, label) = match &result {
                Ok(()) => (Outcome::Sent, "sent"),
                Err(e) if e.is_permanent() || r.attempts >= MAX_ATTEMPTS => (
                    Outcome::Dead {
                        error: e.to_string(),
                    },
                    "dead",
                ),
                Err(e) => (
                    Outcome::Retry {
                        next_at: ctx.now.checked_add(backoff(r.attempts)).unwrap_or(ctx.now),
                        error: e.to_string(),
                    },
                    "retry",
                ),
            };
            ctx.store
                .finish_reminder(r.id, &claim, &outcome, ctx.now)
                .await?;
            done.push(Sent {
                key: r.new.key.clone(),
                channel: r.new.channel.clone(),
                target: redact_url(&r.new.target),
                outcome: label.into(),
                error: result.err().map(|e| e.to_string()),
                next_at: match outcome {
                    Outcome::Retry { next_at, .. } => Some(next_at),
                    _ => None,
                },
            });
        }
    }
    Ok(done)
}

async fn deliver<S: Store>(
    ctx: &Ctx<'_, S>,
    channels: &Channels,
    r: &Reminder,
) -> std::result::Result<(), landed_notify::DeliveryError> {
    match r.new.channel.as_str() {
        "email" => {
            let url = channels.smtp_url.as_deref().unwrap_or_default();
            let from = channels
                .workspace
                .mail_from
                .as_deref()
                .unwrap_or(DEFAULT_FROM);
            let cfg = landed_notify::SmtpConfig::from_url(url, from)?;
            let mail = landed_notify::Mail {
                to: r.new.target.clone(),
                to_name: None,
                subject: r.new.subject.clone(),
                body: r.new.body.clone(),
            };
            landed_notify::send_mail(&cfg, &mail, SEND_TIMEOUT).await
        }
        _ => {
            let hook = landed_notify::Webhook {
                url: r.new.target.clone(),
                secret: channels.secret(&r.new.target),
            };
            let mut extra = serde_json::Map::new();
            extra.insert("key".into(), r.new.key.clone().into());
            extra.insert("subject".into(), r.new.subject.clone().into());
            extra.insert("workspace".into(), ctx.workspace.name.clone().into());
            let msg = landed_notify::WebhookMessage {
                id: format!("rem_{}", r.id),
                text: format!("*{}*\n{}", r.new.subject, r.new.body),
                extra,
            };
            landed_notify::post_webhook(&hook, &msg, ctx.now, SEND_TIMEOUT).await
        }
    }
}

/// Changes to where reminders go; `Some("none")` removes a value.
#[derive(Debug, Clone, Default)]
pub struct SetupInput {
    pub person: Option<String>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub webhook_url: Option<String>,
    pub webhook_secret: Option<String>,
    pub new_secret: bool,
    pub checkin_day: Option<String>,
    pub email: Option<bool>,
}

/// Settings as shown: secrets hidden.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct SettingsView {
    /// `workspace` or `@handle`.
    pub scope: String,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub webhook_url: Option<String>,
    pub webhook_signed: bool,
    pub checkin_day: Option<String>,
    pub email: bool,
    /// A secret made by `--new-secret`, shown this once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_secret: Option<String>,
}

fn settings_view(scope: String, s: &NotifySettings, new_secret: Option<String>) -> SettingsView {
    SettingsView {
        scope,
        smtp_url: s.smtp_url.as_deref().map(|u| {
            landed_notify::SmtpConfig::from_url(u, DEFAULT_FROM)
                .map_or_else(|_| redact_url(u), |c| c.to_string())
        }),
        mail_from: s.mail_from.clone(),
        webhook_url: s.webhook_url.as_deref().map(redact_url),
        webhook_signed: s.webhook_secret.is_some(),
        checkin_day: s.checkin_day.clone(),
        email: !s.email_off,
        new_secret,
    }
}

fn cleared(v: &Option<String>) -> Option<Option<String>> {
    v.as_ref().map(|t| {
        let t = t.trim();
        (!t.eq_ignore_ascii_case("none") && !t.is_empty()).then(|| t.to_string())
    })
}

/// Change the workspace's (or a person's) reminder settings; values are checked before
/// anything is stored. The workspace's are its admins' to change, a person's theirs.
pub async fn setup<S: Store>(ctx: &Ctx<'_, S>, input: &SetupInput) -> Result<SettingsView> {
    let person = match &input.person {
        Some(h) => Some(resolve::person(ctx.store, h).await?),
        None => None,
    };
    ctx.allow(match &person {
        Some(p) => Action::EditPerson { person: p.id },
        None => Action::Administer,
    })?;
    if person.is_some() && (input.smtp_url.is_some() || input.mail_from.is_some()) {
        return Err(AppError::NotAllowed(
            "the SMTP server and sender are the workspace's: drop --person to set them".into(),
        ));
    }
    let id = person.as_ref().map(|p| p.id);
    let mut s = ctx
        .store
        .notify_settings()
        .await?
        .into_iter()
        .find(|s| s.person == id)
        .unwrap_or(NotifySettings {
            person: id,
            ..NotifySettings::default()
        });
    if let Some(v) = cleared(&input.smtp_url) {
        if let Some(url) = &v {
            landed_notify::SmtpConfig::from_url(url, DEFAULT_FROM)
                .map_err(|e| AppError::NotAllowed(format!("--smtp-url: {e}")))?;
        }
        s.smtp_url = v;
    }
    if let Some(v) = cleared(&input.mail_from) {
        if let Some(from) = &v {
            landed_notify::SmtpConfig::from_url("smtp://localhost:25?tls=none", from)
                .map_err(|e| AppError::NotAllowed(format!("--mail-from: {e}")))?;
        }
        s.mail_from = v;
    }
    if let Some(v) = cleared(&input.webhook_url) {
        if let Some(url) = &v
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(AppError::NotAllowed(format!(
                "--webhook-url `{}` is not an http(s) URL",
                redact_url(url)
            )));
        }
        s.webhook_url = v;
    }
    let mut made = None;
    if input.new_secret {
        let secret = landed_notify::new_secret();
        s.webhook_secret = Some(secret.clone());
        made = Some(secret);
    } else if let Some(v) = cleared(&input.webhook_secret) {
        if let Some(secret) = &v {
            landed_notify::sign(secret, "check", 0, b"")
                .map_err(|e| AppError::NotAllowed(format!("--webhook-secret: {e}")))?;
        }
        s.webhook_secret = v;
    }
    if let Some(v) = cleared(&input.checkin_day) {
        s.checkin_day = match v {
            Some(day) => Some(short_day(weekday(&day).ok_or_else(|| {
                AppError::NotAllowed(format!(
                    "--checkin-day `{day}` is not a weekday (mon, tue, wed, thu, fri, sat, sun)"
                ))
            })?)),
            None => None,
        };
    }
    if let Some(on) = input.email {
        s.email_off = !on;
    }
    ctx.store.set_notify_settings(&s).await?;
    let scope = person.map_or("workspace".to_string(), |p| format!("@{}", p.handle));
    Ok(settings_view(scope, &s, made))
}

/// The channels and recent reminders.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ShowView {
    pub settings: Vec<SettingsView>,
    pub smtp_from_env: bool,
    pub reminders: Vec<Reminder>,
}

pub async fn show<S: Store>(
    ctx: &Ctx<'_, S>,
    last: i64,
    smtp_env: Option<&str>,
) -> Result<ShowView> {
    let people: HashMap<Id, String> = ctx
        .store
        .people()
        .await?
        .into_iter()
        .map(|p| (p.id, p.handle))
        .collect();
    let settings = ctx
        .store
        .notify_settings()
        .await?
        .iter()
        .map(|s| {
            let scope = s.person.map_or("workspace".to_string(), |p| {
                format!("@{}", people.get(&p).map_or("?", String::as_str))
            });
            settings_view(scope, s, None)
        })
        .collect();
    let mut reminders = ctx.store.reminders(last.clamp(0, 10_000)).await?;
    for r in &mut reminders {
        r.new.target = redact_url(&r.new.target);
    }
    Ok(ShowView {
        settings,
        smtp_from_env: smtp_env.is_some_and(|s| !s.trim().is_empty()),
        reminders,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_bounded() {
        let minutes: Vec<u64> = (0..8).map(|a| backoff(a).as_secs() / 60).collect();
        assert_eq!(minutes, [1, 1, 5, 30, 120, 720, 720, 720]);
    }

    #[test]
    fn urls_are_shown_without_path_or_credentials() {
        assert_eq!(
            redact_url("https://hooks.slack.com/services/T0/B0/secret"),
            "https://hooks.slack.com/…"
        );
        assert_eq!(
            redact_url("smtp://u:p@mail.example.org:587"),
            "smtp://mail.example.org:587"
        );
        assert_eq!(redact_url("http://127.0.0.1:9"), "http://127.0.0.1:9");
        assert_eq!(redact_url("ana@example.org"), "ana@example.org");
    }

    #[test]
    fn weekdays_read_as_settings_write_them() {
        assert_eq!(weekday("Fri"), Some(Weekday::Friday));
        assert_eq!(weekday(" thursday "), Some(Weekday::Thursday));
        assert_eq!(weekday("t"), None);
        assert_eq!(weekday("funday"), None);
        assert_eq!(short_day(Weekday::Wednesday), "wed");
    }
}
