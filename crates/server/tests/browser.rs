//! The web UI in a real browser: Debian's headless Chromium driven through chromedriver
//! (W3C WebDriver). A person signs in, writes down a goal (an aspiration), gives it a step
//! with What, Who and When (a plan), sees a refused form keep what they typed, and signs out;
//! script and attribute payloads stored in every text the pages show never run (T7); forms
//! from elsewhere change nothing (T10).
//!
//! Needs `chromium` and `chromedriver` (Debian: `apt-get install chromium chromium-driver`).
//! Without them the tests are skipped with a message, unless `LANDED_REQUIRE_BROWSER=1` (as
//! in CI), when they fail. Screenshots of every page at desktop and phone width are written
//! to `$LANDED_SCREENSHOTS` (else `target/tmp/web-screenshots`): `scripts/screenshots` runs
//! just that.

#[path = "browser/webdriver.rs"]
mod webdriver;

use std::net::SocketAddr;
use std::path::PathBuf;

use jiff::Timestamp;
use landed_app::{Ctx, accounts, demo, goals, items};
use landed_store::{SqlStore, Store};
use webdriver::{Browser, Driver, on_path};

const NOW: &str = "2026-11-23T09:00:00Z";
const PASSWORD: &str = "a long enough password";

fn now() -> Timestamp {
    NOW.parse().unwrap()
}

/// Chromium and chromedriver, or a reason to skip.
fn tools() -> Option<(PathBuf, PathBuf)> {
    let browser = on_path(&["chromium", "chromium-browser", "google-chrome"]);
    let driver = on_path(&["chromedriver"]);
    match (browser, driver) {
        (Some(b), Some(d)) => Some((b, d)),
        _ => {
            let need = "chromium and chromedriver (apt-get install chromium chromium-driver)";
            assert!(
                std::env::var_os("LANDED_REQUIRE_BROWSER").is_none_or(|v| v != "1"),
                "LANDED_REQUIRE_BROWSER=1 but {need} are not on PATH"
            );
            eprintln!("skipped: needs {need}");
            None
        }
    }
}

struct Site {
    base: String,
    store_path: PathBuf,
    _dir: tempfile::TempDir,
}

/// The small demo served on 127.0.0.1, with `ana` (admin, Platform lead), `chloe` (Platform
/// member), `emma` (Payments lead) and `hiro` (Mobile lead) able to sign in with
/// [`PASSWORD`].
async fn site() -> Site {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("web.db");
    let store = SqlStore::open(&path, true).await.unwrap();
    demo::fill(&store, demo::Size::Small, now()).await.unwrap();
    for handle in ["ana", "chloe", "emma", "hiro"] {
        let id = store.person_by_handle(handle).await.unwrap().unwrap().id;
        store
            .set_password(id, &accounts::hash_password(PASSWORD).unwrap(), now())
            .await
            .unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let state = landed_server::Shared::new(store.into(), Some(now()), None);
    tokio::spawn(landed_server::serve(listener, state));
    Site {
        base: format!("http://{addr}"),
        store_path: path,
        _dir: dir,
    }
}

fn screenshots() -> PathBuf {
    let dir = std::env::var_os("LANDED_SCREENSHOTS").map_or_else(
        || PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("web-screenshots"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn sign_in(b: &Browser, site: &Site, handle: &str) {
    b.go(&format!("{}/", site.base)).await;
    assert!(
        b.url().await.contains("/login"),
        "a page without a session goes to sign-in"
    );
    b.fill("#handle", handle).await;
    b.fill("#password", PASSWORD).await;
    b.submit("form[action='/login'] button").await;
    assert_eq!(b.url().await, format!("{}/", site.base));
    assert_eq!(b.text("h1").await, "Goals");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_signs_in_makes_a_plan_and_signs_out() {
    let Some((chromium, chromedriver)) = tools() else {
        return;
    };
    let site = site().await;
    let driver = Driver::start(&chromedriver).await;
    let b = Browser::open(&driver, &chromium, 1280, 900).await;

    // A wrong password is refused, and the handle typed stays.
    b.go(&format!("{}/goals/G-1", site.base)).await;
    b.fill("#handle", "ana").await;
    b.fill("#password", "not it").await;
    b.submit("form[action='/login'] button").await;
    assert!(b.text("#signin-error").await.contains("do not match"));
    assert_eq!(b.property("#handle", "value").await, "ana");
    // The right one goes where the person was going.
    b.fill("#password", PASSWORD).await;
    b.submit("form[action='/login'] button").await;
    assert_eq!(b.url().await, format!("{}/goals/G-1", site.base));

    b.go(&format!("{}/", site.base)).await;
    assert!(b.count(".goal").await >= 5, "the demo's goals are listed");
    // The filter shows one verdict only, and a team's goals only.
    b.select("#f-status", "aspiration").await;
    b.submit(".filters button").await;
    let badges = b
        .run("return [...document.querySelectorAll('.goal .badge')].map(e => e.textContent)")
        .await;
    let badges = badges.as_array().unwrap();
    assert!(
        !badges.is_empty() && badges.iter().all(|w| w == "Aspiration"),
        "{badges:?}"
    );
    b.go(&format!("{}/?team=Payments", site.base)).await;
    let teams = b
        .run("return [...document.querySelectorAll('.team h2')].map(e => e.textContent)")
        .await;
    assert_eq!(teams, serde_json::json!(["Payments"]));
    b.go(&format!("{}/", site.base)).await;

    // A goal with an owner, date and outcome but no steps is an aspiration.
    b.fill("#g-title", "Checkout answers in under a second")
        .await;
    b.fill("#g-outcome", "p95 checkout latency under 1 s").await;
    b.fill("#g-owner", "ana").await;
    b.fill("#g-by", "2026-12-18").await;
    b.select("#g-team", "Platform").await;
    b.submit("#new-goal button").await;
    let goal_url = b.url().await;
    assert!(goal_url.contains("/goals/G-"), "{goal_url}");
    assert_eq!(b.text("h1 .badge").await, "Aspiration");
    assert!(
        b.text("#checklist").await.contains("How to fix"),
        "the failing rule says how to fix it"
    );

    // A refused item keeps what was typed, with the error beside its field.
    b.fill("#i-title", "Cache the price lookups").await;
    b.fill("#i-outcome", "prices read from the cache, not the database")
        .await;
    b.fill("#i-owner", "nobody-here").await;
    b.fill("#i-due", "2026-12-11").await;
    b.fill("#i-estimate", "6h").await;
    b.submit("#items button").await;
    assert!(b.text("#i-owner-error").await.contains("unknown person"));
    assert_eq!(
        b.property("#i-title", "value").await,
        "Cache the price lookups"
    );
    assert_eq!(b.property("#i-due", "value").await, "2026-12-11");

    // With What, Who and When, the goal is a plan.
    b.fill("#i-owner", "chloe").await;
    b.submit("#items button").await;
    assert_eq!(b.text("h1 .badge").await, "Plan");
    assert!(
        b.text("#items table")
            .await
            .contains("Cache the price lookups")
    );
    assert!(b.text("#history").await.contains("created"));
    // The burn-up chart draws the new scope, and says it in words too.
    assert_eq!(b.count("#burnup svg polyline.done").await, 1);
    assert!(
        b.text("#burnup figcaption").await.contains("0 of 6 h done"),
        "{}",
        b.text("#burnup").await
    );

    // On the team's board, the new card moves: blocking needs a reason, starting does not.
    b.go(&format!("{}/board?team=Platform", site.base)).await;
    let card = b.run("return [...document.querySelectorAll('.card-item')].find(c => c.textContent.includes('Cache the price lookups')).id").await;
    let card = card.as_str().unwrap().to_string();
    let id = card.trim_start_matches("card-").to_string();
    b.select(&format!("#move-{id}"), "block").await;
    b.submit(&format!("#{card} button")).await;
    assert!(
        b.text("#board-error").await.contains("reason"),
        "{}",
        b.text("main").await
    );
    b.select(&format!("#move-{id}"), "start").await;
    b.submit(&format!("#{card} button")).await;
    assert!(
        b.text("section[aria-label='Doing']")
            .await
            .contains("Cache the price lookups"),
        "the card moved to Doing"
    );

    // Signing out ends the session: pages go back to sign-in.
    b.submit(".signout button").await;
    assert!(b.url().await.contains("/login"));
    b.go(&goal_url).await;
    assert!(b.url().await.contains("/login"));
    b.close().await;
}

/// A member's week: the next action starts with one button, the check-in is given from the
/// prepared agenda; then the asked team's lead commits to a request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_week_checked_in_and_a_request_answered() {
    let Some((chromium, chromedriver)) = tools() else {
        return;
    };
    let site = site().await;
    let driver = Driver::start(&chromedriver).await;
    let b = Browser::open(&driver, &chromium, 1280, 900).await;
    sign_in(&b, &site, "chloe").await;
    b.submit("nav a[href='/week']").await;
    let next = b.text("#next").await;
    assert!(next.contains("I-"), "{next}");
    // Her next action is not started yet: one button starts it.
    let next_id = b.text("#next strong").await;
    let num: i64 = next_id
        .split(' ')
        .next()
        .and_then(|id| id.strip_prefix("I-"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no item in `{next_id}`"));
    b.submit("#next button").await;
    assert_eq!(b.url().await, format!("{}/week", site.base));
    let store = SqlStore::open(&site.store_path, false).await.unwrap();
    let item = store.item(num).await.unwrap().unwrap();
    store.close().await;
    assert_eq!(
        item.status,
        landed_core::model::ItemStatus::Doing,
        "I-{num} started"
    );
    // The agenda lists chloe's items; one is done, with a note, and the week is summed up.
    let first = b
        .run("return document.querySelector('select[name^=\"status:\"]').id")
        .await;
    let first = first.as_str().unwrap().to_string();
    let item = first.trim_start_matches("status-").to_string();
    b.select(&format!("#{first}"), "done").await;
    b.fill(&format!("#note-{item}"), "merged and deployed")
        .await;
    b.fill("#done", "the migration of billing").await;
    b.submit("#checkin button").await;
    let saved = b.text("#checkin-saved").await;
    assert!(
        saved.contains(&format!("{item}:")) && saved.contains("done"),
        "{saved}"
    );
    assert_eq!(
        b.property("#done", "value").await,
        "the migration of billing"
    );
    b.submit(".signout button").await;

    // emma leads Payments, which Mobile asked for the chargeback status API (R-2).
    sign_in(&b, &site, "emma").await;
    b.submit("nav a[href='/requests']").await;
    assert!(b.text("#incoming").await.contains("chargeback status API"));
    // A commitment names an owner who exists.
    b.fill("#owner-R-2", "nobody-here").await;
    b.submit("#request-R-2 form button").await;
    assert!(
        b.text("#request-R-2 .error")
            .await
            .contains("unknown person")
    );
    b.fill("#owner-R-2", "farid").await;
    b.fill("#due-R-2", "2026-12-18").await;
    b.submit("#request-R-2 form button").await;
    let answered = b.text("#request-R-2").await;
    assert!(answered.contains("committed"), "{answered}");
    assert!(
        b.try_find("#owner-R-2").await.is_none(),
        "answered once only"
    );
    b.close().await;
}

/// The account page: a bad time zone is refused beside its field and nothing changes; a
/// profile changed elsewhere is shown as it is now rather than overwritten; a token is shown
/// once and can be revoked; so is a card moved by someone else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_settings_and_stale_edits() {
    let Some((chromium, chromedriver)) = tools() else {
        return;
    };
    let site = site().await;
    let driver = Driver::start(&chromedriver).await;
    let b = Browser::open(&driver, &chromium, 1280, 900).await;
    sign_in(&b, &site, "chloe").await;
    b.submit("a[href='/account']").await;
    b.fill("#a-tz", "Mars/Olympus").await;
    b.submit("#profile button").await;
    assert!(
        !b.text("#a-tz + .field-error").await.is_empty(),
        "{}",
        b.text("main").await
    );
    assert_eq!(b.property("#a-tz", "value").await, "Mars/Olympus");
    b.fill("#a-tz", "Europe/Paris").await;
    b.fill("#a-name", "Chloé M.").await;
    b.submit("#profile button").await;
    assert_eq!(b.property("#a-name", "value").await, "Chloé M.");

    // Someone else renames chloe while her page is open: her save does not overwrite it.
    {
        let store = SqlStore::open(&site.store_path, false).await.unwrap();
        let admin = Ctx::new(&store, Some("ana"), now()).await.unwrap();
        landed_app::org::edit_person(
            &admin,
            "chloe",
            landed_app::org::PersonPatch {
                name: Some("Chloé Martin-Durand".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        store.close().await;
    }
    b.fill("#a-name", "Chloe").await;
    b.submit("#profile button").await;
    assert!(b.text("#account-error").await.contains("changed elsewhere"));
    assert_eq!(b.property("#a-name", "value").await, "Chloé Martin-Durand");

    // Reminders on Thursdays; a token shown once, then revoked.
    b.select("#a-day", "thu").await;
    b.submit("#reminders button").await;
    assert_eq!(b.property("#a-day", "value").await, "thu");
    b.fill("#t-name", "laptop").await;
    b.fill("#t-days", "30").await;
    b.submit("#tokens form.stack button").await;
    let token = b.property("#new-token", "value").await;
    assert!(token.as_str().unwrap().starts_with("ldt_"), "{token}");
    b.go(&format!("{}/account", site.base)).await;
    assert!(
        b.try_find("#new-token").await.is_none(),
        "a token is shown once"
    );
    assert!(b.text("#tokens table").await.contains("active"));
    b.submit("#tokens table button").await;
    assert!(b.text("#tokens table").await.contains("revoked"));

    // A card someone else moved since the board was loaded is not moved again.
    b.go(&format!("{}/board?team=Platform", site.base)).await;
    {
        let store = SqlStore::open(&site.store_path, false).await.unwrap();
        let admin = Ctx::new(&store, Some("ana"), now()).await.unwrap();
        items::act(&admin, "I-2", items::Action::Start, None, None)
            .await
            .unwrap();
        store.close().await;
    }
    b.select("#move-I-2", "drop").await;
    b.fill("#reason-I-2", "not needed").await;
    b.submit("#card-I-2 button").await;
    let said = b.text("#board-error").await;
    assert!(
        said.contains("changed since you loaded the page") && said.contains("doing"),
        "{said}"
    );
    b.close().await;
}

/// The rules of a goal fixed in place from its checklist: owner, date and outcome; moving the
/// date once committed is a slip, refused without a reason and kept in the history with one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_goal_is_fixed_in_place() {
    let Some((chromium, chromedriver)) = tools() else {
        return;
    };
    let site = site().await;
    let driver = Driver::start(&chromedriver).await;
    let b = Browser::open(&driver, &chromium, 1280, 900).await;
    sign_in(&b, &site, "ana").await;
    // G-6 has no owner, no date and no outcome.
    b.go(&format!("{}/goals/G-6", site.base)).await;
    let before = b.text("#checklist").await;
    assert!(
        before.contains("✗ Fails the goal has one accountable owner"),
        "{before}"
    );
    assert!(
        before.contains("How to fix: name one owner under “Fix the goal” below"),
        "the fix points at the form on the page: {before}"
    );
    b.fill("#f-owner", "hiro").await;
    b.fill("#f-by", "2027-01-15").await;
    b.fill("#f-outcome", "crash-free sessions above 99.5%")
        .await;
    b.submit("#fix button").await;
    let after = b.text("#checklist").await;
    for rule in [
        "the goal has one accountable owner",
        "the goal has a target date or milestone",
        "the goal has a measurable outcome",
    ] {
        assert!(
            after.contains(&format!("✓ Passes {rule}")),
            "{rule}: {after}"
        );
    }
    // The date is committed now: moving it without a reason is refused and keeps the input.
    b.fill("#f-by", "2027-02-12").await;
    b.submit("#fix button").await;
    assert!(
        b.text("#fix-error").await.contains("reason"),
        "{}",
        b.text("main").await
    );
    assert_eq!(b.property("#f-by", "value").await, "2027-02-12");
    b.fill("#f-reason", "the crash reporter arrives late").await;
    b.submit("#fix button").await;
    assert_eq!(b.property("#f-by", "value").await, "2027-02-12");
    assert!(
        b.text("#history")
            .await
            .contains("the crash reporter arrives late")
    );
    b.close().await;
}

/// T7: text from every field the pages show, stored with script and attribute payloads, is
/// shown as text; nothing runs (no alert, no global set), and the pages carry a strict CSP.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_script_never_runs() {
    let Some((chromium, chromedriver)) = tools() else {
        return;
    };
    let site = site().await;
    let payloads = [
        "<script>window.__xss=1;alert(1)</script>",
        "\"><img src=x onerror=\"window.__xss=2;alert(2)\">",
        "'><svg onload=alert(3)>",
        "javascript:alert(4)",
        "</title><script>alert(5)</script>",
    ];
    {
        let store = SqlStore::open(&site.store_path, false).await.unwrap();
        let ctx = Ctx::new(&store, Some("ana"), now()).await.unwrap();
        for (n, p) in payloads.iter().enumerate() {
            let goal = goals::add(
                &ctx,
                goals::GoalInput {
                    title: format!("Goal {n} {p}"),
                    outcome: Some(format!("Outcome {p}")),
                    owner: Some("ana".into()),
                    by: Some("2026-12-18".into()),
                    milestone: None,
                    team: Some("Platform".into()),
                },
            )
            .await
            .unwrap();
            items::add(
                &ctx,
                items::ItemInput {
                    title: format!("Item {p}"),
                    outcome: Some(format!("Item outcome {p}")),
                    owner: Some("chloe".into()),
                    due: Some("2026-12-11".into()),
                    milestone: None,
                    estimate: Some("4h".into()),
                    goal: Some(goal.id.clone()),
                    kind: None,
                },
            )
            .await
            .unwrap();
        }
        store.close().await;
    }
    let driver = Driver::start(&chromedriver).await;
    let b = Browser::open(&driver, &chromium, 1280, 900).await;
    sign_in(&b, &site, "ana").await;
    // Each page with a text it must show literally: the dashboard lists every goal's title,
    // the board every item's, and each goal and item has its own page.
    // (page, a text it shows)
    type Pages = Vec<(String, String)>;
    let (mut pages, items): (Pages, Pages) = {
        let store = SqlStore::open(&site.store_path, false).await.unwrap();
        let goals = store.goals(&Default::default()).await.unwrap();
        let items = store.items(&Default::default()).await.unwrap();
        store.close().await;
        (
            goals
                .iter()
                .filter(|g| g.title.starts_with("Goal "))
                .map(|g| (format!("{}/goals/G-{}", site.base, g.num), g.title.clone()))
                .collect(),
            items
                .iter()
                .filter(|i| i.title.starts_with("Item "))
                .map(|i| (format!("{}/items/I-{}", site.base, i.num), i.title.clone()))
                .collect(),
        )
    };
    assert_eq!(pages.len(), payloads.len());
    assert_eq!(items.len(), payloads.len());
    for (_, title) in pages.clone() {
        pages.push((format!("{}/", site.base), title));
    }
    for (page, title) in items {
        pages.push((format!("{}/board?team=Platform", site.base), title.clone()));
        pages.push((page, title));
    }
    for (page, shown) in &pages {
        b.go(page).await;
        assert_eq!(b.alert().await, None, "a script ran on {page}");
        assert_eq!(
            b.run("return typeof window.__xss").await,
            "undefined",
            "{page}"
        );
        // No element a payload could have made: a script, an image, or any `on…` handler.
        let made = b
            .run(
                "return [...document.querySelectorAll('main *')].filter(e => \
                 e.tagName === 'SCRIPT' || e.tagName === 'IMG' || \
                 [...e.attributes].some(a => a.name.startsWith('on'))).length",
            )
            .await;
        assert_eq!(made, 0, "{page}");
        assert!(
            b.text("main").await.contains(shown.as_str()),
            "{page} does not show `{shown}` as text"
        );
    }
    b.close().await;

    // The pages forbid inline script whatever gets through.
    let page = reqwest::get(format!("{}/login", site.base)).await.unwrap();
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
}

/// A form body, as a browser encodes it.
fn encoded(pairs: &[(&str, &str)]) -> String {
    let enc = |t: &str| -> String {
        t.bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                    char::from(b).to_string()
                }
                b' ' => "+".into(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// An HTTP client that follows no redirects, signed in as `handle` through the sign-in form:
/// the client and the session cookie to send.
async fn signed_in(site: &Site, handle: &str) -> (reqwest::Client, String) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let signed = http
        .post(format!("{}/login", site.base))
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encoded(&[
            ("handle", handle),
            ("password", PASSWORD),
            ("next", "/"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 303, "{handle} signs in");
    let cookie = signed.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    (http, cookie)
}

/// GET `base` + `path` with the session `cookie`: the status and the body.
async fn fetch(http: &reqwest::Client, cookie: &str, base: &str, path: &str) -> (u16, String) {
    let r = http
        .get(format!("{base}{path}"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// T10: a form posted from another site (or without the page's token) changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_from_elsewhere_change_nothing() {
    let site = site().await;
    let (http, cookie) = signed_in(&site, "ana").await;
    let dashboard = http
        .get(format!("{}/", site.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = dashboard
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let count = || async {
        let store = SqlStore::open(&site.store_path, false).await.unwrap();
        let n = store.events().await.unwrap().len();
        store.close().await;
        n
    };
    let before = count().await;
    let goal = [("title", "From elsewhere"), ("owner", "ana")];
    for (site_header, token, want) in [
        ("cross-site", csrf.as_str(), 403),
        ("same-origin", "not-the-token", 403),
        ("same-origin", "", 403),
    ] {
        let mut form = goal.to_vec();
        form.push(("csrf", token));
        let r = http
            .post(format!("{}/goals", site.base))
            .header("cookie", &cookie)
            .header("sec-fetch-site", site_header)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encoded(&form))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), want, "{site_header} with `{token}`");
    }
    // A sign-in form from elsewhere is refused too (no login CSRF).
    let r = http
        .post(format!("{}/login", site.base))
        .header("sec-fetch-site", "cross-site")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encoded(&[("handle", "ana"), ("password", PASSWORD)]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // A form without its token field at all is refused with a page, not plain text.
    let r = http
        .post(format!("{}/items/I-1/status", site.base))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encoded(&[("action", "start")]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = r.text().await.unwrap();
    assert!(page.contains("nothing was changed"), "{page}");
    assert_eq!(count().await, before, "a refused form wrote something");

    // The same form from the page itself works.
    let mut form = goal.to_vec();
    form.push(("csrf", &csrf));
    let r = http
        .post(format!("{}/goals", site.base))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encoded(&form))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(count().await, before + 1);
}

/// The team pages, fetched as a signed-in browser would: the review names its sections, the
/// map draws the demo's phantom dependency in words, the heatmap has a row per person.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn team_pages_show_the_week() {
    let site = site().await;
    let (http, cookie) = signed_in(&site, "emma").await;
    let page = |path: &'static str| {
        let (http, cookie, base) = (http.clone(), cookie.clone(), site.base.clone());
        async move {
            let (status, body) = fetch(&http, &cookie, &base, path).await;
            assert_eq!(status, 200, "{path}");
            body
        }
    };
    // emma leads Payments: her pages show it unless asked otherwise.
    let review = page("/review").await;
    for section in [
        "Blocked",
        "Slips this week",
        "Missed check-ins",
        "Dependencies in trouble",
        "Still not plans",
    ] {
        assert!(review.contains(section), "the review lacks {section}");
    }
    assert!(review.contains("Team review: Payments"));
    let map = page("/dependencies?team=Mobile").await;
    assert!(
        map.contains("<svg") && map.contains("class=\"edge phantom\""),
        "{map}"
    );
    assert!(
        map.contains(">phantom</text>"),
        "the class is written, not only coloured"
    );
    let capacity = page("/capacity?team=Payments").await;
    for person in ["@emma", "@farid", "@grace"] {
        assert!(capacity.contains(person), "{person} has no row");
    }
    // A page that does not exist for a team is a clear error, not a crash.
    let r = http
        .get(format!("{}/review?team=Nobody", site.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("unknown team"));
}

/// The text of the first `attr="…"` after `after` in `html`.
fn attr_after<'h>(html: &'h str, after: &str, attr: &str) -> Option<&'h str> {
    let rest = &html[html.find(after)?..];
    let needle = format!("{attr}=\"");
    let at = rest.find(&needle)? + needle.len();
    rest[at..].split('"').next()
}

/// The dependency map clicks through to an item's page, which shows the dependency both ways
/// and moves the item (a stale move changes nothing and says what the item is now); the
/// dashboard shows each plan's health as its own page does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_are_reached_from_the_map_and_moved_on_their_page() {
    let site = site().await;
    // hiro leads Mobile.
    let (http, cookie) = signed_in(&site, "hiro").await;
    let get = |path: String| {
        let (http, cookie, base) = (http.clone(), cookie.clone(), site.base.clone());
        async move { fetch(&http, &cookie, &base, &path).await }
    };
    let (status, map) = get("/dependencies?team=Mobile".into()).await;
    assert_eq!(status, 200);
    // Every node of the map links to its page: items, goals, and requests on theirs.
    assert_eq!(
        map.matches("<g class=\"node\">").count(),
        [
            "<a href=\"/items/I-",
            "<a href=\"/goals/G-",
            "<a href=\"/requests#request-R-"
        ]
        .iter()
        .map(|h| map.matches(h).count())
        .sum::<usize>(),
        "{map}"
    );
    let item = attr_after(&map, "<g class=\"node\">", "href")
        .expect("the map's first node links to its page")
        .to_string();
    assert!(item.starts_with("/items/I-"), "{item}");
    let (status, page) = get(item.clone()).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("id=\"dependencies\""), "{page}");
    assert!(
        page.contains("class=\"class phantom\""),
        "the map's phantom dependency is on the item's page: {page}"
    );
    assert!(page.contains("id=\"history\""));

    // A move from the item's own page comes back to it.
    let csrf = attr_after(&page, "name=\"csrf\"", "value")
        .unwrap()
        .to_string();
    let version = attr_after(&page, "name=\"version\"", "value")
        .unwrap()
        .to_string();
    let action = attr_after(&page, "name=\"action\"", "value")
        .unwrap()
        .to_string();
    let before = attr_after(&page, "<h1>", "class").unwrap().to_string();
    let post = |version: String| {
        let (http, cookie, base, item) = (
            http.clone(),
            cookie.clone(),
            site.base.clone(),
            item.clone(),
        );
        let (csrf, action) = (csrf.clone(), action.clone());
        async move {
            let r = http
                .post(format!("{base}{item}/status"))
                .header("cookie", cookie)
                .header("sec-fetch-site", "same-origin")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(encoded(&[
                    ("csrf", &csrf),
                    ("version", &version),
                    ("back", "item"),
                    ("action", &action),
                    ("reason", "waiting on the vendor"),
                ]))
                .send()
                .await
                .unwrap();
            let to = r
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_string());
            (r.status().as_u16(), to, r.text().await.unwrap())
        }
    };
    let (status, to, _) = post(version.clone()).await;
    assert_eq!((status, to.as_deref()), (303, Some(item.as_str())));
    let (_, moved) = get(item.clone()).await;
    let after = attr_after(&moved, "<h1>", "class").unwrap();
    assert_ne!(after, before, "{action} changed the status");
    // The same move from the page as it was is stale: refused on the item's page.
    let (status, _, stale) = post(version).await;
    assert_eq!(status, 412);
    assert!(stale.contains("id=\"item-error\""), "{stale}");
    assert!(
        stale.contains("changed since you loaded the page"),
        "{stale}"
    );

    // The dashboard's health of a plan is the one its own page gives.
    let (_, dashboard) = get("/?team=Payments".into()).await;
    let healthy: Vec<&str> = dashboard
        .split("<li class=\"goal\">")
        .skip(1)
        .filter(|g| g.contains("class=\"health "))
        .collect();
    assert!(!healthy.is_empty(), "no plan shows its health: {dashboard}");
    for g in healthy {
        let href = attr_after(g, "goal-title", "href").unwrap();
        let word = attr_after(g, "<dt>Health</dt>", "class").unwrap();
        let (_, goal) = get(href.to_string()).await;
        let page_word = goal
            .split("<dd class=\"health\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap();
        assert_eq!(
            word.trim_start_matches("health ").replace('_', " "),
            page_word,
            "{href}"
        );
    }
}

/// The texts of the page (outside charts) whose contrast with their background is below
/// WCAG AA, as `text (ratio)`.
const CONTRAST: &str = r#"
const rgba = s => (s.match(/[\d.]+/g) || []).map(Number);
const lum = ([r, g, b]) => {
  const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
};
const back = e => {
  for (; e; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c;
  }
  return [255, 255, 255];
};
return [...document.querySelectorAll('body *')]
  .filter(e => !e.closest('svg') && e.offsetParent !== null &&
    [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
  .map(e => {
    const s = getComputedStyle(e);
    const [a, b] = [lum(rgba(s.color)), lum(back(e))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    return [e.textContent.trim().slice(0, 40), Math.round(ratio * 100) / 100, large ? 3 : 4.5];
  })
  .filter(([, ratio, need]) => ratio < need)
  .map(([text, ratio]) => `${text} (${ratio})`);
"#;

/// Every page at desktop and phone width, for people to look at (see the module's doc).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screenshots_of_every_page() {
    let Some((chromium, chromedriver)) = tools() else {
        return;
    };
    let site = site().await;
    let driver = Driver::start(&chromedriver).await;
    let dir = screenshots();
    for (width, height, label) in [(1280, 900, "desktop"), (390, 844, "phone")] {
        let b = Browser::open(&driver, &chromium, width, height).await;
        b.go(&format!("{}/login", site.base)).await;
        b.screenshot(&dir.join(format!("login-{label}.png"))).await;
        sign_in(&b, &site, "ana").await;
        for (name, path) in [
            ("dashboard", "/"),
            ("goal", "/goals/G-1"),
            ("aspiration", "/goals/G-2"),
            ("board", "/board?team=Platform"),
            ("week", "/week"),
            ("requests", "/requests"),
            ("review", "/review?team=Platform"),
            ("dependencies", "/dependencies?team=Payments"),
            ("item", "/items/I-1"),
            ("capacity", "/capacity?team=Payments"),
            ("account", "/account"),
        ] {
            b.go(&format!("{}{path}", site.base)).await;
            // Nothing wider than the window: no sideways scrolling on a phone.
            let overflow = b
                .run("return document.documentElement.scrollWidth - window.innerWidth")
                .await;
            assert!(
                overflow.as_i64().unwrap_or(0) <= 0,
                "{name} is wider than {width} px by {overflow}"
            );
            // Every field has a label, every chart a title.
            let unlabelled = b
                .run(
                    "return [...document.querySelectorAll('input:not([type=hidden]), select, \
                     textarea')].filter(e => e.labels.length === 0 && \
                     !e.getAttribute('aria-label')).map(e => e.outerHTML)",
                )
                .await;
            assert_eq!(unlabelled, serde_json::json!([]), "{name}");
            let untitled = b
                .run(
                    "return [...document.querySelectorAll('[role=img]')].filter(e => \
                     !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby')).length",
                )
                .await;
            assert_eq!(untitled, 0, "{name}");
            // Every text stands out from its background (WCAG AA: 4.5:1, 3:1 when large).
            let faint = b.run(CONTRAST).await;
            assert_eq!(
                faint,
                serde_json::json!([]),
                "{name}: text below AA contrast"
            );
            // Nothing moves once the page is shown.
            let shifted = b
                .run(
                    "return await new Promise(done => { \
                     new PerformanceObserver(l => done(l.getEntries().reduce((s, e) => s + e.value, 0))) \
                     .observe({type: 'layout-shift', buffered: true}); \
                     setTimeout(() => done(0), 300); })",
                )
                .await;
            // (Under a busy machine Chromium may report a shift of a few millionths as the
            // scroll bar settles; 0.1 is "good" by Web Vitals, a thousandth is none to see.)
            let shifted = shifted.as_f64().expect("a number");
            assert!(shifted < 0.001, "{name} shifts its layout by {shifted}");
            b.screenshot(&dir.join(format!("{name}-{label}.png"))).await;
            // The keyboard reaches the page first: Tab focuses the skip link.
            b.run("document.activeElement.blur(); window.scrollTo(0, 0); return null")
                .await;
            b.press("\u{E004}").await;
            let focused = b
                .run("return document.activeElement.getAttribute('href')")
                .await;
            assert_eq!(focused, "#main", "{name}: the first Tab");
        }
        b.close().await;
    }
    eprintln!("screenshots in {}", dir.display());
}
