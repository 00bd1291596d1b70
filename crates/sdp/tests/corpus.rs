//! Every SDP in the corpus (`tests/data/vectors`: the shared samples; `tests/data/collected`:
//! our own collection) parses; its typed fields agree with an independent line-level extraction
//! (`tests/data/extract_expected.py` → `expected.json`); writing it and parsing again gives an
//! equal value; and canonical inputs are written back byte for byte.

use sansrtc_sdp::attributes::{Candidate, SsrcGroup};
use sansrtc_sdp::{Attribute, ParseErrorKind, ParseOptions, SessionDescription};
use serde_json::Value;
use std::path::PathBuf;

/// Samples that are not canonical SDP, and why (each still parses and round-trips by value).
const NON_CANONICAL: [(&str, &str); 7] = [
    (
        "collected/livekit-android-publisher-offer-simulcast-relay.sdp",
        "no line ending after the last line",
    ),
    (
        "collected/zlmediakit-chrome-offer-simulcast-rid-q-h-f.sdp",
        "no line ending after the last line",
    ),
    (
        "collected/zlmediakit-answer-ice-lite-media-level.sdp",
        "ends with an empty line",
    ),
    (
        "vectors/chrome-2022-08-datachannel-audio-video-offer.sdp",
        "ends with an empty line",
    ),
    (
        "vectors/chrome-sctp-sdp-draft26-datachannel.sdp",
        "a trailing space after a=msid-semantic: WMS",
    ),
    (
        "vectors/opera-libwebrtc-corpus-1.sdp",
        "a space after ';' in a=fmtp",
    ),
    (
        "vectors/simulcast-draft03-syntax.sdp",
        "session-level c= after t= (RFC 8866 §5 puts it before)",
    ),
];

fn data() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data"))
}

/// Every sample: (path relative to tests/data, text).
fn corpus() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for dir in ["vectors", "collected"] {
        for entry in std::fs::read_dir(data().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "sdp") {
                let name = format!("{dir}/{}", path.file_name().unwrap().to_string_lossy());
                files.push((name, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    files.sort();
    assert!(files.len() >= 45, "corpus has {} files", files.len());
    files
}

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(data().join("expected.json")).unwrap()).unwrap()
}

fn parse(name: &str, text: &str) -> SessionDescription {
    text.parse().unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn every_sample_parses() {
    for (name, text) in corpus() {
        parse(&name, &text);
    }
}

#[test]
fn written_samples_parse_back_to_equal_values_and_are_canonical() {
    for (name, text) in corpus() {
        let sdp = parse(&name, &text);
        let written = sdp.to_string();
        let again = parse(&name, &written);
        assert_eq!(again, sdp, "{name}: serialize then parse changed the value");
        assert_eq!(
            again.to_string(),
            written,
            "{name}: our output is not a fixed point"
        );
        assert!(
            written.ends_with("\r\n")
                && !written.contains("\n\n")
                && !written.replace("\r\n", "").contains('\n')
        );
    }
}

#[test]
fn canonical_inputs_round_trip_byte_for_byte() {
    let mut exact = 0;
    for (name, text) in corpus() {
        if NON_CANONICAL.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let written = parse(&name, &text).to_string();
        if text.contains("\r\n") {
            assert_eq!(written, text, "{name}");
        } else {
            // A bare-LF file is canonical but for its line endings.
            assert_eq!(written, text.replace('\n', "\r\n"), "{name}");
        }
        exact += 1;
    }
    assert!(exact >= 38, "{exact} canonical samples");
}

fn field<'a>(v: &'a Value, key: &str) -> &'a Value {
    &v[key]
}

#[test]
fn typed_fields_agree_with_the_independent_extraction() {
    let expected = expected();
    for (name, text) in corpus() {
        let sdp = parse(&name, &text);
        let e = &expected[name.as_str()];
        assert!(
            e.is_object(),
            "{name} missing from expected.json (run extract_expected.py)"
        );
        assert_eq!(
            sdp.attributes.contains(&Attribute::IceLite),
            e["ice_lite"].as_bool().unwrap(),
            "{name}: session ice-lite"
        );
        let bundles: Vec<Vec<String>> = sdp.bundle_groups().map(|g| g.mids.clone()).collect();
        let want: Vec<Vec<String>> = serde_json::from_value(field(e, "bundle").clone()).unwrap();
        assert_eq!(bundles, want, "{name}: BUNDLE groups");
        let session_fps: Vec<&str> = sdp
            .find(|a| match a {
                Attribute::Fingerprint(f) => Some(f.hash.as_ref()),
                _ => None,
            })
            .collect();
        let want: Vec<String> =
            serde_json::from_value(field(e, "session_fingerprints").clone()).unwrap();
        assert_eq!(session_fps, want, "{name}: session fingerprints");
        let media = e["media"].as_array().unwrap();
        assert_eq!(sdp.media.len(), media.len(), "{name}: number of m-lines");
        for (i, (m, em)) in sdp.media.iter().zip(media).enumerate() {
            let at = format!("{name} m-section {i}");
            assert_eq!(m.kind.as_str(), em["kind"], "{at}");
            assert_eq!(u64::from(m.port), em["port"].as_u64().unwrap(), "{at}");
            assert_eq!(m.protocol.as_str(), em["proto"], "{at}");
            let formats: Vec<String> = serde_json::from_value(em["formats"].clone()).unwrap();
            assert_eq!(m.formats, formats, "{at}");
            assert_eq!(m.mid(), em["mid"].as_str(), "{at}: mid");
            assert_eq!(
                m.has(&Attribute::IceLite),
                em["ice_lite"].as_bool().unwrap(),
                "{at}: ice-lite"
            );
            // Codecs: every rtpmap, as the extraction read it.
            let codecs = m.codecs();
            for (pt, c) in em["rtpmap"].as_object().unwrap() {
                let pt: u8 = pt.parse().unwrap();
                let ours = codecs.iter().find(|k| k.payload_type == pt);
                if let Some(ours) = ours {
                    assert_eq!(ours.name, c["name"], "{at}: pt {pt}");
                    assert_eq!(
                        u64::from(ours.clock_rate),
                        c["clock"].as_u64().unwrap(),
                        "{at}: pt {pt}"
                    );
                    assert_eq!(
                        ours.channels.map(u64::from),
                        c["channels"].as_u64(),
                        "{at}: pt {pt}"
                    );
                } else {
                    // An rtpmap for a payload type not on the m= line (validate() warns).
                    assert!(
                        !m.formats.contains(&pt.to_string()),
                        "{at}: pt {pt} missing from codecs()"
                    );
                }
            }
            for (pt, raw) in em["fmtp"].as_object().unwrap() {
                let ours = m
                    .find(|a| match a {
                        Attribute::Fmtp(f) if f.format == *pt => Some(f.to_string()),
                        _ => None,
                    })
                    .next()
                    .unwrap_or_else(|| panic!("{at}: fmtp {pt} missing"));
                let normalized: String = raw
                    .as_str()
                    .unwrap()
                    .split(';')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
                    .join(";");
                let want = if normalized.is_empty() {
                    pt.clone()
                } else {
                    format!("{pt} {normalized}")
                };
                assert_eq!(ours, want, "{at}: fmtp {pt}");
            }
            // Candidates, field by field.
            let ours: Vec<&Candidate> = m.candidates().collect();
            let cands = em["candidates"].as_array().unwrap();
            assert_eq!(ours.len(), cands.len(), "{at}: candidates");
            for (c, ec) in ours.iter().zip(cands) {
                assert_eq!(c.foundation, ec["foundation"], "{at}");
                assert_eq!(
                    u64::from(c.component),
                    ec["component"].as_u64().unwrap(),
                    "{at}"
                );
                assert_eq!(c.transport.as_ref(), ec["transport"], "{at}");
                assert_eq!(
                    u64::from(c.priority),
                    ec["priority"].as_u64().unwrap(),
                    "{at}"
                );
                assert_eq!(c.address.to_string(), ec["address"], "{at}");
                assert_eq!(u64::from(c.port), ec["port"].as_u64().unwrap(), "{at}");
                assert_eq!(c.kind.as_str(), ec["type"], "{at}");
            }
            let hashes: Vec<&str> = m.fingerprints().map(|f| f.hash.as_ref()).collect();
            let want: Vec<String> =
                serde_json::from_value(em["fingerprint_hashes"].clone()).unwrap();
            assert_eq!(hashes, want, "{at}: fingerprints");
            // Simulcast: typed, written back as it came (or kept verbatim when it is an old
            // draft's syntax).
            let simulcast: Vec<String> = m
                .find(|a| match a {
                    Attribute::Simulcast(s) => Some(s.to_string()),
                    Attribute::Other {
                        name,
                        value: Some(v),
                    } if name == "simulcast" => Some(v.clone()),
                    _ => None,
                })
                .collect();
            let want: Vec<String> = serde_json::from_value(em["simulcast"].clone()).unwrap();
            assert_eq!(simulcast, want, "{at}: simulcast");
            let rids: Vec<&str> = m.rids().map(|r| r.id.as_str()).collect();
            let want: Vec<String> = serde_json::from_value(em["rids"].clone()).unwrap();
            assert_eq!(rids, want, "{at}: rids");
            let groups: Vec<String> = m.ssrc_groups().map(SsrcGroup::to_string).collect();
            let want: Vec<String> = serde_json::from_value(em["ssrc_groups"].clone()).unwrap();
            assert_eq!(groups, want, "{at}: ssrc groups");
        }
    }
}

#[test]
fn strict_parsing_refuses_what_lenient_parsing_keeps() {
    let corpus = corpus();
    let text = |n: &str| &corpus.iter().find(|(name, _)| name == n).unwrap().1;
    let invalid = text("vectors/invalid-lines.sdp");
    let err = SessionDescription::parse_with(invalid, &ParseOptions::strict()).unwrap_err();
    assert_eq!(
        (err.line, err.kind.clone()),
        (10, ParseErrorKind::UnknownType('f'))
    );
    assert_eq!(err.text, "f=invalid:yes");
    let lenient: SessionDescription = invalid.parse().unwrap();
    assert_eq!(
        lenient.media[0].unknown_lines,
        [('f', "invalid:yes".to_owned())]
    );
    assert!(lenient.validate().iter().any(|p| p.message.contains("f=")));

    let draft = text("vectors/simulcast-draft03-syntax.sdp");
    let err = SessionDescription::parse_with(draft, &ParseOptions::strict()).unwrap_err();
    assert_eq!((err.line, err.kind), (5, ParseErrorKind::OutOfOrder('c')));
    let lenient: SessionDescription = draft.parse().unwrap();
    assert!(
        lenient.connection.is_some(),
        "the out-of-order c= is read into its place"
    );
    assert!(lenient.validate().iter().any(|p| {
        p.message
            .contains("a=simulcast does not follow its grammar")
    }));

    // Browser output is strictly valid.
    for (name, text) in &corpus {
        if name.contains("chrome-156") || name.contains("firefox-153") {
            SessionDescription::parse_with(text, &ParseOptions::strict())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}
