//! Fuzz the SCTP wire layer: the input is one SCTP packet (common header and chunks, as a DTLS
//! record carries it). Arbitrary bytes never panic `Packet::new_checked`, the header accessors,
//! `verify_checksum` (short-circuited under `cfg(fuzzing)`), the chunk iterator,
//! `ChunkRepr::parse`, or any list iterator: INIT parameters and Supported Address Types, SACK
//! gap ack blocks and duplicate TSNs, ABORT/ERROR causes and Missing Mandatory Parameter
//! lists, FORWARD TSN and I-FORWARD-TSN stream entries, RE-CONFIG parameters and their stream
//! numbers.
//!
//! Oracles: every chunk that parses re-emits into exactly `buffer_len` bytes (a multiple of
//! 4) that frame as one chunk and parse to an equal Repr; the chunks that parsed, rebuilt with
//! `PacketBuilder` under the same header, parse back equal and pass their CRC32c; a list's
//! `len` agrees with its iterator.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use sansrtc_sctp::wire::{
    ChecksumMode, Chunk, ChunkRepr, ErrorCause, InitParam, Packet, PacketBuilder, ReconfigParam,
};

/// A checksum of everything read, so nothing is optimised away.
struct Acc(u64);

impl Acc {
    fn add(&mut self, value: u64) {
        self.0 = self.0.wrapping_mul(31).wrapping_add(value);
    }
}

fn cause(c: &ErrorCause<'_>, acc: &mut Acc) {
    match c {
        ErrorCause::MissingMandatoryParameter(l) => {
            assert_eq!(l.len(), l.iter().count());
            l.iter().for_each(|t| acc.add(t.into()));
        }
        other => acc.add(format!("{other:?}").len() as u64),
    }
}

fn walk(chunk: &ChunkRepr<'_>, acc: &mut Acc) {
    match chunk {
        ChunkRepr::Init(i) | ChunkRepr::InitAck(i) => {
            acc.add(u64::from(i.initiate_tag ^ i.a_rwnd ^ i.initial_tsn));
            acc.add(i.state_cookie().map_or(0, <[u8]>::len) as u64);
            acc.add(u64::from(i.forward_tsn_supported()));
            acc.add(i.zero_checksum_acceptable().unwrap_or(0).into());
            acc.add(i.supported_extensions().map_or(0, <[u8]>::len) as u64);
            assert_eq!(i.params.len(), i.params.iter().count());
            for p in i.params.iter() {
                acc.add(p.unrecognized_action().skips().into());
                if let InitParam::SupportedAddressTypes(l) = p {
                    assert_eq!(l.len(), l.iter().count());
                    l.iter().for_each(|t| acc.add(t.into()));
                }
            }
        }
        ChunkRepr::Sack(s) => {
            assert_eq!(s.gap_blocks.len(), s.gap_blocks.iter().count());
            assert_eq!(s.duplicate_tsns.len(), s.duplicate_tsns.iter().count());
            s.gap_blocks
                .iter()
                .for_each(|g| acc.add(u64::from(g.start) << 16 | u64::from(g.end)));
            s.duplicate_tsns.iter().for_each(|t| acc.add(t.into()));
        }
        ChunkRepr::Abort(a) => a.causes.iter().for_each(|c| cause(&c, acc)),
        ChunkRepr::Error(e) => e.causes.iter().for_each(|c| cause(&c, acc)),
        ChunkRepr::ForwardTsn(f) => f.streams.iter().for_each(|s| acc.add(s.ssn.into())),
        ChunkRepr::IForwardTsn(f) => f.streams.iter().for_each(|s| acc.add(s.mid.into())),
        ChunkRepr::Reconfig(r) => {
            for p in r.params.iter() {
                match p {
                    ReconfigParam::OutgoingSsnResetRequest { stream_ids, .. }
                    | ReconfigParam::IncomingSsnResetRequest { stream_ids, .. } => {
                        assert_eq!(stream_ids.len(), stream_ids.iter().count());
                        stream_ids.iter().for_each(|s| acc.add(s.into()));
                    }
                    other => acc.add(format!("{other:?}").len() as u64),
                }
            }
        }
        ChunkRepr::IData(d) => acc.add(u64::from(d.fsn()) ^ u64::from(d.ppid().unwrap_or(0))),
        ChunkRepr::Unknown(u) => acc.add(u.unrecognized_action().reports().into()),
        other => acc.add(other.buffer_len() as u64),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(packet) = Packet::new_checked(data) else {
        return;
    };
    let mut acc = Acc(0);
    acc.add(u64::from(packet.source_port()) ^ u64::from(packet.destination_port()));
    acc.add(u64::from(packet.verification_tag() ^ packet.checksum()));
    let _ = packet.verify_checksum(true);

    let mut parsed = Vec::new();
    let mut emitted = Vec::new();
    for chunk in packet.chunks_ref() {
        let Ok(chunk) = chunk else { break };
        acc.add(u64::from(chunk.chunk_type()) ^ chunk.length() as u64 ^ chunk.offset() as u64);
        let Ok(repr) = ChunkRepr::parse(&chunk) else {
            continue;
        };
        walk(&repr, &mut acc);
        // Oracle: re-emission into exactly buffer_len bytes parses equal.
        emitted.clear();
        emitted.resize(repr.buffer_len(), 0xa5);
        assert_eq!(repr.emit(&mut emitted), Ok(emitted.len()));
        assert_eq!(emitted.len() % 4, 0);
        let (frame, taken) = Chunk::frame(&emitted, 0).expect("re-emitted chunk frames");
        assert_eq!(taken, emitted.len());
        assert_eq!(ChunkRepr::parse(&frame), Ok(repr));
        parsed.push(repr);
    }

    // Oracle: the parsed chunks rebuilt as a packet parse back equal.
    let mut out = Vec::new();
    let mut builder = PacketBuilder::new(&mut out, packet.header(), usize::MAX).unwrap();
    for repr in &parsed {
        builder.push(repr).expect("a parsed chunk re-emits");
    }
    builder.finish(ChecksumMode::Crc32c);
    let again = Packet::new_checked(&out[..]).expect("rebuilt packet");
    assert_eq!(again.header(), packet.header());
    assert!(sansrtc_sctp::checksum::compute(&out) == again.checksum());
    let reparsed: Vec<_> = again
        .chunks_ref()
        .map(|c| ChunkRepr::parse(&c.expect("frames")).expect("parses"))
        .collect();
    assert_eq!(reparsed, parsed);
    std::hint::black_box(acc.0);
});
