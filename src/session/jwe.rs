//! The `jwe` cookie cache (feature `session-jwe`): compact JWE with `dir`
//! key management and `A256CBC-HS512` content encryption (RFC 7516, RFC 7518
//! 5.2.5), under a 64-byte key Better Auth derives from each secret with
//! HKDF-SHA256 (salt `better-auth-session`; `crypto/jwt.mjs`). The header's
//! `kid` is the key's RFC 7638 thumbprint, so the right secret is found
//! without trying each.
//!
//! The authentication tag is checked, in constant time, before anything is
//! decrypted.

use aes::Aes256;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, KeyIvInit};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256, Sha512};
use zeroize::Zeroizing;

use crate::error::ErrorKind;
use crate::token::compact::decode;
use crate::token::strict_json::parse_object;

/// HKDF `info`, as Better Auth (and Auth.js before it) writes it.
const INFO: &[u8] = b"BetterAuth.js Generated Encryption Key";
/// HKDF salt of the session cache (the account cookie uses another).
const SALT: &[u8] = b"better-auth-session";
const KEY_LEN: usize = 64;
const IV_LEN: usize = 16;
const TAG_LEN: usize = 32;

/// One derived key and its thumbprint; zeroed on drop.
struct JweKey {
    key: Zeroizing<[u8; KEY_LEN]>,
    kid: String,
}

/// The keys a `jwe` cache may be encrypted under: one per secret, the
/// current first.
pub(crate) struct JweKeys(Vec<JweKey>);

impl JweKeys {
    /// Derives the key of each secret.
    pub(crate) fn derive<S: AsRef<[u8]>>(secrets: impl IntoIterator<Item = S>) -> Self {
        Self(
            secrets
                .into_iter()
                .map(|secret| {
                    let mut key = Zeroizing::new([0u8; KEY_LEN]);
                    // 64 bytes is far below HKDF-SHA256's 8160-byte limit.
                    let _ = Hkdf::<Sha256>::new(Some(SALT), secret.as_ref())
                        .expand(INFO, key.as_mut_slice());
                    let jwk = format!(
                        r#"{{"k":"{}","kty":"oct"}}"#,
                        Zeroizing::new(URL_SAFE_NO_PAD.encode(key.as_slice())).as_str()
                    );
                    let kid =
                        URL_SAFE_NO_PAD.encode(Sha256::digest(Zeroizing::new(jwk).as_bytes()));
                    JweKey { key, kid }
                })
                .collect(),
        )
    }
}

/// Decrypts a compact JWE: its claims (without `exp`) and `exp`.
pub(crate) fn decrypt(
    value: &str,
    keys: &JweKeys,
) -> Result<(Map<String, Value>, Option<f64>), ErrorKind> {
    let mut parts = value.split('.');
    let (Some(header), Some(encrypted_key), Some(iv), Some(ciphertext), Some(tag), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(ErrorKind::Malformed);
    };
    if !encrypted_key.is_empty() {
        return Err(ErrorKind::UnsupportedAlgorithm);
    }
    let kid = read_header(&decode(header)?)?;
    let (iv, mut ciphertext, tag) = (decode(iv)?, decode(ciphertext)?, decode(tag)?);
    if iv.len() != IV_LEN || tag.len() != TAG_LEN || ciphertext.is_empty() {
        return Err(ErrorKind::Malformed);
    }
    let key = keys
        .0
        .iter()
        .filter(|key| kid.as_deref().is_none_or(|kid| kid == key.kid))
        .find(|key| tag_matches(&key.key, header.as_bytes(), &iv, &ciphertext, &tag))
        .ok_or(ErrorKind::InvalidSignature)?;
    let plaintext = cbc::Decryptor::<Aes256>::new_from_slices(&key.key[32..], &iv)
        .map_err(|_| ErrorKind::Malformed)?
        .decrypt_padded_mut::<Pkcs7>(&mut ciphertext)
        .map_err(|_| ErrorKind::Malformed)?;
    let mut claims = parse_object(plaintext)?;
    let exp = match claims.remove("exp") {
        Some(Value::Number(exp)) => exp.as_f64(),
        Some(_) => return Err(ErrorKind::InvalidClaim("exp")),
        None => None,
    };
    Ok((claims, exp))
}

/// The protected header: exactly `alg` `dir`, `enc` `A256CBC-HS512` and an
/// optional string `kid`.
fn read_header(bytes: &[u8]) -> Result<Option<String>, ErrorKind> {
    let mut header = parse_object(bytes)?;
    if header.remove("alg") != Some(Value::from("dir"))
        || header.remove("enc") != Some(Value::from("A256CBC-HS512"))
    {
        return Err(ErrorKind::UnsupportedAlgorithm);
    }
    let kid = match header.remove("kid") {
        None => None,
        Some(Value::String(kid)) => Some(kid),
        Some(_) => return Err(ErrorKind::Malformed),
    };
    if !header.is_empty() {
        return Err(ErrorKind::UnsupportedHeader);
    }
    Ok(kid)
}

/// RFC 7518 5.2.2.1: HMAC-SHA-512 with the first half of the key over the
/// AAD (the encoded header), IV, ciphertext and the AAD's length in bits,
/// truncated to 32 bytes; compared in constant time.
fn tag_matches(key: &[u8; KEY_LEN], aad: &[u8], iv: &[u8], ciphertext: &[u8], tag: &[u8]) -> bool {
    let Ok(mac) = Hmac::<Sha512>::new_from_slice(&key[..32]) else {
        return false;
    };
    let aad_bits = (aad.len() as u64).wrapping_mul(8).to_be_bytes();
    mac.chain_update(aad)
        .chain_update(iv)
        .chain_update(ciphertext)
        .chain_update(aad_bits)
        .verify_truncated_left(tag)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "better-auth-secret-0123456789abcdefghij";
    // Minted by better-auth 1.7.25 (`cookieCache.strategy: "jwe"`, SECRET).
    const JWE: &str = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIiwia2lkIjoic2U3ZXBFME9kSjJjeGU3Q2xhTDhCMVRHVm52RElPbnpjVm5xRzZ6eFBvYyJ9..kDMkWq8_i1AwNCBXQQRd9Q.Fn5fOeppLwuyU4H1v4pW22eCX-bNM418yKJoHsZ3hiZdqZ4n_eKMB5bN1mzNqkYl5sECh3ZFwQftHvZKehnr9sACmVTsvVHhhj4ho1psbDSSpEjN3chRuAkORkBuClTwB1uKA5SHYNJk4SniYZLyBhbvU6fNCawwTEd_ogKUoXZ1e-_vsj-JeGKytPOVIfzYuipek6QuRr92ldtZsKMAkyBl62nE79XxGMJJ6YMLBgvtqDyKxOJQrmyFSp2V-zzn37qV0TGyUYwev7mRWy_nMsZxJU_0qcY-nZ9ljxkp_QiyEM4lJ4cNK591HkAZyoVOPW8w3ew-SSB8d6ribZPuvXCXc4gert9nTTm01tW29BYfbGoNNBCxRWGQdzx51jMwxUVyxnLGnrlX0ECVP3HOql0Ik685cZS97T4XHLWOS_miQQxiY_wzoEutYv02DLe6WkY7YlkJju-r1O6Q2ALR0kJPLh4U7ILg2ujlJd9B-HzglCIwl-PPbHkGNne6mxrMVAoTupAPab9231kL82aTL6RzWfEOPZbiupPm5_w-9DOcOQApRCqzW34-tGJPkRHYOC4IIdipFH12pQywsY4yaPjnrjFa81p7oFHEzarHkCRVxGKP3N47XDonYHDgk9V_wEhKjg6a5gGBr5Dj9l2WZbPLsFx6yctSbMo6zxOLKjAYArGnchBYcc1bdBysd4134Mesv5BOzfpKCcJR-yzqFbFNCmZNard3XqiKWBZsgWy7Wo5JL-Wk__BACu2zeV2z8Ixdch0Aq4MlD-J7EqXBXczVDXyYRa7YQPXUp4pRyOg.JwjNwMzFyRJ93P1n_N4hzbUpgQstG6Dn51wK4DgoF2U";

    #[test]
    fn decrypts_better_auths_cache_with_the_secret_and_no_other() {
        let (claims, exp) = decrypt(
            JWE,
            &JweKeys::derive(["another-secret-0123456789abcdefghijkl", SECRET]),
        )
        .unwrap();
        assert_eq!(claims["user"]["email"], "ada@example.com");
        assert_eq!(
            claims["session"]["token"],
            "E49HoTffgub1OkOqtYlCOG9X3DEyd8dH"
        );
        assert!(exp.unwrap() > 1_796_000_000.0);
        assert_eq!(
            decrypt(
                JWE,
                &JweKeys::derive(["another-secret-0123456789abcdefghijkl"])
            )
            .unwrap_err(),
            ErrorKind::InvalidSignature
        );
        let mut tampered = JWE.to_owned();
        let at = tampered.len() - 50;
        let flipped = if &tampered[at..=at] == "A" { "B" } else { "A" };
        tampered.replace_range(at..=at, flipped);
        assert!(decrypt(&tampered, &JweKeys::derive([SECRET])).is_err());
    }

    #[test]
    fn the_key_id_is_better_auths_thumbprint() {
        // better-auth 1.7.25 writes this kid for SECRET.
        let keys = JweKeys::derive([SECRET]);
        assert_eq!(keys.0[0].kid, "se7epE0OdJ2cxe7ClaL8B1TGVnvDIOnzcVnqG6zxPoc");
    }

    #[test]
    fn malformed_values_are_refused() {
        let keys = JweKeys::derive([SECRET]);
        for value in ["", "a.b.c.d.e", "....", "e30....", "a.b.c.d.e.f"] {
            assert!(decrypt(value, &keys).is_err(), "{value:?}");
        }
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"dir","enc":"A256GCM"}"#);
        assert_eq!(
            decrypt(&format!("{header}..AAAA.AAAA.AAAA"), &keys).unwrap_err(),
            ErrorKind::UnsupportedAlgorithm
        );
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"dir","enc":"A256CBC-HS512","zip":"DEF"}"#);
        assert_eq!(
            decrypt(&format!("{header}..AAAA.AAAA.AAAA"), &keys).unwrap_err(),
            ErrorKind::UnsupportedHeader
        );
    }
}
