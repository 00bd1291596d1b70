//! DCEP message parsing (RFC 8832 §5): DATA_CHANNEL_OPEN and DATA_CHANNEL_ACK from arbitrary
//! bytes. Oracle: whatever parses re-emits to bytes of the same length that parse equal (the
//! reliability parameter of a reliable channel is ignored on receipt and sent as 0, RFC 8832
//! §5.1; everything else has one encoding).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sansrtc_datachannel::wire::Message;

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = Message::parse(data) {
        let mut again = Vec::new();
        message.emit(&mut again).expect("a parsed message emits");
        assert_eq!(again.len(), data.len());
        assert_eq!(message.buffer_len(), data.len());
        assert_eq!(
            Message::parse(&again),
            Ok(message),
            "re-emitted bytes parse differently"
        );
    }
});
