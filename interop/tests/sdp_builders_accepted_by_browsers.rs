//! Real browsers accept what our builders write: headless Chromium and Firefox take our answer
//! to their offer (`setRemoteDescription`), and answer our offer; the answers they write parse,
//! validate, and agree with what we offered.

use sansrtc_interop::TempDir;
use sansrtc_interop::browser::{Browser, HttpServer, Request};
use sansrtc_sdp::attributes::{Fingerprint, Setup};
use sansrtc_sdp::jsep::{
    AnswerBuilder, AnswerOptions, DataChannelOptions, LocalTransport, MediaOptions, OfferBuilder,
};
use sansrtc_sdp::{MediaKind, SessionDescription, Severity};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const PAGE: &str = r#"<!doctype html><html><body><script>
const post = (path, body) => fetch(path, {method: 'POST', body});
async function run() {
  try {
    // The browser offers; we answer.
    const pc = new RTCPeerConnection();
    pc.addTransceiver('audio');
    pc.addTransceiver('video');
    pc.createDataChannel('d');
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const answer = await (await post('/answer', offer.sdp)).text();
    await pc.setRemoteDescription({type: 'answer', sdp: answer});
    // We offer; the browser answers.
    const pc2 = new RTCPeerConnection();
    const ours = await (await fetch('/offer')).text();
    await pc2.setRemoteDescription({type: 'offer', sdp: ours});
    const reply = await pc2.createAnswer();
    await pc2.setLocalDescription(reply);
    await post('/result', JSON.stringify({ok: true, answer: reply.sdp,
      directions: pc.getTransceivers().map(t => t.currentDirection)}));
  } catch (e) {
    await post('/result', JSON.stringify({ok: false, error: String(e)}));
  }
}
run();
</script></body></html>"#;

fn transport() -> LocalTransport {
    LocalTransport::new(
        "sRtc",
        "0123456789abcdefghijklmn",
        Fingerprint::from_bytes("sha-256", &[0x5a; 32]),
    )
}

fn our_offer() -> SessionDescription {
    OfferBuilder::new(3_735_928_559, transport())
        .media(MediaOptions::audio("0"))
        .media(MediaOptions::video("1"))
        .data_channel(DataChannelOptions::new("2"))
        .build()
}

fn check(browser: Browser) {
    if browser.require().is_none() {
        return;
    }
    let offers_seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = offers_seen.clone();
    let server =
        HttpServer::start(
            move |req: &Request| match (req.method.as_str(), req.path.as_str()) {
                ("GET", "/") => (200, "text/html", PAGE.as_bytes().to_vec()),
                ("GET", "/offer") => (200, "application/sdp", our_offer().to_string().into_bytes()),
                ("POST", "/answer") => {
                    let text = String::from_utf8_lossy(&req.body).into_owned();
                    seen.lock().unwrap().push(text.clone());
                    match text.parse::<SessionDescription>() {
                        Ok(offer) => {
                            let answer = AnswerBuilder::new(
                                &offer,
                                42,
                                transport(),
                                AnswerOptions::default(),
                            )
                            .build();
                            (200, "application/sdp", answer.to_string().into_bytes())
                        }
                        Err(e) => (500, "text/plain", e.to_string().into_bytes()),
                    }
                }
                _ => (200, "text/plain", Vec::new()),
            },
        )
        .unwrap();
    let profile = TempDir::new("browser").unwrap();
    let _process = browser
        .launch(&format!("{}/", server.url()), &profile)
        .unwrap();
    let result = server
        .wait_for("/result", Duration::from_secs(40))
        .unwrap_or_else(|| {
            let log =
                std::fs::read_to_string(profile.path().join("browser.log")).unwrap_or_default();
            panic!("{browser:?} did not report; log:\n{log}")
        });
    let result: serde_json::Value = serde_json::from_slice(&result).unwrap();
    let version = browser.version();
    assert_eq!(result["ok"], true, "{version}: {}", result["error"]);
    // Their offer parsed and validated; our answer made them negotiate every section.
    let offer: SessionDescription = offers_seen.lock().unwrap()[0].parse().unwrap();
    assert!(
        offer
            .validate()
            .iter()
            .all(|p| p.severity != Severity::Error),
        "{version} offer: {:?}",
        offer.validate()
    );
    let directions = result["directions"].as_array().unwrap();
    assert!(
        directions
            .iter()
            .all(|d| d == "sendrecv" || d == "recvonly" || d == "sendonly"),
        "{version}: {directions:?}"
    );
    // Their answer to our offer parses, validates, and picks codecs we offered.
    let answer: SessionDescription = result["answer"].as_str().unwrap().parse().unwrap();
    let errors: Vec<_> = answer
        .validate()
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{version} answer: {errors:?}\n{answer}");
    let offered = our_offer();
    assert_eq!(answer.media.len(), 3);
    for (ours, theirs) in offered.media.iter().zip(&answer.media) {
        assert_eq!(ours.mid(), theirs.mid(), "{version}");
        assert_ne!(theirs.port, 0, "{version} rejected {:?}", theirs.mid());
        assert!(
            matches!(theirs.setup(), Some(Setup::Active | Setup::Passive)),
            "{version}"
        );
        if theirs.kind != MediaKind::Application {
            let ours: Vec<(u8, String)> = ours
                .codecs()
                .into_iter()
                .map(|c| (c.payload_type, c.name.to_ascii_lowercase()))
                .collect();
            for c in theirs.codecs() {
                assert!(
                    ours.contains(&(c.payload_type, c.name.to_ascii_lowercase())),
                    "{version} answered codec {} {} we did not offer",
                    c.payload_type,
                    c.name
                );
            }
        }
    }
    assert_eq!(answer.data_channel().map(|d| d.sctp_port), Some(5000));
    eprintln!("{version}: accepted our answer and answered our offer");
}

#[test]
fn chromium_accepts_our_answer_and_answers_our_offer() {
    check(Browser::Chromium);
}

#[test]
fn firefox_accepts_our_answer_and_answers_our_offer() {
    check(Browser::Firefox);
}
