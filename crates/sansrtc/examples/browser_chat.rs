//! Chat with a browser over a data channel. A small signaling server on 127.0.0.1 serves a
//! page (plain HTTP on a `std` listener) and talks to it over a WebSocket (`tungstenite`):
//! the page offers a data channel `chat`, our `PeerConnection` answers, and both sides trickle
//! their candidates over the WebSocket. Each line typed on the page reaches this program,
//! which prints it and answers it; lines typed here (on stdin) go to the page.
//!
//! ```sh
//! cargo run -p sansrtc --example browser_chat
//! # then open the printed URL in Chromium started with --allow-loopback-in-peer-connection
//! ```
//!
//! Everything stays on 127.0.0.1: our UDP socket is bound there, so only the browser's
//! candidates on 127.0.0.1 are used, and a browser gathers those only when allowed to
//! (Chromium's `--allow-loopback-in-peer-connection`). The peer runs in the same kind of
//! loop as `custom_event_loop.rs`: block on the socket until the next timer, feed datagrams,
//! send what `poll_transmit` gives, handle events.
//!
//! One page at a time: a reload closes the WebSocket, which ends that peer, and the next page
//! gets a fresh one. With `BROWSER_CHAT_ONCE=1` the program exits (status 0) after the first
//! page that chatted both ways (the page reports what it received), or fails after 60 s; the
//! interop test of scenario (h) runs it so, with the page's `?auto` mode, in which the page
//! sends one line by itself.
#![expect(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "an example application owns the sockets, threads and the real clock"
)]

#[path = "common/web.rs"]
mod web;

use std::io::{BufRead, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use sansrtc::{ChannelId, Config, Event, MessageKind, PeerConnection, SdpType};
use sansrtc_proto::SansIo;
use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};
use web::{Peer, Result};

/// What we send first on a new channel.
const GREETING: &str = "hello from sansrtc";

fn main() -> Result<()> {
    let once = std::env::var_os("BROWSER_CHAT_ONCE").is_some_and(|v| !v.is_empty() && v != "0");
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    println!("browser_chat: open http://{}/", listener.local_addr()?);
    std::io::stdout().flush()?;
    let (to_peer, lines) = channel();
    if once {
        std::thread::spawn(|| {
            std::thread::sleep(Duration::from_secs(60));
            eprintln!("browser_chat: no chat within 60 s");
            std::process::exit(1);
        });
    } else {
        std::thread::spawn(move || {
            for line in std::io::stdin()
                .lock()
                .lines()
                .map_while(std::io::Result::ok)
            {
                if to_peer.send(line).is_err() {
                    break;
                }
            }
        });
    }
    web::serve(
        &listener,
        "browser_chat",
        PAGE,
        once,
        "chatted both ways",
        |ws| Session::new(ws)?.run(&lines),
    )
}

/// One page's peer: its WebSocket, our PeerConnection and UDP socket.
struct Session {
    ws: WebSocket<TcpStream>,
    peer: Peer,
    chat: Option<ChannelId>,
    /// Lines the page sent us.
    heard: usize,
    /// What the page said it received (its `?auto` mode).
    verdict: Option<Value>,
}

impl Session {
    fn new(ws: WebSocket<TcpStream>) -> Result<Self> {
        let peer = Peer::new(Config::default())?;
        println!(
            "browser_chat: a page connected; our peer is on {}",
            peer.local()
        );
        Ok(Self {
            ws,
            peer,
            chat: None,
            heard: 0,
            verdict: None,
        })
    }

    /// Runs until the page leaves (`Ok(false)`), or, once the page reported a verdict after
    /// chatting both ways, `Ok(true)`.
    fn run(mut self, lines: &Receiver<String>) -> Result<bool> {
        loop {
            // 1. Signaling from the page.
            let mut texts = Vec::new();
            let open = web::read_messages(&mut self.ws, |m| {
                if let Message::Text(text) = m {
                    texts.push(text.to_string());
                }
                Ok(())
            })?;
            for text in texts {
                self.signal(&text)?;
            }
            if !open {
                return Ok(false);
            }
            if self.verdict.is_some() && self.heard > 0 {
                self.close();
                return Ok(true);
            }
            // 2. Lines typed here.
            while let Ok(line) = lines.try_recv() {
                match self.chat {
                    Some(id) => {
                        self.peer
                            .pc
                            .send(Instant::now(), id, MessageKind::Text, line.into())?;
                    }
                    None => println!("browser_chat: no channel yet"),
                }
            }
            // 3. The socket until a datagram or the next timer (at most 10 ms, to look at the
            //    WebSocket again), timers, what to send; then events (which may queue more).
            self.peer.step(Duration::from_millis(10))?;
            while let Some(event) = self.peer.pc.poll_event() {
                self.event(event)?;
            }
            self.peer.transmit()?;
            web::flush(&mut self.ws)?;
        }
    }

    /// Queues a message to the page (sent at the next flush).
    fn tell_page(&mut self, message: &Value) -> Result<()> {
        web::tell(&mut self.ws, message)
    }

    /// One signaling message from the page: `offer`, `candidate` or `verdict`.
    fn signal(&mut self, text: &str) -> Result<()> {
        let message: Value = serde_json::from_str(text)?;
        let now = Instant::now();
        match message["type"].as_str() {
            Some("offer") => {
                let offer = message["sdp"].as_str().ok_or("an offer without sdp")?;
                self.peer
                    .pc
                    .set_remote_description(now, SdpType::Offer, offer)?;
                let answer = self.peer.pc.create_answer()?;
                self.peer
                    .pc
                    .set_local_description(now, SdpType::Answer, &answer)?;
                self.tell_page(&json!({"type": "answer", "sdp": answer}))?;
            }
            Some("candidate") => {
                let line = message["candidate"].as_str().unwrap_or_default();
                // Our socket is on 127.0.0.1: only the browser's candidates there can reach
                // it (and the empty one, the end of candidates).
                if web::usable_candidate(line) {
                    self.peer.pc.add_ice_candidate(now, line)?;
                }
            }
            Some("verdict") => {
                println!("browser_chat: the page received {}", message["received"]);
                self.verdict = Some(message);
            }
            _ => println!("browser_chat: unknown signal {text}"),
        }
        Ok(())
    }

    fn event(&mut self, event: Event) -> Result<()> {
        let now = Instant::now();
        match event {
            Event::IceCandidate(c) => {
                let line = PeerConnection::candidate_line(&c);
                let mid = self.peer.pc.data_mid().to_owned();
                self.tell_page(&json!({"type": "candidate", "candidate": line, "sdpMid": mid}))?;
            }
            Event::IceGatheringComplete => {
                let mid = self.peer.pc.data_mid().to_owned();
                self.tell_page(&json!({"type": "candidate", "candidate": "", "sdpMid": mid}))?;
            }
            Event::ConnectionState(state) => println!("browser_chat: {state:?}"),
            Event::DataChannel(id) | Event::ChannelOpen(id) => {
                let label = self.peer.pc.channel(id).map(|c| c.config.label.clone());
                println!("browser_chat: channel {label:?} open; type a line to send it");
                self.chat = Some(id);
                self.peer
                    .pc
                    .send(now, id, MessageKind::Text, GREETING.into())?;
            }
            Event::ChannelMessage { channel, data, .. } => {
                let text = String::from_utf8_lossy(&data);
                println!("browser_chat: the page says: {text}");
                self.heard += 1;
                let reply = format!("sansrtc heard: {text}");
                self.peer
                    .pc
                    .send(now, channel, MessageKind::Text, reply.into_bytes())?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Lets the last acknowledgements out, then closes.
    fn close(&mut self) {
        let until = Instant::now() + Duration::from_millis(50);
        while Instant::now() < until {
            let _ = self.peer.step(Duration::from_millis(5));
        }
        self.peer.pc.close(Instant::now());
        let _ = self.peer.transmit();
        let _ = self.ws.close(None);
        let _ = self.ws.flush();
    }
}

/// The page: a log, a line to type, and the signaling over `/ws`. With `?auto` in its URL it
/// sends one line by itself and reports what it received (`verdict`) once it has our greeting
/// and our answer to its line.
const PAGE: &str = r#"<!doctype html>
<html><head><meta charset="utf-8"><title>sansrtc browser chat</title>
<style>body{font:15px system-ui,sans-serif;max-width:40em;margin:2em auto}#log{white-space:pre-wrap;border:1px solid #ccc;padding:.5em;min-height:12em}</style>
</head><body>
<h1>sansrtc browser chat</h1>
<div id="log"></div>
<form id="form"><input id="line" size="50" autocomplete="off" placeholder="type a line, press Enter" disabled> <button disabled>send</button></form>
<script>
"use strict";
const auto = new URLSearchParams(location.search).has('auto');
const logDiv = document.getElementById('log');
const show = (m) => { logDiv.textContent += m + '\n'; };
const received = [];
const ws = new WebSocket(`ws://${location.host}/ws`);
const pc = new RTCPeerConnection();
const chat = pc.createDataChannel('chat');
const signal = (m) => ws.send(JSON.stringify(m));
pc.onicecandidate = (e) => signal({type: 'candidate', candidate: e.candidate ? e.candidate.candidate : ''});
pc.onconnectionstatechange = () => show(`(connection ${pc.connectionState})`);
ws.onmessage = async (e) => {
  const m = JSON.parse(e.data);
  if (m.type === 'answer') await pc.setRemoteDescription({type: 'answer', sdp: m.sdp});
  else if (m.type === 'candidate') await pc.addIceCandidate({candidate: m.candidate, sdpMid: m.sdpMid});
};
ws.onopen = async () => {
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  signal({type: 'offer', sdp: offer.sdp});
};
ws.onclose = () => show('(signaling closed)');
chat.onopen = () => {
  show('(channel open)');
  for (const el of document.querySelectorAll('input, button')) el.disabled = false;
  if (auto) { chat.send('hello from the page'); show('me: hello from the page'); }
};
chat.onmessage = (e) => {
  received.push(e.data);
  show('sansrtc: ' + e.data);
  if (auto && received.includes('hello from sansrtc')
      && received.includes('sansrtc heard: hello from the page')) {
    signal({type: 'verdict', received});
  }
};
document.getElementById('form').onsubmit = (e) => {
  e.preventDefault();
  const input = document.getElementById('line');
  if (input.value) { chat.send(input.value); show('me: ' + input.value); input.value = ''; }
};
</script></body></html>
"#;
