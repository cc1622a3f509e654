//! When to reload a JWKS (feature `jwks`): periodically, and at once when a
//! token names an unknown `kid`, but never twice at the same time and never
//! more often than the cooldown allows, so a flood of made-up `kid`s costs
//! the issuer at most one request per cooldown.
//!
//! One background thread per verifier runs the reload; it exits when the
//! last clone of the verifier is dropped. Async callers wait for a reload
//! with [`KeysRefreshed`], an `event-listener` listener that needs no
//! particular runtime.
//!
//! With a background start the thread also makes the first load: at once,
//! then, while it fails, again after a [`Backoff`] of 1 s, 2 s, 4 s, ...
//! (by default) up to the refresh interval; after the first good load it
//! keeps the normal schedule.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use event_listener::{Event, EventListener};

/// The reload itself, run on the background thread; `true` when it loaded
/// usable keys.
pub(crate) type Job = Box<dyn Fn() -> bool + Send + 'static>;

/// A reload running longer than this is presumed stuck (a fetch function
/// that ignores timeouts): requests stop waiting for it.
pub(crate) const STUCK_AFTER: Duration = Duration::from_secs(30);

/// The most requests that wait for one reload; more are refused at once,
/// so a flood of unknown `kid`s cannot grow memory.
pub(crate) const MAX_WAITERS: usize = 4096;

/// How often to reload, how soon a reload may follow another, and how soon
/// a failed first load is tried again.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Schedule {
    pub(crate) interval: Duration,
    pub(crate) cooldown: Duration,
    /// The wait after the first failed first load (background start); it
    /// doubles after each further failure, up to `interval`.
    pub(crate) first_retry: Duration,
}

/// Whether the keys were loaded before the thread starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FirstLoad {
    /// Loaded already: the first reload is due one interval from now.
    Done,
    /// Not yet (background start): the thread loads at once, and retries
    /// with a [`Backoff`] until a load succeeds.
    Pending,
}

/// The waits between failed first loads: `first`, then doubled after each
/// failure, never more than `cap`. Deterministic (no jitter): even a fleet
/// of replicas started together makes one small request each per step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Backoff {
    next: Duration,
    cap: Duration,
}

impl Backoff {
    fn new(first: Duration, cap: Duration) -> Self {
        Self {
            next: first.min(cap),
            cap,
        }
    }

    /// The wait after this failure; the next one is twice as long (capped).
    fn step(&mut self) -> Duration {
        let wait = self.next;
        self.next = self.next.saturating_mul(2).min(self.cap);
        wait
    }
}

/// The scheduler shared by the verifier and its thread.
pub(crate) struct Refresh {
    schedule: Schedule,
    /// Reloads finished so far; waiters wait for this to move. Changed only
    /// under the `state` lock (so that no waiter misses it), read without it
    /// on the request path.
    finished: AtomicU64,
    state: Mutex<State>,
    wake_thread: Condvar,
    /// Notified when a reload finishes and when the verifier is dropped:
    /// what waiting requests listen to.
    reloaded: Event,
}

struct State {
    /// A reload was asked for and has not started.
    requested: bool,
    /// A reload is running, since this instant.
    running: Option<Instant>,
    /// When the last reload (or the initial load) finished.
    last_finished: Instant,
    /// How long after `last_finished` the next scheduled reload is due.
    next_due: Duration,
    /// While no load has succeeded (background start): the waits between
    /// attempts. `None` once one has, or when the keys were loaded at build.
    retry: Option<Backoff>,
    /// The verifier is gone: the thread exits.
    stopped: bool,
}

/// Stops the background thread when the verifier that owns it is dropped.
pub(crate) struct RefreshHandle {
    refresh: Arc<Refresh>,
}

impl Refresh {
    /// Starts the background thread, which runs `job` on schedule (at once
    /// when the first load is still `Pending`).
    pub(crate) fn start(
        schedule: Schedule,
        first: FirstLoad,
        job: Job,
    ) -> std::io::Result<RefreshHandle> {
        let (next_due, retry) = match first {
            FirstLoad::Done => (schedule.interval, None),
            FirstLoad::Pending => (
                Duration::ZERO,
                Some(Backoff::new(schedule.first_retry, schedule.interval)),
            ),
        };
        let refresh = Arc::new(Refresh {
            schedule,
            finished: AtomicU64::new(0),
            state: Mutex::new(State {
                requested: false,
                running: None,
                last_finished: Instant::now(),
                next_due,
                retry,
                stopped: false,
            }),
            wake_thread: Condvar::new(),
            reloaded: Event::new(),
        });
        let worker = Arc::clone(&refresh);
        std::thread::Builder::new()
            .name("jwtguard-jwks".into())
            .spawn(move || worker.run(job))?;
        Ok(RefreshHandle { refresh })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The lock guards plain flags: a panic elsewhere cannot leave them
        // half-written, so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn run(&self, job: Job) {
        loop {
            let mut state = self.lock();
            loop {
                if state.stopped {
                    return;
                }
                let since = state.last_finished.elapsed();
                if state.requested || since >= state.next_due {
                    break;
                }
                let wait = state.next_due - since;
                state = self
                    .wake_thread
                    .wait_timeout(state, wait)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            state.requested = false;
            state.running = Some(Instant::now());
            drop(state);

            // A panicking fetch must not leave the reload marked as running.
            let loaded = catch_unwind(AssertUnwindSafe(&job)).unwrap_or_else(|_| {
                crate::trace::jwks_reload_panicked();
                false
            });

            let mut state = self.lock();
            state.running = None;
            state.last_finished = Instant::now();
            if loaded {
                state.retry = None;
            }
            state.next_due = match state.retry.as_mut() {
                Some(backoff) => backoff.step(),
                None => self.schedule.interval,
            };
            self.finished.fetch_add(1, Ordering::Release);
            drop(state);
            self.reloaded.notify(usize::MAX);
        }
    }

    /// Whether the reload awaited by whoever read `after` has finished, or
    /// none will come (the verifier is gone).
    fn done_since(&self, after: u64) -> bool {
        self.finished.load(Ordering::Acquire) > after || self.lock().stopped
    }
}

impl RefreshHandle {
    /// How many reloads have finished: read before looking a key up, and
    /// passed to [`request`](Self::request).
    pub(crate) fn epoch(&self) -> u64 {
        self.refresh.finished.load(Ordering::Acquire)
    }

    /// Asks for a reload because a token named a key that the keys of
    /// `epoch` do not have.
    ///
    /// Returns what to wait for: nothing if a reload finished since `epoch`
    /// (the caller retries at once), else the reload already running or just
    /// asked for. `None` when the token should be refused without waiting:
    /// the last reload finished less than the cooldown ago, the running one
    /// looks stuck, or too many requests already wait.
    pub(crate) fn request(&self, epoch: u64) -> Option<KeysRefreshed> {
        let refresh = &self.refresh;
        let mut state = refresh.lock();
        let mut waiting = KeysRefreshed {
            refresh: Arc::clone(refresh),
            after: epoch,
            listener: None,
        };
        if refresh.finished.load(Ordering::Acquire) > epoch {
            return Some(waiting);
        }
        if state.stopped || refresh.reloaded.total_listeners() >= MAX_WAITERS {
            return None;
        }
        match state.running {
            Some(since) if since.elapsed() > STUCK_AFTER => return None,
            Some(_) => {}
            None if state.requested => {}
            None => {
                if state.last_finished.elapsed() < refresh.schedule.cooldown {
                    return None;
                }
                state.requested = true;
                refresh.wake_thread.notify_one();
            }
        }
        // Listening from now (under the lock the reload finishes under), so
        // that the count of listeners is the count of waiting requests.
        waiting.listener = Some(refresh.reloaded.listen());
        Some(waiting)
    }
}

impl Drop for RefreshHandle {
    fn drop(&mut self) {
        let mut state = self.refresh.lock();
        state.stopped = true;
        self.refresh.wake_thread.notify_one();
        drop(state);
        self.refresh.reloaded.notify(usize::MAX);
    }
}

/// Completes when the reload it was created for has finished, whether or
/// not it changed the keys. Needs no particular async runtime.
pub(crate) struct KeysRefreshed {
    refresh: Arc<Refresh>,
    after: u64,
    /// Registered before the reload is checked for, so that its end is
    /// not missed; `None` when it had already ended.
    listener: Option<EventListener>,
}

impl Future for KeysRefreshed {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        loop {
            if this.refresh.done_since(this.after) {
                return Poll::Ready(());
            }
            match &mut this.listener {
                Some(listener) => {
                    ready!(Pin::new(listener).poll(cx));
                    // Spent: a new one is registered if the check above
                    // still fails.
                    this.listener = None;
                }
                None => this.listener = Some(this.refresh.reloaded.listen()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Wake, Waker};

    struct Thread(std::thread::Thread);

    impl Wake for Thread {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }

    /// Drives a future on this thread (no runtime in unit tests).
    fn block_on(mut future: KeysRefreshed) {
        let waker = Waker::from(Arc::new(Thread(std::thread::current())));
        let mut cx = Context::from_waker(&waker);
        while Pin::new(&mut future).poll(&mut cx).is_pending() {
            std::thread::park_timeout(Duration::from_millis(50));
        }
    }

    fn counting(schedule: Schedule, delay: Duration) -> (RefreshHandle, Arc<AtomicUsize>) {
        let runs = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&runs);
        let job = Box::new(move || {
            std::thread::sleep(delay);
            counter.fetch_add(1, Ordering::SeqCst);
            true
        });
        (
            Refresh::start(schedule, FirstLoad::Done, job).unwrap(),
            runs,
        )
    }

    const RARELY: Duration = Duration::from_secs(3600);

    fn schedule(interval: Duration, cooldown: Duration) -> Schedule {
        Schedule {
            interval,
            cooldown,
            first_retry: Duration::from_secs(1),
        }
    }

    /// Waits (bounded) until `check` holds. Not a timing assertion.
    fn eventually(check: impl Fn() -> bool) -> bool {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if check() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    #[test]
    fn concurrent_requests_share_one_reload_and_the_cooldown_holds() {
        let (handle, runs) = counting(schedule(RARELY, Duration::ZERO), Duration::from_millis(100));
        let epoch = handle.epoch();
        let waits: Vec<_> = (0..50).map(|_| handle.request(epoch).unwrap()).collect();
        for wait in waits {
            block_on(wait);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);

        let (handle, runs) = counting(schedule(RARELY, RARELY), Duration::ZERO);
        assert!(
            handle.request(0).is_none(),
            "within the cooldown of the start"
        );
        assert_eq!(runs.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn past_the_most_waiters_a_request_is_refused_until_one_leaves() {
        let (handle, _) = counting(schedule(RARELY, Duration::ZERO), Duration::from_secs(5));
        let epoch = handle.epoch();
        let mut waits: Vec<_> = (0..MAX_WAITERS)
            .map(|_| handle.request(epoch).expect("room to wait"))
            .collect();
        assert!(handle.request(epoch).is_none());
        waits.pop();
        assert!(handle.request(epoch).is_some());
    }

    #[test]
    fn dropping_the_verifier_ends_every_wait() {
        let (handle, _) = counting(schedule(RARELY, Duration::ZERO), Duration::from_secs(2));
        let epoch = handle.epoch();
        let waits: Vec<_> = (0..3).map(|_| handle.request(epoch).unwrap()).collect();
        let waiting = std::thread::spawn(move || waits.into_iter().for_each(block_on));
        drop(handle);
        let started = Instant::now();
        waiting.join().unwrap();
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn a_reload_finished_since_the_lookup_means_retry_at_once() {
        let (handle, _) = counting(schedule(RARELY, RARELY), Duration::ZERO);
        // Keys looked up at epoch 0; reload 1 has finished meanwhile.
        handle.refresh.finished.store(1, Ordering::SeqCst);
        block_on(
            handle
                .request(0)
                .expect("no cooldown for a finished reload"),
        );
    }

    #[test]
    fn a_panicking_reload_is_finished_and_the_thread_goes_on() {
        let runs = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&runs);
        let job = Box::new(move || {
            if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                panic!("fetch function bug");
            }
            true
        });
        let handle =
            Refresh::start(schedule(RARELY, Duration::ZERO), FirstLoad::Done, job).unwrap();
        for _ in 0..2 {
            let epoch = handle.epoch();
            block_on(handle.request(epoch).unwrap());
        }
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn reloads_on_the_interval_and_stops_when_dropped() {
        let (handle, runs) = counting(schedule(Duration::from_millis(20), RARELY), Duration::ZERO);
        std::thread::sleep(Duration::from_millis(300));
        assert!(runs.load(Ordering::SeqCst) >= 3);
        drop(handle);
        std::thread::sleep(Duration::from_millis(50));
        let after_drop = runs.load(Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(runs.load(Ordering::SeqCst), after_drop);
    }

    #[test]
    fn the_backoff_doubles_from_the_first_retry_up_to_the_interval() {
        let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(300));
        let steps: Vec<u64> = (0..12).map(|_| backoff.step().as_secs()).collect();
        assert_eq!(steps, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]);
        // A first retry longer than the interval is the interval.
        let mut backoff = Backoff::new(Duration::from_secs(60), Duration::from_secs(5));
        assert_eq!(backoff.step(), Duration::from_secs(5));
        // Doubling never overflows.
        let mut backoff = Backoff::new(Duration::MAX / 2, Duration::MAX);
        for _ in 0..4 {
            assert!(backoff.step() <= Duration::MAX);
        }
    }

    #[test]
    fn a_pending_first_load_runs_at_once_not_after_an_interval() {
        let runs = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&runs);
        let job = Box::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            true
        });
        let _handle = Refresh::start(schedule(RARELY, RARELY), FirstLoad::Pending, job).unwrap();
        assert!(eventually(|| runs.load(Ordering::SeqCst) == 1));
    }

    #[test]
    fn failed_first_loads_back_off_then_the_normal_schedule_resumes() {
        let first_retry = Duration::from_millis(40);
        let interval = Duration::from_millis(200);
        let starts = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&starts);
        // Fails twice, then loads.
        let job = Box::new(move || {
            let mut starts = record.lock().unwrap();
            starts.push(Instant::now());
            starts.len() > 2
        });
        let schedule = Schedule {
            interval,
            cooldown: RARELY,
            first_retry,
        };
        let handle = Refresh::start(schedule, FirstLoad::Pending, job).unwrap();
        assert!(eventually(|| starts.lock().unwrap().len() >= 4));
        drop(handle);
        let starts = starts.lock().unwrap();
        let gaps: Vec<Duration> = starts.windows(2).map(|w| w[1] - w[0]).collect();
        // Lower bounds only: a busy machine makes the gaps longer, never shorter.
        assert!(gaps[0] >= first_retry, "{gaps:?}");
        assert!(gaps[1] >= 2 * first_retry, "{gaps:?}");
        // Loaded: the next reload is an interval later, not the next
        // backoff step (160 ms).
        assert!(gaps[2] >= interval, "{gaps:?}");
    }
}
