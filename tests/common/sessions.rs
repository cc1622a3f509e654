//! Better Auth sessions for the tests: an in-memory session store and a
//! session minted at [`NOW`](super::NOW) with the test secret.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use jwtguard::testing::SessionMinter;
use jwtguard::{SessionLookup, SessionRecord, SessionStore, SessionStoreError, SessionToken};

use super::{NOW, SECRET};

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
