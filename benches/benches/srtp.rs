//! SRTP protect and unprotect, every profile, 160-byte (audio) and 1200-byte (video) payloads
//! after a 12-byte RTP header: ours against the pure-Rust `webrtc-srtp` 0.17 crate in the
//! same run. One packet per iteration; criterion's element throughput is packets per second.
//!
//! Both sides copy the plain (or protected) packet into a working buffer each iteration, since
//! both transforms consume their input; the copy is part of every figure. Our unprotect checks
//! a 64-packet replay window; webrtc-srtp's is constructed without replay protection (its
//! default), which favours it slightly.
//!
//! libsrtp2 + OpenSSL is measured by `benches/libsrtp/run.sh` (our own C driver); run both
//! back to back with `benches/srtp-compare.sh`.
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sansrtc_srtp::{Config, Context, MasterKey, Profile};
use std::hint::black_box;
use webrtc_srtp::protection_profile::ProtectionProfile;

const SSRC: u32 = 0xcafe_babe;
/// Protected packets kept for unprotect: fits in L2 at 1200 bytes, like the libsrtp driver.
const RING: usize = 1024;

fn plain_packet(seq: u16, payload_len: usize) -> Vec<u8> {
    let mut packet = vec![0x80, 96, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    packet[2..4].copy_from_slice(&seq.to_be_bytes());
    packet[4..8].copy_from_slice(&(u32::from(seq) * 960).to_be_bytes());
    packet[8..12].copy_from_slice(&SSRC.to_be_bytes());
    packet.resize(12 + payload_len, 0xab);
    packet
}

fn theirs(profile: Profile) -> ProtectionProfile {
    match profile {
        Profile::Aes128CmHmacSha1_80 => ProtectionProfile::Aes128CmHmacSha1_80,
        Profile::Aes128CmHmacSha1_32 => ProtectionProfile::Aes128CmHmacSha1_32,
        Profile::AeadAes128Gcm => ProtectionProfile::AeadAes128Gcm,
        Profile::AeadAes256Gcm => ProtectionProfile::AeadAes256Gcm,
        Profile::Aes256CmHmacSha1_80 => ProtectionProfile::Aes256CmHmacSha1_80,
        other => panic!("no webrtc-srtp counterpart for {other}"),
    }
}

fn srtp(c: &mut Criterion) {
    for profile in Profile::ALL {
        let key: Vec<u8> = (0..profile.key_len() as u8).collect();
        let salt: Vec<u8> = (0..profile.salt_len() as u8).map(|b| b ^ 0xa5).collect();
        let master = MasterKey::new(profile, &key, &salt).unwrap();
        for payload_len in [160usize, 1200] {
            let mut group =
                c.benchmark_group(format!("srtp/{}/{payload_len}B", profile.sdes_name()));
            group.throughput(Throughput::Elements(1));
            let plain: Vec<Vec<u8>> = (0..RING as u16)
                .map(|seq| plain_packet(seq, payload_len))
                .collect();

            let mut sender = Context::new(&master, Config::default()).unwrap();
            let mut buffer = Vec::with_capacity(12 + payload_len + 16);
            let mut seq = 0u16;
            group.bench_function(BenchmarkId::new("sansrtc", "protect"), |b| {
                b.iter(|| {
                    buffer.clear();
                    buffer.extend_from_slice(&plain[0]);
                    buffer[2..4].copy_from_slice(&seq.to_be_bytes());
                    seq = seq.wrapping_add(1);
                    sender.protect_rtp(black_box(&mut buffer)).unwrap();
                    black_box(buffer.len())
                });
            });

            let mut sender = Context::new(&master, Config::default()).unwrap();
            let protected: Vec<Vec<u8>> = plain
                .iter()
                .map(|p| {
                    let mut p = p.clone();
                    sender.protect_rtp(&mut p).unwrap();
                    p
                })
                .collect();
            let mut receiver = Context::new(&master, Config::default()).unwrap();
            let mut next = 0;
            group.bench_function(BenchmarkId::new("sansrtc", "unprotect"), |b| {
                b.iter(|| {
                    if next == RING {
                        // A fresh context (one key derivation per ring), so the ring's indices
                        // are new again: a context never accepts an index twice, even after
                        // remove_stream.
                        receiver = Context::new(&master, Config::default()).unwrap();
                        next = 0;
                    }
                    buffer.clear();
                    buffer.extend_from_slice(&protected[next]);
                    next += 1;
                    black_box(receiver.unprotect_rtp(black_box(&mut buffer)).unwrap())
                });
            });

            let their_profile = theirs(profile);
            let mut their_sender =
                webrtc_srtp::context::Context::new(&key, &salt, their_profile, None, None).unwrap();
            let mut seq = 0u16;
            group.bench_function(BenchmarkId::new("webrtc-srtp 0.17", "protect"), |b| {
                b.iter(|| {
                    buffer.clear();
                    buffer.extend_from_slice(&plain[0]);
                    buffer[2..4].copy_from_slice(&seq.to_be_bytes());
                    seq = seq.wrapping_add(1);
                    black_box(their_sender.encrypt_rtp(black_box(&buffer)).unwrap())
                });
            });
            let mut their_sender =
                webrtc_srtp::context::Context::new(&key, &salt, their_profile, None, None).unwrap();
            let their_protected: Vec<_> = plain
                .iter()
                .map(|p| their_sender.encrypt_rtp(p).unwrap())
                .collect();
            assert_eq!(
                their_protected[5][..],
                protected[5][..],
                "both stacks agree on {profile}"
            );
            let mut their_receiver =
                webrtc_srtp::context::Context::new(&key, &salt, their_profile, None, None).unwrap();
            let mut next = 0;
            group.bench_function(BenchmarkId::new("webrtc-srtp 0.17", "unprotect"), |b| {
                b.iter(|| {
                    next = (next + 1) % RING;
                    buffer.clear();
                    buffer.extend_from_slice(&their_protected[next]);
                    black_box(their_receiver.decrypt_rtp(black_box(&buffer)).unwrap())
                });
            });
            group.finish();
        }
    }
}

/// The primitives alone, keyed once, on the bytes one packet needs: the floor under the
/// profiles on this CPU.
fn primitives(c: &mut Criterion) {
    use aes::cipher::{InnerIvInit, KeyInit, StreamCipher, StreamCipherCoreWrapper};
    use hmac::Mac;
    type Ctr<'a> = StreamCipherCoreWrapper<ctr::CtrCore<&'a aes::Aes128, ctr::flavors::Ctr32BE>>;

    let mut group = c.benchmark_group("srtp/primitives");
    group.throughput(Throughput::Elements(1));
    let gcm = ring::aead::LessSafeKey::new(
        ring::aead::UnboundKey::new(&ring::aead::AES_128_GCM, &[7; 16]).unwrap(),
    );
    let aes = aes::Aes128::new_from_slice(&[7; 16]).unwrap();
    let mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(&[7; 20]).unwrap();
    let mut data = vec![0u8; 1216];
    for size in [160usize, 1200] {
        group.bench_function(
            BenchmarkId::new("ring AES-128-GCM seal, 12 B AAD", size),
            |b| {
                b.iter(|| {
                    let (aad, body) = data.split_at_mut(12);
                    let nonce = ring::aead::Nonce::assume_unique_for_key([1; 12]);
                    black_box(
                        gcm.seal_in_place_separate_tag(
                            nonce,
                            ring::aead::Aad::from(&*aad),
                            &mut body[..size],
                        )
                        .unwrap(),
                    )
                });
            },
        );
        group.bench_function(
            BenchmarkId::new("aes+ctr AES-128-CTR, cached key", size),
            |b| {
                b.iter(|| {
                    let iv = [3u8; 16].into();
                    Ctr::from_core(ctr::CtrCore::inner_iv_init(&aes, &iv))
                        .apply_keystream(black_box(&mut data[..size]));
                });
            },
        );
        group.bench_function(
            BenchmarkId::new("hmac+sha1 HMAC-SHA1, cached pads", size + 16),
            |b| {
                b.iter(|| {
                    let mut m = mac.clone();
                    m.update(black_box(&data[..size + 16]));
                    black_box(m.finalize().into_bytes())
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, srtp, primitives);
criterion_main!(benches);
