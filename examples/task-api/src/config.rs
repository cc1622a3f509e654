//! The servers' configuration, from the environment (and `.env`).

use jwtguard::{ConfigError, Verifier};

/// Where the server listens, what it stores into, whom it trusts.
pub struct Config {
    pub verifier: Verifier,
    pub database_url: String,
    pub host: String,
    pub port: u16,
    pub cors_origins: Vec<String>,
}

const DEFAULT_DATABASE_URL: &str = "sqlite:tasks.db";
const DEFAULT_ISSUER: &str = "nextjs-frontend";
const DEFAULT_AUDIENCE: &str = "fastapi-backend";

impl Config {
    /// Reads the configuration. The error is one line saying what to set.
    pub fn from_env() -> Result<Self, String> {
        // A missing .env file is fine; a broken one is worth saying.
        if let Err(error) = dotenvy::dotenv()
            && !error.not_found()
        {
            return Err(format!("could not read .env: {error}"));
        }
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        // The seed's issuer and audience are the defaults for its HS256
        // tokens; Better Auth's JWT plugin sets its own (its base URL).
        let plugin =
            var(jwtguard::env::JWKS_URL).is_some() || var(jwtguard::env::BASE_URL).is_some();
        let verifier = Verifier::from_env_with(|name| {
            var(name).or_else(|| match name {
                jwtguard::env::ISSUER if !plugin => Some(DEFAULT_ISSUER.to_owned()),
                jwtguard::env::AUDIENCE if !plugin => Some(DEFAULT_AUDIENCE.to_owned()),
                _ => None,
            })
        })
        .map_err(|error: ConfigError| format!("configuration error: {error}"))?;
        let port = match var("PORT") {
            None => 8000,
            Some(port) => port.trim().parse().map_err(|_| {
                "configuration error: PORT must be a port number, such as 8000".to_owned()
            })?,
        };
        let cors_origins = var("CORS_ORIGINS")
            .unwrap_or_else(|| "http://localhost:3000".to_owned())
            .split(',')
            .map(|origin| origin.trim().to_owned())
            .filter(|origin| !origin.is_empty())
            .collect();
        Ok(Self {
            verifier,
            database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            host: var("HOST").unwrap_or_else(|| "127.0.0.1".to_owned()),
            port,
            cors_origins,
        })
    }
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
