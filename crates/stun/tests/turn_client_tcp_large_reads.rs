//! A TURN client over TCP takes reads of any size (RFC 8656 §12.5 framing): the stream
//! decoder's limit bounds what waits unconsumed, not what one socket read may hold. A read of
//! more than `MAX_BUFFERED` bytes made of complete frames is delivered whole and the connection
//! stays open; a frame whose declared length no STUN message may have is still refused.

use sansrtc_proto::{Protocol, Receive, SansIo};
use sansrtc_stun::credentials::{PasswordPrep, long_term_key};
use sansrtc_stun::turn::{TurnClient, TurnConfig, TurnEvent, TurnTransport};
use sansrtc_stun::wire::{
    Attribute, ChannelNumber, Class, ErrorCode, Frame, MAX_BUFFERED, MessageBuilder, Method,
    StreamDecoder, TransactionId, error_code, password_algorithm, write_channel_data,
};
use sansrtc_stun::{Error, ParseErrorKind};
use std::net::SocketAddr;
use std::time::Instant;

const SERVER: &str = "198.51.100.1:3478";
const LOCAL: &str = "10.0.0.2:5000";
const RELAYED: &str = "198.51.100.1:49152";
const PEER: &str = "198.51.100.9:7000";
const REALM: &str = "example.org";

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

#[expect(
    clippy::disallowed_methods,
    reason = "a test needs one real Instant as its epoch"
)]
fn epoch() -> Instant {
    Instant::now()
}

struct Tcp {
    client: TurnClient,
    now: Instant,
    out: Vec<u8>,
    decoder: StreamDecoder,
    sent: Vec<(Method, TransactionId)>,
}

impl Tcp {
    fn receive(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.client.handle_receive(
            self.now,
            Receive {
                proto: Protocol::Tcp,
                source: sa(SERVER),
                destination: sa(LOCAL),
                contents: bytes,
            },
        )
    }

    fn pump(&mut self) {
        while let Some(t) = self.client.poll_transmit(self.now, &mut self.out) {
            self.decoder.push(&self.out[..t.size]).unwrap();
            while let Some(frame) = self.decoder.next_frame() {
                if let Ok(Frame::Stun(m)) = frame
                    && m.class() == Class::Request
                {
                    self.sent.push((m.method(), m.transaction_id()));
                }
            }
        }
    }

    fn events(&mut self) -> Vec<TurnEvent> {
        std::iter::from_fn(|| self.client.poll_event()).collect()
    }

    /// Answers the newest `method` request (signed unless it is the 401 challenge).
    fn answer(&mut self, class: Class, method: Method, attrs: &[Attribute<'_>], signed: bool) {
        let (_, tid) = *self.sent.iter().rev().find(|(m, _)| *m == method).unwrap();
        let key = long_term_key(
            "user",
            REALM,
            "pass",
            password_algorithm::MD5,
            PasswordPrep::OpaqueString,
        )
        .unwrap();
        let mut bytes = Vec::new();
        let mut b = MessageBuilder::new(&mut bytes, class, method, tid);
        for a in attrs {
            b.add(a).unwrap();
        }
        if signed {
            b.add_message_integrity(&key).unwrap();
        }
        b.add_fingerprint().unwrap();
        b.finish();
        self.receive(&bytes).unwrap();
        self.pump();
    }

    /// A TCP client with an allocation, a permission for PEER and a channel bound to it.
    fn relaying() -> (Self, ChannelNumber) {
        let now = epoch();
        let config = TurnConfig::new(sa(SERVER), sa(LOCAL), TurnTransport::Tcp, "user", "pass");
        let mut t = Self {
            client: TurnClient::new(config, now).unwrap(),
            now,
            out: Vec::new(),
            decoder: StreamDecoder::new(),
            sent: Vec::new(),
        };
        t.client.allocate(now).unwrap();
        t.pump();
        let challenge = [
            Attribute::ErrorCode(ErrorCode::new(error_code::UNAUTHENTICATED)),
            Attribute::Realm(REALM),
            Attribute::Nonce("nonce"),
        ];
        t.answer(Class::Error, Method::ALLOCATE, &challenge, false);
        let allocated = [
            Attribute::XorRelayedAddress(sa(RELAYED)),
            Attribute::Lifetime(600),
        ];
        t.answer(Class::Success, Method::ALLOCATE, &allocated, true);
        t.client.create_permission(now, sa(PEER).ip()).unwrap();
        t.pump();
        t.answer(Class::Success, Method::CREATE_PERMISSION, &[], true);
        let channel = t.client.bind_channel(now, sa(PEER)).unwrap();
        t.pump();
        t.answer(Class::Success, Method::CHANNEL_BIND, &[], true);
        let events = t.events();
        assert!(
            events
                .iter()
                .any(|e| matches!(e, TurnEvent::ChannelBound { .. })),
            "{events:?}"
        );
        (t, channel)
    }
}

fn data_indication(out: &mut Vec<u8>, i: u32, payload: &[u8]) {
    let mut id = [0u8; 12];
    id[..4].copy_from_slice(&i.to_be_bytes());
    let mut b = MessageBuilder::new(out, Class::Indication, Method::DATA, TransactionId(id));
    b.add(&Attribute::XorPeerAddress(sa(PEER))).unwrap();
    b.add(&Attribute::Data(payload)).unwrap();
    b.finish();
}

/// `count` frames alternating ChannelData (odd payload lengths, so padding is exercised) and
/// Data indications; returns the stream and the payloads in order.
fn frames(channel: ChannelNumber, count: u32) -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut stream = Vec::new();
    let mut payloads = Vec::new();
    for i in 0..count {
        let len = 997 + usize::try_from(i % 7).unwrap();
        let payload: Vec<u8> = (0..len).map(|k| (k as u8) ^ (i as u8)).collect();
        if i % 2 == 0 {
            write_channel_data(&mut stream, channel, &payload, true).unwrap();
        } else {
            data_indication(&mut stream, i, &payload);
        }
        payloads.push(payload);
    }
    (stream, payloads)
}

fn delivered(events: &[TurnEvent]) -> Vec<Vec<u8>> {
    events
        .iter()
        .filter_map(|e| match e {
            TurnEvent::Data { peer, data, .. } if *peer == sa(PEER) => Some(data.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_large_tcp_read_of_complete_frames_is_delivered_and_the_connection_stays_open() {
    let (mut t, channel) = Tcp::relaying();
    let (stream, payloads) = frames(channel, 146);
    assert!(
        stream.len() > MAX_BUFFERED && stream.len() < 160_000,
        "a ~150 KB read: {}",
        stream.len()
    );
    assert_eq!(t.receive(&stream), Ok(()));
    let events = t.events();
    assert!(!t.client.is_closed(), "{:?}", events.last());
    assert_eq!(delivered(&events), payloads);

    // Still open: the next frame arrives too.
    let (more, payloads) = frames(channel, 1);
    assert_eq!(t.receive(&more), Ok(()));
    assert_eq!(delivered(&t.events()), payloads);
}

#[test]
fn a_large_tcp_read_ending_mid_frame_keeps_the_partial_frame() {
    let (mut t, channel) = Tcp::relaying();
    let (stream, payloads) = frames(channel, 300);
    let cut = 2 * MAX_BUFFERED + 501;
    assert_eq!(t.receive(&stream[..cut]), Ok(()));
    let mut got = delivered(&t.events());
    assert!(got.len() < payloads.len());
    assert_eq!(t.receive(&stream[cut..]), Ok(()));
    got.extend(delivered(&t.events()));
    assert_eq!(got, payloads);
    assert!(!t.client.is_closed());
}

#[test]
fn an_oversize_frame_in_a_large_tcp_read_is_refused_alone() {
    let (mut t, channel) = Tcp::relaying();
    let (before, mut payloads) = frames(channel, 80);
    // A STUN header declaring 65,535 bytes of attributes: the largest length the field can
    // carry, and one no STUN message may have (not a multiple of 4, RFC 8489 §5).
    let mut oversize = vec![0x01, 0x17, 0xff, 0xff, 0x21, 0x12, 0xa4, 0x42];
    oversize.resize(20 + 65_535, 0);
    let (after, more) = frames(channel, 20);
    payloads.extend(more);
    let read = [before, oversize, after].concat();
    assert!(read.len() > MAX_BUFFERED);
    let result = t.receive(&read);
    assert!(
        matches!(result, Err(Error::Malformed(e)) if e.kind == ParseErrorKind::BadMessageLength),
        "{result:?}"
    );
    let events = t.events();
    assert!(!t.client.is_closed(), "{:?}", events.last());
    assert_eq!(delivered(&events), payloads, "the frames around it arrive");
}
