//! SCTP bulk transfer in memory: our `sansrtc_sctp::association::Association` against Google's
//! dcSCTP (`dcsctp` 0.1.16, Chrome's SCTP in Rust), both ends of each on one core, driven the
//! same way in the same run: packets moved in memory with no loss, no DTLS, 1200-byte packets,
//! virtual time advanced only when neither end has anything to send (a delayed-ack or
//! retransmission timer), every message drained from the receiver.
//!
//! - `sctp_bulk/<stack>/<window>`: 4 MiB (256 KiB in test mode) of 16 KiB messages on one
//!   ordered stream from a connected end to the other, queued at once and pumped until the
//!   receiver has every byte. The receive window (ours `Config::receive_window`, dcSCTP
//!   `max_receiver_window_buffer_size`) is 128 KiB or 1 MiB: a larger window must not be
//!   slower (no per-packet walk over what is in flight). Connection set-up is outside the
//!   timing. Throughput is user bytes. Both stacks send DATA with a CRC32c on every packet
//!   (ours with `interleaving` and `zero_checksum` off, dcSCTP's defaults), and the receiver
//!   gives each delivered buffer back (`Association::recycle`), as an application that
//!   reads into its own storage would.
//! - `sctp_bulk/sansrtc-defaults/<window>`: ours with its defaults over DTLS: I-DATA and zero
//!   checksums (RFC 9653) both ways, so no CRC32c at all; dcSCTP configured the same
//!   (interleaving on, zero checksum method DTLS) as `dcsctp-defaults`.
//! - `sctp_bulk/floor`: what any SCTP stack must do to the same bytes: copy them into 1200-byte
//!   packets, CRC32c each packet on sending and again on receiving (the `crc32c` crate), and
//!   copy them out into messages. The ratio to it is the protocol's cost.
//! - `sctp_setup/<stack>`: a full four-way handshake in memory, both ends constructed, until
//!   both report the association established.
//!
//! `cargo test --benches` runs each bench once in test mode; there the sizes are small.
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use dcsctp::api::{
    DcSctpSocket, Message as DcMessage, Options, PpId, SendOptions, SocketEvent, SocketTime,
    StreamId,
};
use sansrtc_proto::{Protocol, Receive, SansIo};
use sansrtc_sctp::association::{Association, Config, Event};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// User message size for the bulk transfer.
const MESSAGE: usize = 16 * 1024;
const MTU: usize = 1200;

#[expect(
    clippy::disallowed_methods,
    reason = "benches pick a real epoch for virtual time"
)]
fn epoch() -> Instant {
    Instant::now()
}

/// Criterion passes `--bench` when benchmarking; `cargo test --benches` does not (test mode,
/// each bench once): then the sizes are kept small.
fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn transfer_bytes() -> usize {
    if full_run() { 4 << 20 } else { 256 << 10 }
}

fn rx(contents: &[u8]) -> Receive<'_> {
    let addr = "127.0.0.1:5000".parse().unwrap();
    Receive {
        proto: Protocol::Udp,
        source: addr,
        destination: addr,
        contents,
    }
}

// ---- ours ----

struct Ours {
    a: Association,
    b: Association,
    now: Instant,
    buf: Vec<u8>,
}

impl Ours {
    /// A pair sending DATA with CRC32c (`dtls_defaults` false) or with our defaults (I-DATA,
    /// zero checksums).
    fn new(window: usize, dtls_defaults: bool) -> Self {
        let now = epoch();
        let config = |seed: u64| Config {
            rng_seed: Some(sansrtc_proto::rng::seed_from_u64(seed)),
            mtu: MTU,
            receive_window: window,
            max_message_size: 1 << 20,
            interleaving: dtls_defaults,
            zero_checksum: dtls_defaults,
            ..Config::default()
        };
        Self {
            a: Association::new(config(1), now),
            b: Association::new(config(2), now),
            now,
            buf: Vec::with_capacity(2048),
        }
    }

    /// Moves packets both ways until neither end has one.
    fn exchange(&mut self) -> bool {
        let mut moved = false;
        loop {
            let mut round = false;
            while let Some(t) = self.a.poll_transmit(self.now, &mut self.buf) {
                round = true;
                let _ = self.b.handle_receive(self.now, rx(&self.buf[..t.size]));
            }
            while let Some(t) = self.b.poll_transmit(self.now, &mut self.buf) {
                round = true;
                let _ = self.a.handle_receive(self.now, rx(&self.buf[..t.size]));
            }
            if !round {
                return moved;
            }
            moved = true;
        }
    }

    fn advance(&mut self) {
        let next = [self.a.poll_timeout(), self.b.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
            .expect("a timer runs while data is outstanding");
        self.now = self.now.max(next);
        self.a.handle_timeout(self.now);
        self.b.handle_timeout(self.now);
    }

    fn connect(window: usize, dtls_defaults: bool) -> Self {
        let mut o = Self::new(window, dtls_defaults);
        o.a.connect(o.now);
        while !(o.a.is_established() && o.b.is_established()) {
            if !o.exchange() {
                o.advance();
            }
        }
        while o.a.poll_event().is_some() {}
        while o.b.poll_event().is_some() {}
        o
    }

    /// Sends `total` bytes a → b and returns the bytes b delivered.
    fn transfer(&mut self, total: usize, message: &[u8]) -> usize {
        for _ in 0..total / message.len() {
            self.a.send(1, 53, false, message.to_vec()).unwrap();
        }
        let mut got = 0;
        while got < total {
            if !self.exchange() {
                self.advance();
            }
            while let Some(event) = self.b.poll_event() {
                if let Event::Message(m) = event {
                    got += m.data.len();
                    self.b.recycle(m.data);
                }
            }
        }
        got
    }
}

// ---- dcSCTP ----

struct Theirs {
    a: Box<dyn DcSctpSocket>,
    b: Box<dyn DcSctpSocket>,
    now: SocketTime,
    connected: (bool, bool),
}

impl Theirs {
    /// dcSCTP with its defaults, or (`dtls_defaults`) with interleaving and zero checksums.
    fn new(window: usize, dtls_defaults: bool) -> Self {
        let options = Options {
            mtu: MTU,
            max_receiver_window_buffer_size: window,
            max_message_size: 1 << 20,
            max_send_buffer_size: 64 << 20,
            per_stream_send_queue_limit: 64 << 20,
            enable_message_interleaving: dtls_defaults,
            zero_checksum_alternate_error_detection_method:
                dcsctp::api::ZeroChecksumAlternateErrorDetectionMethod(u32::from(dtls_defaults)),
            ..Options::default()
        };
        Self {
            a: dcsctp::new_socket("a", &options),
            b: dcsctp::new_socket("b", &options),
            now: SocketTime::zero(),
            connected: (false, false),
        }
    }

    fn exchange(&mut self, mut delivered: impl FnMut(DcMessage)) -> bool {
        let mut moved = false;
        loop {
            let mut round = false;
            while let Some(event) = self.a.poll_event() {
                match event {
                    SocketEvent::SendPacket(p) => {
                        round = true;
                        self.b.handle_input(&p);
                    }
                    SocketEvent::OnConnected() => self.connected.0 = true,
                    _ => {}
                }
            }
            while let Some(event) = self.b.poll_event() {
                match event {
                    SocketEvent::SendPacket(p) => {
                        round = true;
                        self.a.handle_input(&p);
                    }
                    SocketEvent::OnConnected() => self.connected.1 = true,
                    _ => {}
                }
            }
            while let Some(m) = self.b.get_next_message() {
                delivered(m);
            }
            if !round {
                return moved;
            }
            moved = true;
        }
    }

    fn advance(&mut self) {
        let next = self.a.poll_timeout().min(self.b.poll_timeout());
        assert!(next != SocketTime::infinite_future(), "a timer runs");
        // An overdue timer is reported as "now": step at least a microsecond then.
        self.now = if next > self.now {
            next
        } else {
            self.now + Duration::from_micros(1)
        };
        self.a.advance_time(self.now);
        self.b.advance_time(self.now);
    }

    fn connect(window: usize, dtls_defaults: bool) -> Self {
        let mut t = Self::new(window, dtls_defaults);
        t.a.connect();
        while t.connected != (true, true) {
            if !t.exchange(|_| {}) {
                t.advance();
            }
        }
        t
    }

    fn transfer(&mut self, total: usize, message: &[u8]) -> usize {
        for _ in 0..total / message.len() {
            self.a
                .send(
                    DcMessage::new(StreamId(1), PpId(53), message.to_vec()),
                    &SendOptions::default(),
                )
                .unwrap();
        }
        let mut got = 0;
        while got < total {
            if !self.exchange(|m| got += m.payload.len()) {
                self.advance();
            }
        }
        got
    }
}

// ---- the floor ----

/// Copies `total` bytes into 1200-byte packets, CRC32c on both sides, copies them out.
fn floor(total: usize, message: &[u8], packet: &mut [u8; MTU], out: &mut Vec<u8>) -> u32 {
    let payload = MTU - 12 - 16;
    let mut crc = 0;
    for _ in 0..total / message.len() {
        out.clear();
        for piece in message.chunks(payload) {
            packet[28..28 + piece.len()].copy_from_slice(piece);
            let sent = crc32c::crc32c(&packet[..28 + piece.len()]);
            let verified = crc32c::crc32c(&packet[..28 + piece.len()]);
            crc ^= sent ^ verified.rotate_left(1);
            out.extend_from_slice(&packet[28..28 + piece.len()]);
        }
        black_box(&out);
    }
    crc
}

fn bulk(c: &mut Criterion) {
    let total = transfer_bytes();
    let message = vec![0x5a; MESSAGE];
    let mut group = c.benchmark_group("sctp_bulk");
    group.throughput(Throughput::Bytes(total as u64));
    group.sample_size(10);
    let runs = [
        (128 << 10, "128KiB", false),
        (1 << 20, "1MiB", false),
        (1 << 20, "1MiB", true),
    ];
    for (window, name, dtls_defaults) in runs {
        let (ours, theirs) = if dtls_defaults {
            ("sansrtc-defaults", "dcsctp-defaults")
        } else {
            ("sansrtc", "dcsctp")
        };
        group.bench_function(BenchmarkId::new(ours, name), |b| {
            b.iter_batched(
                || Ours::connect(window, dtls_defaults),
                |mut o| assert_eq!(o.transfer(total, &message), total),
                BatchSize::PerIteration,
            );
        });
        group.bench_function(BenchmarkId::new(theirs, name), |b| {
            b.iter_batched(
                || Theirs::connect(window, dtls_defaults),
                |mut t| assert_eq!(t.transfer(total, &message), total),
                BatchSize::PerIteration,
            );
        });
    }
    let mut packet = [0u8; MTU];
    let mut out = Vec::with_capacity(MESSAGE);
    group.bench_function("floor", |b| {
        b.iter(|| black_box(floor(total, &message, &mut packet, &mut out)));
    });
    group.finish();
}

fn setup(c: &mut Criterion) {
    let mut group = c.benchmark_group("sctp_setup");
    group.bench_function("sansrtc", |b| {
        b.iter(|| black_box(Ours::connect(1 << 20, true)));
    });
    group.bench_function("dcsctp", |b| {
        b.iter(|| black_box(Theirs::connect(1 << 20, true)));
    });
    group.finish();
}

criterion_group!(benches, bulk, setup);
criterion_main!(benches);
