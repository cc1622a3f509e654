//! The real Better Auth on loopback: `tests/fixtures/better-auth/session-server.mjs`
//! (in-memory database, bearer plugin, no telemetry) or `oauth-server.mjs`
//! (the `@better-auth/oauth-provider` authorization server), configured by
//! environment variables, speaking one JSON line on its stdout.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

use serde_json::Value;

/// The `better-auth` version the fixture's lockfile pins; every
/// [`BetterAuth::start`] checks that this is the one running.
pub const PINNED_VERSION: &str = "1.7.25";

/// `tests/fixtures/better-auth` at the workspace root: the package's
/// lockfile, `session-server.mjs`, `oauth-server.mjs` and `mint.mjs`.
pub fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("test-support/ is in the workspace root")
        .join("tests/fixtures/better-auth")
}

/// Installs the pinned packages (`npm ci`) once per test run, unless
/// `node_modules` already holds them: `better-auth`,
/// `@better-auth/oauth-provider`, `@better-auth/redis-storage`,
/// `@better-auth/api-key` and `ioredis`
/// (a `node_modules` installed before one of them was added to the
/// lockfile is installed again).
///
/// # Panics
///
/// When npm cannot be run or `npm ci` fails.
pub fn install() {
    static INSTALLED: Mutex<bool> = Mutex::new(false);
    let mut installed = INSTALLED.lock().unwrap_or_else(|e| e.into_inner());
    let modules = fixture_dir().join("node_modules");
    let present = [
        "better-auth",
        "@better-auth/oauth-provider",
        "@better-auth/redis-storage",
        "@better-auth/api-key",
        "ioredis",
    ]
    .iter()
    .all(|package| modules.join(package).is_dir());
    if *installed || present {
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
/// it kills the server (so does the end of the test process: the script
/// exits when its stdin closes).
pub struct BetterAuth {
    child: Child,
    /// The script that runs, as errors name it.
    script: String,
    /// The line the script printed. `session-server.mjs`: `port`, `version`,
    /// `userId`, `email`, `cookieHeader` (the session cookie and the cookie cache, as
    /// a browser sends them back), `tokenCookie`, `dataCookies` (the cache's
    /// `name=value` pairs), `bearer` (the bearer plugin's `set-auth-token`)
    /// and `setCookies`. `oauth-server.mjs`: `port`, `version`,
    /// `providerVersion`, `baseURL`, `issuer`, `jwksUrl`, `metadataUrl`,
    /// `clientId`, `clientSecret`, `userId`, `sessionId`, `cookieHeader`...
    /// (listed at the top of the script).
    pub minted: Value,
}

impl BetterAuth {
    /// Starts `session-server.mjs` with `env` (`BA_SECRET` or `BA_SECRETS`,
    /// `BA_COOKIE_CACHE`, `BA_COOKIE_PREFIX`... listed at the top of the
    /// script) and reads its one line, once it has signed its user up:
    /// [`start_script`](Self::start_script) of that script.
    ///
    /// # Panics
    ///
    /// When node cannot be run, the script prints no JSON, or the version
    /// running is not [`PINNED_VERSION`].
    pub fn start(env: &[(&str, &str)]) -> Self {
        Self::start_script("session-server.mjs", env)
    }

    /// Starts `script`, a file of [`fixture_dir`] (`session-server.mjs`,
    /// `oauth-server.mjs`), with the variables `env` added to the
    /// environment, and reads the one JSON line it prints once it is ready.
    /// The script must print `version` (the running `better-auth`'s) and
    /// `port`, and serve until its stdin closes.
    ///
    /// ```no_run
    /// let server = jwtguard_test_support::BetterAuth::start_script(
    ///     "oauth-server.mjs",
    ///     &[("BA_SECRET", "better-auth-secret-0123456789abcdefghij"),
    ///       ("OAUTH_RESOURCE", "http://127.0.0.1:4567/")],
    /// );
    /// println!("issuer {}", server.text("issuer"));
    /// ```
    ///
    /// # Panics
    ///
    /// When node cannot be run, the script prints no JSON, or the version
    /// running is not [`PINNED_VERSION`].
    pub fn start_script(script: &str, env: &[(&str, &str)]) -> Self {
        install();
        let mut command = Command::new("node");
        command
            .arg(script)
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
            .unwrap_or_else(|e| panic!("{script} prints a line: {e}"));
        // Built before the checks, so that a failed one kills node.
        let mut server = Self {
            child,
            script: script.to_owned(),
            minted: Value::Null,
        };
        server.minted = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("{script} printed {line:?}: {e}"));
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
            .unwrap_or_else(|| panic!("{} printed no {name}", self.script))
            .to_owned()
    }

    /// POSTs `body` as JSON to `path` of the server (one of the script's
    /// `/test/*` routes, such as `oauth-server.mjs`'s
    /// `/test/client-credentials`) and returns the JSON it answers.
    ///
    /// ```no_run
    /// # let server = jwtguard_test_support::BetterAuth::start_script("oauth-server.mjs", &[]);
    /// let tokens = server.post_json("/test/client-credentials", &serde_json::json!({}));
    /// println!("{}", tokens["access_token"]);
    /// ```
    ///
    /// # Panics
    ///
    /// When the server cannot be reached, or answers anything but 200 (a
    /// route whose flow failed answers 502 with the failing endpoint's
    /// status and body: the panic shows it), or not JSON.
    pub fn post_json(&self, path: &str, body: &Value) -> Value {
        let url = format!("{}{path}", self.url());
        let mut response = ureq::post(&url)
            .config()
            .http_status_as_error(false)
            .build()
            .header("content-type", "application/json")
            .send(body.to_string())
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        let status = response.status();
        let text = (response.body_mut().read_to_string())
            .unwrap_or_else(|e| panic!("POST {path}: {status}, unreadable body: {e}"));
        assert_eq!(status, 200, "POST {path} {body}: {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("POST {path} answered {text:?}: {e}"))
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

    /// Signs the signed-up user in again (email and password), as a second
    /// browser would, and returns the new session's token cookie
    /// (`name=value`).
    ///
    /// # Panics
    ///
    /// When Better Auth does not answer 200 with a session cookie.
    pub fn sign_in(&self) -> String {
        let (status, set_cookies, body) = self.post_auth(
            "/sign-in/email",
            None,
            &serde_json::json!({
                "email": self.text("email"),
                "password": "correct-horse-battery-staple",
            }),
        );
        assert_eq!(status, 200, "sign-in: {body}");
        let name = self
            .token_cookie()
            .split_once('=')
            .map(|(name, _)| name.to_owned())
            .expect("name=value");
        set_cookies
            .iter()
            .map(|cookie| cookie.split(';').next().unwrap_or_default())
            .find(|pair| pair.starts_with(&format!("{name}=")))
            .unwrap_or_else(|| panic!("sign-in set no {name}: {set_cookies:?}"))
            .to_owned()
    }

    /// Signs out the session of the token cookie `cookie` (`name=value`),
    /// through Better Auth's `sign-out`.
    ///
    /// # Panics
    ///
    /// When Better Auth does not answer 200.
    pub fn sign_out_cookie(&self, cookie: &str) {
        let (status, _, body) = self.post_auth("/sign-out", Some(cookie), &serde_json::json!({}));
        assert_eq!(status, 200, "sign-out: {body}");
    }

    /// Revokes every session of the user, through Better Auth's
    /// `revoke-sessions` as the session of `cookie` (`name=value`).
    ///
    /// # Panics
    ///
    /// When Better Auth does not answer 200.
    pub fn revoke_sessions(&self, cookie: &str) {
        let (status, _, body) =
            self.post_auth("/revoke-sessions", Some(cookie), &serde_json::json!({}));
        assert_eq!(status, 200, "revoke-sessions: {body}");
    }

    /// POSTs `body` to Better Auth's `/api/auth{path}`, from the app's own
    /// origin, with the cookie `cookie` if any: its status, `Set-Cookie`
    /// headers and body.
    ///
    /// # Panics
    ///
    /// When the server cannot be reached.
    pub fn post_auth(
        &self,
        path: &str,
        cookie: Option<&str>,
        body: &Value,
    ) -> (u16, Vec<String>, String) {
        let mut request = ureq::post(format!("{}/api/auth{path}", self.url()))
            .config()
            .http_status_as_error(false)
            .build()
            .header("origin", self.url())
            .header("content-type", "application/json");
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        let mut response = request
            .send(body.to_string())
            .unwrap_or_else(|e| panic!("POST /api/auth{path}: {e}"));
        let set_cookies = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|value| value.to_str().ok().map(str::to_owned))
            .collect();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        (response.status().as_u16(), set_cookies, text)
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
