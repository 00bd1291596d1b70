//! Helpers shared by the netsim integration tests.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

/// The origin of virtual time for a test (any instant will do: traces use offsets from it).
#[expect(
    clippy::disallowed_methods,
    reason = "tests pick one real Instant as the epoch of virtual time"
)]
pub(crate) fn epoch() -> Instant {
    Instant::now()
}

pub(crate) fn ip(s: &str) -> IpAddr {
    s.parse().expect("test IP literal")
}

pub(crate) fn sa(s: &str) -> SocketAddr {
    s.parse().expect("test socket address literal")
}
