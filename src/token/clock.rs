//! Where "now" comes from: the system clock, or a fixed or custom one in tests.

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;

/// The source of the current time used for `exp`, `nbf` and `iat` checks.
///
/// The default is the system clock. Tests inject a fixed instant:
///
/// ```
/// use jwtguard::{Clock, Verifier};
///
/// let verifier = Verifier::builder()
///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
///     .clock(Clock::fixed_unix(1_300_819_370))
///     .build()?;
/// # Ok::<(), jwtguard::ConfigError>(())
/// ```
#[derive(Clone, Default)]
pub struct Clock(Source);

#[derive(Clone, Default)]
enum Source {
    #[default]
    System,
    Fixed(f64),
    Custom(Arc<dyn Fn() -> OffsetDateTime + Send + Sync>),
}

impl Clock {
    /// The system clock.
    ///
    /// ```
    /// let now = jwtguard::Clock::system().now_unix();
    /// assert!(now > 1_700_000_000.0);
    /// ```
    pub fn system() -> Self {
        Self(Source::System)
    }

    /// A clock stopped at `unix_seconds` seconds after the epoch.
    ///
    /// ```
    /// assert_eq!(jwtguard::Clock::fixed_unix(42).now_unix(), 42.0);
    /// ```
    pub fn fixed_unix(unix_seconds: i64) -> Self {
        Self(Source::Fixed(unix_seconds as f64))
    }

    /// A clock stopped at `instant`.
    ///
    /// ```
    /// let at = time::OffsetDateTime::from_unix_timestamp(1_000).unwrap();
    /// assert_eq!(jwtguard::Clock::fixed(at).now_unix(), 1_000.0);
    /// ```
    pub fn fixed(instant: OffsetDateTime) -> Self {
        Self(Source::Fixed(unix_seconds(instant)))
    }

    /// A clock that asks `now` each time, for tests that move time forward.
    ///
    /// ```
    /// let clock = jwtguard::Clock::from_fn(time::OffsetDateTime::now_utc);
    /// assert!(clock.now_unix() > 0.0);
    /// ```
    pub fn from_fn(now: impl Fn() -> OffsetDateTime + Send + Sync + 'static) -> Self {
        Self(Source::Custom(Arc::new(now)))
    }

    /// The current time in seconds since the Unix epoch, with fractions.
    ///
    /// ```
    /// assert_eq!(jwtguard::Clock::fixed_unix(7).now_unix(), 7.0);
    /// ```
    pub fn now_unix(&self) -> f64 {
        match &self.0 {
            Source::System => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0.0, |elapsed| elapsed.as_secs_f64()),
            Source::Fixed(seconds) => *seconds,
            Source::Custom(now) => unix_seconds(now()),
        }
    }
}

fn unix_seconds(instant: OffsetDateTime) -> f64 {
    instant.unix_timestamp() as f64 + f64::from(instant.nanosecond()) / 1e9
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Source::System => f.write_str("Clock::System"),
            Source::Fixed(seconds) => write!(f, "Clock::Fixed({seconds})"),
            Source::Custom(_) => f.write_str("Clock::Custom"),
        }
    }
}
