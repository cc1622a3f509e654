//! The claim policy: what a token's registered claims must say to be accepted.

use std::sync::OnceLock;

use crate::error::ErrorKind;
use crate::error::config::ConfigError;
use crate::token::claims::{Claims, Credential, Fields, NumericDate, RawClaims};
use crate::token::clock::Clock;
use crate::token::strict_json::Scalar;

/// How strictly an `iss` or `aud` claim is checked against the accepted values.
///
/// ```
/// use jwtguard::{ClaimCheck, Verifier};
///
/// let verifier = Verifier::builder()
///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
///     .claim_rules(|rules| rules.issuer("nextjs-frontend").issuer_check(ClaimCheck::Required))
///     .build()?;
/// # Ok::<(), jwtguard::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClaimCheck {
    /// The claim is not compared (its type is still checked).
    #[default]
    Skip,
    /// The claim may be absent; when present it must match: the rule of the
    /// FastAPI + python-jose pattern, and what `.issuer(..)` /
    /// `.audience(..)` select.
    IfPresent,
    /// The claim must be present and match.
    Required,
}

/// The `aud` of Better Auth's session-cache JWT; see
/// [`ErrorKind::SessionCacheToken`].
pub(crate) const SESSION_CACHE_AUDIENCE: &str = "better-auth:session-cache";

/// The beyond-leeway allowance for `iat` in the future: a front end whose
/// clock runs a little ahead still works, a token "issued" tomorrow does not.
pub(crate) const IAT_FUTURE_ALLOWANCE_SECS: f64 = 60.0;

/// Everything `verify` checks in the claims, fixed at `build()`.
///
/// Public only so that [`DecodeClaims`](crate::DecodeClaims) can name it; not
/// reachable from outside the crate.
#[derive(Debug, Clone)]
pub struct Policy {
    pub(crate) leeway_secs: f64,
    pub(crate) require_exp: bool,
    pub(crate) issuer_check: ClaimCheck,
    pub(crate) issuers: Vec<String>,
    pub(crate) audience_check: ClaimCheck,
    pub(crate) audiences: Vec<String>,
    pub(crate) clock: Clock,
}

impl Policy {
    /// For tests: no `iss`, `aud` or `exp` required, no leeway, and "now"
    /// fixed at `now` (seconds since the epoch).
    #[cfg(test)]
    pub(crate) fn lenient_at(now: i64) -> Self {
        Self {
            leeway_secs: 0.0,
            require_exp: false,
            issuer_check: ClaimCheck::Skip,
            issuers: vec![],
            audience_check: ClaimCheck::Skip,
            audiences: vec![],
            clock: Clock::fixed_unix(now),
        }
    }

    /// Refuses a policy whose `iss` or `aud` check is on without any
    /// accepted value: it would refuse every token that carries the claim.
    pub(crate) fn check_values(&self) -> Result<(), ConfigError> {
        for (check, accepted, claim, setter) in [
            (self.issuer_check, &self.issuers, "iss", "issuer"),
            (self.audience_check, &self.audiences, "aud", "audience"),
        ] {
            if check != ClaimCheck::Skip && accepted.is_empty() {
                return Err(ConfigError::CheckWithoutValues { claim, setter });
            }
        }
        Ok(())
    }

    /// Checks the registered claims without copying anything out of them.
    pub(crate) fn validate(&self, raw: &RawClaims<'_>) -> Result<(), ErrorKind> {
        let exp = numeric_date(raw.exp.as_ref(), "exp")?;
        let nbf = numeric_date(raw.nbf.as_ref(), "nbf")?;
        let iat = numeric_date(raw.iat.as_ref(), "iat")?;
        let iss = match &raw.iss {
            None => None,
            Some(Scalar::Str(iss)) => Some(iss.as_ref()),
            Some(_) => return Err(ErrorKind::InvalidClaim("iss")),
        };
        let aud = audiences(raw.aud.as_ref())?;
        // Whatever the audience setting: the session cache is never a bearer token.
        if aud.is_some_and(|aud| aud.any_in(&[SESSION_CACHE_AUDIENCE])) {
            return Err(ErrorKind::SessionCacheToken);
        }

        self.check_times(exp, nbf, iat)?;
        check_issuer(self.issuer_check, &self.issuers, iss)?;
        check_audience(self.audience_check, &self.audiences, aud)?;

        // Last, so that a token for another issuer or audience, or an expired
        // one, says so rather than that its subject is odd.
        match &raw.sub {
            Some(Scalar::Str(sub)) if !sub.is_empty() => Ok(()),
            _ => Err(ErrorKind::InvalidSubject),
        }
    }

    /// Checks the registered claims and returns them typed; the others stay
    /// in `payload` until asked for.
    pub(crate) fn check(&self, raw: RawClaims<'_>, payload: &[u8]) -> Result<Claims, ErrorKind> {
        self.validate(&raw)?;
        let date = |value: Option<Scalar<'_>>| match value {
            Some(Scalar::Num(seconds)) => Some(NumericDate::from_unix(seconds)),
            _ => None,
        };
        Ok(Claims::new(Fields {
            exp: date(raw.exp),
            nbf: date(raw.nbf),
            iat: date(raw.iat),
            issuer_audience: OnceLock::new(),
            sub: match raw.sub {
                Some(Scalar::Str(sub)) => sub.into_owned(),
                _ => String::new(),
            },
            payload: payload.into(),
            extra: OnceLock::new(),
            credential: Credential::Jwt,
        }))
    }

    pub(crate) fn check_times(
        &self,
        exp: Option<NumericDate>,
        nbf: Option<NumericDate>,
        iat: Option<NumericDate>,
    ) -> Result<(), ErrorKind> {
        let now = self.clock.now_unix();
        match exp {
            None if self.require_exp => return Err(ErrorKind::MissingClaim("exp")),
            Some(exp) if now > exp.as_secs_f64() + self.leeway_secs => {
                return Err(ErrorKind::Expired);
            }
            _ => {}
        }
        if let Some(nbf) = nbf {
            if now < nbf.as_secs_f64() - self.leeway_secs {
                return Err(ErrorKind::NotYetValid);
            }
        }
        if let Some(iat) = iat {
            if iat.as_secs_f64() > now + self.leeway_secs.max(IAT_FUTURE_ALLOWANCE_SECS) {
                return Err(ErrorKind::IssuedInFuture);
            }
        }
        Ok(())
    }
}

fn numeric_date(
    value: Option<&Scalar<'_>>,
    name: &'static str,
) -> Result<Option<NumericDate>, ErrorKind> {
    match value {
        None => Ok(None),
        Some(Scalar::Num(seconds)) => Ok(Some(NumericDate::from_unix(*seconds))),
        Some(_) => Err(ErrorKind::InvalidClaim(name)),
    }
}

/// A token's `aud`, borrowed: one string or an array of strings.
#[derive(Clone, Copy)]
enum Audiences<'a> {
    One(&'a str),
    Many(&'a [String]),
}

impl Audiences<'_> {
    fn any_in(self, accepted: &[impl AsRef<str>]) -> bool {
        let accepted = |aud: &str| accepted.iter().any(|a| a.as_ref() == aud);
        match self {
            Self::One(aud) => accepted(aud),
            Self::Many(auds) => auds.iter().any(|aud| accepted(aud)),
        }
    }
}

/// `aud`: `None` when absent, an error when neither a string nor strings.
fn audiences<'a>(value: Option<&'a Scalar<'_>>) -> Result<Option<Audiences<'a>>, ErrorKind> {
    Ok(match value {
        None => None,
        Some(Scalar::Str(aud)) => Some(Audiences::One(aud)),
        Some(Scalar::Strings(auds)) => Some(Audiences::Many(auds)),
        Some(_) => return Err(ErrorKind::InvalidClaim("aud")),
    })
}

fn check_issuer(
    check: ClaimCheck,
    accepted: &[String],
    iss: Option<&str>,
) -> Result<(), ErrorKind> {
    match (check, iss) {
        (ClaimCheck::Skip, _) | (ClaimCheck::IfPresent, None) => Ok(()),
        (ClaimCheck::Required, None) => Err(ErrorKind::MissingClaim("iss")),
        (_, Some(iss)) if accepted.iter().any(|a| a == iss) => Ok(()),
        (_, Some(_)) => Err(ErrorKind::InvalidIssuer),
    }
}

/// An empty `aud` array is present and names no one, so it never matches.
fn check_audience(
    check: ClaimCheck,
    accepted: &[String],
    aud: Option<Audiences<'_>>,
) -> Result<(), ErrorKind> {
    match (check, aud) {
        (ClaimCheck::Skip, _) | (ClaimCheck::IfPresent, None) => Ok(()),
        (ClaimCheck::Required, None) => Err(ErrorKind::MissingClaim("aud")),
        (_, Some(aud)) if aud.any_in(accepted) => Ok(()),
        (_, Some(_)) => Err(ErrorKind::InvalidAudience),
    }
}
