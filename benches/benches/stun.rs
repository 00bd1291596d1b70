//! STUN: decode + MESSAGE-INTEGRITY + FINGERPRINT check of a typical ICE Binding request (the
//! RFC 5769 §2.1 sample request, 108 bytes, short-term credentials), ours against webrtc-rs's
//! `stun` crate in the same run; plus decode alone and encoding the same request.
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sansrtc_stun::credentials::{PasswordPrep, short_term_key};
use sansrtc_stun::wire::{Attribute, Class, Message, MessageBuilder, Method, TransactionId};
use std::hint::black_box;

/// RFC 5769 §2.1.
const REQUEST: &str = "000100582112a442b7e7a701bc34d686fa87dfae802200105354554e207465737420636c69656e74002400046e0001ff80290008932ff9b151263b36000600096576746a3a68367659202020000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf";
const PASSWORD: &str = "VOkJxbRl1RmTxUk/WvJxBt";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn check(c: &mut Criterion) {
    let bytes = hex(REQUEST);
    let mut group = c.benchmark_group("stun/binding_request_decode_integrity_fingerprint");
    group.throughput(Throughput::Elements(1));

    let key = short_term_key(PASSWORD, PasswordPrep::OpaqueString).unwrap();
    group.bench_function("sansrtc", |b| {
        b.iter(|| {
            let m = Message::parse(black_box(&bytes)).unwrap();
            m.verify_integrity(&key).unwrap();
            m.verify_fingerprint().unwrap();
            black_box(m.username())
        });
    });

    let integrity =
        stun::integrity::MessageIntegrity::new_short_term_integrity(PASSWORD.to_owned());
    let mut theirs = stun::message::Message::new();
    group.bench_function("webrtc-rs stun 0.17", |b| {
        b.iter(|| {
            theirs.raw.clear();
            theirs.raw.extend_from_slice(black_box(&bytes));
            theirs.decode().unwrap();
            integrity.check(&mut theirs).unwrap();
            stun::fingerprint::FINGERPRINT.check(&theirs).unwrap();
            black_box(theirs.attributes.0.len())
        });
    });
    group.finish();

    let mut group = c.benchmark_group("stun/binding_request_decode_only");
    group.throughput(Throughput::Elements(1));
    group.bench_function("sansrtc", |b| {
        b.iter(|| {
            let m = Message::parse(black_box(&bytes)).unwrap();
            black_box(m.username())
        });
    });
    group.bench_function("webrtc-rs stun 0.17", |b| {
        b.iter(|| {
            theirs.raw.clear();
            theirs.raw.extend_from_slice(black_box(&bytes));
            theirs.decode().unwrap();
            black_box(theirs.attributes.0.len())
        });
    });
    group.finish();

    let mut group = c.benchmark_group("stun/binding_request_encode_integrity_fingerprint");
    group.throughput(Throughput::Elements(1));
    let mut out = Vec::with_capacity(256);
    group.bench_function("sansrtc", |b| {
        b.iter(|| {
            out.clear();
            let mut m = MessageBuilder::new(
                &mut out,
                Class::Request,
                Method::BINDING,
                TransactionId([7; 12]),
            );
            m.add(&Attribute::Software("STUN test client")).unwrap();
            m.add(&Attribute::Priority(0x6e00_01ff)).unwrap();
            m.add(&Attribute::IceControlled(0x932f_f9b1_5126_3b36))
                .unwrap();
            m.add(&Attribute::Username("evtj:h6vY")).unwrap();
            m.add_message_integrity(&key).unwrap();
            m.add_fingerprint().unwrap();
            black_box(m.finish())
        });
    });
    group.finish();
}

criterion_group!(benches, check);
criterion_main!(benches);
