//! A small W3C WebDriver client over reqwest, enough for the browser tests: sessions, pages,
//! elements, typing, clicking, scripts and screenshots. chromedriver speaks it; no other
//! dependency is needed.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

/// The key under which WebDriver names an element.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// The first of `names` found on PATH.
pub fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// A chromedriver process, killed when dropped.
pub struct Driver {
    child: Child,
    pub url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    /// Start chromedriver on a free port and wait until it is ready.
    pub async fn start(chromedriver: &Path) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = http.get(format!("{}/status", driver.url)).send().await
                && let Ok(v) = r.json::<Value>().await
                && v["value"]["ready"] == true
            {
                return driver;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not start in 20 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// One browser session.
pub struct Browser {
    http: reqwest::Client,
    session: String,
}

/// An element of the page.
#[derive(Debug, Clone)]
pub struct Element(String);

impl Browser {
    /// A headless Chromium (`binary`) at `width` × `height`.
    pub async fn open(driver: &Driver, binary: &Path, width: u32, height: u32) -> Browser {
        let http = reqwest::Client::new();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": binary,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--hide-scrollbars", "--no-first-run",
                         format!("--window-size={width},{height}")]
            }
        }}});
        let answer: Value = http
            .post(format!("{}/session", driver.url))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = answer["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no browser session: {answer}"))
            .to_string();
        Browser {
            http,
            session: format!("{}/session/{session}", driver.url),
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, format!("{}{path}", self.session));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let answer: Value = req.send().await.unwrap().json().await.unwrap();
        answer["value"].clone()
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let v = self.call(reqwest::Method::POST, path, Some(body)).await;
        assert!(v.get("error").is_none(), "{path}: {v}");
        v
    }

    async fn get(&self, path: &str) -> Value {
        let v = self.call(reqwest::Method::GET, path, None).await;
        assert!(v.get("error").is_none(), "{path}: {v}");
        v
    }

    pub async fn go(&self, url: &str) {
        self.post("/url", json!({ "url": url })).await;
    }

    pub async fn url(&self) -> String {
        self.get("/url").await.as_str().unwrap().to_string()
    }

    /// The element `css` selects; panics with the page's text when there is none.
    pub async fn find(&self, css: &str) -> Element {
        match self.try_find(css).await {
            Some(e) => e,
            None => panic!(
                "no element `{css}` on {}:\n{}",
                self.url().await,
                self.text("body").await
            ),
        }
    }

    pub async fn try_find(&self, css: &str) -> Option<Element> {
        let v = self
            .call(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        v[ELEMENT].as_str().map(|id| Element(id.to_string()))
    }

    pub async fn count(&self, css: &str) -> usize {
        self.post("/elements", json!({"using": "css selector", "value": css}))
            .await
            .as_array()
            .map_or(0, Vec::len)
    }

    /// The visible text of the element `css` selects.
    pub async fn text(&self, css: &str) -> String {
        let Some(e) = self.try_find(css).await else {
            return String::new();
        };
        self.get(&format!("/element/{}/text", e.0))
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// A property of the element `css` selects (`value` of an input, say).
    pub async fn property(&self, css: &str, name: &str) -> Value {
        let e = self.find(css).await;
        self.get(&format!("/element/{}/property/{name}", e.0)).await
    }

    /// Replace what the field `css` holds with `text`.
    pub async fn fill(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.post(&format!("/element/{}/clear", e.0), json!({}))
            .await;
        self.post(&format!("/element/{}/value", e.0), json!({ "text": text }))
            .await;
    }

    /// Choose the option with `value` in the select `css`.
    pub async fn select(&self, css: &str, value: &str) {
        self.click(&format!("{css} option[value=\"{value}\"]"))
            .await;
    }

    /// Click what `css` selects and wait for the page it leads to (a link or a form's
    /// button): the old document is marked, and the new one has no mark.
    pub async fn submit(&self, css: &str) {
        self.run("window.__leaving = true; return null").await;
        self.click(css).await;
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let v = self
                .call(
                    reqwest::Method::POST,
                    "/execute/sync",
                    Some(json!({"script": "return window.__leaving === undefined && document.readyState === 'complete'", "args": []})),
                )
                .await;
            if v == true {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "clicking `{css}` led nowhere in 15 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn click(&self, css: &str) {
        let e = self.find(css).await;
        self.post(&format!("/element/{}/click", e.0), json!({}))
            .await;
    }

    /// Press a key on the keyboard (`"\u{E004}"` is Tab, `"\u{E007}"` Enter), as a person
    /// would: to whatever has the focus.
    pub async fn press(&self, key: &str) {
        self.post(
            "/actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
                {"type": "keyDown", "value": key},
                {"type": "keyUp", "value": key}
            ]}]}),
        )
        .await;
    }

    /// Run `script` in the page and return its value.
    pub async fn run(&self, script: &str) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": []}))
            .await
    }

    /// The text of an open alert, if any (a script that ran would have opened one).
    pub async fn alert(&self) -> Option<String> {
        let v = self.call(reqwest::Method::GET, "/alert/text", None).await;
        v.as_str().map(str::to_string)
    }

    /// Save a PNG of the page (the whole document height) to `path`.
    pub async fn screenshot(&self, path: &Path) {
        let png = self.get("/screenshot").await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    pub async fn close(self) {
        let _ = self.http.delete(&self.session).send().await;
    }
}
