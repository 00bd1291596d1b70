//! Fuzz the DTLS handshake codec and reassembler: the input is the fragment of one handshake
//! record. Arbitrary bytes never panic the fragment iterator, any message view or accessor,
//! the extension block and body parsers, the Reprs, the Fragmenter or the Reassembler.
//!
//! Oracles: every fragment re-emits to exactly the bytes it was read from; every body that
//! parses as some message type (each type is tried, whatever the header says) re-emits
//! through its Repr byte for byte, and the unfragmented message parses back to an equal
//! Repr; the reassembler's buffers stay within `max_buffered_bytes`, it only delivers
//! complete messages in message_seq order, and a delivered message cut by the Fragmenter
//! at an input-chosen size reassembles to the same bytes.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use sansrtc_dtls::reassembly::Reassembler;
use sansrtc_dtls::wire::HandshakeType;
use sansrtc_dtls::wire::handshake::{
    ExtensionRepr, Extensions, Fragmenter, HANDSHAKE_HEADER_LEN, Handshake, HandshakeFragment,
    HandshakeRepr,
};

/// A checksum of everything read, so nothing is optimised away.
struct Acc(u64);

impl Acc {
    fn add(&mut self, value: u64) {
        self.0 = self.0.wrapping_mul(31).wrapping_add(value);
    }
}

fn touch_extensions(block: Extensions<'_>, acc: &mut Acc) {
    acc.add(block.as_bytes().len() as u64);
    let _ = block
        .supported_groups()
        .map(|g| g.map(|g| g.for_each(|g| acc.add(g.0.into()))));
    let _ = block
        .signature_algorithms()
        .map(|s| s.map(|s| s.for_each(|s| acc.add(s.0.into()))));
    if let Ok(Some(srtp)) = block.use_srtp() {
        srtp.profiles.for_each(|p| acc.add(p.0.into()));
        acc.add(srtp.mki.len() as u64);
    }
    acc.add(u64::from(block.extended_master_secret().unwrap_or(false)));
    acc.add(
        block
            .renegotiation_info()
            .map_or(0, |r| r.map_or(1, <[u8]>::len)) as u64,
    );
    for extension in block {
        acc.add(u64::from(extension.extension_type.0) ^ extension.offset as u64);
        if let Ok(repr) = ExtensionRepr::parse(&extension) {
            let mut out = vec![0; repr.buffer_len()];
            assert_eq!(repr.emit(&mut out), Ok(out.len()));
            assert_eq!(
                out[4..],
                *extension.data,
                "extension bodies re-emit byte for byte"
            );
        }
    }
}

fn touch(view: &Handshake<'_>, acc: &mut Acc) {
    match view {
        Handshake::ClientHello(h) => {
            acc.add(u64::from(h.client_version().0) ^ u64::from(h.random()[0]));
            acc.add(
                (h.session_id().len() ^ h.cookie().len() ^ h.compression_methods().len()) as u64,
            );
            h.cipher_suites().for_each(|s| acc.add(s.0.into()));
            acc.add(u64::from(h.has_extension_block()));
            touch_extensions(h.extensions(), acc);
        }
        Handshake::ServerHello(h) => {
            acc.add(u64::from(h.server_version().0) ^ u64::from(h.cipher_suite().0));
            acc.add(u64::from(h.compression_method()) ^ h.session_id().len() as u64);
            acc.add(u64::from(h.random()[31]) ^ u64::from(h.has_extension_block()));
            touch_extensions(h.extensions(), acc);
        }
        Handshake::HelloVerifyRequest(h) => {
            acc.add(u64::from(h.server_version().0) ^ h.cookie().len() as u64);
        }
        Handshake::Certificate(c) => {
            acc.add(u64::from(c.is_empty()));
            c.certificates().for_each(|der| acc.add(der.len() as u64));
        }
        Handshake::ServerKeyExchange(s) => {
            acc.add(u64::from(s.named_group().0) ^ u64::from(s.signature_scheme().0));
            acc.add((s.public_key().len() ^ s.signature().len() ^ s.params().len()) as u64);
            assert_eq!(s.params().len(), 4 + s.public_key().len());
        }
        Handshake::CertificateRequest(r) => {
            acc.add(r.certificate_types().len() as u64);
            r.signature_algorithms().for_each(|s| acc.add(s.0.into()));
            r.certificate_authorities()
                .for_each(|dn| acc.add(dn.len() as u64));
        }
        Handshake::CertificateVerify(v) => {
            acc.add(u64::from(v.signature_scheme().0) ^ v.signature().len() as u64);
        }
        Handshake::ClientKeyExchange(k) => acc.add(k.public_key().len() as u64),
        Handshake::Finished(f) => acc.add(f.verify_data().len() as u64),
        Handshake::HelloRequest | Handshake::ServerHelloDone(_) => acc.add(1),
        Handshake::Unknown { msg_type, body } => acc.add(u64::from(msg_type.0) ^ body.len() as u64),
        _ => acc.add(2),
    }
}

/// Parses `body` as `msg_type`; when it parses, checks the Repr re-emits it byte for byte
/// and the unfragmented message parses back to an equal Repr.
fn check_body(msg_type: HandshakeType, body: &[u8], acc: &mut Acc) {
    let Ok(view) = Handshake::parse(msg_type, body) else {
        return;
    };
    assert_eq!(view.msg_type(), msg_type);
    touch(&view, acc);
    let Ok(repr) = HandshakeRepr::parse(&view) else {
        return;
    };
    assert_eq!(repr.body_len(), body.len());
    let mut out = vec![0; repr.buffer_len()];
    assert_eq!(repr.emit(0x1234, &mut out), Ok(out.len()));
    assert_eq!(
        out[HANDSHAKE_HEADER_LEN..],
        *body,
        "bodies re-emit byte for byte"
    );
    let (header, again) = Handshake::parse_message(&out).expect("emitted message parses");
    assert!(header.is_unfragmented() && header.message_seq == 0x1234);
    assert_eq!(
        HandshakeRepr::parse(&again).expect("emitted Repr parses"),
        repr
    );
}

const TYPES: [u8; 12] = [0, 1, 2, 3, 11, 12, 13, 14, 15, 16, 20, 77];

fuzz_target!(|data: &[u8]| {
    let mut acc = Acc(0);
    let mut reassembler = Reassembler::new()
        .with_max_message_len(16 * 1024)
        .with_max_future_messages(4);
    let mut consumed = 0;
    let mut delivered_seq = None::<u16>;
    for item in HandshakeFragment::iter(data) {
        let Ok(fragment) = item else { break };
        // The fragment is exactly the bytes it was read from.
        let mut out = vec![0; fragment.len()];
        assert_eq!(fragment.emit(&mut out), Ok(fragment.len()));
        assert_eq!(out[..], data[consumed..consumed + fragment.len()]);
        consumed += fragment.len();

        if fragment.is_unfragmented() {
            check_body(fragment.header.msg_type, fragment.body, &mut acc);
        }
        for t in TYPES {
            check_body(HandshakeType(t), fragment.body, &mut acc);
        }

        let retransmission = reassembler.is_retransmission(&fragment.header);
        if let Ok(status) = reassembler.insert(&fragment) {
            acc.add(status as u64 ^ u64::from(retransmission));
        }
        assert!(reassembler.buffered_bytes() <= reassembler.max_buffered_bytes());
        assert!(reassembler.buffered_messages() <= 5);
        while let Some(message) = reassembler.pop() {
            let header = message.header();
            assert!(header.is_unfragmented());
            assert_eq!(message.body().len(), header.length as usize);
            assert!(delivered_seq.is_none_or(|s| header.message_seq == s.wrapping_add(1)));
            delivered_seq = Some(header.message_seq);
            check_body(message.msg_type(), message.body(), &mut acc);
            // Cut it up again and put it back together.
            let size = usize::from(data.first().copied().unwrap_or(1)) + 1;
            let mut again = Reassembler::new().with_max_message_len(16 * 1024);
            again.set_next_message_seq(header.message_seq);
            let pieces = Fragmenter::new(header.msg_type, header.message_seq, message.body(), size)
                .expect("a delivered message fits 24 bits");
            for piece in pieces.rev_order() {
                again.insert(&piece).expect("consistent pieces");
            }
            assert_eq!(
                again.pop().expect("complete").as_bytes(),
                message.as_bytes()
            );
        }
    }
    if let Ok(block) = Extensions::new_checked(data) {
        touch_extensions(block, &mut acc);
    }
    std::hint::black_box(acc.0);
});

/// Delivers the pieces last first, so reassembly sees them out of order.
trait RevOrder: Iterator + Sized {
    fn rev_order(self) -> std::iter::Rev<std::vec::IntoIter<Self::Item>> {
        self.collect::<Vec<_>>().into_iter().rev()
    }
}

impl<I: Iterator> RevOrder for I {}
