//! Media with headless Chromium (issue 19): the page sends its fake camera and microphone,
//! Chromium offering; we answer receive-only, decrypt, count RTP per kind, check the payload
//! types are the negotiated ones, and rebuild whole VP8 frames.
//!
//! Also the echo both ways (the page decodes its own media sent back: `browser_echo`'s
//! core), with us offering, at 5% loss of our video (NACK and RTX), and with each SRTP
//! profile. `cargo test -p sansrtc-interop --test chrome_media -- --nocapture` prints what
//! each side received; with `CI` set a missing Chromium fails the test instead of skipping
//! it.

use std::sync::{Mutex, PoisonError};

use sansrtc::SrtpProfileId;
use sansrtc_interop::peer_connection::{ChannelPlan, Creator, Offerer, Outcome, Scenario};

/// One browser at a time (2 cores).
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Runs `scenario` alone, or `None` when Chromium is missing (the test skips; not under CI).
fn run(scenario: &Scenario) -> Option<Outcome> {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    sansrtc_interop::peer_connection::run(scenario)
}

/// (a) Chromium sends audio and video; we receive, decrypt and count RTP per kind; the
/// payload types are among the negotiated ones; whole VP8 frames come out of the
/// depacketizer, key frames among them, each consistent with its VP8 frame header.
#[test]
fn chrome_sends_audio_and_video_we_receive_rtp_and_whole_vp8_frames() {
    let mut s = Scenario::new(
        "audio and video from Chromium",
        vec![ChannelPlan::new("data", Creator::Browser, &[])],
    );
    s.media = true;
    s.receive_media_until = Some((100, 30));
    let Some(outcome) = run(&s) else { return };
    let media = &outcome.media;
    eprintln!("received from Chromium: {media:?}");
    let diagnostics = || format!("{media:#?}\n{}", outcome.diagnostics());
    assert_eq!(media.tracks, ["audio", "video"], "{}", diagnostics());
    assert!(
        media.rtp.get("audio").copied().unwrap_or(0) >= 100,
        "{}",
        diagnostics()
    );
    assert!(
        media.frames.get("video").copied().unwrap_or(0) >= 30,
        "{}",
        diagnostics()
    );
    for (kind, seen) in &media.payload_types {
        let negotiated: Vec<u8> = media.negotiated[kind].iter().map(|(pt, _)| *pt).collect();
        assert!(
            seen.iter().all(|pt| negotiated.contains(pt)),
            "{kind}: {seen:?} not in {negotiated:?}\n{}",
            diagnostics()
        );
    }
    let video_codec = &media.negotiated["video"][0].1;
    assert_eq!(video_codec, "VP8", "{}", diagnostics());
    assert!(media.keyframes >= 1, "{}", diagnostics());
    assert_eq!(
        media.valid_vp8_frames,
        media.frames["video"],
        "every frame a consistent VP8 frame\n{}",
        diagnostics()
    );
    assert!(media.rtcp > 0, "{}", diagnostics());
}

/// (b) `browser_echo`'s core: we answer sendrecv and send the page's own audio (packet by
/// packet) and video (frames re-packetized on our SSRC) back; the page's `getStats` shows
/// more than 30 video frames decoded and more than 100 audio packets received.
#[test]
fn we_send_chromes_audio_and_video_back_and_it_decodes_them() {
    let mut s = Scenario::new(
        "echo",
        vec![ChannelPlan::new("data", Creator::Browser, &[])],
    );
    s.media = true;
    s.echo_media_until = Some((101, 31));
    let Some(outcome) = run(&s) else { return };
    let media = &outcome.media;
    let diagnostics = || format!("{media:#?}\n{}", outcome.diagnostics());
    assert!(outcome.page_ok(), "{}", diagnostics());
    let inbound = &outcome.page.as_ref().unwrap()["stats"]["inbound"];
    eprintln!("the page received back: {inbound}");
    assert!(
        inbound["video"]["framesDecoded"].as_u64().unwrap_or(0) > 30,
        "{}",
        diagnostics()
    );
    assert!(
        inbound["audio"]["packetsReceived"].as_u64().unwrap_or(0) > 100,
        "{}",
        diagnostics()
    );
    assert_eq!(inbound["video"]["codec"], "video/VP8", "{}", diagnostics());
    assert!(media.echo_errors.is_empty(), "{}", diagnostics());
}

/// Runs an echo scenario and checks the page decoded what we sent back; returns the outcome.
fn echo_and_check(mut s: Scenario) -> Option<Outcome> {
    s.media = true;
    s.echo_media_until = Some((101, 31));
    let outcome = run(&s)?;
    let media = &outcome.media;
    let diagnostics = format!("{media:#?}\n{}", outcome.diagnostics());
    assert!(outcome.page_ok(), "{diagnostics}");
    let inbound = &outcome.page.as_ref().unwrap()["stats"]["inbound"];
    eprintln!("{}: the page received back {inbound}", s.name);
    assert!(
        inbound["video"]["framesDecoded"].as_u64().unwrap_or(0) > 30,
        "{diagnostics}"
    );
    assert!(
        inbound["audio"]["packetsReceived"].as_u64().unwrap_or(0) > 100,
        "{diagnostics}"
    );
    assert!(media.echo_errors.is_empty(), "{diagnostics}");
    Some(outcome)
}

/// (c) We offer audio and video sendrecv; Chromium answers with its camera and microphone;
/// media flows both ways (its media to us, and back).
#[test]
fn we_offer_audio_and_video_chrome_answers_and_media_flows_both_ways() {
    let mut s = Scenario::new(
        "we offer media",
        vec![ChannelPlan::new("data", Creator::Us, &[])],
    );
    s.offerer = Offerer::Us;
    let Some(outcome) = echo_and_check(s) else {
        return;
    };
    assert!(outcome.offer.contains("m=audio") && outcome.offer.contains("m=video"));
    let outbound = &outcome.page.as_ref().unwrap()["stats"]["outbound"];
    assert!(
        outbound["video"]["packetsSent"].as_u64().unwrap_or(0) > 0,
        "{outbound}"
    );
    assert!(outcome.media.frames.get("video").copied().unwrap_or(0) > 30);
    let transceivers = outcome.page.as_ref().unwrap()["transceivers"]
        .as_array()
        .unwrap();
    for t in transceivers {
        assert_eq!(
            t["currentDirection"],
            "sendrecv",
            "{}",
            outcome.diagnostics()
        );
    }
}

/// (d) We drop every 20th video packet we send (5%); Chromium NACKs them, we answer with RTX
/// from the send history, its key frame requests go to its own sender, and it keeps decoding.
#[test]
fn chrome_nacks_our_lost_video_we_answer_with_rtx_and_it_keeps_decoding() {
    let mut s = Scenario::new(
        "echo at 5% loss",
        vec![ChannelPlan::new("data", Creator::Browser, &[])],
    );
    s.drop_our_video_every = Some(20);
    let Some(outcome) = echo_and_check(s) else {
        return;
    };
    let media = &outcome.media;
    let inbound = &outcome.page.as_ref().unwrap()["stats"]["inbound"]["video"];
    assert!(media.dropped_video > 0, "{media:#?}");
    assert!(
        inbound["nackCount"].as_u64().unwrap_or(0) > 0,
        "{inbound}\n{media:#?}"
    );
    assert!(media.rtx_sent > 0, "{media:#?}");
    eprintln!(
        "dropped {} of ours, {} RTX sent, {} key frame requests forwarded; page: nackCount {} pliCount {}",
        media.dropped_video,
        media.rtx_sent,
        media.keyframe_requests,
        inbound["nackCount"],
        inbound["pliCount"]
    );
}

/// (e) AEAD_AES_128_GCM and AES_CM_128_HMAC_SHA1_80, each the only profile we offer, each
/// carrying the echo.
#[test]
fn each_srtp_profile_carries_media_with_chrome() {
    // Chromium names the profiles as BoringSSL does.
    for (profile, name, chromium_name) in [
        (
            SrtpProfileId::AEAD_AES_128_GCM,
            "AEAD_AES_128_GCM",
            "SRTP_AEAD_AES_128_GCM",
        ),
        (
            SrtpProfileId::AES128_CM_HMAC_SHA1_80,
            "AES_CM_128_HMAC_SHA1_80",
            "SRTP_AES128_CM_HMAC_SHA1_80",
        ),
    ] {
        let mut s = Scenario::new(name, vec![ChannelPlan::new("data", Creator::Browser, &[])]);
        s.config.srtp_profiles = vec![profile];
        let Some(outcome) = echo_and_check(s) else {
            return;
        };
        assert_eq!(outcome.negotiated.unwrap().srtp_profile, Some(profile));
        assert_eq!(
            outcome.page_transport()["srtpCipher"],
            chromium_name,
            "{}",
            outcome.diagnostics()
        );
    }
}

/// Where pictures worth keeping go: `SANSRTC_ARTIFACTS` (set by `.ci/run`), else the temp
/// directory.
fn artifacts() -> std::path::PathBuf {
    let dir = std::env::var_os("SANSRTC_ARTIFACTS").map_or_else(
        || std::env::temp_dir().join("sansrtc-artifacts"),
        std::path::PathBuf::from,
    );
    std::fs::create_dir_all(&dir).expect("artifact directory");
    dir
}

/// The `browser_echo` example (`crates/sansrtc/examples/browser_echo.rs`) as a person would
/// run it, headless Chromium with its fake camera as the person: the page (its `?auto` mode)
/// sees its own video and audio come back decoded, draws the echoed video into a canvas and
/// sends the picture, which is kept (`browser_echo.png` in the artifact directory); the
/// picture has the test pattern's contrast, not a black or flat frame.
#[test]
fn browser_echo_example_shows_the_echoed_video_in_chrome() {
    let picture = artifacts().join("browser_echo.png");
    let _ = std::fs::remove_file(&picture);
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let path = picture.to_string_lossy().into_owned();
    let Some(run) = sansrtc_interop::example::run_with_chromium(
        "browser_echo",
        &[
            ("BROWSER_ECHO_ONCE", "1"),
            ("BROWSER_ECHO_SCREENSHOT", &path),
        ],
        "?auto",
        std::time::Duration::from_secs(40),
    ) else {
        return;
    };
    assert!(run.succeeded(), "{}", run.why());
    let verdict: serde_json::Value = serde_json::from_str(
        run.line_after("browser_echo: the page says ")
            .unwrap_or_else(|| panic!("no verdict\n{}", run.why())),
    )
    .expect("the verdict is JSON");
    eprintln!("browser_echo in Chromium: {verdict}");
    assert!(
        verdict["framesDecoded"].as_u64().unwrap_or(0) > 30,
        "{verdict}"
    );
    assert!(
        verdict["audioPackets"].as_u64().unwrap_or(0) > 100,
        "{verdict}"
    );
    assert_eq!(verdict["echoedText"], "hello, echo");
    assert!(verdict["width"].as_u64().unwrap_or(0) >= 160, "{verdict}");
    let (mean, stddev) = (
        verdict["mean"].as_f64().unwrap_or(0.0),
        verdict["stddev"].as_f64().unwrap_or(0.0),
    );
    assert!(
        (10.0..245.0).contains(&mean),
        "brightness {mean}: a blank picture"
    );
    assert!(stddev > 10.0, "contrast {stddev}: a flat picture");
    let png = std::fs::read(&picture).expect("the picture was written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    eprintln!("picture of the echoed video: {}", picture.display());
}

/// (f) The `sfu` example with two headless Chromiums: the first publishes simulcast (three
/// layers, rids `q`, `h`, `f`), the second publishes plainly and receives. The SFU receives
/// all three layers, forwards one to the second browser, which decodes it, then switches to
/// `f` at a key frame: the second browser keeps decoding, now at a larger size.
#[test]
fn sfu_forwards_one_simulcast_layer_and_switches_layers_while_chrome_decodes() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let Some(run) = sansrtc_interop::example::run_with_chromiums(
        "sfu",
        &[("SFU_ONCE", "1"), ("SFU_SWITCH_AFTER", "45")],
        &["?auto&simulcast", "?auto"],
        std::time::Duration::from_secs(90),
    ) else {
        return;
    };
    eprintln!("sfu with two Chromiums: {:?}", run.elapsed);
    assert!(run.succeeded(), "{}", run.why());
    assert!(
        run.output.iter().any(|l| l.contains("switched to layer f")),
        "{}",
        run.why()
    );
    let verdict: serde_json::Value = serde_json::from_str(
        run.line_after("sfu: participant 2 says ")
            .unwrap_or_else(|| panic!("no verdict\n{}", run.why())),
    )
    .expect("the verdict is JSON");
    eprintln!("the subscriber decoded: {verdict}");
    let widths = verdict["widths"].as_array().expect("widths");
    assert!(widths.len() >= 2, "{verdict}");
    assert!(
        verdict["framesDecoded"].as_u64().unwrap_or(0) > 30,
        "{verdict}"
    );
    let layers = run
        .line_after("sfu: layers received ")
        .unwrap_or_else(|| panic!("no layer count\n{}", run.why()));
    for rid in ["q", "h", "f"] {
        assert!(layers.contains(&format!("\"{rid}\"")), "{layers}");
    }
}
