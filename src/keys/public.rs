//! Public verification keys (feature `jwks`): each parsed once, when a JWKS
//! is loaded, and bound to exactly one algorithm.

use ed25519_dalek::Verifier as _;
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, RsaPublicKey};
use sha2::Sha256;

use crate::error::ErrorKind;
use crate::token::header::Algorithm;

/// The smallest RSA modulus accepted, in bits (RFC 7518 3.3 and 3.5).
pub(crate) const MIN_RSA_BITS: usize = 2048;

/// The largest RSA modulus accepted, in bits: Better Auth's `modulusLength`
/// is configurable, and 8192 is the largest size in common use. Checking a
/// forged signature against such a key costs about 6 ms of CPU (`cargo bench
/// --bench jwks --features jwks -- rs256_8192`), so every made-up token that
/// names such a key costs that much: keep `modulusLength` at 2048 or 3072.
pub(crate) const MAX_RSA_BITS: usize = 8192;

/// The longest signature any supported algorithm produces: RSA-8192.
pub(crate) const MAX_SIGNATURE_LEN: usize = MAX_RSA_BITS / 8;

/// One public key, ready to verify, usable only with `alg`.
#[derive(Clone)]
pub(crate) struct PublicKey {
    alg: Algorithm,
    key: Prepared,
}

#[derive(Clone)]
enum Prepared {
    Ed25519(ed25519_dalek::VerifyingKey),
    P256(p256::ecdsa::VerifyingKey),
    P521(Box<p521::ecdsa::VerifyingKey>),
    Rs256(rsa::pkcs1v15::VerifyingKey<Sha256>),
    Ps256(rsa::pss::VerifyingKey<Sha256>),
}

/// Why key material could not be used. Fixed text: key bytes are never shown.
pub(crate) type KeyProblem = &'static str;

impl PublicKey {
    /// An Ed25519 key from its 32-byte encoding (RFC 8037 `x`).
    pub(crate) fn ed25519(x: &[u8]) -> Result<Self, KeyProblem> {
        let bytes: &[u8; 32] = x.try_into().map_err(|_| "Ed25519 `x` must be 32 bytes")?;
        let key = ed25519_dalek::VerifyingKey::from_bytes(bytes)
            .map_err(|_| "Ed25519 `x` is not a point on the curve")?;
        if key.is_weak() {
            return Err("Ed25519 `x` is a small-order point");
        }
        Ok(Self {
            alg: Algorithm::EdDsa,
            key: Prepared::Ed25519(key),
        })
    }

    /// A P-256 key from its affine coordinates (32 bytes each).
    pub(crate) fn p256(x: &[u8], y: &[u8]) -> Result<Self, KeyProblem> {
        let point = sec1_uncompressed(x, y, 32).ok_or("P-256 `x` and `y` must be 32 bytes")?;
        let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&point)
            .map_err(|_| "P-256 `x`, `y` is not a point on the curve")?;
        Ok(Self {
            alg: Algorithm::Es256,
            key: Prepared::P256(key),
        })
    }

    /// A P-521 key from its affine coordinates (66 bytes each).
    pub(crate) fn p521(x: &[u8], y: &[u8]) -> Result<Self, KeyProblem> {
        let point = sec1_uncompressed(x, y, 66).ok_or("P-521 `x` and `y` must be 66 bytes")?;
        let key = p521::ecdsa::VerifyingKey::from_sec1_bytes(&point)
            .map_err(|_| "P-521 `x`, `y` is not a point on the curve")?;
        Ok(Self {
            alg: Algorithm::Es512,
            key: Prepared::P521(Box::new(key)),
        })
    }

    /// An RSA key (modulus and exponent, big-endian) for RS256 or PS256.
    pub(crate) fn rsa(alg: Algorithm, n: &[u8], e: &[u8]) -> Result<Self, KeyProblem> {
        if n.first() == Some(&0) || e.first() == Some(&0) {
            return Err("RSA `n` and `e` must be minimal big-endian integers");
        }
        let key = RsaPublicKey::new_with_max_size(
            BigUint::from_bytes_be(n),
            BigUint::from_bytes_be(e),
            MAX_RSA_BITS,
        )
        .map_err(|_| "RSA key is invalid or larger than 8192 bits")?;
        if key.n().bits() < MIN_RSA_BITS {
            return Err("RSA keys must have at least 2048 bits");
        }
        let key = match alg {
            Algorithm::Rs256 => Prepared::Rs256(rsa::pkcs1v15::VerifyingKey::new(key)),
            Algorithm::Ps256 => Prepared::Ps256(rsa::pss::VerifyingKey::new(key)),
            _ => return Err("RSA keys are usable only with RS256 or PS256"),
        };
        Ok(Self { alg, key })
    }

    /// The one algorithm this key verifies.
    pub(crate) fn alg(&self) -> Algorithm {
        self.alg
    }

    /// Checks `signature` over `signing_input`. The caller has already
    /// matched the token's `alg` to [`alg`](Self::alg).
    pub(crate) fn verify(&self, signing_input: &[u8], signature: &[u8]) -> Result<(), ErrorKind> {
        let valid = match &self.key {
            Prepared::Ed25519(key) => ed25519_dalek::Signature::from_slice(signature)
                .is_ok_and(|sig| key.verify_strict(signing_input, &sig).is_ok()),
            Prepared::P256(key) => p256::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|sig| key.verify(signing_input, &sig).is_ok()),
            Prepared::P521(key) => p521::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|sig| key.verify(signing_input, &sig).is_ok()),
            Prepared::Rs256(key) => rsa::pkcs1v15::Signature::try_from(signature)
                .is_ok_and(|sig| key.verify(signing_input, &sig).is_ok()),
            Prepared::Ps256(key) => rsa::pss::Signature::try_from(signature)
                .is_ok_and(|sig| key.verify(signing_input, &sig).is_ok()),
        };
        if valid {
            Ok(())
        } else {
            Err(ErrorKind::InvalidSignature)
        }
    }

    /// The key's public material, for telling whether a reloaded JWKS changed.
    pub(crate) fn fingerprint(&self) -> Vec<u8> {
        match &self.key {
            Prepared::Ed25519(key) => key.as_bytes().to_vec(),
            Prepared::P256(key) => key.to_encoded_point(false).as_bytes().to_vec(),
            Prepared::P521(key) => key.to_encoded_point(false).as_bytes().to_vec(),
            Prepared::Rs256(key) => rsa_material(key.as_ref()),
            Prepared::Ps256(key) => rsa_material(key.as_ref()),
        }
    }
}

fn rsa_material(key: &RsaPublicKey) -> Vec<u8> {
    let mut bytes = key.n().to_bytes_be();
    bytes.extend(key.e().to_bytes_be());
    bytes
}

/// `0x04 || x || y`, when both coordinates have the curve's length.
fn sec1_uncompressed(x: &[u8], y: &[u8], len: usize) -> Option<Vec<u8>> {
    (x.len() == len && y.len() == len).then(|| {
        let mut point = Vec::with_capacity(1 + 2 * len);
        point.push(0x04);
        point.extend_from_slice(x);
        point.extend_from_slice(y);
        point
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_wrong_lengths_and_points_off_the_curve() {
        assert!(PublicKey::ed25519(&[1; 31]).is_err());
        assert!(PublicKey::p256(&[1; 32], &[1; 32]).is_err());
        assert!(PublicKey::p256(&[1; 31], &[1; 32]).is_err());
        assert!(PublicKey::p521(&[1; 66], &[1; 66]).is_err());
        // The identity (small order) is refused even though it decodes.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(PublicKey::ed25519(&identity).is_err());
    }

    #[test]
    fn refuses_short_rsa_keys_and_rsa_with_other_algorithms() {
        let n_1024 = [0xC5; 128];
        assert!(PublicKey::rsa(Algorithm::Rs256, &n_1024, &[1, 0, 1]).is_err());
        let n_2048 = [0xC5; 256];
        assert!(PublicKey::rsa(Algorithm::Rs256, &n_2048, &[1, 0, 1]).is_ok());
        assert!(PublicKey::rsa(Algorithm::EdDsa, &n_2048, &[1, 0, 1]).is_err());
        assert!(PublicKey::rsa(Algorithm::Rs256, &[0, 1], &[1, 0, 1]).is_err());
        let n_8192 = [0xC5; 1024];
        assert!(PublicKey::rsa(Algorithm::Rs256, &n_8192, &[1, 0, 1]).is_ok());
        let n_8200 = [0xC5; 1025];
        assert!(PublicKey::rsa(Algorithm::Rs256, &n_8200, &[1, 0, 1]).is_err());
    }
}
