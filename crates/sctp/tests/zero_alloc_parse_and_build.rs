//! Parsing allocates nothing: framing every packet of the pion vectors, typing every chunk and
//! walking every list (parameters, gap ack blocks, duplicate TSNs, error causes, stream
//! entries, RE-CONFIG parameters and their stream numbers). Building a DATA + SACK packet into
//! a reused `Vec` allocates nothing either. Counted with dhat's testing mode (one test per
//! binary: dhat's profiler is global).

use sansrtc_sctp::wire::{
    ChecksumMode, ChunkRepr, CommonHeader, DataRepr, ErrorCause, GapAckBlock, InitParam, List,
    Packet, PacketBuilder, ReconfigParam, SackRepr,
};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const PACKETS: &str = include_str!("vectors/pion-sctp-packets.json");

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn blocks() -> u64 {
    dhat::HeapStats::get().total_blocks
}

/// Walks everything; returns a checksum and how many chunks it saw.
fn walk(packet: &[u8]) -> (u64, usize) {
    let mut sum = 0u64;
    let mut chunks = 0;
    let mut add = |v: u64| sum = sum.wrapping_mul(31).wrapping_add(v);
    let packet = Packet::new_checked(packet).unwrap();
    packet.verify_checksum(false).unwrap();
    for chunk in packet.chunks_ref() {
        chunks += 1;
        match ChunkRepr::parse(&chunk.unwrap()).unwrap() {
            ChunkRepr::Init(init) | ChunkRepr::InitAck(init) => {
                for p in init.params.iter() {
                    match p {
                        InitParam::StateCookie(c) => add(c.len() as u64),
                        InitParam::SupportedExtensions(t) => add(t.len() as u64),
                        InitParam::SupportedAddressTypes(l) => l.iter().for_each(|t| add(t.into())),
                        _ => add(1),
                    }
                }
            }
            ChunkRepr::Data(d) => add(d.user_data.len() as u64 + u64::from(d.tsn)),
            ChunkRepr::CookieEcho(c) => add(c.cookie.len() as u64),
            ChunkRepr::Sack(s) => {
                s.gap_blocks.iter().for_each(|g| add(g.end.into()));
                s.duplicate_tsns.iter().for_each(|t| add(t.into()));
            }
            ChunkRepr::Abort(a) => a.causes.iter().for_each(|c| add(cause(&c))),
            ChunkRepr::Error(e) => e.causes.iter().for_each(|c| add(cause(&c))),
            ChunkRepr::ForwardTsn(f) => {
                add(f.new_cumulative_tsn.into());
                f.streams.iter().for_each(|s| add(s.ssn.into()));
            }
            ChunkRepr::Reconfig(r) => {
                for p in r.params.iter() {
                    if let ReconfigParam::OutgoingSsnResetRequest { stream_ids, .. } = p {
                        stream_ids.iter().for_each(|s| add(s.into()));
                    }
                }
            }
            other => add(u64::from(other.chunk_type())),
        }
    }
    (sum, chunks)
}

fn cause(c: &ErrorCause<'_>) -> u64 {
    match c {
        ErrorCause::MissingMandatoryParameter(l) => l.iter().map(u64::from).sum(),
        _ => 1,
    }
}

fn parsing_and_building_allocate_nothing() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let doc: serde_json::Value = serde_json::from_str(PACKETS).unwrap();
    let packets: Vec<Vec<u8>> = doc["packets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| hex(p["hex"].as_str().unwrap()))
        .collect();

    let before = blocks();
    let mut chunks = 0;
    let mut checksum = 0u64;
    for _ in 0..200 {
        for packet in &packets {
            let (sum, n) = walk(packet);
            checksum = checksum.wrapping_add(sum);
            chunks += n;
        }
    }
    let allocated = blocks() - before;
    dhat::assert_eq!(allocated, 0);
    assert_eq!(chunks, 200 * 6);
    assert_ne!(checksum, 0);

    // DATA + SACK into a reused Vec: the lists borrow the caller's slices.
    let mut out = Vec::with_capacity(1200);
    let gaps = [
        GapAckBlock { start: 2, end: 4 },
        GapAckBlock { start: 7, end: 7 },
    ];
    let dups = [5u32];
    let payload = [0x42u8; 1000];
    let header = CommonHeader {
        source_port: 5000,
        destination_port: 5000,
        verification_tag: 0xdead_beef,
    };
    let before = blocks();
    for tsn in 0..1000u32 {
        out.clear();
        let mut b = PacketBuilder::new(&mut out, header, 1200).unwrap();
        b.push(&ChunkRepr::Sack(SackRepr {
            cumulative_tsn_ack: tsn,
            a_rwnd: 1 << 20,
            gap_blocks: List::from_slice(&gaps),
            duplicate_tsns: List::from_slice(&dups),
        }))
        .unwrap();
        b.push(&ChunkRepr::Data(DataRepr {
            tsn,
            stream_id: 1,
            ssn: tsn as u16,
            ppid: 53,
            user_data: &payload,
            beginning: true,
            ending: true,
            ..DataRepr::default()
        }))
        .unwrap();
        let len = b.finish(ChecksumMode::Crc32c);
        assert_eq!(len, 12 + 28 + 1016);
        assert_eq!(walk(&out).1, 2);
    }
    let allocated = blocks() - before;
    dhat::assert_eq!(allocated, 0);
}

/// One thread only (`harness = false` in Cargo.toml): dhat counts every thread's
/// allocations, and libtest's main thread allocates while a test runs.
fn main() {
    parsing_and_building_allocate_nothing();
    println!("test parsing_and_building_allocate_nothing ... ok");
}
