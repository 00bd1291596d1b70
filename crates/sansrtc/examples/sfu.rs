//! A minimal selective forwarding unit: every browser that opens the printed URL joins one
//! room, sends its camera and microphone, and receives everyone else's. Each browser has its
//! own `PeerConnection`; video is forwarded frame by frame (depacketized, then packetized
//! again on the subscriber's stream), audio packet by packet, and a subscriber's key frame
//! requests go to the publisher. A publisher that sends simulcast (the page's `?simulcast`:
//! three layers, `q`, `h` and `f`) is received on all three; one layer is forwarded, and the
//! room switches layers at a key frame of the new one.
//!
//! ```sh
//! cargo run -p sansrtc --example sfu
//! # open the printed URL (with ?simulcast to publish three layers) in several Chromium
//! # windows started with --allow-loopback-in-peer-connection
//! ```
//!
//! One thread drives every peer (each on its own UDP socket on 127.0.0.1) and the signaling.
//! With `SFU_ONCE=1` the program exits (status 0) once a page reports (its `?auto` mode) that
//! it decoded forwarded video across a layer switch, or fails after 90 s; `SFU_SWITCH_AFTER`
//! (default 60) is how many frames of the first layer go before the switch to `f`.
#![expect(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "an example application owns the sockets, threads and the real clock"
)]

#[path = "common/web.rs"]
mod web;

use std::collections::HashMap;
use std::io::{ErrorKind, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use sansrtc::{
    Config, Direction, Event, KeyframeRequest, MediaKind, ReceiveMode, Rid, SdpType,
    SignalingState, TransceiverId,
};
use sansrtc_proto::SansIo;
use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};
use web::{Peer, Request, Result, accept_websocket, not_found, read_request, serve_page};

fn main() -> Result<()> {
    let once = std::env::var_os("SFU_ONCE").is_some_and(|v| !v.is_empty() && v != "0");
    let switch_after = std::env::var("SFU_SWITCH_AFTER")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    println!("sfu: open http://{}/", listener.local_addr()?);
    std::io::stdout().flush()?;
    listener.set_nonblocking(true)?;
    let started = Instant::now();
    let mut room = Room::new(switch_after);
    let mut last_report = Instant::now();
    loop {
        if last_report.elapsed() > Duration::from_secs(5) && !room.layers.seen.is_empty() {
            last_report = Instant::now();
            let mut seen: Vec<String> = room
                .layers
                .seen
                .iter()
                .map(|((p, rid), n)| format!("{p}/{rid}: {n}"))
                .collect();
            seen.sort();
            println!("sfu: frames per layer so far: {}", seen.join(", "));
        }
        match listener.accept() {
            Ok((mut stream, _)) => {
                stream.set_nonblocking(false)?;
                match read_request(&stream) {
                    Some(Request::Page) => serve_page(&mut stream, PAGE)?,
                    Some(Request::WebSocket { key }) => {
                        room.join(accept_websocket(stream, &key)?)?
                    }
                    None => not_found(&mut stream),
                }
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(e) => return Err(e.into()),
        }
        if room.turn()? && once {
            let layers: HashMap<&str, usize> = room
                .layers
                .seen
                .iter()
                .map(|((_, rid), n)| (rid.as_str(), *n))
                .collect();
            println!("sfu: layers received {}", json!(layers));
            println!("sfu: a page decoded forwarded video across a layer switch, exiting");
            return Ok(());
        }
        if once && started.elapsed() > Duration::from_secs(90) {
            return Err("no page decoded forwarded video across a layer switch in 90 s".into());
        }
    }
}

/// One browser in the room.
struct Participant {
    id: usize,
    ws: WebSocket<TcpStream>,
    peer: Peer,
    /// What it sends us: its audio and video transceivers (ours, receiving).
    published: HashMap<MediaKind, TransceiverId>,
    /// What we send it: a transceiver of ours per (publisher, kind).
    forwards: HashMap<(usize, MediaKind), TransceiverId>,
    /// A renegotiation (our offer) is due.
    needs_offer: bool,
    /// Our offer waits for its answer.
    offering: bool,
    /// It left.
    gone: bool,
}

/// The simulcast layer forwarded, and the one to switch to at its next key frame.
struct Layers {
    current: Option<Rid>,
    next: Option<Rid>,
    forwarded: usize,
    switch_after: usize,
    seen: HashMap<(usize, Rid), usize>,
}

/// Everyone, and the forwarding state.
struct Room {
    participants: Vec<Participant>,
    next_id: usize,
    layers: Layers,
    done: bool,
}

impl Room {
    fn new(switch_after: usize) -> Self {
        Self {
            participants: Vec::new(),
            next_id: 1,
            layers: Layers {
                current: None,
                next: None,
                forwarded: 0,
                switch_after,
                seen: HashMap::new(),
            },
            done: false,
        }
    }

    fn join(&mut self, ws: WebSocket<TcpStream>) -> Result<()> {
        let peer = Peer::new(Config::default())?;
        let id = self.next_id;
        self.next_id += 1;
        println!(
            "sfu: participant {id} joined; its peer is on {}",
            peer.local()
        );
        self.participants.push(Participant {
            id,
            ws,
            peer,
            published: HashMap::new(),
            forwards: HashMap::new(),
            needs_offer: false,
            offering: false,
            gone: false,
        });
        Ok(())
    }

    /// One turn over every participant: signaling, the socket, events (forwarding), our
    /// offers. Returns whether a page reported success.
    fn turn(&mut self) -> Result<bool> {
        let wait = if self.participants.is_empty() {
            Duration::from_millis(5)
        } else {
            Duration::from_micros(500)
        };
        if self.participants.is_empty() {
            std::thread::sleep(wait);
        }
        for i in 0..self.participants.len() {
            let mut messages = Vec::new();
            let p = &mut self.participants[i];
            let open = web::read_messages(&mut p.ws, |m| {
                if let Message::Text(text) = m {
                    messages.push(text.to_string());
                }
                Ok(())
            })?;
            if !open {
                p.gone = true;
                println!("sfu: participant {} left", p.id);
                continue;
            }
            for text in messages {
                self.signal(i, &text)?;
            }
            self.participants[i].peer.step(wait)?;
            while let Some(event) = self.participants[i].peer.pc.poll_event() {
                self.event(i, event)?;
            }
            self.offer_if_due(i)?;
        }
        for p in &mut self.participants {
            p.peer.transmit()?;
            web::flush(&mut p.ws)?;
        }
        self.participants.retain(|p| !p.gone);
        Ok(self.done)
    }

    /// One signaling message from participant `i`'s page.
    fn signal(&mut self, i: usize, text: &str) -> Result<()> {
        let message: Value = serde_json::from_str(text)?;
        let now = Instant::now();
        let p = &mut self.participants[i];
        let pc = &mut p.peer.pc;
        match message["type"].as_str() {
            Some("offer") => {
                pc.set_remote_description(
                    now,
                    SdpType::Offer,
                    message["sdp"].as_str().unwrap_or(""),
                )?;
                let answer = pc.create_answer()?;
                pc.set_local_description(now, SdpType::Answer, &answer)?;
                web::tell(&mut p.ws, &json!({"type": "answer", "sdp": answer}))?;
            }
            Some("answer") => {
                pc.set_remote_description(
                    now,
                    SdpType::Answer,
                    message["sdp"].as_str().unwrap_or(""),
                )?;
                println!("sfu: participant {} answered", p.id);
                p.offering = false;
            }
            Some("candidate") => {
                let line = message["candidate"].as_str().unwrap_or_default();
                if web::usable_candidate(line) {
                    pc.add_ice_candidate(now, line)?;
                }
            }
            Some("log") => println!("sfu: participant {} page: {}", p.id, message["text"]),
            Some("verdict") => {
                println!("sfu: participant {} says {message}", p.id);
                let decoded = message["framesDecoded"].as_u64().unwrap_or(0);
                let widths = message["widths"].as_array().map_or(0, Vec::len);
                self.done |= decoded > 30 && widths >= 2;
            }
            _ => println!("sfu: unknown signal {text}"),
        }
        Ok(())
    }

    /// Our offer to participant `i` when new forwards wait and signaling is stable.
    fn offer_if_due(&mut self, i: usize) -> Result<()> {
        let p = &mut self.participants[i];
        let pc = &mut p.peer.pc;
        if !p.needs_offer || p.offering || pc.signaling_state() != SignalingState::Stable {
            return Ok(());
        }
        if pc.connection_state() != sansrtc::ConnectionState::Connected {
            return Ok(());
        }
        let now = Instant::now();
        let offer = pc.create_offer()?;
        pc.set_local_description(now, SdpType::Offer, &offer)?;
        web::tell(&mut p.ws, &json!({"type": "offer", "sdp": offer}))?;
        println!("sfu: offered participant {} what the others send", p.id);
        if std::env::var_os("SFU_VERBOSE").is_some() {
            println!("{offer}");
        }
        p.needs_offer = false;
        p.offering = true;
        Ok(())
    }

    fn event(&mut self, i: usize, event: Event) -> Result<()> {
        let now = Instant::now();
        let publisher = self.participants[i].id;
        match event {
            Event::IceCandidate(c) => {
                let p = &mut self.participants[i];
                let line = sansrtc::PeerConnection::candidate_line(&c);
                let mid = p.peer.pc.data_mid().to_owned();
                web::tell(
                    &mut p.ws,
                    &json!({"type": "candidate", "candidate": line, "sdpMid": mid}),
                )?;
            }
            Event::ConnectionState(state) => println!("sfu: participant {publisher}: {state:?}"),
            Event::Track { transceiver, kind } => self.published(i, transceiver, kind)?,
            Event::Frame(frame) => {
                let layer = frame.rid;
                if let Some(rid) = layer {
                    *self.layers.seen.entry((publisher, rid)).or_default() += 1;
                }
                if self.forward_layer(layer, frame.keyframe) {
                    let sent =
                        self.forward(i, MediaKind::Video, frame.payload_type, |pc, t, pt| {
                            pc.write_frame(now, t, pt, frame.timestamp, &frame.data)
                                .map(|_| ())
                        });
                    if sent > 0 && layer.is_some() {
                        self.forwarded(i);
                    }
                }
                self.participants[i].peer.pc.recycle_media(frame.data);
            }
            Event::Rtp(packet) => {
                let payload = &packet.packet[packet.payload.clone()];
                let _ = self.forward(i, MediaKind::Audio, packet.payload_type, |pc, t, pt| {
                    pc.write_rtp(now, t, pt, packet.timestamp, packet.marker, payload)
                });
                self.participants[i].peer.pc.recycle_media(packet.packet);
            }
            Event::KeyframeRequested { transceiver, kind } => {
                // A subscriber's decoder wants a key frame of what it receives: ask the
                // publisher of that stream.
                let source = self.participants[i]
                    .forwards
                    .iter()
                    .find(|(_, t)| **t == transceiver)
                    .map(|((from, _), _)| *from);
                if let Some(from) = source {
                    self.request_keyframe(from, kind);
                }
            }
            Event::Rtcp(compound) => self.participants[i].peer.pc.recycle_media(compound),
            _ => {}
        }
        Ok(())
    }

    /// Participant `i` sends `kind` on `transceiver`: video comes as frames; every other
    /// participant gets a transceiver to receive it on (at its next offer).
    fn published(&mut self, i: usize, transceiver: TransceiverId, kind: MediaKind) -> Result<()> {
        let publisher = self.participants[i].id;
        println!("sfu: participant {publisher} publishes {kind:?}");
        let p = &mut self.participants[i];
        p.published.insert(kind, transceiver);
        if kind == MediaKind::Video {
            p.peer
                .pc
                .set_receive_mode(transceiver, ReceiveMode::Frames)?;
        }
        // Those already here receive the newcomer; the newcomer receives them.
        for j in 0..self.participants.len() {
            if j == i {
                continue;
            }
            let s = &mut self.participants[j];
            if !s.forwards.contains_key(&(publisher, kind)) {
                let t = s.peer.pc.add_transceiver(kind, Direction::SendOnly);
                s.forwards.insert((publisher, kind), t);
                s.needs_offer = true;
            }
            let other = s.id;
            let others: Vec<MediaKind> = s.published.keys().copied().collect();
            let p = &mut self.participants[i];
            for k in others {
                if !p.forwards.contains_key(&(other, k)) {
                    let t = p.peer.pc.add_transceiver(k, Direction::SendOnly);
                    p.forwards.insert((other, k), t);
                    p.needs_offer = true;
                }
            }
        }
        Ok(())
    }

    /// Whether a frame of `layer` (a simulcast rid, or none) is the one to forward; switches
    /// layers at a key frame of the new one.
    fn forward_layer(&mut self, layer: Option<Rid>, keyframe: bool) -> bool {
        let Some(layer) = layer else {
            return true;
        };
        let l = &mut self.layers;
        if l.current.is_none() {
            if !keyframe {
                return false;
            }
            println!("sfu: forwarding layer {layer}");
            l.current = Some(layer);
        }
        if l.next == Some(layer) && keyframe {
            println!(
                "sfu: switched to layer {layer} after {} frames",
                l.forwarded
            );
            l.current = l.next.take();
        }
        l.current == Some(layer)
    }

    /// A frame of participant `i`'s current layer reached a subscriber: after `switch_after`
    /// of them, the room switches to `f` (asking the publisher for a key frame).
    fn forwarded(&mut self, i: usize) {
        let l = &mut self.layers;
        l.forwarded += 1;
        let full = Rid::new(b"f");
        if l.forwarded == l.switch_after && l.current != full {
            println!("sfu: switching to layer f");
            l.next = full;
            let publisher = self.participants[i].id;
            self.request_keyframe(publisher, KeyframeRequest::Pli);
        }
    }

    /// Asks participant `publisher` for a key frame of its video.
    fn request_keyframe(&mut self, publisher: usize, kind: KeyframeRequest) {
        if let Some(p) = self.participants.iter_mut().find(|p| p.id == publisher)
            && let Some(&t) = p.published.get(&MediaKind::Video)
        {
            let _ = p.peer.pc.request_keyframe(t, kind);
        }
    }

    /// Sends what participant `i` published (`kind`, in `payload_type`) to everyone else,
    /// with `write`, on each subscriber's transceiver for it and the subscriber's payload type
    /// of the same codec. Returns to how many it went.
    fn forward(
        &mut self,
        i: usize,
        kind: MediaKind,
        payload_type: u8,
        mut write: impl FnMut(
            &mut sansrtc::PeerConnection,
            TransceiverId,
            u8,
        ) -> std::result::Result<(), sansrtc::MediaError>,
    ) -> usize {
        // The publisher borrowed, the subscribers mutably: no copy of the codec name.
        let (before, rest) = self.participants.split_at_mut(i);
        let Some((p, after)) = rest.split_first_mut() else {
            return 0;
        };
        let Some(codec) = p
            .published
            .get(&kind)
            .and_then(|&t| p.peer.pc.codec_name(t, payload_type))
        else {
            return 0;
        };
        let mut sent = 0;
        for s in before.iter_mut().chain(after.iter_mut()) {
            let Some(&t) = s.forwards.get(&(p.id, kind)) else {
                continue;
            };
            // Not negotiated yet, or the send queue full: this one is skipped.
            if let Some(pt) = s.peer.pc.payload_type_of(t, codec)
                && write(&mut s.peer.pc, t, pt).is_ok()
            {
                sent += 1;
            }
        }
        sent
    }
}

/// The page: its camera (three simulcast layers with `?simulcast`), everyone else's video,
/// and the signaling over `/ws` (its offer first; then ours, for each new participant). With
/// `?auto` it reports once it has decoded forwarded video at two sizes (a layer switch).
const PAGE: &str = r#"<!doctype html>
<html><head><meta charset="utf-8"><title>sansrtc sfu</title>
<style>body{font:15px system-ui,sans-serif;margin:2em}video{width:320px;height:180px;background:#222;margin:0 1em 1em 0}#log{white-space:pre-wrap}</style>
</head><body>
<h1>sansrtc sfu</h1>
<p>You (first) and everyone else in the room.</p>
<div id="videos"><video id="local" autoplay muted playsinline></video></div>
<div id="log"></div>
<script>
"use strict";
const params = new URLSearchParams(location.search);
const auto = params.has('auto'), simulcast = params.has('simulcast');
const show = (m) => { document.getElementById('log').textContent += m + '\n'; };
const ws = new WebSocket(`ws://${location.host}/ws`);
const pc = new RTCPeerConnection();
const signal = (m) => ws.send(JSON.stringify(m));
pc.onicecandidate = (e) => signal({type: 'candidate', candidate: e.candidate ? e.candidate.candidate : ''});
pc.onconnectionstatechange = () => show(`(connection ${pc.connectionState})`);
pc.ontrack = (e) => {
  if (e.track.kind !== 'video') return;
  const v = document.createElement('video');
  v.autoplay = true; v.playsInline = true; v.muted = true;
  v.srcObject = new MediaStream([e.track]);
  document.getElementById('videos').appendChild(v);
  show(`receiving video ${e.transceiver.mid}`);
};
ws.onmessage = (e) => handle(JSON.parse(e.data)).catch((err) => {
  show(`error: ${err}`);
  signal({type: 'log', text: String(err)});
});
async function handle(m) {
  if (m.type === 'answer') await pc.setRemoteDescription({type: 'answer', sdp: m.sdp});
  else if (m.type === 'offer') {
    await pc.setRemoteDescription({type: 'offer', sdp: m.sdp});
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    signal({type: 'answer', sdp: answer.sdp});
  } else if (m.type === 'candidate') await pc.addIceCandidate({candidate: m.candidate, sdpMid: m.sdpMid});
}
ws.onopen = async () => {
  const size = simulcast ? {width: 1280, height: 720, frameRate: 15} : {width: 640, height: 360, frameRate: 15};
  const stream = await navigator.mediaDevices.getUserMedia({audio: true, video: size});
  document.getElementById('local').srcObject = stream;
  const [audio] = stream.getAudioTracks(), [video] = stream.getVideoTracks();
  pc.addTransceiver(audio, {direction: 'sendrecv', streams: [stream]});
  pc.addTransceiver(video, simulcast ? {direction: 'sendrecv', streams: [stream], sendEncodings: [
    {rid: 'q', scaleResolutionDownBy: 4}, {rid: 'h', scaleResolutionDownBy: 2}, {rid: 'f'}]}
    : {direction: 'sendrecv', streams: [stream]});
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  signal({type: 'offer', sdp: offer.sdp});
  if (auto && !simulcast) watch();
  if (auto && simulcast) report();
};
// The publisher reports what its sender estimates and why it limits its layers.
async function report() {
  for (;;) {
    await new Promise((r) => setTimeout(r, 3000));
    const out = [];
    (await pc.getStats()).forEach((r) => {
      if (r.type === 'candidate-pair' && r.nominated) out.push(`available ${r.availableOutgoingBitrate}`);
      if (r.type === 'outbound-rtp' && r.kind === 'video') out.push(`${r.rid}: ${r.frameWidth}x${r.frameHeight} ${r.qualityLimitationReason} active=${r.active}`);
    });
    signal({type: 'log', text: out.join('; ')});
  }
}
async function watch() {
  const widths = new Set();
  for (;;) {
    await new Promise((r) => setTimeout(r, 200));
    let best = null;
    (await pc.getStats()).forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind === 'video' && (!best || r.framesDecoded > best.framesDecoded)) best = r;
    });
    if (!best || !best.frameWidth) continue;
    widths.add(best.frameWidth);
    if (best.framesDecoded > 30 && widths.size >= 2) {
      signal({type: 'verdict', framesDecoded: best.framesDecoded, widths: [...widths],
        nackCount: best.nackCount, pliCount: best.pliCount});
      show(`decoded ${best.framesDecoded} forwarded frames at widths ${[...widths]}`);
      return;
    }
  }
}
ws.onclose = () => show('(signaling closed)');
</script></body></html>
"#;
