//! The command line: every command, flag and help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Dates: 2026-12-04, today, tomorrow, a weekday (fri = the next Friday, today included),
+3d, +2w, or an ISO week (2026-W50 = its Friday). They follow the acting person's time zone.
Estimates: 6h, 90m, 1.5h, 2d (a day is 8h), 1w (40h).
Ids: G-12 for goals, I-345 for items, M-3 for milestones.

Start here:
  landed demo                  fill a demo workspace and show its goals
  landed init && landed person add ana --name \"Ana Ruiz\"
  landed goal add \"Launch SEPA instant\" --outcome \"live for EU customers, < 10 s\" --owner ana --by +6w
  landed plan G-1              what stands between this goal and a plan";

/// landed tells an aspiration from a plan: every step needs a What, a Who and a When.
#[derive(Debug, Parser)]
#[command(name = "landed", version, about, after_help = AFTER_HELP, max_term_width = 100)]
pub struct Cli {
    /// The workspace: a SQLite file, or a postgres:// URL [default: $XDG_DATA_HOME/landed/landed.db]
    #[arg(long, global = true, env = "LANDED_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Work on a landed server through its API instead of a file [default: the server you
    /// signed in to with `landed login`, unless --db is given]
    #[arg(
        long,
        global = true,
        env = "LANDED_SERVER",
        value_name = "URL",
        conflicts_with = "db"
    )]
    pub server: Option<String>,
    /// Act as this person [default: the workspace's default person; on a server, whoever
    /// signed in]
    #[arg(long = "as", global = true, env = "LANDED_USER", value_name = "HANDLE")]
    pub as_: Option<String>,
    /// Print JSON instead of tables
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an empty workspace
    #[command(after_help = "Example: landed init --name \"Acme\" --tz Europe/Berlin")]
    Init {
        /// Name of the organisation
        #[arg(long, default_value = "My workspace")]
        name: String,
        /// Default time zone (IANA name)
        #[arg(long, default_value = "UTC")]
        tz: String,
    },
    /// People: add, edit and list
    #[command(subcommand)]
    Person(PersonCmd),
    /// Teams: add, edit (lead, members, protected strategic time) and list
    #[command(subcommand)]
    Team(TeamCmd),
    /// The workspace's settings: show or set
    #[command(subcommand)]
    Workspace(WorkspaceCmd),
    /// Milestones: named dates such as sprint ends and releases
    #[command(subcommand)]
    Milestone(MilestoneCmd),
    /// Goals: add, list, show, edit
    #[command(subcommand)]
    Goal(GoalCmd),
    /// Work items: add, list, show, edit
    #[command(subcommand)]
    Item(ItemCmd),
    /// Start working on an item
    #[command(after_help = "Example: landed start I-12")]
    Start { id: String },
    /// Mark an item done, or close a goal as done
    #[command(after_help = "\
Example: landed done I-12 --actual 5h
The actual time feeds each person's estimate accuracy (forecasts) and, for reactive work, the
reactive load (capacity). Without it, the estimate stands for the time taken.")]
    Done {
        id: String,
        #[arg(long)]
        reason: Option<String>,
        /// Time it really took, e.g. 5h or 1.5d
        #[arg(long, value_name = "HOURS", allow_hyphen_values = true)]
        actual: Option<String>,
    },
    /// Mark an item blocked (a reason is required)
    #[command(
        after_help = "Example: landed block I-12 --reason \"waiting on the vendor's API key\""
    )]
    Block {
        id: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Drop an item or a goal (a reason is required)
    #[command(after_help = "Example: landed drop I-12 --reason \"superseded by I-40\"")]
    Drop {
        id: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Reopen a done or dropped item
    Reopen { id: String },
    /// A goal's checklist: each rule with pass/fail and how to fix it, and the verdict
    #[command(after_help = "Example: landed plan G-3")]
    Plan { goal: String },
    /// The one next action for you (or --for someone)
    Next {
        /// Whose next action [default: you]
        #[arg(long = "for", value_name = "HANDLE")]
        for_: Option<String>,
    },
    /// Quick capture: one line becomes an item
    #[command(after_help = "\
Example: landed add \"Write rollout doc @ben due:fri est:3h goal:G-12 -- doc reviewed by SRE\"
Fields: @owner (default: you), due:DATE, est:ESTIMATE, goal:G-N, ms:MILESTONE, kind:reactive;
everything after ' -- ' is the outcome (what done means); the rest is the title.")]
    Add { line: String },
    /// Dependencies between items and goals
    #[command(subcommand)]
    Deps(DepsCmd),
    /// Ask another team for a deliverable by a date (a commitment request)
    #[command(after_help = "\
Example: landed ask Payments \"refund API\" --by 2027-01-15 --for I-12
Until Payments commits, I-12's dependency on the request is phantom. Payments answers with
`landed answer R-1 commit ...` or `landed answer R-1 not-yet`.")]
    Ask {
        /// The team asked
        team: String,
        deliverable: String,
        #[arg(long)]
        by: String,
        /// The item or goal that needs it
        #[arg(long = "for", value_name = "ID")]
        for_: Option<String>,
    },
    /// Answer a request: commit (owner, item, date) or not-yet; there is no third answer
    #[command(subcommand)]
    Answer(AnswerCmd),
    /// Commitment requests to and from teams; open ones older than the workspace's overdue
    /// days (5 unless set with `landed workspace set`) are overdue
    Requests {
        #[arg(long)]
        team: Option<String>,
        /// Only requests still waiting for an answer
        #[arg(long)]
        open: bool,
    },
    /// Load against capacity per person and ISO week; overcommitted weeks name their items
    #[command(after_help = "\
Example: landed capacity --team Payments --weeks 6
Available hours = capacity − reactive load (the mean of reactive work done over the last 4
weeks, else half the capacity). Each open strategic item's estimate is spread over the working
days from today to its due date.")]
    Capacity {
        #[arg(long)]
        team: Option<String>,
        /// How many weeks, starting with this one (at most 26)
        #[arg(long, default_value_t = 6)]
        weeks: u32,
    },
    /// When open work will really finish: each person's items scheduled into their available
    /// hours, in due-date order, after what they need
    #[command(after_help = "Example: landed forecast --team Payments")]
    Forecast {
        #[arg(long, conflicts_with = "goal")]
        team: Option<String>,
        #[arg(long)]
        goal: Option<String>,
    },
    /// What a slip of an item or goal puts at risk: every dependent, by team
    #[command(after_help = "\
Example: landed impact I-12 --if-due 2027-01-15   (what if I-12 slips to Jan 15? writes nothing)
Dependents are reached through dependencies and through goals, which cannot land before their
open items. Lateness is counted against each dependency's needed-by date.")]
    Impact {
        id: String,
        /// Ask about this date instead of the current one
        #[arg(long, value_name = "DATE")]
        if_due: Option<String>,
    },
    /// Your weekly check-in: the agenda, then per item a status and a note, and overall
    #[command(after_help = "\
On a terminal, `landed checkin` walks through your agenda (items due this week, overdue, in
progress, blocked, untouched for 14 days, and the goals you own) and asks per item; Enter keeps
what is there, Ctrl-C leaves nothing written. Saying it again during the week amends it.

Scripted:
  landed checkin --item I-12=done --item \"I-14=blocked:waiting for the vendor's key\" \\
      --item \"I-15:halfway\" --done \"rollout doc reviewed\" --confidence G-3=at-risk
  landed checkin --from checkin.json      (or --from - for standard input)
  {\"items\": [{\"item\": \"I-12\", \"status\": \"done\", \"note\": \"...\"}], \"done\": \"...\",
   \"blocked\": \"...\", \"needs_help\": \"...\", \"goals\": [{\"goal\": \"G-3\", \"confidence\": \"on-track\"}]}
Without a terminal and without answers, it prints the agenda (and what was said so far).")]
    Checkin(CheckinArgs),
    /// Accountability figures: on-time rate, mean slip, commitments kept, check-in rate, momentum
    #[command(after_help = "\
Example: landed stats --team Payments --since 8w
On time: done by the first committed date. Mean slip: days done after it (0 when on time).
Commitments kept: committed requests that came due, done by the date asked. Check-in rate:
weeks owed with a check-in. A goal with nothing in progress for 7 days is stalled.
Every figure is computed from the event log.")]
    Stats {
        /// One team's figures, and each member's
        #[arg(long, conflicts_with_all = ["person", "goal"])]
        team: Option<String>,
        /// One person's figures
        #[arg(long, value_name = "HANDLE", conflicts_with = "goal")]
        person: Option<String>,
        /// One goal's figures
        #[arg(long)]
        goal: Option<String>,
        /// Start of the window: a date, or -4w / -30d before now
        #[arg(long, default_value = "-4w", allow_hyphen_values = true)]
        since: String,
    },
    /// Send what is due: check-in reminders, overdue items, unanswered requests, risky dependencies
    #[command(after_help = "\
Run it from cron or a systemd timer (every 15 minutes is plenty). Each reminder is recorded
before it is sent and sent once, however often or concurrently this runs; a channel that is
down keeps it pending and it is retried with backoff, then kept as a dead letter.
Example: landed remind --dry-run
Set up channels with `landed remind setup` (see its --help).")]
    Remind {
        /// Show what would be sent, change nothing
        #[arg(long)]
        dry_run: bool,
        #[command(subcommand)]
        cmd: Option<RemindCmd>,
    },
    /// The history of an item, goal or milestone, from the event log
    #[command(after_help = "Example: landed history I-12")]
    History { id: String },
    /// A team lead's weekly agenda: blocked items, needs-help, slips and their reasons, missed
    /// check-ins, dependencies and requests in trouble, overcommitted people, goals whose health
    /// dropped, aspirations
    #[command(after_help = "\
Example: landed review --team Payments --week 2026-W48
The week is an ISO week in the lead's time zone [default: this week, so far]; a week that has
not begun is refused. Slips and check-ins are those of the week; missed check-ins count the
last 4 weeks, each in the person's own time zone (a week not yet over is not missed). Health
dropped compares each goal at the week's start with now (or the week's end).")]
    Review {
        /// The team reviewed
        #[arg(long)]
        team: String,
        /// The ISO week, e.g. 2026-W48
        #[arg(long, value_name = "2026-W48")]
        week: Option<String>,
    },
    /// The weekly status report of a team or the workspace: per goal its verdict, health,
    /// progress, next step and what changed during the week
    #[command(
        group(clap::ArgGroup::new("scope").required(true).args(["team", "workspace"])),
        after_help = "\
Examples:
  landed report --team Payments                      Markdown, ready to paste
  landed report --workspace --week 2026-W48 --format html --output status.html
The week is an ISO week in the workspace's time zone [default: this week, so far]; a week that
has not begun is refused. Verdicts, health, progress and next steps are as of now; \"what
changed\" lists the week's events on each goal and its items (slips with their reasons).
The HTML page is self-contained and prints on A4; --json is the same as --format json."
    )]
    Report {
        /// One team's goals
        #[arg(long)]
        team: Option<String>,
        /// Every goal of the workspace
        #[arg(long)]
        workspace: bool,
        /// The ISO week whose changes are listed, e.g. 2026-W48
        #[arg(long, value_name = "2026-W48")]
        week: Option<String>,
        /// md (GitHub-flavoured Markdown), html (one printable page) or json
        #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
        format: ReportFormat,
        /// Write the report to this file instead, and print its path
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Sign in to a landed server; later commands go to it
    #[command(after_help = "\
Examples:
  landed login --server https://landed.example.com            asks for your handle and password
  echo \"$PASSWORD\" | landed login --server http://127.0.0.1:7878 --handle ana --password-stdin
  echo \"$TOKEN\" | landed login --server http://127.0.0.1:7878 --token-stdin

The server gives this machine an API token of its own; it is kept in your settings file
($LANDED_CONFIG, else ~/.config/landed/landed.toml), readable by you only (0600). From then on
every command works on that server, exactly as on a file; --db PATH works on a file again.
LANDED_TOKEN, if set, is used instead of the kept token.")]
    Login {
        /// Your handle on the server [default: asked]
        #[arg(long)]
        handle: Option<String>,
        /// Read the password from standard input (one line) instead of asking
        #[arg(long, conflicts_with = "token_stdin")]
        password_stdin: bool,
        /// Read an API token from standard input instead of signing in with a password
        #[arg(long)]
        token_stdin: bool,
    },
    /// Sign out of the server: revoke this machine's token and forget it
    Logout,
    /// Accounts for `landed serve`: the first admin
    #[command(subcommand)]
    Admin(AdminCmd),
    /// API tokens: create (shown once), list, revoke
    #[command(subcommand)]
    Token(TokenCmd),
    /// Run the server: the JSON API at /api/v1, health at /healthz, metrics at /metrics
    #[command(after_help = "\
Examples:
  landed serve                                the workspace file, on 127.0.0.1:7878
  landed serve --demo                         a fresh demo workspace and a printed sign-in
  landed serve --bind 0.0.0.0:8080 --database sqlite:///var/lib/landed/landed.db

Nobody can use a new install until an admin exists: run `landed admin create HANDLE` on this
machine first (or serve --demo). Then `landed token create NAME` gives API tokens; send them as
`Authorization: Bearer ldt_...`. The API is described at /api/v1/openapi.json.
Logs are JSON lines on standard error (level from LANDED_LOG, e.g. `info` or `debug`).
SIGINT or SIGTERM stop it after the requests under way.")]
    Serve {
        /// Address and port to listen on (never all interfaces unless you say so)
        #[arg(long, env = "LANDED_LISTEN", default_value = "127.0.0.1:7878")]
        bind: std::net::SocketAddr,
        /// The database: sqlite://PATH or a path [default: the workspace file, see --db]
        #[arg(long, env = "LANDED_DATABASE_URL", value_name = "URL")]
        database: Option<String>,
        /// The address people reach the server at (https://... turns on Secure cookies)
        #[arg(long, env = "LANDED_BASE_URL", value_name = "URL")]
        base_url: Option<String>,
        /// Reverse proxies whose X-Forwarded-For names the client, for sign-in limits by
        /// address: addresses or networks, comma-separated (10.0.0.5,10.0.0.0/8,::1); none by
        /// default, so the header is ignored
        #[arg(
            long,
            env = "LANDED_TRUSTED_PROXIES",
            value_name = "ADDRS",
            default_value = ""
        )]
        trusted_proxy: landed_server::client::TrustedProxies,
        /// Serve a fresh demo workspace (its own file) with an admin whose password is printed
        #[arg(long)]
        demo: bool,
        /// Send due reminders this often, as `landed remind` does (0 turns it off); several
        /// servers on one database never send one twice
        #[arg(long, value_name = "DURATION", default_value = "15m", value_parser = every)]
        remind_every: std::time::Duration,
    },
    /// Fill a demo workspace so that every concept is on screen
    #[command(after_help = "\
Without --db the demo goes to its own file ($XDG_DATA_HOME/landed/demo.db), made anew each time,
so it never touches your workspace. Afterwards, use the printed `export LANDED_DB=...` line.")]
    Demo {
        #[arg(long, value_enum, default_value_t = DemoSize::Small)]
        size: DemoSize,
        /// Replace the file given with --db if it exists
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DemoSize {
    /// Ten people, three teams, six goals
    Small,
    /// 100,000 generated items (the benchmark shape)
    Large,
}

/// How `landed report` writes the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// GitHub-flavoured Markdown
    Md,
    /// One self-contained HTML page, made for print
    Html,
    /// The report as JSON (as --json)
    Json,
}

#[derive(Debug, Subcommand)]
pub enum PersonCmd {
    /// Add a person
    #[command(
        after_help = "Example: landed person add ben --name \"Ben Okafor\" --tz Europe/London --capacity 32"
    )]
    Add {
        handle: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: Option<String>,
        /// Time zone (IANA name) [default: the workspace's]
        #[arg(long)]
        tz: Option<String>,
        /// Hours per week [default: 40]
        #[arg(long, value_name = "HOURS", allow_negative_numbers = true)]
        capacity: Option<f64>,
    },
    /// Change a person's name, e-mail, time zone, weekly capacity, role or suspension
    #[command(after_help = "\
Examples:
  landed person edit ben --capacity 32 --tz Europe/Lisbon
  landed person edit eve --role viewer      read-only stakeholder
  landed person edit dan --suspend          no sign-in, tokens refused (--restore undoes it)

Roles: admin (manages people, teams and settings), member (changes what they own and what
their teams hold), viewer (reads). Leading a team comes from `landed team edit --lead`.")]
    Edit {
        handle: String,
        #[arg(long)]
        name: Option<String>,
        /// E-mail address (`none` clears it)
        #[arg(long)]
        email: Option<String>,
        /// Time zone (IANA name)
        #[arg(long)]
        tz: Option<String>,
        /// Hours per week, 0 to 168
        #[arg(long, value_name = "HOURS", allow_negative_numbers = true)]
        capacity: Option<f64>,
        /// What they may do on a server
        #[arg(long, value_enum)]
        role: Option<RoleArg>,
        /// Suspend the account: no sign-in, no token works
        #[arg(long, conflicts_with = "restore")]
        suspend: bool,
        /// Lift a suspension
        #[arg(long)]
        restore: bool,
    },
    /// List people
    List,
}

/// A period such as `15m`, `30s`, `1h` or `0` (off).
fn every(text: &str) -> Result<std::time::Duration, String> {
    let t = text.trim();
    if t == "0" {
        return Ok(std::time::Duration::ZERO);
    }
    let (n, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = n
        .parse()
        .map_err(|_| format!("`{text}` is not a period like 30s, 15m or 1h (0 turns it off)"))?;
    let seconds = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => return Err(format!("`{text}`: give the unit, s, m or h (e.g. 15m)")),
    };
    Ok(std::time::Duration::from_secs(seconds))
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Admin,
    Member,
    Viewer,
}

impl From<RoleArg> for landed_core::authz::Role {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Admin => Self::Admin,
            RoleArg::Member => Self::Member,
            RoleArg::Viewer => Self::Viewer,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum AdminCmd {
    /// Make a person a workspace admin with a password (a new person, or an existing one)
    #[command(after_help = "\
Examples:
  landed admin create ana --name \"Ana Ruiz\"         asks for the password twice
  echo \"$PASSWORD\" | landed admin create ana --password-stdin

This runs on the server's machine, against its database: it is how a new install gets its
first account, so that `landed serve` is never open to anyone.")]
    Create {
        handle: String,
        /// Full name, for a new person
        #[arg(long)]
        name: Option<String>,
        /// Read the password from standard input (one line) instead of asking
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCmd {
    /// Create an API token; it is shown once
    #[command(after_help = "\
Examples:
  landed token create laptop                  for you (the acting person), until revoked
  landed token create ci --for bot --days 90  for @bot, expiring in 90 days

Only a SHA-256 of the token is kept: copy it now, it cannot be shown again.")]
    Create {
        /// A name to recognise it by (e.g. the machine it is for)
        name: String,
        /// Whose token [default: the acting person]
        #[arg(long = "for", value_name = "HANDLE")]
        for_: Option<String>,
        /// Expire after this many days [default: never]
        #[arg(long)]
        days: Option<i64>,
    },
    /// List tokens (never the tokens themselves)
    List {
        /// Whose tokens [default: the acting person]
        #[arg(long = "for", value_name = "HANDLE")]
        for_: Option<String>,
        /// Everyone's (admins)
        #[arg(long, conflicts_with = "for_")]
        all: bool,
    },
    /// Revoke a token by its id (from `landed token list`)
    Revoke { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum TeamCmd {
    /// Add a team with its lead and members
    #[command(
        after_help = "Example: landed team add Platform --lead ana --member ben --member chloe"
    )]
    Add {
        name: String,
        #[arg(long)]
        lead: String,
        #[arg(long = "member", value_name = "HANDLE")]
        members: Vec<String>,
    },
    /// Change a team's lead, members or protected strategic time
    #[command(after_help = "\
Example: landed team edit Payments --protected 20% --member ivy
--protected reserves that share of every member's capacity for strategic work each week;
`landed capacity --team` then shows reserved against spent, and says \"urgent is winning\"
when reactive work ate the reserve. 0 turns it off.")]
    Edit {
        name: String,
        /// A new lead (the old one stays as a member)
        #[arg(long)]
        lead: Option<String>,
        /// Add a member (repeatable)
        #[arg(long = "member", value_name = "HANDLE")]
        add: Vec<String>,
        /// Remove a member (repeatable)
        #[arg(long = "remove", value_name = "HANDLE")]
        remove: Vec<String>,
        /// Share of capacity reserved for strategic work: 20% or 0.2
        #[arg(long, value_name = "SHARE")]
        protected: Option<String>,
    },
    /// List teams
    List,
}

#[derive(Debug, Subcommand)]
pub enum WorkspaceCmd {
    /// Show the workspace's settings
    Show,
    /// Change the workspace's settings
    #[command(after_help = "\
Example: landed workspace set --reactive-share 40% --overdue-days 3
--reactive-share is the share of capacity assumed to go to reactive work for people with no
done reactive work in the last 4 weeks; --overdue-days is how long an open request may wait.")]
    Set {
        #[arg(long)]
        name: Option<String>,
        /// Default time zone (IANA name)
        #[arg(long)]
        tz: Option<String>,
        /// Estimates above this are too big to be one step, e.g. 24h or 3d
        #[arg(long, value_name = "ESTIMATE")]
        step_limit: Option<String>,
        /// Reactive share for people with no history: 50% or 0.5
        #[arg(long, value_name = "SHARE")]
        reactive_share: Option<String>,
        /// Days an open request may wait before it is overdue (1 to 365)
        #[arg(long, value_name = "DAYS", allow_negative_numbers = true)]
        overdue_days: Option<i64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum MilestoneCmd {
    /// Add a milestone
    #[command(after_help = "Example: landed milestone add \"Q1 release\" --date 2027-03-26")]
    Add {
        name: String,
        #[arg(long)]
        date: String,
    },
    /// List milestones
    List,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StatusFilter {
    Plan,
    Aspiration,
    Done,
    Dropped,
}

#[derive(Debug, Subcommand)]
pub enum GoalCmd {
    /// Add a goal (it is an aspiration until it has a plan)
    #[command(
        after_help = "Example: landed goal add \"Cut checkout latency\" --outcome \"p95 < 300 ms\" --owner farid --by 2027-01-29 --team Payments"
    )]
    Add {
        title: String,
        /// What will be true when it is done: a number, threshold or done-criterion
        #[arg(long)]
        outcome: Option<String>,
        /// The one accountable owner
        #[arg(long)]
        owner: Option<String>,
        /// Target date
        #[arg(long, conflicts_with = "milestone")]
        by: Option<String>,
        /// Target milestone (instead of --by)
        #[arg(long)]
        milestone: Option<String>,
        #[arg(long)]
        team: Option<String>,
    },
    /// List goals with their verdicts
    List {
        #[arg(long)]
        team: Option<String>,
        #[arg(long, value_enum)]
        status: Option<StatusFilter>,
    },
    /// Show a goal: verdict, failing rules, items, dependencies
    Show { id: String },
    /// Change a goal; give `none` to clear a field. Moving a set target needs --reason.
    #[command(
        after_help = "Example: landed goal edit G-3 --by 2027-02-12 --reason \"vendor sandbox late\""
    )]
    Edit {
        id: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        outcome: Option<String>,
        #[arg(long)]
        owner: Option<String>,
        #[arg(long, conflicts_with = "milestone")]
        by: Option<String>,
        #[arg(long)]
        milestone: Option<String>,
        #[arg(long)]
        team: Option<String>,
        /// Why the target moved (required once it is set)
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Debug, Clone, Args)]
pub struct ItemFields {
    /// What done means: a result or done-criterion
    #[arg(long)]
    pub outcome: Option<String>,
    /// The one owner (a person)
    #[arg(long)]
    pub owner: Option<String>,
    /// Due date
    #[arg(long, conflicts_with = "milestone")]
    pub due: Option<String>,
    /// Due at a milestone (instead of --due)
    #[arg(long)]
    pub milestone: Option<String>,
    /// Estimate, e.g. 6h or 2d
    #[arg(long)]
    pub estimate: Option<String>,
    /// The goal it serves
    #[arg(long)]
    pub goal: Option<String>,
    /// strategic (serves a goal) or reactive (daily work, interrupts)
    #[arg(long)]
    pub kind: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ItemCmd {
    /// Add a work item
    #[command(
        after_help = "Example: landed item add \"Write the rollback runbook\" --outcome \"runbook reviewed by on-call\" --owner chloe --due fri --estimate 4h --goal G-1"
    )]
    Add {
        title: String,
        #[command(flatten)]
        fields: ItemFields,
    },
    /// List items (open ones unless --status or --all)
    List {
        #[arg(long)]
        owner: Option<String>,
        #[arg(long)]
        goal: Option<String>,
        #[arg(long)]
        team: Option<String>,
        /// todo, doing, blocked, done or dropped (repeatable)
        #[arg(long)]
        status: Vec<String>,
        #[arg(long)]
        kind: Option<String>,
        /// Include done and dropped items
        #[arg(long)]
        all: bool,
    },
    /// Show an item with its missing W's
    Show { id: String },
    /// Change an item; give `none` to clear a field. Moving a set due date needs --reason.
    #[command(after_help = "Example: landed item edit I-7 --due +1w --reason \"on-call week\"")]
    Edit {
        id: String,
        #[arg(long)]
        title: Option<String>,
        #[command(flatten)]
        fields: ItemFields,
        /// Time it really took (done items only; `none` clears it)
        #[arg(long, value_name = "HOURS", allow_hyphen_values = true)]
        actual: Option<String>,
        /// Why the due date moved (required once it is set)
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum DepsCmd {
    /// Record that ID needs another item or goal
    #[command(after_help = "Example: landed deps add I-5 --needs I-1 --by 2026-12-11")]
    Add {
        id: String,
        #[arg(long)]
        needs: String,
        /// Needed by [default: ID's own due or target date]
        #[arg(long)]
        by: Option<String>,
    },
    /// Every dependency with its class (phantom, late, at_risk, ok, met), the two owners, the
    /// needed-by and the delivering dates
    List {
        /// Only dependencies with an end in this team
        #[arg(long)]
        team: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AnswerCmd {
    /// Commit: name the owner, the delivering item (existing or new) and its date
    #[command(after_help = "\
Examples:
  landed answer R-1 commit --owner farid --create \"Refund endpoint\" --due 2027-01-08 --estimate 2d
  landed answer R-1 commit --owner farid --item I-40")]
    Commit {
        id: String,
        #[arg(long)]
        owner: String,
        /// An existing item that delivers it (keeps its own date)
        #[arg(long, conflicts_with = "create", required_unless_present = "create")]
        item: Option<String>,
        /// Create the delivering item with this title
        #[arg(long)]
        create: Option<String>,
        #[arg(long, conflicts_with = "milestone")]
        due: Option<String>,
        #[arg(long)]
        milestone: Option<String>,
        /// Estimate of the created item, e.g. 2d
        #[arg(long, requires = "create")]
        estimate: Option<String>,
    },
    /// Not yet: it matters, but it is not planned work
    #[command(name = "not-yet")]
    NotYet {
        id: String,
        #[arg(long)]
        note: Option<String>,
    },
}

/// Answers of `landed checkin`.
#[derive(Debug, Args)]
pub struct CheckinArgs {
    /// The ISO week [default: this week in your time zone]
    #[arg(long, value_name = "2026-W48")]
    pub week: Option<String>,
    /// An item's status and note: I-12=done, "I-14=blocked:why", "I-15:a note" (repeatable)
    #[arg(long = "item", value_name = "ID[=STATUS][:NOTE]")]
    pub items: Vec<String>,
    /// Overall: what got done this week
    #[arg(long, value_name = "TEXT")]
    pub done: Option<String>,
    /// Overall: what is blocked
    #[arg(long, value_name = "TEXT")]
    pub blocked: Option<String>,
    /// Overall: what you need help with
    #[arg(long = "needs-help", value_name = "TEXT")]
    pub needs_help: Option<String>,
    /// Confidence in a goal you own: G-3=on-track|at-risk|off-track (repeatable)
    #[arg(long = "confidence", value_name = "GOAL=CONFIDENCE")]
    pub confidence: Vec<String>,
    /// Read the whole check-in from a JSON file (`-` for standard input)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["items", "done", "blocked", "needs_help", "confidence"])]
    pub from: Option<PathBuf>,
    /// Ask per item even without a terminal (answers read line by line from standard input)
    #[arg(long, conflicts_with = "from")]
    pub interactive: bool,
    /// Whose check-in to show [default: yours]; showing only, never answering for someone
    #[arg(long = "for", value_name = "HANDLE")]
    pub for_: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum RemindCmd {
    /// Set where reminders go: the workspace's channels, or one person's with --person
    #[command(after_help = "\
Examples:
  landed remind setup --smtp-url smtp://landed:PASSWORD@mail.example.org:587 --mail-from \"landed <landed@example.org>\"
  landed remind setup --webhook-url https://hooks.slack.com/services/... --new-secret
  landed remind setup --person ana --checkin-day thu --no-email
smtp:// uses STARTTLS (required); smtps:// is TLS from the start; add ?tls=none only for a local
relay. $LANDED_SMTP_URL, when set, is used instead of the stored SMTP URL. Webhook bodies are
Slack-compatible JSON, signed per Standard Webhooks (webhook-signature: v1,<HMAC-SHA256>).")]
    Setup {
        /// Set one person's channels instead of the workspace's
        #[arg(long, value_name = "HANDLE")]
        person: Option<String>,
        /// SMTP server (workspace only); `none` removes it
        #[arg(long, value_name = "URL")]
        smtp_url: Option<String>,
        /// Sender address (workspace only)
        #[arg(long, value_name = "ADDRESS")]
        mail_from: Option<String>,
        /// Webhook URL; `none` removes it
        #[arg(long, value_name = "URL")]
        webhook_url: Option<String>,
        /// Webhook signing secret (whsec_...); `none` removes it
        #[arg(long, value_name = "SECRET", conflicts_with = "new_secret")]
        webhook_secret: Option<String>,
        /// Make a new random signing secret and print it once
        #[arg(long)]
        new_secret: bool,
        /// Weekday check-in reminders go out on (mon..sun) [default: fri]
        #[arg(long, value_name = "DAY")]
        checkin_day: Option<String>,
        /// This person gets no e-mail
        #[arg(long, requires = "person", conflicts_with = "email")]
        no_email: bool,
        /// This person gets e-mail again
        #[arg(long, requires = "person")]
        email: bool,
    },
    /// Show the channels (secrets hidden) and the reminders recorded lately
    Show {
        /// How many recent reminders to list
        #[arg(long, default_value_t = 20)]
        last: i64,
    },
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn periods_read_with_their_unit() {
        assert_eq!(super::every("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(super::every("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(super::every("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(super::every("0"), Ok(Duration::ZERO));
        for bad in ["15", "m", "-1m", "1.5h", "15 m", "1d", ""] {
            assert!(super::every(bad).is_err(), "{bad}");
        }
    }
}
