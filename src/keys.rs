//! The verification keys a [`Verifier`](crate::Verifier) holds, and which of
//! them a token's signature is checked against.

use crate::ErrorKind;
use crate::hs256::{Hs256Key, TAG_LEN};

/// The most keys one verifier holds. A token without `kid` is checked against
/// each key, so this bounds the work an invalid token can cause.
pub const MAX_KEYS: usize = 4;

/// One HMAC key with its optional key id.
#[derive(Debug, Clone)]
struct NamedKey {
    kid: Option<String>,
    key: Hs256Key,
}

/// The active HS256 keys, prepared once.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyRing {
    keys: Vec<NamedKey>,
}

impl KeyRing {
    pub(crate) fn push(&mut self, kid: Option<String>, secret: &[u8]) {
        self.keys.push(NamedKey {
            kid,
            key: Hs256Key::new(secret),
        });
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    pub(crate) fn has_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|k| k.kid.as_deref() == Some(kid))
    }

    /// Checks an HS256 signature. With a `kid`, only the key of that id is
    /// tried; without, every key is (rotation), each in constant time.
    pub(crate) fn verify_hs256(
        &self,
        kid: Option<&str>,
        signing_input: &[u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), ErrorKind> {
        let valid = match kid {
            Some(kid) => {
                let named = self
                    .keys
                    .iter()
                    .find(|k| k.kid.as_deref() == Some(kid))
                    .ok_or(ErrorKind::UnknownKey)?;
                named.key.verify(signing_input, tag)
            }
            None => self.keys.iter().any(|k| k.key.verify(signing_input, tag)),
        };
        if valid {
            Ok(())
        } else {
            Err(ErrorKind::InvalidSignature)
        }
    }
}
