//! A context never protects the same packet index twice for one SSRC under its key, whatever
//! the calls in between (RFC 3711 §3.3.1 and §3.4: the rollover counter and the SRTCP index
//! never go back; §9.1: a repeated index repeats the keystream; RFC 7714 §8.1, §9.1: a repeated
//! GCM IV also allows forgery). Not after `remove_stream`, not after `set_roc`, and not with
//! `allow_repeat_tx` across either of them.
//!
//! Every index is read back from the protected packet itself: the SRTCP index from its
//! trailer, the SRTP index (whose rollover counter is not on the wire) by trial decryption
//! with a fresh receiving context per candidate rollover counter.

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;
use sansrtc_srtp::{Config, Context, Error, MasterKey, Profile};

const SSRC: u32 = 0x1234_5678;

fn master(profile: Profile) -> MasterKey {
    let key: Vec<u8> = (0..profile.key_len() as u8).map(|b| b ^ 0x3c).collect();
    let salt: Vec<u8> = (0..profile.salt_len() as u8).map(|b| b ^ 0xc3).collect();
    MasterKey::new(profile, &key, &salt).unwrap()
}

fn rtp(seq: u16, ssrc: u32) -> Vec<u8> {
    let mut packet = vec![0x80, 96, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    packet[2..4].copy_from_slice(&seq.to_be_bytes());
    packet[8..12].copy_from_slice(&ssrc.to_be_bytes());
    packet.resize(12 + 32, 0);
    packet
}

fn rtcp(ssrc: u32) -> Vec<u8> {
    let mut packet = vec![0x80, 201, 0, 1];
    packet.extend_from_slice(&ssrc.to_be_bytes());
    packet
}

/// The 48-bit index an SRTP packet was protected with: the rollover counter is found by trial
/// decryption among `candidates`, each with a fresh receiving context.
fn srtp_index(master: &MasterKey, protected: &[u8], candidates: &[u32]) -> u64 {
    let seq = u16::from_be_bytes([protected[2], protected[3]]);
    let ssrc = u32::from_be_bytes(protected[8..12].try_into().unwrap());
    for &roc in candidates {
        let mut receiver = Context::new(master, Config::default()).unwrap();
        receiver.set_roc(ssrc, roc).unwrap();
        if receiver.unprotect_rtp(&mut protected.to_vec()).is_ok() {
            return u64::from(roc) << 16 | u64::from(seq);
        }
    }
    panic!("no rollover counter among {candidates:?} authenticates the packet");
}

/// The 31-bit SRTCP index in the trailer of a protected SRTCP packet (RFC 3711 §3.4; RFC 7714
/// §9 puts the tag before it).
fn srtcp_index(profile: Profile, protected: &[u8]) -> u32 {
    let at = if profile.is_aead() {
        protected.len() - 4
    } else {
        protected.len() - profile.rtcp_tag_len() - 4
    };
    u32::from_be_bytes(protected[at..at + 4].try_into().unwrap()) & 0x7fff_ffff
}

/// Protects an RTP packet and returns its index, found among the rollover counters next to
/// the sender's current one (a late packet takes the previous one, RFC 3711 §3.3.1).
fn protect(sender: &mut Context, master: &MasterKey, seq: u16, ssrc: u32) -> Result<u64, Error> {
    let mut packet = rtp(seq, ssrc);
    sender.protect_rtp(&mut packet)?;
    let roc = sender.roc(ssrc).unwrap_or(0);
    let candidates = [roc, roc.wrapping_sub(1), roc.wrapping_add(1)];
    Ok(srtp_index(master, &packet, &candidates))
}

fn protect_rtcp(sender: &mut Context, profile: Profile, ssrc: u32) -> Result<u32, Error> {
    let mut packet = rtcp(ssrc);
    sender.protect_rtcp(&mut packet)?;
    Ok(srtcp_index(profile, &packet))
}

#[test]
fn remove_stream_then_the_same_sequence_numbers_never_reuse_an_srtp_index() {
    for profile in Profile::ALL {
        let master = master(profile);
        let mut sender = Context::new(&master, Config::default()).unwrap();
        // Across a wrap, so the stream is at rollover 1 when it is removed.
        let seqs: Vec<u16> = (0..80u16).map(|n| 65_500u16.wrapping_add(n)).collect();
        let mut sent = HashSet::new();
        for &seq in &seqs {
            let index = protect(&mut sender, &master, seq, SSRC).unwrap();
            assert!(sent.insert(index), "{profile}: index {index:#x} twice");
        }
        let highest = *sent.iter().max().unwrap();
        assert_eq!(highest >> 16, 1, "{profile}: the stream wrapped");

        sender.remove_stream(SSRC);
        assert_eq!(
            sender.stream_count(),
            0,
            "{profile}: the stream's state is freed"
        );
        for &seq in &seqs {
            match protect(&mut sender, &master, seq, SSRC) {
                Ok(index) => {
                    assert!(
                        index > highest,
                        "{profile}: seq {seq} protected again at {index:#x}, not above {highest:#x}"
                    );
                    assert!(sent.insert(index), "{profile}: index {index:#x} twice");
                }
                Err(error) => assert!(
                    matches!(error, Error::Replay | Error::TooOld),
                    "{profile}: {error}"
                ),
            }
        }
        // A stream that comes back and continues its sequence numbers goes on where it was.
        let next = seqs[seqs.len() - 1].wrapping_add(1);
        let index = protect(&mut sender, &master, next, SSRC).unwrap();
        assert_eq!(index, highest + 1, "{profile}");
        assert!(sent.insert(index), "{profile}");
    }
}

#[test]
fn remove_stream_never_takes_the_srtcp_index_back() {
    for profile in Profile::ALL {
        for encrypt_rtcp in [true, false] {
            let config = Config {
                encrypt_rtcp,
                ..Config::default()
            };
            let mut sender = Context::new(&master(profile), config).unwrap();
            let mut indices = Vec::new();
            for round in 0..3 {
                for _ in 0..5 {
                    indices.push(protect_rtcp(&mut sender, profile, SSRC).unwrap());
                }
                if round == 1 {
                    // RTP as well, so the stream has both kinds of state when removed.
                    sender.protect_rtp(&mut rtp(7, SSRC)).unwrap();
                }
                sender.remove_stream(SSRC);
            }
            assert_eq!(
                indices,
                (0..15).collect::<Vec<u32>>(),
                "{profile} E={encrypt_rtcp}: the SRTCP index only ever counts up"
            );
        }
    }
}

#[test]
fn set_roc_cannot_take_a_sending_stream_back() {
    for profile in Profile::ALL {
        let master = master(profile);
        let mut sender = Context::new(&master, Config::default()).unwrap();
        sender.set_roc(SSRC, 2).unwrap();
        let mut sent = HashSet::new();
        for seq in 100..120u16 {
            let index = protect(&mut sender, &master, seq, SSRC).unwrap();
            assert_eq!(index, 2 << 16 | u64::from(seq), "{profile}");
            sent.insert(index);
        }
        // Back to an earlier rollover counter: refused.
        assert_eq!(sender.set_roc(SSRC, 1), Err(Error::TooOld), "{profile}");
        // The same one again, or after a remove_stream: the indices already sent stay used.
        for remove_first in [false, true] {
            if remove_first {
                sender.remove_stream(SSRC);
            }
            sender.set_roc(SSRC, 2).unwrap();
            for seq in 100..120u16 {
                if let Ok(index) = protect(&mut sender, &master, seq, SSRC) {
                    assert!(sent.insert(index), "{profile}: index {index:#x} twice");
                }
            }
        }
        // Forward is fine: the next packets take the new rollover counter.
        sender.set_roc(SSRC, 3).unwrap();
        assert_eq!(
            protect(&mut sender, &master, 5, SSRC),
            Ok(3 << 16 | 5),
            "{profile}"
        );
        assert_eq!(sender.roc(SSRC), Some(3), "{profile}");
    }
}

#[test]
fn a_late_packet_after_set_roc_cannot_reach_back_into_the_previous_rollover() {
    // With a large replay window, a packet estimated into the previous rollover (RFC 3711
    // §3.3.1) can be inside the window although it is older than everything sent before
    // set_roc moved the stream forward.
    let config = Config {
        replay_window: 32_768,
        ..Config::default()
    };
    for profile in Profile::ALL {
        let master = master(profile);
        let mut sender = Context::new(&master, config).unwrap();
        let mut sent = HashSet::new();
        for seq in 0xf000..0xf010u16 {
            sent.insert(protect(&mut sender, &master, seq, SSRC).unwrap());
        }
        sender.set_roc(SSRC, 1).unwrap();
        sent.insert(protect(&mut sender, &master, 5, SSRC).unwrap());
        for seq in 0xf000..0xf010u16 {
            if let Ok(index) = protect(&mut sender, &master, seq, SSRC) {
                assert!(sent.insert(index), "{profile}: index {index:#x} twice");
            }
        }
    }
}

#[test]
fn allow_repeat_tx_never_reaches_across_remove_stream_or_set_roc() {
    let config = Config {
        allow_repeat_tx: true,
        ..Config::default()
    };
    for profile in Profile::ALL {
        let master = master(profile);
        for reset in ["remove_stream", "set_roc"] {
            let mut sender = Context::new(&master, config).unwrap();
            let first = protect(&mut sender, &master, 10, SSRC).unwrap();
            // The option itself: the live stream may protect its own index again.
            assert_eq!(protect(&mut sender, &master, 10, SSRC), Ok(first));
            match reset {
                "remove_stream" => sender.remove_stream(SSRC),
                _ => sender.set_roc(SSRC, 0).unwrap(),
            }
            match protect(&mut sender, &master, 10, SSRC) {
                Ok(index) => assert_ne!(index, first, "{profile} after {reset}"),
                Err(error) => assert!(
                    matches!(error, Error::Replay | Error::TooOld),
                    "{profile} after {reset}: {error}"
                ),
            }
            assert_eq!(protect(&mut sender, &master, 11, SSRC), Ok(11));
        }
    }
}

#[test]
fn removed_streams_keep_their_slot_under_max_streams() {
    let config = Config {
        max_streams: 2,
        ..Config::default()
    };
    let mut sender = Context::new(&master(Profile::AeadAes128Gcm), config).unwrap();
    sender.protect_rtp(&mut rtp(1, 1)).unwrap();
    sender.protect_rtcp(&mut rtcp(2)).unwrap();
    sender.remove_stream(1);
    assert_eq!(sender.stream_count(), 1);
    // SSRC 1's high-water mark is still held, so the context is still full...
    assert_eq!(
        sender.protect_rtp(&mut rtp(1, 3)),
        Err(Error::TooManyStreams)
    );
    assert_eq!(sender.set_roc(3, 0), Err(Error::TooManyStreams));
    // ...and SSRC 1 may come back, above where it was.
    assert_eq!(sender.protect_rtp(&mut rtp(1, 1)), Err(Error::TooOld));
    sender.protect_rtp(&mut rtp(2, 1)).unwrap();
    assert_eq!(sender.stream_count(), 2);
}

/// One call on a sending context.
#[derive(Debug, Clone)]
enum Op {
    ProtectRtp {
        ssrc: u32,
        seq: u16,
    },
    /// The next sequence number after the SSRC's last one, `step` ahead.
    ProtectNext {
        ssrc: u32,
        step: u16,
    },
    ProtectRtcp {
        ssrc: u32,
    },
    Remove {
        ssrc: u32,
    },
    SetRoc {
        ssrc: u32,
        roc: u32,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let ssrc = 1u32..4;
    let seq = prop_oneof![
        any::<u16>(),
        0u16..8,
        65_528u16..=65_535,
        0x7ff8u16..0x8008,
        0xf000u16..0xf008,
    ];
    prop_oneof![
        3 => (ssrc.clone(), seq).prop_map(|(ssrc, seq)| Op::ProtectRtp { ssrc, seq }),
        4 => (ssrc.clone(), prop_oneof![1u16..4, 0x7f00u16..0x8100])
            .prop_map(|(ssrc, step)| Op::ProtectNext { ssrc, step }),
        2 => ssrc.clone().prop_map(|ssrc| Op::ProtectRtcp { ssrc }),
        1 => ssrc.clone().prop_map(|ssrc| Op::Remove { ssrc }),
        1 => (ssrc, 0u32..4).prop_map(|(ssrc, roc)| Op::SetRoc { ssrc, roc }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any sequence of protect, remove_stream and set_roc calls on a sending context protects
    /// each (SSRC, SRTP index) and (SSRC, SRTCP index) at most once. With `allow_repeat_tx`,
    /// an SRTP index may repeat only while its stream lives on unchanged: never across a
    /// remove_stream or a set_roc.
    #[test]
    fn no_sequence_of_calls_protects_an_index_twice(
        profile in prop::sample::select(Profile::ALL.to_vec()),
        allow_repeat_tx in any::<bool>(),
        replay_window in prop::sample::select(vec![64usize, 1024, 32_768]),
        max_streams in 1usize..4,
        ops in prop::collection::vec(op(), 1..40),
    ) {
        let master = master(profile);
        let config = Config { allow_repeat_tx, replay_window, max_streams, ..Config::default() };
        let mut sender = Context::new(&master, config).unwrap();
        // (ssrc, index) -> the epoch of its stream when it was protected.
        let mut srtp: HashMap<(u32, u64), u32> = HashMap::new();
        let mut srtcp: HashSet<(u32, u32)> = HashSet::new();
        let mut epoch: HashMap<u32, u32> = HashMap::new();
        let mut last_seq: HashMap<u32, u16> = HashMap::new();
        for op in ops {
            match op {
                Op::ProtectRtp { ssrc, seq } | Op::ProtectNext { ssrc, step: seq } => {
                    let seq = match op {
                        Op::ProtectNext { .. } => {
                            last_seq.get(&ssrc).copied().unwrap_or(0).wrapping_add(seq)
                        }
                        _ => seq,
                    };
                    if let Ok(index) = protect(&mut sender, &master, seq, ssrc) {
                        last_seq.insert(ssrc, seq);
                        let now = epoch.get(&ssrc).copied().unwrap_or(0);
                        if let Some(&then) = srtp.get(&(ssrc, index)) {
                            prop_assert!(
                                allow_repeat_tx && then == now,
                                "SSRC {} index {:#x} protected twice (epochs {} and {})",
                                ssrc, index, then, now
                            );
                        }
                        srtp.insert((ssrc, index), now);
                    }
                }
                Op::ProtectRtcp { ssrc } => {
                    if let Ok(index) = protect_rtcp(&mut sender, profile, ssrc) {
                        prop_assert!(
                            srtcp.insert((ssrc, index)),
                            "SSRC {} SRTCP index {} protected twice", ssrc, index
                        );
                    }
                }
                Op::Remove { ssrc } => {
                    sender.remove_stream(ssrc);
                    *epoch.entry(ssrc).or_default() += 1;
                }
                Op::SetRoc { ssrc, roc } => {
                    if sender.set_roc(ssrc, roc).is_ok() {
                        *epoch.entry(ssrc).or_default() += 1;
                    }
                }
            }
        }
    }
}
