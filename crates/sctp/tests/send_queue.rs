//! The send queue: fragments of a DATA message stay together and streams take turns; I-DATA
//! interleaves; the buffered amount's low threshold is reported once per crossing; expired
//! unsent messages are dropped; ordered and unordered I-DATA sequences are separate; fragment
//! buffers come from the pool.

use std::time::Instant;

use sansrtc_sctp::send::{Outgoing, SendQueue};

#[expect(clippy::disallowed_methods, reason = "an arbitrary instant for tests")]
fn now() -> Instant {
    Instant::now()
}

fn message(stream: u16, len: usize) -> Outgoing {
    Outgoing {
        stream,
        ppid: 53,
        unordered: false,
        data: (0..len).map(|i| i as u8).collect(),
        expires: None,
        max_retransmits: None,
    }
}

fn drain(q: &mut SendQueue, room: usize) -> Vec<(u16, u32, u32, bool, bool, usize)> {
    let mut pool = Vec::new();
    std::iter::from_fn(|| q.next_fragment(now(), room, &mut pool, |_| {}))
        .map(|f| {
            (
                f.stream,
                f.sequence,
                f.fsn,
                f.beginning,
                f.end,
                f.payload.len(),
            )
        })
        .collect()
}

#[test]
fn data_fragments_of_a_message_stay_together_and_streams_take_turns() {
    let mut q = SendQueue::new(false);
    q.push(message(1, 2500));
    q.push(message(2, 100));
    q.push(message(1, 10));
    assert_eq!(q.buffered(), 2610);
    assert_eq!(
        drain(&mut q, 1000),
        [
            (1, 0, 0, true, false, 1000),
            (1, 0, 1, false, false, 1000),
            (1, 0, 2, false, true, 500),
            (2, 0, 0, true, true, 100),
            (1, 1, 0, true, true, 10),
        ]
    );
    assert_eq!(q.buffered(), 0);
    assert!(q.is_empty());
}

#[test]
fn i_data_interleaves_a_large_message_with_the_others() {
    let mut q = SendQueue::new(true);
    q.push(message(1, 2500));
    q.push(message(2, 100));
    let order: Vec<u16> = drain(&mut q, 1000).iter().map(|f| f.0).collect();
    assert_eq!(
        order,
        [1, 2, 1, 1],
        "stream 2's message goes between the fragments"
    );
}

#[test]
fn the_low_threshold_is_reported_once_per_crossing() {
    let mut q = SendQueue::new(false);
    q.set_low_threshold(7, 1000);
    q.push(message(7, 3000));
    let mut pool = Vec::new();
    q.next_fragment(now(), 1200, &mut pool, |_| {});
    assert_eq!(q.poll_low(), None);
    q.next_fragment(now(), 1200, &mut pool, |_| {});
    assert_eq!(q.poll_low(), Some(7));
    q.next_fragment(now(), 1200, &mut pool, |_| {});
    assert_eq!(q.poll_low(), None, "once per crossing");
    assert_eq!(q.buffered_on(7), 0);
}

#[test]
fn expired_unsent_messages_are_dropped_not_sent() {
    let t = now();
    let mut q = SendQueue::new(false);
    q.push(Outgoing {
        expires: Some(t),
        ..message(3, 50)
    });
    q.push(message(3, 20));
    let mut dropped = Vec::new();
    let mut pool = Vec::new();
    let f = q
        .next_fragment(t, 1000, &mut pool, |m| dropped.push(m.data.len()))
        .unwrap();
    assert_eq!(dropped, [50]);
    assert_eq!(
        (f.sequence, f.payload.len()),
        (0, 20),
        "the dropped one took no SSN"
    );
}

#[test]
fn ordered_and_unordered_sequences_are_separate_for_i_data() {
    let mut q = SendQueue::new(true);
    q.push(message(0, 1));
    q.push(Outgoing {
        unordered: true,
        ..message(0, 1)
    });
    q.push(message(0, 1));
    let seqs: Vec<u32> = drain(&mut q, 100).iter().map(|f| f.1).collect();
    assert_eq!(seqs, [0, 0, 1]);
}

#[test]
fn fragment_buffers_come_from_the_pool_once_warm() {
    let mut q = SendQueue::new(false);
    let mut pool: Vec<Vec<u8>> = (0..4).map(|_| Vec::with_capacity(2000)).collect();
    q.push(message(0, 1500));
    let f = q.next_fragment(now(), 1000, &mut pool, |_| {}).unwrap();
    assert!(f.payload.capacity() >= 2000, "a pooled buffer");
    let f2 = q.next_fragment(now(), 1000, &mut pool, |_| {}).unwrap();
    assert!(f2.end);
    assert_eq!(pool.len(), 3, "two taken, the message's buffer given back");
}
