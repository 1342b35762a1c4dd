//! The load generator: keep-alive HTTP/1.1 connections, each sending its next request as soon
//! as the previous answer is read (a closed loop), and what they measured.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;

use super::{ITEMS, Options};

/// Items each connection of the write scenario owns (and only it writes).
const ITEMS_PER_WRITER: u64 = 50;
/// A request that takes longer is counted as failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// `GET /hello` on the hello-world server.
    Hello,
    /// `GET /api/v1/items/I-n`, n uniformly random.
    GetItem,
    /// `PATCH /api/v1/items/I-n` (a new title, `If-Match` with the item's current ETag).
    PatchItem,
    /// `GET /api/v1/goals?team=T`: the team's goals with verdict, failing rules, progress and
    /// next step; T uniformly random among all teams.
    Dashboard,
}

impl Scenario {
    pub const ALL: [Scenario; 4] = [
        Scenario::Hello,
        Scenario::GetItem,
        Scenario::PatchItem,
        Scenario::Dashboard,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Scenario::Hello => "hello",
            Scenario::GetItem => "get",
            Scenario::PatchItem => "patch",
            Scenario::Dashboard => "dashboard",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Scenario::Hello => "hello world  GET /hello",
            Scenario::GetItem => "single item  GET /api/v1/items/{id}",
            Scenario::PatchItem => "item update  PATCH /api/v1/items/{id}",
            Scenario::Dashboard => "team goals   GET /api/v1/goals?team={team}",
        }
    }
}

/// Where requests go, and what they need.
pub struct Target {
    pub addr: SocketAddr,
    /// `Bearer ldt_…`, for the workspace server.
    pub token: Option<String>,
    /// Team names, for the dashboard.
    pub teams: Vec<String>,
}

/// What one scenario measured.
pub struct Measured {
    scenario: Scenario,
    connections: usize,
    latencies: Vec<Duration>,
    seconds: f64,
    /// CPU time of this whole process (server and client) during the timed part.
    cpu: Duration,
    /// Answers by status, and failed requests (no answer) under 0.
    statuses: BTreeMap<u16, u64>,
    /// Answers other than 200 during the warm-up (not in the figures, but a failure all the same).
    warmup_bad: u64,
    /// Bytes of all answers' bodies.
    bytes: u64,
}

impl Measured {
    fn requests(&self) -> u64 {
        self.statuses.values().sum()
    }

    pub fn bad(&self) -> u64 {
        self.warmup_bad
            + self
                .statuses
                .iter()
                .filter(|(s, _)| **s != 200)
                .map(|(_, n)| n)
                .sum::<u64>()
    }

    /// The latency at quantile `q` (nearest rank); `latencies` is sorted.
    fn at(&self, q: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let rank = ((q * self.latencies.len() as f64).ceil() as usize).max(1);
        self.latencies[rank.min(self.latencies.len()) - 1].as_secs_f64() * 1e3
    }

    pub fn row(&self) -> String {
        format!(
            "{:<44} {:>8} {:>7.2} {:>9.0} {:>7.2} {:>7.2} {:>7.2} {:>7.2} {:>8.0} {:>7}",
            self.scenario.label(),
            self.requests(),
            self.seconds,
            self.requests() as f64 / self.seconds,
            self.at(0.5),
            self.at(0.9),
            self.at(0.99),
            self.at(1.0),
            self.cpu.as_secs_f64() * 1e6 / self.requests().max(1) as f64,
            self.bad()
        )
    }

    pub fn report(&self, server: &str) -> String {
        let statuses = self
            .statuses
            .iter()
            .map(|(s, n)| match s {
                0 => format!("{n} failed"),
                s => format!("{n} × {s}"),
            })
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "{server}, {} ({} connections): {} requests in {:.2} s = {:.0}/s; latency p50 {:.2} \
             ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms; CPU (server and client) {:.0} µs per \
             request (this process only: not PostgreSQL's); answers: {statuses}, {:.0} bytes \
             each on average{}",
            self.scenario.label(),
            self.connections,
            self.requests(),
            self.seconds,
            self.requests() as f64 / self.seconds,
            self.at(0.5),
            self.at(0.9),
            self.at(0.99),
            self.at(1.0),
            self.cpu.as_secs_f64() * 1e6 / self.requests().max(1) as f64,
            self.bytes as f64 / self.requests().max(1) as f64,
            match self.warmup_bad {
                0 => String::new(),
                n => format!("; {n} answers other than 200 in the warm-up"),
            }
        )
    }
}

/// One keep-alive connection and what its requests need to remember.
struct Conn {
    sender: SendRequest<Full<Bytes>>,
    target: Arc<Target>,
    rng: u64,
    /// For writes: the items this connection owns with their current ETags, and the next one.
    owned: Vec<(u64, HeaderValue)>,
    next: usize,
    written: u64,
}

/// What one connection saw.
#[derive(Default)]
struct Seen {
    latencies: Vec<Duration>,
    statuses: BTreeMap<u16, u64>,
    bytes: u64,
}

impl Conn {
    async fn open(target: Arc<Target>, number: u64) -> Result<Conn, String> {
        let stream = tokio::net::TcpStream::connect(target.addr)
            .await
            .map_err(|e| format!("cannot connect to {}: {e}", target.addr))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("HTTP handshake: {e}"))?;
        tokio::spawn(connection);
        Ok(Conn {
            sender,
            target,
            // splitmix64's increment: distinct, well-mixed streams per connection.
            rng: 0x9E37_79B9_7F4A_7C15_u64.wrapping_mul(number + 1),
            owned: Vec::new(),
            next: 0,
            written: 0,
        })
    }

    fn random(&mut self, below: u64) -> u64 {
        // splitmix64
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % below
    }

    fn request(&self, method: Method, path: &str, body: Bytes) -> Request<Full<Bytes>> {
        let mut r = Request::new(Full::new(body));
        *r.method_mut() = method;
        // Origin form: a path is all a connection to one server needs.
        *r.uri_mut() = path.parse().unwrap_or_default();
        let headers = r.headers_mut();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1"));
        if let Some(token) = &self.target.token
            && let Ok(v) = HeaderValue::from_str(token)
        {
            headers.insert(header::AUTHORIZATION, v);
        }
        r
    }

    /// Send `request`, read the whole answer: its status, ETag and body size, or why there is
    /// none.
    async fn send(
        &mut self,
        request: Request<Full<Bytes>>,
    ) -> Result<(StatusCode, Option<HeaderValue>, usize), String> {
        let answer = async {
            self.sender
                .ready()
                .await
                .map_err(|e| format!("connection: {e}"))?;
            let response = self
                .sender
                .send_request(request)
                .await
                .map_err(|e| format!("request: {e}"))?;
            let status = response.status();
            let etag = response.headers().get(header::ETAG).cloned();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| format!("answer: {e}"))?
                .to_bytes();
            Ok((status, etag, body.len()))
        };
        tokio::time::timeout(REQUEST_TIMEOUT, answer)
            .await
            .map_err(|_| format!("no answer within {} s", REQUEST_TIMEOUT.as_secs()))?
    }

    /// Read the ETags of the items this connection (number `n` of `of`) will write: items
    /// spread over the workspace, none shared with another connection.
    async fn own_items(&mut self, n: u64, of: u64) -> Result<(), String> {
        for j in 0..ITEMS_PER_WRITER {
            // 7,919 is prime and so coprime to 100,000: distinct (j, n) give distinct items.
            let id = 1 + ((j * of + n) * 7_919) % ITEMS;
            let request = self.request(Method::GET, &format!("/api/v1/items/I-{id}"), Bytes::new());
            let (status, etag, _) = self.send(request).await?;
            let etag = etag
                .filter(|_| status == StatusCode::OK)
                .ok_or_else(|| format!("GET I-{id} answered {status} without an ETag"))?;
            self.owned.push((id, etag));
        }
        Ok(())
    }

    /// Ask for every team's goals once, one after another: the measured dashboards are those
    /// kept between writes, and a random warm-up leaves some teams to be read for the first
    /// time in the timed run (on PostgreSQL, with 16 connections missing the same team at
    /// once, that took the first 3 s and made a 5 s run's p99 27 ms where it is 9 ms after).
    async fn read_every_team(&mut self) -> Result<(), String> {
        for team in self.target.teams.clone() {
            let path = format!("/api/v1/goals?team={}", encode(&team));
            let (status, _, _) = self
                .send(self.request(Method::GET, &path, Bytes::new()))
                .await?;
            if status != StatusCode::OK {
                return Err(format!("GET {path} answered {status}"));
            }
        }
        Ok(())
    }

    /// The next request of `scenario`; for a write, also which owned item it changes.
    fn next_request(&mut self, scenario: Scenario) -> (Request<Full<Bytes>>, Option<usize>) {
        match scenario {
            Scenario::Hello => (self.request(Method::GET, "/hello", Bytes::new()), None),
            Scenario::GetItem => {
                let id = 1 + self.random(ITEMS);
                let path = format!("/api/v1/items/I-{id}");
                (self.request(Method::GET, &path, Bytes::new()), None)
            }
            Scenario::Dashboard => {
                let t = self.random(self.target.teams.len().max(1) as u64) as usize;
                let team = self.target.teams.get(t).map_or("Accounts", String::as_str);
                let path = format!("/api/v1/goals?team={}", encode(team));
                (self.request(Method::GET, &path, Bytes::new()), None)
            }
            Scenario::PatchItem => {
                let slot = self.next % self.owned.len().max(1);
                self.next += 1;
                self.written += 1;
                let (id, etag) = self.owned[slot].clone();
                let body = format!("{{\"title\":\"Load test write {}\"}}", self.written);
                let mut r = self.request(
                    Method::PATCH,
                    &format!("/api/v1/items/I-{id}"),
                    Bytes::from(body),
                );
                r.headers_mut().insert(header::IF_MATCH, etag);
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                (r, Some(slot))
            }
        }
    }

    /// Send requests of `scenario` until `issued` reaches `limit` or `deadline` passes.
    async fn run(
        mut self,
        scenario: Scenario,
        issued: Arc<AtomicU64>,
        limit: u64,
        deadline: Instant,
    ) -> (Conn, Seen) {
        let mut seen = Seen::default();
        while Instant::now() < deadline && issued.fetch_add(1, Ordering::Relaxed) < limit {
            let (request, slot) = self.next_request(scenario);
            let start = Instant::now();
            let answer = self.send(request).await;
            let took = start.elapsed();
            match answer {
                Ok((status, etag, size)) => {
                    *seen.statuses.entry(status.as_u16()).or_default() += 1;
                    seen.bytes += size as u64;
                    seen.latencies.push(took);
                    if let (Some(slot), Some(etag), true) = (slot, etag, status == StatusCode::OK) {
                        self.owned[slot].1 = etag;
                    }
                }
                Err(e) => {
                    *seen.statuses.entry(0).or_default() += 1;
                    eprintln!("{}: {e}", scenario.label());
                    // The connection may be gone: open another one.
                    match Conn::open(self.target.clone(), self.rng).await {
                        Ok(mut fresh) => {
                            fresh.owned = std::mem::take(&mut self.owned);
                            fresh.next = self.next;
                            fresh.written = self.written;
                            self = fresh;
                        }
                        Err(e) => {
                            eprintln!("{e}");
                            break;
                        }
                    }
                }
            }
        }
        (self, seen)
    }
}

/// A team name as a query value (names have spaces).
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Run `scenario` against `target`: open the connections, warm up, then measure.
pub async fn drive(
    scenario: Scenario,
    target: Arc<Target>,
    o: &Options,
) -> Result<Measured, String> {
    let mut conns = Vec::with_capacity(o.connections);
    for n in 0..o.connections as u64 {
        let mut c = Conn::open(target.clone(), n).await?;
        match scenario {
            Scenario::PatchItem => c.own_items(n, o.connections as u64).await?,
            Scenario::Dashboard if n == 0 => c.read_every_team().await?,
            _ => {}
        }
        conns.push(c);
    }
    let round = |conns: Vec<Conn>, limit: u64, seconds: f64| {
        let issued = Arc::new(AtomicU64::new(0));
        let deadline = Instant::now() + Duration::from_secs_f64(seconds);
        let tasks: Vec<_> = conns
            .into_iter()
            .map(|c| tokio::spawn(c.run(scenario, issued.clone(), limit, deadline)))
            .collect();
        async move {
            let mut conns = Vec::new();
            let mut seen = Seen::default();
            for t in tasks {
                let (c, s) = t.await.map_err(|e| format!("a client task failed: {e}"))?;
                conns.push(c);
                seen.latencies.extend(s.latencies);
                seen.bytes += s.bytes;
                for (status, n) in s.statuses {
                    *seen.statuses.entry(status).or_default() += n;
                }
            }
            Ok::<_, String>((conns, seen))
        }
    };
    let (conns, warm) = round(conns, o.warmup, o.seconds.min(5.0)).await?;
    let cpu_before = cpu_time();
    let start = Instant::now();
    let (conns, mut seen) = round(conns, o.requests, o.seconds).await?;
    let seconds = start.elapsed().as_secs_f64();
    let cpu = cpu_time().saturating_sub(cpu_before);
    drop(conns);
    seen.latencies.sort_unstable();
    let warmup_bad = warm
        .statuses
        .iter()
        .filter(|(s, _)| **s != 200)
        .map(|(_, n)| n)
        .sum();
    Ok(Measured {
        scenario,
        connections: o.connections,
        latencies: seen.latencies,
        seconds,
        cpu,
        statuses: seen.statuses,
        warmup_bad,
        bytes: seen.bytes,
    })
}

/// User and system CPU time of this process so far (from `/proc/self/stat`; zero elsewhere).
fn cpu_time() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // Fields after the command name (which is in parentheses and may hold spaces): utime and
    // stime are the 14th and 15th fields of the line, in clock ticks (100 per second on Linux).
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return Duration::ZERO;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|f| f.parse::<u64>().ok()))
        .sum();
    Duration::from_millis(ticks * 10)
}
