//! Fetching a JWKS over HTTP (feature `jwks-fetch`): ureq with rustls (and
//! the Web PKI roots: an issuer behind a private CA needs
//! `JwksSettings::fetcher`), short timeouts, a size cap, and HTTPS
//! unless the issuer is on this machine.

use std::time::Duration;

use crate::error::config::ConfigError;
use crate::jwks::document::MAX_JWKS_LEN;
use crate::jwks::store::Fetch;

/// How long establishing a connection to the JWKS endpoint may take.
pub const JWKS_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long one whole JWKS fetch may take.
pub const JWKS_FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// A fetch function for `url`, which must be `https://`, or `http://` to a
/// loopback host (a Next.js dev server on the same machine).
pub(crate) fn http_fetch(url: &str) -> Result<Fetch, ConfigError> {
    let uri: http::Uri = url.parse().map_err(|_| ConfigError::InvalidJwksUrl)?;
    let https = match uri.scheme_str() {
        Some("https") => true,
        Some("http") if uri.host().is_some_and(crate::http::is_loopback) => false,
        _ => return Err(ConfigError::InvalidJwksUrl),
    };
    let mut config = ureq::Agent::config_builder()
        .timeout_connect(Some(JWKS_CONNECT_TIMEOUT))
        .timeout_global(Some(JWKS_FETCH_TIMEOUT))
        .user_agent(concat!("jwtguard/", env!("CARGO_PKG_VERSION")));
    config = if https {
        // Redirects may not leave HTTPS; a proxy from the environment is
        // fine, since TLS authenticates the issuer through it.
        config.https_only(true).max_redirects(3)
    } else {
        // Plain HTTP is trusted only on this machine: no redirect elsewhere,
        // and no proxy from the environment in the middle.
        config.max_redirects(0).proxy(None)
    };
    let agent: ureq::Agent = config.build().into();
    let url = url.to_owned();
    Ok(std::sync::Arc::new(move || {
        let mut response = agent
            .get(&url)
            .header("accept", "application/json, application/jwk-set+json")
            .call()?;
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_JWKS_LEN as u64)
            .read_to_string()?;
        Ok(body)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wants_https_unless_the_issuer_is_local() {
        for url in [
            "https://app.example.com/api/auth/jwks",
            "http://localhost:3000/api/auth/jwks",
            "http://127.0.0.1:3000/api/auth/jwks",
            "http://[::1]:3000/api/auth/jwks",
        ] {
            assert!(http_fetch(url).is_ok(), "{url}");
        }
        for url in [
            "http://app.example.com/api/auth/jwks",
            "ftp://localhost/jwks",
            "localhost:3000/jwks",
            "",
            "http://localhost.evil.example/jwks",
        ] {
            assert_eq!(
                http_fetch(url).err(),
                Some(ConfigError::InvalidJwksUrl),
                "{url}"
            );
        }
    }
}
