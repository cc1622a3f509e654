//! DPoP proofs (RFC 9449 4.3), checked as Better Auth's token endpoint
//! checks them, for a request that presents a DPoP-bound access token:
//! the one `DPoP` header, a `dpop+jwt` signed by the asymmetric key in its
//! own `jwk`, for this method and URL, fresh, bound to this token (`ath`)
//! and never seen before (`jti`, through a [`ReplayStore`]).

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::value::RawValue;
use sha2::{Digest as _, Sha256};

use crate::error::ErrorKind;
use crate::http::credentials::HeaderSource;
use crate::jwks::document::proof_key;
use crate::oauth::replay::replay_key;
use crate::oauth::resource::request_url;
use crate::token::compact::{Segments, decode};
use crate::token::header::{Algorithm, is_media_type};

/// The largest `DPoP` header accepted, in bytes: a proof with an RSA-4096
/// key is about 1.5 KB; a larger one is refused before any decoding.
pub const MAX_DPOP_PROOF_LEN: usize = 4 * 1024;

/// The proof's `typ` (RFC 9449 4.2).
const DPOP_TYP: &str = "dpop+jwt";

/// When a proof is fresh, by its `iat` (Better Auth's own window: 5 s
/// ahead, 300 s back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Freshness {
    pub(crate) ahead: Duration,
    pub(crate) back: Duration,
}

impl Default for Freshness {
    fn default() -> Self {
        Self {
            ahead: Duration::from_secs(5),
            back: Duration::from_secs(300),
        }
    }
}

/// What a checked proof leaves to do: its replay key, to record until
/// `expires_at` (Unix seconds).
#[derive(Debug)]
pub(crate) struct CheckedProof {
    pub(crate) replay_key: String,
    pub(crate) expires_at: u64,
}

/// What the request is, as the proof must name it.
pub(crate) struct Target<'a> {
    pub(crate) method: &'a str,
    /// The public URL of the request, as `request_url` writes it.
    pub(crate) url: &'a str,
    /// The access token the proof must be bound to (`ath`).
    pub(crate) token: &'a str,
    /// The thumbprint the token is bound to (`cnf.jkt`).
    pub(crate) jkt: &'a str,
    pub(crate) now: f64,
}

#[derive(Deserialize)]
struct ProofHeader<'a> {
    typ: Option<String>,
    alg: Option<String>,
    #[serde(borrow)]
    jwk: Option<&'a RawValue>,
    crit: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct ProofClaims {
    jti: Option<String>,
    htm: Option<String>,
    htu: Option<String>,
    iat: Option<f64>,
    ath: Option<String>,
}

/// The request's one `DPoP` header, as text.
pub(crate) fn proof_header<H: HeaderSource>(headers: &H) -> Result<&str, ErrorKind> {
    let mut values = headers.header_values("dpop");
    match (values.next(), values.next()) {
        (Some(value), None) if value.len() <= MAX_DPOP_PROOF_LEN => {
            std::str::from_utf8(value).map_err(|_| ErrorKind::InvalidDpopProof)
        }
        _ => Err(ErrorKind::InvalidDpopProof),
    }
}

/// Checks `proof` for `target`, with the algorithms `allowed`: everything
/// but the replay, which the caller asks its store about.
pub(crate) fn check(
    proof: &str,
    target: &Target<'_>,
    allowed: &[Algorithm],
    freshness: Freshness,
) -> Result<CheckedProof, ErrorKind> {
    fn invalid<E>(_: E) -> ErrorKind {
        ErrorKind::InvalidDpopProof
    }
    let segments = Segments::split(proof).map_err(invalid)?;
    let header_bytes = decode(segments.header).map_err(invalid)?;
    let header: ProofHeader<'_> = serde_json::from_slice(&header_bytes).map_err(invalid)?;
    if header.crit.is_some() || !header.typ.is_some_and(|typ| is_media_type(&typ, DPOP_TYP)) {
        return Err(ErrorKind::InvalidDpopProof);
    }
    let alg = (header.alg.as_deref())
        .and_then(Algorithm::from_name)
        .filter(|alg| *alg != Algorithm::Hs256 && allowed.contains(alg))
        .ok_or(ErrorKind::InvalidDpopProof)?;
    let jwk = header.jwk.ok_or(ErrorKind::InvalidDpopProof)?;
    let (key, thumbprint) = proof_key(jwk.get(), alg).map_err(invalid)?;
    // Before the signature: only the key the token is bound to is worth a
    // signature check (an RSA-8192 key costs milliseconds), and a client
    // with another key learns nothing more from its answer.
    if thumbprint != target.jkt {
        return Err(ErrorKind::DpopKeyMismatch);
    }
    let signature = decode(segments.signature).map_err(invalid)?;
    key.verify(segments.signing_input, &signature)
        .map_err(invalid)?;

    let claims: ProofClaims =
        serde_json::from_slice(&decode(segments.payload).map_err(invalid)?).map_err(invalid)?;
    let (Some(jti), Some(htm), Some(htu), Some(iat), Some(ath)) =
        (claims.jti, claims.htm, claims.htu, claims.iat, claims.ath)
    else {
        return Err(ErrorKind::InvalidDpopProof);
    };
    // Better Auth compares the method without regard to case, and allows
    // `jti`s of up to 512 characters.
    if jti.is_empty() || jti.len() > 512 || !htm.eq_ignore_ascii_case(target.method) {
        return Err(ErrorKind::InvalidDpopProof);
    }
    // The query is not compared (RFC 9449 4.3); a fragment has no place.
    if request_url(&htu).as_deref() != Some(target.url) {
        return Err(ErrorKind::InvalidDpopProof);
    }
    let (ahead, back) = (freshness.ahead.as_secs_f64(), freshness.back.as_secs_f64());
    if !iat.is_finite() || iat > target.now + ahead || iat < target.now - back {
        return Err(ErrorKind::InvalidDpopProof);
    }
    if ath != URL_SAFE_NO_PAD.encode(Sha256::digest(target.token.as_bytes())) {
        return Err(ErrorKind::InvalidDpopProof);
    }
    Ok(CheckedProof {
        replay_key: replay_key(&thumbprint, &jti),
        // Past the window, the proof is refused as stale anyway.
        expires_at: (iat + back + ahead).ceil().max(0.0) as u64,
    })
}
