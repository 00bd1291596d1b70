//! Echo a browser's camera and microphone back to it. A small server on 127.0.0.1 serves a
//! page that sends its camera and microphone and a data channel; our `PeerConnection` answers
//! send-and-receive and sends the page's own video (each frame rebuilt by the depacketizer and
//! packetized again on our stream) and audio (packet by packet) back, echoes data channel
//! messages, and passes the page's key frame requests for what we send on to the page's
//! sender. The page shows both videos side by side.
//!
//! ```sh
//! cargo run -p sansrtc --example browser_echo
//! # then open the printed URL in Chromium started with --allow-loopback-in-peer-connection
//! ```
//!
//! Only 127.0.0.1 is used (see `browser_chat.rs` for why the flag). With
//! `BROWSER_ECHO_ONCE=1` the program exits (status 0) after the first page whose `getStats`
//! shows more than 30 echoed video frames decoded and more than 100 echoed audio packets
//! received (the page's `?auto` mode reports them, with a picture of the echoed video, which
//! is written to the file named by `BROWSER_ECHO_SCREENSHOT` if set), or fails after 60 s.
#![expect(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "an example application owns the sockets, threads and the real clock"
)]

#[path = "common/web.rs"]
mod web;

use std::io::Write;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use sansrtc::{Config, Direction, Event, MediaKind, ReceiveMode, SdpType};
use sansrtc_proto::SansIo;
use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};
use web::{Peer, Result};

fn main() -> Result<()> {
    let once = std::env::var_os("BROWSER_ECHO_ONCE").is_some_and(|v| !v.is_empty() && v != "0");
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    println!("browser_echo: open http://{}/", listener.local_addr()?);
    std::io::stdout().flush()?;
    if once {
        std::thread::spawn(|| {
            std::thread::sleep(Duration::from_secs(60));
            eprintln!("browser_echo: no echo within 60 s");
            std::process::exit(1);
        });
    }
    web::serve(
        &listener,
        "browser_echo",
        PAGE,
        once,
        "the page decoded the echo",
        |ws| Session::new(ws)?.run(),
    )
}

/// One page's peer.
struct Session {
    ws: WebSocket<TcpStream>,
    peer: Peer,
    /// Frames and audio packets sent back, key frame requests passed on.
    echoed: (usize, usize, usize),
    /// The page's report (`?auto` mode).
    verdict: Option<Value>,
}

impl Session {
    fn new(ws: WebSocket<TcpStream>) -> Result<Self> {
        let peer = Peer::new(Config::default())?;
        println!(
            "browser_echo: a page connected; our peer is on {}",
            peer.local()
        );
        Ok(Self {
            ws,
            peer,
            echoed: (0, 0, 0),
            verdict: None,
        })
    }

    /// Runs until the page leaves (`Ok(false)`) or reports the echo decoded (`Ok(true)`).
    fn run(mut self) -> Result<bool> {
        let mut last_report = Instant::now();
        loop {
            let mut messages = Vec::new();
            let open = web::read_messages(&mut self.ws, |m| {
                messages.push(m);
                Ok(())
            })?;
            for message in messages {
                match message {
                    Message::Text(text) => self.signal(&text)?,
                    Message::Binary(png) => save_screenshot(&png)?,
                    _ => {}
                }
            }
            if !open {
                return Ok(false);
            }
            if let Some(verdict) = &self.verdict {
                let decoded = verdict["framesDecoded"].as_u64().unwrap_or(0);
                let audio = verdict["audioPackets"].as_u64().unwrap_or(0);
                return Ok(decoded > 30 && audio > 100);
            }
            self.peer.step(Duration::from_millis(5))?;
            while let Some(event) = self.peer.pc.poll_event() {
                self.event(event)?;
            }
            self.peer.transmit()?;
            web::flush(&mut self.ws)?;
            if last_report.elapsed() > Duration::from_secs(5) {
                last_report = Instant::now();
                let (frames, audio, requests) = self.echoed;
                println!(
                    "browser_echo: echoed {frames} video frames, {audio} audio packets, {requests} key frame requests"
                );
            }
        }
    }

    /// One signaling message from the page: `offer`, `candidate` or `verdict`.
    fn signal(&mut self, text: &str) -> Result<()> {
        let message: Value = serde_json::from_str(text)?;
        let now = Instant::now();
        let pc = &mut self.peer.pc;
        match message["type"].as_str() {
            Some("offer") => {
                let offer = message["sdp"].as_str().ok_or("an offer without sdp")?;
                pc.set_remote_description(now, SdpType::Offer, offer)?;
                // Send back on every section the page sends on.
                for t in pc.transceivers() {
                    pc.set_direction(t, Direction::SendRecv)?;
                }
                let answer = pc.create_answer()?;
                pc.set_local_description(now, SdpType::Answer, &answer)?;
                web::tell(&mut self.ws, &json!({"type": "answer", "sdp": answer}))?;
            }
            Some("candidate") => {
                let line = message["candidate"].as_str().unwrap_or_default();
                if web::usable_candidate(line) {
                    pc.add_ice_candidate(now, line)?;
                }
            }
            Some("verdict") => {
                println!("browser_echo: the page says {message}");
                self.verdict = Some(message);
            }
            _ => println!("browser_echo: unknown signal {text}"),
        }
        Ok(())
    }

    fn event(&mut self, event: Event) -> Result<()> {
        let now = Instant::now();
        let pc = &mut self.peer.pc;
        match event {
            Event::IceCandidate(c) => {
                let line = sansrtc::PeerConnection::candidate_line(&c);
                let mid = pc.data_mid().to_owned();
                web::tell(
                    &mut self.ws,
                    &json!({"type": "candidate", "candidate": line, "sdpMid": mid}),
                )?;
            }
            Event::IceGatheringComplete => {
                let mid = pc.data_mid().to_owned();
                web::tell(
                    &mut self.ws,
                    &json!({"type": "candidate", "candidate": "", "sdpMid": mid}),
                )?;
            }
            Event::ConnectionState(state) => println!("browser_echo: {state:?}"),
            Event::Track { transceiver, kind } => {
                println!("browser_echo: receiving {kind:?}");
                if kind == MediaKind::Video {
                    // Video is echoed frame by frame: depacketized, then packetized again.
                    pc.set_receive_mode(transceiver, ReceiveMode::Frames)?;
                }
            }
            Event::Frame(frame) => {
                pc.write_frame(
                    now,
                    frame.transceiver,
                    frame.payload_type,
                    frame.timestamp,
                    &frame.data,
                )?;
                self.echoed.0 += 1;
                pc.recycle_media(frame.data);
            }
            Event::Rtp(packet) => {
                let payload = &packet.packet[packet.payload.clone()];
                pc.write_rtp(
                    now,
                    packet.transceiver,
                    packet.payload_type,
                    packet.timestamp,
                    packet.marker,
                    payload,
                )?;
                self.echoed.1 += 1;
                pc.recycle_media(packet.packet);
            }
            Event::KeyframeRequested { transceiver, kind } => {
                // The page's decoder wants a key frame of what we send: only its encoder can
                // make one.
                pc.request_keyframe(transceiver, kind)?;
                self.echoed.2 += 1;
            }
            Event::Rtcp(compound) => pc.recycle_media(compound),
            Event::ChannelMessage {
                channel,
                kind,
                data,
            } => {
                pc.send(now, channel, kind, data)?;
            }
            _ => {}
        }
        Ok(())
    }
}

/// Writes the page's picture of the echoed video where `BROWSER_ECHO_SCREENSHOT` says.
fn save_screenshot(png: &[u8]) -> Result<()> {
    println!("browser_echo: the page sent a {} byte picture", png.len());
    if let Some(path) = std::env::var_os("BROWSER_ECHO_SCREENSHOT") {
        std::fs::write(&path, png)?;
        println!(
            "browser_echo: picture written to {}",
            path.to_string_lossy()
        );
    }
    Ok(())
}

/// The page: the camera beside its echo, and the signaling over `/ws`. With `?auto` it waits
/// until `getStats` shows the echo decoding, draws the echoed video into a canvas, sends the
/// picture (PNG, binary) and reports (`verdict`) what it received with the picture's
/// brightness and contrast.
const PAGE: &str = r#"<!doctype html>
<html><head><meta charset="utf-8"><title>sansrtc browser echo</title>
<style>body{font:15px system-ui,sans-serif;margin:2em}video{width:320px;height:240px;background:#222;margin-right:1em}#log{white-space:pre-wrap}</style>
</head><body>
<h1>sansrtc browser echo</h1>
<p>Your camera (left) and what sansrtc sends back (right).</p>
<video id="local" autoplay muted playsinline></video><video id="echo" autoplay playsinline></video>
<div id="log"></div>
<script>
"use strict";
const auto = new URLSearchParams(location.search).has('auto');
const logDiv = document.getElementById('log');
const show = (m) => { logDiv.textContent += m + '\n'; };
const ws = new WebSocket(`ws://${location.host}/ws`);
const pc = new RTCPeerConnection();
const channel = pc.createDataChannel('echo');
const signal = (m) => ws.send(JSON.stringify(m));
let echoedText = null;
pc.onicecandidate = (e) => signal({type: 'candidate', candidate: e.candidate ? e.candidate.candidate : ''});
pc.onconnectionstatechange = () => show(`(connection ${pc.connectionState})`);
pc.ontrack = (e) => {
  if (e.track.kind === 'video') document.getElementById('echo').srcObject = new MediaStream([e.track]);
};
channel.onopen = () => channel.send('hello, echo');
channel.onmessage = (e) => { echoedText = e.data; show(`data channel echo: ${e.data}`); };
ws.onmessage = async (e) => {
  const m = JSON.parse(e.data);
  if (m.type === 'answer') await pc.setRemoteDescription({type: 'answer', sdp: m.sdp});
  else if (m.type === 'candidate') await pc.addIceCandidate({candidate: m.candidate, sdpMid: m.sdpMid});
};
ws.onopen = async () => {
  const stream = await navigator.mediaDevices.getUserMedia({audio: true, video: {width: 640, height: 480}});
  document.getElementById('local').srcObject = stream;
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  signal({type: 'offer', sdp: offer.sdp});
  if (auto) watch();
};
async function inbound() {
  const out = {};
  (await pc.getStats()).forEach((r) => { if (r.type === 'inbound-rtp') out[r.kind] = r; });
  return out;
}
async function watch() {
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const s = await inbound();
    const video = s.video || {}, audio = s.audio || {};
    const echo = document.getElementById('echo');
    if ((video.framesDecoded || 0) > 30 && (audio.packetsReceived || 0) > 100
        && echo.videoWidth > 0 && echoedText !== null) {
      const canvas = document.createElement('canvas');
      canvas.width = echo.videoWidth; canvas.height = echo.videoHeight;
      const g = canvas.getContext('2d');
      g.drawImage(echo, 0, 0);
      const pixels = g.getImageData(0, 0, canvas.width, canvas.height).data;
      let sum = 0, squares = 0, n = 0;
      for (let i = 0; i < pixels.length; i += 16) {
        const y = 0.299 * pixels[i] + 0.587 * pixels[i + 1] + 0.114 * pixels[i + 2];
        sum += y; squares += y * y; n++;
      }
      const mean = sum / n, stddev = Math.sqrt(Math.max(0, squares / n - mean * mean));
      const png = await new Promise((r) => canvas.toBlob(r, 'image/png'));
      ws.send(await png.arrayBuffer());
      signal({type: 'verdict', framesDecoded: video.framesDecoded, audioPackets: audio.packetsReceived,
        nackCount: video.nackCount, pliCount: video.pliCount, codec: video.codecId,
        width: echo.videoWidth, height: echo.videoHeight, mean, stddev, echoedText});
      show(`echo decoded: ${video.framesDecoded} frames, ${audio.packetsReceived} audio packets`);
      return;
    }
  }
}
ws.onclose = () => show('(signaling closed)');
</script></body></html>
"#;
