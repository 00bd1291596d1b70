use super::*;

#[expect(
    clippy::disallowed_methods,
    reason = "a unit test needs one real Instant as the origin of virtual time"
)]
fn origin() -> Instant {
    Instant::now()
}

/// Runs one transaction that is never answered and returns the send times and the timeout
/// time, in milliseconds from the start.
fn schedule(reliable: bool, config: TransactionConfig) -> (Vec<u128>, u128) {
    let t0 = origin();
    let mut table = Transactions::new(config);
    table.start(TransactionId([1; 12]), (), b"request", reliable);
    let mut now = t0;
    let mut sends = Vec::new();
    loop {
        while let Some((_, bytes)) = table.poll_send(now) {
            assert_eq!(bytes, b"request");
            sends.push((now - t0).as_millis());
        }
        if let Some((id, ())) = table.poll_timed_out() {
            assert_eq!(id, TransactionId([1; 12]));
            return (sends, (now - t0).as_millis());
        }
        now = table
            .poll_timeout()
            .expect("a pending transaction always has a timer");
        table.handle_timeout(now);
    }
}

#[test]
fn udp_schedule_follows_rfc8489() {
    let (sends, timeout) = schedule(false, TransactionConfig::default());
    assert_eq!(sends, [0, 500, 1500, 3500, 7500, 15500, 31500]);
    assert_eq!(timeout, 39500);
}

#[test]
fn reliable_transport_sends_once_and_times_out_at_ti() {
    let (sends, timeout) = schedule(true, TransactionConfig::default());
    assert_eq!(sends, [0]);
    assert_eq!(timeout, 39500);
}

#[test]
fn custom_rto_and_rc() {
    let (sends, timeout) = schedule(
        false,
        TransactionConfig::default()
            .rto(Duration::from_millis(100))
            .max_requests(3),
    );
    assert_eq!(sends, [0, 100, 300]);
    assert_eq!(timeout, 300 + 1600);
}

#[test]
fn finishing_a_transaction_stops_its_timers() {
    let t0 = origin();
    let mut table = Transactions::new(TransactionConfig::default());
    let id = TransactionId([2; 12]);
    table.start(id, "allocate", b"x", false);
    assert!(table.poll_send(t0).is_some());
    assert_eq!(table.tag(&id), Some(&"allocate"));
    assert_eq!(table.finish(&id), Some("allocate"));
    assert_eq!(table.finish(&id), None, "a second response is unmatched");
    assert_eq!(table.poll_timeout(), None);
    assert!(table.is_empty());
}

#[test]
fn early_or_repeated_timeouts_are_harmless() {
    let t0 = origin();
    let mut table = Transactions::new(TransactionConfig::default());
    table.start(TransactionId([3; 12]), (), b"x", false);
    table.poll_send(t0).unwrap();
    table.handle_timeout(t0 + Duration::from_millis(499));
    assert!(table.poll_send(t0 + Duration::from_millis(499)).is_none());
    table.handle_timeout(t0 + Duration::from_millis(500));
    table.handle_timeout(t0 + Duration::from_millis(500));
    assert!(table.poll_send(t0 + Duration::from_millis(500)).is_some());
    assert!(
        table.poll_send(t0 + Duration::from_millis(500)).is_none(),
        "due once, sent once"
    );
}
