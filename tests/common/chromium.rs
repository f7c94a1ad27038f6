//! A real headless Chromium driven over the DevTools protocol: open a page, collect its
//! console errors and network requests, evaluate an expression, take a screenshot.

use std::path::Path;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::AsyncBufReadExt;
use tokio_tungstenite::tungstenite::Message;

/// What the page did while it loaded, and what was asked of it.
pub(crate) struct PageVisit {
    /// Console errors, uncaught exceptions and log entries of level error.
    pub(crate) errors: Vec<String>,
    /// Every URL the page requested (the page itself included).
    pub(crate) requests: Vec<String>,
    /// `expression`'s value (returned by value).
    pub(crate) value: Value,
    /// The screenshot, PNG.
    pub(crate) screenshot: Vec<u8>,
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct Cdp {
    ws: Ws,
    next: u64,
    events: Vec<Value>,
}

impl Cdp {
    /// Send `method` and wait for its answer, keeping the events that come first.
    async fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next += 1;
        let mut msg = json!({"id": self.next, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = s.into();
        }
        self.ws
            .send(Message::text(msg.to_string()))
            .await
            .expect("send to Chromium");
        loop {
            let v = self.read().await;
            if v["id"] == self.next {
                assert!(v.get("error").is_none(), "{method}: {v}");
                return v["result"].clone();
            }
            self.events.push(v);
        }
    }

    async fn read(&mut self) -> Value {
        let m = tokio::time::timeout(Duration::from_secs(30), self.ws.next())
            .await
            .expect("Chromium answered within 30 s")
            .expect("Chromium's socket open")
            .expect("a message");
        serde_json::from_str(m.to_text().unwrap_or("{}")).unwrap_or_default()
    }

    /// Wait for event `method` (events already seen count).
    async fn wait_for(&mut self, method: &str) {
        if self.events.iter().any(|e| e["method"] == method) {
            return;
        }
        loop {
            let v = self.read().await;
            let done = v["method"] == method;
            self.events.push(v);
            if done {
                return;
            }
        }
    }
}

/// Open `page` in a fresh headless Chromium (no profile, no background networking), wait
/// for it to load, evaluate `expression`, take a screenshot.
pub(crate) async fn visit(page: &Path, expression: &str) -> PageVisit {
    let profile = tempfile::tempdir().unwrap();
    let mut child = tokio::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            // Containers often give /dev/shm only 64 MB, where Chromium's renderer crashes.
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--remote-debugging-port=0",
            "--window-size=1200,900",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("about:blank")
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start chromium");
    let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let url = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(l) = lines.next_line().await.unwrap() {
            if let Some(u) = l.strip_prefix("DevTools listening on ") {
                return u.trim().to_string();
            }
        }
        panic!("chromium ended without a DevTools address")
    })
    .await
    .expect("chromium said its DevTools address within 60 s");
    // Keep draining its stderr: a full pipe would stall it.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let (ws, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .expect("connect to DevTools");
    let mut cdp = Cdp {
        ws,
        next: 0,
        events: Vec::new(),
    };
    let target = cdp
        .call(None, "Target.createTarget", json!({"url": "about:blank"}))
        .await;
    let attached = cdp
        .call(
            None,
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        )
        .await;
    let session = attached["sessionId"].as_str().unwrap().to_string();
    let s = Some(session.as_str());
    for domain in ["Runtime", "Log", "Network", "Page"] {
        cdp.call(s, &format!("{domain}.enable"), json!({})).await;
    }
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    cdp.call(s, "Page.navigate", json!({"url": url})).await;
    cdp.wait_for("Page.loadEventFired").await;
    let value = cdp
        .call(
            s,
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true}),
        )
        .await["result"]["value"]
        .clone();
    let shot = cdp
        .call(
            s,
            "Page.captureScreenshot",
            json!({"format": "png", "captureBeyondViewport": true}),
        )
        .await;
    use base64::Engine as _;
    let screenshot = base64::engine::general_purpose::STANDARD
        .decode(shot["data"].as_str().unwrap_or(""))
        .unwrap();
    let mut errors = Vec::new();
    let mut requests = Vec::new();
    for e in &cdp.events {
        let p = &e["params"];
        match e["method"].as_str().unwrap_or("") {
            "Runtime.consoleAPICalled" if p["type"] == "error" => errors.push(p.to_string()),
            "Runtime.exceptionThrown" => errors.push(p.to_string()),
            "Log.entryAdded" if p["entry"]["level"] == "error" => errors.push(p.to_string()),
            "Network.requestWillBeSent" => {
                requests.push(p["request"]["url"].as_str().unwrap_or("").to_string())
            }
            _ => {}
        }
    }
    let _ = child.kill().await;
    PageVisit {
        errors,
        requests,
        value,
        screenshot,
    }
}

/// How many distinct colours a PNG has, and the share of its pixels that are not white.
pub(crate) fn colours(png_bytes: &[u8]) -> (usize, f64) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let bytes = &buf[..info.buffer_size()];
    let step = info.color_type.samples();
    let mut seen = std::collections::HashSet::new();
    let mut not_white = 0usize;
    let mut total = 0usize;
    for px in bytes.chunks(step) {
        let rgb = (px[0], px[1], px.get(2).copied().unwrap_or(px[0]));
        seen.insert(rgb);
        total += 1;
        if rgb != (255, 255, 255) {
            not_white += 1;
        }
    }
    (seen.len(), not_white as f64 / total.max(1) as f64)
}
