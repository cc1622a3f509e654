//! The servers' configuration, from the environment (and `.env`).

use std::str::FromStr;
use std::time::Duration;

use jwtguard::{ConfigError, SqlSessionStore, Verifier, VerifierBuilder};
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

/// Where the server listens, what it stores into, whom it trusts.
pub struct Config {
    pub verifier: Verifier,
    /// What the verifier accepts, in words for the startup log (no secret).
    pub credentials: Vec<String>,
    pub database_url: String,
    pub host: String,
    pub port: u16,
    pub cors_origins: Vec<String>,
}

const DEFAULT_DATABASE_URL: &str = "sqlite:tasks.db";
const DEFAULT_ISSUER: &str = "nextjs-frontend";
const DEFAULT_AUDIENCE: &str = "fastapi-backend";

/// Better Auth's own database (`postgres://...` or `sqlite:...`): session
/// tokens are resolved there, by jwtguard's `SqlSessionStore`.
pub const SESSION_DATABASE_URL: &str = "BETTER_AUTH_DATABASE_URL";

/// How long a session store's answer is reused, in whole seconds (default
/// 30; 0 asks the store on every request).
pub const SESSION_CACHE_TTL: &str = "SESSION_CACHE_TTL_SECONDS";

/// Connections to Better Auth's database: one indexed query per cache miss
/// needs few.
const SESSION_POOL_SIZE: u32 = 4;

/// How long a session lookup waits for one of those connections.
const SESSION_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

impl Config {
    /// Reads the configuration, connecting to Better Auth's database when
    /// `BETTER_AUTH_DATABASE_URL` is set. The error is one line saying what
    /// to set.
    pub async fn from_env() -> Result<Self, String> {
        // A missing .env file is fine; a broken one is worth saying.
        if let Err(error) = dotenvy::dotenv()
            && !error.not_found()
        {
            return Err(format!("could not read .env: {error}"));
        }
        Self::from_env_with(|name| std::env::var(name).ok()).await
    }

    /// Like [`from_env`](Self::from_env), reading variables through
    /// `lookup` (for tests); `.env` is not read.
    pub async fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let var = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let config_error = |error: ConfigError| format!("configuration error: {error}");
        let port = match var("PORT") {
            None => 8000,
            Some(port) => port.trim().parse().map_err(|_| {
                "configuration error: PORT must be a port number, such as 8000".to_owned()
            })?,
        };
        let cors_origins: Vec<String> = var("CORS_ORIGINS")
            .unwrap_or_else(|| "http://localhost:3000".to_owned())
            .split(',')
            .map(|origin| origin.trim().to_owned())
            .filter(|origin| !origin.is_empty())
            .collect();
        // The FastAPI backend's issuer and audience are the defaults for
        // HS256 tokens; Better Auth's JWT plugin sets its own (its base URL).
        let plugin =
            var(jwtguard::env::JWKS_URL).is_some() || var(jwtguard::env::BASE_URL).is_some();
        let mut builder = VerifierBuilder::from_env_with(|name| {
            var(name).or_else(|| match name {
                jwtguard::env::ISSUER if !plugin => Some(DEFAULT_ISSUER.to_owned()),
                jwtguard::env::AUDIENCE if !plugin => Some(DEFAULT_AUDIENCE.to_owned()),
                _ => None,
            })
        })
        .map_err(config_error)?;
        let mut cache_ttl = jwtguard::limits::DEFAULT_SESSION_CACHE_TTL;
        if let Some(seconds) = var(SESSION_CACHE_TTL) {
            cache_ttl = Duration::from_secs(seconds.trim().parse().map_err(|_| {
                format!(
                    "configuration error: {SESSION_CACHE_TTL} must be a whole number of \
                     seconds, such as 30 (0: ask the store every time)"
                )
            })?);
            builder = builder.sessions(|sessions| {
                sessions.store_cache(cache_ttl, jwtguard::limits::DEFAULT_SESSION_CACHE_ENTRIES)
            });
        }
        let session_database = var(SESSION_DATABASE_URL);
        if let Some(url) = &session_database {
            if var(jwtguard::env::SESSION_URL).is_some() {
                return Err(format!(
                    "configuration error: set {} or {SESSION_DATABASE_URL}, not both \
                     (one place resolves session tokens)",
                    jwtguard::env::SESSION_URL
                ));
            }
            let store = sql_session_store(url.trim()).await?;
            builder = builder.sessions(|sessions| sessions.store(store));
        }
        // Better Auth's cookies go with every request the browser sends,
        // those other sites start too: a state-changing one must come from
        // the front end (its `Origin`). Bearer tokens are not affected.
        let session_cookies = session_database.is_some()
            || var(jwtguard::env::SESSION_URL).is_some()
            || var(jwtguard::env::REDIS_URL).is_some()
            || var(jwtguard::env::COOKIE_CACHE).is_some();
        if session_cookies {
            builder =
                builder.credential_sources(|s| s.cookie_origins(cors_origins.iter().cloned()));
        }
        // OAUTH_RESOURCE: the provider's access tokens next to the app's own
        // JWT plugin tokens (the same JWKS), which this API took before.
        // With OAUTH_CLIENT_ID, opaque tokens are introspected. Better Auth
        // issues them only when a client asks for no `resource`: they name
        // no audience (valid at any of its resource servers), and this API
        // takes them as such.
        if var(jwtguard::env::OAUTH_RESOURCE).is_some() {
            let opaque = var(jwtguard::env::OAUTH_CLIENT_ID).is_some();
            builder = builder.oauth(|oauth| {
                oauth
                    .jwt_plugin_tokens(true)
                    .opaque_tokens_without_audience(opaque)
            });
        }
        let verifier = builder.build().map_err(config_error)?;
        let credentials = accepted_credentials(&var, cache_ttl);
        Ok(Self {
            verifier,
            credentials,
            database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            host: var("HOST").unwrap_or_else(|| "127.0.0.1".to_owned()),
            port,
            cors_origins,
        })
    }
}

/// A session store on Better Auth's database at `url`, connected now so
/// that a wrong URL stops the server at startup. Read only: SQLite is
/// opened read-only; on PostgreSQL, give the server a role that can only
/// `SELECT` from `session` and `user`.
pub async fn sql_session_store(url: &str) -> Result<SqlSessionStore, String> {
    let cannot = |error: sqlx::Error| {
        format!(
            "cannot connect to {SESSION_DATABASE_URL} {}: {error}",
            redacted_url(url)
        )
    };
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        // One connection first: the pool's own connect reports a refused
        // or failed login only as a time-out.
        let options = PgConnectOptions::from_str(url).map_err(cannot)?;
        PgConnection::connect_with(&options)
            .await
            .map_err(cannot)?
            .close()
            .await
            .map_err(cannot)?;
        let pool = PgPoolOptions::new()
            .max_connections(SESSION_POOL_SIZE)
            .acquire_timeout(SESSION_ACQUIRE_TIMEOUT)
            .connect_lazy_with(options);
        Ok(SqlSessionStore::postgres(pool))
    } else if url.starts_with("sqlite:") {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(cannot)?
            .read_only(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(SESSION_POOL_SIZE)
            .acquire_timeout(SESSION_ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(cannot)?;
        Ok(SqlSessionStore::sqlite(pool))
    } else {
        Err(format!(
            "configuration error: {SESSION_DATABASE_URL} must be Better Auth's database, \
             postgres://... or sqlite:..."
        ))
    }
}

/// The credentials the verifier accepts, as `from_env_with` configured it
/// from the same variables: kinds and where sessions are resolved, with
/// URLs' passwords hidden.
fn accepted_credentials(var: &impl Fn(&str) -> Option<String>, cache_ttl: Duration) -> Vec<String> {
    use jwtguard::env;
    let mut accepted = Vec::new();
    if var(env::SECRET).is_some() || var(env::SECRETS).is_some() {
        accepted.push("HS256 JWT (shared secret)".to_owned());
    }
    if var(env::JWKS_URL).is_some() || var(env::BASE_URL).is_some() {
        accepted.push("JWT plugin token (JWKS)".to_owned());
    }
    if let Some(resource) = var(env::OAUTH_RESOURCE) {
        accepted.push(format!(
            "OAuth access token for {} (Bearer, or DPoP with its proof)",
            resource.trim()
        ));
    }
    if let Some(strategy) = var(env::COOKIE_CACHE) {
        accepted.push(format!(
            "session cookie with its {} cookie cache",
            strategy.trim().to_ascii_lowercase()
        ));
    }
    let store = match (var(env::SESSION_URL), var(SESSION_DATABASE_URL)) {
        (Some(url), _) => Some(format!("{}/api/auth/get-session", redacted_url(url.trim()))),
        (None, Some(url)) => Some(format!("the database {}", redacted_url(url.trim()))),
        // Without the query: a `redis+unix://` URL's password is in it.
        (None, None) => var(env::REDIS_URL).map(|url| {
            let url = url.trim().split(['?', '#']).next().unwrap_or_default();
            format!("Better Auth's Redis {}", redacted_url(url))
        }),
    };
    let bearer =
        var(env::BEARER).is_some_and(|v| v.trim() == "1" || v.trim().eq_ignore_ascii_case("true"));
    if let Some(store) = store {
        let reuse = match cache_ttl.as_secs() {
            0 => "no cache".to_owned(),
            seconds => format!("answers reused {seconds} s"),
        };
        accepted.push(format!("session cookie resolved by {store} ({reuse})"));
        if bearer {
            accepted.push("bearer plugin token, resolved the same way".to_owned());
        }
    }
    accepted
}

/// The database URL without its password, for logs.
pub fn redacted_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            let user = credentials.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..scheme_end], user, &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}
