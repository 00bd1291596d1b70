//! How fast the simulated network moves datagrams: the cost of one datagram from a sender,
//! through a NAT and an impaired link, to an echo endpoint and back. Seed sweeps and the
//! scale tests of later issues run millions of these, so this bounds their run time.
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sansrtc_netsim::{LinkConfig, NatConfig, NatKind, Probe, Sim};
use std::hint::black_box;
use std::time::{Duration, Instant};

#[expect(
    clippy::disallowed_methods,
    reason = "benches pick a real epoch for virtual time"
)]
fn epoch() -> Instant {
    Instant::now()
}

fn round_trips(c: &mut Criterion) {
    const DATAGRAMS: u64 = 1000;
    let mut group = c.benchmark_group("netsim");
    group.throughput(Throughput::Elements(DATAGRAMS));
    group.bench_function("echo_through_nat_1000_datagrams", |b| {
        b.iter(|| {
            let mut sim = Sim::new(epoch(), 7);
            sim.keep_trace(false);
            let internet = sim.internet();
            let server_ip = "198.51.100.7".parse().unwrap();
            let server = sim.add_host(internet, &[server_ip]);
            let (_, home) = sim.add_nat(
                internet,
                NatConfig::new(NatKind::PortRestrictedCone, "203.0.113.1".parse().unwrap()),
            );
            let link = LinkConfig::ideal()
                .delay(Duration::from_millis(10))
                .jitter(Duration::from_millis(2))
                .loss(0.01);
            let laptop = sim.add_host_with_link(home, &["192.168.1.10".parse().unwrap()], link);
            let echo_addr = "198.51.100.7:7".parse().unwrap();
            sim.add_endpoint("echo", server, &[echo_addr], Probe::echo(echo_addr));
            let local = "192.168.1.10:5000".parse().unwrap();
            let client = sim.add_endpoint("client", laptop, &[local], Probe::new(local));
            let start = sim.now();
            sim.with_endpoint(client, |p, _| {
                for i in 0..DATAGRAMS {
                    p.send_at(
                        start + Duration::from_micros(i * 100),
                        echo_addr,
                        &[0u8; 1000],
                    );
                }
            });
            sim.run_until_idle(Duration::from_secs(10)).unwrap();
            black_box(sim.endpoint(client).received().len())
        });
    });
    group.finish();
}

criterion_group!(benches, round_trips);
criterion_main!(benches);
