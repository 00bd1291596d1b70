//! Which pairs of classic NAT kinds let two peers punch a direct UDP path, with the textbook
//! answer: everything but symmetric against symmetric or port-restricted cone.

use sansrtc_netsim::NatKind;
use sansrtc_netsim::punch::punch_through;
use std::time::{Duration, Instant};

#[expect(
    clippy::disallowed_methods,
    reason = "tests pick one real Instant as the epoch of virtual time"
)]
fn epoch() -> Instant {
    Instant::now()
}

const KINDS: [NatKind; 4] = [
    NatKind::FullCone,
    NatKind::RestrictedCone,
    NatKind::PortRestrictedCone,
    NatKind::Symmetric,
];

fn should_connect(a: NatKind, b: NatKind) -> bool {
    use NatKind::{PortRestrictedCone, Symmetric};
    !matches!(
        (a, b),
        (Symmetric, Symmetric) | (Symmetric, PortRestrictedCone) | (PortRestrictedCone, Symmetric)
    )
}

#[test]
fn every_pair_of_nat_kinds_connects_or_fails_as_expected() {
    for a in KINDS {
        for b in KINDS {
            let outcome = punch_through(epoch(), 1, a, b);
            assert_eq!(
                outcome.connected,
                should_connect(a, b),
                "{a:?} x {b:?}: {outcome:?}"
            );
            if outcome.connected {
                // Register (20 ms up), PEER back (20 ms), then a punch and its ACK each way.
                assert!(
                    outcome.elapsed < Duration::from_millis(500),
                    "{a:?} x {b:?} took {:?}",
                    outcome.elapsed
                );
            } else {
                assert!(
                    outcome.filtered > 0,
                    "{a:?} x {b:?}: failure comes from filtering"
                );
            }
        }
    }
}

#[test]
fn full_cone_pair_needs_no_filtering_drop() {
    let outcome = punch_through(epoch(), 1, NatKind::FullCone, NatKind::FullCone);
    assert!(outcome.connected);
    assert_eq!(outcome.filtered, 0);
}
