//! Every call of a PeerConnection runs inside its own `tracing` span (named `peer_connection`,
//! with the local ICE ufrag), so the lines a subscriber sees say which connection they are
//! about: two connections in memory, a subscriber that records which span each event came
//! from.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sansrtc::{ChannelConfig, Config, Event, PeerConnection};
use sansrtc_proto::SansIo;

mod common;

use common::{offer_answer, settle};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event as TraceEvent, Metadata, Subscriber};

#[expect(
    clippy::disallowed_methods,
    reason = "an arbitrary origin for virtual time"
)]
fn start() -> Instant {
    Instant::now()
}

/// What the subscriber saw: for each event, the ufrag of the span it was in and its message.
#[derive(Default)]
struct Seen {
    spans: Vec<String>,
    stack: Vec<u64>,
    events: Vec<(Option<String>, String)>,
}

struct Recorder(Arc<Mutex<Seen>>);

struct Text<'a>(&'a mut String, &'static str);

impl Visit for Text<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == self.1 {
            *self.0 = format!("{value:?}");
        }
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let mut ufrag = String::new();
        attributes.record(&mut Text(&mut ufrag, "ufrag"));
        let mut seen = self.0.lock().unwrap();
        seen.spans.push(ufrag);
        Id::from_u64(seen.spans.len() as u64)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &TraceEvent<'_>) {
        let mut message = String::new();
        event.record(&mut Text(&mut message, "message"));
        let mut seen = self.0.lock().unwrap();
        let span = seen
            .stack
            .last()
            .map(|&id| seen.spans[id as usize - 1].clone());
        seen.events.push((span, message));
    }
    fn enter(&self, id: &Id) {
        self.0.lock().unwrap().stack.push(id.into_u64());
    }
    fn exit(&self, _: &Id) {
        self.0.lock().unwrap().stack.pop();
    }
}

#[test]
fn each_connection_logs_inside_its_own_span() {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let subscriber = Recorder(Arc::clone(&seen));
    let (a_ufrag, b_ufrag) = tracing::subscriber::with_default(subscriber, || {
        let t0 = start();
        let a_addr: SocketAddr = "10.0.0.1:5000".parse().unwrap();
        let b_addr: SocketAddr = "10.0.0.2:5000".parse().unwrap();
        let config = |seed: u64| Config {
            rng_seed: Some(sansrtc_proto::rng::seed_from_u64(seed)),
            ..Config::default()
        };
        let mut a = PeerConnection::new(config(1), t0).unwrap();
        let mut b = PeerConnection::new(config(2), t0).unwrap();
        a.add_local_addresses(t0, &[a_addr]);
        b.add_local_addresses(t0, &[b_addr]);
        let channel = a.create_data_channel(t0, ChannelConfig::default());
        offer_answer(t0, &mut a, &mut b);
        let mut buf = Vec::new();
        let mut now = t0;
        let mut open = false;
        while !open {
            settle(now, &mut a, &mut b, &mut buf);
            open |= std::iter::from_fn(|| a.poll_event()).any(|e| e == Event::ChannelOpen(channel));
            while b.poll_event().is_some() {}
            now += Duration::from_millis(1);
            a.handle_timeout(now);
            b.handle_timeout(now);
            assert!(now < t0 + Duration::from_secs(10));
        }
        (
            a.local_parameters().ice.ufrag,
            b.local_parameters().ice.ufrag,
        )
    });
    let seen = seen.lock().unwrap();
    for ufrag in [&a_ufrag, &b_ufrag] {
        let dtls = seen
            .events
            .iter()
            .filter(|(span, message)| {
                span.as_deref() == Some(ufrag.as_str()) && message == "dtls connected"
            })
            .count();
        assert_eq!(dtls, 1, "{ufrag}: {:?}", seen.events);
    }
    assert!(
        seen.events
            .iter()
            .filter(|(_, m)| m == "connection state")
            .all(|(span, _)| span.is_some()),
        "every line is inside a connection's span"
    );
}
