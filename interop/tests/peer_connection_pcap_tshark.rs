//! What a PeerConnection records for debugging, read by an independent decoder: two of our
//! PeerConnections connect in memory and exchange data-channel messages; one records a pcap
//! (`Config::pcap_limit`) and gives its DTLS key log line (`Config::key_log`). tshark, given
//! the key log, decrypts the DTLS: what it decrypts parses as SCTP (tshark 4.0 cannot be told
//! to dissect SCTP inside DTLS, so our parser reads tshark's plaintext) with the handshake
//! chunks and the channel's DATA, string PPID and the very bytes we sent.

use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant};

use sansrtc::{ChannelConfig, Config, Event, MessageKind, PeerConnection, SdpType};
use sansrtc_interop::{TempDir, require_peer};
use sansrtc_proto::{Protocol, Receive, SansIo};
use sansrtc_sctp::wire::{ChunkRepr, Packet, chunk_type};

#[expect(
    clippy::disallowed_methods,
    reason = "an arbitrary origin for virtual time"
)]
fn start() -> Instant {
    Instant::now()
}

fn pass(
    now: Instant,
    from: &mut PeerConnection,
    to: &mut PeerConnection,
    buf: &mut Vec<u8>,
) -> bool {
    let mut moved = false;
    while let Some(t) = from.poll_transmit(now, buf) {
        moved = true;
        let r = Receive {
            proto: Protocol::Udp,
            source: t.source,
            destination: t.destination,
            contents: &buf[..t.size],
        };
        let _ = to.handle_receive(now, r);
    }
    moved
}

#[test]
fn tshark_decrypts_our_capture_with_our_key_log_and_finds_the_sctp_inside() {
    let Some(tshark) = require_peer("tshark") else {
        return;
    };
    let t0 = start();
    let a_addr: SocketAddr = "10.0.0.1:5000".parse().unwrap();
    let b_addr: SocketAddr = "10.0.0.2:5000".parse().unwrap();
    let mut a = PeerConnection::new(
        Config {
            pcap_limit: 1 << 20,
            key_log: true,
            rng_seed: Some(sansrtc_proto::rng::seed_from_u64(1)),
            ..Config::default()
        },
        t0,
    )
    .unwrap();
    let mut b = PeerConnection::new(Config::default(), t0).unwrap();
    assert!(
        b.pcap().is_none() && b.dtls_key_log().is_none(),
        "off by default"
    );
    a.add_local_addresses(t0, &[a_addr]);
    b.add_local_addresses(t0, &[b_addr]);
    let channel = a.create_data_channel(
        t0,
        ChannelConfig {
            label: "capture".to_owned(),
            ..ChannelConfig::default()
        },
    );
    let offer = a.create_offer().unwrap();
    a.set_local_description(t0, SdpType::Offer, &offer).unwrap();
    b.set_remote_description(t0, SdpType::Offer, &offer)
        .unwrap();
    let answer = b.create_answer().unwrap();
    b.set_local_description(t0, SdpType::Answer, &answer)
        .unwrap();
    a.set_remote_description(t0, SdpType::Answer, &answer)
        .unwrap();
    let mut buf = Vec::new();
    let mut now = t0;
    let mut open = false;
    while !open {
        while pass(now, &mut a, &mut b, &mut buf) | pass(now, &mut b, &mut a, &mut buf) {}
        open |= std::iter::from_fn(|| a.poll_event()).any(|e| e == Event::ChannelOpen(channel));
        while b.poll_event().is_some() {}
        now += Duration::from_millis(1);
        a.handle_timeout(now);
        b.handle_timeout(now);
        assert!(now < t0 + Duration::from_secs(10));
    }
    let secret = "the very bytes we sent";
    a.send(now, channel, MessageKind::Text, secret.as_bytes().to_vec())
        .unwrap();
    while pass(now, &mut a, &mut b, &mut buf) | pass(now, &mut b, &mut a, &mut buf) {}

    let dir = TempDir::new("pc-pcap").unwrap();
    let pcap = dir.path().join("pc.pcap");
    let keys = dir.path().join("keys.log");
    std::fs::write(&pcap, a.pcap().unwrap()).unwrap();
    std::fs::write(&keys, format!("{}\n", a.dtls_key_log().unwrap())).unwrap();
    let out = Command::new(tshark)
        .arg("-r")
        .arg(&pcap)
        .args(["-o"])
        .arg(format!("tls.keylog_file:{}", keys.display()))
        .args(["-d", "udp.port==5000,dtls"])
        .args(["-T", "fields", "-e", "frame.protocols", "-e", "data.data"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    // Every decrypted record: a whole SCTP packet with a valid (or, negotiated, zero) checksum.
    let mut chunk_types = Vec::new();
    let mut found = false;
    let mut decrypted = 0;
    for line in text.lines() {
        let Some(hex) = line.split('\t').nth(1).filter(|h| !h.is_empty()) else {
            continue;
        };
        for record in hex.split(',') {
            let bytes: Vec<u8> = (0..record.len() / 2)
                .map(|i| u8::from_str_radix(&record[2 * i..2 * i + 2], 16).unwrap())
                .collect();
            let packet = Packet::new_checked(&bytes[..])
                .unwrap_or_else(|e| panic!("decrypted record is SCTP: {e}\n{text}"));
            assert!(packet.verify_checksum(true).is_ok());
            decrypted += 1;
            for chunk in packet.chunks() {
                let chunk = chunk.unwrap();
                chunk_types.push(chunk.chunk_type());
                if let Ok(ChunkRepr::Data(data)) = ChunkRepr::parse(&chunk)
                    && data.ppid == 51
                    && data.user_data == secret.as_bytes()
                {
                    found = true;
                }
                if let Ok(ChunkRepr::IData(data)) = ChunkRepr::parse(&chunk)
                    && data.ppid() == Some(51)
                    && data.user_data == secret.as_bytes()
                {
                    found = true;
                }
            }
        }
    }
    assert!(
        decrypted >= 5,
        "tshark decrypted {decrypted} records:\n{text}"
    );
    for expected in [
        chunk_type::INIT,
        chunk_type::INIT_ACK,
        chunk_type::COOKIE_ECHO,
        chunk_type::COOKIE_ACK,
    ] {
        assert!(
            chunk_types.contains(&expected),
            "{expected}: {chunk_types:?}"
        );
    }
    assert!(
        found,
        "the string message, PPID 51, with our bytes:\n{text}"
    );
}
