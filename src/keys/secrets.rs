//! The HS256 secrets a builder collects, checked and prepared at `build()`.

use zeroize::Zeroizing;

use crate::error::config::ConfigError;
use crate::keys::hmac::{HmacKeys, MAX_KEYS, MIN_SECRET_LEN, is_public_default_secret};

/// A secret waiting for `build()`; zeroed on drop.
struct PendingSecret {
    kid: Option<String>,
    /// Where it came from, as errors name it.
    source: String,
    bytes: Zeroizing<Vec<u8>>,
}

/// The HS256 secrets of a verifier, in the order given. Never printed.
#[derive(Default)]
pub(crate) struct Hs256Secrets {
    pending: Vec<PendingSecret>,
}

impl Hs256Secrets {
    /// Adds `secret` (under `kid`, if any); errors name it `source`.
    pub(crate) fn push(&mut self, kid: Option<String>, source: String, secret: &[u8]) {
        self.pending.push(PendingSecret {
            kid,
            source,
            bytes: Zeroizing::new(secret.to_vec()),
        });
    }

    pub(crate) fn len(&self) -> usize {
        self.pending.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// The prepared keys. Refuses more than [`MAX_KEYS`] secrets, Better
    /// Auth's public default secret, a secret under [`MIN_SECRET_LEN`]
    /// bytes (RFC 7518 3.2), and an empty or repeated key id.
    pub(crate) fn build(self) -> Result<HmacKeys, ConfigError> {
        if self.pending.len() > MAX_KEYS {
            return Err(ConfigError::TooManyKeys { max: MAX_KEYS });
        }
        let mut keys = HmacKeys::default();
        for secret in &self.pending {
            if is_public_default_secret(&secret.bytes) {
                return Err(ConfigError::PublicDefaultSecret {
                    origin: secret.source.clone(),
                });
            }
            if secret.bytes.len() < MIN_SECRET_LEN {
                return Err(ConfigError::SecretTooShort {
                    origin: secret.source.clone(),
                    len: secret.bytes.len(),
                });
            }
            if let Some(kid) = &secret.kid {
                if kid.is_empty() || keys.has_kid(kid) {
                    return Err(ConfigError::InvalidKeyId);
                }
            }
            keys.push(secret.kid.clone(), &secret.bytes);
        }
        Ok(keys)
    }
}
