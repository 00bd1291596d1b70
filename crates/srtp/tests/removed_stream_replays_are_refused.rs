//! A receiving context that forgets an SSRC with `remove_stream` frees the stream's state but
//! not its replay high-water marks: an old SRTP or SRTCP packet of that SSRC, replayed by an
//! attacker, is still refused (RFC 3711 §3.3.2 replay protection lasts as long as the key),
//! while the stream itself may come back and carry on above where it was.

use sansrtc_srtp::{Config, Context, Error, MasterKey, Profile};

const SSRC: u32 = 0x0bad_cafe;

fn rtp(seq: u16) -> Vec<u8> {
    let mut packet = vec![0x80, 96, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    packet[2..4].copy_from_slice(&seq.to_be_bytes());
    packet[8..12].copy_from_slice(&SSRC.to_be_bytes());
    packet.extend_from_slice(b"media");
    packet
}

fn rtcp() -> Vec<u8> {
    let mut packet = vec![0x80, 201, 0, 1];
    packet.extend_from_slice(&SSRC.to_be_bytes());
    packet
}

fn refused(result: Result<usize, Error>) -> bool {
    matches!(result, Err(Error::Replay | Error::TooOld))
}

#[test]
fn replays_of_a_removed_stream_are_refused_and_the_stream_may_continue() {
    for profile in Profile::ALL {
        let key = vec![0x5a; profile.key_len()];
        let salt = vec![0xa5; profile.salt_len()];
        let master = MasterKey::new(profile, &key, &salt).unwrap();
        let mut sender = Context::new(&master, Config::default()).unwrap();
        let mut receiver = Context::new(&master, Config::default()).unwrap();
        let mut old_rtp = Vec::new();
        let mut old_rtcp = Vec::new();
        for seq in 0..20u16 {
            let mut packet = rtp(seq);
            sender.protect_rtp(&mut packet).unwrap();
            receiver.unprotect_rtp(&mut packet.clone()).unwrap();
            old_rtp.push(packet);
        }
        for _ in 0..3 {
            let mut packet = rtcp();
            sender.protect_rtcp(&mut packet).unwrap();
            receiver.unprotect_rtcp(&mut packet.clone()).unwrap();
            old_rtcp.push(packet);
        }

        receiver.remove_stream(SSRC);
        assert_eq!(receiver.stream_count(), 0, "{profile}: the state is freed");
        for packet in &old_rtp {
            assert!(
                refused(receiver.unprotect_rtp(&mut packet.clone())),
                "{profile}: an old SRTP packet was accepted again"
            );
        }
        for packet in &old_rtcp {
            assert!(
                refused(receiver.unprotect_rtcp(&mut packet.clone())),
                "{profile}: an old SRTCP packet was accepted again"
            );
        }
        assert_eq!(
            receiver.stream_count(),
            0,
            "{profile}: refused packets add no state"
        );

        // The sender's stream carries on: its next packets are accepted.
        let mut packet = rtp(20);
        sender.protect_rtp(&mut packet).unwrap();
        assert!(receiver.unprotect_rtp(&mut packet).is_ok(), "{profile}");
        let mut packet = rtcp();
        sender.protect_rtcp(&mut packet).unwrap();
        assert!(receiver.unprotect_rtcp(&mut packet).is_ok(), "{profile}");
        assert_eq!(receiver.stream_count(), 1, "{profile}");
    }
}

#[test]
fn a_removed_stream_cannot_be_replayed_through_set_roc_either() {
    let master = MasterKey::new(Profile::Aes128CmHmacSha1_80, &[1; 16], &[2; 14]).unwrap();
    let mut sender = Context::new(&master, Config::default()).unwrap();
    let mut receiver = Context::new(&master, Config::default()).unwrap();
    let mut packet = rtp(9);
    sender.protect_rtp(&mut packet).unwrap();
    receiver.unprotect_rtp(&mut packet.clone()).unwrap();
    receiver.remove_stream(SSRC);
    receiver.set_roc(SSRC, 0).unwrap();
    assert!(refused(receiver.unprotect_rtp(&mut packet.clone())));
    receiver.set_roc(SSRC, 0).unwrap();
    assert!(refused(receiver.unprotect_rtp(&mut packet)));
}
