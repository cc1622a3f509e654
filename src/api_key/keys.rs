//! [`ApiKeys`]: an API key read from its header, hashed as the plugin
//! hashes it, found in its store, checked as `validateApiKey` checks it,
//! counted, and turned into claims.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::api_key::store::{ApiKeyRecord, ApiKeyStore, Use};
use crate::error::{Error, ErrorKind};
use crate::http::credentials::HeaderSource;
use crate::token::claims::Credential;
use crate::token::decode::DecodeClaims;
use crate::token::policy::Policy;
use crate::trace;

/// The longest key read: the plugin's keys are 64 characters plus a prefix
/// of at most 32 by default; anything far longer is no key of its.
const MAX_API_KEY_LEN: usize = 512;

/// The API keys a verifier accepts, ready to check.
pub(crate) struct ApiKeys {
    /// The headers a key comes in, lower case.
    pub(crate) headers: Vec<&'static str>,
    pub(crate) store: ApiKeyStore,
    /// Whether a use counts against `remaining` (not `read_only`).
    pub(crate) counting: bool,
    /// The claim policy of API keys: no `iss`, `aud` nor required `exp`.
    pub(crate) policy: Policy,
}

impl std::fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKeys")
            .field("headers", &self.headers)
            .field("store", &self.store)
            .field("counting", &self.counting)
            .finish_non_exhaustive()
    }
}

impl ApiKeys {
    /// The key the request sends, if any: one value of one of the
    /// configured headers. Two values (in one header or in two) are
    /// [`ErrorKind::MultipleCredentials`]; a value that is not visible
    /// ASCII, or is far too long, is [`ErrorKind::InvalidApiKey`].
    pub(crate) fn key_in<'h, H: HeaderSource>(
        &self,
        headers: &'h H,
    ) -> Result<Option<&'h str>, ErrorKind> {
        let mut found = None;
        for &name in &self.headers {
            for value in headers.header_values(name) {
                if found.is_some() {
                    return Err(ErrorKind::MultipleCredentials);
                }
                found = Some(value);
            }
        }
        let Some(value) = found else {
            return Ok(None);
        };
        let visible = |b: &u8| (0x21..=0x7e).contains(b);
        if value.is_empty() || value.len() > MAX_API_KEY_LEN || !value.iter().all(visible) {
            return Err(ErrorKind::InvalidApiKey);
        }
        std::str::from_utf8(value)
            .map(Some)
            .map_err(|_| ErrorKind::InvalidApiKey)
    }

    /// Verifies `key` in the store and counts its use; the claims of its
    /// owner.
    pub(crate) async fn verify<T: DecodeClaims>(&self, key: &str) -> Result<T, Error> {
        let hash = hash_key(key);
        let record = match self.store.find(&hash).await {
            Ok(Some(record)) => record,
            Ok(None) => return Err(ErrorKind::InvalidApiKey.into()),
            Err(error) => {
                trace::api_key_store_failed(&error);
                return Err(ErrorKind::ApiKeyStoreUnavailable.into());
            }
        };
        // The database matched the hash by `=`; comparing again, in
        // constant time, refuses what a case-insensitive collation would
        // have matched, and leaks nothing of the stored hash.
        if !constant_time_eq(record.hash.as_bytes(), hash.as_bytes()) {
            return Err(ErrorKind::InvalidApiKey.into());
        }
        let now_ms = (self.policy.clock.now_unix() * 1000.0).floor() as i64;
        check(&record, now_ms)?;
        if record.remaining.is_some() {
            let used = if self.counting {
                self.store
                    .use_once(&record, now_ms)
                    .await
                    .map_err(|error| {
                        trace::api_key_store_failed(&error);
                        Error::from(ErrorKind::ApiKeyStoreUnavailable)
                    })?
            } else if record.remaining > Some(0) || record.refill_due(now_ms) {
                Use::Counted
            } else {
                Use::Exhausted
            };
            if used == Use::Exhausted {
                return Err(ErrorKind::ApiKeyExhausted.into());
            }
        }
        let claims = T::decode_claims(&payload(&record), &self.policy)?;
        Ok(claims.with_credential(Credential::ApiKey))
    }
}

/// The plugin's `defaultKeyHasher`: SHA-256 of the key's UTF-8 bytes,
/// base64url without padding. Not keyed: the same key has the same hash in
/// every app, so a key is only as scoped as the database it is stored in.
pub(crate) fn hash_key(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(key.as_bytes()))
}

/// `validateApiKey`'s checks, in its order: `enabled === false`, then
/// `Date.now() > expiresAt`, then `remaining === 0` without a refill
/// amount (the plugin deletes such a key; it is refused here, and left).
fn check(record: &ApiKeyRecord, now_ms: i64) -> Result<(), ErrorKind> {
    if record.enabled == Some(false) {
        return Err(ErrorKind::ApiKeyDisabled);
    }
    if record.expires_at_ms.is_some_and(|expires| now_ms > expires) {
        return Err(ErrorKind::ApiKeyExpired);
    }
    if record.remaining == Some(0) && record.refill_amount.is_none() {
        return Err(ErrorKind::ApiKeyExhausted);
    }
    Ok(())
}

/// The claims of a key: its owner as `sub`, its id, configuration,
/// permissions (when they are a JSON object) and expiry.
fn payload(record: &ApiKeyRecord) -> Vec<u8> {
    let mut claims = Map::new();
    claims.insert("sub".into(), record.reference_id.clone().into());
    claims.insert("apiKeyId".into(), record.id.clone().into());
    if let Some(config_id) = &record.config_id {
        claims.insert("configId".into(), config_id.clone().into());
    }
    if let Some(Ok(Value::Object(permissions))) = record
        .permissions
        .as_deref()
        .map(serde_json::from_str::<Value>)
    {
        claims.insert("permissions".into(), Value::Object(permissions));
    }
    if let Some(expires) = record.expires_at_ms {
        claims.insert("exp".into(), expires.div_euclid(1000).into());
    }
    // A map of strings and JSON values always serializes.
    serde_json::to_vec(&claims).unwrap_or_default()
}

/// Whether `a` and `b` are equal, in time that depends on their lengths only.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> ApiKeyRecord {
        ApiKeyRecord {
            id: "key-1".into(),
            hash: hash_key("secret-key"),
            reference_id: "user-1".into(),
            config_id: Some("default".into()),
            enabled: Some(true),
            expires_at_ms: None,
            remaining: None,
            refill_amount: None,
            refill_interval_ms: None,
            last_refill_at_ms: None,
            last_refill_marker: None,
            created_at_ms: Some(1_000),
            permissions: None,
        }
    }

    #[test]
    fn the_hash_is_the_plugins_default_key_hasher() {
        // `defaultKeyHasher("irZwDQ...")` as @better-auth/api-key 1.7.5 stored it.
        assert_eq!(
            hash_key("irZwDQNbcyvoqVhCPfgTinXtKCksjzrXZoOSvwoEivFfIPzqysfjSXoMqUNiLSlU"),
            "OUbf-lAEGsp0MzIRMmYZeOClAMay7Qb6pAgk_YH6n80"
        );
    }

    #[test]
    fn checks_follow_validate_api_key() {
        assert_eq!(check(&record(), 5_000), Ok(()));
        let disabled = ApiKeyRecord {
            enabled: Some(false),
            ..record()
        };
        assert_eq!(check(&disabled, 5_000), Err(ErrorKind::ApiKeyDisabled));
        let null_enabled = ApiKeyRecord {
            enabled: None,
            ..record()
        };
        assert_eq!(check(&null_enabled, 5_000), Ok(()));
        let expiring = ApiKeyRecord {
            expires_at_ms: Some(5_000),
            ..record()
        };
        assert_eq!(check(&expiring, 5_000), Ok(()));
        assert_eq!(check(&expiring, 5_001), Err(ErrorKind::ApiKeyExpired));
        let used_up = ApiKeyRecord {
            remaining: Some(0),
            ..record()
        };
        assert_eq!(check(&used_up, 5_000), Err(ErrorKind::ApiKeyExhausted));
        let refillable = ApiKeyRecord {
            refill_amount: Some(2),
            ..used_up
        };
        assert_eq!(check(&refillable, 5_000), Ok(()));
    }

    #[test]
    fn a_refill_is_due_strictly_after_its_interval_since_the_last_or_creation() {
        let refilling = ApiKeyRecord {
            remaining: Some(0),
            refill_amount: Some(2),
            refill_interval_ms: Some(1_000),
            ..record()
        };
        assert!(!refilling.refill_due(2_000));
        assert!(refilling.refill_due(2_001));
        let refilled = ApiKeyRecord {
            last_refill_at_ms: Some(10_000),
            ..refilling.clone()
        };
        assert!(!refilled.refill_due(2_001));
        assert!(refilled.refill_due(11_001));
        let no_amount = ApiKeyRecord {
            refill_amount: None,
            ..refilling
        };
        assert!(!no_amount.refill_due(1_000_000));
    }

    #[test]
    fn the_payload_names_the_owner_and_keeps_object_permissions_only() {
        let permitted = ApiKeyRecord {
            permissions: Some(r#"{"files":["read"]}"#.into()),
            expires_at_ms: Some(1_700_000_000_999),
            ..record()
        };
        let claims: Value = serde_json::from_slice(&payload(&permitted)).unwrap();
        assert_eq!(
            claims,
            serde_json::json!({
                "sub": "user-1", "apiKeyId": "key-1", "configId": "default",
                "permissions": {"files": ["read"]}, "exp": 1_700_000_000
            })
        );
        let text = ApiKeyRecord {
            permissions: Some("\"files\"".into()),
            ..record()
        };
        let claims: Value = serde_json::from_slice(&payload(&text)).unwrap();
        assert!(claims.get("permissions").is_none());
    }

    #[test]
    fn constant_time_eq_compares_bytes_and_lengths() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
