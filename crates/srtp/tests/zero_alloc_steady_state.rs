//! Steady-state SRTP and SRTCP protect and unprotect allocate nothing, for every profile, once
//! the SSRC's state exists. Counted with dhat's testing mode (one test per binary: dhat's
//! profiler is global).
//!
//! Built with `harness = false` (see Cargo.toml): dhat counts every thread's allocations, and
//! libtest's main thread sets up its result channel while the test thread runs, which made
//! about one run in twenty count 4 blocks that were not ours. Here `main` is the only thread.

use sansrtc_srtp::{Config, Context, MasterKey, Profile};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn blocks() -> u64 {
    dhat::HeapStats::get().total_blocks
}

fn main() {
    protect_and_unprotect_allocate_nothing();
    println!("protect_and_unprotect_allocate_nothing ... ok");
}

fn protect_and_unprotect_allocate_nothing() {
    let _profiler = dhat::Profiler::builder().testing().build();
    for profile in Profile::ALL {
        let key = vec![0x11; profile.key_len()];
        let salt = vec![0x22; profile.salt_len()];
        let master = MasterKey::new(profile, &key, &salt).unwrap();
        let config = Config {
            replay_window: 1024,
            ..Config::default()
        };
        let mut sender = Context::new(&master, config).unwrap();
        let mut receiver = Context::new(&master, config).unwrap();
        let mut packet = Vec::with_capacity(1500);
        let mut rtcp = Vec::with_capacity(1500);
        let run = |sender: &mut Context,
                   receiver: &mut Context,
                   packet: &mut Vec<u8>,
                   rtcp: &mut Vec<u8>,
                   seq: u16| {
            packet.clear();
            packet.extend_from_slice(&[0x80, 96, 0, 0, 0, 0, 0, 0, 0xca, 0xfe, 0xba, 0xbe]);
            packet[2..4].copy_from_slice(&seq.to_be_bytes());
            packet.resize(12 + 1200, 0xab);
            sender.protect_rtp(packet).unwrap();
            receiver.unprotect_rtp_vec(packet).unwrap();
            rtcp.clear();
            rtcp.extend_from_slice(&[0x81, 200, 0, 6, 0xca, 0xfe, 0xba, 0xbe]);
            rtcp.resize(28, 0x5a);
            sender.protect_rtcp(rtcp).unwrap();
            receiver.unprotect_rtcp_vec(rtcp).unwrap();
        };
        // Warm up: the first packet creates the SSRC's state.
        run(&mut sender, &mut receiver, &mut packet, &mut rtcp, 65_000);
        let before = blocks();
        // Through a sequence-number wrap, so the rollover path is covered too.
        for n in 1..=2000u16 {
            run(
                &mut sender,
                &mut receiver,
                &mut packet,
                &mut rtcp,
                65_000u16.wrapping_add(n),
            );
        }
        let allocated = blocks() - before;
        dhat::assert_eq!(allocated, 0, "{}", profile);
        assert_eq!(receiver.roc(0xcafe_babe), Some(1));
    }
}
