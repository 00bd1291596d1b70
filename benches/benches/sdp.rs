//! SDP: parse and serialize real Chrome 156 offers (audio+video, and audio+video+data), ours
//! against Mozilla's `webrtc-sdp` (Firefox's parser, typed) and webrtc-rs's `sdp` (line-level),
//! in the same run.
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sansrtc_sdp::SessionDescription;
use std::hint::black_box;
use std::io::Cursor;

const OFFERS: [(&str, &str); 2] = [
    (
        "chrome-156-offer-av",
        include_str!("../../crates/sdp/tests/data/vectors/chrome-156-offer-av.sdp"),
    ),
    (
        "chrome-156-offer-av-data",
        include_str!("../../crates/sdp/tests/data/collected/chrome-156-offer-av-data-mdns.sdp"),
    ),
];

fn sdp(c: &mut Criterion) {
    for (name, text) in OFFERS {
        let mut group = c.benchmark_group(format!("sdp/parse/{name}"));
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function("sansrtc", |b| {
            b.iter(|| black_box(text).parse::<SessionDescription>().unwrap())
        });
        group.bench_function("webrtc-sdp 0.3", |b| {
            b.iter(|| webrtc_sdp::parse_sdp(black_box(text), false).unwrap())
        });
        group.bench_function("webrtc-rs sdp 0.17", |b| {
            b.iter(|| {
                sdp::SessionDescription::unmarshal(&mut Cursor::new(black_box(text).as_bytes()))
                    .unwrap()
            });
        });
        group.finish();

        let ours: SessionDescription = text.parse().unwrap();
        let mozilla = webrtc_sdp::parse_sdp(text, false).unwrap();
        let webrtc_rs =
            sdp::SessionDescription::unmarshal(&mut Cursor::new(text.as_bytes())).unwrap();
        let mut group = c.benchmark_group(format!("sdp/serialize/{name}"));
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function("sansrtc", |b| b.iter(|| black_box(&ours).to_string()));
        group.bench_function("webrtc-sdp 0.3", |b| {
            b.iter(|| black_box(&mozilla).to_string())
        });
        group.bench_function("webrtc-rs sdp 0.17", |b| {
            b.iter(|| black_box(&webrtc_rs).marshal())
        });
        group.finish();
    }
}

criterion_group!(benches, sdp);
criterion_main!(benches);
