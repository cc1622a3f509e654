//! The guide: how to put jwtguard in front of a service, what it accepts and
//! refuses, and how to configure each Better Auth credential.
//!
//! Each chapter is a module with no items, only text; its Rust examples are
//! compiled and run as doctests. Read them in this order, or skip to the
//! credential your Better Auth app sends:
//!
//! 1. [`fastapi`]: coming from FastAPI + python-jose (the shared
//!    `BETTER_AUTH_SECRET`, HS256, the URL's `user_id` equal to the token's
//!    `sub`): what each piece becomes, and where jwtguard is stricter.
//! 2. [`entry_points`]: the verifier, the axum and actix-web extractors,
//!    the tower layer, the actix-web middleware, claim guards, tonic.
//! 3. [`configuration`]: every builder setting and environment variable.
//! 4. [`rejections`]: what is refused, with which answer, and why.
//! 5. [`jwks`]: Better Auth's JWT plugin (EdDSA, ES256, ES512, RS256,
//!    PS256 keys from its JWKS).
//! 6. [`sessions`]: the session cookie, its cookie cache and the bearer
//!    plugin's token; in production: `https`, a cookie prefix, the rate
//!    limit.
//! 7. [`websockets`]: a browser's socket, authenticated at the upgrade.
//! 8. [`openapi`]: the bearer scheme and the refusals in a utoipa document.
//! 9. [`oauth`]: OAuth 2.1 access tokens of Better Auth's provider, DPoP,
//!    the RFC 9728 metadata MCP clients start from.
//! 10. [`hardening`]: how jwtguard is attacked, fuzzed and loaded in its
//!     own tests.

// A chapter is the text of `docs/<file>`. Its examples use most features, so
// without them a chapter is a pointer to docs.rs (and has no examples to
// compile).
#[cfg(all(
    feature = "axum",
    feature = "actix",
    feature = "tower",
    feature = "jwks-fetch",
    feature = "session-http",
    feature = "utoipa",
    feature = "oauth",
    feature = "test-util"
))]
macro_rules! chapter {
    ($name:ident, $file:literal) => {
        #[doc = include_str!(concat!("../docs/", $file))]
        pub mod $name {}
    };
}

#[cfg(not(all(
    feature = "axum",
    feature = "actix",
    feature = "tower",
    feature = "jwks-fetch",
    feature = "session-http",
    feature = "utoipa",
    feature = "oauth",
    feature = "test-util"
)))]
macro_rules! chapter {
    ($name:ident, $file:literal) => {
        #[doc = "Needs every feature: read <https://docs.rs/jwtguard/latest/jwtguard/guide/>."]
        pub mod $name {}
    };
}

chapter!(fastapi, "fastapi.md");
chapter!(entry_points, "entry-points.md");
chapter!(configuration, "configuration.md");
chapter!(rejections, "rejections.md");
chapter!(jwks, "jwks.md");
chapter!(sessions, "sessions.md");
chapter!(websockets, "websockets.md");
chapter!(openapi, "openapi.md");
chapter!(oauth, "oauth.md");
chapter!(hardening, "hardening.md");
