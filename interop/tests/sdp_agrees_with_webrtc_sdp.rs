//! Cross-check with Mozilla's `webrtc-sdp` (the parser inside Firefox): every corpus SDP it
//! accepts, we accept too, and the m-lines, codecs and candidates agree.

use sansrtc_sdp::attributes::Candidate;
use sansrtc_sdp::{Attribute, SessionDescription};
use webrtc_sdp::attribute_type::{SdpAttribute, SdpAttributeCandidateTransport};
use webrtc_sdp::media_type::SdpFormatList;

fn corpus() -> Vec<(String, String)> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../crates/sdp/tests/data");
    let mut files = Vec::new();
    for dir in ["vectors", "collected"] {
        for entry in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "sdp") {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                files.push((name, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn everything_webrtc_sdp_accepts_we_accept_with_the_same_content() {
    let mut compared = 0;
    let mut they_refused = Vec::new();
    for (name, text) in corpus() {
        let Ok(theirs) = webrtc_sdp::parse_sdp(&text, false) else {
            they_refused.push(name);
            continue;
        };
        let ours: SessionDescription = text
            .parse()
            .unwrap_or_else(|e| panic!("{name}: webrtc-sdp accepts it, we do not: {e}"));
        assert_eq!(ours.media.len(), theirs.media.len(), "{name}: m-lines");
        for (i, (m, t)) in ours.media.iter().zip(&theirs.media).enumerate() {
            let at = format!("{name} m-section {i}");
            assert_eq!(m.kind.as_str(), t.get_type().to_string(), "{at}: media");
            assert_eq!(u32::from(m.port), t.get_port(), "{at}: port");
            assert_eq!(
                m.protocol.as_str(),
                t.get_proto().to_string(),
                "{at}: protocol"
            );
            let formats: Vec<String> = match t.get_formats() {
                SdpFormatList::Integers(v) => v.iter().map(ToString::to_string).collect(),
                SdpFormatList::Strings(v) => v.clone(),
                // webrtc-sdp does not read the formats of unknown media types.
                SdpFormatList::Unknown(_) => m.formats.clone(),
            };
            assert_eq!(m.formats, formats, "{at}: formats");
            // Codecs: every rtpmap.
            let their_rtpmaps: Vec<(u8, String, u32, Option<u32>)> = t
                .get_attributes()
                .iter()
                .filter_map(|a| match a {
                    SdpAttribute::Rtpmap(r) => Some((
                        r.payload_type,
                        r.codec_name.clone(),
                        r.frequency,
                        r.channels,
                    )),
                    _ => None,
                })
                .collect();
            let our_rtpmaps: Vec<(u8, String, u32, Option<u32>)> = m
                .attributes
                .iter()
                .filter_map(|a| match a {
                    Attribute::Rtpmap(r) => Some((
                        r.payload_type,
                        r.encoding.to_string(),
                        r.clock_rate,
                        r.channels.map(u32::from),
                    )),
                    _ => None,
                })
                .collect();
            // webrtc-sdp fills in one channel for audio codecs that do not say; compare the rest.
            assert_eq!(our_rtpmaps.len(), their_rtpmaps.len(), "{at}: rtpmaps");
            for (o, t) in our_rtpmaps.iter().zip(&their_rtpmaps) {
                assert_eq!((o.0, &o.1, o.2), (t.0, &t.1, t.2), "{at}: rtpmap");
                if let Some(c) = o.3 {
                    assert_eq!(Some(c), t.3, "{at}: channels of pt {}", o.0);
                }
            }
            // Candidates, field by field.
            let theirs: Vec<_> = t
                .get_attributes()
                .iter()
                .filter_map(|a| match a {
                    SdpAttribute::Candidate(c) => Some(c),
                    _ => None,
                })
                .collect();
            let ours: Vec<&Candidate> = m.candidates().collect();
            assert_eq!(ours.len(), theirs.len(), "{at}: candidates");
            for (o, t) in ours.iter().zip(&theirs) {
                assert_eq!(o.foundation, t.foundation, "{at}");
                assert_eq!(o.component, t.component, "{at}");
                assert_eq!(
                    o.is_udp(),
                    matches!(t.transport, SdpAttributeCandidateTransport::Udp),
                    "{at}"
                );
                assert_eq!(u64::from(o.priority), t.priority, "{at}");
                assert_eq!(o.address.to_string(), t.address.to_string(), "{at}");
                assert_eq!(u32::from(o.port), t.port, "{at}");
                assert_eq!(o.kind.as_str(), t.c_type.to_string(), "{at}");
                assert_eq!(o.related_port.map(u32::from), t.rport, "{at}");
            }
        }
        compared += 1;
    }
    eprintln!(
        "compared {compared} files; webrtc-sdp refused {}: {they_refused:?}",
        they_refused.len()
    );
    assert!(compared >= 30, "only {compared} files compared");
}
