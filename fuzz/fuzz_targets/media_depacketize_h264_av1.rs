//! H.264 (RFC 6184) and AV1 (AV1 RTP specification) depacketizers on arbitrary payloads.
//! Input: a codec byte (bit 0: H.264 or AV1; the rest picks an AV1 payload size), then
//! payloads, each after a two-byte little-endian length (the last one takes what is left).
//! Oracles: nothing panics; a failed depacketize leaves the frame as it was; a frame that
//! comes out is no longer than the payloads plus one 4-byte start code per H.264 NAL unit or
//! 8 bytes per AV1 OBU; an AV1 frame parses as the low-overhead format, and packetizing it
//! again at any payload size depacketizes to the same OBUs.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use sansrtc_media::av1::{Av1Depacketizer, Av1Packetizer};
use sansrtc_media::h264::H264Depacketizer;
use sansrtc_media::{Depacketizer, Packetizer};

fn split(mut data: &[u8]) -> Vec<&[u8]> {
    let mut payloads = Vec::new();
    while !data.is_empty() && payloads.len() < 64 {
        let (len, rest) = match data {
            [lo, hi, rest @ ..] => (usize::from(u16::from_le_bytes([*lo, *hi])), rest),
            _ => (data.len(), &[][..]),
        };
        let (payload, rest) = rest.split_at(len.min(rest.len()));
        payloads.push(payload);
        data = rest;
    }
    payloads
}

/// Runs the per-payload checks and `depacketize` after a 3-byte prefix; returns the frame.
fn run(depacketizer: &mut dyn Depacketizer, payloads: &[&[u8]]) -> Option<Vec<u8>> {
    for payload in payloads {
        let _ = depacketizer.is_frame_start(payload);
        let _ = depacketizer.is_keyframe(payload);
    }
    let mut frame = vec![0xa5; 3];
    let result = depacketizer.depacketize(&mut payloads.iter().copied(), &mut frame);
    assert_eq!(&frame[..3], [0xa5; 3], "the caller's bytes are kept");
    match result {
        Ok(()) => Some(frame.split_off(3)),
        Err(_) => {
            assert_eq!(
                frame.len(),
                3,
                "a failed depacketize leaves the frame as it was"
            );
            None
        }
    }
}

/// The OBUs of a low-overhead temporal unit as (header without size flag, extension,
/// payload); panics unless every OBU has a size field and the sizes add up.
fn obus(mut frame: &[u8]) -> Vec<(u8, Option<u8>, &[u8])> {
    let mut out = Vec::new();
    while let [header, rest @ ..] = frame {
        assert_ne!(header & 0x02, 0, "obu_has_size_field");
        let (extension, rest) = if header & 0x04 != 0 {
            (Some(rest[0]), &rest[1..])
        } else {
            (None, rest)
        };
        let (mut size, mut at) = (0usize, 0);
        loop {
            size |= usize::from(rest[at] & 0x7f) << (7 * at);
            at += 1;
            if rest[at - 1] & 0x80 == 0 {
                break;
            }
        }
        let (payload, rest) = rest[at..].split_at(size);
        out.push((header & !0x02, extension, payload));
        frame = rest;
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, data)) = data.split_first() else {
        return;
    };
    let payloads = split(data);
    let total: usize = payloads.iter().map(|p| p.len()).sum();
    if selector & 1 == 0 {
        if let Some(frame) = run(&mut H264Depacketizer::new(), &payloads) {
            // Every NAL unit we write starts with 00 00 00 01; the payload bytes may hold
            // more, which only loosens the bound.
            let start_codes = frame.windows(4).filter(|w| *w == [0, 0, 0, 1]).count();
            assert!(frame.len() <= total + 4 * start_codes);
        }
        return;
    }
    let Some(frame) = run(&mut Av1Depacketizer::new(), &payloads) else {
        return;
    };
    let parsed = obus(&frame);
    assert!(frame.len() <= total + 8 * parsed.len());
    if parsed.is_empty() {
        return;
    }
    let max_payload = 2 + usize::from(selector >> 1) * 4;
    let mut again = Vec::new();
    Av1Packetizer::new()
        .packetize(&frame, max_payload, &mut |p| again.push(p.to_vec()))
        .expect("a depacketized temporal unit packetizes");
    assert!(again.iter().all(|p| p.len() <= max_payload));
    let frame_again = run(
        &mut Av1Depacketizer::new(),
        &again.iter().map(Vec::as_slice).collect::<Vec<_>>(),
    )
    .expect("our payloads depacketize");
    assert_eq!(
        obus(&frame_again),
        parsed,
        "the same OBUs after a second trip"
    );
});
