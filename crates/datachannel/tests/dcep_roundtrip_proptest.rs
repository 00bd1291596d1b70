//! DCEP round trips: any DATA_CHANNEL_OPEN emits and parses back equal; any bytes either fail
//! with a typed error or parse to a message that re-emits to bytes of the same length that
//! parse equal (only a reliable channel's ignored reliability parameter may change, to 0).

use proptest::prelude::*;
use sansrtc_datachannel::wire::{ChannelType, Message, OpenRepr, Reliability};

fn channel_type() -> impl Strategy<Value = ChannelType> {
    (
        any::<bool>(),
        prop_oneof![
            Just(Reliability::Reliable),
            any::<u32>().prop_map(Reliability::MaxRetransmits),
            any::<u32>().prop_map(Reliability::MaxLifetimeMs),
        ],
    )
        .prop_map(|(unordered, reliability)| ChannelType {
            unordered,
            reliability,
        })
}

proptest! {
    #[test]
    fn any_open_round_trips(
        channel_type in channel_type(),
        priority in any::<u16>(),
        label in ".{0,40}",
        protocol in ".{0,20}",
    ) {
        let open = OpenRepr { channel_type, priority, label: &label, protocol: &protocol };
        let mut bytes = Vec::new();
        Message::Open(open).emit(&mut bytes).unwrap();
        prop_assert_eq!(bytes.len(), open.buffer_len());
        prop_assert_eq!(Message::parse(&bytes), Ok(Message::Open(open)));
    }

    #[test]
    fn any_bytes_parse_to_an_error_or_re_emit_equal(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(message) = Message::parse(&bytes) {
            let mut again = Vec::new();
            message.emit(&mut again).unwrap();
            prop_assert_eq!(again.len(), bytes.len());
            prop_assert_eq!(Message::parse(&again), Ok(message));
        }
    }

    #[test]
    fn opens_with_arbitrary_tails_never_panic(
        head in proptest::collection::vec(any::<u8>(), 12..13),
        tail in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let mut bytes = vec![0x03];
        bytes.extend_from_slice(&head[1..]);
        bytes.extend_from_slice(&tail);
        let _ = Message::parse(&bytes);
    }
}
