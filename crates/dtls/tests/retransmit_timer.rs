//! The flight retransmission timer follows RFC 6347 §4.2.4: doubling up to the ceiling, never
//! firing early, and reset by `stop`.

use sansrtc_dtls::timer::{RetransmitTimer, TimerConfig};
use std::time::{Duration, Instant};

#[test]
#[expect(
    clippy::disallowed_methods,
    reason = "an arbitrary starting instant; the timer only adds to it"
)]
fn timeouts_double_up_to_the_ceiling_and_reset_on_stop() {
    let start = Instant::now();
    let mut timer = RetransmitTimer::new(TimerConfig {
        initial: Duration::from_secs(1),
        maximum: Duration::from_secs(8),
        handshake_timeout: Duration::from_secs(60),
    });
    timer.start(start);
    let mut now = start;
    let mut gaps = Vec::new();
    for _ in 0..6 {
        let deadline = timer.deadline().unwrap();
        assert!(
            !timer.expire(deadline - Duration::from_millis(1)),
            "not before the deadline"
        );
        gaps.push(deadline - now);
        now = deadline;
        assert!(timer.expire(now));
    }
    assert_eq!(
        gaps.iter().map(Duration::as_secs).collect::<Vec<_>>(),
        [1, 2, 4, 8, 8, 8]
    );
    assert_eq!(timer.retransmissions(), 6);
    timer.stop();
    assert_eq!(
        (timer.deadline(), timer.current()),
        (None, Duration::from_secs(1))
    );
    assert!(!timer.expire(now + Duration::from_secs(100)));
}
