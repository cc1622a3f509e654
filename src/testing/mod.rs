//! Minting tokens for tests (feature `test-util`).
//!
//! [`TokenMinter`] signs HS256 tokens the way a Better Auth front end would
//! (or, with feature `jwks`, EdDSA tokens as its JWT plugin does),
//! with presets for the cases handlers must get right (expired, not yet
//! valid, another key). [`sign_raw`] signs any header and payload text, for
//! tests of malformed or hostile tokens. [`SessionMinter`] mints Better
//! Auth's session cookie, bearer token and cookie cache.
//!
//! ```
//! use jwtguard::testing::TokenMinter;
//!
//! let secret = "a-shared-secret-of-at-least-32-bytes!";
//! let token = TokenMinter::new(secret).subject("user-1").claim("email", "a@b.c").sign();
//! let verifier = jwtguard::Verifier::builder().hs256_secret(secret).build()?;
//! assert_eq!(verifier.verify(&token)?.sub(), "user-1");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod sessions;

use std::time::Duration;

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::keys::hmac::HmacKey;
use crate::token::clock::Clock;
use crate::token::compact::encode;
use crate::verifier::Verifier;

pub use sessions::SessionMinter;

/// What a minter signs with.
#[derive(Clone)]
enum SigningKey {
    Hs256(Zeroizing<Vec<u8>>),
    #[cfg(feature = "jwks")]
    Ed25519(Box<ed25519_dalek::SigningKey>),
}

/// How long minted tokens live by default: Better Auth's 15 minutes.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// Builds and signs HS256 test tokens.
///
/// By default a token has `iat` = now and `exp` = now + 15 minutes, and no
/// `sub`: set one with [`subject`](Self::subject).
///
/// ```
/// use jwtguard::testing::TokenMinter;
/// let expired = TokenMinter::new("a-shared-secret-of-at-least-32-bytes!")
///     .subject("user-1")
///     .expired()
///     .sign();
/// ```
#[derive(Clone)]
#[must_use]
pub struct TokenMinter {
    key: SigningKey,
    header: Map<String, Value>,
    claims: Map<String, Value>,
    now: i64,
}

impl std::fmt::Debug for TokenMinter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenMinter")
            .field("key", &"<redacted>")
            .field("header", &self.header)
            .field("claims", &self.claims)
            .finish()
    }
}

impl TokenMinter {
    /// A minter signing with `secret`, its clock at the current time.
    ///
    /// ```
    /// let minter = jwtguard::testing::TokenMinter::new(b"a-shared-secret-of-at-least-32-bytes!");
    /// ```
    pub fn new(secret: impl AsRef<[u8]>) -> Self {
        let key = SigningKey::Hs256(Zeroizing::new(secret.as_ref().to_vec()));
        Self::with_key(key, [("alg", "HS256"), ("typ", "JWT")])
    }

    /// A minter signing EdDSA tokens as Better Auth's JWT plugin does
    /// (header `alg` and `kid`), with the Ed25519 key of `seed` (feature
    /// `jwks`). Give the verifier [`jwks`](Self::jwks).
    ///
    /// ```
    /// use jwtguard::testing::TokenMinter;
    ///
    /// let minter = TokenMinter::ed25519([7; 32], "key-1");
    /// let verifier = jwtguard::Verifier::builder().jwks(|keys| keys.json(minter.jwks().unwrap())).claim_rules(|rules| rules.audience("https://app.example.com")).build()?;
    /// let token = minter.subject("user-1").sign();
    /// assert_eq!(verifier.verify(&token)?.sub(), "user-1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "jwks")]
    #[cfg_attr(docsrs, doc(cfg(feature = "jwks")))]
    pub fn ed25519(seed: [u8; 32], kid: &str) -> Self {
        let key = SigningKey::Ed25519(Box::new(ed25519_dalek::SigningKey::from_bytes(&seed)));
        Self::with_key(key, [("alg", "EdDSA"), ("kid", kid)])
    }

    /// The public JWKS for an [`ed25519`](Self::ed25519) minter, as Better
    /// Auth's `/api/auth/jwks` serves it; `None` for an HS256 minter.
    ///
    /// ```
    /// # #[cfg(feature = "jwks")] {
    /// let jwks = jwtguard::testing::TokenMinter::ed25519([7; 32], "key-1").jwks().unwrap();
    /// assert!(jwks.contains(r#""kid":"key-1""#));
    /// # }
    /// let hs256 = jwtguard::testing::TokenMinter::new("a-shared-secret-of-at-least-32-bytes!");
    /// assert_eq!(hs256.jwks(), None);
    /// ```
    pub fn jwks(&self) -> Option<String> {
        match &self.key {
            SigningKey::Hs256(_) => None,
            #[cfg(feature = "jwks")]
            SigningKey::Ed25519(key) => {
                let jwk = serde_json::json!({
                    "kty": "OKP",
                    "crv": "Ed25519",
                    "alg": "EdDSA",
                    "kid": self.header.get("kid"),
                    "x": encode(key.verifying_key().as_bytes()),
                });
                Some(serde_json::json!({ "keys": [jwk] }).to_string())
            }
        }
    }

    fn with_key<'a>(key: SigningKey, header: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let now = Clock::system().now_unix() as i64;
        let header = header
            .into_iter()
            .map(|(name, value)| (name.to_owned(), Value::from(value)))
            .collect();
        Self {
            key,
            header,
            claims: Map::new(),
            now,
        }
        .issued_at(now)
        .expires_at(now + DEFAULT_LIFETIME.as_secs() as i64)
    }

    /// Sets "now" for the presets below, in seconds since the epoch.
    ///
    /// ```
    /// let minter = jwtguard::testing::TokenMinter::new("a-shared-secret-of-at-least-32-bytes!")
    ///     .at(1_700_000_000);
    /// ```
    pub fn at(mut self, unix_seconds: i64) -> Self {
        self.now = unix_seconds;
        self.issued_at(unix_seconds)
            .expires_at(unix_seconds + DEFAULT_LIFETIME.as_secs() as i64)
    }

    /// Sets `sub`.
    ///
    /// ```
    /// # let minter = jwtguard::testing::TokenMinter::new("a-shared-secret-of-at-least-32-bytes!");
    /// let token = minter.subject("user-1").sign();
    /// ```
    pub fn subject(self, sub: impl Into<String>) -> Self {
        self.claim("sub", sub.into())
    }

    /// Sets `iss`.
    ///
    /// ```
    /// # let minter = jwtguard::testing::TokenMinter::new("a-shared-secret-of-at-least-32-bytes!");
    /// let token = minter.issuer("nextjs-frontend").sign();
    /// ```
    pub fn issuer(self, iss: impl Into<String>) -> Self {
        self.claim("iss", iss.into())
    }

    /// Sets `aud` (a string; use [`claim`](Self::claim) for an array).
    ///
    /// ```
    /// # let minter = jwtguard::testing::TokenMinter::new("a-shared-secret-of-at-least-32-bytes!");
    /// let token = minter.audience("fastapi-backend").sign();
    /// ```
    pub fn audience(self, aud: impl Into<String>) -> Self {
        self.claim("aud", aud.into())
    }

    /// Sets any claim to any JSON value.
    ///
    /// ```
    /// # let minter = jwtguard::testing::TokenMinter::new("a-shared-secret-of-at-least-32-bytes!");
    /// let token = minter.claim("email", "a@example.com").claim("aud", serde_json::json!(["a", "b"])).sign();
    /// ```
    pub fn claim(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.claims.insert(name.into(), value.into());
        self
    }

    /// Removes a claim (for example `exp`).
    ///
    /// ```
    /// # let minter = jwtguard::testing::TokenMinter::new("a-shared-secret-of-at-least-32-bytes!");
    /// let token = minter.without_claim("exp").sign();
    /// ```
    pub fn without_claim(mut self, name: &str) -> Self {
        self.claims.remove(name);
        self
    }

    /// Sets a header parameter (for example `alg`, to test refusals).
    ///
    /// ```
    /// # let minter = jwtguard::testing::TokenMinter::new("a-shared-secret-of-at-least-32-bytes!");
    /// let token = minter.header("alg", "HS512").sign();
    /// ```
    pub fn header(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.header.insert(name.into(), value.into());
        self
    }

    /// Sets the `kid` header.
    ///
    /// ```
    /// # let minter = jwtguard::testing::TokenMinter::new("a-shared-secret-of-at-least-32-bytes!");
    /// let token = minter.kid("2026-11").sign();
    /// ```
    pub fn kid(self, kid: impl Into<String>) -> Self {
        self.header("kid", kid.into())
    }

    /// Sets `iat`, in seconds since the epoch.
    ///
    /// ```
    /// # let minter = jwtguard::testing::TokenMinter::new("a-shared-secret-of-at-least-32-bytes!");
    /// let token = minter.issued_at(1_700_000_000).sign();
    /// ```
    pub fn issued_at(self, unix_seconds: i64) -> Self {
        self.claim("iat", unix_seconds)
    }

    /// Sets `exp`, in seconds since the epoch.
    ///
    /// ```
    /// # let minter = jwtguard::testing::TokenMinter::new("a-shared-secret-of-at-least-32-bytes!");
    /// let token = minter.expires_at(4_000_000_000).sign();
    /// ```
    pub fn expires_at(self, unix_seconds: i64) -> Self {
        self.claim("exp", unix_seconds)
    }

    /// Sets `exp` to `lifetime` after "now".
    ///
    /// ```
    /// # let minter = jwtguard::testing::TokenMinter::new("a-shared-secret-of-at-least-32-bytes!");
    /// let token = minter.expires_in(std::time::Duration::from_secs(60)).sign();
    /// ```
    pub fn expires_in(self, lifetime: Duration) -> Self {
        let exp = self.now + lifetime.as_secs() as i64;
        self.expires_at(exp)
    }

    /// Sets `nbf`, in seconds since the epoch.
    ///
    /// ```
    /// # let minter = jwtguard::testing::TokenMinter::new("a-shared-secret-of-at-least-32-bytes!");
    /// let token = minter.not_before(1_700_000_000).sign();
    /// ```
    pub fn not_before(self, unix_seconds: i64) -> Self {
        self.claim("nbf", unix_seconds)
    }

    /// Preset: issued 16 minutes ago, expired a minute ago.
    ///
    /// ```
    /// # let minter = jwtguard::testing::TokenMinter::new("a-shared-secret-of-at-least-32-bytes!");
    /// let token = minter.subject("u").expired().sign();
    /// ```
    pub fn expired(self) -> Self {
        let now = self.now;
        self.issued_at(now - 16 * 60).expires_at(now - 60)
    }

    /// Preset: valid only from an hour from now.
    ///
    /// ```
    /// # let minter = jwtguard::testing::TokenMinter::new("a-shared-secret-of-at-least-32-bytes!");
    /// let token = minter.subject("u").not_yet_valid().sign();
    /// ```
    pub fn not_yet_valid(self) -> Self {
        let now = self.now;
        self.not_before(now + 3600).expires_at(now + 7200)
    }

    /// Signs the token with the minter's key (HS256, or Ed25519 for
    /// [`ed25519`](Self::ed25519)), whatever the `alg` header says.
    ///
    /// ```
    /// let token = jwtguard::testing::TokenMinter::new("a-shared-secret-of-at-least-32-bytes!").sign();
    /// assert_eq!(token.split('.').count(), 3);
    /// ```
    pub fn sign(&self) -> String {
        let header = Value::Object(self.header.clone()).to_string();
        let claims = Value::Object(self.claims.clone()).to_string();
        match &self.key {
            SigningKey::Hs256(secret) => sign_raw(secret, &header, &claims),
            #[cfg(feature = "jwks")]
            SigningKey::Ed25519(key) => {
                use ed25519_dalek::Signer as _;
                let input = format!(
                    "{}.{}",
                    encode(header.as_bytes()),
                    encode(claims.as_bytes())
                );
                let signature = key.sign(input.as_bytes());
                format!("{input}.{}", encode(&signature.to_bytes()))
            }
        }
    }
}

/// Signs arbitrary header and payload text with HMAC-SHA256, for tests of
/// tokens no well-behaved issuer would make (duplicate members, odd types).
///
/// ```
/// let token = jwtguard::testing::sign_raw(
///     b"a-shared-secret-of-at-least-32-bytes!",
///     r#"{"alg":"HS256"}"#,
///     r#"{"sub":"a","sub":"b","exp":4000000000}"#,
/// );
/// ```
pub fn sign_raw(secret: &[u8], header_json: &str, payload_json: &str) -> String {
    let signing_input = format!(
        "{}.{}",
        encode(header_json.as_bytes()),
        encode(payload_json.as_bytes())
    );
    let tag = HmacKey::new(secret).tag(signing_input.as_bytes());
    format!("{signing_input}.{}", encode(&tag))
}

/// A verifier and a valid HS256 token for `sub` `user-1` (with `name` and
/// `email` claims), for documentation examples and quick tests.
///
/// ```
/// let (verifier, token) = jwtguard::testing::doc_pair();
/// assert_eq!(verifier.verify(&token)?.sub(), "user-1");
/// # Ok::<(), jwtguard::Error>(())
/// ```
pub fn doc_pair() -> (Verifier, String) {
    let secret = "a-shared-secret-of-at-least-32-bytes!";
    let verifier = Verifier::builder()
        .hs256_secret(secret)
        .build()
        .unwrap_or_else(|_| unreachable!("the documentation secret is valid"));
    let token = TokenMinter::new(secret)
        .subject("user-1")
        .claim("name", "Ada")
        .claim("email", "ada@example.com")
        .sign();
    (verifier, token)
}

/// A verifier that accepts OAuth access tokens for the resource
/// `https://api.example.com/mcp` from the issuer
/// `https://app.example.com/api/auth`, signed by
/// [`TokenMinter::ed25519([7; 32], "key-1")`](TokenMinter::ed25519), for
/// documentation examples and quick tests (feature `oauth`).
///
/// ```
/// use jwtguard::testing::{TokenMinter, oauth_verifier};
///
/// let token = TokenMinter::ed25519([7; 32], "key-1")
///     .header("typ", "at+jwt")
///     .issuer("https://app.example.com/api/auth")
///     .audience("https://api.example.com/mcp")
///     .subject("user-1")
///     .claim("client_id", "client-1")
///     .claim("scope", "tasks:read")
///     .sign();
/// let mut headers = http::HeaderMap::new();
/// headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
/// let request = jwtguard::RequestParts::new("GET", None, &headers);
/// let claims: jwtguard::Claims = oauth_verifier().verify_request_now(&request).unwrap()?;
/// assert_eq!(claims.credential(), jwtguard::Credential::AccessToken);
/// assert_eq!(claims.client_id(), Some("client-1"));
/// # Ok::<(), jwtguard::Error>(())
/// ```
#[cfg(feature = "oauth")]
#[cfg_attr(docsrs, doc(cfg(feature = "oauth")))]
pub fn oauth_verifier() -> Verifier {
    let jwks = TokenMinter::ed25519([7; 32], "key-1").jwks();
    Verifier::builder()
        .jwks(|keys| keys.json(jwks.unwrap_or_default()))
        .oauth(|oauth| {
            oauth
                .resource("https://api.example.com/mcp")
                .issuer("https://app.example.com/api/auth")
                .scopes_supported(["tasks:read", "tasks:write"])
        })
        .build()
        .unwrap_or_else(|_| unreachable!("the documentation settings are valid"))
}
