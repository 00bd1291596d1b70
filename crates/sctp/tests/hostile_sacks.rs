//! SACKs from a hostile peer (see `hostile_peer.rs` for the setting): gap blocks that cover
//! nothing, run backwards or overlap, cumulative acks of what was never sent or far behind,
//! the longest lists, and forged windows.

mod hostile;

use hostile::*;

/// What the SACK flood left: the victim's answers, and its chunks in flight right after.
struct AfterSacks {
    answers: Answers,
    in_flight: usize,
}

/// a's message of three chunks in flight, not yet received by b (held back); `sacks` builds
/// the forged SACKs from the victim's tag and its cumulative TSN ack point (the chunks are at
/// offsets 1 to 3 from it). Afterwards the held packets reach b, which must get the message
/// whole, and a must end with nothing in flight and both directions working.
fn forged_sacks(
    seed: u64,
    label: &str,
    sacks: impl Fn(u32, u32, &mut Rng) -> Vec<Vec<u8>>,
) -> AfterSacks {
    let mut p = Pair::established(seed, true);
    let (held, message, cumulative) = p.three_chunks_in_flight(label);
    let mut rng = Rng::new(seed);
    let answers = p.flood(sacks(p.tap.to_a, cumulative, &mut rng));
    answers.assert_bounded(label);
    let in_flight = p.a.unacknowledged_chunks();
    p.assert_established(label);
    p.deliver_late(label, held, &message);
    AfterSacks { answers, in_flight }
}

impl Pair {
    /// a sends a 3,000-byte message (three chunks, within the initial cwnd) whose packets are
    /// held back; returns them, the message and a's cumulative TSN ack point.
    fn three_chunks_in_flight(&mut self, label: &str) -> (Vec<Vec<u8>>, Vec<u8>, u32) {
        self.hold_a = Some(Vec::new());
        let message: Vec<u8> = (0..3_000u32).map(|i| (i * 7) as u8).collect();
        self.a
            .send(LEGIT_STREAM, 53, false, message.clone())
            .unwrap();
        self.settle(Duration::from_millis(1));
        let held = self.hold_a.take().unwrap();
        assert_eq!(
            self.a.unacknowledged_chunks(),
            3,
            "{label}: three chunks in flight"
        );
        let cumulative = first_data_tsn(&held).wrapping_sub(1);
        (held, message, cumulative)
    }

    /// The held packets reach b late; b's SACKs then clear a's flight.
    fn deliver_late(&mut self, label: &str, held: Vec<Vec<u8>>, message: &[u8]) {
        for datagram in held {
            let _ = self.b.handle_receive(self.now, rx(&datagram));
        }
        let done = self.run(Duration::from_secs(60), |p| {
            received(&p.events_b).contains(&(LEGIT_STREAM, message.to_vec()))
                && p.a.unacknowledged_chunks() == 0
        });
        assert!(
            done,
            "{label}: the message in flight did not get through: {:?} {:?} {:?}",
            self.a, self.b, self.events_b
        );
        self.assert_established(label);
        self.legit_both_ways(label);
    }
}

fn sack(
    tag: u32,
    cumulative: u32,
    a_rwnd: u32,
    blocks: &[GapAckBlock],
    duplicates: &[u32],
) -> Vec<u8> {
    craft(
        tag,
        &[ChunkRepr::Sack(SackRepr {
            cumulative_tsn_ack: cumulative,
            a_rwnd,
            gap_blocks: List::from_slice(blocks),
            duplicate_tsns: List::from_slice(duplicates),
        })],
        JUMBO,
    )
}

const RWND: u32 = 4 << 20;

fn block(start: u16, end: u16) -> GapAckBlock {
    GapAckBlock { start, end }
}

#[test]
fn sack_gap_blocks_that_cover_nothing_or_run_backwards_change_nothing() {
    let after = forged_sacks(10, "empty and reversed blocks", |tag, cum, rng| {
        (0..2_000)
            .map(|_| {
                let blocks: Vec<GapAckBlock> = (0..1 + rng.below(100))
                    .map(|_| match rng.below(4) {
                        // Beyond anything sent.
                        0 => block(4 + rng.below(1000) as u16, u16::MAX),
                        // start > end.
                        1 => block(5, 2),
                        2 => block(u16::MAX, 1),
                        // Offset 0 is the cumulative TSN itself.
                        _ => block(0, 0),
                    })
                    .collect();
                sack(tag, cum, RWND, &blocks, &[])
            })
            .collect()
    });
    assert_eq!(after.answers.refused, 0);
    // Block (0, 0) names the cumulative TSN itself; no block names a chunk in flight, so
    // nothing is acknowledged and nothing is retransmitted.
    assert_eq!(after.in_flight, 3);
    assert_eq!(after.answers.sent, 0, "{:?}", after.answers.chunk_types);
}

#[test]
fn overlapping_sack_gap_blocks_acknowledge_each_chunk_once() {
    let after = forged_sacks(11, "overlapping blocks", |tag, cum, rng| {
        (0..2_000)
            .map(|_| {
                let blocks: Vec<GapAckBlock> = (0..2 + rng.below(50))
                    .map(|_| {
                        let start = 2 + rng.below(3) as u16;
                        block(start, start + rng.below(4) as u16)
                    })
                    .collect();
                sack(tag, cum, RWND, &blocks, &[])
            })
            .collect()
    });
    // Chunks 2 and 3 acknowledged once, chunk 1 reported missing over and over: a miss is
    // counted only below a TSN newly acknowledged (RFC 9260 §7.2.4, HTNA), so repeating the
    // same report triggers no fast retransmission at all, let alone one per SACK.
    assert_eq!(
        after.in_flight, 3,
        "gap-acknowledged chunks stay until cumulatively acked"
    );
    assert_eq!(after.answers.sent, 0);
}

/// Gap blocks claiming every chunk in flight from the first one on: no correct peer says that
/// (it would have acknowledged them cumulatively). A gap ack is not final (RFC 9260 §6.2.1), so
/// nothing may be given up on it: in particular no FORWARD TSN may skip them, since nothing was
/// abandoned.
#[test]
fn gap_blocks_claiming_everything_in_flight_never_make_the_sender_skip_it() {
    let after = forged_sacks(15, "everything gap-acknowledged", |tag, cum, _| {
        (0..100)
            .map(|_| sack(tag, cum, RWND, &[block(1, 3)], &[]))
            .collect()
    });
    assert!(
        !after.answers.chunk_types.contains(&chunk_type::FORWARD_TSN),
        "a FORWARD TSN skipped a reliable message: {:?}",
        after.answers.chunk_types
    );
    assert_eq!(after.in_flight, 3);
}

/// Acknowledging TSNs never sent is a protocol violation; such a SACK must not be taken, or
/// the sender forgets what is in flight and its next TSN jumps past the peer's window.
#[test]
fn a_cumulative_tsn_ack_beyond_anything_sent_is_not_taken() {
    // The chunks in flight are at offsets 1 to 3; 4 is the first TSN never sent.
    for (i, ahead) in [(1u32 << 31) - 1, 1_000_000, 65_536, 4]
        .into_iter()
        .enumerate()
    {
        let label = format!("cumulative ack {ahead} ahead");
        let mut p = Pair::established(20 + i as u64, true);
        let (held, message, cumulative) = p.three_chunks_in_flight(&label);
        let forged = sack(p.tap.to_a, cumulative.wrapping_add(ahead), RWND, &[], &[]);
        let answers = p.flood([forged]);
        answers.assert_bounded(&label);
        assert_eq!(
            p.a.unacknowledged_chunks(),
            3,
            "{label}: chunks b never acknowledged left the flight"
        );
        p.deliver_late(&label, held, &message);
    }
}

fn first_data_tsn(datagrams: &[Vec<u8>]) -> u32 {
    datagrams
        .iter()
        .flat_map(|d| {
            let packet = Packet::new_checked(&d[..]).unwrap();
            packet
                .chunks()
                .flatten()
                .filter_map(|c| match ChunkRepr::parse(&c) {
                    Ok(ChunkRepr::Data(data)) => Some(data.tsn),
                    Ok(ChunkRepr::IData(data)) => Some(data.tsn),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .next()
        .expect("a DATA chunk")
}

#[test]
fn a_cumulative_tsn_ack_far_behind_is_ignored() {
    let after = forged_sacks(12, "cumulative ack behind", |tag, cum, rng| {
        (0..2_000)
            .map(|_| {
                let back = [1u32, 1_000, 1_000_000, (1 << 31) - 1][rng.below(4) as usize];
                sack(tag, cum.wrapping_sub(back), RWND, &[block(1, 3)], &[])
            })
            .collect()
    });
    // Dropped whole (RFC 9260 §6.2.1 D i): not even its gap block is looked at.
    assert_eq!(after.in_flight, 3);
    assert_eq!(after.answers.sent, 0);
}

#[test]
fn sacks_with_the_longest_duplicate_and_gap_lists_are_absorbed() {
    let after = forged_sacks(13, "longest lists", |tag, cum, rng| {
        // A 16-bit chunk length holds (65,535 - 16) / 4 = 16,379 four-byte entries.
        let most = (65_535 - 16) / 4;
        let mut packets = Vec::new();
        for round in 0..40 {
            let duplicates: Vec<u32> = (0..most).map(|_| rng.next() as u32).collect();
            packets.push(sack(tag, cum, RWND, &[], &duplicates));
            let blocks: Vec<GapAckBlock> = (0..most)
                .map(|i| match (round + i) % 3 {
                    0 => block(rng.next() as u16, rng.next() as u16),
                    1 => block(7, 3),
                    _ => block(1000, u16::MAX),
                })
                .collect();
            packets.push(sack(tag, cum, RWND, &blocks, &[]));
            // And within an ordinary packet.
            let duplicates: Vec<u32> = (0..(MTU - 28) / 4).map(|_| rng.next() as u32).collect();
            packets.push(sack(tag, cum, RWND, &[], &duplicates));
        }
        packets
    });
    assert_eq!(after.answers.refused, 0);
    assert!(
        after.answers.sent <= 3,
        "at most the three chunks sent again"
    );
}

#[test]
fn forged_receive_windows_of_zero_and_four_gib_do_not_stall_or_flood() {
    let after = forged_sacks(14, "forged windows", |tag, cum, rng| {
        (0..1_000)
            .map(|_| {
                let a_rwnd = [0, u32::MAX, 1, 1 << 20][rng.below(4) as usize];
                sack(tag, cum, a_rwnd, &[], &[])
            })
            .collect()
    });
    assert_eq!(after.in_flight, 3);
    assert_eq!(after.answers.sent, 0);
}

// (e) FORWARD TSN -----------------------------------------------------------------------------
