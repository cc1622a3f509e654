//! Where HTTP meets verification, for any framework: finding the token in a
//! request, answering a refusal, and what a handler can ask for.

pub(crate) mod credentials;
pub(crate) mod extractors;
pub(crate) mod grpc;
pub(crate) mod owner;
pub(crate) mod response;

/// Whether `host` (from a URL; IPv6 in brackets) is this machine: where
/// jwtguard's own requests (the JWKS, `get-session`) may use plain HTTP.
#[cfg(any(feature = "jwks-fetch", feature = "session-http"))]
pub(crate) fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
