//! The `utoipa` feature: what `BearerSecurity` adds to an OpenAPI document,
//! checked on the serialized JSON (what Swagger UI and client generators
//! read), and that it describes the answers jwtguard really gives.

use jwtguard::openapi::{AuthResponses, BearerSecurity};
use jwtguard::{Error, ErrorKind};
use serde_json::{Value, json};
use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem, PathsBuilder};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, InfoBuilder, ObjectBuilder, OpenApi, OpenApiBuilder, ResponseBuilder,
    ResponsesBuilder, Type,
};
use utoipa::{IntoResponses, Modify};

fn info() -> utoipa::openapi::Info {
    InfoBuilder::new().title("tasks").version("1.0.0").build()
}

/// A document with one protected operation, `GET /me`, and the modifier
/// applied, as JSON.
fn document() -> Value {
    let me = OperationBuilder::new()
        .responses(
            ResponsesBuilder::new()
                .response("200", ResponseBuilder::new().description("the caller"))
                .responses_from_into_responses::<AuthResponses>(),
        )
        .security(BearerSecurity::requirement());
    let mut doc = OpenApiBuilder::new()
        .info(info())
        .paths(PathsBuilder::new().path("/me", PathItem::new(HttpMethod::Get, me)))
        .build();
    BearerSecurity.modify(&mut doc);
    serde_json::to_value(&doc).unwrap()
}

/// What jwtguard sends for `kind`, as JSON.
fn body(kind: ErrorKind) -> Value {
    serde_json::from_str(&Error::from(kind).body_json()).unwrap()
}

/// Follows a local `$ref` (`#/components/...`) in `doc`.
fn resolve<'a>(doc: &'a Value, reference: &Value) -> &'a Value {
    let path = reference
        .as_str()
        .and_then(|r| r.strip_prefix('#'))
        .unwrap_or_else(|| panic!("not a local reference: {reference}"));
    doc.pointer(path)
        .unwrap_or_else(|| panic!("{reference} names nothing in the document"))
}

/// Every `$ref` anywhere under `value`.
fn references(value: &Value, found: &mut Vec<Value>) {
    match value {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref") {
                found.push(reference.clone());
            }
            map.values().for_each(|v| references(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, found)),
        _ => {}
    }
}

#[test]
fn the_security_scheme_is_http_bearer_with_jwt_format() {
    let doc = document();
    let scheme = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    assert_eq!(scheme["bearerFormat"], "JWT");
    assert!(
        scheme["description"]
            .as_str()
            .unwrap()
            .contains("Better Auth")
    );
    assert_eq!(BearerSecurity::SCHEME_NAME, "bearer");
}

#[test]
fn the_requirement_names_the_scheme_with_no_scopes() {
    let doc = document();
    assert_eq!(
        doc["paths"]["/me"]["get"]["security"],
        json!([{"bearer": []}])
    );

    let global = OpenApiBuilder::new()
        .info(info())
        .security(Some([BearerSecurity::requirement()]))
        .build();
    assert_eq!(
        serde_json::to_value(&global).unwrap()["security"],
        json!([{"bearer": []}])
    );
}

#[test]
fn the_error_body_schema_has_two_required_strings() {
    let doc = document();
    let schema = &doc["components"]["schemas"]["ErrorBody"];
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["required"], json!(["detail", "code"]));
    let properties = schema["properties"].as_object().unwrap();
    assert_eq!(
        properties.keys().collect::<Vec<_>>(),
        ["code", "detail"],
        "no other properties"
    );
    assert_eq!(properties["detail"]["type"], "string");
    assert_eq!(properties["code"]["type"], "string");
    assert!(
        properties["code"]["description"]
            .as_str()
            .unwrap()
            .contains("stable")
    );
}

#[test]
fn every_body_jwtguard_sends_fits_the_schema() {
    let doc = document();
    let schema = &doc["components"]["schemas"]["ErrorBody"];
    let codes = schema["properties"]["code"]["enum"].as_array().unwrap();
    let mut listed = Vec::new();
    for kind in ErrorKind::ALL {
        let body = body(*kind);
        let fields = body.as_object().unwrap();
        assert_eq!(fields.len(), 2, "{kind:?}: {body}");
        for name in ["detail", "code"] {
            assert!(fields[name].is_string(), "{kind:?}: {body}");
            assert!(schema["properties"].get(name).is_some());
        }
        assert!(codes.contains(&body["code"]), "{kind:?}: {body}");
        listed.push(body["code"].clone());
    }
    // And the enum names no code jwtguard never sends.
    for code in codes {
        assert!(listed.contains(code), "{code} is never sent");
    }
}

#[test]
fn the_responses_carry_the_error_body_and_the_challenge_header() {
    let doc = document();
    for name in ["Unauthorized", "Forbidden"] {
        let response = &doc["components"]["responses"][name];
        assert!(response["description"].is_string(), "{name}");
        let content = &response["content"]["application/json"];
        assert_eq!(
            content["schema"]["$ref"], "#/components/schemas/ErrorBody",
            "{name}"
        );
        assert_eq!(
            resolve(&doc, &content["schema"]["$ref"]),
            &doc["components"]["schemas"]["ErrorBody"]
        );
        assert_eq!(
            response["headers"]["WWW-Authenticate"]["schema"]["type"], "string",
            "{name}"
        );
    }
}

#[test]
fn the_examples_are_the_bodies_jwtguard_answers_with() {
    let doc = document();
    let responses = &doc["components"]["responses"];
    for (name, status) in [("Unauthorized", 401), ("Forbidden", 403)] {
        let examples = responses[name]["content"]["application/json"]["examples"]
            .as_object()
            .unwrap();
        assert!(!examples.is_empty(), "{name}");
        for (code, example) in examples {
            let kind = *ErrorKind::ALL.iter().find(|k| k.code() == code).unwrap();
            let sent = Error::from(kind).to_response();
            assert_eq!(sent.status(), status, "{name}: {code}");
            assert_eq!(
                example["value"],
                serde_json::from_str::<Value>(sent.body()).unwrap(),
                "{name}: {code}"
            );
            assert_eq!(example["summary"], body(kind)["detail"]);
        }
    }

    let unauthorized = &responses["Unauthorized"]["content"]["application/json"]["examples"];
    assert_eq!(
        unauthorized["missing_token"]["value"],
        json!({"detail": "Not authenticated", "code": "missing_token"})
    );
    assert_eq!(
        unauthorized["missing_token"]["value"],
        body(ErrorKind::MissingCredentials)
    );
    let forbidden = &responses["Forbidden"]["content"]["application/json"]["examples"];
    assert_eq!(
        forbidden["forbidden"]["value"],
        json!({"detail": "Not authorized to access this resource", "code": "forbidden"})
    );
    assert_eq!(forbidden["forbidden"]["value"], body(ErrorKind::Forbidden));
}

#[test]
fn the_challenge_header_is_sent_as_described() {
    let doc = document();
    let described = |name: &str| {
        doc["components"]["responses"][name]["headers"]["WWW-Authenticate"]["description"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    // 401: always a challenge, bare without credentials.
    assert!(described("Unauthorized").contains("`Bearer` when no credentials"));
    // 403: only for insufficient_scope, as the header's description says.
    assert!(described("Forbidden").contains("Only with `insufficient_scope`"));
    for kind in ErrorKind::ALL {
        let sent = Error::from(*kind).to_response();
        let challenge = sent.headers().get("www-authenticate");
        match sent.status().as_u16() {
            401 if *kind == ErrorKind::MissingCredentials => {
                assert_eq!(challenge.unwrap(), "Bearer")
            }
            // A refused DPoP proof or bound token is challenged with the
            // DPoP scheme (RFC 9449 7.1); the rest with Bearer.
            401 => assert!(
                ["Bearer error=\"invalid_token\"", "DPoP error="]
                    .iter()
                    .any(|start| challenge.unwrap().to_str().unwrap().starts_with(start)),
                "{kind:?}"
            ),
            403 => assert_eq!(
                challenge.is_some(),
                kind.code() == "insufficient_scope",
                "{kind:?}"
            ),
            _ => {}
        }
    }
}

#[test]
fn auth_responses_point_at_the_components_the_modifier_adds() {
    let responses = serde_json::to_value(AuthResponses::responses()).unwrap();
    assert_eq!(
        responses,
        json!({
            "401": {"$ref": "#/components/responses/Unauthorized"},
            "403": {"$ref": "#/components/responses/Forbidden"},
        })
    );

    let doc = document();
    let me = &doc["paths"]["/me"]["get"]["responses"];
    assert_eq!(
        resolve(&doc, &me["401"]["$ref"]),
        &doc["components"]["responses"]["Unauthorized"]
    );
    assert_eq!(
        resolve(&doc, &me["403"]["$ref"]),
        &doc["components"]["responses"]["Forbidden"]
    );
}

#[test]
fn no_reference_in_the_document_dangles() {
    let doc = document();
    let mut found = Vec::new();
    references(&doc, &mut found);
    assert!(found.len() >= 4, "{found:?}");
    for reference in &found {
        resolve(&doc, reference);
    }
}

#[test]
fn existing_components_and_requirements_are_kept() {
    let mut doc = OpenApiBuilder::new()
        .info(info())
        .components(Some(
            ComponentsBuilder::new()
                .schema(
                    "Task",
                    ObjectBuilder::new()
                        .schema_type(Type::Object)
                        .property("title", ObjectBuilder::new().schema_type(Type::String))
                        .required("title"),
                )
                .response(
                    "NotFound",
                    ResponseBuilder::new().description("no such task"),
                )
                .security_scheme(
                    "api_key",
                    SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("x-api-key"))),
                )
                .build(),
        ))
        .security(Some([utoipa::openapi::SecurityRequirement::new(
            "api_key",
            std::iter::empty::<String>(),
        )]))
        .build();
    let before = serde_json::to_value(&doc).unwrap();
    BearerSecurity.modify(&mut doc);
    let after = serde_json::to_value(&doc).unwrap();

    let components = &after["components"];
    assert_eq!(
        components["schemas"]["Task"],
        before["components"]["schemas"]["Task"]
    );
    assert_eq!(
        components["responses"]["NotFound"],
        before["components"]["responses"]["NotFound"]
    );
    assert_eq!(
        components["securitySchemes"]["api_key"],
        before["components"]["securitySchemes"]["api_key"]
    );
    assert_eq!(
        after["security"], before["security"],
        "requirements untouched"
    );
    for (kind, name) in [
        ("schemas", "ErrorBody"),
        ("responses", "Unauthorized"),
        ("responses", "Forbidden"),
        ("securitySchemes", "bearer"),
    ] {
        assert!(components[kind].get(name).is_some(), "{kind}.{name}");
    }
    assert_eq!(components["schemas"].as_object().unwrap().len(), 2);
    assert_eq!(components["responses"].as_object().unwrap().len(), 3);
    assert_eq!(components["securitySchemes"].as_object().unwrap().len(), 2);
}

#[test]
fn applying_the_modifier_twice_changes_nothing_more() {
    let mut once = OpenApi::new(info(), PathsBuilder::new());
    BearerSecurity.modify(&mut once);
    let mut twice = once.clone();
    BearerSecurity.modify(&mut twice);
    assert_eq!(
        serde_json::to_value(&once).unwrap(),
        serde_json::to_value(&twice).unwrap()
    );
}

/// The user's side, with utoipa's derive macros (the `utoipa` feature turns
/// on utoipa's `macros`, which utoipa 5.5 cannot compile without).
mod derive {
    use jwtguard::ErrorBody;
    use jwtguard::openapi::{AuthResponses, BearerSecurity};
    use serde_json::json;
    use utoipa::OpenApi;

    /// The caller's id.
    #[utoipa::path(get, path = "/me", responses((status = 200, body = String), AuthResponses))]
    #[allow(dead_code)]
    async fn me() -> String {
        String::new()
    }

    /// A route that documents one refusal itself, with jwtguard's body.
    #[utoipa::path(
        get,
        path = "/admin",
        responses((status = 200), (status = 403, body = ErrorBody, description = "not an admin"))
    )]
    #[allow(dead_code)]
    async fn admin() {}

    /// Health checks need no token.
    #[utoipa::path(get, path = "/health", responses((status = 200)), security(()))]
    #[allow(dead_code)]
    async fn health() {}

    #[derive(OpenApi)]
    #[openapi(
        paths(me, admin, health),
        modifiers(&BearerSecurity),
        security(("bearer" = []))
    )]
    struct ApiDoc;

    #[test]
    fn the_derive_macros_take_the_modifier_and_the_responses() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        assert_eq!(doc["security"], json!([{"bearer": []}]));
        assert_eq!(
            doc["components"]["securitySchemes"]["bearer"]["type"],
            "http"
        );
        let me = &doc["paths"]["/me"]["get"]["responses"];
        assert_eq!(me["401"]["$ref"], "#/components/responses/Unauthorized");
        assert_eq!(me["403"]["$ref"], "#/components/responses/Forbidden");
        assert_eq!(doc["paths"]["/health"]["get"]["security"], json!([{}]));

        // `body = ErrorBody` refers to the schema by its name, and the
        // modifier's schema is the one utoipa collects from the route.
        let admin = &doc["paths"]["/admin"]["get"]["responses"]["403"];
        assert_eq!(
            admin["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody"
        );
        let mut found = Vec::new();
        super::references(&doc, &mut found);
        for reference in &found {
            super::resolve(&doc, reference);
        }
    }
}
