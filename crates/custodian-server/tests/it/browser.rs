//! Headless Chromium via Debian's chromedriver for end-to-end tests.
//!
//! Declared in the test binary's `tests/it/main.rs` as `mod browser;`, and
//! used from a `#[tokio::test]` that has started the server on port 0:
//!
//! ```ignore
//! let Some(browser) = browser::start().await else { return }; // skipped outside CI
//! browser.client.goto(&format!("http://127.0.0.1:{port}/")).await?;
//! let heading = browser.client.find(fantoccini::Locator::Css("h1")).await?.text().await?;
//! browser.close().await;
//! ```
//!
//! Each call starts its own chromedriver and Chromium with a fresh profile,
//! so tests may run in parallel. Besides std it uses only tokio, fantoccini,
//! serde_json and rustls (to choose rustls's crypto provider).
//!
//! Outside CI a machine without Chromium skips browser tests (`start` returns
//! `None` and says so on stderr); in CI (`CI=true`) a missing browser fails
//! the test, so a green run always means the browser tests ran.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const DEFAULT_CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";

/// How long chromedriver may take to answer on its port.
const DRIVER_READY_TIMEOUT: Duration = Duration::from_secs(20);
/// How many times to start chromedriver when it exits at once, as it does when
/// another process takes the port between our probe and its bind.
const DRIVER_START_ATTEMPTS: u32 = 3;

/// A headless Chromium session driven through chromedriver.
///
/// Call [`Browser::close`] at the end of a test. If a test panics first,
/// `Drop` asks chromedriver to shut down (which quits Chromium), kills it if
/// it does not, and removes the temporary profile.
pub struct Browser {
    /// The `WebDriver` session; use it to navigate, find elements and click.
    pub client: fantoccini::Client,
    driver: Child,
    driver_port: u16,
    _scratch: ScratchDir,
}

/// Starts a headless Chromium, or returns `None` when Chromium or chromedriver
/// is not installed and `CI` is not `"true"`.
///
/// The programs are `/usr/bin/chromedriver` and `/usr/bin/chromium` (Debian's
/// `chromium-driver` and `chromium` packages) unless `CUSTODIAN_CHROMEDRIVER`
/// or `CUSTODIAN_CHROMIUM` names others.
///
/// # Panics
///
/// When the programs are missing in CI, and whenever they are present but
/// fail to start: a broken browser must fail the test, not skip it.
pub async fn start() -> Option<Browser> {
    let chromedriver = program("CUSTODIAN_CHROMEDRIVER", DEFAULT_CHROMEDRIVER);
    let chromium = program("CUSTODIAN_CHROMIUM", DEFAULT_CHROMIUM);
    let (chromedriver, chromium) = match (chromedriver, chromium) {
        (Ok(driver), Ok(browser)) => (driver, browser),
        (driver, browser) => {
            let missing: Vec<String> = [driver.err(), browser.err()].into_iter().flatten().collect();
            let missing = missing.join("; ");
            let in_ci = std::env::var("CI").is_ok_and(|ci| ci == "true");
            assert!(
                !in_ci,
                "browser tests need Chromium and chromedriver in CI: {missing}. \
                 Install them with `apt-get install chromium chromium-driver` (.ci/run does this)."
            );
            eprintln!("skipping browser test: {missing}");
            return None;
        }
    };
    match launch(&chromedriver, &chromium).await {
        Ok(browser) => Some(browser),
        Err(error) => panic!("could not start headless Chromium: {error}"),
    }
}

impl Browser {
    /// Ends the `WebDriver` session (Chromium quits) and stops chromedriver.
    pub async fn close(self) {
        if let Err(error) = self.client.clone().close().await {
            eprintln!("closing the WebDriver session failed: {error}");
        }
        // Drop stops chromedriver and removes the profile.
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        stop_driver(&mut self.driver, self.driver_port);
    }
}

/// The program named by `env_var`, else `default`, if it is a file.
fn program(env_var: &str, default: &str) -> Result<PathBuf, String> {
    let (path, source) = match std::env::var_os(env_var) {
        Some(path) if !path.is_empty() => (PathBuf::from(path), format!(" (from {env_var})")),
        _ => (PathBuf::from(default), String::new()),
    };
    if path.is_file() { Ok(path) } else { Err(format!("{} not found{source}", path.display())) }
}

async fn launch(chromedriver: &Path, chromium: &Path) -> Result<Browser, String> {
    let scratch = ScratchDir::create()?;
    let profile = scratch.path().join("profile");
    std::fs::create_dir(&profile).map_err(|e| format!("cannot create {}: {e}", profile.display()))?;
    let log = scratch.path().join("chromedriver.log");

    let (mut driver, port) = start_driver(chromedriver, &log).await?;

    let connected = connect(port, chromium, &profile).await;
    match connected {
        Ok(client) => Ok(Browser { client, driver, driver_port: port, _scratch: scratch }),
        Err(error) => {
            stop_driver(&mut driver, port);
            Err(format!("{error}\n{}", log_tail(&log)))
        }
    }
}

/// Starts chromedriver on a free loopback port and waits until it is ready.
async fn start_driver(chromedriver: &Path, log: &Path) -> Result<(Child, u16), String> {
    let mut last_error = String::new();
    for _ in 0..DRIVER_START_ATTEMPTS {
        let port = free_port()?;
        let mut driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", chromedriver.display()))?;
        match wait_until_ready(&mut driver, port).await {
            Ok(()) => return Ok((driver, port)),
            Err(Exited(error)) => last_error = format!("{error}\n{}", log_tail(log)),
            Err(NotReady(error)) => {
                let _ = driver.kill();
                let _ = driver.wait();
                return Err(format!("{error}\n{}", log_tail(log)));
            }
        }
    }
    Err(last_error)
}

/// A port that was free a moment ago: bind port 0 and let it go.
fn free_port() -> Result<u16, String> {
    let listener =
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| format!("cannot bind a loopback port: {e}"))?;
    listener.local_addr().map(|addr| addr.port()).map_err(|e| e.to_string())
}

/// Why chromedriver did not become ready.
enum StartError {
    /// It exited, most likely because another process took the port first.
    Exited(String),
    /// It kept running but did not report ready in time.
    NotReady(String),
}
use StartError::{Exited, NotReady};

/// Polls chromedriver's `/status` until it reports ready, it exits, or
/// [`DRIVER_READY_TIMEOUT`] passes.
async fn wait_until_ready(driver: &mut Child, port: u16) -> Result<(), StartError> {
    let deadline = Instant::now() + DRIVER_READY_TIMEOUT;
    loop {
        if let Ok(Some(status)) = driver.try_wait() {
            return Err(Exited(format!("chromedriver exited at start-up ({status})")));
        }
        if let Some(body) = http_get(port, "/status")
            && serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|status| status.pointer("/value/ready").and_then(serde_json::Value::as_bool))
                == Some(true)
        {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(NotReady(format!(
                "chromedriver did not report ready on port {port} within {DRIVER_READY_TIMEOUT:?}"
            )));
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn connect(port: u16, chromium: &Path, profile: &Path) -> Result<fantoccini::Client, String> {
    let args = [
        "--headless=new".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--disable-sync".to_owned(),
        "--no-first-run".to_owned(),
        "--disable-quic".to_owned(),
        // A desktop-sized window, so layouts match GOV.UK Frontend's desktop
        // breakpoint whatever the machine's default.
        "--window-size=1280,1024".to_owned(),
        format!("--user-data-dir={}", profile.display()),
    ];
    // The workspace enables both of rustls's crypto providers (ring through
    // reqwest, aws-lc-rs through fantoccini's hyper-rustls), so rustls cannot
    // choose one by itself and fantoccini's builder would panic. Pick ring
    // for the whole process; Err means one is installed already, which is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_owned(),
        serde_json::json!({ "args": args, "binary": chromium.display().to_string() }),
    );
    fantoccini::ClientBuilder::rustls()
        .map_err(|e| format!("cannot set up the WebDriver client (is ca-certificates installed?): {e}"))?
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .map_err(|e| format!("chromedriver could not start {}: {e}", chromium.display()))
}

/// Asks chromedriver to shut down, which also quits the browsers it started,
/// then makes sure it is gone.
fn stop_driver(driver: &mut Child, port: u16) {
    if let Ok(Some(_)) = driver.try_wait() {
        return;
    }
    let _ = http_get(port, "/shutdown");
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = driver.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = driver.kill();
    let _ = driver.wait();
}

/// A blocking HTTP/1.1 GET to chromedriver on loopback; the body, if any.
/// chromedriver refuses HTTP/1.0 and keeps connections open, so the body is
/// read by its Content-Length. Blocking is fine: chromedriver answers at once.
fn http_get(port: u16, path: &str) -> Option<String> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(200)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    stream.set_write_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").ok()?;
    let mut response = Vec::new();
    let mut chunk = [0_u8; 4096];
    loop {
        if let Some(head_end) = response.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&response[..head_end]);
            let length = head
                .lines()
                .filter_map(|line| line.split_once(':'))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
                .and_then(|(_, value)| value.trim().parse::<usize>().ok())
                .unwrap_or(0);
            let body = response.get(head_end + 4..)?;
            if body.len() >= length {
                return Some(String::from_utf8_lossy(&body[..length]).into_owned());
            }
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => response.extend_from_slice(&chunk[..n]),
        }
    }
}

/// The last lines of chromedriver's log, to explain a failure.
fn log_tail(log: &Path) -> String {
    match std::fs::read_to_string(log) {
        Ok(text) => {
            let lines: Vec<&str> = text.lines().collect();
            let tail = lines[lines.len().saturating_sub(20)..].join("\n");
            format!("chromedriver log ({}), last lines:\n{tail}", log.display())
        }
        Err(_) => format!("no chromedriver log at {}", log.display()),
    }
}

/// A fresh directory under the system temporary directory, removed on drop.
/// Holds the Chromium profile and chromedriver's log.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn create() -> Result<Self, String> {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let name =
            format!("custodian-browser-{}-{nanos}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
        let path = std::env::temp_dir().join(name);
        // create_dir, not create_dir_all: never reuse someone else's directory.
        std::fs::create_dir(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        Ok(Self(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The text of the element `loc` finds once `ready` holds for it, retrying through page loads for
/// up to ten seconds. After a click that loads a new page, an element the old page also has is
/// found at once and then goes stale; waiting for the expected text waits for the new page.
pub async fn text_when(c: &fantoccini::Client, loc: fantoccini::Locator<'_>, ready: impl Fn(&str) -> bool) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(e) = c.find(loc).await
            && let Ok(t) = e.text().await
        {
            if ready(&t) {
                return t;
            }
            last = t;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{loc:?} never became ready; last text: {last}");
}
