//! Our PeerConnection against headless Chromium on 127.0.0.1: data channels both ways, in
//! both offer directions, both DTLS roles, with pre-negotiated and partially reliable
//! channels, and beside audio and video that we answer receive-only. Every scenario is judged on
//! both sides: our counters (each message of the page echoed, each of ours echoed back equal)
//! and the page's verdict (each of its messages echoed back byte for byte, each of ours
//! received), plus what `getStats()` says was negotiated, checked against our side.
//! Beside those: Chromium relayed through coturn (`iceTransportPolicy: "relay"`), an ICE
//! restart from Chromium's side with messages before and after, and the `browser_chat`
//! example run as a person would, with Chromium as the person.
//!
//! One fresh Chromium per scenario, one scenario at a time (2 cores). Run with
//! `cargo test -p sansrtc-interop --test chrome_data_channels -- --nocapture` to see what was
//! negotiated (and `SANSRTC_CHROME_VERBOSE=1` for both sides' logs, SDP and counters). Skips when Chromium is missing, fails then under `CI`.

use std::sync::{Mutex, PoisonError};

use std::net::Ipv4Addr;
use std::time::Duration;

use sansrtc::{AnswerSetup, CandidateKind, Config, DtlsRole, Reliability};
use sansrtc_interop::coturn::{Coturn, CoturnOptions, PASSWORD, USER};
use sansrtc_interop::example::run_with_chromium;
use sansrtc_interop::peer_connection::{
    ChannelPlan, Creator, Message, Offerer, Outcome, Scenario, iana_suite_name, ice_ufrag,
    is_loopback_udp_candidate, loopback_only, run, stats_srtp_name,
};
use serde_json::json;

/// One browser at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Text and binary, up to the 256 KiB both sides announce as `a=max-message-size`.
const FULL: [Message; 8] = [
    Message::text(5),
    Message::text(1000),
    Message::text(20_000),
    Message::binary(1),
    Message::binary(1200),
    Message::binary(16_384),
    Message::binary(65_536),
    Message::binary(262_144),
];

/// A few of each kind, within one and a few packets.
const SOME: [Message; 5] = [
    Message::text(5),
    Message::text(1000),
    Message::binary(1),
    Message::binary(1200),
    Message::binary(16_384),
];

/// One of each kind.
const ONE_EACH: [Message; 2] = [Message::text(12), Message::binary(1200)];

fn unordered(mut plan: ChannelPlan) -> ChannelPlan {
    plan.ordered = false;
    plan
}

/// Runs `scenario`, or `None` when Chromium is missing (the test skips).
fn scenario(scenario: &Scenario) -> Option<Outcome> {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let outcome = run(scenario)?;
    eprintln!("{}", outcome.summary());
    if std::env::var_os("SANSRTC_CHROME_VERBOSE").is_some() {
        eprintln!("{}", outcome.diagnostics());
    }
    Some(outcome)
}

/// What every scenario must show, on both sides: the page's verdict, every message echoed
/// both ways, ordered channels in order, and the same DTLS parameters on both sides.
fn assert_both_sides(scenario: &Scenario, outcome: &Outcome, our_role: DtlsRole) {
    let why = || outcome.diagnostics();
    let rounds = scenario.rounds();
    assert!(outcome.page_ok(), "the page failed:\n{}", why());
    assert!(outcome.ours_complete, "our side did not finish:\n{}", why());
    for plan in &scenario.channels {
        let ours = outcome.ours(&plan.label);
        let page = outcome.page_channel(&plan.label);
        assert!(
            ours.opened,
            "{} not open on our side:\n{}",
            plan.label,
            why()
        );
        assert_eq!(
            ours.echoed,
            rounds * plan.browser_sends.len(),
            "{}",
            plan.label
        );
        assert_eq!(ours.verified, rounds * plan.we_send.len(), "{}", plan.label);
        assert!(ours.mismatches.is_empty(), "{}:\n{}", plan.label, why());
        assert!(ours.send_errors.is_empty(), "{}:\n{}", plan.label, why());
        assert_eq!(
            page["echoed"],
            rounds * plan.browser_sends.len(),
            "{}",
            plan.label
        );
        assert_eq!(
            page["fromPeer"],
            rounds * plan.we_send.len(),
            "{}",
            plan.label
        );
        assert_eq!(page["mismatches"].as_array().map(Vec::len), Some(0));
        if plan.ordered {
            assert_eq!(ours.out_of_order, 0, "{}:\n{}", plan.label, why());
            assert_eq!(page["outOfOrder"], 0, "{}:\n{}", plan.label, why());
        }
        let largest = |m: &[Message]| m.iter().map(|m| m.len).max().unwrap_or(0);
        if plan.browser_sends.iter().any(|m| m.len > 100_000) {
            assert_eq!(ours.largest, largest(&plan.browser_sends), "{}", plan.label);
        }
        // The stream id both sides use is the same.
        assert_eq!(
            page["id"].as_u64(),
            ours.stream_id.map(u64::from),
            "{}",
            plan.label
        );
    }
    let negotiated = outcome.negotiated.expect("DTLS negotiated");
    assert_eq!(negotiated.dtls_role, our_role, "{}", why());
    // Chromium 156's SCTP (dcSCTP) announces partial reliability and stream reconfiguration,
    // not I-DATA nor zero checksums: we use exactly the first two.
    let sctp = outcome.sctp.expect("SCTP up");
    assert!(sctp.forward_tsn && sctp.reconfig, "{sctp:?}");
    assert!(!sctp.interleaving && !sctp.zero_checksum, "{sctp:?}");
    let transport = outcome.page_transport();
    assert_eq!(transport["dtlsState"], "connected", "{}", why());
    // Chromium offers DTLS 1.3 when it is the client; we speak 1.2 either way.
    assert_eq!(transport["tlsVersion"], "FEFD", "{}", why());
    let their_role = match our_role {
        DtlsRole::Client => "server",
        DtlsRole::Server => "client",
    };
    assert_eq!(transport["dtlsRole"], their_role, "{}", why());
    assert_eq!(
        transport["dtlsCipher"],
        iana_suite_name(&negotiated),
        "{}",
        why()
    );
    if let Some(profile) = stats_srtp_name(&negotiated) {
        assert_eq!(transport["srtpCipher"], profile, "{}", why());
    }
    let opened = &outcome.page.as_ref().unwrap()["stats"]["peerConnection"]["dataChannelsOpened"];
    assert_eq!(
        opened.as_u64(),
        Some(scenario.channels.len() as u64),
        "{}",
        why()
    );
}

/// (a) Chromium offers an ordered and an unordered channel; we answer; each carries text and
/// binary both ways, up to 256 KiB.
#[test]
fn chrome_offers_ordered_and_unordered_channels_we_answer() {
    let s = Scenario::new(
        "chrome offers, we answer",
        vec![
            ChannelPlan::new("ordered", Creator::Browser, &FULL),
            unordered(ChannelPlan::new("unordered", Creator::Browser, &FULL)),
        ],
    );
    let Some(outcome) = scenario(&s) else { return };
    assert_both_sides(&s, &outcome, DtlsRole::Client);
    let page = outcome.page_channel("unordered");
    assert_eq!(page["ordered"], false);
    let info = outcome.ours("unordered").info.clone().unwrap();
    assert!(!info.config.ordered && info.opened_by_peer);
}

/// (b) We offer (and create both channels); Chromium answers.
#[test]
fn we_offer_ordered_and_unordered_channels_chrome_answers() {
    let mut s = Scenario::new(
        "we offer, chrome answers",
        vec![
            ChannelPlan::new("ordered", Creator::Us, &FULL),
            unordered(ChannelPlan::new("unordered", Creator::Us, &FULL)),
        ],
    );
    s.offerer = Offerer::Us;
    let Some(outcome) = scenario(&s) else { return };
    // Chromium answers an actpass offer with a=setup:active: it is the DTLS client.
    assert_both_sides(&s, &outcome, DtlsRole::Server);
    assert!(
        outcome.answer.contains("a=setup:active"),
        "{}",
        outcome.answer
    );
    assert_eq!(outcome.page_channel("unordered")["ordered"], false);
}

/// (c) A pre-negotiated channel (`negotiated: true, id: 7` on both sides, no DCEP) and a
/// partially reliable, unordered channel (`maxRetransmits: 0`) opened by each side.
#[test]
fn pre_negotiated_and_partially_reliable_channels() {
    let mut negotiated = ChannelPlan::new("negotiated", Creator::Both, &SOME);
    negotiated.negotiated_id = Some(7);
    negotiated.protocol = "sansrtc-test".to_owned();
    let mut partial_page = unordered(ChannelPlan::new("partial-page", Creator::Browser, &SOME));
    partial_page.max_retransmits = Some(0);
    let mut partial_ours = unordered(ChannelPlan::new("partial-ours", Creator::Us, &SOME));
    partial_ours.max_retransmits = Some(0);
    let s = Scenario::new(
        "pre-negotiated and partially reliable",
        vec![negotiated, partial_page, partial_ours],
    );
    let Some(outcome) = scenario(&s) else { return };
    assert_both_sides(&s, &outcome, DtlsRole::Client);
    let page = outcome.page_channel("negotiated");
    assert_eq!(page["negotiated"], true);
    assert_eq!(page["id"], 7);
    assert_eq!(outcome.ours("negotiated").stream_id, Some(7));
    // What Chromium made of our DATA_CHANNEL_OPEN, and we of its.
    let page = outcome.page_channel("partial-ours");
    assert_eq!(page["ordered"], false);
    assert_eq!(page["maxRetransmits"], 0);
    let info = outcome.ours("partial-page").info.clone().unwrap();
    assert!(!info.config.ordered);
    assert_eq!(info.config.reliability, Reliability::MaxRetransmits(0));
}

/// (d) Chromium relays everything through coturn on 127.0.0.1 (`iceTransportPolicy:
/// "relay"`, a `turn:` URL with the long-term credentials); we answer with our host
/// candidate only. Chromium's selected pair is relayed; ours runs from our host candidate to
/// Chromium's relayed address on coturn.
#[test]
fn chrome_relays_through_coturn_we_answer_with_host_candidates() {
    let Some(coturn) = Coturn::start(&CoturnOptions::default()) else {
        return;
    };
    let mut s = Scenario::new(
        "chrome relayed through coturn",
        vec![ChannelPlan::new("relayed", Creator::Browser, &SOME)],
    );
    s.page_rtc_config = Some(json!({
        "iceServers": [{
            "urls": [format!("turn:{}?transport=udp", coturn.listen)],
            "username": USER,
            "credential": PASSWORD,
        }],
        "iceTransportPolicy": "relay",
    }));
    let Some(outcome) = scenario(&s) else { return };
    let why = || format!("{}\ncoturn log:\n{}", outcome.diagnostics(), coturn.log());
    assert_both_sides(&s, &outcome, DtlsRole::Client);
    // Chromium's side: the selected pair's local candidate is relayed, over UDP to coturn.
    let pair = &outcome.page.as_ref().unwrap()["stats"]["pair"];
    assert_eq!(pair["state"], "succeeded", "{}", why());
    assert_eq!(pair["localType"], "relay", "{}", why());
    assert_eq!(pair["relayProtocol"], "udp", "{}", why());
    assert_eq!(
        pair["localUrl"],
        format!("turn:{}?transport=udp", coturn.listen),
        "{}",
        why()
    );
    // Chromium signaled relayed candidates only (trickled; its offer has none).
    let trickled: Vec<&String> = outcome
        .remote_candidates
        .iter()
        .filter(|l| !l.is_empty())
        .collect();
    assert!(!trickled.is_empty(), "{}", why());
    assert!(
        trickled.iter().all(|l| l.contains(" typ relay ")),
        "{}",
        why()
    );
    assert!(outcome.skipped_candidates.is_empty(), "{}", why());
    // Our side: from our host candidate to Chromium's relayed address on coturn.
    let (local, remote) = outcome.selected_pair.expect("our selected pair");
    assert_eq!(local.kind, CandidateKind::Host, "{}", why());
    assert_eq!(remote.address.ip(), Ipv4Addr::LOCALHOST, "{}", why());
    let (first, last) = coturn.relay_ports;
    assert!(
        (first..=last).contains(&remote.address.port()),
        "our selected pair's remote {remote:?} is not on coturn's relay ports {first}-{last}:\n{}",
        why()
    );
    assert_eq!(
        pair["local"],
        format!("{} relay", remote.address),
        "{}",
        why()
    );
}

/// (e) Once the channel carried every message both ways, Chromium restarts ICE
/// (`createOffer({iceRestart: true})`) and sends the new offer over the same route; we answer
/// with new credentials too (our ICE restarts on the new remote ufrag). The channel keeps
/// working: every message goes both ways again, after Chromium selected a pair of the new
/// generation.
#[test]
fn chrome_restarts_ice_and_the_channel_keeps_working() {
    let mut s = Scenario::new(
        "chrome restarts ICE",
        vec![ChannelPlan::new("restart", Creator::Browser, &SOME)],
    );
    s.page_restarts_ice = true;
    let Some(outcome) = scenario(&s) else { return };
    let why = || outcome.diagnostics();
    assert_both_sides(&s, &outcome, DtlsRole::Client);
    assert_eq!(outcome.renegotiations.len(), 1, "{}", why());
    let (offer2, answer2) = &outcome.renegotiations[0];
    let (chrome1, chrome2) = (ice_ufrag(&outcome.offer), ice_ufrag(offer2));
    let (ours1, ours2) = (ice_ufrag(&outcome.answer), ice_ufrag(answer2));
    assert!(chrome1.is_some() && ours1.is_some(), "{}", why());
    assert_ne!(
        chrome1,
        chrome2,
        "Chromium's ufrag did not change:\n{}",
        why()
    );
    assert_ne!(ours1, ours2, "our ufrag did not change:\n{}", why());
    // The page saw the same: its own ufrag and ours changed, and its selected pair after the
    // restart is of the new generation.
    let restart = &outcome.page.as_ref().unwrap()["restart"];
    assert_eq!(restart["done"], true, "{}", why());
    assert_eq!(restart["localUfragBefore"].as_str(), chrome1, "{}", why());
    assert_eq!(restart["localUfragAfter"].as_str(), chrome2, "{}", why());
    assert_eq!(restart["remoteUfragBefore"].as_str(), ours1, "{}", why());
    assert_eq!(restart["remoteUfragAfter"].as_str(), ours2, "{}", why());
    assert_eq!(
        restart["pairAfter"]["localUfrag"].as_str(),
        chrome2,
        "{}",
        why()
    );
    assert_eq!(restart["pairAfter"]["state"], "succeeded", "{}", why());
    // One DTLS association and one channel throughout: no new handshake, no new channel.
    assert_eq!(restart["transport"]["dtlsState"], "connected", "{}", why());
    let ours = outcome.ours("restart");
    assert_eq!(ours.echoed, 2 * SOME.len(), "{}", why());
    assert_eq!(ours.verified, 2 * SOME.len(), "{}", why());
}

fn dtls_role_scenario(setup: AnswerSetup) -> (Scenario, Option<Outcome>) {
    let mut s = Scenario::new(
        &format!("answer {setup:?}"),
        vec![ChannelPlan::new("dtls", Creator::Browser, &ONE_EACH)],
    );
    s.config = Config {
        answer_setup: setup,
        ..Config::default()
    };
    let outcome = scenario(&s);
    (s, outcome)
}

/// (f) We answer `a=setup:passive`: Chromium is the DTLS client, offering DTLS 1.3 with an
/// X25519MLKEM768 key share in a ClientHello over two datagrams; we settle on 1.2.
#[test]
fn we_answer_passive_and_chrome_is_the_dtls_client() {
    let (s, outcome) = dtls_role_scenario(AnswerSetup::Passive);
    let Some(outcome) = outcome else { return };
    assert!(
        outcome.answer.contains("a=setup:passive"),
        "{}",
        outcome.answer
    );
    assert_both_sides(&s, &outcome, DtlsRole::Server);
}

/// (f) We answer `a=setup:active`: we are the DTLS client.
#[test]
fn we_answer_active_and_are_the_dtls_client() {
    let (s, outcome) = dtls_role_scenario(AnswerSetup::Active);
    let Some(outcome) = outcome else { return };
    assert!(
        outcome.answer.contains("a=setup:active"),
        "{}",
        outcome.answer
    );
    assert_both_sides(&s, &outcome, DtlsRole::Client);
}

/// (g) Chromium offers a camera and a microphone (fake devices) and a data channel; we
/// answer the media sections receive-only (a transceiver made for each offered section, as
/// the browser makes them); Chromium accepts the answer, sends, and the channel works.
#[test]
fn chrome_offers_audio_video_and_data_we_answer_media_recvonly() {
    let mut s = Scenario::new(
        "audio, video and data",
        vec![ChannelPlan::new("data", Creator::Browser, &SOME)],
    );
    s.media = true;
    let Some(outcome) = scenario(&s) else { return };
    assert_both_sides(&s, &outcome, DtlsRole::Client);
    let page = outcome.page.as_ref().unwrap();
    assert_eq!(
        page["signalingState"],
        "stable",
        "{}",
        outcome.diagnostics()
    );
    let transceivers = page["transceivers"].as_array().unwrap();
    let kinds: Vec<&str> = transceivers
        .iter()
        .filter_map(|t| t["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["audio", "video"], "{}", outcome.diagnostics());
    for t in transceivers {
        assert_eq!(
            t["currentDirection"],
            "sendonly",
            "{}",
            outcome.diagnostics()
        );
    }
    assert!(outcome.offer.contains("m=audio") && outcome.offer.contains("m=video"));
    assert!(
        outcome.answer.contains("m=audio") && outcome.answer.contains("m=video"),
        "{}",
        outcome.answer
    );
}

/// Chromium gathers on every interface; only its UDP candidates on 127.0.0.1 reach our side,
/// so nothing we send leaves the machine.
#[test]
fn only_udp_candidates_on_127_0_0_1_reach_our_side() {
    assert!(is_loopback_udp_candidate(
        "candidate:998443224 1 udp 2122194687 127.0.0.1 43788 typ host generation 0"
    ));
    for foreign in [
        "candidate:2512295764 1 udp 2122063615 192.0.2.2 34165 typ host generation 0",
        "candidate:1162668608 1 tcp 1518214911 127.0.0.1 9 typ host tcptype active",
        "candidate:379247619 1 udp 2122267903 ::1 59024 typ host",
        "candidate:1 1 udp 1 0a1b2c3d.local 5 typ host",
    ] {
        assert!(!is_loopback_udp_candidate(foreign), "{foreign}");
    }
    let mut skipped = Vec::new();
    let sdp = "v=0\r\na=candidate:1 1 udp 1 127.0.0.1 5 typ host\r\na=candidate:2 1 udp 1 192.0.2.2 5 typ host\r\na=mid:0\r\n";
    assert_eq!(
        loopback_only(sdp, &mut skipped),
        "v=0\r\na=candidate:1 1 udp 1 127.0.0.1 5 typ host\r\na=mid:0\r\n"
    );
    assert_eq!(skipped, ["a=candidate:2 1 udp 1 192.0.2.2 5 typ host"]);
}

/// (h) The `browser_chat` example (`crates/sansrtc/examples/browser_chat.rs`) as a person
/// would run it, with headless Chromium as the person: the example serves its page and
/// signals over a WebSocket; the page (in its `?auto` mode) offers the `chat` channel, sends
/// a line, and reports what it received. Our side (the example's output) heard the page's
/// line; the page received our greeting and our answer to its line. With
/// `BROWSER_CHAT_ONCE=1` the example exits 0 only after both.
#[test]
fn browser_chat_example_chats_with_chrome() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let Some(run) = run_with_chromium(
        "browser_chat",
        &[("BROWSER_CHAT_ONCE", "1")],
        "?auto",
        Duration::from_secs(20),
    ) else {
        return;
    };
    let output = &run.output;
    let why = || run.why();
    eprintln!("browser_chat with Chromium: {:?}", run.elapsed);
    assert!(run.succeeded(), "{}", why());
    // Our side heard the page's line (and answered it).
    assert!(
        output
            .iter()
            .any(|l| l == "browser_chat: the page says: hello from the page"),
        "{}",
        why()
    );
    // The page received our greeting and our answer, in that order (one ordered channel).
    let verdict = run
        .line_after("browser_chat: the page received ")
        .unwrap_or_else(|| panic!("no verdict from the page:\n{}", why()));
    let received: Vec<String> = serde_json::from_str(verdict).expect("the verdict is JSON");
    assert_eq!(
        received,
        ["hello from sansrtc", "sansrtc heard: hello from the page"],
        "{}",
        why()
    );
    assert!(
        output.iter().any(|l| l == "browser_chat: Connected"),
        "{}",
        why()
    );
}
