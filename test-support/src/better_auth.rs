//! The real Better Auth on loopback: `tests/fixtures/better-auth/session-server.mjs`
//! (in-memory database, bearer plugin, no telemetry) configured by `BA_*`
//! variables, speaking one JSON line on its stdout.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

use serde_json::Value;

/// The `better-auth` version the fixture's lockfile pins; every
/// [`BetterAuth::start`] checks that this is the one running.
pub const PINNED_VERSION: &str = "1.7.25";

/// `tests/fixtures/better-auth` at the workspace root: the package's
/// lockfile, `session-server.mjs` and `mint.mjs`.
pub fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("test-support/ is in the workspace root")
        .join("tests/fixtures/better-auth")
}

/// Installs the pinned package (`npm ci`) once per test run, unless
/// `node_modules` already holds it.
///
/// # Panics
///
/// When npm cannot be run or `npm ci` fails.
pub fn install() {
    static INSTALLED: Mutex<bool> = Mutex::new(false);
    let mut installed = INSTALLED.lock().unwrap_or_else(|e| e.into_inner());
    if *installed || fixture_dir().join("node_modules/better-auth").is_dir() {
        *installed = true;
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(fixture_dir())
        .status()
        .unwrap_or_else(|e| panic!("cannot run npm ({e}): install Node.js 20+ and npm"));
    assert!(
        status.success(),
        "npm ci failed in tests/fixtures/better-auth"
    );
    *installed = true;
}

/// A running Better Auth server and what its sign-up handed out. Dropping
/// it kills the server.
pub struct BetterAuth {
    child: Child,
    /// The line `session-server.mjs` printed: `port`, `version`, `userId`,
    /// `cookieHeader` (the session cookie and the cookie cache, as a browser
    /// sends them back), `tokenCookie`, `dataCookies` (the cache's
    /// `name=value` pairs), `bearer` (the bearer plugin's `set-auth-token`)
    /// and `setCookies`.
    pub minted: Value,
}

impl BetterAuth {
    /// Starts `session-server.mjs` with `env` (`BA_SECRET` or `BA_SECRETS`,
    /// `BA_COOKIE_CACHE`, `BA_COOKIE_PREFIX`... listed at the top of the
    /// script) and reads its one line, once it has signed its user up.
    ///
    /// # Panics
    ///
    /// When node cannot be run, the script prints no JSON, or the version
    /// running is not [`PINNED_VERSION`].
    pub fn start(env: &[(&str, &str)]) -> Self {
        install();
        let mut command = Command::new("node");
        command
            .arg("session-server.mjs")
            .current_dir(fixture_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run node ({e}): install Node.js 20+"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut line)
            .expect("session-server.mjs prints a line");
        // Built before the version check, so that a failed check kills node.
        let server = Self {
            child,
            minted: serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("session-server.mjs printed {line:?}: {e}")),
        };
        assert_eq!(
            server.minted["version"], PINNED_VERSION,
            "the pinned better-auth"
        );
        server
    }

    /// `http://127.0.0.1:<port>`: its base URL, as `BETTER_AUTH_SESSION_URL`
    /// names it.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.minted["port"])
    }

    /// A text field of the printed line (`userId`, `bearer`...).
    ///
    /// # Panics
    ///
    /// When the line has no such text.
    pub fn text(&self, name: &str) -> String {
        self.minted[name]
            .as_str()
            .unwrap_or_else(|| panic!("session-server.mjs printed no {name}"))
            .to_owned()
    }

    /// The token cookie and the cookie cache, as the browser sends them back.
    pub fn browser_cookies(&self) -> String {
        self.text("cookieHeader")
    }

    /// The signed session token cookie alone (`name=value`).
    pub fn token_cookie(&self) -> String {
        self.text("tokenCookie")
    }

    /// The cookie cache's value (`session_data`, one chunk).
    ///
    /// # Panics
    ///
    /// When the server was started without `BA_COOKIE_CACHE`.
    pub fn cache_value(&self) -> String {
        let data = self.minted["dataCookies"][0]
            .as_str()
            .expect("a session_data cookie: start with BA_COOKIE_CACHE");
        data.split_once('=').expect("name=value").1.to_owned()
    }

    /// Signs the session out through Better Auth's own endpoint, as the
    /// front end's `authClient.signOut()` does: its row is deleted.
    ///
    /// # Panics
    ///
    /// When Better Auth does not answer 200.
    pub fn sign_out(&self) {
        let response = ureq::post(format!("{}/api/auth/sign-out", self.url()))
            .header("cookie", self.browser_cookies())
            .header("origin", self.url())
            .send_empty()
            .unwrap_or_else(|e| panic!("sign-out: {e}"));
        assert_eq!(response.status(), 200, "sign-out");
    }

    /// How many `get-session` requests the server has received.
    pub fn get_session_count(&self) -> u64 {
        let mut response = ureq::get(format!("{}/test/get-session-count", self.url()))
            .call()
            .unwrap_or_else(|e| panic!("get-session-count: {e}"));
        let body = response.body_mut().read_to_string().unwrap();
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("get-session-count {body:?}: {e}"))
    }
}

impl Drop for BetterAuth {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
