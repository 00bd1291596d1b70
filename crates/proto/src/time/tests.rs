use super::MonotonicClock;
use std::time::{Duration, Instant};

#[expect(
    clippy::disallowed_methods,
    reason = "a unit test needs one real Instant as the origin of virtual time"
)]
fn origin() -> Instant {
    Instant::now()
}

#[test]
fn never_goes_backwards() {
    let t0 = origin();
    let mut clock = MonotonicClock::new(t0);
    assert_eq!(clock.now(), t0);
    let t5 = t0 + Duration::from_millis(5);
    assert_eq!(clock.advance(t5), t5);
    assert_eq!(clock.advance(t0), t5);
    assert_eq!(clock.now(), t5);
    let t6 = t5 + Duration::from_millis(1);
    assert_eq!(clock.advance(t6), t6);
}
