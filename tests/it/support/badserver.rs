//! A misbehaving HTTP server for the verifier fault tests (tokio, loopback
//! only): slow drips, stalled bodies, resets, HTML pages, huge and endless
//! bodies, wrong content types, redirects, and a recording proxy in front of
//! the emulator. It echoes what it received (client secret, signed JWT,
//! bearer token) plus a planted private key and access token in bodies and
//! headers, so the tests can prove none of it reaches the verifier's output.
//! It also counts connections and bytes sent.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with every request.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// A valid-looking response, one byte per second, forever.
    DripForever,
    /// Headers (Content-Length 1000), 5 bytes of body, then silence.
    StallBody,
    /// Headers and half the body, then a TCP reset.
    ResetMidBody,
    /// A fixed answer; `{ECHO}` in the body or headers is replaced by the
    /// echo (multi-line in the body, one line in headers), `{ECHO_JSON}` by
    /// the echo escaped for a JSON string.
    Answer {
        status: u16,
        content_type: &'static str,
        headers: String,
        body: String,
    },
    /// 200 application/json with this Content-Length, written in 64 KiB blocks.
    BigBody { len: u64 },
    /// 200 application/json, chunked, never ending.
    EndlessChunked,
    /// A status line, then header lines forever.
    EndlessHeaders,
    /// Forwards to the emulator and records the answers.
    Proxy { upstream: SocketAddr },
}

/// What the server saw and did.
#[derive(Default)]
pub struct Record {
    /// Connections accepted.
    pub connections: AtomicUsize,
    /// Body and header bytes written.
    pub sent: AtomicU64,
    /// Raw requests (head and body).
    pub requests: Mutex<Vec<String>>,
    /// Raw upstream answers (proxy mode).
    pub answers: Mutex<Vec<String>>,
}

/// A running server; its runtime stops on drop.
pub struct BadServer {
    pub addr: SocketAddr,
    pub url: String,
    pub record: Arc<Record>,
    rt: Option<tokio::runtime::Runtime>,
}

/// Extra text the server echoes besides the request: a planted PEM key and
/// access token.
pub static PLANTED_ECHO: Mutex<String> = Mutex::new(String::new());

impl BadServer {
    /// Listens on `ip:0` (a loopback address) with this behaviour.
    pub fn start_on(ip: &str, behaviour: Behaviour) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = rt
            .block_on(TcpListener::bind(format!("{ip}:0")))
            .expect("bind loopback");
        let addr = listener.local_addr().unwrap();
        assert!(addr.ip().is_loopback());
        let record = Arc::new(Record::default());
        let rec = record.clone();
        rt.spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                rec.connections.fetch_add(1, Ordering::SeqCst);
                let (rec, b) = (rec.clone(), behaviour.clone());
                tokio::spawn(async move {
                    let _ = serve(conn, b, rec).await;
                });
            }
        });
        BadServer {
            addr,
            url: format!("http://{addr}"),
            record,
            rt: Some(rt),
        }
    }

    /// Listens on 127.0.0.1.
    pub fn start(behaviour: Behaviour) -> Self {
        Self::start_on("127.0.0.1", behaviour)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.record.connections.load(Ordering::SeqCst)
    }

    /// Bytes written so far.
    pub fn sent(&self) -> u64 {
        self.record.sent.load(Ordering::SeqCst)
    }

    /// Every request received, as text.
    pub fn requests(&self) -> Vec<String> {
        self.record.requests.lock().unwrap().clone()
    }

    /// Every upstream answer (proxy mode), as text.
    pub fn answers(&self) -> Vec<String> {
        self.record.answers.lock().unwrap().clone()
    }
}

impl Drop for BadServer {
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

async fn read_request(conn: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                return Ok(buf);
            }
        }
        let n = conn.read(&mut chunk).await?;
        if n == 0 || buf.len() > 1 << 20 {
            return Ok(buf);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Everything worth echoing: the raw request (headers with any bearer
/// token, form body), the form's decoded values, the planted extras.
fn echo(request: &str) -> String {
    let body = request.split("\r\n\r\n").nth(1).unwrap_or("");
    let decoded: Vec<String> = url::form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    format!(
        "you sent {request}\n{}\n{}",
        decoded.join("\n"),
        PLANTED_ECHO.lock().unwrap()
    )
}

async fn write(conn: &mut TcpStream, rec: &Record, bytes: &[u8]) -> std::io::Result<()> {
    conn.write_all(bytes).await?;
    rec.sent.fetch_add(bytes.len() as u64, Ordering::SeqCst);
    Ok(())
}

async fn serve(mut conn: TcpStream, b: Behaviour, rec: Arc<Record>) -> std::io::Result<()> {
    let raw = read_request(&mut conn).await?;
    let request = String::from_utf8_lossy(&raw).into_owned();
    rec.requests.lock().unwrap().push(request.clone());
    let echo = echo(&request);
    let json_head = |extra: &str| {
        format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n{extra}connection: close\r\n\r\n"
        )
    };
    match b {
        Behaviour::DripForever => {
            let resp = format!("{}{{\"access_token\":\"x\"}}", json_head(""));
            for byte in resp.bytes().chain(std::iter::repeat(b' ')) {
                write(&mut conn, &rec, &[byte]).await?;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        Behaviour::StallBody => {
            write(
                &mut conn,
                &rec,
                json_head("content-length: 1000\r\n").as_bytes(),
            )
            .await?;
            write(&mut conn, &rec, b"{\"acc").await?;
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Behaviour::ResetMidBody => {
            write(
                &mut conn,
                &rec,
                json_head("content-length: 1000\r\n").as_bytes(),
            )
            .await?;
            write(&mut conn, &rec, &[b' '; 500]).await?;
            conn.flush().await?;
            tokio::time::sleep(Duration::from_millis(100)).await;
            #[allow(deprecated)]
            conn.set_linger(Some(Duration::ZERO))?;
            drop(conn);
        }
        Behaviour::Answer {
            status,
            content_type,
            headers,
            body,
        } => {
            let quoted = serde_json::to_string(&echo).unwrap();
            let body = body
                .replace("{ECHO_JSON}", &quoted[1..quoted.len() - 1])
                .replace("{ECHO}", &echo);
            let one_line = echo.replace(['\r', '\n'], " ");
            let headers = headers.replace("{ECHO}", &one_line);
            let resp = format!(
                "HTTP/1.1 {status} Whatever\r\ncontent-type: {content_type}\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            write(&mut conn, &rec, resp.as_bytes()).await?;
            conn.shutdown().await?;
        }
        Behaviour::BigBody { len } => {
            let head = json_head(&format!("content-length: {len}\r\n"));
            write(&mut conn, &rec, head.as_bytes()).await?;
            let block = vec![b' '; 64 * 1024];
            let mut left = len;
            while left > 0 {
                let n = left.min(block.len() as u64) as usize;
                write(&mut conn, &rec, &block[..n]).await?;
                left -= n as u64;
            }
        }
        Behaviour::EndlessChunked => {
            let head = json_head("transfer-encoding: chunked\r\n");
            write(&mut conn, &rec, head.as_bytes()).await?;
            let mut chunk = b"10000\r\n".to_vec();
            chunk.extend(std::iter::repeat_n(b' ', 0x10000));
            chunk.extend_from_slice(b"\r\n");
            loop {
                write(&mut conn, &rec, &chunk).await?;
            }
        }
        Behaviour::EndlessHeaders => {
            write(&mut conn, &rec, b"HTTP/1.1 200 OK\r\n").await?;
            let line = format!("x-filler: {}\r\n", "a".repeat(1000));
            loop {
                write(&mut conn, &rec, line.as_bytes()).await?;
            }
        }
        Behaviour::Proxy { upstream } => {
            let mut up = TcpStream::connect(upstream).await?;
            let forwarded = request.replacen("\r\n", "\r\nconnection: close\r\n", 1);
            up.write_all(forwarded.as_bytes()).await?;
            let mut answer = Vec::new();
            up.read_to_end(&mut answer).await?;
            rec.answers
                .lock()
                .unwrap()
                .push(String::from_utf8_lossy(&answer).into_owned());
            write(&mut conn, &rec, &answer).await?;
            conn.shutdown().await?;
        }
    }
    Ok(())
}

// Shared by the fault tests: run verify against a server and judge it.

/// Watchdog for one run: far above every configured bound below.
pub const LIMIT: Duration = Duration::from_secs(60);

/// `verify --format json` at `url` with the fixture credentials, fast
/// retries and a 1.5 s timeout, plus `extra`.
pub fn verify_at(url: &str, extra: &[&str]) -> (i32, serde_json::Value, crate::support::Bounded) {
    let ws = crate::support::fixture("workspace.json");
    let key = crate::support::fixture("private.key");
    let mut args = vec![
        "verify",
        "--format",
        "json",
        "--config",
        ws.to_str().unwrap(),
        "--private-key",
        key.to_str().unwrap(),
        "--ims-url",
        url,
    ];
    for (flag, value) in [
        ("--retries", "1"),
        ("--backoff-ms", "10"),
        ("--timeout-ms", "1500"),
    ] {
        if !extra.contains(&flag) {
            args.extend([flag, value]);
        }
    }
    args.extend(extra);
    let b = crate::support::run_bounded(&args, &[], LIMIT);
    let code = b.output.status.code().unwrap_or(-1);
    let json = serde_json::from_slice(&b.output.stdout).unwrap_or(serde_json::Value::Null);
    (code, json, b)
}

/// Both flows indeterminate, verdict indeterminate, exit 1, each reason
/// containing `needle`.
pub fn assert_indeterminate(
    code: i32,
    j: &serde_json::Value,
    b: &crate::support::Bounded,
    needle: &str,
) {
    let all = format!("{j:#}\n{}", crate::support::text(&b.output));
    assert_eq!(code, 1, "{all}");
    assert_eq!(j["verdict"]["kind"], "indeterminate", "{all}");
    for flow in ["jwt", "oauth"] {
        assert_eq!(j[flow]["status"], "indeterminate", "{flow}: {all}");
        let reason = j[flow]["reason"].as_str().unwrap_or("");
        eprintln!("{flow}: {reason} [{:?}]", b.elapsed);
        assert!(
            reason.contains(needle),
            "{flow} reason {reason:?} lacks {needle:?}"
        );
    }
}

pub fn answer(status: u16, content_type: &'static str, body: &str) -> Behaviour {
    Behaviour::Answer {
        status,
        content_type,
        headers: String::new(),
        body: body.to_string(),
    }
}
