//! Without the `jwks` feature: the same interface as `public_keys.rs` and
//! `settings.rs`, accepting no public-key token, so that the verifier's core
//! reads the same either way.

use std::fmt;

use crate::error::config::ConfigError;
use crate::error::{Error, ErrorKind};
use crate::token::compact::Segments;
use crate::token::decode::DecodeClaims;
use crate::token::header::Algorithm;
use crate::token::policy::Policy;

/// Why a token did not pass: always a refusal (no JWKS to wait for).
pub(crate) enum Stop {
    Refused(ErrorKind),
}

impl From<ErrorKind> for Stop {
    fn from(kind: ErrorKind) -> Self {
        Self::Refused(kind)
    }
}

impl From<Stop> for Error {
    fn from(Stop::Refused(kind): Stop) -> Self {
        kind.into()
    }
}

impl Stop {
    pub(crate) fn now<T>(result: Result<T, Stop>) -> Option<Result<T, Error>> {
        Some(result.map_err(Error::from))
    }

    pub(crate) async fn wait_then<T>(
        self,
        _again: impl FnOnce() -> Result<T, Error>,
    ) -> Result<T, Error> {
        Err(self.into())
    }
}

/// No JWKS: public-key tokens are refused as of an unsupported algorithm.
pub(crate) struct PublicKeys {
    policy: Policy,
}

impl fmt::Debug for PublicKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("None")
    }
}

impl PublicKeys {
    pub(crate) fn policy(&self) -> &Policy {
        &self.policy
    }

    pub(crate) fn cached<T: DecodeClaims>(&self, _: &str) -> Option<Result<T, ErrorKind>> {
        None
    }

    pub(crate) fn verify(
        &self,
        _: Algorithm,
        _: Option<&str>,
        _: &Segments<'_>,
    ) -> Result<Option<u64>, Stop> {
        Err(ErrorKind::UnsupportedAlgorithm.into())
    }

    pub(crate) fn remember(&self, _: &str, _: &[u8], _: Option<u64>) {}

    pub(crate) fn names_key(&self, _: Option<&str>) -> bool {
        false
    }

    pub(crate) fn is_ready(&self) -> bool {
        true
    }

    pub(crate) fn accepts_plain_tokens(&self) -> bool {
        true
    }
}

/// No JWKS settings to hold.
#[derive(Debug, Default)]
pub(crate) struct JwksSettings {
    _none: (),
}

impl JwksSettings {
    pub(crate) fn is_set(&self) -> bool {
        false
    }

    pub(crate) fn build(self, policy: &Policy, _: bool) -> Result<PublicKeys, ConfigError> {
        Ok(PublicKeys {
            policy: policy.clone(),
        })
    }
}
