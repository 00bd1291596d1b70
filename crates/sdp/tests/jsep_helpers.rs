//! JSEP helpers read what a peer connection needs from real offers: sections by mid, the BUNDLE
//! transport, codecs with fmtp, rtcp-fb and RTX pairing, and the data channel section.

use sansrtc_sdp::attributes::{CandidateType, Setup, TcpType};
use sansrtc_sdp::{MediaKind, SessionDescription};

fn load(path: &str) -> SessionDescription {
    let full = format!("{}/tests/data/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(full).unwrap().parse().unwrap()
}

#[test]
fn chrome_offer_transport_and_codecs() {
    let sdp = load("vectors/chrome-156-offer-av.sdp");
    let t = sdp.bundle_transport().unwrap();
    assert_eq!(
        (t.mid, t.ice_ufrag, t.ice_pwd),
        (Some("0"), Some("+WUe"), Some("00MXpsvuVsOEDINx/pw33/j/"))
    );
    assert_eq!(t.setup, Some(Setup::ActPass));
    assert_eq!(t.ice_options, ["trickle"]);
    assert_eq!(t.fingerprints.len(), 1);
    assert_eq!(t.fingerprints[0].hash, "sha-256");
    assert_eq!(t.fingerprints[0].bytes().map(|b| b.len()), Some(32));
    assert_eq!(t.candidates.len(), 8);
    let tcp = t.candidates.iter().filter(|c| c.is_tcp()).count();
    assert_eq!(tcp, 4);
    assert!(
        t.candidates
            .iter()
            .filter(|c| c.is_tcp())
            .all(|c| c.tcp_type() == Some(TcpType::Active))
    );
    assert!(t.candidates.iter().all(|c| c.kind == CandidateType::Host));
    assert!(
        t.candidates
            .iter()
            .any(|c| c.address.ip().is_some_and(|ip| ip.is_ipv6()))
    );

    let audio = sdp.media_by_mid("0").unwrap();
    assert_eq!(audio.kind, MediaKind::Audio);
    let codecs = audio.codecs();
    let names: Vec<&str> = codecs.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "opus",
            "red",
            "G722",
            "PCMU",
            "PCMA",
            "CN",
            "telephone-event",
            "telephone-event"
        ]
    );
    let opus = codecs[0].opus().unwrap();
    assert_eq!((opus.minptime, opus.useinbandfec), (Some(10), true));
    assert!(codecs[0].has_feedback("transport-cc", None));
    assert_eq!(codecs[1].red(), Some(vec![111, 111]));

    let video = sdp.media_by_mid("1").unwrap();
    let codecs = video.codecs();
    let vp8 = codecs.iter().find(|c| c.name == "VP8").unwrap();
    assert_eq!(vp8.payload_type, 96);
    assert_eq!(vp8.rtx, Some(97), "RTX paired through apt");
    assert!(
        vp8.has_feedback("nack", Some("pli"))
            && vp8.has_feedback("ccm", Some("fir"))
            && vp8.has_feedback("goog-remb", None)
    );
    let h264: Vec<_> = codecs
        .iter()
        .filter_map(|c| c.h264().map(|h| (c.payload_type, h)))
        .collect();
    assert_eq!(h264.len(), 6, "Chrome 156 offers six H.264 variants");
    assert!(h264.iter().any(|(_, h)| {
        h.packetization_mode == 1
            && h.profile_level_id
                .is_some_and(|p| p.is_constrained_baseline())
    }));
    assert!(h264.iter().all(|(pt, _)| {
        codecs
            .iter()
            .any(|c| c.payload_type == *pt && c.rtx.is_some())
    }));
    let vp9_profiles: Vec<u8> = codecs
        .iter()
        .filter_map(|c| c.vp9().map(|v| v.profile_id))
        .collect();
    assert_eq!(vp9_profiles, [0, 2]);
    assert!(codecs.iter().any(|c| c.av1().is_some()));
    assert!(
        codecs
            .iter()
            .filter(|c| c.is_rtx())
            .all(|c| c.apt().is_some())
    );
    let ids: Vec<u16> = video.extmaps().map(|e| e.id).collect();
    assert!(
        ids.contains(&10) && ids.contains(&11),
        "rid and repaired-rid extensions"
    );
}

#[test]
fn data_channel_sections_current_and_legacy() {
    let chrome = load("vectors/chrome-156-offer-datachannel.sdp");
    let dc = chrome.data_channel().unwrap();
    assert_eq!(
        (dc.sctp_port, dc.max_message_size, dc.legacy),
        (5000, Some(262_144), false)
    );
    assert_eq!(dc.mid.as_deref(), Some("0"));

    let firefox = load("vectors/firefox-libwebrtc-corpus-1.sdp");
    let dc = firefox.data_channel().unwrap();
    assert!(dc.legacy);
    assert_eq!(dc.sctp_port, 5000);
}

#[test]
fn simulcast_and_rids() {
    let sdp = load("collected/chrome-156-offer-av-data-simulcast.sdp");
    let video = sdp
        .media
        .iter()
        .find(|m| m.kind == MediaKind::Video)
        .unwrap();
    let rids: Vec<&str> = video.rids().map(|r| r.id.as_str()).collect();
    assert_eq!(rids, ["h", "m", "l"]);
    let send = video
        .simulcast()
        .unwrap()
        .streams(sansrtc_sdp::attributes::StreamDirection::Send)
        .unwrap();
    assert_eq!(
        send.iter()
            .map(|alts| alts[0].rid.as_str())
            .collect::<Vec<_>>(),
        ["h", "m", "l"]
    );
}

#[test]
fn ice_lite_and_mdns() {
    let lite = load("collected/janus-1.1.2-ice-lite-echotest-answer-to-firefox.sdp");
    assert!(lite.is_ice_lite());
    assert!(lite.bundle_transport().unwrap().ice_lite);
    let mdns = load("collected/chrome-156-offer-av-data-mdns.sdp");
    assert!(
        mdns.bundle_transport()
            .unwrap()
            .candidates
            .iter()
            .any(|c| c.address.is_mdns())
    );
}

#[test]
fn sctp_init_is_decoded() {
    let text = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n\
                a=sctp-port:5000\r\na=sctp-init:AQAAFA==\r\n";
    let sdp: SessionDescription = text.parse().unwrap();
    assert_eq!(
        sdp.data_channel().unwrap().sctp_init,
        Some(vec![1, 0, 0, 0x14])
    );
    assert_eq!(sdp.to_string(), text);
}
