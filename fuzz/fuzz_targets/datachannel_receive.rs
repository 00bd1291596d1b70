//! The data channel layer (`sansrtc_datachannel::DataChannels`) fed by a hostile peer: two
//! endpoints connected in memory; the peer's raw association sends user messages with any
//! stream, PPID and bytes (DCEP included), and either side opens, sends on and closes
//! channels, with time passing.
//!
//! Input layout: segments `op(1) len(1) bytes(len)`:
//! - op 0: the peer's association sends `bytes[3..]` on stream `bytes[0..2]` with PPID
//!   `bytes[2]` (48–59 cover DCEP and every data channel PPID);
//! - op 1: the target opens a channel (ordering and reliability from `bytes`);
//! - op 2: the peer's layer opens a channel;
//! - op 3: the target sends `bytes` on one of its channels;
//! - op 4: the target closes one of its channels; op 5: the peer closes one of its;
//! - op 6: `bytes[0]` × 10 ms pass.
//!
//! Oracles: no panic; the target never holds more channels than were opened by either side;
//! a channel the target opened is never reported opened by the peer.
#![no_main]

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use sansrtc_datachannel::wire::Reliability;
use sansrtc_datachannel::{ChannelConfig, ChannelId, DataChannels, DtlsRole, MessageKind};
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

/// Moves packets both ways until quiet (bounded).
fn exchange(a: &mut DataChannels, b: &mut DataChannels, now: Instant) {
    let mut buf = Vec::new();
    for _ in 0..64 {
        let mut moved = false;
        while let Some(t) = a.poll_transmit(now, &mut buf) {
            moved = true;
            let _ = b.handle_receive(now, rx(&buf[..t.size]));
        }
        while let Some(t) = b.poll_transmit(now, &mut buf) {
            moved = true;
            let _ = a.handle_receive(now, rx(&buf[..t.size]));
        }
        if !moved {
            return;
        }
    }
}

fn pick(ids: &[ChannelId], selector: Option<&u8>) -> Option<ChannelId> {
    let n = usize::from(*selector?);
    (!ids.is_empty()).then(|| ids[n % ids.len()])
}

fuzz_target!(|data: &[u8]| {
    let mut now = epoch();
    let association = |seed: u64| {
        let config = Config {
            rng_seed: Some(sansrtc_proto::rng::seed_from_u64(seed)),
            receive_window: 256 * 1024,
            ..Config::default()
        };
        Association::new(config, now)
    };
    let mut target = DataChannels::new(association(1), DtlsRole::Client, now);
    let mut peer = DataChannels::new(association(2), DtlsRole::Server, now);
    peer.association_mut().connect(now);
    exchange(&mut target, &mut peer, now);
    assert!(target.association().is_established());
    let mut opened = 0usize;
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
        let config = |b: &[u8]| ChannelConfig {
            ordered: b.first().is_none_or(|x| x % 2 == 0),
            reliability: match b.get(1).map(|x| x % 3) {
                Some(1) => Reliability::MaxRetransmits(0),
                Some(2) => Reliability::MaxLifetimeMs(10),
                _ => Reliability::Reliable,
            },
            ..ChannelConfig::default()
        };
        let ours: Vec<ChannelId> = target.channel_ids().collect();
        let theirs: Vec<ChannelId> = peer.channel_ids().collect();
        match op % 7 {
            0 => {
                if let [s0, s1, ppid, payload @ ..] = bytes {
                    let stream = u16::from_be_bytes([*s0, *s1]);
                    let ppid = 48 + u32::from(*ppid % 12);
                    let _ = peer
                        .association_mut()
                        .send(stream, ppid, false, payload.to_vec());
                    opened += 1;
                }
            }
            1 => {
                if target.open(now, config(bytes)).is_ok() {
                    opened += 1;
                }
            }
            2 => {
                if peer.open(now, config(bytes)).is_ok() {
                    opened += 1;
                }
            }
            3 => {
                if let Some(id) = pick(&ours, bytes.first()) {
                    let _ = target.send(now, id, MessageKind::Binary, bytes.to_vec());
                }
            }
            4 => {
                if let Some(id) = pick(&ours, bytes.first()) {
                    let _ = target.close(now, id);
                }
            }
            5 => {
                if let Some(id) = pick(&theirs, bytes.first()) {
                    let _ = peer.close(now, id);
                }
            }
            _ => {
                now += Duration::from_millis(10 * u64::from(bytes.first().copied().unwrap_or(1)));
                target.handle_timeout(now);
                peer.handle_timeout(now);
            }
        }
        exchange(&mut target, &mut peer, now);
        while target.poll_event().is_some() {}
        while peer.poll_event().is_some() {}
        assert!(target.channel_ids().count() <= opened);
        for id in target.channel_ids() {
            let info = target.channel(id).unwrap();
            if DtlsRole::Client.owns(id.0) && info.config.negotiated.is_none() {
                assert!(!info.opened_by_peer, "a peer opened one of our ids");
            }
        }
    }
});
