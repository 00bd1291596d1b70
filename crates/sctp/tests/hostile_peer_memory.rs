//! What a hostile peer can make an established association hold, in bytes, measured with
//! dhat's heap counter: the heap the victim holds after a flood minus what it held before
//! (`hostile_peer.rs` checks the behaviour under the same floods).
//!
//! The bound: twice the receive window (the window the victim advertises, and as much again at
//! most for the chunks that fill its first gap, which it must take to make progress), plus the
//! stream table for the streams the peer touched, plus a small constant. Anything the peer can
//! make the victim keep must be paid for out of the window, the per-fragment and per-message
//! bookkeeping as well as the bytes: otherwise 1-byte fragments make the victim hold a hundred
//! times its window.
//!
//! The floods of user data run with DATA and with I-DATA (RFC 8260, which two of our
//! associations negotiate by default).
//!
//! `cargo test -p sansrtc-sctp --test hostile_peer_memory` prints each figure.

use std::time::Instant;

use sansrtc_proto::{Protocol, Receive, SansIo};
use sansrtc_sctp::association::{Association, Config, Event};
use sansrtc_sctp::wire::{
    ChecksumMode, ChunkRepr, CommonHeader, DataRepr, HeartbeatRepr, IDataRepr, InitParam, InitRepr,
    Packet, PacketBuilder, TlvList, UnknownChunk,
};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// What a flood may add beyond the window and the stream table.
const SLACK: usize = 64 * 1024;
/// What one stream's receive state may cost (its sequence numbers in a hash table that doubles
/// as it grows). At most 65,535 streams in WebRTC.
const PER_STREAM: usize = 256;
/// The tracker's window in TSNs (the receive window in bytes, at most 65,536).
const TSN_WINDOW: u32 = 65_536;

#[expect(
    clippy::disallowed_methods,
    reason = "an arbitrary starting instant for virtual time"
)]
fn start() -> Instant {
    Instant::now()
}

fn rx(contents: &[u8]) -> Receive<'_> {
    let addr = "127.0.0.1:5000".parse().unwrap();
    Receive {
        proto: Protocol::Udp,
        source: addr,
        destination: addr,
        contents,
    }
}

fn heap() -> usize {
    dhat::HeapStats::get().curr_bytes
}

/// The victim `a`, established with `b`, and what the attacker learned from their packets.
struct Victim {
    /// I-DATA was negotiated.
    interleaved: bool,
    a: Association,
    now: Instant,
    /// a's verification tag.
    tag: u32,
    /// The last of b's TSNs that a acknowledged.
    cumulative: u32,
    buf: Vec<u8>,
}

/// Moves every packet both ways until quiet, noting the tag of packets to `a` and a's latest
/// cumulative TSN ack in `seen`.
fn settle(
    now: Instant,
    a: &mut Association,
    b: &mut Association,
    buf: &mut Vec<u8>,
    seen: &mut (u32, u32),
) {
    loop {
        let mut moved = false;
        while let Some(t) = a.poll_transmit(now, buf) {
            moved = true;
            if let Ok(packet) = Packet::new_checked(&buf[..t.size]) {
                for chunk in packet.chunks().flatten() {
                    if let Ok(ChunkRepr::Sack(sack)) = ChunkRepr::parse(&chunk) {
                        seen.1 = sack.cumulative_tsn_ack;
                    }
                }
            }
            let _ = b.handle_receive(now, rx(&buf[..t.size]));
        }
        while let Some(t) = b.poll_transmit(now, buf) {
            moved = true;
            if let Ok(packet) = Packet::new_checked(&buf[..t.size]) {
                seen.0 = packet.verification_tag();
            }
            let _ = a.handle_receive(now, rx(&buf[..t.size]));
        }
        if !moved {
            return;
        }
    }
}

impl Victim {
    fn new(seed: u64, interleaving: bool) -> Self {
        let now = start();
        let config = |s: u64| Config {
            rng_seed: Some(sansrtc_proto::rng::seed_from_u64(s)),
            interleaving,
            ..Config::default()
        };
        let mut a = Association::new(config(seed), now);
        let mut b = Association::new(config(seed + 1), now);
        let mut buf = Vec::with_capacity(70_000);
        let mut seen = (0, 0);
        b.connect(now);
        settle(now, &mut a, &mut b, &mut buf, &mut seen);
        assert!(a.is_established() && b.is_established());
        // A message from b, and a's delayed SACK for it: the attacker learns b's TSN.
        b.send(1, 51, false, b"hello".to_vec()).unwrap();
        settle(now, &mut a, &mut b, &mut buf, &mut seen);
        let now = a.poll_timeout().expect("the delayed SACK");
        a.handle_timeout(now);
        settle(now, &mut a, &mut b, &mut buf, &mut seen);
        assert_eq!(
            std::iter::from_fn(|| a.poll_event())
                .filter(|e| matches!(e, Event::Message(_)))
                .count(),
            1
        );
        assert_ne!(seen.1, 0, "a's SACK was seen");
        drop(b);
        Self {
            interleaved: interleaving,
            a,
            now,
            tag: seen.0,
            cumulative: seen.1,
            buf,
        }
    }

    /// Feeds the packets, discards what the victim sends and delivers (so only what it keeps
    /// counts), and returns the heap it grew by.
    fn flood(&mut self, packets: impl Iterator<Item = Vec<u8>>) -> usize {
        let before = heap();
        for packet in packets {
            let _ = self.a.handle_receive(self.now, rx(&packet));
            drop(packet);
            while self.a.poll_transmit(self.now, &mut self.buf).is_some() {}
            while self.a.poll_event().is_some() {}
        }
        heap().saturating_sub(before)
    }
}

fn craft(tag: u32, chunks: &[ChunkRepr<'_>]) -> Vec<u8> {
    let mut datagram = Vec::with_capacity(1200);
    let header = CommonHeader {
        source_port: 5000,
        destination_port: 5000,
        verification_tag: tag,
    };
    let mut builder = PacketBuilder::new(&mut datagram, header, 65_547).unwrap();
    for chunk in chunks {
        builder.push(chunk).unwrap();
    }
    let len = builder.finish(ChecksumMode::Crc32c);
    datagram.truncate(len);
    datagram
}

/// An ordered DATA chunk, or I-DATA when `interleaved`; `sequence` is the SSN or the MID (a
/// fragment after the first is FSN 1).
fn data(
    interleaved: bool,
    tsn: u32,
    stream_id: u16,
    sequence: u32,
    (beginning, ending): (bool, bool),
    user_data: &[u8],
) -> ChunkRepr<'_> {
    if interleaved {
        ChunkRepr::IData(IDataRepr {
            tsn,
            stream_id,
            mid: sequence,
            ppid_or_fsn: if beginning { 51 } else { 1 },
            beginning,
            ending,
            user_data,
            ..IDataRepr::default()
        })
    } else {
        ChunkRepr::Data(DataRepr {
            tsn,
            stream_id,
            ssn: sequence as u16,
            ppid: 51,
            beginning,
            ending,
            user_data,
            ..DataRepr::default()
        })
    }
}

/// What the attacker knows of the victim.
#[derive(Clone, Copy)]
struct Target {
    tag: u32,
    interleaved: bool,
    cumulative: u32,
}

impl Victim {
    fn target(&self) -> Target {
        Target {
            tag: self.tag,
            interleaved: self.interleaved,
            cumulative: self.cumulative,
        }
    }
}

/// `count` user data chunks of `len` bytes at consecutive TSNs from the victim's next one,
/// `per_packet` to a packet; `shape(n)` gives chunk n's stream, sequence number and B and E
/// bits.
fn data_flood(
    victim: Target,
    count: u32,
    per_packet: u32,
    len: usize,
    shape: impl Fn(u32) -> (u16, u32, (bool, bool)),
) -> impl Iterator<Item = Vec<u8>> {
    let (tag, interleaved) = (victim.tag, victim.interleaved);
    let first_tsn = victim.cumulative.wrapping_add(1);
    let payload = vec![0x5a; len];
    (0..count.div_ceil(per_packet)).map(move |p| {
        let chunks: Vec<ChunkRepr<'_>> = (p * per_packet..((p + 1) * per_packet).min(count))
            .map(|n| {
                let (stream, sequence, bits) = shape(n);
                let tsn = first_tsn.wrapping_add(n);
                data(interleaved, tsn, stream, sequence, bits, &payload)
            })
            .collect();
        craft(tag, &chunks)
    })
}

struct Figure {
    name: String,
    grew: usize,
    streams: usize,
}

impl Figure {
    fn bound(&self) -> usize {
        2 * Config::default().receive_window + self.streams * PER_STREAM + SLACK
    }
}

/// A fresh victim flooded; `streams` is how many streams the flood may touch.
fn measure(
    name: &str,
    interleaving: bool,
    streams: usize,
    flood: impl FnOnce(&mut Victim) -> usize,
) -> Figure {
    let name = format!("{name} ({})", if interleaving { "I-DATA" } else { "DATA" });
    let mut victim = Victim::new(name.len() as u64, interleaving);
    let grew = flood(&mut victim);
    assert!(victim.a.is_established(), "{name}: the victim is still up");
    Figure {
        name,
        grew,
        streams,
    }
}

/// The floods of user data, as DATA or as I-DATA.
fn data_floods(interleaving: bool) -> Vec<Figure> {
    let window = Config::default().receive_window;
    vec![
        // The stream table: one 1-byte message on every stream, each delivered at once. What
        // stays is each stream's sequence numbers.
        measure(
            "1-byte messages, one per stream",
            interleaving,
            65_535,
            |v| {
                let flood = data_flood(v.target(), 65_535, 58, 1, |n| (n as u16, 0, (true, true)));
                v.flood(flood)
            },
        ),
        // The same with messages of two fragments: the maps that assembled them are emptied,
        // and must not each keep a node.
        measure(
            "2-fragment messages, one per stream",
            interleaving,
            65_535,
            |v| {
                let flood = data_flood(v.target(), 2 * 65_535, 58, 1, |n| {
                    ((n / 2) as u16, 0, (n % 2 == 0, n % 2 == 1))
                });
                v.flood(flood)
            },
        ),
        // (g) 1-byte fragments beginning messages that never end, 58 to a packet, on 1,000
        // streams: 150,000 of them, far more than the window can pay for.
        measure(
            "1-byte unended fragments, 1,000 streams",
            interleaving,
            1_000,
            |v| {
                let flood = data_flood(v.target(), 150_000, 58, 1, |n| {
                    ((n % 1_000) as u16, n / 1_000, (true, false))
                });
                v.flood(flood)
            },
        ),
        // The same on every stream: about one message being assembled per stream.
        measure(
            "1-byte unended fragments, 65,535 streams",
            interleaving,
            65_535,
            |v| {
                let flood = data_flood(v.target(), 150_000, 58, 1, |n| {
                    ((n % 65_535) as u16, n / 65_535, (true, false))
                });
                v.flood(flood)
            },
        ),
        // (g) 1,000-byte fragments, past twice the window.
        measure("1,000-byte unended fragments", interleaving, 1_000, |v| {
            let count = (2 * window / 1000 + 1000) as u32;
            let flood = data_flood(v.target(), count, 1, 1000, |n| {
                (100 + (n % 1000) as u16, n / 1000, (true, false))
            });
            v.flood(flood)
        }),
        // Whole 1-byte ordered messages that wait for an earlier one, on every stream.
        measure(
            "1-byte ordered messages waiting",
            interleaving,
            65_535,
            |v| {
                let flood = data_flood(v.target(), 150_000, 58, 1, |n| {
                    ((n % 65_535) as u16, 1 + n / 65_535, (true, true))
                });
                v.flood(flood)
            },
        ),
        // (c) Every other TSN of the tracker's window, 1-byte messages waiting on one stream.
        measure("every other TSN of the window", interleaving, 1, |v| {
            let first = v.cumulative.wrapping_add(2);
            let (tag, interleaved) = (v.tag, v.interleaved);
            let flood = (0..TSN_WINDOW / 2).step_by(48).map(move |k| {
                let payload = [1u8];
                let chunks: Vec<ChunkRepr<'_>> = (k..(k + 48).min(TSN_WINDOW / 2))
                    .map(|i| {
                        let tsn = first.wrapping_add(2 * i);
                        data(interleaved, tsn, 77, i + 1, (true, true), &payload)
                    })
                    .collect();
                craft(tag, &chunks)
            });
            v.flood(flood)
        }),
        // (b) Far outside the window, ahead and behind.
        measure("user data outside the window", interleaving, 0, |v| {
            let (tag, cumulative, interleaved) = (v.tag, v.cumulative, v.interleaved);
            let offsets = [
                (1u32 << 31) - 1,
                1_000_000,
                TSN_WINDOW + 1,
                0,
                1u32.wrapping_neg(),
            ];
            let flood = (0..50_000u32).map(move |n| {
                let payload = [0u8; 100];
                let tsn = cumulative.wrapping_add(offsets[n as usize % offsets.len()]);
                craft(tag, &[data(interleaved, tsn, 5, n, (true, true), &payload)])
            });
            v.flood(flood)
        }),
    ]
}

/// The control chunk floods.
fn control_floods() -> Vec<Figure> {
    vec![
        // (f) HEARTBEATs of up to 7 KB, eight to a packet.
        measure("heartbeats", true, 0, |v| {
            let tag = v.tag;
            let flood = (0..5_000usize).map(move |n| {
                let info = vec![n as u8; if n % 10 == 0 { 7_000 } else { 100 }];
                let chunks: Vec<ChunkRepr<'_>> = (0..8)
                    .map(|_| ChunkRepr::Heartbeat(HeartbeatRepr { info: &info }))
                    .collect();
                craft(tag, &chunks)
            });
            v.flood(flood)
        }),
        // (f) INITs with fresh tags: answered statelessly.
        measure("inits", true, 0, |v| {
            let flood = (0..50_000u32).map(|n| {
                let params = [InitParam::ForwardTsnSupported];
                craft(
                    0,
                    &[ChunkRepr::Init(InitRepr {
                        initiate_tag: n + 1,
                        a_rwnd: 1 << 20,
                        outbound_streams: 1024,
                        inbound_streams: 1024,
                        initial_tsn: n,
                        params: TlvList::from_slice(&params),
                    })],
                )
            });
            v.flood(flood)
        }),
        // (a) Unknown chunk types, every action.
        measure("unknown chunks", true, 0, |v| {
            let tag = v.tag;
            let flood = (0..50_000u32).map(move |n| {
                let value = [n as u8; 64];
                let chunks: Vec<ChunkRepr<'_>> = [0x3f, 0x7f, 0xbf, 0xff]
                    .into_iter()
                    .map(|chunk_type| {
                        ChunkRepr::Unknown(UnknownChunk {
                            chunk_type,
                            flags: 0,
                            value: &value,
                        })
                    })
                    .collect();
                craft(tag, &chunks)
            });
            v.flood(flood)
        }),
    ]
}

fn a_hostile_peer_cannot_make_the_association_hold_more_than_twice_its_window() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let mut figures = data_floods(false);
    figures.extend(data_floods(true));
    figures.extend(control_floods());
    for f in &figures {
        println!(
            "{:<52} {:>11} bytes held (bound {} = 2 x window + {} streams x {PER_STREAM} + {SLACK})",
            f.name,
            f.grew,
            f.bound(),
            f.streams
        );
    }
    let over: Vec<String> = figures
        .iter()
        .filter(|f| f.grew > f.bound())
        .map(|f| format!("{}: {} bytes, bound {}", f.name, f.grew, f.bound()))
        .collect();
    assert!(over.is_empty(), "held more than the bound: {over:#?}");
}

/// One thread only (`harness = false` in Cargo.toml): dhat counts every thread's
/// allocations, and libtest's main thread allocates while a test runs.
fn main() {
    a_hostile_peer_cannot_make_the_association_hold_more_than_twice_its_window();
    println!(
        "test a_hostile_peer_cannot_make_the_association_hold_more_than_twice_its_window ... ok"
    );
}
