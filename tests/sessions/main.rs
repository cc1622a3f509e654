//! Better Auth session credentials through both adapters: the signed
//! session cookie and bearer token resolved by a store, the cookie cache,
//! and every way they are refused.

#[path = "../common/mod.rs"]
mod common;

mod config;
mod requests;
mod store;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use jwtguard::testing::SessionMinter;
use jwtguard::{
    Clock, SessionLookup, SessionRecord, SessionStore, SessionStoreError, SessionToken, Verifier,
    VerifierBuilder,
};
use serde_json::{Value, json};

use common::{NOW, SECRET};

/// A session store in memory that counts its lookups and can be made to fail.
#[derive(Clone, Default)]
pub struct MemoryStore {
    sessions: Arc<Mutex<HashMap<String, SessionRecord>>>,
    lookups: Arc<AtomicUsize>,
    down: Arc<AtomicBool>,
}

impl MemoryStore {
    pub fn with(sessions: &[&SessionMinter]) -> Self {
        let store = Self::default();
        for session in sessions {
            store.insert(session);
        }
        store
    }

    pub fn insert(&self, session: &SessionMinter) {
        self.sessions
            .lock()
            .unwrap()
            .insert(session.session_token().to_owned(), session.record());
    }

    /// Signs the session out, as Better Auth deletes its row.
    pub fn revoke(&self, session: &SessionMinter) {
        self.sessions
            .lock()
            .unwrap()
            .remove(session.session_token());
    }

    pub fn lookups(&self) -> usize {
        self.lookups.load(Ordering::SeqCst)
    }

    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }
}

impl SessionStore for MemoryStore {
    fn find_session<'a>(&'a self, token: &'a SessionToken<'a>) -> SessionLookup<'a> {
        Box::pin(async move {
            self.lookups.fetch_add(1, Ordering::SeqCst);
            if self.down.load(Ordering::SeqCst) {
                return Err(SessionStoreError::new("the store is down"));
            }
            Ok(self.sessions.lock().unwrap().get(token.token()).cloned())
        })
    }
}

/// A session of `user-1` starting at [`NOW`], signed with the test secret.
pub fn session() -> SessionMinter {
    SessionMinter::new(SECRET)
        .at(NOW)
        .user_field("email", "ada@example.com")
}

/// A verifier accepting HS256 JWTs and the given session settings, at [`NOW`].
pub fn builder() -> VerifierBuilder {
    common::builder().session_secret(SECRET)
}

pub fn fixed_clock() -> Clock {
    Clock::fixed_unix(NOW)
}

pub use common::call::Answer;

/// The routes both frameworks serve: `/me` (claims, their kind and `sid`),
/// `/api/{user_id}/tasks` (the owner check) and `/typed` (a custom type).
pub async fn send_axum(
    verifier: &Verifier,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
) -> Answer {
    use axum::routing::any;
    use axum::{Json, Router};
    use jwtguard::axum::{Auth, OwnerOf};

    let app = Router::new()
        .route(
            "/me",
            any(|Auth(c): Auth| async move { Json(describe(&c)) }),
        )
        .route(
            "/api/{user_id}/tasks",
            any(|owner: OwnerOf| async move { Json(json!({"owner": owner.user_id()})) }),
        )
        .route(
            "/typed",
            any(
                |Auth(t): Auth<Typed>| async move { Json(json!({"sub": t.sub, "email": t.email})) },
            ),
        )
        .with_state(verifier.clone());
    common::call::axum(app, method, path, headers).await
}

pub async fn send_actix(
    verifier: &Verifier,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
) -> Answer {
    use actix_web::{App, HttpResponse, test, web};
    use jwtguard::actix::{Auth, OwnerOf};

    let service = test::init_service(
        App::new()
            .app_data(web::Data::new(verifier.clone()))
            .route(
                "/me",
                web::route()
                    .to(|Auth(c): Auth| async move { HttpResponse::Ok().json(describe(&c)) }),
            )
            .route(
                "/api/{user_id}/tasks",
                web::route().to(|owner: OwnerOf| async move {
                    HttpResponse::Ok().json(json!({"owner": owner.user_id()}))
                }),
            )
            .route(
                "/typed",
                web::route().to(|Auth(t): Auth<Typed>| async move {
                    HttpResponse::Ok().json(json!({"sub": t.sub, "email": t.email}))
                }),
            ),
    )
    .await;
    common::call::actix(&service, method, path, headers).await
}

/// Sends the same request through axum and actix-web, checks that both
/// answer alike, and returns the answer.
pub async fn send(
    verifier: &Verifier,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
) -> Answer {
    let axum = send_axum(verifier, method, path, headers).await;
    let actix = send_actix(verifier, method, path, headers).await;
    assert_eq!(
        (axum.status, &axum.body, axum.header("retry-after")),
        (actix.status, &actix.body, actix.header("retry-after")),
        "axum and actix differ for {method} {path}"
    );
    axum
}

#[derive(serde::Deserialize)]
pub struct Typed {
    pub sub: String,
    pub email: String,
}

fn describe(claims: &jwtguard::Claims) -> Value {
    json!({
        "sub": claims.sub(),
        "sid": claims.sid(),
        "credential": format!("{:?}", claims.credential()),
        "email": claims.get("email"),
        "exp": claims.exp().map(|exp| exp.unix_timestamp()),
    })
}

/// `Cookie: better-auth.session_token=...` (and more pairs).
pub fn cookies(pairs: &[(&str, String)]) -> (&'static str, String) {
    let value: Vec<String> = pairs
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    ("cookie", value.join("; "))
}

pub const TOKEN_COOKIE: &str = "better-auth.session_token";
pub const DATA_COOKIE: &str = "better-auth.session_data";
