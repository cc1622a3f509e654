//! [`ClaimRules`]: what a token's registered claims must say, as configured.

use std::time::Duration;

use crate::error::config::ConfigError;
use crate::token::clock::Clock;
use crate::token::policy::{ClaimCheck, Policy};

/// The rules for a token's registered claims: accepted issuers and
/// audiences and how strictly they are checked, the clock-skew leeway, and
/// whether `exp` is required. Set with
/// [`VerifierBuilder::claim_rules`](crate::VerifierBuilder::claim_rules).
///
/// By default no `iss` or `aud` is compared, the leeway is zero and `exp`
/// is required. `sub` must always be a non-empty string.
///
/// ```
/// let verifier = jwtguard::Verifier::builder()
///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
///     .claim_rules(|rules| rules.issuer("nextjs-frontend").audience("fastapi-backend"))
///     .build()?;
/// # Ok::<(), jwtguard::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct ClaimRules {
    issuers: Vec<String>,
    issuer_check: ClaimCheck,
    audiences: Vec<String>,
    audience_check: ClaimCheck,
    leeway: Duration,
    require_exp: bool,
}

impl Default for ClaimRules {
    fn default() -> Self {
        Self {
            issuers: Vec::new(),
            issuer_check: ClaimCheck::Skip,
            audiences: Vec::new(),
            audience_check: ClaimCheck::Skip,
            leeway: Duration::ZERO,
            require_exp: true,
        }
    }
}

impl ClaimRules {
    /// Accepts tokens from `issuer` (call again to accept several). Unless
    /// [`issuer_check`](Self::issuer_check) says otherwise, `iss` is then
    /// checked when a token carries it, as the FastAPI + python-jose pattern does.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
    ///     .claim_rules(|rules| rules.issuer("nextjs-frontend"))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuers.push(issuer.into());
        if self.issuer_check == ClaimCheck::Skip {
            self.issuer_check = ClaimCheck::IfPresent;
        }
        self
    }

    /// Sets how `iss` is checked.
    ///
    /// ```
    /// use jwtguard::ClaimCheck;
    /// let verifier = jwtguard::Verifier::builder()
    ///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
    ///     .claim_rules(|rules| rules.issuer("nextjs-frontend").issuer_check(ClaimCheck::Required))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn issuer_check(mut self, check: ClaimCheck) -> Self {
        self.issuer_check = check;
        self
    }

    /// Accepts tokens for `audience` (call again to accept several). A token's
    /// `aud` may be a string or an array; it matches when any element does.
    /// Unless [`audience_check`](Self::audience_check) says otherwise, `aud`
    /// is then checked when a token carries it.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
    ///     .claim_rules(|rules| rules.audience("fastapi-backend"))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        if self.audience_check == ClaimCheck::Skip {
            self.audience_check = ClaimCheck::IfPresent;
        }
        self
    }

    /// Sets how `aud` is checked.
    ///
    /// ```
    /// use jwtguard::ClaimCheck;
    /// let verifier = jwtguard::Verifier::builder()
    ///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
    ///     .claim_rules(|rules| rules.audience("fastapi-backend").audience_check(ClaimCheck::Required))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn audience_check(mut self, check: ClaimCheck) -> Self {
        self.audience_check = check;
        self
    }

    /// Allowed clock skew for `exp` and `nbf` (default 0, as python-jose).
    /// `iat` may be up to 60 seconds, or the leeway if larger, in the future.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
    ///     .claim_rules(|rules| rules.leeway(std::time::Duration::from_secs(30)))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Whether `exp` must be present (default `true`). Tokens without `exp`
    /// never expire; turn this off only for issuers you control that cannot set it.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
    ///     .claim_rules(|rules| rules.require_exp(false))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn require_exp(mut self, required: bool) -> Self {
        self.require_exp = required;
        self
    }

    /// The policy these rules make with `clock`; refuses an `iss` or `aud`
    /// check without any accepted value (it would refuse every token that
    /// carries the claim).
    pub(crate) fn policy(self, clock: Clock) -> Result<Policy, ConfigError> {
        let policy = Policy {
            leeway_secs: self.leeway.as_secs_f64(),
            require_exp: self.require_exp,
            issuer_check: self.issuer_check,
            issuers: self.issuers,
            audience_check: self.audience_check,
            audiences: self.audiences,
            clock,
        };
        policy.check_values()?;
        Ok(policy)
    }
}
