//! JSON Web Key Sets (RFC 7517 5), as Better Auth's `/api/auth/jwks` serves
//! them (feature `jwks`): parsed once per load into keys bound to one
//! algorithm each, and the lookup that picks a token's key.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use thiserror::Error as ThisError;

use crate::ErrorKind;
use crate::header::Algorithm;
use crate::public_key::PublicKey;

/// The largest JWKS document accepted, in bytes.
pub const MAX_JWKS_LEN: usize = 64 * 1024;

/// The most keys a JWKS document may list.
pub const MAX_JWKS_KEYS: usize = 32;

/// Why a JWKS could not be used. A failed refresh keeps the keys already loaded.
///
/// ```
/// let err = jwtguard::Verifier::builder().jwks_json(r#"{"keys":[]}"#).build().unwrap_err();
/// assert!(matches!(err, jwtguard::ConfigError::Jwks(jwtguard::JwksError::NoUsableKeys)));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
pub enum JwksError {
    /// The document is not a JSON object with a `keys` array of objects.
    #[error("the JWKS is not a JSON object with a \"keys\" array of key objects")]
    NotAJwks,
    /// The document is longer than [`MAX_JWKS_LEN`].
    #[error("the JWKS is larger than {max} bytes")]
    TooLarge {
        /// The limit.
        max: usize,
    },
    /// The document lists more than [`MAX_JWKS_KEYS`] keys.
    #[error("the JWKS lists more than {max} keys")]
    TooManyKeys {
        /// The limit.
        max: usize,
    },
    /// A key of a supported type is unusable (wrong length, not on the
    /// curve, too short, private material published, `alg` of another key type).
    #[error("JWKS key #{index} (kid {kid:?}): {problem}")]
    InvalidKey {
        /// The key's position in `keys`, from 0.
        index: usize,
        /// Its `kid`, if any.
        kid: Option<String>,
        /// What is wrong (fixed text; key material is never shown).
        problem: &'static str,
    },
    /// Two keys share a `kid`.
    #[error("two JWKS keys share the kid {0:?}")]
    DuplicateKeyId(String),
    /// No key is of a supported algorithm.
    #[error(
        "the JWKS has no usable signing key (EdDSA on Ed25519, ES256, ES512, \
         or RS256/PS256 with an `alg`)"
    )]
    NoUsableKeys,
    /// The document could not be fetched.
    #[error("fetching the JWKS failed: {0}")]
    Fetch(String),
}

/// One key as listed in a JWKS; members we do not use are ignored.
#[derive(Deserialize)]
struct Jwk {
    kty: Option<String>,
    crv: Option<String>,
    alg: Option<String>,
    kid: Option<String>,
    #[serde(rename = "use")]
    use_: Option<String>,
    x: Option<String>,
    y: Option<String>,
    n: Option<String>,
    e: Option<String>,
    // Private or symmetric material: a public JWKS must carry none.
    d: Option<serde::de::IgnoredAny>,
    k: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct Document {
    keys: Vec<Jwk>,
}

/// The usable public keys of one JWKS.
#[derive(Clone, Default)]
pub(crate) struct PublicKeys {
    keys: Vec<(Option<String>, PublicKey)>,
}

impl PublicKeys {
    /// Parses a JWKS document. Keys of other types or algorithms (X25519,
    /// P-384, encryption keys, RSA without `alg`) are skipped; a malformed
    /// key of a supported type fails the whole document.
    pub(crate) fn parse(json: &str) -> Result<Self, JwksError> {
        if json.len() > MAX_JWKS_LEN {
            return Err(JwksError::TooLarge { max: MAX_JWKS_LEN });
        }
        let document: Document = serde_json::from_str(json).map_err(|_| JwksError::NotAJwks)?;
        if document.keys.len() > MAX_JWKS_KEYS {
            return Err(JwksError::TooManyKeys { max: MAX_JWKS_KEYS });
        }
        let mut set = Self::default();
        for (index, jwk) in document.keys.into_iter().enumerate() {
            let invalid = |problem| JwksError::InvalidKey {
                index,
                kid: jwk.kid.clone(),
                problem,
            };
            let Some(key) = usable_key(&jwk).map_err(invalid)? else {
                continue;
            };
            if let Some(kid) = &jwk.kid {
                if set.has_kid(kid) {
                    return Err(JwksError::DuplicateKeyId(kid.clone()));
                }
            }
            set.keys.push((jwk.kid, key));
        }
        if set.keys.is_empty() {
            return Err(JwksError::NoUsableKeys);
        }
        Ok(set)
    }

    /// How many keys were loaded.
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    pub(crate) fn has_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|(id, _)| id.as_deref() == Some(kid))
    }

    /// The one key a token with `alg` and `kid` may be checked against.
    ///
    /// With a `kid`, that key, which must be of `alg`; without, the only key
    /// of `alg` (several make the `kid` necessary). So one token costs at
    /// most one signature check.
    pub(crate) fn select(
        &self,
        alg: Algorithm,
        kid: Option<&str>,
    ) -> Result<&PublicKey, ErrorKind> {
        match kid {
            Some(kid) => {
                let (_, key) = self
                    .keys
                    .iter()
                    .find(|(id, _)| id.as_deref() == Some(kid))
                    .ok_or(ErrorKind::UnknownKey)?;
                if key.alg() == alg {
                    Ok(key)
                } else {
                    Err(ErrorKind::KeyMismatch)
                }
            }
            None => {
                let mut of_alg = self.keys.iter().filter(|(_, key)| key.alg() == alg);
                match (of_alg.next(), of_alg.next()) {
                    (Some((_, key)), None) => Ok(key),
                    _ => Err(ErrorKind::UnknownKey),
                }
            }
        }
    }

    /// Whether both sets hold the same keys under the same ids, in any order.
    pub(crate) fn same_as(&self, other: &Self) -> bool {
        let described = |set: &Self| {
            let mut keys: Vec<_> = set
                .keys
                .iter()
                .map(|(kid, key)| (kid.clone(), key.alg() as u8, key.fingerprint()))
                .collect();
            keys.sort();
            keys
        };
        described(self) == described(other)
    }
}

/// The key a JWK describes, `None` when it is of a type or use we skip.
fn usable_key(jwk: &Jwk) -> Result<Option<PublicKey>, &'static str> {
    if jwk.d.is_some() || jwk.k.is_some() {
        return Err("a public JWKS must not carry private or symmetric key material");
    }
    if jwk.kid.as_deref() == Some("") {
        return Err("`kid` must not be empty");
    }
    if jwk.use_.as_deref().is_some_and(|use_| use_ != "sig") {
        return Ok(None);
    }
    let alg = match jwk.alg.as_deref() {
        None => None,
        Some(name) => match Algorithm::from_name(name) {
            Some(Algorithm::Hs256) | None => return Ok(None),
            Some(alg) => Some(alg),
        },
    };
    let fits = |expected: Algorithm| match alg {
        None => Ok(expected),
        Some(alg) if alg == expected => Ok(expected),
        Some(_) => Err("`alg` does not match the key type"),
    };
    let key = match (jwk.kty.as_deref(), jwk.crv.as_deref()) {
        (Some("OKP"), Some("Ed25519")) => {
            fits(Algorithm::EdDsa)?;
            PublicKey::ed25519(&member(&jwk.x, "`x` is missing or not base64url")?)?
        }
        (Some("EC"), Some("P-256")) => {
            fits(Algorithm::Es256)?;
            let (x, y) = coordinates(jwk)?;
            PublicKey::p256(&x, &y)?
        }
        (Some("EC"), Some("P-521")) => {
            fits(Algorithm::Es512)?;
            let (x, y) = coordinates(jwk)?;
            PublicKey::p521(&x, &y)?
        }
        (Some("RSA"), _) => match alg {
            // RS256 or PS256 cannot be told apart without `alg`: skip.
            None => return Ok(None),
            Some(alg @ (Algorithm::Rs256 | Algorithm::Ps256)) => PublicKey::rsa(
                alg,
                &member(&jwk.n, "`n` is missing or not base64url")?,
                &member(&jwk.e, "`e` is missing or not base64url")?,
            )?,
            Some(_) => return Err("`alg` does not match the key type"),
        },
        (Some("OKP" | "EC"), _) => match alg {
            // A supported algorithm named on another curve is an error;
            // an unsupported curve (X25519, P-384) is skipped.
            Some(_) => return Err("`alg` does not match the key's curve"),
            None => return Ok(None),
        },
        (None, _) => return Err("`kty` is missing"),
        _ => return Ok(None),
    };
    Ok(Some(key))
}

fn coordinates(jwk: &Jwk) -> Result<(Vec<u8>, Vec<u8>), &'static str> {
    Ok((
        member(&jwk.x, "`x` is missing or not base64url")?,
        member(&jwk.y, "`y` is missing or not base64url")?,
    ))
}

fn member(value: &Option<String>, problem: &'static str) -> Result<Vec<u8>, &'static str> {
    value
        .as_deref()
        .and_then(|text| URL_SAFE_NO_PAD.decode(text).ok())
        .ok_or(problem)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

    fn okp(kid: &str, extra: &str) -> String {
        format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{ED_X}","kid":"{kid}"{extra}}}"#)
    }

    fn parse(keys: &[String]) -> Result<PublicKeys, JwksError> {
        PublicKeys::parse(&format!(r#"{{"keys":[{}]}}"#, keys.join(",")))
    }

    #[test]
    fn loads_an_ed25519_key_with_or_without_alg() {
        let set = parse(&[okp("a", r#","alg":"EdDSA""#), okp("b", "")]).unwrap();
        assert_eq!(set.len(), 2);
        assert!(set.select(Algorithm::EdDsa, Some("a")).is_ok());
        assert_eq!(
            set.select(Algorithm::Es256, Some("a")).err(),
            Some(ErrorKind::KeyMismatch)
        );
        assert_eq!(
            set.select(Algorithm::EdDsa, Some("zz")).err(),
            Some(ErrorKind::UnknownKey)
        );
        // Two EdDSA keys: a token must say which.
        assert_eq!(
            set.select(Algorithm::EdDsa, None).err(),
            Some(ErrorKind::UnknownKey)
        );
    }

    #[test]
    fn skips_what_it_cannot_use_and_refuses_what_is_wrong() {
        let skipped = [
            okp("enc", r#","use":"enc""#),
            r#"{"kty":"oct","k":"AAAA"}"#.replace(r#","k":"AAAA""#, ""),
            r#"{"kty":"EC","crv":"P-384","x":"AA","y":"AA"}"#.to_owned(),
            r#"{"kty":"RSA","n":"AA","e":"AQAB"}"#.to_owned(),
            r#"{"kty":"OKP","crv":"X25519","x":"AA"}"#.to_owned(),
            okp("hs", r#","alg":"HS256""#),
        ];
        for key in &skipped {
            let set = parse(&[key.clone(), okp("ok", "")]).unwrap();
            assert_eq!(set.len(), 1, "{key}");
        }
        assert_eq!(parse(&skipped).err(), Some(JwksError::NoUsableKeys));
        for (key, problem) in [
            (okp("p", r#","d":"AAAA""#), "private"),
            (okp("", ""), "kid"),
            (okp("r", r#","alg":"RS256""#), "alg"),
            (r#"{"kty":"OKP","crv":"Ed25519","x":"AA"}"#.to_owned(), "32"),
            (
                r#"{"kty":"EC","crv":"P-384","alg":"ES256"}"#.to_owned(),
                "curve",
            ),
            (r#"{"crv":"Ed25519","x":"AA"}"#.to_owned(), "kty"),
        ] {
            match parse(std::slice::from_ref(&key)) {
                Err(JwksError::InvalidKey { problem: p, .. }) => {
                    assert!(p.contains(problem), "{key}: {p}")
                }
                other => panic!("{key}: {:?}", other.err()),
            }
        }
        assert_eq!(
            parse(&[okp("a", ""), okp("a", "")]).err(),
            Some(JwksError::DuplicateKeyId("a".into()))
        );
    }

    #[test]
    fn refuses_documents_that_are_not_a_jwks_or_too_big() {
        for json in [
            "",
            "[]",
            r#"{"keys":{}}"#,
            r#"{"keys":[1]}"#,
            r#"{"kid":"a"}"#,
        ] {
            assert_eq!(
                PublicKeys::parse(json).err(),
                Some(JwksError::NotAJwks),
                "{json}"
            );
        }
        let many = vec![okp("x", ""); MAX_JWKS_KEYS + 1];
        assert!(matches!(parse(&many), Err(JwksError::TooManyKeys { .. })));
        let huge = format!(r#"{{"keys":[],"pad":"{}"}}"#, "a".repeat(MAX_JWKS_LEN));
        assert!(matches!(
            PublicKeys::parse(&huge),
            Err(JwksError::TooLarge { .. })
        ));
    }

    #[test]
    fn compares_key_sets_by_content() {
        let a = parse(&[okp("a", ""), okp("b", "")]).unwrap();
        let b = parse(&[okp("b", ""), okp("a", "")]).unwrap();
        let c = parse(&[okp("a", "")]).unwrap();
        assert!(a.same_as(&b));
        assert!(!a.same_as(&c));
    }
}
