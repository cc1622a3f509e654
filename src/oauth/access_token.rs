//! Verifying an access token, as a bearer token or with its DPoP proof:
//! [`AccessTokens`], what `OAuthSettings` built.

use std::fmt;
use std::sync::Arc;

use http::Response;
use serde::Deserialize;
use serde_json::Value;

use crate::credential::RequestParts;
use crate::error::{Error, ErrorKind};
use crate::http::credentials::{HeaderSource, token_text};
use crate::jwks::Stop;
use crate::oauth::dpop::{self, Freshness, Target};
use crate::oauth::introspection::Introspection;
use crate::oauth::metadata::Metadata;
use crate::oauth::replay::ReplayStore;
use crate::oauth::resource::{request_url, same_resource};
use crate::token::claims::Credential;
use crate::token::compact::Scratch;
use crate::token::decode::DecodeClaims;
use crate::token::header::Algorithm;
use crate::token::policy::Policy;
use crate::trace;
use crate::verifier::{Checked, Verifier};

/// The longest opaque token sent to the introspection endpoint (Better
/// Auth's are 32 characters); a longer one is refused without a call.
const MAX_OPAQUE_TOKEN_LEN: usize = 512;

/// The access-token rules of a verifier, fixed at `build()`.
pub(crate) struct AccessTokens {
    /// This service's resource identifier, canonical.
    pub(crate) resource: String,
    /// The public origin requests arrive at (DPoP `htu`), canonical.
    pub(crate) public_url: String,
    /// `iss` required and exact, `exp` required, the times; `aud` is
    /// compared here, as a canonical URI.
    pub(crate) policy: Policy,
    pub(crate) jwt_plugin_tokens: bool,
    /// Empty: DPoP is off.
    pub(crate) dpop_algorithms: Vec<Algorithm>,
    pub(crate) freshness: Freshness,
    pub(crate) replay_store: Arc<dyn ReplayStore>,
    pub(crate) metadata: Metadata,
    /// Opaque tokens' introspection (feature `oauth-introspection`).
    pub(crate) introspection: Option<Introspection>,
    /// Introspected tokens may name no audience.
    pub(crate) opaque_without_audience: bool,
}

impl fmt::Debug for AccessTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessTokens")
            .field("resource", &self.resource)
            .field("issuers", &self.policy.issuers)
            .field("public_url", &self.public_url)
            .field("jwt_plugin_tokens", &self.jwt_plugin_tokens)
            .field("dpop_algorithms", &self.dpop_algorithms)
            .field("introspection", &self.introspection)
            .finish_non_exhaustive()
    }
}

/// The access-token claims the registered-claims policy does not check,
/// each read once (a member named twice is refused by serde).
#[derive(Deserialize)]
struct AccessClaims {
    aud: Option<Value>,
    client_id: Option<Value>,
    azp: Option<Value>,
    scope: Option<Value>,
    cnf: Option<Value>,
    /// An introspection answer's (RFC 7662 2.2).
    token_type: Option<Value>,
}

/// Where verified access-token claims came from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    /// A JWT whose signature a JWKS key checked.
    Jwt,
    /// An introspection answer for an opaque token.
    Introspection,
}

impl AccessTokens {
    /// The token of an `Authorization: DPoP <token>` value, when DPoP is on;
    /// `None` for any other scheme.
    pub(crate) fn dpop_from_authorization<'v>(
        &self,
        value: &'v [u8],
    ) -> Result<Option<&'v str>, ErrorKind> {
        const SCHEME: &[u8] = b"DPoP ";
        let Some(scheme) = value.get(..SCHEME.len()) else {
            return Ok(None);
        };
        if self.dpop_algorithms.is_empty() || !scheme.eq_ignore_ascii_case(SCHEME) {
            return Ok(None);
        }
        token_text(&value[SCHEME.len()..])
            .map(Some)
            .ok_or(ErrorKind::InvalidAuthorizationHeader)
    }

    /// The opaque token of an `Authorization: Bearer <token>` value (no
    /// dots: not a JWT, not a bearer-plugin session token), when opaque
    /// tokens are introspected.
    pub(crate) fn opaque_from_authorization<'v>(&self, value: &'v [u8]) -> Option<&'v str> {
        self.introspection.as_ref()?;
        let token = crate::http::credentials::token_from_authorization(value).ok()?;
        (!token.contains('.')).then_some(token)
    }

    /// An opaque `Bearer` token from the introspection cache, without
    /// waiting; `None` when the endpoint must be asked.
    pub(crate) fn verify_opaque_now<T: DecodeClaims>(
        &self,
        token: &str,
    ) -> Option<Result<T, Error>> {
        if token.len() > MAX_OPAQUE_TOKEN_LEN {
            return Some(Err(ErrorKind::TokenTooLarge.into()));
        }
        let answer = self.introspection.as_ref()?.answer_now(token)?;
        Some(self.bearer_only(answer.and_then(|claims| self.introspected(&claims))))
    }

    /// An opaque `Bearer` token, introspected.
    pub(crate) async fn verify_opaque<T: DecodeClaims>(&self, token: &str) -> Result<T, Error> {
        let introspection = self.introspection.as_ref().ok_or(ErrorKind::Malformed)?;
        if token.len() > MAX_OPAQUE_TOKEN_LEN {
            return Err(ErrorKind::TokenTooLarge.into());
        }
        let claims = introspection.answer(token).await?;
        self.bearer_only(self.introspected(&claims))
    }

    /// Claims for a `Bearer` presentation: a token bound to a key is not.
    fn bearer_only<T>(&self, verified: Result<(T, Option<String>), ErrorKind>) -> Result<T, Error> {
        match verified? {
            (claims, None) => Ok(claims),
            (_, Some(_)) => Err(ErrorKind::DpopBoundToken.into()),
        }
    }

    /// Whether the JWT plugin's own tokens are accepted next to access
    /// tokens ([`OAuthSettings::jwt_plugin_tokens`](crate::OAuthSettings::jwt_plugin_tokens)).
    pub(crate) fn accepts_jwt_plugin_tokens(&self) -> bool {
        self.jwt_plugin_tokens
    }

    /// An introspection answer's claims, checked as a JWT's would be.
    fn introspected<T: DecodeClaims>(
        &self,
        claims: &[u8],
    ) -> Result<(T, Option<String>), ErrorKind> {
        self.check_claims(claims, Source::Introspection)
    }

    /// A compact JWT sent as `Bearer`: an access token that is not bound
    /// to a key, or (when accepted) a JWT plugin or HS256 token under the
    /// verifier's own rules.
    pub(crate) fn verify_bearer<T: DecodeClaims>(
        &self,
        verifier: &Verifier,
        token: &str,
    ) -> Result<T, Stop> {
        // Only accepted JWT plugin tokens are ever remembered (never access
        // tokens): `plain_claims` refuses the others before remembering.
        if let Some(claims) = verifier.inner.public_keys.cached(token) {
            return claims.map_err(Stop::from);
        }
        let mut scratch = Scratch::<1024>::new();
        let checked = verifier.checked_payload(token, |segment| scratch.decode(segment))?;
        if !checked.access_token {
            // A JWT plugin token a resource server refuses is refused there.
            return Ok(verifier.plain_claims(token, &checked)?);
        }
        match self.access_claims(&checked)? {
            (claims, None) => Ok(claims),
            (_, Some(_)) => Err(ErrorKind::DpopBoundToken.into()),
        }
    }

    /// An access token sent as `DPoP` with its proof: the token must be
    /// bound to the proof's key, and the proof valid for this request and
    /// never used before.
    pub(crate) async fn verify_dpop<T: DecodeClaims, H: HeaderSource>(
        &self,
        verifier: &Verifier,
        token: &str,
        request: &RequestParts<'_, H>,
    ) -> Result<T, Error> {
        let (claims, jkt) = match &self.introspection {
            Some(_) if !token.contains('.') && token.len() > MAX_OPAQUE_TOKEN_LEN => {
                return Err(ErrorKind::TokenTooLarge.into());
            }
            Some(introspection) if !token.contains('.') => {
                self.introspected(&introspection.answer(token).await?)?
            }
            _ => match self.bound_token(verifier, token) {
                Ok(verified) => verified,
                Err(stop) => {
                    stop.wait_then(|| self.bound_token(verifier, token).map_err(Error::from))
                        .await?
                }
            },
        };
        let jkt = jkt.ok_or(ErrorKind::DpopKeyMismatch)?;
        let proof = dpop::proof_header(request.headers())?;
        let url = request_url(&format!("{}{}", self.public_url, request.path()))
            .ok_or(ErrorKind::InvalidDpopProof)?;
        let target = Target {
            method: request.method(),
            url: &url,
            token,
            jkt: &jkt,
            now: self.policy.clock.now_unix(),
        };
        let proof = dpop::check(proof, &target, &self.dpop_algorithms, self.freshness)?;
        match (self.replay_store)
            .first_use(&proof.replay_key, proof.expires_at)
            .await
        {
            Ok(true) => Ok(claims),
            Ok(false) => Err(ErrorKind::DpopReplay.into()),
            Err(error) => {
                trace::replay_store_unavailable(&error);
                Err(ErrorKind::ReplayStoreUnavailable.into())
            }
        }
    }

    /// The claims of an access token and the key it is bound to, if any.
    fn bound_token<T: DecodeClaims>(
        &self,
        verifier: &Verifier,
        token: &str,
    ) -> Result<(T, Option<String>), Stop> {
        let mut scratch = Scratch::<1024>::new();
        let checked = verifier.checked_payload(token, |segment| scratch.decode(segment))?;
        if !checked.access_token {
            return Err(ErrorKind::NotAnAccessToken.into());
        }
        Ok(self.access_claims(&checked)?)
    }

    /// Checks a signed access token's claims.
    fn access_claims<T: DecodeClaims>(
        &self,
        checked: &Checked<'_>,
    ) -> Result<(T, Option<String>), ErrorKind> {
        if !checked.public_key {
            // Better Auth signs access tokens with its JWKS keys only; a
            // shared-secret `at+jwt` is nothing it issued.
            return Err(ErrorKind::AccessTokenNotAccepted);
        }
        self.check_claims(checked.payload, Source::Jwt)
    }

    /// Checks access-token claims: the registered ones by the policy
    /// (`iss`, `exp`, `nbf`, `iat`, `sub`), then `aud`, `client_id` or
    /// `azp`, `scope`, `cnf` and (introspected) `token_type`; returns the
    /// claims and the key thumbprint the token is bound to, if any.
    fn check_claims<T: DecodeClaims>(
        &self,
        payload: &[u8],
        source: Source,
    ) -> Result<(T, Option<String>), ErrorKind> {
        let claims = T::decode_claims(payload, &self.policy)?;
        let extra: AccessClaims =
            serde_json::from_slice(payload).map_err(|_| ErrorKind::Malformed)?;
        let mut dpop = false;
        if source == Source::Introspection {
            // Better Auth answers `Bearer`, or `DPoP` for a token bound to
            // a DPoP key (whose `cnf.jkt` it then gives).
            match &extra.token_type {
                None => {}
                Some(Value::String(kind)) if kind.eq_ignore_ascii_case("bearer") => {}
                Some(Value::String(kind)) if kind.eq_ignore_ascii_case("dpop") => dpop = true,
                Some(_) => return Err(ErrorKind::NotAnAccessToken),
            }
        }
        let unchecked_audience =
            source == Source::Introspection && extra.aud.is_none() && self.opaque_without_audience;
        if !unchecked_audience {
            self.check_audience(extra.aud.as_ref())?;
        }
        let (claims, jkt) = self.finish(claims, extra)?;
        if dpop && jkt.is_none() {
            return Err(ErrorKind::InvalidClaim("cnf"));
        }
        Ok((claims, jkt))
    }

    /// The checks after the audience's.
    fn finish<T: DecodeClaims>(
        &self,
        claims: T,
        extra: AccessClaims,
    ) -> Result<(T, Option<String>), ErrorKind> {
        let client = |value: &Option<Value>| match value {
            None => Ok(false),
            Some(Value::String(id)) if !id.is_empty() => Ok(true),
            Some(_) => Err(()),
        };
        match (client(&extra.client_id), client(&extra.azp)) {
            (Err(()), _) => return Err(ErrorKind::InvalidClaim("client_id")),
            (_, Err(())) => return Err(ErrorKind::InvalidClaim("azp")),
            (Ok(false), Ok(false)) => return Err(ErrorKind::MissingClaim("client_id")),
            _ => {}
        }
        if !matches!(extra.scope, None | Some(Value::String(_))) {
            return Err(ErrorKind::InvalidClaim("scope"));
        }
        // A DPoP key (`jkt`) is the one binding checked here. Any other
        // confirmation binds the token to something this verifier never
        // sees: Better Auth's provider also issues RFC 8705 tokens bound to
        // a client certificate (`x5t#S256`), presented as `Bearer`. Taken as
        // a plain bearer token, a stolen one would work; it is refused.
        let jkt = match extra.cnf {
            None => None,
            Some(Value::Object(mut cnf)) => match cnf.remove("jkt") {
                Some(Value::String(jkt)) if !jkt.is_empty() && cnf.is_empty() => Some(jkt),
                _ => return Err(ErrorKind::InvalidClaim("cnf")),
            },
            Some(_) => return Err(ErrorKind::InvalidClaim("cnf")),
        };
        Ok((claims.with_credential(Credential::AccessToken), jkt))
    }

    /// `aud` must name this resource: one string, or an array with it
    /// (Better Auth adds its userinfo URL when `openid` was asked for).
    fn check_audience(&self, aud: Option<&Value>) -> Result<(), ErrorKind> {
        let names = |aud: &str| same_resource(aud, &self.resource);
        match aud {
            None => Err(ErrorKind::MissingClaim("aud")),
            Some(Value::String(aud)) if names(aud) => Ok(()),
            Some(Value::String(_)) => Err(ErrorKind::InvalidAudience),
            Some(Value::Array(auds)) => {
                if !auds.iter().all(Value::is_string) {
                    Err(ErrorKind::InvalidClaim("aud"))
                } else if auds.iter().filter_map(Value::as_str).any(names) {
                    Ok(())
                } else {
                    Err(ErrorKind::InvalidAudience)
                }
            }
            Some(_) => Err(ErrorKind::InvalidClaim("aud")),
        }
    }

    /// The metadata document, when `method` and `path` ask for it.
    pub(crate) fn metadata_response(&self, method: &str, path: &str) -> Option<Response<String>> {
        self.metadata.response(method, path)
    }

    /// Points a 401's challenge to the metadata (and adds the DPoP one).
    pub(crate) fn amend(&self, error: &Error, response: &mut Response<String>) {
        self.metadata.amend(error, response);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::OAuthSettings;
    use crate::token::claims::Claims;
    use crate::token::clock::Clock;
    use crate::token::rules::ClaimRules;

    const RESOURCE: &str = "https://api.example.com";
    const ISSUER: &str = "https://app.example.com/api/auth";

    fn tokens(configure: impl FnOnce(OAuthSettings) -> OAuthSettings) -> AccessTokens {
        let policy = ClaimRules::default()
            .policy(Clock::fixed_unix(1_000))
            .unwrap();
        let settings = configure(OAuthSettings::default().resource(RESOURCE).issuer(ISSUER));
        settings.build(&policy).unwrap().unwrap()
    }

    fn answer(extra: Value) -> Vec<u8> {
        let mut claims = serde_json::json!({
            "active": true, "sub": "u", "client_id": "c", "iss": ISSUER, "exp": 2_000,
        });
        claims
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        serde_json::to_vec(&claims).unwrap()
    }

    #[test]
    fn an_introspected_token_must_be_an_access_token_for_this_resource() {
        let tokens = tokens(|oauth| oauth);
        let check = |extra| {
            tokens
                .introspected::<Claims>(&answer(extra))
                .map(|(c, jkt)| (c.sub().to_owned(), jkt))
        };
        assert_eq!(
            check(serde_json::json!({"aud": RESOURCE})),
            Ok(("u".to_owned(), None))
        );
        for (extra, kind) in [
            (
                serde_json::json!({"aud": RESOURCE, "token_type": "refresh_token"}),
                ErrorKind::NotAnAccessToken,
            ),
            (
                serde_json::json!({"aud": RESOURCE, "token_type": 1}),
                ErrorKind::NotAnAccessToken,
            ),
            (
                serde_json::json!({"aud": "https://other.example"}),
                ErrorKind::InvalidAudience,
            ),
            (serde_json::json!({}), ErrorKind::MissingClaim("aud")),
            (
                serde_json::json!({"aud": RESOURCE, "exp": 999}),
                ErrorKind::Expired,
            ),
            (
                serde_json::json!({"aud": RESOURCE, "iss": "https://evil.example"}),
                ErrorKind::InvalidIssuer,
            ),
            // `DPoP` says bound to a key, but names none.
            (
                serde_json::json!({"aud": RESOURCE, "token_type": "DPoP"}),
                ErrorKind::InvalidClaim("cnf"),
            ),
            // Bound to a client certificate (RFC 8705), presented as `Bearer`.
            (
                serde_json::json!({"aud": RESOURCE, "token_type": "Bearer",
                    "cnf": {"x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}}),
                ErrorKind::InvalidClaim("cnf"),
            ),
        ] {
            assert_eq!(check(extra.clone()).unwrap_err(), kind, "{extra}");
        }
        // Bound to a key: only with its proof.
        let bound =
            check(serde_json::json!({"aud": RESOURCE, "token_type": "DPoP", "cnf": {"jkt": "k"}}));
        assert_eq!(bound.unwrap().1.as_deref(), Some("k"));
    }

    #[cfg(feature = "oauth-introspection")]
    #[test]
    fn a_token_without_audience_passes_only_when_allowed() {
        let lenient = tokens(|oauth| oauth.opaque_tokens_without_audience(true));
        assert!(
            lenient
                .introspected::<Claims>(&answer(serde_json::json!({})))
                .is_ok()
        );
        // A wrong audience is still wrong.
        let wrong = answer(serde_json::json!({"aud": "https://other.example"}));
        assert_eq!(
            lenient.introspected::<Claims>(&wrong).unwrap_err(),
            ErrorKind::InvalidAudience
        );
    }
}
