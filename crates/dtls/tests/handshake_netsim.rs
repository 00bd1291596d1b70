//! The handshake on the simulated network: a 200-seed sweep under 30% loss with reordering
//! and duplication, and at an IP MTU of 576 bytes; retransmission follows RFC 6347 §4.2.4.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sansrtc_dtls::endpoint::{Config, Endpoint, Event, Role};
use sansrtc_dtls::identity::Identity;
use sansrtc_dtls::timer::TimerConfig;
use sansrtc_netsim::{LinkConfig, Sim};

#[expect(
    clippy::disallowed_methods,
    reason = "tests pick one real Instant as the epoch of virtual time"
)]
fn epoch() -> Instant {
    Instant::now()
}

const CLIENT: &str = "192.0.2.1:5000";
const SERVER: &str = "192.0.2.2:6000";

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

struct Outcome {
    connected: bool,
    keys_match: bool,
    elapsed: Duration,
}

fn handshake(
    seed: u64,
    link: LinkConfig,
    dtls_mtu: usize,
    ids: &(Arc<Identity>, Arc<Identity>),
) -> Outcome {
    let t0 = epoch();
    let mut sim = Sim::new(t0, seed);
    let internet = sim.internet();
    // The impairments sit on the client's access link (both directions), so each direction of
    // the path loses `link.loss` of its datagrams; the server's link is ideal but for its MTU.
    let mut server_link = LinkConfig::ideal();
    server_link.mtu = link.mtu;
    let client_host = sim.add_host_with_link(internet, &[sa(CLIENT).ip()], link);
    let server_host = sim.add_host_with_link(internet, &[sa(SERVER).ip()], server_link);
    let timer = TimerConfig {
        handshake_timeout: Duration::from_secs(600),
        ..TimerConfig::default()
    };
    let (client_id, server_id) = ids;
    let mut client_config = Config::new(
        Role::Client,
        client_id.clone(),
        vec![server_id.fingerprint()],
    );
    client_config.mtu = dtls_mtu;
    client_config.timer = timer;
    client_config.rng_seed = Some(sansrtc_proto::rng::seed_from_u64(seed));
    let mut server_config = Config::new(
        Role::Server,
        server_id.clone(),
        vec![client_id.fingerprint()],
    );
    server_config.mtu = dtls_mtu;
    server_config.timer = timer;
    server_config.rng_seed = Some(sansrtc_proto::rng::seed_from_u64(seed ^ 0xff));
    let server = sim.add_endpoint(
        "server",
        server_host,
        &[sa(SERVER)],
        Endpoint::new(server_config, t0, sa(SERVER), sa(CLIENT)).unwrap(),
    );
    let client = sim.add_endpoint(
        "client",
        client_host,
        &[sa(CLIENT)],
        Endpoint::new(client_config, t0, sa(CLIENT), sa(SERVER)).unwrap(),
    );
    let both =
        |sim: &mut Sim| sim.endpoint(client).is_connected() && sim.endpoint(server).is_connected();
    let _ = sim.run_until(Duration::from_secs(600), both);
    let connected = both(&mut sim);
    let (mut a, mut b) = ([0u8; 60], [0u8; 60]);
    let keys_match = connected
        && sim
            .endpoint(client)
            .export_keying_material(b"EXTRACTOR-dtls_srtp", None, &mut a)
            .is_ok()
        && sim
            .endpoint(server)
            .export_keying_material(b"EXTRACTOR-dtls_srtp", None, &mut b)
            .is_ok()
        && a == b;
    let failed = sim
        .events(client)
        .iter()
        .chain(sim.events(server))
        .any(|e| matches!(e, Event::Failed(_)));
    assert!(
        !failed,
        "seed {seed}: client {:?} {:?} server {:?} {:?}",
        sim.endpoint(client),
        sim.events(client),
        sim.endpoint(server),
        sim.events(server)
    );
    Outcome {
        connected,
        keys_match,
        elapsed: sim.elapsed(),
    }
}

/// 30% loss each way, 10% reordering (plus jitter that reorders), 5% duplication.
fn lossy_link() -> LinkConfig {
    let mut link = LinkConfig::default();
    link.delay = Duration::from_millis(20);
    link.jitter = Duration::from_millis(10);
    link.jitter_reorders = true;
    link.loss = 0.30;
    link.duplicate = 0.05;
    link.reorder = 0.10;
    link.reorder_delay = Duration::from_millis(30);
    link
}

fn identities() -> (Arc<Identity>, Arc<Identity>) {
    (
        Arc::new(Identity::generate().unwrap()),
        Arc::new(Identity::generate().unwrap()),
    )
}

#[test]
fn completes_under_30_percent_loss_with_reordering_and_duplication_for_200_seeds() {
    let ids = identities();
    let link = lossy_link();
    let mut slowest = Duration::ZERO;
    for seed in 0..200 {
        let outcome = handshake(seed, link.clone(), 1200, &ids);
        assert!(outcome.connected, "seed {seed} did not connect");
        assert!(outcome.keys_match, "seed {seed}: exported keys differ");
        slowest = slowest.max(outcome.elapsed);
    }
    assert!(slowest < Duration::from_secs(600));
}

#[test]
fn completes_at_ip_mtu_576_with_fragmented_flights_under_the_same_impairments() {
    let ids = identities();
    let mut link = lossy_link();
    link.mtu = 576;
    for seed in 0..200 {
        // 576 bytes of IP minus 20 (IPv4) and 8 (UDP) headers.
        let outcome = handshake(seed, link.clone(), 548, &ids);
        assert!(outcome.connected && outcome.keys_match, "seed {seed}");
    }
}
