//! The signed session token: `<token>.<signature>`, where the signature is
//! HMAC-SHA256 of the token with Better Auth's current secret, in standard
//! base64 with padding (44 characters). The session cookie holds it
//! URL-encoded (`encodeURIComponent`, so `%2B`, `%2F`, `%3D`); the bearer
//! plugin's `set-auth-token` hands it out decoded. Both are read here
//! (better-call's `getSignedCookie`, `crypto.mjs`).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::error::ErrorKind;
use crate::keys::hmac::{HmacKey, TAG_LEN};

/// The longest session token read. Better Auth's are 32 characters; this
/// leaves room for a custom `generateId` and bounds the work of a bad one.
const MAX_TOKEN_LEN: usize = 256;

/// The signature as Better Auth writes it: 44 characters of padded base64.
const SIGNATURE_LEN: usize = 44;

/// A session token whose signature is valid.
#[derive(PartialEq, Eq)]
pub(crate) struct SignedToken<'a> {
    /// The token, as stored in `session.token`.
    pub(crate) token: &'a str,
    /// `<token>.<signature>` URL-encoded, as the cookie carries it.
    pub(crate) cookie_value: String,
}

impl std::fmt::Debug for SignedToken<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignedToken(<redacted>)")
    }
}

/// Reads and checks a signed session token, URL-encoded or not. The HMAC
/// is checked before anything else is done with the token.
pub(crate) fn verify<'a>(value: &'a str, key: &HmacKey) -> Result<SignedToken<'a>, ErrorKind> {
    let (token, encoded) = value.rsplit_once('.').ok_or(ErrorKind::Malformed)?;
    if !is_token(token) {
        return Err(ErrorKind::Malformed);
    }
    let mut signature = [0u8; SIGNATURE_LEN];
    let len = percent_decode_base64(encoded, &mut signature)?;
    if len != SIGNATURE_LEN || signature[SIGNATURE_LEN - 1] != b'=' {
        return Err(ErrorKind::Malformed);
    }
    let mut tag = [0u8; TAG_LEN + 1];
    let decoded = STANDARD
        .decode_slice(signature, &mut tag)
        .map_err(|_| ErrorKind::Malformed)?;
    if decoded != TAG_LEN {
        return Err(ErrorKind::Malformed);
    }
    if !key.verify(token.as_bytes(), &tag[..TAG_LEN]) {
        return Err(ErrorKind::InvalidSignature);
    }
    let mut cookie_value = String::with_capacity(token.len() + 1 + SIGNATURE_LEN + 8);
    cookie_value.push_str(token);
    cookie_value.push('.');
    for &b in &signature {
        match b {
            b'+' => cookie_value.push_str("%2B"),
            b'/' => cookie_value.push_str("%2F"),
            b'=' => cookie_value.push_str("%3D"),
            b => cookie_value.push(char::from(b)),
        }
    }
    Ok(SignedToken {
        token,
        cookie_value,
    })
}

/// A session token: 1 to 256 characters of `[A-Za-z0-9_-]`.
fn is_token(token: &str) -> bool {
    (1..=MAX_TOKEN_LEN).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

/// Copies a base64 signature into `out`, decoding the only escapes
/// `encodeURIComponent` writes for base64 (`%2B`, `%2F`, `%3D`, any case).
/// Returns the decoded length; anything else is malformed.
fn percent_decode_base64(encoded: &str, out: &mut [u8; SIGNATURE_LEN]) -> Result<usize, ErrorKind> {
    let bytes = encoded.as_bytes();
    let (mut read, mut written) = (0, 0);
    while read < bytes.len() {
        let b = match bytes[read] {
            b'%' => {
                let escape = bytes.get(read + 1..read + 3).ok_or(ErrorKind::Malformed)?;
                read += 2;
                match escape.to_ascii_uppercase().as_slice() {
                    b"2B" => b'+',
                    b"2F" => b'/',
                    b"3D" => b'=',
                    _ => return Err(ErrorKind::Malformed),
                }
            }
            b if b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=') => b,
            _ => return Err(ErrorKind::Malformed),
        };
        *out.get_mut(written).ok_or(ErrorKind::Malformed)? = b;
        written += 1;
        read += 1;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"better-auth-secret-0123456789abcdefghij";
    // Minted by better-auth 1.7.25 with SECRET (its Set-Cookie value).
    const COOKIE: &str =
        "E49HoTffgub1OkOqtYlCOG9X3DEyd8dH.8vDYxv6f6VUOeuxSSeP6MnAKzUE6gzalunHYzq7XbmE%3D";
    const BEARER: &str =
        "E49HoTffgub1OkOqtYlCOG9X3DEyd8dH.8vDYxv6f6VUOeuxSSeP6MnAKzUE6gzalunHYzq7XbmE=";

    #[test]
    fn reads_better_auths_cookie_and_bearer_forms() {
        let key = HmacKey::new(SECRET);
        for value in [COOKIE, BEARER, &COOKIE.replace("%3D", "%3d")] {
            let signed = verify(value, &key).unwrap();
            assert_eq!(signed.token, "E49HoTffgub1OkOqtYlCOG9X3DEyd8dH");
            assert_eq!(signed.cookie_value, COOKIE);
        }
    }

    #[test]
    fn a_wrong_secret_or_a_changed_token_is_an_invalid_signature() {
        let other = HmacKey::new(b"another-secret-0123456789abcdefghijkl");
        assert_eq!(verify(COOKIE, &other), Err(ErrorKind::InvalidSignature));
        let key = HmacKey::new(SECRET);
        let changed = COOKIE.replacen('E', "F", 1);
        assert_eq!(verify(&changed, &key), Err(ErrorKind::InvalidSignature));
    }

    #[test]
    fn anything_but_the_exact_form_is_malformed() {
        let key = HmacKey::new(SECRET);
        let url_safe = BEARER.replace('=', "");
        for bad in [
            "",
            ".",
            "E49HoTffgub1OkOqtYlCOG9X3DEyd8dH",
            "E49HoTffgub1OkOqtYlCOG9X3DEyd8dH.",
            ".8vDYxv6f6VUOeuxSSeP6MnAKzUE6gzalunHYzq7XbmE=",
            &url_safe,
            "E49HoTffgub1OkOqtYlCOG9X3DEyd8dH.8vDYxv6f6VUOeuxSSeP6MnAKzUE6gzalunHYzq7XbmE%3",
            "E49HoTffgub1OkOqtYlCOG9X3DEyd8dH.8vDYxv6f6VUOeuxSSeP6MnAKzUE6gzalunHYzq7XbmE%41",
            "E49H oTffgub1OkOqtYlCOG9X3DEyd8dH.8vDYxv6f6VUOeuxSSeP6MnAKzUE6gzalunHYzq7XbmE=",
            "E49HoTffgub1OkOqtYlCOG9X3DEyd8dH.8vDYxv6f6VUOeuxSSeP6MnAKzUE6gzalunHYzq7XbmE==",
            "E49HoTffgub1OkOqtYlCOG9X3DEyd8dH.8vDYxv6f6VUOeuxSSeP6MnAKzUE6gzalunHYzq7Xbm==",
        ] {
            assert_eq!(verify(bad, &key), Err(ErrorKind::Malformed), "{bad:?}");
        }
        let long = format!("{}.{}", "a".repeat(MAX_TOKEN_LEN + 1), &BEARER[33..]);
        assert_eq!(verify(&long, &key), Err(ErrorKind::Malformed));
    }
}
