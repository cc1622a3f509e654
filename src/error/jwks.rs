//! Why a JWKS could not be loaded, and which of its keys were skipped.

use std::fmt;

use thiserror::Error as ThisError;

/// Why a JWKS could not be used. A failed refresh keeps the keys already
/// loaded (up to [`max_age`](crate::JwksSettings::max_age)).
///
/// ```
/// let err = jwtguard::Verifier::builder().jwks(|keys| keys.json(r#"{"keys":[]}"#)).claim_rules(|rules| rules.audience("https://app.example.com")).build().unwrap_err();
/// assert!(matches!(
///     err,
///     jwtguard::ConfigError::Jwks { error: jwtguard::JwksError::NoUsableKeys { .. }, .. }
/// ));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
pub enum JwksError {
    /// The document is not a JSON object with a `keys` array.
    #[error("the JWKS is not a JSON object with a \"keys\" array")]
    NotAJwks,
    /// The document is longer than [`MAX_JWKS_LEN`](crate::limits::MAX_JWKS_LEN).
    #[error("the JWKS is larger than {max} bytes")]
    TooLarge {
        /// The limit.
        max: usize,
    },
    /// No key is usable: none is of a supported algorithm, or every one
    /// that is was skipped (the list says why).
    #[error(
        "the JWKS has no usable signing key (EdDSA on Ed25519, ES256, ES512, \
         or RS256/PS256 with an `alg`){}",
        SkippedList(skipped)
    )]
    NoUsableKeys {
        /// The keys that were skipped, and why.
        skipped: Vec<SkippedKey>,
    },
    /// An object of the document names a member twice: the key at `key`
    /// (its position in `keys`, from 0), or, when `None`, the document
    /// around the keys. Parsers disagree on which of the two counts, and no
    /// issuer writes it (JavaScript objects cannot hold it), so the whole
    /// document is refused, not only that key.
    ///
    /// ```
    /// let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AA","x":"BB"}]}"#;
    /// let err = jwtguard::Verifier::builder().jwks(|keys| keys.json(jwks)).claim_rules(|rules| rules.audience("https://app.example.com")).build().unwrap_err();
    /// assert!(matches!(
    ///     err,
    ///     jwtguard::ConfigError::Jwks {
    ///         error: jwtguard::JwksError::DuplicateMember { key: Some(0) },
    ///         ..
    ///     }
    /// ));
    /// ```
    #[error("the JWKS names a member twice in {}", Where(*key))]
    DuplicateMember {
        /// The key's position in `keys`, from 0; `None` outside the keys.
        key: Option<usize>,
    },
    /// The document could not be fetched.
    #[error("fetching the JWKS failed: {0}")]
    Fetch(String),
}

/// Where in a JWKS a member name appeared twice.
struct Where(Option<usize>);

impl fmt::Display for Where {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(index) => write!(f, "key #{index}"),
            None => f.write_str("the document outside its keys"),
        }
    }
}

/// A key of a JWKS that was not loaded, and why. The other keys still are.
///
/// ```
/// let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed448","alg":"EdDSA","kid":"a","x":"AA"}]}"#;
/// let err = jwtguard::Verifier::builder().jwks(|keys| keys.json(jwks)).claim_rules(|rules| rules.audience("https://app.example.com")).build().unwrap_err();
/// let jwtguard::ConfigError::Jwks { error: jwtguard::JwksError::NoUsableKeys { skipped }, .. } = err else {
///     panic!("{err}")
/// };
/// assert_eq!(skipped[0].kid.as_deref(), Some("a"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedKey {
    /// Its position in `keys`, from 0.
    pub index: usize,
    /// Its `kid`, if any.
    pub kid: Option<String>,
    /// Why it was skipped (fixed text; key material is never shown).
    pub reason: &'static str,
}

impl fmt::Display for SkippedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "key #{} (kid {:?}): {}",
            self.index, self.kid, self.reason
        )
    }
}

struct SkippedList<'a>(&'a [SkippedKey]);

impl fmt::Display for SkippedList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, key) in self.0.iter().enumerate() {
            f.write_str(if n == 0 { "; skipped " } else { ", " })?;
            fmt::Display::fmt(key, f)?;
        }
        Ok(())
    }
}
