//! Handshake reassembly (RFC 6347 §4.2.2–4.2.3): messages come out whole and in message_seq
//! order whatever the fragments' order, overlap or duplication; delivered messages are
//! reported as retransmissions; inconsistent or oversized messages are refused without
//! disturbing what is buffered; memory stays within the configured bound.

use sansrtc_dtls::Error;
use sansrtc_dtls::reassembly::{
    DEFAULT_MAX_FUTURE_MESSAGES, DEFAULT_MAX_MESSAGE_LEN, FragmentStatus, Reassembler,
};
use sansrtc_dtls::wire::handshake::{Fragmenter, Handshake, HandshakeFragment, HandshakeHeader};
use sansrtc_dtls::wire::{AlertDescription, ContentType, HandshakeType, Record};
use serde_json::Value;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn json(name: &str) -> Value {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The real server flight as `(msg_type, message_seq, body)`.
fn server_flight() -> Vec<(HandshakeType, u16, Vec<u8>)> {
    let v = json("chrome-156-dtls12-handshake-datagrams.json");
    let datagram = hex(v["datagrams"][2]["datagram_hex"].as_str().unwrap());
    Record::iter(&datagram)
        .map(Result::unwrap)
        .filter(|r| r.header.content_type == ContentType::HANDSHAKE)
        .flat_map(|r| HandshakeFragment::iter(r.fragment).map(Result::unwrap))
        .map(|f| (f.header.msg_type, f.header.message_seq, f.body.to_vec()))
        .collect()
}

fn pieces(
    msg_type: HandshakeType,
    seq: u16,
    body: &[u8],
    max: usize,
) -> Vec<HandshakeFragment<'_>> {
    Fragmenter::new(msg_type, seq, body, max).unwrap().collect()
}

fn drain(reassembler: &mut Reassembler) -> Vec<(u16, Vec<u8>)> {
    std::iter::from_fn(|| reassembler.pop())
        .map(|m| (m.message_seq(), m.body().to_vec()))
        .collect()
}

#[test]
fn chrome_client_hello_reassembles_from_its_two_datagrams_in_either_order() {
    let v = json("chrome-156-clienthello-dtls12-session.json");
    let expected = hex(v["unfragmented_handshake_message_hex"].as_str().unwrap());
    let datagrams: Vec<Vec<u8>> = v["datagrams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| hex(d["datagram_hex"].as_str().unwrap()))
        .collect();
    for order in [[0, 1], [1, 0]] {
        let mut reassembler = Reassembler::new();
        for &i in &order {
            let record = Record::iter(&datagrams[i]).next().unwrap().unwrap();
            for fragment in HandshakeFragment::iter(record.fragment) {
                assert_eq!(
                    reassembler.insert(&fragment.unwrap()),
                    Ok(FragmentStatus::Stored)
                );
            }
            assert_eq!(reassembler.has_message(), i == order[1]);
        }
        let message = reassembler.pop().unwrap();
        assert_eq!(message.as_bytes(), expected);
        assert!(matches!(message.parse(), Ok(Handshake::ClientHello(_))));
        assert_eq!(reassembler.buffered_bytes(), 0);
    }
}

#[test]
fn future_messages_wait_until_the_gap_fills() {
    let flight = server_flight();
    let mut reassembler = Reassembler::new();
    for (msg_type, seq, body) in flight.iter().rev() {
        for fragment in pieces(*msg_type, *seq, body, 50) {
            reassembler.insert(&fragment).unwrap();
        }
        if *seq != 0 {
            assert!(reassembler.pop().is_none(), "message 0 is still missing");
        }
    }
    let delivered = drain(&mut reassembler);
    let expected: Vec<_> = flight
        .iter()
        .map(|(_, seq, body)| (*seq, body.clone()))
        .collect();
    assert_eq!(delivered, expected);
    assert_eq!(reassembler.next_message_seq(), 5);
    assert_eq!(reassembler.buffered_messages(), 0);
}

#[test]
fn overlapping_duplicated_and_refragmented_pieces_give_the_same_message() {
    let flight = server_flight();
    let (msg_type, seq, body) = &flight[1]; // the Certificate, 332 bytes
    let mut reassembler = Reassembler::new().with_max_future_messages(4);
    reassembler.set_next_message_seq(*seq);
    let first = pieces(*msg_type, *seq, body, 100);
    let second = pieces(*msg_type, *seq, body, 37);
    // The first cut loses its last piece; the retransmission is cut smaller and arrives
    // interleaved, with a duplicate.
    let mut statuses = Vec::new();
    for (i, fragment) in second.iter().enumerate() {
        if let Some(f) = first.get(i).filter(|_| i < first.len() - 1) {
            statuses.push(reassembler.insert(f).unwrap());
        }
        statuses.push(reassembler.insert(fragment).unwrap());
        statuses.push(reassembler.insert(fragment).unwrap());
    }
    assert!(statuses.contains(&FragmentStatus::NothingNew));
    let message = reassembler.pop().unwrap();
    assert_eq!(message.body(), &body[..]);
    assert_eq!(
        message.header(),
        HandshakeHeader::unfragmented(*msg_type, *seq, body.len() as u32)
    );
}

#[test]
fn delivered_messages_are_reported_as_retransmissions() {
    let flight = server_flight();
    let mut reassembler = Reassembler::new();
    for (msg_type, seq, body) in &flight {
        let fragment = HandshakeFragment::unfragmented(*msg_type, *seq, body).unwrap();
        assert_eq!(reassembler.insert(&fragment), Ok(FragmentStatus::Stored));
    }
    assert_eq!(drain(&mut reassembler).len(), 5);
    for (msg_type, seq, body) in &flight {
        let fragment = HandshakeFragment::unfragmented(*msg_type, *seq, body).unwrap();
        assert!(reassembler.is_retransmission(&fragment.header));
        assert_eq!(
            reassembler.insert(&fragment),
            Ok(FragmentStatus::Retransmission)
        );
    }
    assert_eq!(reassembler.buffered_messages(), 0);
    assert!(reassembler.pop().is_none());
}

#[test]
fn a_different_length_or_type_for_the_same_message_seq_is_refused_and_the_buffer_kept() {
    let body = [5u8; 40];
    let mut reassembler = Reassembler::new();
    let good = pieces(HandshakeType::CERTIFICATE, 0, &body, 16);
    reassembler.insert(&good[0]).unwrap();
    let buffered = reassembler.buffered_bytes();

    let longer = [5u8; 41];
    let bad_length = pieces(HandshakeType::CERTIFICATE, 0, &longer, 16);
    let bad_type = pieces(HandshakeType::SERVER_KEY_EXCHANGE, 0, &body, 16);
    for bad in [&bad_length[1], &bad_type[1]] {
        assert_eq!(
            reassembler.insert(bad),
            Err(Error::Protocol(AlertDescription::ILLEGAL_PARAMETER))
        );
        assert_eq!(reassembler.buffered_bytes(), buffered);
    }
    for fragment in &good[1..] {
        reassembler.insert(fragment).unwrap();
    }
    assert_eq!(reassembler.pop().unwrap().body(), body);
}

#[test]
fn a_message_over_the_limit_is_refused_and_nothing_is_buffered() {
    let mut reassembler = Reassembler::new().with_max_message_len(1000);
    let header = HandshakeHeader {
        msg_type: HandshakeType::CERTIFICATE,
        length: 1001,
        message_seq: 0,
        fragment_offset: 0,
        fragment_length: 1,
    };
    let fragment = HandshakeFragment {
        header,
        body: &[0x30],
    };
    assert_eq!(
        reassembler.insert(&fragment),
        Err(Error::Protocol(AlertDescription::ILLEGAL_PARAMETER))
    );
    assert_eq!(reassembler.buffered_bytes(), 0);
    // The largest 24-bit length against the default limit.
    let header = HandshakeHeader {
        length: (1 << 24) - 1,
        ..header
    };
    let mut reassembler = Reassembler::new();
    assert!(
        reassembler
            .insert(&HandshakeFragment {
                header,
                body: &[0x30]
            })
            .is_err()
    );
    assert_eq!(reassembler.buffered_messages(), 0);
    assert_eq!(reassembler.max_message_len(), DEFAULT_MAX_MESSAGE_LEN);
}

#[test]
fn messages_beyond_the_window_are_dropped_and_memory_stays_bounded() {
    let mut reassembler = Reassembler::new();
    let window = DEFAULT_MAX_FUTURE_MESSAGES;
    // A flood of first fragments of maximum-size messages at every message_seq.
    for seq in 0..=u16::MAX {
        let header = HandshakeHeader {
            msg_type: HandshakeType::CERTIFICATE,
            length: DEFAULT_MAX_MESSAGE_LEN as u32,
            message_seq: seq,
            fragment_offset: 7,
            fragment_length: 1,
        };
        let status = reassembler
            .insert(&HandshakeFragment { header, body: &[1] })
            .unwrap();
        let expected = if seq <= window {
            FragmentStatus::Stored
        } else {
            FragmentStatus::TooFarAhead
        };
        assert_eq!(status, expected, "seq {seq}");
    }
    assert_eq!(reassembler.buffered_messages(), usize::from(window) + 1);
    assert!(reassembler.buffered_bytes() <= reassembler.max_buffered_bytes());
    assert!(reassembler.max_buffered_bytes() < 700 * 1024);
}

#[test]
fn an_empty_message_completes_with_its_only_fragment() {
    let mut reassembler = Reassembler::new();
    let done = HandshakeFragment::unfragmented(HandshakeType::SERVER_HELLO_DONE, 0, &[]).unwrap();
    assert_eq!(reassembler.insert(&done), Ok(FragmentStatus::Stored));
    assert_eq!(reassembler.insert(&done), Ok(FragmentStatus::NothingNew));
    let message = reassembler.pop().unwrap();
    assert_eq!(message.as_bytes(), [14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert!(matches!(message.parse(), Ok(Handshake::ServerHelloDone(_))));
}

#[test]
fn an_empty_fragment_of_a_non_empty_message_allocates_nothing() {
    let mut reassembler = Reassembler::new();
    let header = HandshakeHeader {
        msg_type: HandshakeType::CERTIFICATE,
        length: 500,
        message_seq: 0,
        fragment_offset: 200,
        fragment_length: 0,
    };
    assert_eq!(
        reassembler.insert(&HandshakeFragment { header, body: &[] }),
        Ok(FragmentStatus::NothingNew)
    );
    assert_eq!(reassembler.buffered_messages(), 0);
}

#[test]
fn a_complete_message_ignores_later_fragments_until_popped() {
    let mut reassembler = Reassembler::new();
    let body = [1u8, 2, 3, 4];
    reassembler
        .insert(&HandshakeFragment::unfragmented(HandshakeType::FINISHED, 0, &body).unwrap())
        .unwrap();
    let other = [9u8, 9, 9, 9];
    let late = HandshakeFragment::unfragmented(HandshakeType::FINISHED, 0, &other).unwrap();
    assert_eq!(reassembler.insert(&late), Ok(FragmentStatus::NothingNew));
    assert_eq!(reassembler.pop().unwrap().body(), body);
}

#[test]
fn a_fragment_inconsistent_in_itself_is_malformed() {
    let mut reassembler = Reassembler::new();
    let header = HandshakeHeader::unfragmented(HandshakeType::FINISHED, 0, 12);
    assert!(matches!(
        reassembler.insert(&HandshakeFragment {
            header,
            body: &[0; 11]
        }),
        Err(Error::Malformed { .. })
    ));
    let header = HandshakeHeader {
        fragment_offset: 10,
        fragment_length: 3,
        ..header
    };
    assert!(matches!(
        reassembler.insert(&HandshakeFragment {
            header,
            body: &[0; 3]
        }),
        Err(Error::Malformed { .. })
    ));
    assert_eq!(reassembler.buffered_messages(), 0);
}

#[test]
fn a_server_after_hello_verify_request_starts_from_the_second_client_hello() {
    let mut reassembler = Reassembler::new();
    let old = HandshakeFragment::unfragmented(HandshakeType::CLIENT_HELLO, 0, &[1]).unwrap();
    let future = HandshakeFragment::unfragmented(HandshakeType::FINISHED, 20, &[1]).unwrap();
    reassembler.insert(&old).unwrap();
    assert_eq!(reassembler.insert(&future), Ok(FragmentStatus::TooFarAhead));
    reassembler.set_next_message_seq(1);
    assert_eq!(
        reassembler.buffered_messages(),
        0,
        "message 0 is now in the past"
    );
    assert_eq!(reassembler.insert(&old), Ok(FragmentStatus::Retransmission));
    let hello = HandshakeFragment::unfragmented(HandshakeType::CLIENT_HELLO, 1, &[2]).unwrap();
    assert_eq!(reassembler.insert(&hello), Ok(FragmentStatus::Stored));
    assert_eq!(reassembler.pop().unwrap().message_seq(), 1);
    assert_eq!(reassembler.next_message_seq(), 2);
}
