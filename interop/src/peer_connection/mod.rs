//! Our [`PeerConnection`] against a real browser: headless Chromium on a page served from
//! 127.0.0.1, our side on a UDP socket bound to 127.0.0.1 and driven by the wall clock, and
//! signaling over HTTP (plain SDP bodies, trickled candidates both ways).
//!
//! A [`Scenario`] says who offers, which data channels exist (created by the page, by us, or
//! pre-negotiated on both sides) and which messages each side sends on each. Both sides echo
//! what the other sent, unchanged and as the same kind, and check the echoes of their own
//! messages byte for byte. The page then posts its verdict and `getStats()` facts to
//! `/result`; [`run`] returns them with our own counters in an [`Outcome`] for the test to
//! judge.
//!
//! Messages carry a header so both sides can tell an original from an echo: the origin (`P`
//! for the page, `R` for us), the index in the sender's list, and `|`; text is UTF-8 after it,
//! binary a fixed pseudo-random sequence.
//!
//! HTTP routes: `GET /` (the page, `peer_connection.html`), `POST /offer` (the browser's
//! offer, answered with ours), `GET /offer` and `POST /answer` (when we offer),
//! `POST /candidate` (one of the browser's candidates; an empty body ends them),
//! `GET /candidates?from=N` (ours, as JSON), `POST /log` and `POST /result`.
//!
//! Only 127.0.0.1 is used: the browser's candidates on other addresses are never given to our
//! side, and any datagram our side would send elsewhere is dropped and counted.
#![expect(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "interop tests drive a PeerConnection over a real loopback socket with the real clock"
)]

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sansrtc::{
    ChannelId, ConnectionState, Direction, Event, MediaKind, MessageKind, PeerConnection,
    ReceiveMode, SdpType, TransceiverId,
};
use sansrtc_proto::{Protocol, Receive, SansIo};
use serde_json::{Value, json};

use crate::TempDir;
use crate::browser::{Browser, HttpServer, Request, Response};

mod scenario;

pub use scenario::*;

/// Signaling state shared with the HTTP thread.
#[derive(Debug, Default)]
struct Signal {
    page: String,
    /// The browser's offer, waiting for us.
    browser_offer: Option<String>,
    /// Our answer to it, waiting for the HTTP thread.
    answer_for_browser: Option<Result<String, String>>,
    /// Our offer.
    our_offer: Option<String>,
    /// The browser's answer, waiting for us.
    browser_answer: Option<String>,
    /// The browser's candidates not yet given to our side.
    remote_candidates: Vec<String>,
    /// Our candidates so far.
    local_candidates: Vec<String>,
    /// Our gathering is complete.
    local_done: bool,
    /// The mid for our trickled candidates.
    mid: String,
    log: Vec<String>,
    result: Option<Vec<u8>>,
    stopping: bool,
}

type Shared = Arc<(Mutex<Signal>, Condvar)>;

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, Signal> {
    shared.0.lock().unwrap_or_else(PoisonError::into_inner)
}

fn text(body: &[u8]) -> String {
    String::from_utf8_lossy(body).into_owned()
}

fn handle(shared: &Shared, request: &Request) -> Response {
    let (path, query) = request
        .path
        .split_once('?')
        .unwrap_or((request.path.as_str(), ""));
    match (request.method.as_str(), path) {
        ("GET", "/") => (200, "text/html", lock(shared).page.clone().into_bytes()),
        ("GET", "/offer") => match lock(shared).our_offer.clone() {
            Some(offer) => (200, "application/sdp", offer.into_bytes()),
            None => (404, "text/plain", b"no offer".to_vec()),
        },
        ("POST", "/offer") => {
            let mut s = lock(shared);
            s.browser_offer = Some(text(&request.body));
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                if let Some(answer) = s.answer_for_browser.take() {
                    return match answer {
                        Ok(sdp) => (200, "application/sdp", sdp.into_bytes()),
                        Err(e) => (500, "text/plain", e.into_bytes()),
                    };
                }
                let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                    return (500, "text/plain", b"no answer in time".to_vec());
                };
                if s.stopping {
                    return (500, "text/plain", b"stopping".to_vec());
                }
                s = shared
                    .1
                    .wait_timeout(s, left)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
        }
        ("POST", "/answer") => {
            lock(shared).browser_answer = Some(text(&request.body));
            (200, "text/plain", Vec::new())
        }
        ("POST", "/candidate") => {
            lock(shared)
                .remote_candidates
                .push(text(&request.body).trim().to_owned());
            (200, "text/plain", Vec::new())
        }
        ("GET", "/candidates") => {
            let from: usize = query
                .strip_prefix("from=")
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let s = lock(shared);
            let lines = s.local_candidates.get(from..).unwrap_or_default();
            let body = json!({"lines": lines, "done": s.local_done, "mid": s.mid});
            (200, "application/json", body.to_string().into_bytes())
        }
        ("POST", "/log") => {
            lock(shared).log.push(text(&request.body));
            (200, "text/plain", Vec::new())
        }
        ("POST", "/result") => {
            lock(shared).result = Some(request.body.clone());
            (200, "text/plain", Vec::new())
        }
        _ => (404, "text/plain", Vec::new()),
    }
}

/// Whether a trickled candidate (`candidate:...`) is UDP on 127.0.0.1, the only kind our
/// side may use here.
pub fn is_loopback_udp_candidate(line: &str) -> bool {
    let fields: Vec<&str> = line
        .trim()
        .trim_start_matches("a=")
        .trim_start_matches("candidate:")
        .split_whitespace()
        .collect();
    fields.len() > 5
        && fields[2].eq_ignore_ascii_case("udp")
        && fields[4].parse::<Ipv4Addr>() == Ok(Ipv4Addr::LOCALHOST)
}

/// A description without its candidates other than UDP on 127.0.0.1 (those are added to
/// `skipped`).
pub fn loopback_only(sdp: &str, skipped: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(sdp.len());
    for line in sdp.split_inclusive('\n') {
        let bare = line.trim_end();
        if bare.starts_with("a=candidate:") && !is_loopback_udp_candidate(bare) {
            skipped.push(bare.to_owned());
            continue;
        }
        out.push_str(line);
    }
    out
}

/// The value of the first `a=ice-ufrag` line of a description.
pub fn ice_ufrag(sdp: &str) -> Option<&str> {
    sdp.lines()
        .find_map(|l| l.trim().strip_prefix("a=ice-ufrag:"))
        .map(str::trim)
}

/// The header of a message: origin byte and index.
fn header(data: &[u8]) -> Option<(u8, usize)> {
    let (&origin, rest) = data.split_first()?;
    let bar = rest.iter().take(12).position(|&b| b == b'|')?;
    let index = std::str::from_utf8(&rest[..bar]).ok()?.parse().ok()?;
    Some((origin, index))
}

/// Our message `index` of `spec`, from `origin`.
fn make_message(origin: u8, index: usize, spec: Message) -> Vec<u8> {
    let head = format!("{}{index}|", char::from(origin));
    match spec.kind {
        MessageKind::Text => {
            let mut s = head;
            let pattern = "héllo wörld ✓ 0123456789 ";
            'fill: loop {
                for c in pattern.chars() {
                    if s.len() + c.len_utf8() > spec.len {
                        break 'fill;
                    }
                    s.push(c);
                }
            }
            s.into_bytes()
        }
        _ => {
            let mut out = head.into_bytes();
            let mut x = (index as u32 + 1).wrapping_mul(2_654_435_761);
            while out.len() < spec.len {
                x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                out.push((x >> 24) as u8);
            }
            out
        }
    }
}

/// Runs one scenario. `None` when Chromium is missing outside CI (the test skips).
///
/// # Panics
/// When Chromium is missing under CI, or the socket, the server or the browser cannot start.
pub fn run(scenario: &Scenario) -> Option<Outcome> {
    Browser::Chromium.require()?;
    let started = Instant::now();
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
    let local = socket.local_addr().expect("local address");
    let mut pc = PeerConnection::new(scenario.config.clone(), started).expect("PeerConnection");
    pc.add_local_addresses(started, &[local]);

    if scenario.media && scenario.offerer == Offerer::Us {
        // What we offer: audio and video both ways.
        pc.add_transceiver(MediaKind::Audio, Direction::SendRecv);
        pc.add_transceiver(MediaKind::Video, Direction::SendRecv);
    }
    let mut by_id: BTreeMap<ChannelId, usize> = BTreeMap::new();
    for (i, plan) in scenario.channels.iter().enumerate() {
        if matches!(plan.creator, Creator::Us | Creator::Both) {
            let id = pc.create_data_channel(started, plan.our_config());
            by_id.insert(id, i);
        }
    }

    let page_config = json!({
        "offerer": if scenario.offerer == Offerer::Browser { "page" } else { "us" },
        "media": scenario.media,
        "deadlineMs": scenario.page_deadline.as_millis() as u64,
        "channels": scenario.channels.iter().map(ChannelPlan::page_json).collect::<Vec<_>>(),
        "rtc": scenario.page_rtc_config,
        "restartIce": scenario.page_restarts_ice,
        "inbound": scenario.echo_media_until.map(|(audio, video)| json!({
            "audioPackets": audio, "framesDecoded": video,
        })),
    });
    let shared: Shared = Arc::default();
    let mut offer = String::new();
    {
        let mut s = lock(&shared);
        s.page = PAGE.replace("/*CONFIG*/null", &page_config.to_string());
        s.mid = pc.data_mid().to_owned();
        if scenario.offerer == Offerer::Us {
            offer = pc.create_offer().expect("our offer");
            pc.set_local_description(started, SdpType::Offer, &offer)
                .expect("our offer applies");
            s.our_offer = Some(offer.clone());
        }
    }
    let server = {
        let shared = shared.clone();
        HttpServer::start(move |request| handle(&shared, request)).expect("HTTP server")
    };
    let profile = TempDir::new("chrome-pc").expect("profile directory");
    let browser = Browser::Chromium
        .launch(&format!("{}/", server.url()), &profile)
        .expect("Chromium starts");

    let mut run = Run {
        pc,
        socket,
        local,
        started,
        plans: &scenario.channels,
        rounds: scenario.rounds(),
        by_id,
        sent: vec![Vec::new(); scenario.channels.len()],
        tallies: vec![ChannelTally::default(); scenario.channels.len()],
        remote_set: false,
        offer,
        answer: String::new(),
        renegotiations: Vec::new(),
        connected_after: None,
        events: Vec::new(),
        signaling_errors: Vec::new(),
        rejected: Vec::new(),
        skipped: Vec::new(),
        remote_candidates: Vec::new(),
        not_loopback: BTreeMap::new(),
        out: Vec::with_capacity(2048),
        input: vec![0; 65536],
        media: MediaTally::default(),
        media_goal: scenario.receive_media_until,
        echo: scenario.echo_media_until.is_some(),
        drop_video_every: scenario.drop_our_video_every,
        video_sent: 0,
        video_ssrcs: None,
    };
    let deadline = started + scenario.timeout;
    let mut page: Option<Value> = None;
    while Instant::now() < deadline {
        run.signaling(&shared);
        run.step();
        if page.is_none()
            && let Some(body) = lock(&shared).result.take()
        {
            page = Some(
                serde_json::from_slice(&body)
                    .unwrap_or_else(|e| json!({"ok": false, "error": format!("bad JSON: {e}")})),
            );
        }
        let page_failed = page.as_ref().is_some_and(|p| p["ok"] != true);
        if page_failed || (page.is_some() && run.complete()) {
            break;
        }
    }
    let elapsed = started.elapsed();
    lock(&shared).stopping = true;
    shared.1.notify_all();
    let ours_complete = run.complete();
    let stats = run.pc.stats();
    let selected_pair = stats
        .transport
        .selected_candidate_pair
        .and_then(|i| stats.candidate_pairs.get(i))
        .map(|p| (p.local, p.remote));
    let log = lock(&shared).log.clone();
    drop(browser);
    let browser_log = std::fs::read_to_string(profile.path().join("browser.log"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.contains("dbus/"))
        .rev()
        .take(40)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join("\n");
    drop(server);
    Some(Outcome {
        name: scenario.name.clone(),
        browser_version: Browser::Chromium.version(),
        elapsed,
        connected_after: run.connected_after,
        ours_complete,
        page,
        channels: scenario
            .channels
            .iter()
            .map(|p| p.label.clone())
            .zip(run.tallies)
            .collect(),
        negotiated: run.pc.negotiated(),
        sctp: run.pc.sctp_features(),
        offer: run.offer,
        answer: run.answer,
        renegotiations: run.renegotiations,
        selected_pair,
        signaling_errors: run.signaling_errors,
        page_log: log,
        events: run.events,
        rejected: run.rejected,
        skipped_candidates: run.skipped,
        remote_candidates: run.remote_candidates,
        not_loopback: run.not_loopback,
        browser_log,
        media: run.media,
    })
}

/// Our side of a running scenario.
struct Run<'a> {
    pc: PeerConnection,
    socket: UdpSocket,
    local: SocketAddr,
    started: Instant,
    plans: &'a [ChannelPlan],
    /// How many times each side sends its messages (2 with an ICE restart between).
    rounds: usize,
    /// Our channel handles, by plan index.
    by_id: BTreeMap<ChannelId, usize>,
    /// What we sent on each channel, by plan index.
    sent: Vec<Vec<(MessageKind, Vec<u8>)>>,
    tallies: Vec<ChannelTally>,
    remote_set: bool,
    offer: String,
    answer: String,
    /// Later offer/answer exchanges.
    renegotiations: Vec<(String, String)>,
    connected_after: Option<Duration>,
    events: Vec<String>,
    signaling_errors: Vec<String>,
    rejected: Vec<String>,
    skipped: Vec<String>,
    /// The browser's trickled candidates given to our side.
    remote_candidates: Vec<String>,
    not_loopback: BTreeMap<SocketAddr, usize>,
    out: Vec<u8>,
    input: Vec<u8>,
    media: MediaTally,
    /// Audio packets and video frames to receive before the scenario is complete.
    media_goal: Option<(usize, usize)>,
    /// Send the page's media back.
    echo: bool,
    /// Drop every n-th video RTP packet we send.
    drop_video_every: Option<usize>,
    /// Video RTP packets we sent (or dropped).
    video_sent: usize,
    /// Our video transceiver's send SSRC and RTX SSRC, once it has one.
    video_ssrcs: Option<(u32, Option<u32>)>,
}

impl Run<'_> {
    /// Every channel opened, every message echoed and every echo verified.
    fn complete(&self) -> bool {
        let media_done = self.media_goal.is_none_or(|(audio, video)| {
            self.media.rtp.get("audio").copied().unwrap_or(0) >= audio
                && self.media.frames.get("video").copied().unwrap_or(0) >= video
        });
        media_done
            && self.plans.iter().zip(&self.tallies).all(|(plan, t)| {
                t.opened
                    && t.echoed == self.rounds * plan.browser_sends.len()
                    && t.verified == self.rounds * plan.we_send.len()
                    && t.mismatches.is_empty()
            })
    }

    fn note(&mut self, what: String) {
        let at = self.started.elapsed();
        self.events
            .push(format!("{:>8.1} ms {what}", at.as_secs_f64() * 1e3));
    }

    /// Applies what the page signaled, and publishes our candidates.
    fn signaling(&mut self, shared: &Shared) {
        let now = Instant::now();
        let mut s = lock(shared);
        if let Some(offer) = s.browser_offer.take() {
            let first = self.offer.is_empty();
            if first {
                self.offer.clone_from(&offer);
            }
            let filtered = loopback_only(&offer, &mut self.skipped);
            let echo = self.echo;
            let answer = self
                .pc
                .set_remote_description(now, SdpType::Offer, &filtered)
                .map(|()| {
                    if echo {
                        for t in self.pc.transceivers() {
                            let _ = self.pc.set_direction(t, Direction::SendRecv);
                        }
                    }
                })
                .and_then(|()| self.pc.create_answer())
                .and_then(|answer| {
                    self.pc
                        .set_local_description(now, SdpType::Answer, &answer)
                        .map(|()| answer)
                })
                .map_err(|e| e.to_string());
            match &answer {
                Ok(sdp) if first => self.answer.clone_from(sdp),
                Ok(sdp) => {
                    // An ICE restart: our candidates of the new generation follow, and the
                    // page waits for their end again.
                    if ice_ufrag(sdp) != ice_ufrag(&self.answer) {
                        s.local_done = false;
                    }
                    self.note(format!("answered offer {}", self.renegotiations.len() + 2));
                    self.renegotiations.push((offer, sdp.clone()));
                }
                Err(e) => self.signaling_errors.push(format!("answering: {e}")),
            }
            self.remote_set = true;
            s.mid = self.pc.data_mid().to_owned();
            s.answer_for_browser = Some(answer);
            shared.1.notify_all();
        }
        if let Some(answer) = s.browser_answer.take() {
            self.answer.clone_from(&answer);
            let filtered = loopback_only(&answer, &mut self.skipped);
            if let Err(e) = self
                .pc
                .set_remote_description(now, SdpType::Answer, &filtered)
            {
                self.signaling_errors.push(format!("their answer: {e}"));
            }
            self.remote_set = true;
        }
        if self.remote_set {
            for line in std::mem::take(&mut s.remote_candidates) {
                if line.is_empty() || is_loopback_udp_candidate(&line) {
                    self.remote_candidates.push(line.clone());
                    if let Err(e) = self.pc.add_ice_candidate(now, &line) {
                        self.signaling_errors.push(format!("{line}: {e}"));
                    }
                } else {
                    self.skipped.push(line);
                }
            }
        }
        drop(s);
        // What the calls above produced (candidates, events) goes out now.
        self.drain(shared);
    }

    /// One turn of the loop: wait for a datagram (until the next timer, at most 15 ms), feed
    /// it and any others already queued, fire timers, then drain.
    fn step(&mut self) {
        let now = Instant::now();
        let wait = self
            .pc
            .poll_timeout()
            .map_or(Duration::from_millis(15), |t| {
                t.saturating_duration_since(now)
            })
            .clamp(Duration::from_millis(1), Duration::from_millis(15));
        let _ = self.socket.set_read_timeout(Some(wait));
        let mut first = true;
        for _ in 0..64 {
            match self.socket.recv_from(&mut self.input) {
                Ok((n, source)) => {
                    let receive = Receive {
                        proto: Protocol::Udp,
                        source,
                        destination: self.local,
                        contents: &self.input[..n],
                    };
                    if let Err(e) = self.pc.handle_receive(Instant::now(), receive)
                        && self.rejected.len() < 50
                    {
                        self.rejected.push(format!("from {source}: {e:?}"));
                    }
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    break;
                }
                Err(e) => {
                    self.note(format!("socket error: {e}"));
                    break;
                }
            }
            if first {
                first = false;
                let _ = self.socket.set_nonblocking(true);
            }
        }
        let _ = self.socket.set_nonblocking(false);
        let now = Instant::now();
        if self.pc.poll_timeout().is_some_and(|t| t <= now) {
            self.pc.handle_timeout(now);
        }
    }

    /// Sends what our side has to send and handles its events, until both are exhausted.
    fn drain(&mut self, shared: &Shared) {
        loop {
            let now = Instant::now();
            while let Some(t) = self.pc.poll_transmit(now, &mut self.out) {
                let out = std::mem::take(&mut self.out);
                let drop = self.drop_on_purpose(&out[..t.size]);
                self.out = out;
                if drop {
                    continue;
                }
                if t.destination.ip() != Ipv4Addr::LOCALHOST {
                    *self.not_loopback.entry(t.destination).or_default() += 1;
                    continue;
                }
                if let Err(e) = self.socket.send_to(&self.out[..t.size], t.destination) {
                    self.note(format!("send to {}: {e}", t.destination));
                }
            }
            let mut any = false;
            while let Some(event) = self.pc.poll_event() {
                any = true;
                self.event(shared, event);
            }
            if !any {
                break;
            }
        }
    }

    fn event(&mut self, shared: &Shared, event: Event) {
        let now = Instant::now();
        match event {
            Event::IceCandidate(c) => {
                let line = PeerConnection::candidate_line(&c);
                self.note(format!("local {line}"));
                lock(shared).local_candidates.push(line);
            }
            Event::IceGatheringComplete => {
                self.note("gathering complete".to_owned());
                lock(shared).local_done = true;
            }
            Event::ConnectionState(state) => {
                if state == ConnectionState::Connected && self.connected_after.is_none() {
                    self.connected_after = Some(self.started.elapsed());
                }
                self.note(format!("connection {state:?}"));
            }
            Event::DataChannel(id) | Event::ChannelOpen(id) => self.opened(now, id),
            Event::Track { transceiver, kind } => self.track(transceiver, kind),
            Event::Rtp(packet) => {
                if self.echo {
                    let payload = &packet.packet[packet.payload.clone()];
                    match self.pc.write_rtp(
                        now,
                        packet.transceiver,
                        packet.payload_type,
                        packet.timestamp,
                        packet.marker,
                        payload,
                    ) {
                        Ok(()) => self.media.echoed_audio += 1,
                        Err(e) => self.echo_error(format!("rtp: {e}")),
                    }
                }
                let kind = self.kind_of(packet.transceiver);
                *self.media.rtp.entry(kind.clone()).or_default() += 1;
                self.media
                    .payload_types
                    .entry(kind)
                    .or_default()
                    .insert(packet.payload_type);
                self.pc.recycle_media(packet.packet);
            }
            Event::Frame(frame) => {
                if self.echo {
                    match self.pc.write_frame(
                        now,
                        frame.transceiver,
                        frame.payload_type,
                        frame.timestamp,
                        &frame.data,
                    ) {
                        Ok(_) => self.media.echoed_frames += 1,
                        Err(e) => self.echo_error(format!("frame: {e}")),
                    }
                }
                let kind = self.kind_of(frame.transceiver);
                self.media
                    .payload_types
                    .entry(kind.clone())
                    .or_default()
                    .insert(frame.payload_type);
                *self.media.frames.entry(kind).or_default() += 1;
                self.media.keyframes += usize::from(frame.keyframe);
                if MediaTally::is_valid_vp8(&frame.data) {
                    self.media.valid_vp8_frames += 1;
                } else if self.media.invalid_frames.len() < 10 {
                    let head = &frame.data[..frame.data.len().min(12)];
                    self.media.invalid_frames.push(format!(
                        "pt {} ts {} {} bytes {head:02x?}",
                        frame.payload_type,
                        frame.timestamp,
                        frame.data.len()
                    ));
                }
                self.pc.recycle_media(frame.data);
            }
            Event::KeyframeRequested { transceiver, kind } => {
                // The page's receiver wants a key frame of what we echo: ask its sender.
                self.media.keyframe_requests += 1;
                if let Err(e) = self.pc.request_keyframe(transceiver, kind) {
                    self.echo_error(format!("keyframe request: {e}"));
                }
            }
            Event::Rtcp(compound) => {
                self.media.rtcp += 1;
                self.pc.recycle_media(compound);
            }
            Event::ChannelMessage {
                channel,
                kind,
                data,
            } => self.message(now, channel, kind, data),
            other => self.note(format!("{other:?}")),
        }
    }

    /// Whether this datagram of ours is a video RTP packet to drop (every n-th, retransmissions
    /// on the RTX SSRC excepted); counts RTX packets sent.
    fn drop_on_purpose(&mut self, datagram: &[u8]) -> bool {
        let is_rtp = datagram.len() >= 12
            && (128..=191).contains(&datagram[0])
            && !(64..=95).contains(&(datagram[1] & 0x7f));
        if !is_rtp {
            return false;
        }
        let ssrc = u32::from_be_bytes([datagram[8], datagram[9], datagram[10], datagram[11]]);
        if self.video_ssrcs.is_none() {
            self.video_ssrcs = self
                .pc
                .transceivers()
                .into_iter()
                .find(|&t| self.pc.transceiver_kind(t) == Some(MediaKind::Video))
                .and_then(|t| self.pc.transceiver(t))
                .map(|t| t.send_ssrc);
        }
        let Some((media, rtx)) = self.video_ssrcs else {
            return false;
        };
        if Some(ssrc) == rtx {
            self.media.rtx_sent += 1;
            return false;
        }
        let Some(every) = self.drop_video_every.filter(|_| ssrc == media) else {
            return false;
        };
        self.video_sent += 1;
        if self.video_sent.is_multiple_of(every) {
            self.media.dropped_video += 1;
            return true;
        }
        false
    }

    fn echo_error(&mut self, what: String) {
        if self.media.echo_errors.len() < 20 {
            self.media.echo_errors.push(what);
        }
    }

    /// "audio" or "video".
    fn kind_of(&self, id: TransceiverId) -> String {
        match self.pc.transceiver_kind(id) {
            Some(MediaKind::Audio) => "audio".to_owned(),
            Some(MediaKind::Video) => "video".to_owned(),
            None => "unknown".to_owned(),
        }
    }

    /// A transceiver receives: video as frames when the scenario counts or echoes them.
    fn track(&mut self, id: TransceiverId, kind: MediaKind) {
        let name = self.kind_of(id);
        self.note(format!("track {id:?} {kind:?}"));
        if let Some(info) = self.pc.transceiver(id) {
            let codecs = info
                .codecs
                .iter()
                .map(|c| (c.payload_type, c.name.clone()))
                .collect();
            self.media.negotiated.insert(name.clone(), codecs);
        }
        self.media.tracks.push(name);
        if kind == MediaKind::Video && (self.media_goal.is_some() || self.echo) {
            let _ = self.pc.set_receive_mode(id, ReceiveMode::Frames);
        }
    }

    fn opened(&mut self, now: Instant, id: ChannelId) {
        let info = self.pc.channel(id).cloned();
        let label = info.as_ref().map(|i| i.config.label.clone());
        let index = self.by_id.get(&id).copied().or_else(|| {
            let label = label.as_deref()?;
            self.plans.iter().position(|p| p.label == label)
        });
        self.note(format!(
            "channel {id:?} open (stream {:?}): {info:?}",
            self.pc.channel_stream_id(id)
        ));
        let Some(index) = index else {
            self.note(format!("unexpected channel {label:?}"));
            return;
        };
        self.by_id.insert(id, index);
        let tally = &mut self.tallies[index];
        tally.opened = true;
        tally.stream_id = self.pc.channel_stream_id(id);
        tally.info = info;
        self.send_round(now, id, index, 0);
    }

    /// Sends our messages of plan `index` for round `round` (0: the first; their indices
    /// continue across rounds).
    fn send_round(&mut self, now: Instant, id: ChannelId, index: usize, round: usize) {
        let specs = &self.plans[index].we_send;
        for (j, &spec) in specs.iter().enumerate() {
            let i = round * specs.len() + j;
            let data = make_message(b'R', i, spec);
            self.sent[index].push((spec.kind, data.clone()));
            if let Err(e) = self.pc.send(now, id, spec.kind, data) {
                self.tallies[index].send_errors.push(format!("#{i}: {e}"));
            }
        }
    }

    fn message(&mut self, now: Instant, channel: ChannelId, kind: MessageKind, data: Vec<u8>) {
        let Some(&index) = self.by_id.get(&channel) else {
            self.note(format!("message on unknown channel {channel:?}"));
            return;
        };
        let len = data.len();
        let tally = &mut self.tallies[index];
        tally.largest = tally.largest.max(len);
        match header(&data) {
            Some((b'P', i)) => {
                tally.echoed += 1;
                tally.echoed_bytes += len;
                if let Err(e) = self.pc.send(now, channel, kind, data) {
                    tally.send_errors.push(format!("echo of #{i}: {e}"));
                }
                // The page sends its next round only once the restart is done: ours follows.
                let round = i / self.plans[index].browser_sends.len().max(1);
                if round > 0
                    && self.sent[index].len() < (round + 1) * self.plans[index].we_send.len()
                {
                    self.note(format!("round {} on channel {index}", round + 1));
                    self.send_round(now, channel, index, round);
                }
            }
            Some((b'R', i)) => match self.sent[index].get(i) {
                Some((k, sent)) if *k == kind && *sent == data => {
                    if self.plans[index].ordered && i != tally.verified {
                        tally.out_of_order += 1;
                    }
                    tally.verified += 1;
                    tally.verified_bytes += len;
                }
                Some((k, sent)) => tally.mismatches.push(format!(
                    "echo of #{i} differs: {kind:?} {len} bytes, sent {k:?} {} bytes",
                    sent.len()
                )),
                None => tally.mismatches.push(format!("echo of #{i}, never sent")),
            },
            _ => tally
                .mismatches
                .push(format!("{kind:?} message of {len} bytes without a header")),
        }
    }
}

/// The page (`peer_connection.html`): `/*CONFIG*/null` is replaced by the scenario's JSON.
const PAGE: &str = include_str!("page.html");
