//! Authenticating whole services: the tower `AuthLayer` (axum routers, plain
//! tower services, gRPC) and the actix-web `AuthMiddleware`. They answer as
//! the extractors do, hand the claims to the handlers and to the extractors
//! behind them, apply claim guards, wait for session stores, answer gRPC
//! calls with gRPC statuses, and leave preflights to a CORS layer outside.

#[path = "../common/mod.rs"]
mod common;

mod cors;
mod extensions;
mod grpc_answers;
mod guards;
mod optional;
mod parity;
mod waiting;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use jwtguard::testing::SessionMinter;
use jwtguard::{SessionLookup, SessionRecord, SessionStore, SessionStoreError, SessionToken};

/// `Authorization: Bearer <token>`.
pub fn bearer(token: &str) -> (&'static str, String) {
    ("authorization", format!("Bearer {token}"))
}

/// A claims type of the application's own: `sub` and a required `email`.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct MyClaims {
    pub sub: String,
    pub email: String,
}

/// A session store in memory that counts its lookups and can be made to fail.
#[derive(Clone, Default)]
pub struct MemoryStore {
    sessions: Arc<Mutex<HashMap<String, SessionRecord>>>,
    lookups: Arc<AtomicUsize>,
    down: Arc<AtomicBool>,
}

impl MemoryStore {
    pub fn with(session: &SessionMinter) -> Self {
        let store = Self::default();
        store
            .sessions
            .lock()
            .unwrap()
            .insert(session.session_token().to_owned(), session.record());
        store
    }

    pub fn lookups(&self) -> usize {
        self.lookups.load(Ordering::SeqCst)
    }

    pub fn set_down(&self) {
        self.down.store(true, Ordering::SeqCst);
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

/// A Better Auth session of `user-1` starting at `NOW`, signed with the test secret.
pub fn session() -> SessionMinter {
    SessionMinter::new(common::SECRET)
        .at(common::NOW)
        .user_field("email", "ada@example.com")
}

/// A verifier that resolves session cookies through `store`, asking it on
/// every request (no cache), at `NOW`.
pub fn session_verifier(store: &MemoryStore) -> jwtguard::Verifier {
    common::builder()
        .session_secret(common::SECRET)
        .session_store(store.clone())
        .session_store_cache(std::time::Duration::ZERO, 100)
        .build()
        .unwrap()
}

/// `Cookie: better-auth.session_token=<the session's signed token>`.
pub fn session_cookie(session: &SessionMinter) -> (&'static str, String) {
    (
        "cookie",
        format!("better-auth.session_token={}", session.cookie_value()),
    )
}
