//! The claim policy: what a token's registered claims must say to be accepted.

use crate::claims::{Claims, NumericDate, RawClaims};
use crate::strict_json::Scalar;
use crate::{Clock, ErrorKind};

/// How strictly an `iss` or `aud` claim is checked against the accepted values.
///
/// ```
/// use jwtguard::{ClaimCheck, Verifier};
///
/// let verifier = Verifier::builder()
///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
///     .issuer("nextjs-frontend")
///     .issuer_check(ClaimCheck::Required)
///     .build()?;
/// # Ok::<(), jwtguard::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClaimCheck {
    /// The claim is not compared (its type is still checked).
    #[default]
    Skip,
    /// The claim may be absent; when present it must match. The seed's
    /// behaviour, and what `.issuer(..)` / `.audience(..)` select.
    IfPresent,
    /// The claim must be present and match.
    Required,
}

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
    /// Checks the registered claims and returns them typed.
    pub(crate) fn check(&self, raw: RawClaims<'_>) -> Result<Claims, ErrorKind> {
        let exp = numeric_date(raw.exp, "exp")?;
        let nbf = numeric_date(raw.nbf, "nbf")?;
        let iat = numeric_date(raw.iat, "iat")?;
        let iss = match raw.iss {
            None => None,
            Some(Scalar::Str(iss)) => Some(iss),
            Some(_) => return Err(ErrorKind::InvalidClaim("iss")),
        };
        let aud = audiences(raw.aud)?;

        self.check_times(exp, nbf, iat)?;
        check_issuer(self.issuer_check, &self.issuers, iss.as_deref())?;
        check_audience(self.audience_check, &self.audiences, aud.as_deref())?;

        // Last, so that a token for another issuer or audience, or an expired
        // one, says so rather than that its subject is odd.
        let sub = match raw.sub {
            Some(Scalar::Str(sub)) if !sub.is_empty() => sub.into_owned(),
            _ => return Err(ErrorKind::InvalidSubject),
        };

        Ok(Claims {
            sub,
            exp,
            nbf,
            iat,
            iss: iss.map(|iss| iss.into_owned()),
            aud: aud.unwrap_or_default(),
            extra: raw.extra,
        })
    }

    fn check_times(
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
    value: Option<Scalar<'_>>,
    name: &'static str,
) -> Result<Option<NumericDate>, ErrorKind> {
    match value {
        None => Ok(None),
        Some(Scalar::Num(seconds)) => Ok(Some(NumericDate::from_unix(seconds))),
        Some(_) => Err(ErrorKind::InvalidClaim(name)),
    }
}

/// `aud` as a list: `None` when absent, a list of one for a single string.
fn audiences(value: Option<Scalar<'_>>) -> Result<Option<Vec<String>>, ErrorKind> {
    match value {
        None => Ok(None),
        Some(Scalar::Str(aud)) => Ok(Some(vec![aud.into_owned()])),
        Some(Scalar::Strings(auds)) => Ok(Some(auds)),
        Some(_) => Err(ErrorKind::InvalidClaim("aud")),
    }
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
    aud: Option<&[String]>,
) -> Result<(), ErrorKind> {
    match (check, aud) {
        (ClaimCheck::Skip, _) | (ClaimCheck::IfPresent, None) => Ok(()),
        (ClaimCheck::Required, None) => Err(ErrorKind::MissingClaim("aud")),
        (_, Some(aud)) if aud.iter().any(|a| accepted.contains(a)) => Ok(()),
        (_, Some(_)) => Err(ErrorKind::InvalidAudience),
    }
}
