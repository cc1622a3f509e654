//! Blocking HTTP calls (ureq) off the caller's executor: each runs on a
//! short-lived thread of its own and hands its answer back through a
//! `futures-channel` oneshot, which any executor can await; a [`Permit`]
//! caps how many run at once. Used by `HttpSessionStore` (feature
//! `session-http`) and token introspection (feature `oauth-introspection`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_channel::oneshot;

/// One of a capped number of slots; freed when dropped, so also when a
/// thread could not start or panicked.
///
/// A call never waits for a slot, so a semaphore's queue of waiters would
/// go unused: `async_lock::Semaphore::try_acquire_arc` is this same
/// compare-and-swap on a counter, and would bring five crates (async-lock,
/// event-listener, event-listener-strategy, parking, pin-project-lite).
pub(crate) struct Permit(Arc<AtomicUsize>);

impl Permit {
    /// A slot, unless `max` are taken.
    pub(crate) fn acquire(in_flight: &Arc<AtomicUsize>, max: usize) -> Option<Self> {
        in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()
            .map(|_| Self(Arc::clone(in_flight)))
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Runs `work` on a thread named `name`. The receiver gets its answer, or
/// `Canceled` when the thread ended without one (`work` panicked).
pub(crate) fn on_thread<T: Send + 'static>(
    name: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> std::io::Result<oneshot::Receiver<T>> {
    let (sender, receiver) = oneshot::channel();
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            // An error means the request was dropped: nobody wants the answer.
            let _ = sender.send(work());
        })?;
    Ok(receiver)
}
