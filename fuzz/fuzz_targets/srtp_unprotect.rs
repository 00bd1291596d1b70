//! Fuzzes SRTP and SRTCP unprotect with arbitrary input, for every profile: no panic, no
//! state from packets that fail, and whatever authenticates is what a sender protected.
//!
//! The first byte picks the profile and whether the input is used raw or first protected by
//! a sender with the same key (so the success path is fuzzed too, including tampering with
//! the protected bytes by the second byte's position).
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use sansrtc_srtp::{Config, Context, MasterKey, Profile};

fuzz_target!(|data: &[u8]| {
    let Some((&control, rest)) = data.split_first() else {
        return;
    };
    let Some((&tamper, packet)) = rest.split_first() else {
        return;
    };
    let profile = Profile::ALL[usize::from(control) % Profile::ALL.len()];
    let key = vec![0x42; profile.key_len()];
    let salt = vec![0x24; profile.salt_len()];
    let master = MasterKey::new(profile, &key, &salt).expect("valid lengths");
    let config = Config {
        replay_window: 128,
        max_streams: 4,
        ..Config::default()
    };
    let mut sender = Context::new(&master, config).expect("context");
    let mut receiver = Context::new(&master, config).expect("context");
    let rtcp = control & 0x40 != 0;
    let protect_first = control & 0x80 != 0;

    let mut buffer = packet.to_vec();
    if protect_first {
        let protected = if rtcp {
            sender.protect_rtcp(&mut buffer)
        } else {
            sender.protect_rtp(&mut buffer)
        };
        if protected.is_err() {
            assert_eq!(
                buffer, packet,
                "a failed protect leaves the packet unchanged"
            );
            return;
        }
        if tamper != 0 {
            let at = usize::from(tamper) % buffer.len();
            buffer[at] ^= 0x01;
        }
    }
    let original = buffer.clone();
    let result = if rtcp {
        receiver.unprotect_rtcp(&mut buffer)
    } else {
        receiver.unprotect_rtp(&mut buffer)
    };
    match result {
        Ok(len) => {
            assert!(len <= buffer.len());
            assert_eq!(receiver.stream_count(), 1);
            if protect_first && tamper == 0 {
                assert_eq!(&buffer[..len], packet, "round trip");
            }
            // The same packet again is a replay.
            let mut again = original.clone();
            let replay = if rtcp {
                receiver.unprotect_rtcp(&mut again)
            } else {
                receiver.unprotect_rtp(&mut again)
            };
            assert_eq!(replay, Err(sansrtc_srtp::Error::Replay));
        }
        Err(_) => {
            assert_eq!(
                receiver.stream_count(),
                0,
                "a failed packet creates no state"
            );
            assert!(
                !protect_first || tamper != 0,
                "an untampered protected packet fails"
            );
        }
    }
});
