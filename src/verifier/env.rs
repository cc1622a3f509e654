//! Configuration from the environment: the variables a Better Auth
//! deployment already has.

use std::time::Duration;

use zeroize::Zeroizing;

use crate::environment::flag;
use crate::environment::vars as env;
use crate::error::config::ConfigError;
use crate::keys::hmac::MIN_SECRET_LEN;
use crate::session::secrets::parse_secrets;
use crate::session::settings::SessionSettings;
use crate::verifier::Verifier;
use crate::verifier::builder::VerifierBuilder;

impl Verifier {
    /// Builds a verifier from the process environment:
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `BETTER_AUTH_SECRET` | required (unless one of the next or a JWKS variable is set); the shared secret, at least 32 bytes: HS256 tokens and session credentials |
    /// | `BETTER_AUTH_SECRETS` | optional; Better Auth's rotation format `2:new,1:old`, the current first: every entry is an HS256 secret, the first signs session credentials, all decrypt a `jwe` cache (a different `BETTER_AUTH_SECRET` too, as Better Auth's legacy secret) |
    /// | `BETTER_AUTH_SECRET_PREVIOUS` | optional, without `BETTER_AUTH_SECRETS`; a second active secret for rotation |
    /// | `JWT_ISSUER` | optional; checked when a token has `iss` |
    /// | `JWT_AUDIENCE` | optional; checked when a token has `aud` |
    /// | `JWT_LEEWAY_SECONDS` | optional; default 0 |
    /// | `BETTER_AUTH_JWKS_URL` | feature `jwks-fetch`: accept the JWT plugin's tokens, keys from this JWKS; with `BETTER_AUTH_URL` or `JWT_AUDIENCE`, since the tokens' audience is checked (Better Auth's OAuth provider signs ID tokens for other clients with the same keys) |
    /// | `BETTER_AUTH_URL` | feature `jwks-fetch`: the same with `{url}/api/auth/jwks`; the plugin's tokens must carry the URL as `iss` and `aud` (as Better Auth's own `verifyJWT` requires), and HS256 tokens may carry it next to `JWT_ISSUER`/`JWT_AUDIENCE` |
    /// | `JWKS_BACKGROUND_START` | feature `jwks-fetch`, optional: `1`/`true` fetches that JWKS in the background (`JwksSettings::background_start`); `0`/`false` (the default) fetches it here |
    /// | `BETTER_AUTH_COOKIE_CACHE` | optional: accept Better Auth's session cookie with its cookie cache of this strategy, `compact`, `jwt` or `jwe` (feature `session-jwe`) |
    /// | `BETTER_AUTH_SESSION_URL` | feature `session-http`, optional: accept Better Auth's session cookie, resolved by `{url}/api/auth/get-session` |
    /// | `BETTER_AUTH_BEARER` | optional, `true`/`false`: with one of the two above, also accept the bearer plugin's signed session tokens |
    /// | `BETTER_AUTH_COOKIE_PREFIX` | optional: Better Auth's `advanced.cookiePrefix` (default `better-auth`), for the cookies read and the one `get-session` is asked with |
    /// | `BETTER_AUTH_SECURE_COOKIES` | optional: `true` reads only the `__Secure-` cookie names, `false` only the plain ones; unset, only the `__Secure-` ones when `BETTER_AUTH_SESSION_URL` or `BETTER_AUTH_URL` is `https://` (as Better Auth decides from its `baseURL`), else either, the `__Secure-` one winning |
    /// | `BETTER_AUTH_ALLOW_SHORT_SECRET` | optional, `true`/`false`: accept a session secret under 32 bytes (never an empty one or Better Auth's public default), for an app that cannot rotate yet; such a secret is not used for HS256 |
    ///
    /// Session credentials are accepted only when `BETTER_AUTH_COOKIE_CACHE`
    /// or `BETTER_AUTH_SESSION_URL` is set (a database store is added with
    /// [`SessionSettings::store`](crate::SessionSettings::store)).
    ///
    /// With either JWKS variable the secret is optional; with both a secret
    /// and a JWKS, either kind of token is accepted (a migration). The JWKS
    /// is fetched here, so this blocks for up to 10 seconds and fails when
    /// the Better Auth app does not answer (call it before serving, or from
    /// `spawn_blocking`), unless `JWKS_BACKGROUND_START` is set: then this
    /// returns at once and [`is_ready`](Self::is_ready) says when the keys
    /// are in. Empty variables count as unset. Fails with a [`ConfigError`] naming the
    /// variable and what to do; never panics.
    ///
    /// ```
    /// match jwtguard::Verifier::from_env() {
    ///     Ok(verifier) => println!("ready: {verifier:?}"),
    ///     // e.g. "BETTER_AUTH_SECRET is not set: set it to the same value as ..."
    ///     Err(err) => eprintln!("{err}"),
    /// }
    /// ```
    pub fn from_env() -> Result<Self, ConfigError> {
        VerifierBuilder::from_env()?.build()
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`
    /// (for tests, or configuration that is not in the process environment).
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::from_env_with(|name| match name {
    ///     "BETTER_AUTH_SECRET" => Some("a-shared-secret-of-at-least-32-bytes!".into()),
    ///     _ => None,
    /// })?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        VerifierBuilder::from_env_with(lookup)?.build()
    }
}

impl VerifierBuilder {
    /// A builder holding the settings [`Verifier::from_env`] reads, to
    /// customise before [`build`](Self::build): variables that are set
    /// come first, and later calls add to them or override them.
    ///
    /// ```
    /// fn verifier() -> Result<jwtguard::Verifier, jwtguard::ConfigError> {
    ///     jwtguard::VerifierBuilder::from_env()?
    ///         .credential_sources(|s| s.token_cookie("auth_token"))
    ///         .build()
    /// }
    /// ```
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`.
    ///
    /// ```
    /// let builder = jwtguard::VerifierBuilder::from_env_with(|name| match name {
    ///     "BETTER_AUTH_SECRET" => Some("a-shared-secret-of-at-least-32-bytes!".into()),
    ///     _ => None,
    /// })?;
    /// let verifier = builder.claim_rules(|rules| rules.leeway(std::time::Duration::from_secs(5))).build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        builder_from_env(|name: &str| lookup(name).filter(|value| !value.trim().is_empty()))
    }
}

fn builder_from_env(read: impl Fn(&str) -> Option<String>) -> Result<VerifierBuilder, ConfigError> {
    let mut builder = Verifier::builder();
    let jwks = crate::jwks::env::from_env(std::mem::take(&mut builder.jwks), &read)?;
    builder.jwks = jwks.settings;
    let has_jwks = jwks.configured;
    // The plugin's tokens carry the base URL as `iss` and `aud`; it is
    // accepted next to JWT_ISSUER / JWT_AUDIENCE (the shared-secret tokens'
    // values, during a migration).
    builder.oauth = crate::oauth::env::from_env(
        std::mem::take(&mut builder.oauth),
        jwks.base_url.as_deref(),
        &read,
    )?;
    if let Some(base) = jwks.base_url {
        builder = builder.claim_rules(|rules| rules.issuer(base.clone()).audience(base));
    }
    let (mut builder, has_secret) = secrets_from_env(builder, &read)?;
    if !has_secret && !has_jwks {
        return Err(ConfigError::MissingEnv {
            var: env::SECRET,
            hint: "set it to the same value as the Next.js app's BETTER_AUTH_SECRET \
                   (at least 32 bytes, e.g. `openssl rand -base64 32`)",
        });
    }
    builder.sessions = crate::session::env::from_env(std::mem::take(&mut builder.sessions), &read)?;
    let leeway = match read(env::LEEWAY_SECONDS) {
        None => None,
        Some(leeway) => Some(leeway.trim().parse().map_err(|_| ConfigError::InvalidEnv {
            var: env::LEEWAY_SECONDS,
            expected: "a whole number of seconds, such as 0 or 30",
        })?),
    };
    Ok(builder.claim_rules(|mut rules| {
        if let Some(issuer) = read(env::ISSUER) {
            rules = rules.issuer(issuer.trim());
        }
        if let Some(audience) = read(env::AUDIENCE) {
            rules = rules.audience(audience.trim());
        }
        if let Some(seconds) = leeway {
            rules = rules.leeway(Duration::from_secs(seconds));
        }
        rules
    }))
}

/// The secrets: `BETTER_AUTH_SECRETS` (every entry, then a different
/// `BETTER_AUTH_SECRET` as the legacy one), or `BETTER_AUTH_SECRET` and
/// `BETTER_AUTH_SECRET_PREVIOUS`. Each is an HS256 secret and a session
/// secret, the current first; `true` when there is one.
fn secrets_from_env(
    mut builder: VerifierBuilder,
    read: &impl Fn(&str) -> Option<String>,
) -> Result<(VerifierBuilder, bool), ConfigError> {
    let secret = read(env::SECRET).map(Zeroizing::new);
    let mut named: Vec<(String, Zeroizing<String>)> = Vec::new();
    if let Some(secrets) = read(env::SECRETS).map(Zeroizing::new) {
        for versioned in parse_secrets(env::SECRETS, &secrets)? {
            named.push((
                format!("{} version {}", env::SECRETS, versioned.version),
                versioned.value,
            ));
        }
        if let Some(legacy) = secret.filter(|legacy| named.iter().all(|(_, s)| s != legacy)) {
            named.push((env::SECRET.to_owned(), legacy));
        }
    } else {
        named.extend(secret.map(|secret| (env::SECRET.to_owned(), secret)));
        if let Some(previous) = read(env::PREVIOUS_SECRET).map(Zeroizing::new) {
            named.push((env::PREVIOUS_SECRET.to_owned(), previous));
        }
    }
    let has_secret = !named.is_empty();
    let allow_short = flag(read, env::ALLOW_SHORT_SECRET)? == Some(true);
    if allow_short {
        builder = builder.sessions(SessionSettings::allow_short_secret);
    }
    for (source, secret) in named {
        // A short secret allowed for sessions is still no HS256 key.
        if !(allow_short && secret.len() < MIN_SECRET_LEN) {
            builder = builder.named_secret(&source, secret.as_bytes());
        }
        builder = builder.sessions(|sessions| sessions.named_secret(source, secret.as_bytes()));
    }
    Ok((builder, has_secret))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::cookie_cache::CookieCacheStrategy;

    fn lookup<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn a_short_secret_is_refused_unless_allowed_and_then_serves_sessions_only() {
        let short = [
            ("BETTER_AUTH_SECRET", "sixteen-bytes!!!"),
            ("BETTER_AUTH_COOKIE_CACHE", "compact"),
        ];
        let err = builder_from_env(lookup(&short)).and_then(VerifierBuilder::build);
        assert!(
            matches!(err, Err(ConfigError::SessionSecretTooShort { ref origin, len: 16 }) if origin == "BETTER_AUTH_SECRET"),
            "{err:?}"
        );
        let allowed = [
            ("BETTER_AUTH_SECRET", "sixteen-bytes!!!"),
            ("BETTER_AUTH_COOKIE_CACHE", "compact"),
            ("BETTER_AUTH_ALLOW_SHORT_SECRET", "true"),
        ];
        let verifier = builder_from_env(lookup(&allowed)).and_then(VerifierBuilder::build);
        let verifier = verifier.expect("a short secret, explicitly allowed");
        // Sessions only: no HS256 key was made of it.
        assert_eq!(verifier.inner.keys.len(), 0);
        assert!(
            verifier
                .inner
                .credentials
                .sessions
                .as_ref()
                .is_some_and(|s| s.cookie_cache == Some(CookieCacheStrategy::Compact))
        );
    }

    #[test]
    fn a_short_secret_without_sessions_keeps_the_hs256_message() {
        let vars = [("BETTER_AUTH_SECRET", "sixteen-bytes!!!")];
        let err = builder_from_env(lookup(&vars)).and_then(VerifierBuilder::build);
        assert!(
            matches!(err, Err(ConfigError::SecretTooShort { ref origin, len: 16 }) if origin == "BETTER_AUTH_SECRET"),
            "{err:?}"
        );
    }

    #[test]
    fn better_auths_public_default_secret_is_refused_from_the_environment() {
        let vars = [(
            "BETTER_AUTH_SECRET",
            "better-auth-secret-12345678901234567890",
        )];
        let err = builder_from_env(lookup(&vars)).and_then(VerifierBuilder::build);
        assert!(
            matches!(err, Err(ConfigError::PublicDefaultSecret { ref origin }) if origin == "BETTER_AUTH_SECRET"),
            "{err:?}"
        );
    }
}
