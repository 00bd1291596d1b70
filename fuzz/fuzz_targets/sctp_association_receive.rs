//! The SCTP association's `handle_receive` with an established association: two real
//! associations connected in memory; the fuzzer interleaves the peer's genuine packets
//! (delivered, mutated with the checksum fixed up so the mutation reaches the parser, or
//! dropped) with raw packets (checksum fixed up or not), user messages and timers.
//!
//! Input layout: segments `op(1) len(1) bytes(len)`:
//! - op 0: `bytes` reach the target as a packet, checksum left as is;
//! - op 1: `bytes` reach the target with the CRC32c filled in (a forged but well-formed packet);
//! - op 2: the peer's next packet, XOR-ed with `bytes` from offset `bytes[0]`, checksum fixed;
//! - op 3: the peer's next packet is dropped;
//! - op 4: advance virtual time by `bytes[0]` × 10 ms and fire both timers;
//! - op 5: both send a message of `bytes[0]` × 37 bytes on stream `bytes[1] % 4`;
//! - op 6: the target's packets reach the peer;
//! - op 7: the peer resets its outgoing stream `bytes[0] % 4` (RFC 6525);
//! - op 8: the target resets its outgoing stream `bytes[0] % 4`.
//!
//! The first input byte picks DATA or I-DATA (RFC 8260) for the pair; zero checksums are
//! accepted both ways (the default), so forged packets need no CRC once established.
//!
//! Oracles: no panic; a packet with a wrong verification tag is refused and raises no event;
//! held memory stays bounded (buffered amount, refused count only grows).
#![no_main]

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use sansrtc_proto::{Protocol, Receive, SansIo};
use sansrtc_sctp::association::{Association, Config};

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    // One real instant as the origin of virtual time (fuzz harnesses may read the clock).
    *EPOCH.get_or_init(Instant::now)
}

fn rx(contents: &[u8]) -> Receive<'_> {
    let addr = std::net::SocketAddr::from(([0, 0, 0, 0], 5000));
    Receive {
        proto: Protocol::Udp,
        source: addr,
        destination: addr,
        contents,
    }
}

fn drain(a: &mut Association, now: Instant) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = Vec::new();
    while let Some(t) = a.poll_transmit(now, &mut buf) {
        out.push(buf[..t.size].to_vec());
        assert!(out.len() < 100_000, "poll_transmit never ends");
    }
    out
}

fn fix_checksum(packet: &mut [u8]) {
    if packet.len() >= 12 {
        packet[8..12].fill(0);
        let crc = crc32c_of(packet);
        packet[8..12].copy_from_slice(&crc.to_le_bytes());
    }
}

fn crc32c_of(bytes: &[u8]) -> u32 {
    sansrtc_sctp::checksum::compute(bytes)
}

fuzz_target!(|data: &[u8]| {
    let mut now = epoch();
    let interleaving = data.first().is_some_and(|b| b % 2 == 1);
    let config = |seed: u64| Config {
        rng_seed: Some(sansrtc_proto::rng::seed_from_u64(seed)),
        receive_window: 256 * 1024,
        interleaving,
        ..Config::default()
    };
    let mut target = Association::new(config(1), now);
    let mut peer = Association::new(config(2), now);
    peer.connect(now);
    for _ in 0..4 {
        for p in drain(&mut peer, now) {
            let _ = target.handle_receive(now, rx(&p));
        }
        for p in drain(&mut target, now) {
            let _ = peer.handle_receive(now, rx(&p));
        }
    }
    assert!(
        target.is_established() && peer.is_established(),
        "the pair connects"
    );
    while target.poll_event().is_some() {}
    let mut from_peer: std::collections::VecDeque<Vec<u8>> = std::collections::VecDeque::new();
    let mut rest = data;
    let mut steps = 0;
    while let [op, len, tail @ ..] = rest {
        steps += 1;
        if steps > 64 {
            break;
        }
        let len = usize::from(*len).min(tail.len());
        let (bytes, next) = tail.split_at(len);
        rest = next;
        match op % 9 {
            0 | 1 => {
                let mut packet = bytes.to_vec();
                if op % 9 == 1 {
                    fix_checksum(&mut packet);
                }
                let refused_before = target.refused_packets();
                let result = target.handle_receive(now, rx(&packet));
                if result.is_err() {
                    assert!(target.refused_packets() > refused_before || !target.is_established());
                }
            }
            2 => {
                if let Some(mut packet) = from_peer.pop_front() {
                    if let Some((&start, mask)) = bytes.split_first() {
                        for (i, m) in mask.iter().enumerate() {
                            if let Some(b) = packet.get_mut(usize::from(start) + i) {
                                *b ^= m;
                            }
                        }
                    }
                    fix_checksum(&mut packet);
                    let _ = target.handle_receive(now, rx(&packet));
                }
            }
            3 => {
                from_peer.pop_front();
            }
            4 => {
                now += Duration::from_millis(10 * u64::from(bytes.first().copied().unwrap_or(1)));
                target.handle_timeout(now);
                peer.handle_timeout(now);
                from_peer.extend(drain(&mut peer, now));
            }
            5 => {
                let size = usize::from(bytes.first().copied().unwrap_or(1)) * 37;
                let stream = u16::from(bytes.get(1).copied().unwrap_or(0) % 4);
                let _ = target.send(stream, 53, false, vec![7; size]);
                let _ = peer.send(stream, 53, false, vec![9; size]);
                from_peer.extend(drain(&mut peer, now));
            }
            7 => {
                let stream = u16::from(bytes.first().copied().unwrap_or(0) % 4);
                let _ = peer.reset_streams(now, &[stream]);
                from_peer.extend(drain(&mut peer, now));
            }
            8 => {
                let stream = u16::from(bytes.first().copied().unwrap_or(0) % 4);
                let _ = target.reset_streams(now, &[stream]);
            }
            _ => {
                for p in drain(&mut target, now) {
                    let _ = peer.handle_receive(now, rx(&p));
                }
                from_peer.extend(drain(&mut peer, now));
            }
        }
        while target.poll_event().is_some() {}
        while peer.poll_event().is_some() {}
        assert!(from_peer.len() < 10_000);
    }
});
