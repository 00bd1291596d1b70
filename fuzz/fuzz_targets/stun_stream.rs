//! Fuzzes the TCP/TLS stream decoder (`StreamDecoder`) and `ChannelData::parse_prefix`.
//!
//! Input layout: byte 0 picks how many schedule bytes follow (1–8); each schedule byte `s` is a
//! chunk size `s + 1`, used in turn (cycling). The rest of the input is the byte stream, pushed
//! in those chunks with every available frame drained after each push.
//!
//! Oracles (beyond "never panics"):
//!
//! - **Chunking does not matter**: the frames (and per-frame errors) are the same as when the
//!   whole stream is pushed at once.
//! - **Failure is final**: once `is_failed()` is true, `next_frame()` returns `None`, also after
//!   more bytes are pushed.
//! - The first frame agrees with `Message::parse_prefix` / `ChannelData::parse_prefix` on the
//!   raw stream, and every STUN frame parses on its own with `Message::parse`.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use sansrtc_stun::ParseError;
use sansrtc_stun::wire::{ChannelData, Frame, Message, StreamDecoder};

/// An owned copy of what `next_frame` returned, for comparing two decodes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    Stun(Vec<u8>),
    ChannelData(u16, Vec<u8>),
    Error(ParseError),
}

/// Drains every available frame into `seen`; checks per-frame invariants.
fn drain(decoder: &mut StreamDecoder, seen: &mut Vec<Seen>) {
    while let Some(frame) = decoder.next_frame() {
        seen.push(match frame {
            Ok(Frame::Stun(m)) => {
                let bytes = m.as_bytes();
                assert!(
                    Message::parse(bytes).is_ok(),
                    "a STUN frame does not parse on its own"
                );
                Seen::Stun(bytes.to_vec())
            }
            Ok(Frame::ChannelData(c)) => Seen::ChannelData(c.channel.value(), c.data.to_vec()),
            Err(e) => Seen::Error(e),
        });
    }
    if decoder.is_failed() {
        assert!(
            decoder.next_frame().is_none(),
            "a failed decoder still yields frames"
        );
    }
}

/// Decodes `stream` in chunks of the scheduled sizes; `None` if a push was refused (over
/// `MAX_BUFFERED`, which the chunked decode does not reach for inputs of fuzzing size).
fn decode(stream: &[u8], schedule: &[u8]) -> Option<Vec<Seen>> {
    let mut decoder = StreamDecoder::new();
    let mut seen = Vec::new();
    decoder.push(&[]).ok()?;
    drain(&mut decoder, &mut seen);
    let mut at = 0;
    let mut i = 0;
    while at < stream.len() {
        let size = usize::from(schedule[i % schedule.len()]) + 1;
        i += 1;
        let end = (at + size).min(stream.len());
        decoder.push(&stream[at..end]).ok()?;
        at = end;
        drain(&mut decoder, &mut seen);
        assert!(decoder.buffered() <= at);
    }
    if decoder.is_failed() {
        // Failure is final, whatever arrives afterwards.
        let _ = decoder.push(&[0x00, 0x01, 0x00, 0x00]);
        assert!(decoder.next_frame().is_none(), "failed decoder revived");
    }
    Some(seen)
}

fuzz_target!(|data: &[u8]| {
    let Some((&control, rest)) = data.split_first() else {
        return;
    };
    let k = usize::from(control & 7) + 1;
    if rest.len() < k {
        return;
    }
    let (schedule, stream) = rest.split_at(k);

    let chunked = decode(stream, schedule);
    let whole = {
        let mut decoder = StreamDecoder::new();
        let mut seen = Vec::new();
        decoder
            .push(stream)
            .ok()
            .map(|()| drain(&mut decoder, &mut seen))
            .map(|()| seen)
    };
    if let (Some(chunked), Some(whole)) = (&chunked, &whole) {
        assert_eq!(
            chunked, whole,
            "frames depend on how the stream was chunked"
        );
    }

    // The first frame agrees with the prefix parsers on the raw stream.
    let cd = ChannelData::parse_prefix(stream);
    let stun = Message::parse_prefix(stream);
    if let Some(whole) = &whole {
        match whole.first() {
            None => assert!(
                stun.is_err(),
                "parse_prefix finds a message the decoder misses"
            ),
            Some(Seen::Stun(bytes)) => {
                let (m, used) = stun.expect("decoder found a STUN message parse_prefix rejects");
                assert_eq!((m.as_bytes(), used), (&bytes[..], bytes.len()));
            }
            Some(Seen::ChannelData(channel, payload)) => {
                let (c, _) = cd.expect("decoder found ChannelData parse_prefix rejects");
                assert_eq!((c.channel.value(), c.data), (*channel, &payload[..]));
            }
            Some(Seen::Error(_)) => {
                assert!(
                    stun.is_err(),
                    "decoder rejects a message parse_prefix accepts"
                );
            }
        }
    }
});
