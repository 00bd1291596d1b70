//! Property tests across every profile: protect then unprotect returns the packet, across
//! sequence-number wraps and with reordering inside the replay window; replayed, tampered and
//! too-old packets are refused without changing state.

use proptest::prelude::*;
use sansrtc_srtp::{Config, Context, Error, MasterKey, Profile};

fn profile() -> impl Strategy<Value = Profile> {
    prop::sample::select(Profile::ALL.to_vec())
}

fn contexts(profile: Profile, seed: u8, config: Config) -> (Context, Context) {
    let key: Vec<u8> = (0..profile.key_len())
        .map(|i| seed.wrapping_mul(31).wrapping_add(i as u8))
        .collect();
    let salt: Vec<u8> = (0..profile.salt_len())
        .map(|i| seed ^ (i as u8 * 7))
        .collect();
    let master = MasterKey::new(profile, &key, &salt).unwrap();
    (
        Context::new(&master, config).unwrap(),
        Context::new(&master, config).unwrap(),
    )
}

fn rtp(seq: u16, ssrc: u32, payload: &[u8], csrcs: u8) -> Vec<u8> {
    let mut packet = vec![0x80 | csrcs, 96, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    packet[2..4].copy_from_slice(&seq.to_be_bytes());
    packet[4..8].copy_from_slice(&u32::from(seq).wrapping_mul(960).to_be_bytes());
    packet[8..12].copy_from_slice(&ssrc.to_be_bytes());
    for c in 0..csrcs {
        packet.extend_from_slice(&u32::from(c).to_be_bytes());
    }
    packet.extend_from_slice(payload);
    packet
}

fn rtcp(ssrc: u32, body: &[u8]) -> Vec<u8> {
    // An RR with the body as padding-free profile extension (words).
    let words = body.len() / 4;
    let mut packet = vec![0x80, 201, 0, (1 + words) as u8];
    packet.extend_from_slice(&ssrc.to_be_bytes());
    packet.extend_from_slice(&body[..4 * words]);
    packet
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn protected_packets_unprotect_in_any_order_within_the_window(
        profile in profile(),
        seed in any::<u8>(),
        start in any::<u16>(),
        ssrc in any::<u32>(),
        count in 1usize..200,
        shuffle in prop::collection::vec(any::<prop::sample::Index>(), 200),
        payload in prop::collection::vec(any::<u8>(), 0..300),
        csrcs in 0u8..3,
    ) {
        let config = Config { replay_window: 256, ..Config::default() };
        let (mut sender, mut receiver) = contexts(profile, seed, config);
        let mut sent = Vec::new();
        for n in 0..count {
            let seq = start.wrapping_add(n as u16);
            let plain = rtp(seq, ssrc, &payload, csrcs);
            let mut packet = Vec::with_capacity(plain.len() + profile.rtp_overhead());
            packet.extend_from_slice(&plain);
            let capacity = packet.capacity();
            sender.protect_rtp(&mut packet).unwrap();
            prop_assert_eq!(packet.capacity(), capacity, "the tag fits the spare capacity");
            prop_assert_eq!(packet.len(), plain.len() + profile.rtp_overhead());
            sent.push((plain, packet));
        }
        // The first packet arrives first (it fixes the receiver's rollover baseline, as on
        // a real stream); the rest in a random order, each one inside the window.
        let mut order: Vec<usize> = (1..count).collect();
        for (i, pick) in shuffle.iter().enumerate().take(order.len()) {
            let j = i + pick.index(order.len() - i);
            order.swap(i, j);
        }
        order.insert(0, 0);
        for &i in &order {
            let (plain, protected) = &sent[i];
            let mut packet = protected.clone();
            let len = receiver.unprotect_rtp(&mut packet).unwrap();
            prop_assert_eq!(&packet[..len], &plain[..]);
            prop_assert_eq!(receiver.unprotect_rtp(&mut protected.clone()), Err(Error::Replay));
        }
        let last = start.wrapping_add(count as u16 - 1);
        let wraps = u32::from(u32::from(start) + count as u32 - 1 > 0xffff);
        prop_assert_eq!(receiver.roc(ssrc), Some(wraps));
        prop_assert_eq!(sender.roc(ssrc), Some(wraps));
        let _ = last;
    }

    #[test]
    fn tampered_packets_fail_authentication_and_change_nothing(
        profile in profile(),
        seed in any::<u8>(),
        seq in any::<u16>(),
        payload in prop::collection::vec(any::<u8>(), 1..200),
        flip in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let (mut sender, mut receiver) = contexts(profile, seed, Config::default());
        let mut packet = rtp(seq, 7, &payload, 0);
        sender.protect_rtp(&mut packet).unwrap();
        let mut tampered = packet.clone();
        // Leave byte 0 alone: flipping its bits changes the version or header layout.
        let at = 1 + flip.index(tampered.len() - 1);
        tampered[at] ^= 1 << bit;
        let before = tampered.clone();
        let result = receiver.unprotect_rtp(&mut tampered);
        prop_assert!(matches!(result, Err(Error::AuthFailed | Error::TooShort | Error::Malformed)), "{:?}", result);
        if !profile.is_aead() {
            prop_assert_eq!(&tampered, &before, "a failed counter-mode packet is left as it came");
        }
        prop_assert_eq!(receiver.stream_count(), 0);
        // The genuine packet still goes through afterwards.
        prop_assert!(receiver.unprotect_rtp(&mut packet).is_ok());
    }

    #[test]
    fn srtcp_round_trips_and_refuses_replays_and_tampering(
        profile in profile(),
        seed in any::<u8>(),
        ssrc in any::<u32>(),
        body in prop::collection::vec(any::<u8>(), 0..200),
        encrypt in any::<bool>(),
        count in 1usize..20,
    ) {
        let config = Config { encrypt_rtcp: encrypt, ..Config::default() };
        let (mut sender, mut receiver) = contexts(profile, seed, config);
        for _ in 0..count {
            let plain = rtcp(ssrc, &body);
            let mut packet = plain.clone();
            sender.protect_rtcp(&mut packet).unwrap();
            prop_assert_eq!(packet.len(), plain.len() + profile.rtcp_overhead());
            prop_assert_eq!(packet[8..plain.len()] == plain[8..], !encrypt || plain.len() == 8);
            let mut tampered = packet.clone();
            let at = 4 + (body.len() % (tampered.len() - 4));
            tampered[at] ^= 0x80;
            prop_assert!(receiver.unprotect_rtcp(&mut tampered).is_err());
            let copy = packet.clone();
            let len = receiver.unprotect_rtcp(&mut packet).unwrap();
            prop_assert_eq!(&packet[..len], &plain[..]);
            prop_assert_eq!(receiver.unprotect_rtcp(&mut copy.clone()), Err(Error::Replay));
        }
    }
}

#[test]
fn late_packets_from_before_a_wrap_use_the_previous_rollover() {
    for profile in Profile::ALL {
        let (mut sender, mut receiver) = contexts(profile, 1, Config::default());
        let seqs = [65_530u16, 65_534, 2, 65_535, 0, 1, 65_533, 5];
        let mut protected = Vec::new();
        // Sent in order...
        let mut sorted = seqs;
        sorted.sort_by_key(|&s| (u32::from(s < 30_000), s));
        for seq in sorted {
            let mut packet = rtp(seq, 9, b"payload", 0);
            sender.protect_rtp(&mut packet).unwrap();
            protected.push((seq, packet));
        }
        // ...received in the shuffled order of `seqs`.
        for seq in seqs {
            let (_, packet) = protected.iter().find(|(s, _)| *s == seq).unwrap();
            let mut packet = packet.clone();
            let len = receiver
                .unprotect_rtp(&mut packet)
                .unwrap_or_else(|e| panic!("{profile} {seq}: {e}"));
            assert_eq!(packet[..len], rtp(seq, 9, b"payload", 0)[..]);
        }
        assert_eq!(receiver.roc(9), Some(1), "{profile}");
    }
}

#[test]
fn packets_older_than_the_window_are_too_old() {
    let (mut sender, mut receiver) = contexts(Profile::AeadAes128Gcm, 3, Config::default());
    let mut packets = Vec::new();
    for seq in 0..200u16 {
        let mut packet = rtp(seq, 1, b"x", 0);
        sender.protect_rtp(&mut packet).unwrap();
        packets.push(packet);
    }
    receiver.unprotect_rtp(&mut packets[0].clone()).unwrap();
    receiver.unprotect_rtp(&mut packets[199].clone()).unwrap();
    assert_eq!(
        receiver.unprotect_rtp(&mut packets[135].clone()),
        Err(Error::TooOld)
    );
    assert!(receiver.unprotect_rtp(&mut packets[136].clone()).is_ok());
}

#[test]
fn a_large_replay_window_accepts_thousands_of_reordered_packets() {
    let config = Config {
        replay_window: 4096,
        ..Config::default()
    };
    let (mut sender, mut receiver) = contexts(Profile::Aes128CmHmacSha1_80, 4, config);
    let mut packets = Vec::new();
    for seq in 0..5000u16 {
        let mut packet = rtp(seq, 1, b"x", 0);
        sender.protect_rtp(&mut packet).unwrap();
        packets.push(packet);
    }
    receiver.unprotect_rtp(&mut packets[0].clone()).unwrap();
    receiver.unprotect_rtp(&mut packets[4999].clone()).unwrap();
    for seq in (4999 - 4095..4999).rev() {
        receiver.unprotect_rtp(&mut packets[seq].clone()).unwrap();
    }
    assert_eq!(
        receiver.unprotect_rtp(&mut packets[4999 - 4096].clone()),
        Err(Error::TooOld)
    );
}

#[test]
fn sender_refuses_to_reuse_an_index_unless_allowed() {
    let (mut sender, _) = contexts(Profile::AeadAes128Gcm, 5, Config::default());
    sender.protect_rtp(&mut rtp(10, 1, b"a", 0)).unwrap();
    assert_eq!(
        sender.protect_rtp(&mut rtp(10, 1, b"b", 0)),
        Err(Error::Replay)
    );
    let config = Config {
        allow_repeat_tx: true,
        ..Config::default()
    };
    let (mut sender, _) = contexts(Profile::AeadAes128Gcm, 5, config);
    sender.protect_rtp(&mut rtp(10, 1, b"a", 0)).unwrap();
    sender.protect_rtp(&mut rtp(10, 1, b"a", 0)).unwrap();
}

#[test]
fn the_stream_limit_bounds_state() {
    let config = Config {
        max_streams: 2,
        ..Config::default()
    };
    let (mut sender, mut receiver) = contexts(Profile::Aes128CmHmacSha1_32, 6, Config::default());
    let (mut limited, _) = contexts(Profile::Aes128CmHmacSha1_32, 6, config);
    let mut receiver_limited = {
        let (_, r) = contexts(Profile::Aes128CmHmacSha1_32, 6, config);
        r
    };
    for ssrc in 1..=3u32 {
        let mut packet = rtp(1, ssrc, b"x", 0);
        sender.protect_rtp(&mut packet).unwrap();
        receiver.unprotect_rtp(&mut packet.clone()).unwrap();
        let result = receiver_limited.unprotect_rtp(&mut packet.clone());
        let sent = limited.protect_rtp(&mut rtp(1, ssrc, b"x", 0));
        if ssrc <= 2 {
            assert!(result.is_ok() && sent.is_ok());
        } else {
            assert_eq!(
                (result, sent),
                (Err(Error::TooManyStreams), Err(Error::TooManyStreams))
            );
        }
    }
    assert_eq!(receiver_limited.stream_count(), 2);
    receiver_limited.remove_stream(1);
    assert_eq!(receiver_limited.stream_count(), 1);
}

#[test]
fn a_known_rollover_counter_joins_a_stream_under_way() {
    let (mut sender, mut receiver) = contexts(Profile::Aes128CmHmacSha1_80, 7, Config::default());
    sender.set_roc(5, 42).unwrap();
    let mut packet = rtp(100, 5, b"late joiner", 0);
    sender.protect_rtp(&mut packet).unwrap();
    assert_eq!(
        receiver.unprotect_rtp(&mut packet.clone()),
        Err(Error::AuthFailed)
    );
    receiver.set_roc(5, 42).unwrap();
    assert!(receiver.unprotect_rtp(&mut packet).is_ok());
    assert_eq!(receiver.roc(5), Some(42));
}

#[test]
fn short_and_malformed_packets_get_typed_errors() {
    for profile in Profile::ALL {
        let (_, mut receiver) = contexts(profile, 8, Config::default());
        assert_eq!(
            receiver.unprotect_rtp(&mut [0x80; 11]),
            Err(Error::TooShort)
        );
        let mut header_only = rtp(1, 1, &[], 0);
        header_only.extend_from_slice(&vec![0; profile.rtp_tag_len() - 1]);
        assert_eq!(
            receiver.unprotect_rtp(&mut header_only),
            Err(Error::TooShort)
        );
        let mut v1 = rtp(1, 1, &[0; 40], 0);
        v1[0] = 0x40;
        assert_eq!(receiver.unprotect_rtp(&mut v1), Err(Error::Malformed));
        assert_eq!(
            receiver.unprotect_rtcp(&mut [0x80; 13]),
            Err(Error::TooShort)
        );
        let mut buffer = [0u8; 20];
        buffer[0] = 0x80;
        assert_eq!(
            receiver.protect_rtp_in_place(&mut buffer, 20),
            Err(Error::BufferTooSmall)
        );
    }
}
