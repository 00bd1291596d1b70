//! H.264 (RFC 6184) and AV1 (AV1 RTP specification) payloads cross-checked with webrtc-rs's
//! `rtp` crate 0.17.2, an independent implementation, in memory:
//! - H.264 both ways: webrtc-rs depacketizes our payloads to the same access unit (Annex B,
//!   four-byte start codes), and we depacketize its payloads to the access unit it was
//!   given, less the NAL units it leaves out on purpose (access unit delimiters and filler
//!   data); both agree on which payloads start a frame.
//! - AV1 one way: `rtp` 0.17.2 has an AV1 packetizer (`Av1Payloader`) but no depacketizer,
//!   so we depacketize its payloads to the temporal unit it was given, less the OBUs it
//!   leaves out (temporal delimiters, tile lists, padding).
//!
//! Inputs come from a seeded generator: several hundred access units and temporal units of
//! random shape at random payload sizes.

use rtp::codecs::av1::Av1Payloader;
use rtp::codecs::h264::{H264Packet, H264Payloader};
use rtp::packetizer::{Depacketizer as _, Payloader as _};
use sansrtc_media::av1::{Av1Depacketizer, Av1Packetizer};
use sansrtc_media::h264::{H264Depacketizer, H264Packetizer, PacketizationMode};
use sansrtc_media::{Depacketizer as _, Packetizer as _};

/// xorshift64: reproducible inputs without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn range(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next().to_le_bytes()[2]).collect()
    }
}

fn seeds() -> impl Iterator<Item = Rng> {
    (1..=400u64).map(|seed| Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15)))
}

// ---------------------------------------------------------------------------------------
// H.264

/// A NAL unit of `nal_type` and NRI with `len` bytes in all: emulation prevention applied
/// (no `00 00 0x` with x <= 2 inside), never ending in a zero byte.
fn nal(rng: &mut Rng, nri: u8, nal_type: u8, len: usize) -> Vec<u8> {
    let mut out = vec![(nri << 5) | nal_type];
    let mut zeros = 0;
    while out.len() < len.max(2) {
        let b = if rng.chance(20) {
            0
        } else {
            rng.next().to_le_bytes()[1]
        };
        if zeros >= 2 && b <= 3 {
            out.push(3);
            zeros = 0;
            continue;
        }
        out.push(b);
        zeros = if b == 0 { zeros + 1 } else { 0 };
    }
    if out.last() == Some(&0) {
        *out.last_mut().unwrap() = 0x80;
    }
    out
}

/// The NAL units of a plausible access unit: maybe an access unit delimiter, maybe SPS and
/// PPS, maybe SEI and filler data, then one to six slices (IDR ones when SPS and PPS lead).
fn access_unit_nals(rng: &mut Rng, max_slice: usize) -> Vec<Vec<u8>> {
    let mut nals = Vec::new();
    if rng.chance(30) {
        nals.push(vec![0x09, 0xf0]);
    }
    let key = rng.chance(40);
    if key {
        let sps_len = rng.range(8, 24);
        let pps_len = rng.range(4, 8);
        nals.push(nal(rng, 3, 7, sps_len));
        nals.push(nal(rng, 3, 8, pps_len));
    }
    if rng.chance(30) {
        let len = rng.range(3, 40);
        nals.push(nal(rng, 0, 6, len));
    }
    for _ in 0..rng.range(1, 6) {
        let len = if rng.chance(15) {
            rng.range(3, max_slice)
        } else {
            rng.range(3, 1500.min(max_slice))
        };
        let (nri, nal_type) = if key { (3, 5) } else { (2, 1) };
        nals.push(nal(rng, nri, nal_type, len));
        if rng.chance(10) {
            let len = rng.range(3, 30);
            nals.push(nal(rng, 0, 12, len));
        }
    }
    nals
}

/// Annex B with random three- and four-byte start codes, and the same with four-byte ones.
fn annex_b(rng: &mut Rng, nals: &[Vec<u8>]) -> (Vec<u8>, Vec<u8>) {
    let (mut input, mut normalized) = (Vec::new(), Vec::new());
    for nal in nals {
        let start_code: &[u8] = if rng.chance(50) {
            &[0, 0, 1]
        } else {
            &[0, 0, 0, 1]
        };
        input.extend_from_slice(start_code);
        input.extend_from_slice(nal);
        normalized.extend_from_slice(&[0, 0, 0, 1]);
        normalized.extend_from_slice(nal);
    }
    (input, normalized)
}

fn ours_h264(mode: PacketizationMode, frame: &[u8], max_payload: usize) -> Vec<Vec<u8>> {
    let mut payloads = Vec::new();
    H264Packetizer::new(mode)
        .packetize(frame, max_payload, &mut |p| payloads.push(p.to_vec()))
        .expect("a valid access unit packetizes");
    payloads
}

fn our_depacketize(
    depacketizer: &mut dyn sansrtc_media::Depacketizer,
    payloads: &[Vec<u8>],
) -> Vec<u8> {
    let mut frame = Vec::new();
    depacketizer
        .depacketize(&mut payloads.iter().map(Vec::as_slice), &mut frame)
        .expect("the payloads depacketize");
    frame
}

#[test]
fn webrtc_rs_depacketizes_our_h264_payloads_to_the_same_access_unit() {
    let (mut payload_count, mut fragmented, mut aggregated) = (0, 0, 0);
    for mut rng in seeds() {
        let mode = if rng.chance(25) {
            PacketizationMode::SingleNalUnit
        } else {
            PacketizationMode::NonInterleaved
        };
        let nals = access_unit_nals(&mut rng, 30_000);
        let (input, normalized) = annex_b(&mut rng, &nals);
        let largest = nals.iter().map(Vec::len).max().unwrap();
        let max_payload = match mode {
            PacketizationMode::SingleNalUnit => largest + rng.below(200),
            _ => rng.range(3, 1400),
        };
        let payloads = ours_h264(mode, &input, max_payload);
        let mut theirs = H264Packet::default();
        let mut frame = Vec::new();
        for payload in &payloads {
            let bytes = payload.clone().into();
            assert_eq!(
                theirs.is_partition_head(&bytes),
                H264Depacketizer::new().is_frame_start(payload),
                "frame start of {:02x?}",
                &payload[..2]
            );
            let out = theirs
                .depacketize(&bytes)
                .unwrap_or_else(|e| panic!("webrtc-rs refused {:02x?}: {e}", &payload[..2]));
            frame.extend_from_slice(&out);
        }
        assert_eq!(
            frame, normalized,
            "mode {mode:?}, max_payload {max_payload}"
        );
        payload_count += payloads.len();
        fragmented += payloads.iter().filter(|p| p[0] & 0x1f == 28).count();
        aggregated += payloads.iter().filter(|p| p[0] & 0x1f == 24).count();
    }
    assert!(
        fragmented > 100 && aggregated > 100,
        "{payload_count} {fragmented} {aggregated}"
    );
}

#[test]
fn we_depacketize_webrtc_rs_h264_payloads_to_the_access_unit_it_was_given() {
    for mut rng in seeds() {
        let nals = access_unit_nals(&mut rng, 30_000);
        let (input, _) = annex_b(&mut rng, &nals);
        let mtu = rng.range(64, 1400);
        let payloads: Vec<Vec<u8>> = H264Payloader::default()
            .payload(mtu, &input.clone().into())
            .expect("webrtc-rs packetizes")
            .iter()
            .map(|p| p.to_vec())
            .collect();
        assert!(payloads.iter().all(|p| p.len() <= mtu));
        // webrtc-rs leaves out access unit delimiters (9) and filler data (12), and sends SPS
        // and PPS as a STAP-A before the next NAL unit.
        let kept: Vec<Vec<u8>> = nals
            .iter()
            .filter(|n| !matches!(n[0] & 0x1f, 9 | 12))
            .cloned()
            .collect();
        let expected: Vec<u8> = kept
            .iter()
            .flat_map(|n| [&[0, 0, 0, 1][..], n].concat())
            .collect();
        let mut ours = H264Depacketizer::new();
        assert!(ours.is_frame_start(&payloads[0]));
        let key = kept.iter().any(|n| matches!(n[0] & 0x1f, 5 | 7));
        assert_eq!(ours.is_keyframe(&payloads[0]), key);
        assert_eq!(our_depacketize(&mut ours, &payloads), expected, "mtu {mtu}");
    }
}

/// A NAL unit may be its header alone (end of sequence, type 10; end of stream, type 11:
/// empty RBSP, H.264 §7.3.2.5–§7.3.2.6), so its single NAL unit packet (RFC 6184 §5.6) is one
/// byte long. webrtc-rs 0.17.2 refuses any single NAL unit payload under 3 bytes but an
/// access unit delimiter's (`ErrShortPacket`); we take it.
#[test]
fn a_one_byte_single_nal_unit_packet_is_valid_though_webrtc_rs_refuses_it() {
    let frame = [0, 0, 0, 1, 0x41, 0x9a, 0x21, 0, 0, 0, 1, 0x0a];
    let payloads = ours_h264(PacketizationMode::SingleNalUnit, &frame, 1200);
    assert_eq!(payloads[1], [0x0a]);
    assert_eq!(
        our_depacketize(&mut H264Depacketizer::new(), &payloads),
        frame
    );
    let mut theirs = H264Packet::default();
    assert!(theirs.depacketize(&payloads[0].clone().into()).is_ok());
    assert!(
        theirs.depacketize(&payloads[1].clone().into()).is_err(),
        "webrtc-rs 0.17.2 refuses one-byte NAL units; if this changed, update the docs"
    );
}

// ---------------------------------------------------------------------------------------
// AV1

/// An OBU in the low-overhead format (obu_has_size_field, leb128 size).
fn obu(obu_type: u8, extension: Option<u8>, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![(obu_type << 3) | 0x02 | if extension.is_some() { 0x04 } else { 0 }];
    out.extend(extension);
    let mut size = payload.len();
    loop {
        let byte = (size & 0x7f) as u8;
        size >>= 7;
        out.push(byte | if size > 0 { 0x80 } else { 0 });
        if size == 0 {
            break;
        }
    }
    out.extend_from_slice(payload);
    out
}

/// A temporal unit as (OBU type, OBU) pairs: maybe a temporal delimiter, maybe a sequence
/// header, then metadata, frame headers, tile groups and frames of one layer or several,
/// with the odd padding or tile list OBU.
fn temporal_unit(rng: &mut Rng) -> Vec<(u8, Vec<u8>)> {
    let mut obus = Vec::new();
    if rng.chance(70) {
        obus.push((2, obu(2, None, &[])));
    }
    if rng.chance(40) {
        let len = rng.range(8, 30);
        obus.push((1, obu(1, None, &rng.bytes(len))));
    }
    let layered = rng.chance(30);
    for _ in 0..rng.range(1, 8) {
        let obu_type = [3, 4, 5, 6, 6, 6, 15, 8][rng.below(8)];
        let extension = layered.then(|| (rng.below(4) as u8) << 3);
        let len = match rng.below(10) {
            0 => rng.range(128, 20_000),
            1..=3 => rng.range(128, 1500),
            _ => rng.range(0, 127),
        };
        obus.push((obu_type, obu(obu_type, extension, &rng.bytes(len))));
    }
    obus
}

/// The value webrtc-rs 0.17.2 meant by an element length field: it writes the AV1 leb128
/// encoding of n (`encode_leb128`, bytes packed big-endian into an integer) leb128-encoded
/// once more (`put_leb128`); `decode_leb128` undoes the first step.
fn webrtc_rs_length(bytes: &[u8]) -> (usize, usize) {
    let (mut packed, mut at) = (0u64, 0);
    loop {
        packed |= u64::from(bytes[at] & 0x7f) << (7 * at);
        at += 1;
        if bytes[at - 1] & 0x80 == 0 {
            break;
        }
    }
    let mut value = 0u64;
    loop {
        value |= packed & 0x7f;
        packed >>= 8;
        if packed == 0 {
            break;
        }
        value <<= 7;
    }
    (value as usize, at)
}

/// A webrtc-rs AV1 payload with its element lengths written as AV1 leb128 (the same bytes
/// when every length is under 128).
fn repair_lengths(payload: &[u8]) -> Vec<u8> {
    let w = usize::from((payload[0] >> 4) & 3);
    let mut out = vec![payload[0]];
    let mut rest = &payload[1..];
    let mut index = 0;
    while if w == 0 { !rest.is_empty() } else { index < w } {
        if index + 1 == w {
            out.extend_from_slice(rest);
            break;
        }
        let (len, at) = webrtc_rs_length(rest);
        let mut size = len;
        loop {
            let byte = (size & 0x7f) as u8;
            size >>= 7;
            out.push(byte | if size > 0 { 0x80 } else { 0 });
            if size == 0 {
                break;
            }
        }
        out.extend_from_slice(&rest[at..at + len]);
        rest = &rest[at + len..];
        index += 1;
    }
    out
}

fn theirs_av1(frame: &[u8], mtu: usize) -> Vec<Vec<u8>> {
    Av1Payloader::default()
        .payload(mtu, &frame.to_vec().into())
        .expect("webrtc-rs packetizes")
        .iter()
        .map(|p| p.to_vec())
        .collect()
}

fn ours_av1(frame: &[u8], max_payload: usize) -> Vec<Vec<u8>> {
    let mut payloads = Vec::new();
    Av1Packetizer::new()
        .packetize(frame, max_payload, &mut |p| payloads.push(p.to_vec()))
        .expect("a valid temporal unit packetizes");
    payloads
}

#[test]
fn we_depacketize_webrtc_rs_av1_payloads_to_the_temporal_unit_it_was_given() {
    let (mut fragmented, mut repaired) = (0, 0);
    for mut rng in seeds() {
        let obus = temporal_unit(&mut rng);
        let input: Vec<u8> = obus.iter().flat_map(|(_, o)| o.clone()).collect();
        // webrtc-rs leaves out temporal delimiters (2), tile lists (8) and padding (15).
        let kept: Vec<&(u8, Vec<u8>)> = obus
            .iter()
            .filter(|(t, _)| !matches!(t, 2 | 8 | 15))
            .collect();
        if kept.is_empty() {
            continue;
        }
        let expected: Vec<u8> = kept.iter().flat_map(|(_, o)| o.clone()).collect();
        let mtu = rng.range(3, 1400);
        let raw = theirs_av1(&input, mtu);
        let payloads: Vec<Vec<u8>> = raw.iter().map(|p| repair_lengths(p)).collect();
        repaired += usize::from(raw != payloads);
        assert!(payloads.iter().all(|p| p.len() <= mtu));
        let mut ours = Av1Depacketizer::new();
        assert!(ours.is_frame_start(&payloads[0]));
        assert_eq!(
            ours.is_keyframe(&payloads[0]),
            kept[0].0 == 1,
            "N=1 when a sequence header leads"
        );
        assert_eq!(our_depacketize(&mut ours, &payloads), expected, "mtu {mtu}");
        fragmented += payloads.iter().filter(|p| p[0] & 0x80 != 0).count();
        // And ours of the same temporal unit comes back the same.
        let again = ours_av1(&expected, mtu);
        assert_eq!(
            our_depacketize(&mut Av1Depacketizer::new(), &again),
            expected
        );
    }
    assert!(fragmented > 100, "{fragmented} continuation packets");
    assert!(
        repaired > 50,
        "{repaired} temporal units with lengths of 128 or more"
    );
}

/// AV1 §4.10.5 leb128 puts the low 7 bits first: 201 is `c9 01`. webrtc-rs 0.17.2
/// (`codecs/av1/leb128.rs`: `put_leb128` re-splits the output of `encode_leb128`, which is
/// already split) writes `81 92 03`, so every OBU element length of 128 or more is wrong, and
/// the packet runs a byte past the MTU it budgeted. We reject such a payload instead of
/// reading a wrong length; only the lengths under 128 are interoperable.
#[test]
fn webrtc_rs_writes_av1_element_lengths_of_128_and_more_wrongly() {
    let first = obu(6, None, &[7; 200]);
    let second = obu(6, None, &[9; 10]);
    let payloads = theirs_av1(&[first.clone(), second.clone()].concat(), 1200);
    assert_eq!(payloads.len(), 1);
    assert_eq!(payloads[0][0], 0b0010_0000, "W=2");
    assert_eq!(
        payloads[0][1..4],
        [0x81, 0x92, 0x03],
        "webrtc-rs's length for 201"
    );
    let ours = ours_av1(&[first.clone(), second.clone()].concat(), 1200);
    assert_eq!(ours[0][1..3], [0xc9, 0x01], "the AV1 leb128 of 201");
    assert_eq!(ours[0].len() + 1, payloads[0].len());
    let mut frame = Vec::new();
    assert!(
        Av1Depacketizer::new()
            .depacketize(&mut payloads.iter().map(Vec::as_slice), &mut frame)
            .is_err(),
        "a wrong length is refused, never read as another OBU"
    );
    assert!(frame.is_empty());
    assert_eq!(
        our_depacketize(&mut Av1Depacketizer::new(), &ours),
        [first, second].concat()
    );
}

/// "If more than one OBU contained in an RTP packet has an OBU extension header, then the
/// values of the temporal_id and spatial_id MUST be the same in all such OBUs" (AV1 RTP §5).
/// webrtc-rs 0.17.2 packs OBUs of two spatial layers into one packet; we start a new one.
/// We take its packet all the same (receivers do not depend on the rule).
#[test]
fn webrtc_rs_packs_obus_of_two_layers_together_where_we_do_not() {
    let base = obu(6, Some(0b0000_0000), &[1; 20]);
    let enhancement = obu(6, Some(0b0000_1000), &[2; 20]);
    let frame = [base, enhancement].concat();
    let theirs = theirs_av1(&frame, 1200);
    let ours = ours_av1(&frame, 1200);
    assert_eq!((theirs.len(), ours.len()), (1, 2));
    assert_eq!(our_depacketize(&mut Av1Depacketizer::new(), &theirs), frame);
    assert_eq!(our_depacketize(&mut Av1Depacketizer::new(), &ours), frame);
}
