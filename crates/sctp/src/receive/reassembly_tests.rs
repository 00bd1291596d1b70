//! Unit tests of `reassembly.rs`.
use super::*;
use proptest::prelude::*;

fn frag(tsn: u64, stream: u16, sequence: u32, b: bool, e: bool, payload: &[u8]) -> Fragment<'_> {
    Fragment {
        tsn,
        stream,
        sequence,
        fsn: 0,
        ppid: 51,
        unordered: false,
        beginning: b,
        end: e,
        payload,
    }
}

fn drain(r: &mut Reassembly) -> Vec<(u16, Vec<u8>)> {
    std::iter::from_fn(|| r.pop())
        .map(|m| (m.stream, m.data))
        .collect()
}

#[test]
fn ordered_messages_wait_for_earlier_ones_of_their_stream_only() {
    let mut r = Reassembly::new(false, 1 << 20);
    r.insert(&frag(11, 1, 1, true, true, b"s1 second")).unwrap();
    r.insert(&frag(12, 2, 0, true, true, b"s2 first")).unwrap();
    assert_eq!(
        drain(&mut r),
        [(2, b"s2 first".to_vec())],
        "stream 2 is not blocked by stream 1"
    );
    r.insert(&frag(10, 1, 0, true, true, b"s1 first")).unwrap();
    assert_eq!(
        drain(&mut r),
        [(1, b"s1 first".to_vec()), (1, b"s1 second".to_vec())]
    );
    assert_eq!(r.held(), 0);
}

#[test]
fn fragments_in_any_order_make_one_message() {
    let mut r = Reassembly::new(false, 1 << 20);
    r.insert(&frag(22, 0, 0, false, true, b"!")).unwrap();
    r.insert(&frag(20, 0, 0, true, false, b"hel")).unwrap();
    assert!(r.pop().is_none());
    r.insert(&frag(21, 0, 0, false, false, b"lo")).unwrap();
    assert_eq!(drain(&mut r), [(0, b"hello!".to_vec())]);
}

#[test]
fn unordered_data_fragments_are_joined_by_consecutive_tsns() {
    let mut r = Reassembly::new(false, 1 << 20);
    let u = |tsn, b, e, p: &'static [u8]| Fragment {
        unordered: true,
        ..frag(tsn, 3, 0, b, e, p)
    };
    r.insert(&u(32, false, true, b"c")).unwrap();
    r.insert(&u(40, true, true, b"solo")).unwrap();
    r.insert(&u(31, false, false, b"b")).unwrap();
    assert_eq!(drain(&mut r), [(3, b"solo".to_vec())]);
    r.insert(&u(30, true, false, b"a")).unwrap();
    assert_eq!(drain(&mut r), [(3, b"abc".to_vec())]);
    assert_eq!(r.held(), 0);
}

#[test]
fn interleaved_messages_on_one_stream_assemble_by_fsn() {
    let mut r = Reassembly::new(true, 1 << 20);
    let i = |tsn, mid, fsn, b, e, p: &'static [u8]| Fragment {
        fsn,
        ..frag(tsn, 0, mid, b, e, p)
    };
    r.insert(&i(1, 0, 0, true, false, b"big-")).unwrap();
    r.insert(&i(2, 1, 0, true, true, b"small")).unwrap();
    assert!(r.pop().is_none(), "MID 1 waits for MID 0");
    r.insert(&i(3, 0, 1, false, true, b"end")).unwrap();
    assert_eq!(
        drain(&mut r),
        [(0, b"big-end".to_vec()), (0, b"small".to_vec())]
    );
}

#[test]
fn the_byte_limit_refuses_what_would_go_past_it() {
    let mut r = Reassembly::new(false, 10);
    r.insert(&frag(1, 0, 0, true, false, b"12345678")).unwrap();
    assert_eq!(
        r.insert(&frag(2, 0, 0, false, true, b"abc")),
        Err(Refused::Full)
    );
    assert_eq!(r.held(), 8 + FRAGMENT_OVERHEAD + PARTIAL_OVERHEAD);
}

/// A second whole message under a sequence number already waiting (only a broken or hostile
/// peer sends one) replaces the first without leaking its bytes, and a message being
/// assembled under a number just delivered is dropped: nothing stays counted.
#[test]
fn messages_repeating_a_sequence_number_leave_nothing_held() {
    let mut r = Reassembly::new(false, 1 << 20);
    r.insert(&frag(1, 0, 1, true, true, b"first")).unwrap();
    r.insert(&frag(2, 0, 1, true, true, b"second")).unwrap();
    r.insert(&frag(3, 0, 0, true, false, b"never ends"))
        .unwrap();
    r.insert(&frag(4, 0, 0, true, true, b"zero")).unwrap();
    assert_eq!(
        drain(&mut r),
        [(0, b"zero".to_vec()), (0, b"second".to_vec())]
    );
    assert_eq!(r.held(), 0);
    // And when the whole message comes last, at its turn.
    r.insert(&frag(5, 0, 2, true, false, b"never ends either"))
        .unwrap();
    r.insert(&frag(6, 0, 2, true, true, b"two")).unwrap();
    assert_eq!(drain(&mut r), [(0, b"two".to_vec())]);
    assert_eq!(r.held(), 0);
}

/// A hostile peer's 1-byte fragments are charged their bookkeeping: the limit refuses them
/// long before the bytes alone would reach it.
#[test]
fn tiny_fragments_are_charged_their_bookkeeping() {
    let limit = 1 << 20;
    for interleaved in [false, true] {
        let mut r = Reassembly::new(interleaved, limit);
        let mut taken = 0;
        for n in 0..limit as u64 {
            let (stream, sequence) = ((n % 1000) as u16, (n / 1000) as u32);
            if r.insert(&frag(n, stream, sequence, true, false, b"x"))
                .is_err()
            {
                break;
            }
            taken += 1;
        }
        assert!(r.held() <= limit + PARTIAL_OVERHEAD + FRAGMENT_OVERHEAD);
        assert_eq!(
            taken,
            limit.div_ceil(1 + FRAGMENT_OVERHEAD + PARTIAL_OVERHEAD),
            "each costs its overheads"
        );
    }
}

#[test]
fn stale_ordered_messages_are_refused() {
    let mut r = Reassembly::new(false, 1 << 20);
    r.insert(&frag(1, 0, 0, true, true, b"x")).unwrap();
    assert_eq!(
        r.insert(&frag(2, 0, 0, true, true, b"x")),
        Err(Refused::Stale)
    );
}

#[test]
fn a_stream_reset_drops_what_was_pending_and_starts_again() {
    let mut r = Reassembly::new(false, 1 << 20);
    r.insert(&frag(1, 4, 5, true, false, b"part")).unwrap();
    r.reset_stream(4);
    assert_eq!(r.held(), 0);
    r.insert(&frag(9, 4, 0, true, true, b"fresh")).unwrap();
    assert_eq!(drain(&mut r), [(4, b"fresh".to_vec())]);
}

#[test]
fn a_forward_tsn_drops_abandoned_unordered_fragments_but_not_a_message_still_arriving() {
    let unordered = |f: Fragment<'static>| Fragment {
        unordered: true,
        ..f
    };
    let mut r = Reassembly::new(false, 1 << 20);
    // TSN 10: the middle of an abandoned message (its B at 9 never came).
    r.insert(&unordered(frag(10, 2, 0, false, false, b"orphan")))
        .unwrap();
    // TSNs 11-12: the start of a reliable message whose end (13) is still on its way.
    r.insert(&unordered(frag(11, 2, 0, true, false, b"rel")))
        .unwrap();
    r.insert(&unordered(frag(12, 2, 0, false, false, b"iab")))
        .unwrap();
    // TSN 15: the end of another reliable message whose start (14) was lost and is being
    // sent again: above the cumulative point, it stays.
    r.insert(&unordered(frag(15, 2, 0, false, true, b"!")))
        .unwrap();
    // The cumulative TSN moves to 12 (9 and 10 abandoned, 11-12 arrived).
    r.drop_unordered_up_to(12);
    // 7 bytes in three fragments; the run 11-12 keeps the charge of the two runs it was
    // merged from until it completes.
    assert_eq!(
        r.held(),
        7 + 3 * FRAGMENT_OVERHEAD + 3 * PARTIAL_OVERHEAD,
        "the orphan went, the reliable pieces stayed"
    );
    r.insert(&unordered(frag(13, 2, 0, false, true, b"le")))
        .unwrap();
    r.insert(&unordered(frag(14, 2, 0, true, false, b"ok")))
        .unwrap();
    assert_eq!(
        drain(&mut r),
        [(2, b"reliable".to_vec()), (2, b"ok!".to_vec())]
    );
    assert_eq!(r.held(), 0);
}

#[test]
fn skipping_abandoned_messages_resumes_delivery() {
    let mut r = Reassembly::new(false, 1 << 20);
    r.insert(&frag(1, 0, 0, true, true, b"zero")).unwrap();
    r.insert(&frag(2, 0, 1, true, false, b"lost-half")).unwrap();
    r.insert(&frag(5, 0, 2, true, true, b"two")).unwrap();
    assert_eq!(drain(&mut r), [(0, b"zero".to_vec())]);
    r.skip(0, 1);
    assert_eq!(drain(&mut r), [(0, b"two".to_vec())]);
    assert_eq!(r.held(), 0);
}

proptest! {
    /// Messages of several streams, fragmented, delivered in any order: every message
    /// comes out whole exactly once, ordered ones in order per stream.
    #[test]
    fn shuffled_fragments_reassemble_in_order(
        messages in proptest::collection::vec((0u16..3, any::<bool>(), 1usize..40), 1..30),
        interleaved in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let max_fragment = 7;
        let mut fragments = Vec::new();
        let mut payloads = Vec::new();
        let mut next_ssn = [0u32; 3];
        let mut tsn = 100u64;
        for (n, &(stream, unordered, len)) in messages.iter().enumerate() {
            let data: Vec<u8> = (0..len).map(|i| (n * 31 + i) as u8).collect();
            let sequence = if unordered { 0 } else {
                let s = next_ssn[usize::from(stream)];
                next_ssn[usize::from(stream)] += 1;
                s
            };
            let pieces: Vec<&[u8]> = data.chunks(max_fragment).collect();
            payloads.push((stream, unordered, data.clone()));
            for (fsn, piece) in pieces.iter().enumerate() {
                fragments.push((tsn, stream, sequence, fsn as u32, unordered, fsn == 0, fsn + 1 == pieces.len(), piece.to_vec()));
                tsn += 1;
            }
        }
        // Unordered I-DATA messages need their own MID too.
        if interleaved {
            let mut mids = [1000u32; 3];
            let mut current = None;
            for f in &mut fragments {
                if f.4 {
                    if f.5 { mids[usize::from(f.1)] += 1; current = Some(mids[usize::from(f.1)]); }
                    f.2 = current.unwrap_or(0);
                }
            }
        }
        // A deterministic shuffle.
        let mut state = seed | 1;
        for i in (1..fragments.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            fragments.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let mut r = Reassembly::new(interleaved, 1 << 20);
        let mut out = Vec::new();
        for f in &fragments {
            let fragment = Fragment { tsn: f.0, stream: f.1, sequence: f.2, fsn: f.3, ppid: 51, unordered: f.4, beginning: f.5, end: f.6, payload: &f.7 };
            prop_assert_eq!(r.insert(&fragment), Ok(()));
            out.extend(std::iter::from_fn(|| r.pop()));
        }
        prop_assert_eq!(r.held(), 0);
        prop_assert_eq!(out.len(), payloads.len());
        for stream in 0..3u16 {
            let sent: Vec<&Vec<u8>> = payloads.iter().filter(|p| p.0 == stream && !p.1).map(|p| &p.2).collect();
            let got: Vec<&Vec<u8>> = out.iter().filter(|m| m.stream == stream && !m.unordered).map(|m| &m.data).collect();
            prop_assert_eq!(got, sent);
            let mut sent_u: Vec<&Vec<u8>> = payloads.iter().filter(|p| p.0 == stream && p.1).map(|p| &p.2).collect();
            let mut got_u: Vec<&Vec<u8>> = out.iter().filter(|m| m.stream == stream && m.unordered).map(|m| &m.data).collect();
            sent_u.sort(); got_u.sort();
            prop_assert_eq!(got_u, sent_u);
        }
    }
}
