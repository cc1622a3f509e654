//! OAuth 2.0 Protected Resource Metadata (RFC 9728): the document a client
//! (an MCP client, say) reads to find which authorization server issues
//! tokens for this service, where it is served, and the `WWW-Authenticate`
//! challenges that point to it.

use http::header::{
    ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL, CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE,
};
use http::{Response, StatusCode};
use serde::Serialize;

use crate::error::Error;
use crate::error::table::Challenge;
use crate::oauth::resource::origin_and_path;
use crate::token::header::Algorithm;
use crate::verifier::Verifier;

/// Where RFC 9728 3 puts the document.
const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// How the resource is named: as configured (what the document says, RFC
/// 9728 3.3), canonical (where its path comes from), and the public origin
/// the metadata URL is built on.
#[derive(Clone, Copy)]
pub(crate) struct ResourceNames<'a> {
    pub(crate) configured: &'a str,
    pub(crate) canonical: &'a str,
    pub(crate) public_url: &'a str,
}

/// The document and everything derived from it, built once.
#[derive(Debug)]
pub(crate) struct Metadata {
    /// The JSON document.
    document: String,
    /// The paths it is served at: the path-inserted form of RFC 9728 3.1,
    /// and the bare well-known path.
    paths: Vec<String>,
    /// `resource_metadata="…"` and, when configured, `scope="…"`: the
    /// parameters every 401 challenge gets.
    challenge_params: String,
    /// `resource_metadata="…"` alone, for the 403 step-up challenge.
    metadata_param: String,
    /// `DPoP algs="…"`, when DPoP is on.
    dpop_challenge: Option<String>,
}

#[derive(Serialize)]
struct Document<'a> {
    resource: &'a str,
    authorization_servers: [&'a str; 1],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    scopes_supported: &'a [String],
    bearer_methods_supported: [&'a str; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    dpop_signing_alg_values_supported: Vec<&'a str>,
}

impl Metadata {
    pub(crate) fn new(
        names: ResourceNames<'_>,
        issuer: &str,
        scopes_supported: &[String],
        resource_name: Option<&str>,
        dpop_algorithms: &[Algorithm],
        challenge_scope: Option<&str>,
    ) -> Self {
        let ResourceNames {
            configured: resource,
            canonical,
            public_url,
        } = names;
        let algs: Vec<&str> = dpop_algorithms.iter().map(|alg| alg.name()).collect();
        let document = serde_json::to_string(&Document {
            resource,
            authorization_servers: [issuer],
            scopes_supported,
            bearer_methods_supported: ["header"],
            resource_name,
            dpop_signing_alg_values_supported: algs.clone(),
        })
        // Serializing strings and lists of strings cannot fail.
        .unwrap_or_default();
        let resource_path = origin_and_path(canonical).1;
        let inserted = format!("{WELL_KNOWN}{resource_path}");
        let mut paths = vec![inserted.clone()];
        if !resource_path.is_empty() {
            paths.push(WELL_KNOWN.to_owned());
        }
        let metadata_param = format!(r#"resource_metadata="{public_url}{inserted}""#);
        let mut challenge_params = metadata_param.clone();
        if let Some(scope) = challenge_scope {
            challenge_params.push_str(&format!(r#", scope="{scope}""#));
        }
        Self {
            document,
            paths,
            challenge_params,
            metadata_param,
            dpop_challenge: (!algs.is_empty()).then(|| format!(r#"algs="{}""#, algs.join(" "))),
        }
    }

    /// The document, when `method` and `path` ask for it.
    pub(crate) fn response(&self, method: &str, path: &str) -> Option<Response<String>> {
        if !matches!(method, "GET" | "HEAD") || !self.paths.iter().any(|p| p == path) {
            return None;
        }
        let mut response = Response::new(self.document.clone());
        *response.status_mut() = StatusCode::OK;
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("max-age=3600"));
        // Public by design: browser-based clients read it from any origin.
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        Some(response)
    }

    /// The document's JSON text.
    pub(crate) fn document(&self) -> &str {
        &self.document
    }

    /// Adds RFC 9728 5.1's `resource_metadata` (and the configured `scope`)
    /// to a 401's challenge, and RFC 9449 7.1's `DPoP algs` challenge.
    pub(crate) fn amend(&self, error: &Error, response: &mut Response<String>) {
        let challenge = error.kind().spec().challenge;
        let headers = response.headers_mut();
        let Some(current) = headers.get(WWW_AUTHENTICATE).and_then(|v| v.to_str().ok()) else {
            return;
        };
        if challenge == Challenge::InsufficientScope {
            // The step-up 403 names the document too (MCP), with the
            // scopes the guard wants rather than the configured ones.
            let amended = format!(r#"{current}, {}"#, self.metadata_param);
            if let Ok(value) = HeaderValue::from_str(&amended) {
                headers.insert(WWW_AUTHENTICATE, value);
            }
            return;
        }
        if error.status() != StatusCode::UNAUTHORIZED {
            return;
        }
        let params = &self.challenge_params;
        let (bearer, dpop) = match challenge {
            Challenge::Bearer => (format!("Bearer {params}"), self.dpop("")),
            Challenge::DpopProof | Challenge::DpopToken => (
                format!("Bearer {params}"),
                self.dpop(current.strip_prefix("DPoP ").unwrap_or(current)),
            ),
            _ => (format!("{current}, {params}"), self.dpop("")),
        };
        let values = [Some(bearer), dpop];
        headers.remove(WWW_AUTHENTICATE);
        for value in values.into_iter().flatten() {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.append(WWW_AUTHENTICATE, value);
            }
        }
    }

    /// The `DPoP` challenge with `error_params` (empty, or `error="…", …`).
    fn dpop(&self, error_params: &str) -> Option<String> {
        let algs = self.dpop_challenge.as_deref()?;
        Some(if error_params.is_empty() {
            format!("DPoP {algs}")
        } else {
            format!("DPoP {error_params}, {algs}")
        })
    }
}

impl Verifier {
    /// The RFC 9728 Protected Resource Metadata document this verifier
    /// serves (feature `oauth`), as JSON, or `None` without
    /// [`oauth`](crate::VerifierBuilder::oauth) settings. The tower layer
    /// and the actix-web middleware serve it themselves; with extractors
    /// only, route [`resource_metadata_response`](Self::resource_metadata_response).
    ///
    /// ```
    /// # let verifier = jwtguard::testing::oauth_verifier();
    /// let document: serde_json::Value =
    ///     serde_json::from_str(verifier.resource_metadata().unwrap()).unwrap();
    /// assert_eq!(document["resource"], "https://api.example.com/mcp");
    /// ```
    pub fn resource_metadata(&self) -> Option<&str> {
        let tokens = self.inner.credentials.access_tokens.as_ref()?;
        Some(tokens.metadata.document())
    }

    /// The response to a request for the metadata document: `Some` when
    /// `method` is `GET` or `HEAD` and `path` is where RFC 9728 puts it
    /// (`/.well-known/oauth-protected-resource`, followed by the
    /// resource's path when it has one); `None` otherwise, and without
    /// [`oauth`](crate::VerifierBuilder::oauth) settings.
    ///
    /// ```
    /// # let verifier = jwtguard::testing::oauth_verifier();
    /// let path = "/.well-known/oauth-protected-resource/mcp";
    /// let response = verifier.resource_metadata_response("GET", path).unwrap();
    /// assert_eq!(response.status(), 200);
    /// assert!(verifier.resource_metadata_response("GET", "/mcp").is_none());
    /// ```
    pub fn resource_metadata_response(&self, method: &str, path: &str) -> Option<Response<String>> {
        let tokens = self.inner.credentials.access_tokens.as_ref()?;
        tokens.metadata_response(method, path)
    }
}
