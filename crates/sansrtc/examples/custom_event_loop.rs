//! How to embed sansrtc in your own event loop, with no async runtime: each peer runs in its
//! own thread, blocking on its UDP socket with a read timeout set to the connection's next
//! timer. That is the whole contract: feed datagrams in, send what `poll_transmit` gives, read
//! events, and call `handle_timeout` when `poll_timeout` says. Signaling (offer, answer,
//! trickled candidates) goes over an in-process channel here; use your own.
//!
//! ```sh
//! cargo run -p sansrtc --example custom_event_loop
//! ```
#![expect(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "an example application owns the sockets, threads and the real clock"
)]

use std::io::ErrorKind;
use std::net::UdpSocket;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use sansrtc::{ChannelConfig, Config, Event, MessageKind, PeerConnection, SdpType};
use sansrtc_proto::{Protocol, Receive, SansIo};

/// What the two peers tell each other.
enum Signal {
    Offer(String),
    Answer(String),
    Candidate(String),
}

/// One peer's loop; returns the messages it received.
fn run_peer(
    name: &'static str,
    offerer: bool,
    to_peer: &Sender<Signal>,
    from_peer: &Receiver<Signal>,
) -> Result<Vec<String>, Box<dyn std::error::Error + Send + Sync>> {
    let socket = UdpSocket::bind("127.0.0.1:0")?;
    let local = socket.local_addr()?;
    let mut pc = PeerConnection::new(Config::default(), Instant::now())?;
    pc.add_local_addresses(Instant::now(), &[local]);
    if offerer {
        pc.create_data_channel(
            Instant::now(),
            ChannelConfig {
                label: "chat".to_owned(),
                ..ChannelConfig::default()
            },
        );
        let offer = pc.create_offer()?;
        pc.set_local_description(Instant::now(), SdpType::Offer, &offer)?;
        to_peer.send(Signal::Offer(offer))?;
    }
    let (mut out, mut input) = (Vec::with_capacity(2048), vec![0u8; 65536]);
    let mut received = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while received.len() < 10 && Instant::now() < deadline {
        // 1. Signaling from the peer.
        while let Ok(signal) = from_peer.try_recv() {
            let now = Instant::now();
            match signal {
                Signal::Offer(sdp) => {
                    pc.set_remote_description(now, SdpType::Offer, &sdp)?;
                    let answer = pc.create_answer()?;
                    pc.set_local_description(now, SdpType::Answer, &answer)?;
                    to_peer.send(Signal::Answer(answer))?;
                }
                Signal::Answer(sdp) => pc.set_remote_description(now, SdpType::Answer, &sdp)?,
                Signal::Candidate(line) => pc.add_ice_candidate(now, &line)?,
            }
        }
        // 2. Block on the socket until a datagram or the next timer (at most 10 ms, to look
        //    at the signaling channel again).
        let now = Instant::now();
        let wait = pc
            .poll_timeout()
            .map_or(Duration::from_millis(10), |t| {
                t.saturating_duration_since(now)
            })
            .clamp(Duration::from_micros(100), Duration::from_millis(10));
        socket.set_read_timeout(Some(wait))?;
        match socket.recv_from(&mut input) {
            Ok((n, source)) => {
                let receive = Receive {
                    proto: Protocol::Udp,
                    source,
                    destination: local,
                    contents: &input[..n],
                };
                let _ = pc.handle_receive(Instant::now(), receive);
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => return Err(e.into()),
        }
        // 3. Timers.
        let now = Instant::now();
        if pc.poll_timeout().is_some_and(|t| t <= now) {
            pc.handle_timeout(now);
        }
        // 4. What to send.
        while let Some(t) = pc.poll_transmit(now, &mut out) {
            socket.send_to(&out[..t.size], t.destination)?;
        }
        // 5. Events.
        while let Some(event) = pc.poll_event() {
            match event {
                Event::IceCandidate(c) => {
                    to_peer.send(Signal::Candidate(PeerConnection::candidate_line(&c)))?;
                }
                Event::ChannelOpen(id) | Event::DataChannel(id) => {
                    println!("{name}: channel {id:?} open");
                    for n in 0..10 {
                        pc.send(
                            now,
                            id,
                            MessageKind::Text,
                            format!("{name} says {n}").into_bytes(),
                        )?;
                    }
                }
                Event::ChannelMessage { data, .. } => {
                    received.push(String::from_utf8_lossy(&data).into_owned());
                }
                Event::ConnectionState(state) => println!("{name}: {state:?}"),
                _ => {}
            }
        }
    }
    // Let the last acknowledgements out before closing.
    let until = Instant::now() + Duration::from_millis(50);
    while Instant::now() < until {
        let now = Instant::now();
        pc.handle_timeout(now);
        while let Some(t) = pc.poll_transmit(now, &mut out) {
            socket.send_to(&out[..t.size], t.destination)?;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    pc.close(Instant::now());
    Ok(received)
}

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let (to_b, from_a) = channel();
    let (to_a, from_b) = channel();
    let answerer = std::thread::spawn(move || run_peer("b", false, &to_a, &from_a));
    let got_a = run_peer("a", true, &to_b, &from_b)?;
    let got_b = answerer.join().map_err(|_| "the answerer panicked")??;
    println!(
        "a received {} messages, the last: {:?}",
        got_a.len(),
        got_a.last()
    );
    println!(
        "b received {} messages, the last: {:?}",
        got_b.len(),
        got_b.last()
    );
    if got_a.len() != 10 || got_b.len() != 10 {
        return Err("not every message arrived".into());
    }
    Ok(())
}
