//! OpenAPI documents with [utoipa] 5: the bearer security scheme, the 401
//! and 403 responses jwtguard answers with, and the schema of their body,
//! [`ErrorBody`].
//!
//! [`BearerSecurity`] is a [`Modify`]; it adds these components to a document:
//!
//! | kind | name | what |
//! |---|---|---|
//! | security scheme | `bearer` | HTTP `bearer`, `bearerFormat: JWT` |
//! | schema | `ErrorBody` | `{"detail": string, "code": string}`, both required; `code` is one of jwtguard's stable codes |
//! | response | `Unauthorized` | 401, an `ErrorBody`, the `WWW-Authenticate` challenge |
//! | response | `Forbidden` | 403, an `ErrorBody` |
//!
//! [`AuthResponses`] puts the two responses on an operation, and
//! [`BearerSecurity::requirement`] is the security requirement that names the
//! scheme. The responses carry examples made from the bodies jwtguard sends.
//!
//! With utoipa's derive macros, name `BearerSecurity` in `modifiers(..)`
//! (which takes a plain name, not a path: import it first) and require the
//! scheme with `security(..)`:
//!
//! ```
//! use jwtguard::openapi::{AuthResponses, BearerSecurity};
//! use utoipa::OpenApi;
//!
//! /// The caller's user id.
//! #[utoipa::path(get, path = "/me", responses((status = 200, body = String), AuthResponses))]
//! async fn me() -> String {
//!     // With axum: `async fn me(Auth(claims): Auth) -> String`.
//!     String::new()
//! }
//!
//! #[derive(OpenApi)]
//! #[openapi(paths(me), modifiers(&BearerSecurity), security(("bearer" = [])))]
//! struct ApiDoc;
//!
//! let json = serde_json::to_value(ApiDoc::openapi()).unwrap();
//! assert_eq!(json["components"]["securitySchemes"]["bearer"]["bearerFormat"], "JWT");
//! assert_eq!(json["paths"]["/me"]["get"]["responses"]["401"]["$ref"], "#/components/responses/Unauthorized");
//! ```
//!
//! Or build the document yourself and apply the modifier:
//!
//! ```
//! use jwtguard::openapi::BearerSecurity;
//! use utoipa::Modify;
//! use utoipa::openapi::{InfoBuilder, OpenApiBuilder};
//!
//! let mut doc = OpenApiBuilder::new()
//!     .info(InfoBuilder::new().title("tasks").version("1.0.0"))
//!     .security(Some([BearerSecurity::requirement()])) // every operation
//!     .build();
//! BearerSecurity.modify(&mut doc);
//!
//! let json = serde_json::to_value(&doc).unwrap();
//! assert_eq!(json["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
//! assert_eq!(json["security"][0]["bearer"], serde_json::json!([]));
//! ```
//!
//! The components describe jwtguard's own answers ([`Error::to_response`]);
//! a verifier built with a custom `error_response` answers with whatever that
//! function returns, which these components do not know.
//!
//! [utoipa]: https://docs.rs/utoipa/5

use std::borrow::Cow;
use std::collections::BTreeMap;

use http::StatusCode;
use utoipa::openapi::example::{Example, ExampleBuilder};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder, ResponsesBuilder};
use utoipa::openapi::schema::{Components, ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr};
use utoipa::{IntoResponses, Modify, PartialSchema, ToSchema};

use crate::error::{Error, ErrorKind};
use crate::http::response::ErrorBody;

/// The name of the security scheme, in `components.securitySchemes`.
const SCHEME_NAME: &str = "bearer";
/// The name of the 401 response, in `components.responses`.
const UNAUTHORIZED: &str = "Unauthorized";
/// The name of the 403 response, in `components.responses`.
const FORBIDDEN: &str = "Forbidden";

/// Every `code` an [`ErrorBody`] can carry, once each, in [`ErrorKind`]
/// order (two kinds may share one).
fn codes() -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = Vec::with_capacity(ErrorKind::ALL.len());
    for kind in ErrorKind::ALL {
        if !codes.contains(&kind.code()) {
            codes.push(kind.code());
        }
    }
    codes
}

/// The examples of the 401 response, named by their codes. Viewers show the
/// first name in order (the map is sorted) first: `missing_token`.
const UNAUTHORIZED_EXAMPLES: &[ErrorKind] = &[
    ErrorKind::MissingCredentials,
    ErrorKind::SessionNotFound,
    ErrorKind::Expired,
];

/// The examples of the 403 response: every kind answered 403; `forbidden`
/// comes first.
fn forbidden_examples() -> Vec<ErrorKind> {
    ErrorKind::ALL
        .iter()
        .copied()
        .filter(|kind| kind.spec().status == StatusCode::FORBIDDEN)
        .collect()
}

/// The schema of jwtguard's error body, `{"detail": "...", "code": "..."}`,
/// named `ErrorBody`: two required strings, `code` one of the values of
/// [`ErrorKind::code`].
///
/// ```
/// use utoipa::{PartialSchema, ToSchema};
///
/// assert_eq!(jwtguard::ErrorBody::name(), "ErrorBody");
/// let schema = serde_json::to_value(jwtguard::ErrorBody::schema()).unwrap();
/// assert_eq!(schema["required"], serde_json::json!(["detail", "code"]));
/// ```
impl PartialSchema for ErrorBody {
    fn schema() -> RefOr<Schema> {
        let detail = ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "A human-readable sentence written by jwtguard: never the token, a \
                 key, or a value the sender chose.",
            ))
            .examples(["Token has expired"]);
        let code = ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "A stable, machine-readable code: what to branch on. New codes may \
                 come with new jwtguard releases.",
            ))
            .enum_values(Some(codes()))
            .examples(["token_expired"]);
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some("Why a request was refused (jwtguard)."))
            .property("detail", detail)
            .required("detail")
            .property("code", code)
            .required("code")
            .into()
    }
}

/// Named `ErrorBody` in `components.schemas`.
impl ToSchema for ErrorBody {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ErrorBody")
    }
}

/// A [`Modify`] that adds jwtguard's components to an OpenAPI document: the
/// `bearer` security scheme, the `ErrorBody` schema, and the `Unauthorized`
/// (401) and `Forbidden` (403) responses.
///
/// Entries of other names are kept; entries of these names are replaced. The
/// scheme is not required anywhere by itself: require it for the whole
/// document (`security(("bearer" = []))` in `#[openapi(..)]`, or
/// [`BearerSecurity::requirement`]) or per operation.
///
/// ```
/// use jwtguard::openapi::BearerSecurity;
/// use utoipa::Modify;
///
/// let mut doc = utoipa::openapi::OpenApi::default();
/// BearerSecurity.modify(&mut doc);
///
/// let components = serde_json::to_value(doc.components.unwrap()).unwrap();
/// assert_eq!(components["securitySchemes"]["bearer"]["bearerFormat"], "JWT");
/// assert_eq!(
///     components["responses"]["Unauthorized"]["content"]["application/json"]["schema"]["$ref"],
///     "#/components/schemas/ErrorBody"
/// );
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BearerSecurity;

impl BearerSecurity {
    /// The name of the security scheme: `bearer`.
    ///
    /// ```
    /// assert_eq!(jwtguard::openapi::BearerSecurity::SCHEME_NAME, "bearer");
    /// ```
    pub const SCHEME_NAME: &'static str = SCHEME_NAME;

    /// The security requirement `{"bearer": []}`: for
    /// `OpenApiBuilder::security` (the whole document) or
    /// `OperationBuilder::security` (one operation).
    ///
    /// ```
    /// let requirement = jwtguard::openapi::BearerSecurity::requirement();
    /// assert_eq!(
    ///     serde_json::to_value(requirement).unwrap(),
    ///     serde_json::json!({"bearer": []})
    /// );
    /// ```
    pub fn requirement() -> SecurityRequirement {
        SecurityRequirement::new(SCHEME_NAME, std::iter::empty::<String>())
    }
}

impl Modify for BearerSecurity {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Components::new);
        components.add_security_scheme(SCHEME_NAME, security_scheme());
        components
            .schemas
            .insert(ErrorBody::name().into_owned(), ErrorBody::schema());
        components
            .responses
            .insert(UNAUTHORIZED.to_owned(), unauthorized().into());
        components
            .responses
            .insert(FORBIDDEN.to_owned(), forbidden().into());
    }
}

/// The responses an authenticated operation may give, for
/// `#[utoipa::path(responses(.., AuthResponses))]`: `401` and `403`, as
/// references to the `Unauthorized` and `Forbidden` components that
/// [`BearerSecurity`] adds (apply it to the same document).
///
/// ```
/// use jwtguard::openapi::AuthResponses;
/// use utoipa::IntoResponses;
///
/// let responses = serde_json::to_value(AuthResponses::responses()).unwrap();
/// assert_eq!(responses["401"]["$ref"], "#/components/responses/Unauthorized");
/// assert_eq!(responses["403"]["$ref"], "#/components/responses/Forbidden");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuthResponses;

impl IntoResponses for AuthResponses {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        ResponsesBuilder::new()
            .response("401", Ref::from_response_name(UNAUTHORIZED))
            .response("403", Ref::from_response_name(FORBIDDEN))
            .build()
            .into()
    }
}

fn security_scheme() -> SecurityScheme {
    SecurityScheme::Http(
        HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .description(Some(
                "A Better Auth credential in `Authorization: Bearer <token>`: a JWT \
                 (signed with the shared secret, or by Better Auth's JWT plugin), or, \
                 where the service accepts them, a session token from Better Auth's \
                 bearer plugin.",
            ))
            .build(),
    )
}

fn unauthorized() -> Response {
    refusal(
        "Not authenticated: no credentials, or credentials that were refused. \
         `code` says why.",
        UNAUTHORIZED_EXAMPLES,
    )
    .header(
        "WWW-Authenticate",
        HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::String))
            .description(Some(
                "The RFC 6750 challenge: `Bearer` when no credentials were sent, \
                 otherwise `Bearer error=\"invalid_token\", error_description=\"...\"`; \
                 a refused DPoP proof or bound token is `DPoP error=\"...\"` (RFC 9449). \
                 With OAuth settings, every 401 also carries `resource_metadata=\"...\"` \
                 (RFC 9728) and a `DPoP algs=\"...\"` challenge.",
            ))
            .build(),
    )
    .build()
}

fn forbidden() -> Response {
    refusal(
        "Authenticated, but not allowed: another user's resource (`forbidden`), \
         claims that do not allow the request (`insufficient_scope`), or a cookie \
         credential on an unsafe method from an origin that is not allowed \
         (`origin_not_allowed`).",
        &forbidden_examples(),
    )
    .header(
        "WWW-Authenticate",
        HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::String))
            .description(Some(
                "Only with `insufficient_scope`: \
                 `Bearer error=\"insufficient_scope\", error_description=\"...\"`.",
            ))
            .build(),
    )
    .build()
}

/// A response with a JSON `ErrorBody`, and one named example per kind (the
/// body jwtguard sends for it).
fn refusal(description: &str, kinds: &[ErrorKind]) -> ResponseBuilder {
    let examples = kinds.iter().map(|&kind| (kind.code(), example(kind)));
    ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name(ErrorBody::name())))
            .examples_from_iter(examples)
            .build(),
    )
}

fn example(kind: ErrorKind) -> Example {
    let body = Error::from(kind).body();
    let summary = body.detail.clone();
    // Serializing two plain strings cannot fail.
    let value = serde_json::to_value(body).unwrap_or_default();
    ExampleBuilder::new()
        .summary(summary)
        .value(Some(value))
        .build()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn the_code_enum_lists_every_kind_s_code_once() {
        let listed = codes();
        let unique: BTreeSet<&str> = listed.iter().copied().collect();
        assert_eq!(unique.len(), listed.len(), "a code is listed twice");
        let answered: BTreeSet<&str> = ErrorKind::ALL.iter().map(|kind| kind.code()).collect();
        assert_eq!(unique, answered);
    }

    #[test]
    fn the_plainest_refusal_is_the_example_shown_first() {
        let first = |kinds: &[ErrorKind]| kinds.iter().map(|kind| kind.code()).min();
        assert_eq!(first(UNAUTHORIZED_EXAMPLES), Some("missing_token"));
        assert_eq!(first(&forbidden_examples()), Some("forbidden"));
    }

    #[test]
    fn the_examples_have_the_status_of_their_response() {
        for kind in UNAUTHORIZED_EXAMPLES {
            assert_eq!(Error::from(*kind).status(), 401, "{kind:?}");
        }
        for kind in forbidden_examples() {
            assert_eq!(Error::from(kind).status(), 403, "{kind:?}");
        }
    }

    #[test]
    fn the_forbidden_response_names_every_403_code() {
        let description = forbidden().description;
        for kind in forbidden_examples() {
            assert!(
                description.contains(&format!("`{}`", kind.code())),
                "{kind:?}: {description}"
            );
        }
    }
}
