//! Fuzz the RTP view: arbitrary bytes never panic `RtpPacket::new_checked` or any accessor,
//! and a packet that parses is rebuilt by the header builder to the same header and payload.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use sansrtc_rtp::rtp::ext::{
    AbsSendTime, AudioLevel, ExtensionValue, Mid, RepairedRid, Rid, TransportSequenceNumber,
    VideoOrientation,
};
use sansrtc_rtp::rtp::{Element, ElementForm, ExtensionForm, Extensions, RtpHeader, RtpPacket};

/// Each typed reader either fails cleanly or writes back what it read, which reads again to
/// the same value.
macro_rules! check_typed {
    ($data:expr, $($ty:ty),+) => {$(
        if let Ok(value) = <$ty>::parse($data) {
            let mut out = [0u8; 256];
            let len = value.write(&mut out).expect("a parsed value writes");
            assert_eq!(len, value.encoded_len());
            let again = <$ty>::parse(&out[..len]).expect("written value parses");
            assert_eq!(again, value);
        }
    )+};
}

fn typed(data: &[u8]) {
    check_typed!(
        data,
        AbsSendTime,
        TransportSequenceNumber,
        AudioLevel,
        Mid<'_>,
        Rid<'_>,
        RepairedRid<'_>,
        VideoOrientation
    );
}

fuzz_target!(|data: &[u8]| {
    let _ = sansrtc_rtp::rtp::header_len(data);
    let Ok(packet) = RtpPacket::new_checked(data) else {
        return;
    };
    let csrcs: Vec<u32> = packet.csrcs().collect();
    let mut elements: Vec<Element<'_>> = Vec::new();
    let mut rebuildable = true;
    let extensions = match packet.extension() {
        None => Extensions::None,
        Some(ext) => match ext.form() {
            ExtensionForm::Other => Extensions::Raw {
                profile: ext.profile(),
                data: ext.data(),
            },
            ExtensionForm::OneByte | ExtensionForm::TwoByte { .. } => {
                for element in ext.elements() {
                    match element {
                        Ok(element) => {
                            typed(element.data);
                            elements.push(element);
                        }
                        Err(_) => rebuildable = false,
                    }
                }
                let form = if ext.form() == ExtensionForm::OneByte {
                    ElementForm::OneByte
                } else {
                    ElementForm::TwoByte
                };
                Extensions::Elements {
                    form,
                    elements: &elements,
                }
            }
        },
    };
    if !rebuildable {
        return;
    }
    let header = RtpHeader {
        marker: packet.marker(),
        payload_type: packet.payload_type(),
        sequence_number: packet.sequence_number(),
        timestamp: packet.timestamp(),
        ssrc: packet.ssrc(),
        csrcs: &csrcs,
        extensions,
    };
    let mut out = Vec::new();
    let Ok(()) = header.write_packet(packet.payload(), packet.padding_len() as u8, &mut out) else {
        return;
    };
    let again = RtpPacket::new_checked(&out[..]).expect("a built packet parses");
    assert_eq!(again.payload(), packet.payload());
    assert_eq!(again.sequence_number(), packet.sequence_number());
    assert_eq!(again.ssrc(), packet.ssrc());
    assert_eq!(again.csrcs().collect::<Vec<_>>(), csrcs);
    if let Some(ext) = again.extension() {
        let rebuilt: Vec<Element<'_>> = ext.elements().map(|e| e.expect("valid")).collect();
        if !matches!(header.extensions, Extensions::Raw { .. }) {
            assert_eq!(rebuilt, elements);
        }
    }
});
