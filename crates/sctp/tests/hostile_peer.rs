//! An established association hit by a hostile peer: packets that are well formed, carry the
//! right verification tag and a valid CRC32c, built with `PacketBuilder`, but say things a
//! correct peer never says. (Over DTLS only the peer itself can send these: the threat is a
//! malicious or broken remote endpoint, not an off-path attacker.)
//!
//! The victim is `a`; `b` is the peer whose tag and TSNs the attacker learns by watching the
//! packets between them. After each flood the tests check that nothing panicked, that the victim
//! is still established, that it answered at most one packet per packet received and no packet
//! larger than the answer needs, and that legitimate messages still arrive whole both ways.
//! What a flood can make the victim *hold* is measured in bytes by `hostile_peer_memory.rs`
//! (dhat).
//!
//! Two of our associations negotiate I-DATA (RFC 8260) by default; the floods of DATA and
//! FORWARD TSN run twice, once with DATA (`Config::interleaving` off) and once with I-DATA and
//! I-FORWARD-TSN.
//!
//! Injected DATA is accepted DATA: SCTP has no way to tell a hostile peer's TSNs from the
//! correct ones. DATA inside the receive window therefore uses up TSNs that `b`'s own
//! association will use next; after such a flood the peer-to-victim direction is checked with a
//! message at the victim's next expected TSN (the peer behaving again), not with `b`'s stale
//! state.

mod hostile;

use hostile::*;

#[test]
fn a_flood_of_unknown_chunk_types_of_every_action_is_absorbed() {
    let mut p = Pair::established(1, true);
    let tag = p.tap.to_a;
    let mut rng = Rng::new(1);
    let packets: Vec<Vec<u8>> = (0..20_000)
        .map(|n| {
            let values: Vec<Vec<u8>> = (0..1 + rng.below(8))
                .map(|_| rng.bytes_below(130))
                .collect();
            let chunks: Vec<ChunkRepr<'_>> = values
                .iter()
                .enumerate()
                .map(|(i, value)| {
                    ChunkRepr::Unknown(UnknownChunk {
                        chunk_type: UNKNOWN[(n + i) % 4],
                        flags: rng.next() as u8,
                        value,
                    })
                })
                .collect();
            craft(tag, &chunks, if n % 100 == 0 { JUMBO } else { MTU })
        })
        .collect();
    let answers = p.flood(packets);
    answers.assert_bounded("unknown chunks");
    assert_eq!(
        answers.refused, 0,
        "well-formed packets are taken: {:?}",
        answers.errors
    );
    // At most an ERROR reporting them (RFC 9260 §3.2; not sent today: nothing goes back).
    assert!(
        answers
            .chunk_types
            .is_subset(&BTreeSet::from([chunk_type::ERROR])),
        "{:?}",
        answers.chunk_types
    );
    assert_eq!(messages(&p.events_a), 0);
    p.assert_established("unknown chunks");
    p.legit_both_ways("after unknown chunks");
    p.assert_established("unknown chunks, after");
}

/// `00`/`01` stop the packet: a chunk after them is not processed. `10`/`11` skip: it is. The
/// chunk after is a DATA (or I-DATA) chunk the victim has seen already, so processing it shows
/// as a SACK reporting it as a duplicate, and nothing else changes.
#[test]
fn unknown_chunks_stop_or_skip_the_rest_of_the_packet_by_their_upper_bits() {
    for interleaving in MODES {
        let mut p = Pair::established(2, interleaving);
        let seen = p.tap.a_cumulative.unwrap();
        let payload = [0u8; 4];
        for (chunk_type, processed) in UNKNOWN.into_iter().zip([false, false, true, true]) {
            let label = format!("{}: type {chunk_type:#x}", mode(interleaving));
            let packet = p.craft(&[
                ChunkRepr::Unknown(UnknownChunk {
                    chunk_type,
                    flags: 0,
                    value: b"hostile",
                }),
                p.data(seen, 3, 0, (true, true), &payload),
            ]);
            let answers = p.flood([packet]);
            answers.assert_bounded(&label);
            let duplicates: usize = answers.sacks.iter().map(|s| s.3).sum();
            assert_eq!(
                duplicates,
                usize::from(processed),
                "{label}: the chunk after it was processed: {}",
                duplicates > 0
            );
            assert_eq!(answers.sent, usize::from(processed), "{label}");
            assert_eq!(
                messages(&p.events_a),
                0,
                "{label}: a duplicate delivers nothing"
            );
        }
        p.legit_both_ways("after stop or skip");
    }
}

// (b) DATA outside the receive window ---------------------------------------------------------

#[test]
fn data_far_outside_the_receive_window_is_dropped_with_one_sack_per_packet() {
    for interleaving in MODES {
        let label = format!("{}: data outside the window", mode(interleaving));
        let mut p = Pair::established(3, interleaving);
        let cumulative = p.tap.a_cumulative.unwrap();
        // Ahead of the cumulative point by more than the 65,536-TSN window, or at and behind
        // it.
        let offsets: [i64; 7] = [
            (1 << 31) - 1,
            1_000_000,
            65_537,
            0,
            -1_000,
            -1_000_000,
            -((1 << 31) - 1),
        ];
        let payload = vec![0xee; 1000];
        let mut packets = Vec::new();
        for round in 0..2_000u32 {
            for offset in offsets {
                let tsn = (i64::from(cumulative) + offset) as u32;
                packets.push(p.craft(&[p.data(
                    tsn,
                    (round % 7) as u16,
                    round,
                    (true, true),
                    &payload,
                )]));
            }
        }
        let answers = p.flood(packets);
        answers.assert_bounded(&label);
        assert_eq!(answers.refused, 0, "{label}");
        assert_eq!(
            answers.chunk_types,
            BTreeSet::from([chunk_type::SACK]),
            "{label}: only SACKs go back"
        );
        assert!(
            answers.sacks.iter().all(|s| s.0 == cumulative),
            "{label}: the cumulative TSN ack never moves"
        );
        assert!(
            answers.sacks.iter().all(|s| s.2 == 0),
            "{label}: no gap block, nothing outside the window was kept"
        );
        assert!(
            answers.sacks.iter().all(|s| s.3 <= 32),
            "{label}: duplicate reports stay bounded"
        );
        assert!(
            answers.longest <= 12 + 16 + 4 * 32,
            "{label}: a SACK of {} bytes, more than its 32 duplicate TSNs need",
            answers.longest
        );
        assert!(
            answers
                .sacks
                .iter()
                .all(|s| s.1 as usize == Config::default().receive_window),
            "{label}: the whole window stays free"
        );
        assert_eq!(messages(&p.events_a), 0, "{label}: nothing is delivered");
        p.assert_established(&label);
        p.legit_both_ways(&label);
        p.assert_established(&label);
    }
}

// (c) Every other TSN of the window -----------------------------------------------------------

#[test]
fn every_other_tsn_of_the_window_keeps_sacks_within_the_mtu_and_the_path_open() {
    for interleaving in MODES {
        let label = format!("{}: every other TSN", mode(interleaving));
        let mut p = Pair::established(4, interleaving);
        let cumulative = p.tap.a_cumulative.unwrap();
        // The tracker's window is 65,536 TSNs: cumulative + 2, + 4, ... + 65,536, as 1-byte
        // ordered messages on a stream whose first message never comes (they wait).
        let payload = [0x55u8];
        let mut packets = Vec::new();
        let mut n = 0u32;
        while n < 32_768 {
            let chunks: Vec<ChunkRepr<'_>> = (n..n + 48)
                .map(|k| {
                    p.data(
                        cumulative.wrapping_add(2 * (k + 1)),
                        77,
                        k + 1,
                        (true, true),
                        &payload,
                    )
                })
                .collect();
            packets.push(p.craft(&chunks));
            n += 48;
        }
        let answers = p.flood(packets);
        answers.assert_bounded(&label);
        assert_eq!(
            answers.sent, answers.received,
            "{label}: a SACK at once on every gap"
        );
        assert!(
            answers.sacks.iter().all(|s| s.0 == cumulative && s.2 <= 64),
            "{label}: the cumulative point stays; gap blocks are capped"
        );
        assert!(
            answers.longest <= 12 + 16 + 4 * 64,
            "{label}: a SACK of {} bytes, more than 64 gap blocks need",
            answers.longest
        );
        assert_eq!(
            messages(&p.events_a),
            0,
            "{label}: they all wait for the first"
        );
        // One more past the window is refused.
        let beyond = p.craft(&[p.data(
            cumulative.wrapping_add(65_538),
            77,
            0,
            (true, true),
            &payload,
        )]);
        let answers = p.flood([beyond]);
        assert_eq!(
            answers.sacks.last().map(|s| s.0),
            Some(cumulative),
            "{label}"
        );
        p.assert_established(&label);
        // b's next TSN is cumulative + 1, which the flood left free: a single-chunk message
        // from b fills it and arrives whole.
        p.legit_b_to_a(&label);
        p.legit_a_to_b(&label);
        assert_eq!(p.a.state(), State::Established, "{label}");
    }
}

// (d) SACKs that lie --------------------------------------------------------------------------

#[test]
fn a_forward_tsn_far_ahead_is_refused_and_skips_nothing() {
    for interleaving in MODES {
        let label = format!("{}: forward tsn far ahead", mode(interleaving));
        let mut p = Pair::established(30, interleaving);
        let cumulative = p.tap.a_cumulative.unwrap();
        let skip = [(LEGIT_STREAM, 500), (4, 7)];
        let packets: Vec<Vec<u8>> = [(1u32 << 31) - 1, 1_000_000, 65_537, 70_000]
            .iter()
            .cycle()
            .take(4_000)
            .map(|&ahead| p.forward_tsn(cumulative.wrapping_add(ahead), &skip))
            .collect();
        let answers = p.flood(packets);
        answers.assert_bounded(&label);
        assert_eq!(answers.refused, 0, "{label}");
        p.assert_established(&label);
        // The next message on the stream the FORWARD TSNs named still arrives (its sequence
        // number was not skipped), and both directions work.
        p.legit_both_ways(&label);
    }
}

/// A FORWARD TSN at or behind the cumulative point is out of date (RFC 3758 §3.6: "MUST treat
/// this FORWARD TSN as out-of-date and MUST NOT update its Cumulative TSN"; RFC 8260 §2.3.1
/// for I-FORWARD-TSN); its stream entries must not be applied either, or the next ordered
/// messages on those streams are discarded as already delivered.
#[test]
fn a_stale_forward_tsn_skips_no_stream_sequence_numbers() {
    for interleaving in MODES {
        let label = format!("{}: after a stale forward tsn", mode(interleaving));
        let mut p = Pair::established(31, interleaving);
        let cumulative = p.tap.a_cumulative.unwrap();
        let packets: Vec<Vec<u8>> = [0u32, 1, 1_000]
            .iter()
            .map(|&behind| p.forward_tsn(cumulative.wrapping_sub(behind), &[(LEGIT_STREAM, 500)]))
            .collect();
        let answers = p.flood(packets);
        answers.assert_bounded(&label);
        p.legit_b_to_a(&label);
    }
}

// (f) HEARTBEAT, INIT and COOKIE ECHO floods --------------------------------------------------

#[test]
fn a_heartbeat_flood_gets_at_most_one_answer_per_packet_and_no_amplification() {
    let mut p = Pair::established(40, true);
    let tag = p.tap.to_a;
    let mut rng = Rng::new(40);
    let mut sizes = Vec::new();
    let packets: Vec<Vec<u8>> = (0..20_000)
        .map(|n| {
            // Mostly up to eight small ones; every 50th packet one of up to 16 KB.
            let (count, largest) = if n % 50 == 0 {
                (1, 16_000)
            } else {
                (1 + n % 8, 300)
            };
            let infos: Vec<Vec<u8>> = (0..count).map(|_| rng.bytes_below(largest)).collect();
            let chunks: Vec<ChunkRepr<'_>> = infos
                .iter()
                .map(|info| ChunkRepr::Heartbeat(HeartbeatRepr { info }))
                .collect();
            let d = craft(tag, &chunks, JUMBO);
            sizes.push(d.len());
            d
        })
        .collect();
    // Answer by answer: never longer than what it answers.
    let mut sent = 0;
    for (packet, size) in packets.into_iter().zip(sizes) {
        let answers = p.flood([packet]);
        answers.assert_bounded("heartbeats");
        assert!(
            answers.longest <= size,
            "a {}-byte answer to a {size}-byte packet",
            answers.longest
        );
        assert!(
            answers
                .chunk_types
                .is_subset(&BTreeSet::from([chunk_type::HEARTBEAT_ACK])),
            "{:?}",
            answers.chunk_types
        );
        sent += answers.sent;
    }
    assert!(sent > 0, "heartbeats are answered");
    p.assert_established("heartbeats");
    p.legit_both_ways("after heartbeats");
}

#[test]
fn an_init_flood_gets_bounded_init_acks_and_leaves_the_association_as_it_was() {
    let mut p = Pair::established(41, true);
    let mut rng = Rng::new(41);
    let mut inits = Vec::new();
    for n in 0..20_000u32 {
        let junk = rng.bytes_below(900);
        let params = [
            InitParam::ForwardTsnSupported,
            InitParam::Unknown {
                param_type: 0x8123,
                value: &junk,
            },
        ];
        let init = InitRepr {
            initiate_tag: (rng.next() as u32).max(1),
            a_rwnd: rng.next() as u32,
            outbound_streams: rng.next() as u16,
            inbound_streams: rng.next() as u16,
            initial_tsn: rng.next() as u32,
            params: TlvList::from_slice(if n % 2 == 0 { &params[..1] } else { &params }),
        };
        inits.push(craft(0, &[ChunkRepr::Init(init)], MTU));
    }
    let answers = p.flood(inits);
    answers.assert_bounded("inits");
    assert_eq!(answers.refused, 0);
    assert_eq!(
        answers.chunk_types,
        BTreeSet::from([chunk_type::INIT_ACK]),
        "INIT ACKs only"
    );
    // Fixed header, our parameters and a fixed-size cookie: about 100 bytes, whatever the INIT
    // carried.
    assert!(
        answers.longest <= 128,
        "an INIT ACK of {} bytes",
        answers.longest
    );
    // An INIT with a non-zero tag, or bundled, is refused outright.
    let init = InitRepr {
        initiate_tag: 5,
        a_rwnd: 1 << 20,
        outbound_streams: 10,
        inbound_streams: 10,
        initial_tsn: 1,
        params: TlvList::from_slice(&[]),
    };
    let tagged = p.craft(&[ChunkRepr::Init(init)]);
    let bundled = craft(0, &[ChunkRepr::Init(init), ChunkRepr::CookieAck], MTU);
    let answers = p.flood([tagged, bundled]);
    assert_eq!((answers.refused, answers.sent), (2, 0));
    p.assert_established("inits");
    assert!(!p.events_a.contains(&Event::Connected), "nothing restarted");
    p.legit_both_ways("after inits");
}

#[test]
fn forged_and_garbage_cookie_echoes_are_dropped_without_an_answer() {
    let mut p = Pair::established(42, true);
    let genuine = p.tap.cookie_echo.clone().unwrap();
    let cookie = {
        let packet = Packet::new_checked(&genuine[..]).unwrap();
        let chunk = packet.chunks().next().unwrap().unwrap();
        match ChunkRepr::parse(&chunk).unwrap() {
            ChunkRepr::CookieEcho(echo) => echo.cookie.to_vec(),
            other => panic!("{other:?}"),
        }
    };
    // A cookie another association signed, for an INIT carrying b's tag.
    let foreign = {
        let mut other = Association::new(config(4242, true), p.now);
        let init = InitRepr {
            initiate_tag: p.tap.to_b,
            a_rwnd: 1 << 20,
            outbound_streams: 10,
            inbound_streams: 10,
            initial_tsn: 1,
            params: TlvList::from_slice(&[InitParam::ForwardTsnSupported]),
        };
        other
            .handle_receive(p.now, rx(&craft(0, &[ChunkRepr::Init(init)], MTU)))
            .unwrap();
        let mut buf = Vec::new();
        let t = other.poll_transmit(p.now, &mut buf).unwrap();
        let packet = Packet::new_checked(&buf[..t.size]).unwrap();
        let chunk = packet.chunks().next().unwrap().unwrap();
        match ChunkRepr::parse(&chunk).unwrap() {
            ChunkRepr::InitAck(ack) => ack.state_cookie().unwrap().to_vec(),
            other => panic!("{other:?}"),
        }
    };
    let mut rng = Rng::new(42);
    let mut forged: Vec<Vec<u8>> = vec![foreign, Vec::new(), cookie[..cookie.len() - 1].to_vec()];
    forged.push([&cookie[..], &[0]].concat());
    for bit in 0..cookie.len() * 8 {
        let mut c = cookie.clone();
        c[bit / 8] ^= 1 << (bit % 8);
        forged.push(c);
    }
    for _ in 0..5_000 {
        let len = match rng.below(3) {
            0 => cookie.len(),
            1 => rng.below(64) as usize,
            _ => rng.below(1100) as usize,
        };
        forged.push(rng.bytes(len));
    }
    let packets: Vec<Vec<u8>> = forged
        .iter()
        .map(|c| p.craft(&[ChunkRepr::CookieEcho(CookieEchoRepr { cookie: c })]))
        .collect();
    let answers = p.flood(packets);
    assert_eq!(answers.refused, 0);
    assert_eq!(answers.sent, 0, "{:?}", answers.chunk_types);
    p.assert_established("forged cookies");
    // The genuine cookie replayed while fresh: a COOKIE ACK again, nothing restarted.
    let answers = p.flood(std::iter::repeat_n(genuine.clone(), 100));
    answers.assert_bounded("replayed cookie");
    assert_eq!(
        answers.chunk_types,
        BTreeSet::from([chunk_type::COOKIE_ACK])
    );
    p.legit_both_ways("after forged cookies");
    // Once stale (60 s cookie lifetime), it gets nothing.
    p.settle(Duration::from_secs(61));
    let answers = p.flood(std::iter::repeat_n(genuine, 100));
    assert_eq!(answers.sent, 0);
    assert!(!p.events_a.contains(&Event::Connected), "nothing restarted");
    p.legit_both_ways("after a stale cookie");
}

// (g) Fragments that never end ----------------------------------------------------------------

/// DATA with the B bit and never the E bit, at the TSNs the victim expects, on many streams: the
/// victim keeps the fragments (a message may still complete) but within its receive window, and
/// says so in a_rwnd.
#[test]
fn fragments_that_never_end_are_held_within_the_receive_window() {
    for interleaving in MODES {
        let label = format!("{}: unended fragments", mode(interleaving));
        let mut p = Pair::established(50, interleaving);
        let window = Config::default().receive_window;
        let cumulative = p.tap.a_cumulative.unwrap();
        let payload = vec![0x77u8; 1000];
        // 1,000 beginnings of 1,000 bytes on 1,000 streams: a quarter of the window.
        let packets: Vec<Vec<u8>> = (0..1_000u32)
            .map(|n| {
                let tsn = cumulative.wrapping_add(n + 1);
                p.craft(&[p.data(tsn, 100 + n as u16, 0, (true, false), &payload)])
            })
            .collect();
        let answers = p.flood(packets);
        answers.assert_bounded(&label);
        assert_eq!(messages(&p.events_a), 0, "{label}");
        let (last_cumulative, a_rwnd, _, _) = *answers.sacks.last().unwrap();
        assert_eq!(last_cumulative, cumulative.wrapping_add(1_000), "{label}");
        assert!(
            (a_rwnd as usize) <= window - 1_000_000,
            "{label}: a_rwnd {a_rwnd} counts the held fragments"
        );
        p.assert_established(&label);
        p.legit_at_next_tsn(&label, 60_000);
        p.legit_a_to_b(&label);
    }
}

/// The same past the window: what does not fit is not acknowledged, a_rwnd falls to zero, and
/// the victim's own direction keeps working. (Each of these fragments is the next TSN expected,
/// which may be taken past the window, up to as much again, so that a full window never blocks
/// the chunk that would free it: the bound asserted is twice the window.)
#[test]
fn fragments_past_the_receive_window_are_refused_and_not_acknowledged() {
    for interleaving in MODES {
        let label = format!("{}: fragments past the window", mode(interleaving));
        let mut p = Pair::established(51, interleaving);
        let window = Config::default().receive_window;
        let cumulative = p.tap.a_cumulative.unwrap();
        let payload = vec![0x77u8; 1000];
        let count = (2 * window / 1000 + 500) as u32;
        let packets: Vec<Vec<u8>> = (0..count)
            .map(|n| {
                let tsn = cumulative.wrapping_add(n + 1);
                let stream = 100 + (n % 5000) as u16;
                p.craft(&[p.data(tsn, stream, n / 5000, (true, false), &payload)])
            })
            .collect();
        let answers = p.flood(packets);
        answers.assert_bounded(&label);
        let (last_cumulative, a_rwnd, _, _) = *answers.sacks.last().unwrap();
        let taken = last_cumulative.wrapping_sub(cumulative) as usize;
        assert!(
            taken * 1000 <= 2 * window,
            "{label}: {taken} fragments of 1000 bytes acknowledged, window {window}"
        );
        assert!(taken < count as usize, "{label}: some were refused");
        assert!(
            a_rwnd < 1000,
            "{label}: a_rwnd {a_rwnd}, the window is full"
        );
        p.assert_established(&label);
        p.legit_a_to_b(&label);
    }
}
