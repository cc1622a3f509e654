//! With the `tracing` feature, a query token is never in an event: every
//! event of the process is written to a buffer (a subscriber of a few
//! lines, no extra crate) while tokens are accepted and refused.

use std::fmt::{self, Write as _};
use std::sync::{Mutex, Once};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

use crate::common::minter;
use crate::servers::start_all;
use crate::{assert_unauthorized, opens_everywhere, query_verifier, refused_everywhere};

/// Every event and span field recorded, as text.
static LOG: Mutex<String> = Mutex::new(String::new());

/// Records everything, at every level, from every thread.
struct Capture;

/// Writes each field as `name=value `.
struct Line<'a>(&'a mut String);

impl Visit for Line<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let _ = write!(self.0, "{}={value:?} ", field.name());
    }
}

impl Capture {
    fn write(&self, metadata: &Metadata<'_>, record: impl FnOnce(&mut Line<'_>)) {
        let mut log = LOG.lock().unwrap();
        let _ = write!(log, "{} {}: ", metadata.level(), metadata.target());
        record(&mut Line(&mut log));
        log.push('\n');
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        self.write(span.metadata(), |line| span.record(line));
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut log = LOG.lock().unwrap();
        values.record(&mut Line(&mut log));
        log.push('\n');
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        self.write(event.metadata(), |line| event.record(line));
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

#[tokio::test]
async fn query_tokens_never_reach_the_log() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| tracing::subscriber::set_global_default(Capture).unwrap());

    let servers = start_all(&query_verifier()).await;
    let valid = minter().sign();
    let expired = minter().expired().sign();
    let other = minter().subject("user-2").sign();
    opens_everywhere(&servers, &format!("?access_token={valid}"), &[], "user-1").await;
    for (suffix, code) in [
        (format!("?access_token={expired}"), "token_expired"),
        (
            format!("?access_token={valid}&access_token={other}"),
            "multiple_credentials",
        ),
        (
            format!("?access_token={}", expired.replacen('.', "%2E", 1)),
            "malformed_token",
        ),
    ] {
        let answer = refused_everywhere(&servers, &suffix, &[]).await;
        assert_unauthorized(&answer, code);
    }

    let log = LOG.lock().unwrap().clone();
    // The refusals were logged (so the capture works)...
    for code in ["token_expired", "multiple_credentials", "malformed_token"] {
        assert!(log.contains(code), "no {code} event in:\n{log}");
    }
    // ...without any token, or any part of one.
    for token in [&valid, &expired, &other] {
        for part in token.split('.').skip(1) {
            assert!(!log.contains(part), "a token part is in the log:\n{log}");
        }
    }
    assert!(!log.contains("access_token="), "{log}");
}
