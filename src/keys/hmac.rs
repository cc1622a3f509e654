//! HS256: HMAC-SHA256 (RFC 2104) keys from shared secrets, keyed once.
//!
//! `Hmac<Sha256>` keeps the inner and outer SHA-256 midstates of its key
//! schedule; each check clones the prepared state, so verifying a token costs
//! the compression of the signing input plus two finishing blocks, with no
//! per-call key setup and no allocation. Tags are compared in constant time
//! (`verify_slice`).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::ErrorKind;

/// Length in bytes of an HS256 signature.
pub(crate) const TAG_LEN: usize = 32;

/// The shortest HS256 secret accepted, in bytes (RFC 7518 3.2: a key of the
/// same size as the hash output).
pub const MIN_SECRET_LEN: usize = 32;

/// Better Auth's built-in secret, used when the app sets none: public, so
/// anyone can sign with it (Better Auth itself refuses it in production).
const BETTER_AUTH_DEFAULT_SECRET: &[u8] = b"better-auth-secret-12345678901234567890";

/// Whether `secret` is Better Auth's public default secret.
pub(crate) fn is_public_default_secret(secret: &[u8]) -> bool {
    secret == BETTER_AUTH_DEFAULT_SECRET
}

/// The most secrets one verifier holds. A token without `kid` is checked
/// against each, so this bounds the work an invalid token can cause.
pub const MAX_KEYS: usize = 4;

/// One prepared HMAC-SHA256 key. Never printed.
#[derive(Clone)]
pub(crate) struct HmacKey(Hmac<Sha256>);

impl std::fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HmacKey(<redacted>)")
    }
}

impl HmacKey {
    /// Runs the HMAC key schedule for `secret`.
    pub(crate) fn new(secret: &[u8]) -> Self {
        // HMAC takes keys of any length: `new_from_slice` cannot fail.
        Self(Hmac::new_from_slice(secret).unwrap_or_else(|_| unreachable!("HMAC takes any key")))
    }

    /// The HMAC-SHA256 tag of `message`.
    #[cfg(any(test, feature = "test-util"))]
    pub(crate) fn tag(&self, message: &[u8]) -> [u8; TAG_LEN] {
        self.0
            .clone()
            .chain_update(message)
            .finalize()
            .into_bytes()
            .into()
    }

    /// Whether `tag` is the tag of `message`, compared in constant time.
    pub(crate) fn verify(&self, message: &[u8], tag: &[u8]) -> bool {
        self.0
            .clone()
            .chain_update(message)
            .verify_slice(tag)
            .is_ok()
    }
}

/// One secret with its optional key id.
#[derive(Debug, Clone)]
struct NamedKey {
    kid: Option<String>,
    key: HmacKey,
}

/// The active HS256 keys of a verifier, prepared once.
#[derive(Debug, Clone, Default)]
pub(crate) struct HmacKeys {
    keys: Vec<NamedKey>,
}

impl HmacKeys {
    pub(crate) fn push(&mut self, kid: Option<String>, secret: &[u8]) {
        self.keys.push(NamedKey {
            kid,
            key: HmacKey::new(secret),
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
    pub(crate) fn verify(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_rfc_4231_test_case_2() {
        let tag = HmacKey::new(b"Jefe").tag(b"what do ya want for nothing?");
        let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_prepared_key_gives_the_same_tag_every_time_for_keys_of_any_length() {
        for key_len in [0, 1, 32, 63, 64, 65, 200] {
            let key: Vec<u8> = (0..key_len).map(|i| i as u8).collect();
            let prepared = HmacKey::new(&key);
            for msg_len in [0, 55, 56, 64, 119, 300] {
                let msg: Vec<u8> = (0..msg_len).map(|i| (i * 7) as u8).collect();
                let tag = prepared.tag(&msg);
                assert_eq!(tag, HmacKey::new(&key).tag(&msg));
                assert!(prepared.verify(&msg, &tag));
            }
        }
    }

    #[test]
    fn verify_rejects_wrong_and_truncated_tags() {
        let key = HmacKey::new(&[7u8; 32]);
        let mut tag = key.tag(b"message");
        assert!(key.verify(b"message", &tag));
        assert!(!key.verify(b"message", &tag[..31]));
        tag[0] ^= 1;
        assert!(!key.verify(b"message", &tag));
    }

    #[test]
    fn rotation_tries_every_key_without_kid_and_only_the_named_one_with() {
        let mut keys = HmacKeys::default();
        keys.push(None, b"old-secret");
        keys.push(Some("new".into()), b"new-secret");
        let tag = HmacKey::new(b"new-secret").tag(b"input");
        assert!(keys.verify(None, b"input", &tag).is_ok());
        assert!(keys.verify(Some("new"), b"input", &tag).is_ok());
        assert_eq!(
            keys.verify(Some("gone"), b"input", &tag),
            Err(ErrorKind::UnknownKey)
        );
        let old = HmacKey::new(b"old-secret").tag(b"input");
        assert_eq!(
            keys.verify(Some("new"), b"input", &old),
            Err(ErrorKind::InvalidSignature)
        );
    }

    #[test]
    fn debug_does_not_show_key_material() {
        assert_eq!(format!("{:?}", HmacKey::new(b"k")), "HmacKey(<redacted>)");
    }
}
