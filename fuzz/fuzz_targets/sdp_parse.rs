//! Fuzzes the SDP parser (lenient and strict), the serializer, validation, the JSEP helpers and
//! the answer builder.
//!
//! Oracles: whatever parses is written back as canonical SDP that parses (strictly too, but
//! for unknown line types) to an equal value and is a fixed point; strict acceptance implies
//! lenient acceptance of the same value; an answer built to any parsed offer is itself valid
//! SDP that parses back equal.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use sansrtc_sdp::attributes::Fingerprint;
use sansrtc_sdp::jsep::{AnswerBuilder, AnswerOptions, LocalTransport};
use sansrtc_sdp::{ParseOptions, SessionDescription};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let strict = SessionDescription::parse_with(text, &ParseOptions::strict());
    let lenient = text.parse::<SessionDescription>();
    if let Ok(strict) = &strict {
        assert_eq!(
            lenient.as_ref().ok(),
            Some(strict),
            "strict accepts what lenient reads differently"
        );
    }
    let Ok(sdp) = lenient else { return };
    let written = sdp.to_string();
    let again: SessionDescription = written.parse().expect("our output parses");
    assert_eq!(again, sdp);
    assert_eq!(again.to_string(), written, "not a fixed point");
    if sdp.unknown_lines.is_empty() && sdp.media.iter().all(|m| m.unknown_lines.is_empty()) {
        let strict_again = SessionDescription::parse_with(&written, &ParseOptions::strict());
        if let Err(e) = &strict_again {
            // Malformed known attributes are kept verbatim by lenient parsing and refused by
            // strict parsing; nothing else may be.
            assert!(
                matches!(e.kind, sansrtc_sdp::ParseErrorKind::InvalidAttribute(_)),
                "{e}"
            );
        }
    }
    let _ = sdp.validate();
    let _ = sdp.bundle_transport();
    let _ = sdp.data_channel();
    for m in &sdp.media {
        for c in m.codecs() {
            let _ = (c.h264(), c.vp9(), c.av1(), c.opus(), c.red(), c.apt());
        }
    }
    let transport = LocalTransport::new(
        "fuzz",
        "0123456789abcdefghijklmn",
        Fingerprint::from_bytes("sha-256", &[1; 32]),
    );
    let answer = AnswerBuilder::new(&sdp, 1, transport, AnswerOptions::default()).build();
    let answer_text = answer.to_string();
    let parsed: SessionDescription = answer_text.parse().expect("our answer parses");
    assert_eq!(parsed, answer);
});
