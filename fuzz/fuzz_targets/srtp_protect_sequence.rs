//! Drives one sending SRTP context with a fuzzer-chosen sequence of `protect_rtp`,
//! `protect_rtp_in_place`, `protect_rtcp`, `protect_rtcp_in_place`, `remove_stream` and
//! `set_roc` calls over four SSRCs, for every profile, and checks that no (SSRC, packet index)
//! is ever protected twice under the key (RFC 3711 §3.3.1, §3.4, §9.1; RFC 7714 §8.1, §9.1).
//!
//! Oracles:
//! - SRTP: every packet carries 16 zero bytes of payload, so its first ciphertext block is
//!   the first keystream block, AES_k(counter block), and the counter block is a one-to-one
//!   function of (SSRC, index) for both AES-CM (RFC 3711 §4.1.1) and GCM (RFC 7714 §8.1).
//!   AES being a permutation, two packets of one SSRC share that block exactly when they
//!   share an index. A repeat is allowed only with `allow_repeat_tx` and only while the
//!   stream lives on unchanged (no `remove_stream`, no successful `set_roc` in between).
//! - SRTCP: the index read from each packet's trailer is, per SSRC, 0, 1, 2, … exactly,
//!   across `remove_stream` (§3.4: never reset).
//! - A failed `protect_rtp` / `protect_rtcp` leaves the packet as it was, and live plus
//!   remembered SSRCs never exceed `max_streams`.
//!
//! Input layout: byte 0 is the configuration (bits 0-2 profile, bit 3 `allow_repeat_tx`,
//! bits 4-5 replay window 64/128/1024/32768, bits 6-7 `max_streams` - 1); then operations,
//! one byte each (bits 0-2 the operation, bits 3-4 the SSRC, bit 5 the in-place variant)
//! followed by its arguments (missing bytes read as zero):
//!
//! | op | call | arguments |
//! |---|---|---|
//! | 0 | protect RTP | sequence number, 2 bytes |
//! | 1 | protect RTP, the SSRC's last sequence number + 1 + n | n, 1 byte |
//! | 2 | protect RTP, last + 0x7f80 + n (around half the space) | n, 1 byte |
//! | 3 | protect RTP, the SSRC's last sequence number again | — |
//! | 4 | protect RTCP | — |
//! | 5 | `remove_stream` | — |
//! | 6 | `set_roc`, the current rollover counter + n (n signed) | n, 1 byte |
//! | 7 | protect RTP, last - 1 - n (a late packet) | n, 1 byte |
#![no_main]
#![forbid(unsafe_code)]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use sansrtc_srtp::{Config, Context, MasterKey, Profile};

const SSRCS: [u32; 4] = [0x1111_1111, 0x2222_2222, 0, u32::MAX];
const PAYLOAD: usize = 16;
const MAX_OPS: usize = 512;

struct Input<'a> {
    bytes: &'a [u8],
}

impl Input<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&first, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        Some(first)
    }

    fn arg(&mut self) -> u8 {
        self.byte().unwrap_or(0)
    }
}

fn rtp(seq: u16, ssrc: u32) -> Vec<u8> {
    let mut packet = vec![0x80, 96, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    packet[2..4].copy_from_slice(&seq.to_be_bytes());
    packet[8..12].copy_from_slice(&ssrc.to_be_bytes());
    packet.resize(12 + PAYLOAD, 0);
    packet
}

fn rtcp(ssrc: u32) -> Vec<u8> {
    let mut packet = vec![0x81, 201, 0, 7];
    packet.extend_from_slice(&ssrc.to_be_bytes());
    packet.resize(32, 0);
    packet
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input { bytes: data };
    let Some(setup) = input.byte() else { return };
    let profile = Profile::ALL[usize::from(setup & 7) % Profile::ALL.len()];
    let allow_repeat_tx = setup & 0x08 != 0;
    let replay_window = [64, 128, 1024, 32_768][usize::from(setup >> 4 & 3)];
    let max_streams = usize::from(setup >> 6) + 1;
    let key: Vec<u8> = (0..profile.key_len() as u8).collect();
    let salt: Vec<u8> = (0..profile.salt_len() as u8).map(|b| b ^ 0x5a).collect();
    let master = MasterKey::new(profile, &key, &salt).expect("valid lengths");
    let config = Config {
        replay_window,
        max_streams,
        allow_repeat_tx,
        ..Config::default()
    };
    let mut sender = Context::new(&master, config).expect("context");

    // (ssrc, first keystream block) -> the stream's epoch when it was protected.
    let mut keystream: HashMap<(u32, [u8; PAYLOAD]), u32> = HashMap::new();
    let mut rtcp_sent: HashMap<u32, u32> = HashMap::new();
    let mut epoch: HashMap<u32, u32> = HashMap::new();
    let mut last_seq: HashMap<u32, u16> = HashMap::new();
    let rtcp_trailer = |packet: &[u8]| {
        let at = if profile.is_aead() {
            packet.len() - 4
        } else {
            packet.len() - profile.rtcp_tag_len() - 4
        };
        u32::from_be_bytes(packet[at..at + 4].try_into().expect("4 bytes"))
    };

    for _ in 0..MAX_OPS {
        let Some(op) = input.byte() else { break };
        let ssrc = SSRCS[usize::from(op >> 3 & 3)];
        let in_place = op & 0x20 != 0;
        let last = last_seq.get(&ssrc).copied().unwrap_or(0);
        let seq = match op & 7 {
            0 => Some(u16::from_be_bytes([input.arg(), input.arg()])),
            1 => Some(last.wrapping_add(1).wrapping_add(u16::from(input.arg()))),
            2 => Some(
                last.wrapping_add(0x7f80)
                    .wrapping_add(u16::from(input.arg())),
            ),
            3 => Some(last),
            7 => Some(last.wrapping_sub(1).wrapping_sub(u16::from(input.arg()))),
            _ => None,
        };
        if let Some(seq) = seq {
            let plain = rtp(seq, ssrc);
            let mut packet = plain.clone();
            let result = if in_place {
                let len = packet.len();
                packet.resize(len + profile.rtp_overhead(), 0);
                let result = sender.protect_rtp_in_place(&mut packet, len);
                if let Ok(protected) = result {
                    packet.truncate(protected);
                }
                result.map(|_| ())
            } else {
                sender.protect_rtp(&mut packet)
            };
            match result {
                Ok(()) => {
                    last_seq.insert(ssrc, seq);
                    let block: [u8; PAYLOAD] =
                        packet[12..12 + PAYLOAD].try_into().expect("payload");
                    let now = epoch.get(&ssrc).copied().unwrap_or(0);
                    if let Some(&then) = keystream.get(&(ssrc, block)) {
                        assert!(
                            allow_repeat_tx && then == now,
                            "SSRC {ssrc:#x} seq {seq}: an index protected twice \
                             (epochs {then} and {now}, allow_repeat_tx {allow_repeat_tx})"
                        );
                    }
                    keystream.insert((ssrc, block), now);
                }
                Err(_) if !in_place => {
                    assert_eq!(packet, plain, "a failed protect changes nothing")
                }
                Err(_) => {}
            }
        } else {
            match op & 7 {
                4 => {
                    let plain = rtcp(ssrc);
                    let mut packet = plain.clone();
                    let result = if in_place {
                        let len = packet.len();
                        packet.resize(len + profile.rtcp_overhead(), 0);
                        sender
                            .protect_rtcp_in_place(&mut packet, len)
                            .map(|n| packet.truncate(n))
                    } else {
                        sender.protect_rtcp(&mut packet)
                    };
                    match result {
                        Ok(()) => {
                            let index = rtcp_trailer(&packet) & 0x7fff_ffff;
                            let expected = rtcp_sent.entry(ssrc).or_default();
                            assert_eq!(
                                index, *expected,
                                "SSRC {ssrc:#x}: SRTCP index out of order"
                            );
                            *expected += 1;
                        }
                        Err(_) if !in_place => {
                            assert_eq!(packet, plain, "a failed protect changes nothing");
                        }
                        Err(_) => {}
                    }
                }
                5 => {
                    sender.remove_stream(ssrc);
                    *epoch.entry(ssrc).or_default() += 1;
                }
                _ => {
                    let base = sender.roc(ssrc).unwrap_or(0);
                    let roc = base.wrapping_add_signed(i32::from(input.arg() as i8));
                    if sender.set_roc(ssrc, roc).is_ok() {
                        *epoch.entry(ssrc).or_default() += 1;
                    }
                }
            }
        }
        assert!(sender.stream_count() + sender.retired_stream_count() <= max_streams);
    }
});
