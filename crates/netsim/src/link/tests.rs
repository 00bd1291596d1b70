use super::*;
use rand::SeedableRng;

#[expect(
    clippy::disallowed_methods,
    reason = "a unit test needs one real Instant as the origin of virtual time"
)]
fn origin() -> Instant {
    Instant::now()
}

fn link(config: LinkConfig) -> Link {
    Link::new(config, StdRng::seed_from_u64(7))
}

#[test]
fn ideal_link_delivers_instantly() {
    let t0 = origin();
    let mut l = link(LinkConfig::ideal());
    let a = l.admit(t0, 100).unwrap();
    assert_eq!(a.first, t0);
    assert_eq!(a.duplicate, None);
    assert_eq!(l.stats().passed, 1);
}

#[test]
fn oversized_datagram_is_dropped() {
    let t0 = origin();
    let mut l = link(LinkConfig::ideal().mtu(576));
    assert_eq!(l.admit(t0, 577), Err(DropReason::Mtu));
    assert!(l.admit(t0, 576).is_ok());
    assert_eq!(l.stats().dropped_mtu, 1);
}

#[test]
fn bandwidth_serializes_back_to_back_datagrams() {
    let t0 = origin();
    // 8 Mbit/s: 1000 bytes take 1 ms.
    let mut l = link(LinkConfig::ideal().bandwidth(8_000_000, 10_000));
    let a = l.admit(t0, 1000).unwrap();
    let b = l.admit(t0, 1000).unwrap();
    assert_eq!(a.first, t0 + Duration::from_millis(1));
    assert_eq!(b.first, t0 + Duration::from_millis(2));
}

#[test]
fn full_queue_drops_tail_and_drains_over_time() {
    let t0 = origin();
    let mut l = link(LinkConfig::ideal().bandwidth(8_000_000, 3000));
    for _ in 0..3 {
        l.admit(t0, 1000).unwrap();
    }
    assert_eq!(l.admit(t0, 1000), Err(DropReason::QueueFull));
    // After 1 ms the first datagram has left the queue, making room for one more.
    let later = t0 + Duration::from_millis(1);
    assert!(l.admit(later, 1000).is_ok());
    assert_eq!(l.admit(later, 1000), Err(DropReason::QueueFull));
}

#[test]
fn jitter_stays_within_bounds_and_keeps_order_by_default() {
    let t0 = origin();
    let cfg = LinkConfig::ideal()
        .delay(Duration::from_millis(10))
        .jitter(Duration::from_millis(5));
    let mut l = link(cfg);
    let mut last = t0;
    for _ in 0..1000 {
        let a = l.admit(t0, 100).unwrap().first;
        assert!(a >= t0 + Duration::from_millis(10));
        assert!(a <= t0 + Duration::from_millis(15));
        assert!(a >= last, "in-order link delivered out of order");
        last = a;
    }
}
