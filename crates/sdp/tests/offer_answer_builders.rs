//! The builders write offers and answers with the attributes browsers expect: answers keep the
//! offer's mids, payload types and BUNDLE group, pick a DTLS role, intersect codecs, and reject
//! what we do not support.

use sansrtc_sdp::attributes::{Direction, Fingerprint, Setup};
use sansrtc_sdp::jsep::{
    AnswerBuilder, AnswerOptions, CodecSpec, DataChannelOptions, LocalTransport, MediaOptions,
    OfferBuilder,
};
use sansrtc_sdp::{Attribute, MediaKind, SessionDescription, Severity, TransportProtocol};

fn transport() -> LocalTransport {
    LocalTransport::new(
        "sRtc",
        "0123456789abcdefghijklmn",
        Fingerprint::from_bytes("sha-256", &[0xab; 32]),
    )
}

fn load(path: &str) -> SessionDescription {
    let full = format!("{}/tests/data/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(full).unwrap().parse().unwrap()
}

fn no_errors(sdp: &SessionDescription) {
    let errors: Vec<String> = sdp
        .validate()
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| p.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{sdp}");
}

#[test]
fn offer_has_bundle_and_browser_attributes() {
    let offer = OfferBuilder::new(4_611_731_400_430_051_336, transport())
        .media(MediaOptions::audio("0"))
        .media(MediaOptions::video("1"))
        .data_channel(DataChannelOptions::new("2"))
        .build();
    no_errors(&offer);
    let text = offer.to_string();
    let reparsed: SessionDescription = text.parse().unwrap();
    assert_eq!(reparsed, offer);
    for line in [
        "a=group:BUNDLE 0 1 2",
        "a=extmap-allow-mixed",
        "a=msid-semantic: WMS",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111 0 8",
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 98 99 45 46",
        "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
        "a=setup:actpass",
        "a=ice-options:trickle",
        "a=rtcp-mux",
        "a=rtcp-rsize",
        "a=rtpmap:111 opus/48000/2",
        "a=fmtp:111 minptime=10;useinbandfec=1",
        "a=rtpmap:97 rtx/90000",
        "a=fmtp:97 apt=96",
        "a=rtcp-fb:96 nack pli",
        "a=sctp-port:5000",
        "a=max-message-size:262144",
    ] {
        assert!(
            text.contains(&format!("{line}\r\n")),
            "missing {line:?} in\n{text}"
        );
    }
    assert_eq!(offer.bundle_transport().unwrap().ice_ufrag, Some("sRtc"));
}

#[test]
fn answer_to_chrome_keeps_payload_types_mids_and_bundle() {
    let offer = load("vectors/chrome-156-offer-av.sdp");
    let answer = AnswerBuilder::new(&offer, 77, transport(), AnswerOptions::default()).build();
    no_errors(&answer);
    assert_eq!(answer.bundle_groups().next().unwrap().mids, ["0", "1"]);
    let audio = answer.media_by_mid("0").unwrap();
    assert_eq!(
        audio.setup(),
        Some(Setup::Active),
        "answering actpass with active (JSEP §5.3.1)"
    );
    let codecs: Vec<(u8, String)> = audio
        .codecs()
        .into_iter()
        .map(|c| (c.payload_type, c.name))
        .collect();
    assert_eq!(
        codecs,
        [
            (111, "opus".to_owned()),
            (0, "PCMU".to_owned()),
            (8, "PCMA".to_owned())
        ]
    );
    let video = answer.media_by_mid("1").unwrap();
    let codecs = video.codecs();
    let vp8 = codecs.iter().find(|c| c.name == "VP8").unwrap();
    assert_eq!(
        (vp8.payload_type, vp8.rtx),
        (96, Some(97)),
        "the offer's payload types"
    );
    let h264: Vec<u8> = codecs
        .iter()
        .filter(|c| c.name == "H264")
        .map(|c| c.payload_type)
        .collect();
    assert!(!h264.is_empty());
    for pt in &h264 {
        let c = codecs
            .iter()
            .find(|c| c.payload_type == *pt)
            .unwrap()
            .h264()
            .unwrap();
        assert_eq!(c.packetization_mode, 1);
        assert!(c.profile_level_id.unwrap().is_constrained_baseline());
    }
    // Only header extensions we support, with the offer's ids.
    let offered: Vec<(u16, String)> = offer
        .media_by_mid("1")
        .unwrap()
        .extmaps()
        .map(|e| (e.id, e.uri.to_string()))
        .collect();
    for e in video.extmaps() {
        assert!(offered.contains(&(e.id, e.uri.to_string())));
    }
    assert!(
        video
            .extmaps()
            .all(|e| e.uri != "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay")
    );
    assert_eq!(video.direction(), Direction::SendRecv);
}

#[test]
fn answer_rejects_what_is_not_supported() {
    let offer = load("vectors/chrome-156-offer-av.sdp");
    let mut options = AnswerOptions::default();
    options.video = vec![CodecSpec::h264(102, "640034", 1, None)];
    options.data_channel = None;
    let answer = AnswerBuilder::new(&offer, 1, transport(), options).build();
    let video = answer.media_by_mid("1").unwrap();
    assert_eq!(video.port, 0, "no common video codec: rejected");
    assert_eq!(
        video.attributes,
        [Attribute::Mid("1".to_owned())],
        "a rejected section keeps only its mid"
    );
    assert_eq!(
        answer.bundle_groups().next().unwrap().mids,
        ["0"],
        "rejected sections leave the BUNDLE group"
    );
}

#[test]
fn answer_to_firefox_data_channel_and_directions() {
    let offer = load("collected/firefox-153-offer-av-data-mdns.sdp");
    let answer = AnswerBuilder::new(&offer, 1, transport(), AnswerOptions::default()).build();
    no_errors(&answer);
    let dc = answer.data_channel().unwrap();
    assert!(!dc.legacy);
    assert_eq!(answer.media.len(), offer.media.len());
    for (o, a) in offer.media.iter().zip(&answer.media) {
        assert_eq!(o.mid(), a.mid());
        assert_eq!(o.kind, a.kind);
    }
    // A sendonly offer is answered recvonly.
    let mut one_way = offer;
    for m in &mut one_way.media {
        for a in &mut m.attributes {
            if let Attribute::Direction(d) = a {
                *d = Direction::SendOnly;
            }
        }
    }
    let answer = AnswerBuilder::new(&one_way, 1, transport(), AnswerOptions::default()).build();
    assert!(
        answer
            .media
            .iter()
            .filter(|m| m.kind == MediaKind::Audio)
            .all(|m| m.direction() == Direction::RecvOnly)
    );
}

#[test]
fn answer_to_a_legacy_data_channel_offer_uses_the_legacy_form() {
    let offer = load("collected/aiortc-firefox-58-datachannel-offer-sctpmap.sdp");
    let answer = AnswerBuilder::new(&offer, 1, transport(), AnswerOptions::default()).build();
    let m = &answer.media[answer.data_channel().unwrap().media_index];
    assert_eq!(m.protocol, TransportProtocol::DtlsSctp);
    assert_eq!(m.formats, ["5000"]);
    assert!(
        answer
            .to_string()
            .contains("a=sctpmap:5000 webrtc-datachannel 1024\r\n")
    );
}

#[test]
fn answer_accepts_offered_simulcast_as_recv() {
    let offer = load("collected/chrome-156-offer-av-data-simulcast.sdp");
    let answer = AnswerBuilder::new(&offer, 1, transport(), AnswerOptions::default()).build();
    no_errors(&answer);
    let video = answer
        .media
        .iter()
        .find(|m| m.kind == MediaKind::Video)
        .unwrap();
    let text = answer.to_string();
    assert!(text.contains("a=simulcast:recv h;m;l\r\n"), "{text}");
    assert_eq!(video.rids().count(), 3);
}

#[test]
fn answering_an_active_offer_is_passive() {
    let mut offer = load("vectors/chrome-156-offer-datachannel.sdp");
    for a in &mut offer.media[0].attributes {
        if let Attribute::Setup(s) = a {
            *s = Setup::Active;
        }
    }
    let answer = AnswerBuilder::new(&offer, 1, transport(), AnswerOptions::default()).build();
    assert_eq!(answer.media[0].setup(), Some(Setup::Passive));
}

#[test]
fn answer_to_a_section_without_a_usable_mid_writes_no_mid() {
    // Found by the sdp_parse fuzzer: an empty a=mid (kept verbatim by lenient parsing) made
    // the answer carry "a=mid:", which does not parse.
    let offer: SessionDescription = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
        m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:\r\na=sctp-port:5000\r\n"
        .parse()
        .unwrap();
    let answer = AnswerBuilder::new(&offer, 1, transport(), AnswerOptions::default()).build();
    let text = answer.to_string();
    assert!(!text.contains("a=mid"), "{text}");
    assert_eq!(text.parse::<SessionDescription>().unwrap(), answer);
}

#[test]
fn a_section_answer_sets_its_direction_and_the_stream_it_sends() {
    use sansrtc_sdp::attributes::Msid;
    use sansrtc_sdp::jsep::{SectionAnswer, SendStream};
    let offer = load("vectors/chrome-156-offer-av.sdp");
    let mut options = AnswerOptions::default();
    let mut audio = SectionAnswer::new("0", Direction::SendRecv);
    audio.msid = Some(Msid {
        stream: "echo".to_owned(),
        track: Some("echo-audio".to_owned()),
    });
    audio.stream = Some(SendStream::new(1111, None, "sansrtc"));
    let mut video = SectionAnswer::new("1", Direction::RecvOnly);
    video.stream = Some(SendStream::new(2222, Some(3333), "sansrtc"));
    options.sections = vec![audio, video];
    let answer = AnswerBuilder::new(&offer, 1, transport(), options).build();
    no_errors(&answer);
    let audio = answer.media_by_mid("0").unwrap();
    assert_eq!(audio.direction(), Direction::SendRecv);
    assert!(
        audio
            .attributes
            .iter()
            .any(|a| matches!(a, Attribute::Msid(m) if m.stream == "echo"))
    );
    let ssrcs: Vec<u32> = audio.ssrcs().map(|s| s.ssrc).collect();
    assert!(!ssrcs.is_empty() && ssrcs.iter().all(|&s| s == 1111));
    // Receiving only: no SSRC or msid lines, whatever stream was given.
    let video = answer.media_by_mid("1").unwrap();
    assert_eq!(video.direction(), Direction::RecvOnly);
    assert_eq!(video.ssrcs().count(), 0);
    assert_eq!(video.ssrc_groups().count(), 0);
}
