//! Webhook delivery against a real HTTP receiver on 127.0.0.1: a minimal HTTP/1.1 server on a tokio
//! `TcpListener` that records each request and answers from a scripted list of replies.
//!
//! The signature is recomputed here from the received bytes; the known-answer vectors checked
//! against the reference implementation (Python `standardwebhooks`) are in `src/webhook/tests.rs`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit as _, Mac as _};
use landed_notify::{DeliveryError, Webhook, WebhookMessage, post_webhook};
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const TIMEOUT: Duration = Duration::from_secs(5);

/// What the receiver does with one request.
#[derive(Clone)]
enum Reply {
    /// Answers with this status and body.
    Status(u16, &'static str),
    /// Answers with this status and a `location` header.
    Redirect(u16, &'static str),
    /// Reads the request and never answers.
    Silent,
}

/// One request as received.
#[derive(Debug, Clone)]
struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("the body is JSON")
    }
}

/// A receiver on `127.0.0.1:0`: the n-th request gets the n-th reply (the last one repeats).
struct Receiver {
    url: String,
    requests: Arc<Mutex<Vec<Request>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    async fn start(replies: Vec<Reply>) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks/landed", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        let task = tokio::spawn(async move {
            for n in 0.. {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let reply = replies[n.min(replies.len() - 1)].clone();
                let recorded = Arc::clone(&recorded);
                tokio::spawn(serve(socket, reply, recorded));
            }
        });
        Receiver {
            url,
            requests,
            task,
        }
    }

    fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    fn hook(&self, secret: Option<&str>) -> Webhook {
        Webhook {
            url: self.url.clone(),
            secret: secret.map(Into::into),
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut socket: TcpStream, reply: Reply, recorded: Arc<Mutex<Vec<Request>>>) {
    let Some(request) = read_request(&mut socket).await else {
        return;
    };
    recorded.lock().unwrap().push(request);
    let (status, extra, body) = match reply {
        Reply::Status(status, body) => (status, String::new(), body),
        Reply::Redirect(status, location) => (status, format!("location: {location}\r\n"), ""),
        Reply::Silent => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            return;
        }
    };
    let response = format!(
        "HTTP/1.1 {status} Scripted\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\
         connection: close\r\n{extra}\r\n{body}",
        body.len()
    );
    let _ = socket.write_all(response.as_bytes()).await;
    let _ = socket.shutdown().await;
}

/// Reads one HTTP/1.1 request: request line, headers (names lower-cased), `content-length` body.
async fn read_request(socket: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let mut chunk = [0u8; 4096];
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8(buf[..head_end].to_vec()).ok()?;
    let mut lines = head.split("\r\n");
    let mut start = lines.next()?.split(' ');
    let (method, path) = (start.next()?.to_string(), start.next()?.to_string());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map_or(Some(0), |(_, v)| v.parse().ok())?;
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let mut chunk = [0u8; 4096];
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Request {
        method,
        path,
        headers,
        body,
    })
}

fn message() -> WebhookMessage {
    let extra = serde_json::json!({"reminder": "checkin", "week": "2026-W48", "person": "@ana"});
    WebhookMessage {
        id: "rem_42".into(),
        text: "Check-in for 2026-W48 — Ana".into(),
        extra: extra.as_object().unwrap().clone(),
    }
}

fn at() -> jiff::Timestamp {
    jiff::Timestamp::from_second(1_764_000_000).unwrap()
}

async fn post_with_reply(reply: Reply) -> (Result<(), DeliveryError>, Vec<Request>) {
    let receiver = Receiver::start(vec![reply]).await;
    let result = post_webhook(&receiver.hook(None), &message(), at(), TIMEOUT).await;
    (result, receiver.requests())
}

#[tokio::test]
async fn body_is_json_with_text_and_the_extra_fields() {
    let (result, requests) = post_with_reply(Reply::Status(200, "ok")).await;
    result.unwrap();
    assert_eq!(requests.len(), 1);
    let req = &requests[0];
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/hooks/landed")
    );
    assert_eq!(
        req.json(),
        serde_json::json!({
            "text": "Check-in for 2026-W48 — Ana",
            "reminder": "checkin", "week": "2026-W48", "person": "@ana",
        })
    );
}

#[tokio::test]
async fn text_wins_over_an_extra_field_of_the_same_name() {
    let receiver = Receiver::start(vec![Reply::Status(204, "")]).await;
    let mut msg = message();
    msg.extra.insert("text".into(), "not this".into());
    post_webhook(&receiver.hook(None), &msg, at(), TIMEOUT)
        .await
        .unwrap();
    assert_eq!(
        receiver.requests()[0].json()["text"],
        "Check-in for 2026-W48 — Ana"
    );
}

#[tokio::test]
async fn headers_carry_type_id_timestamp_and_user_agent() {
    let (result, requests) = post_with_reply(Reply::Status(202, "")).await;
    result.unwrap();
    let req = &requests[0];
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(req.header("webhook-id"), Some("rem_42"));
    assert_eq!(req.header("webhook-timestamp"), Some("1764000000"));
    assert_eq!(
        req.header("user-agent"),
        Some(concat!("landed/", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(
        req.header("webhook-signature"),
        None,
        "no secret, no signature"
    );
}

#[tokio::test]
async fn signature_verifies_over_the_bytes_received() {
    let receiver = Receiver::start(vec![Reply::Status(200, "")]).await;
    post_webhook(&receiver.hook(Some(SECRET)), &message(), at(), TIMEOUT)
        .await
        .unwrap();

    let req = &receiver.requests()[0];
    let (id, ts) = (
        req.header("webhook-id").unwrap(),
        req.header("webhook-timestamp").unwrap(),
    );
    let key = BASE64
        .decode(SECRET.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{ts}.").as_bytes());
    mac.update(&req.body);
    let expected = format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()));
    assert_eq!(req.header("webhook-signature"), Some(expected.as_str()));
}

#[tokio::test]
async fn server_error_is_a_transient_rejection_with_status_and_body() {
    let (result, _) = post_with_reply(Reply::Status(500, "database is locked")).await;
    let err = result.unwrap_err();
    assert!(
        matches!(
            &err,
            DeliveryError::Rejected {
                permanent: false,
                ..
            }
        ),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("500") && msg.contains("database is locked"),
        "{msg}"
    );
}

#[tokio::test]
async fn bad_request_is_a_permanent_rejection() {
    let (result, _) = post_with_reply(Reply::Status(400, "invalid_payload")).await;
    let err = result.unwrap_err();
    assert!(
        matches!(
            &err,
            DeliveryError::Rejected {
                permanent: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_permanent());
    assert!(err.to_string().contains("invalid_payload"), "{err}");
}

#[tokio::test]
async fn too_many_requests_and_request_timeout_are_transient() {
    for status in [429, 408] {
        let (result, _) = post_with_reply(Reply::Status(status, "slow down")).await;
        let err = result.unwrap_err();
        assert!(
            matches!(
                &err,
                DeliveryError::Rejected {
                    permanent: false,
                    ..
                }
            ),
            "{status}: {err:?}"
        );
    }
}

#[tokio::test]
async fn redirects_are_not_followed_and_name_the_new_location() {
    let (result, requests) =
        post_with_reply(Reply::Redirect(308, "http://elsewhere.example/hook")).await;
    let err = result.unwrap_err();
    assert!(err.is_permanent(), "{err:?}");
    assert!(
        err.to_string().contains("http://elsewhere.example/hook"),
        "{err}"
    );
    assert_eq!(requests.len(), 1);
}

#[tokio::test]
async fn a_long_reply_body_is_cut_to_200_characters() {
    let long: &'static str = "é".repeat(5000).leak();
    let (result, _) = post_with_reply(Reply::Status(503, long)).await;
    let DeliveryError::Rejected { detail, .. } = result.unwrap_err() else {
        panic!("not a rejection")
    };
    let body = detail
        .split_once("Service Unavailable: ")
        .expect("status: body")
        .1;
    assert!(
        body.chars().count() <= 200,
        "{} characters",
        body.chars().count()
    );
    assert!(body.starts_with("éé"), "{body}");
}

#[tokio::test]
async fn a_retry_after_a_transient_failure_repeats_the_same_id_and_succeeds() {
    let receiver = Receiver::start(vec![
        Reply::Status(502, "bad gateway"),
        Reply::Status(200, ""),
    ])
    .await;
    let hook = receiver.hook(Some(SECRET));
    assert!(
        !post_webhook(&hook, &message(), at(), TIMEOUT)
            .await
            .unwrap_err()
            .is_permanent()
    );
    post_webhook(&hook, &message(), at(), TIMEOUT)
        .await
        .unwrap();
    let ids: Vec<_> = receiver
        .requests()
        .iter()
        .map(|r| r.header("webhook-id").unwrap().to_string())
        .collect();
    assert_eq!(ids, ["rem_42", "rem_42"]);
}

#[tokio::test]
async fn closed_port_is_unreachable() {
    // Bound but never listening: connections are refused and the port stays ours meanwhile.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let hook = Webhook {
        url: format!("http://{}/hook", socket.local_addr().unwrap()),
        secret: None,
    };
    let started = Instant::now();

    let err = post_webhook(&hook, &message(), at(), TIMEOUT)
        .await
        .unwrap_err();

    assert!(matches!(&err, DeliveryError::Unreachable { .. }), "{err:?}");
    assert!(!err.is_permanent());
    assert!(started.elapsed() < TIMEOUT, "took {:?}", started.elapsed());
}

#[tokio::test]
async fn a_receiver_that_never_answers_fails_within_the_timeout() {
    let receiver = Receiver::start(vec![Reply::Silent]).await;
    let started = Instant::now();

    let err = post_webhook(
        &receiver.hook(None),
        &message(),
        at(),
        Duration::from_secs(1),
    )
    .await
    .unwrap_err();

    assert!(matches!(&err, DeliveryError::Unreachable { .. }), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(receiver.requests().len(), 1, "the request did arrive");
}

#[tokio::test]
async fn a_bad_url_is_a_config_error_that_does_not_echo_the_url() {
    let hook = Webhook {
        url: "hooks.slack.com/services/T0/B0/tokentoken".into(),
        secret: None,
    };
    let err = post_webhook(&hook, &message(), at(), TIMEOUT)
        .await
        .unwrap_err();
    assert!(matches!(&err, DeliveryError::Config(_)), "{err:?}");
    assert!(err.is_permanent());
    assert!(!err.to_string().contains("tokentoken"), "{err}");
}
