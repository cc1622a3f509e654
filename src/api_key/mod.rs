//! API keys of Better Auth's `@better-auth/api-key` plugin (feature
//! `api-key`): Better Auth has no HTTP route to verify one (its
//! `verifyApiKey` is server-side only), so they are verified here as the
//! plugin verifies them, against its `apikey` table.
//!
//! - `settings`: [`ApiKeySettings`] (headers, store, read-only), checked
//!   at `build()`;
//! - `store`: [`SqlApiKeyStore`], the table in PostgreSQL or SQLite
//!   (sqlx), the lookup by hash and the counted use;
//! - `redis_store`: [`RedisApiKeyStore`] (with `session-redis`), the keys
//!   the plugin keeps in Redis (`storage: "secondary-storage"`);
//! - `keys`: the request's key, its hash, the checks and the claims.
//!
//! Without the feature, `off.rs` stands in: no value of `ApiKeys` can
//! exist, and the seam reads the same either way.

#[cfg(feature = "api-key")]
mod keys;
#[cfg(not(feature = "api-key"))]
mod off;
#[cfg(all(feature = "api-key", feature = "session-redis"))]
mod redis_store;
#[cfg(feature = "api-key")]
mod settings;
#[cfg(feature = "api-key")]
mod store;

#[cfg(feature = "api-key")]
pub(crate) use keys::ApiKeys;
#[cfg(not(feature = "api-key"))]
pub(crate) use off::{ApiKeySettings, ApiKeys};
#[cfg(all(feature = "api-key", feature = "session-redis"))]
pub use redis_store::RedisApiKeyStore;
#[cfg(feature = "api-key")]
pub use settings::ApiKeySettings;
#[cfg(feature = "api-key")]
pub use store::{ApiKeyStore, SqlApiKeyStore};
