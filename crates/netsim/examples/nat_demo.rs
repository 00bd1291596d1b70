//! The README demo: two peers behind NATs meet through a rendezvous server and try to punch a
//! direct UDP path, for every pair of classic NAT kinds, on the simulated network. Then one
//! full trace of a symmetric-vs-full-cone run, so you can see the NAT mappings and the drops.
//!
//! Run it with `cargo run -p sansrtc-netsim --example nat_demo`.

use sansrtc_netsim::punch::{Puncher, Rendezvous, punch_through};
use sansrtc_netsim::{LinkConfig, NatConfig, NatKind, Sim, TraceEvent};
use std::time::{Duration, Instant};

const KINDS: [(NatKind, &str); 4] = [
    (NatKind::FullCone, "full cone"),
    (NatKind::RestrictedCone, "restricted"),
    (NatKind::PortRestrictedCone, "port-restr."),
    (NatKind::Symmetric, "symmetric"),
];

#[expect(
    clippy::disallowed_methods,
    reason = "the demo picks one real Instant as the epoch of virtual time"
)]
fn epoch() -> Instant {
    Instant::now()
}

fn main() {
    println!("Direct UDP between two peers behind NATs (20 ms access links, virtual time)\n");
    print!("{:>13} |", "A \\ B");
    for (_, name) in KINDS {
        print!(" {name:^13}|");
    }
    println!();
    println!("{}", "-".repeat(15 + 15 * KINDS.len()));
    for (a, a_name) in KINDS {
        print!("{a_name:>13} |");
        for (b, _) in KINDS {
            let outcome = punch_through(epoch(), 1, a, b);
            let cell = if outcome.connected {
                format!("ok {:>4} ms", outcome.elapsed.as_millis())
            } else {
                "no path".to_owned()
            };
            print!(" {cell:^13}|");
        }
        println!();
    }
    println!("\n\"no path\": the peers need a relay (TURN) for this pair.\n");
    trace_one_run();
}

/// Prints the trace of one symmetric-NAT vs full-cone run.
fn trace_one_run() {
    println!("Trace of symmetric (A, 203.0.113.1) vs full cone (B, 203.0.113.2):");
    let mut sim = Sim::new(epoch(), 1);
    let internet = sim.internet();
    let server = "198.51.100.7:3478".parse().unwrap();
    let server_host = sim.add_host(internet, &["198.51.100.7".parse().unwrap()]);
    sim.add_endpoint(
        "rendezvous",
        server_host,
        &[server],
        Rendezvous::new(server),
    );
    let local: std::net::SocketAddr = "192.168.1.10:5000".parse().unwrap();
    let link = LinkConfig::ideal().delay(Duration::from_millis(20));
    let mut peers = Vec::new();
    for (name, kind, ip) in [
        ("A", NatKind::Symmetric, [203, 0, 113, 1]),
        ("B", NatKind::FullCone, [203, 0, 113, 2]),
    ] {
        let (_, realm) = sim.add_nat(internet, NatConfig::new(kind, ip.into()));
        let host = sim.add_host_with_link(realm, &[local.ip()], link.clone());
        peers.push(sim.add_endpoint(name, host, &[local], Puncher::new(local, server)));
    }
    let connected = |sim: &mut Sim| peers.iter().all(|&p| sim.endpoint(p).connected().is_some());
    if let Err(stalled) = sim.run_until(Duration::from_secs(5), connected) {
        println!("  (stopped: {stalled})");
    }
    for entry in sim.trace() {
        let at = entry.at.as_secs_f64() * 1000.0;
        let line = match &entry.event {
            TraceEvent::Sent { endpoint, packet } => format!(
                "{endpoint:>10} sends {:?} {} -> {}",
                String::from_utf8_lossy(&packet.contents),
                packet.source,
                packet.destination
            ),
            TraceEvent::Delivered { endpoint, packet } => format!(
                "{endpoint:>10} gets  {:?} from {}",
                String::from_utf8_lossy(&packet.contents),
                packet.source
            ),
            TraceEvent::Dropped { reason, packet } => format!(
                "{:>10} DROP  {:?} {} -> {} ({reason:?})",
                "network",
                String::from_utf8_lossy(&packet.contents),
                packet.source,
                packet.destination
            ),
            TraceEvent::NatMapped {
                nat,
                internal,
                external,
                ..
            } => {
                format!("{:>10} maps  {internal} -> {external}", format!("nat{nat}"))
            }
            TraceEvent::Event { endpoint, event } => format!("{endpoint:>10} event {event}"),
            _ => continue,
        };
        println!("  {at:7.1} ms  {line}");
    }
}
