//! Audio and video between two PeerConnections on the simulated network: transceivers
//! negotiated by offer and answer, the RTP API (audio both ways, payloads as sent) and the
//! frame API (VP8 frames packetized and rebuilt whole), NACK and RTX recovering every video
//! packet lost at 5% loss on each host's link (9.75% on the path), receiver reports and
//! getStats that match the simulated loss and delay, transport-wide feedback, simulcast, and
//! the other way round (video by the RTP API, audio by the frame API).

mod netsim;

use std::time::Duration;

use netsim::{Net, net};
use sansrtc::{
    ConnectionState, Direction, Event, MediaKind, PeerConnection, ReceiveMode, SdpType,
    TransceiverId,
};
use sansrtc_netsim::EndpointId;
use sansrtc_rtp::rtcp::{Compound, RtcpPacket, TransportFeedback};

/// Frames with their RTP timestamps.
type Frames = Vec<(u32, Vec<u8>)>;

/// Both sides' audio and video transceivers: (a audio, a video, b audio, b video).
struct Tracks {
    a: (TransceiverId, TransceiverId),
    b: (TransceiverId, TransceiverId),
}

/// `a` offers audio and video sendrecv; `b` answers sendrecv for both; video is received as
/// frames on both sides. Runs until both are connected and have their tracks.
fn negotiate(net: &mut Net) -> Tracks {
    let a = net.sim.with_endpoint(net.a, |pc, _| {
        (
            pc.add_transceiver(MediaKind::Audio, Direction::SendRecv),
            pc.add_transceiver(MediaKind::Video, Direction::SendRecv),
        )
    });
    let offer = net.sim.with_endpoint(net.a, |pc, now| {
        pc.set_receive_mode(a.1, ReceiveMode::Frames).unwrap();
        let offer = pc.create_offer().unwrap();
        pc.set_local_description(now, SdpType::Offer, &offer)
            .unwrap();
        offer
    });
    let (b, answer) = net.sim.with_endpoint(net.b, |pc, now| {
        pc.set_remote_description(now, SdpType::Offer, &offer)
            .unwrap();
        let ids = pc.transceivers();
        assert_eq!(ids.len(), 2, "one transceiver per offered section");
        let kinds: Vec<MediaKind> = ids
            .iter()
            .map(|&t| pc.transceiver(t).unwrap().kind)
            .collect();
        assert_eq!(kinds, [MediaKind::Audio, MediaKind::Video]);
        for &t in &ids {
            pc.set_direction(t, Direction::SendRecv).unwrap();
        }
        pc.set_receive_mode(ids[1], ReceiveMode::Frames).unwrap();
        let answer = pc.create_answer().unwrap();
        pc.set_local_description(now, SdpType::Answer, &answer)
            .unwrap();
        ((ids[0], ids[1]), answer)
    });
    net.sim.with_endpoint(net.a, |pc, now| {
        pc.set_remote_description(now, SdpType::Answer, &answer)
            .unwrap();
    });
    let up = net.run(Duration::from_secs(10), |sim, a, b| {
        [a, b]
            .iter()
            .all(|&id| sim.endpoint(id).connection_state() == ConnectionState::Connected)
    });
    assert!(up, "connected");
    for (id, tracks) in [(net.a, [a.0, a.1]), (net.b, [b.0, b.1])] {
        for t in tracks {
            assert!(net.sim.events(id).iter().any(|e| matches!(
                e,
                Event::Track { transceiver, .. } if *transceiver == t
            )));
            let info = net.sim.endpoint(id).transceiver(t).unwrap();
            assert_eq!(info.current_direction, Some(Direction::SendRecv));
            assert!(!info.codecs.is_empty());
        }
    }
    Tracks { a, b }
}

fn payload_type(pc: &PeerConnection, t: TransceiverId, name: &str) -> u8 {
    pc.transceiver(t)
        .unwrap()
        .codecs
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(name))
        .unwrap()
        .payload_type
}

/// A VP8 frame of `size` bytes: a key frame header (RFC 6386 §9.1: P=0 and the start code)
/// when `key`, numbered content after it.
fn vp8_frame(n: u32, size: usize, key: bool) -> Vec<u8> {
    let mut frame: Vec<u8> = (0..size).map(|i| (i as u32 * 7 + n) as u8).collect();
    frame[0] = if key { 0x10 } else { 0x11 };
    if key {
        frame[3..6].copy_from_slice(&[0x9d, 0x01, 0x2a]);
    }
    frame
}

/// What one side received: RTP payloads per transceiver and frames per transceiver.
fn received(net: &Net, id: EndpointId<PeerConnection>, t: TransceiverId) -> (Vec<Vec<u8>>, Frames) {
    let mut rtp = Vec::new();
    let mut frames = Vec::new();
    for e in net.sim.events(id) {
        match e {
            Event::Rtp(p) if p.transceiver == t => rtp.push(p.packet[p.payload.clone()].to_vec()),
            Event::Frame(f) if f.transceiver == t => frames.push((f.timestamp, f.data.clone())),
            _ => {}
        }
    }
    (rtp, frames)
}

/// Sends `seconds` of media from both sides: audio packets every 20 ms both ways by the RTP
/// API, and from `a` a VP8 frame every 35 ms by the frame API (a key frame every 30).
/// Returns the audio payloads each sent and a's frames.
fn stream(net: &mut Net, tracks: &Tracks, seconds: u64) -> (Vec<Vec<u8>>, Vec<Vec<u8>>, Frames) {
    let opus_a = payload_type(net.sim.endpoint(net.a), tracks.a.0, "opus");
    let opus_b = payload_type(net.sim.endpoint(net.b), tracks.b.0, "opus");
    let vp8 = payload_type(net.sim.endpoint(net.a), tracks.a.1, "VP8");
    let (mut audio_a, mut audio_b, mut frames) = (Vec::new(), Vec::new(), Vec::new());
    let steps = seconds * 1000 / 5;
    for step in 0..steps {
        let ms = step * 5;
        if ms.is_multiple_of(20) {
            let n = (ms / 20) as u32;
            let payload: Vec<u8> = (0..80).map(|i| (i + n) as u8).collect();
            net.sim.with_endpoint(net.a, |pc, now| {
                pc.write_rtp(now, tracks.a.0, opus_a, n * 960, false, &payload)
                    .unwrap();
            });
            let back: Vec<u8> = payload.iter().map(|b| !b).collect();
            net.sim.with_endpoint(net.b, |pc, now| {
                pc.write_rtp(now, tracks.b.0, opus_b, n * 960, false, &back)
                    .unwrap();
            });
            audio_a.push(payload);
            audio_b.push(back);
        }
        if ms.is_multiple_of(35) {
            let n = (ms / 35) as u32;
            let frame = vp8_frame(
                n,
                if n.is_multiple_of(30) { 12_000 } else { 3_000 },
                n.is_multiple_of(30),
            );
            let timestamp = n * 3000;
            net.sim.with_endpoint(net.a, |pc, now| {
                pc.write_frame(now, tracks.a.1, vp8, timestamp, &frame)
                    .unwrap();
            });
            frames.push((timestamp, frame));
        }
        net.run(Duration::from_millis(5), |_, _, _| false);
    }
    // Let the last packets and their repairs arrive.
    net.run(Duration::from_millis(500), |_, _, _| false);
    (audio_a, audio_b, frames)
}

#[test]
fn audio_by_the_rtp_api_and_video_by_the_frame_api_arrive_as_sent() {
    let mut net = net(70, 0.0);
    let tracks = negotiate(&mut net);
    let (audio_a, audio_b, frames) = stream(&mut net, &tracks, 2);
    let (rtp_at_b, _) = received(&net, net.b, tracks.b.0);
    let (rtp_at_a, _) = received(&net, net.a, tracks.a.0);
    assert_eq!(rtp_at_b, audio_a);
    assert_eq!(rtp_at_a, audio_b);
    let (_, frames_at_b) = received(&net, net.b, tracks.b.1);
    assert_eq!(frames_at_b, frames);
    let keyframes = net
        .sim
        .events(net.b)
        .iter()
        .filter(|e| matches!(e, Event::Frame(f) if f.keyframe))
        .count();
    assert_eq!(
        keyframes,
        frames.iter().filter(|(_, f)| f[0] == 0x10).count()
    );
}

/// The frames are the same, with a short message when not (frames are large).
fn assert_same_frames(got: &[(u32, Vec<u8>)], sent: &[(u32, Vec<u8>)], seed: u64) {
    let summary = |f: &[(u32, Vec<u8>)]| -> Vec<(u32, usize)> {
        f.iter().map(|(t, d)| (*t, d.len())).collect()
    };
    let first_difference = got.iter().zip(sent).position(|(g, s)| g != s);
    assert!(
        got.len() == sent.len() && first_difference.is_none(),
        "seed {seed}: {} frames of {}, first difference at {first_difference:?}; got {:?}",
        got.len(),
        sent.len(),
        summary(got)
    );
}

#[test]
fn nack_and_rtx_recover_every_video_packet_lost_at_five_percent() {
    for seed in [71, 72] {
        let mut net = net(seed, 0.05);
        let tracks = negotiate(&mut net);
        let (_, _, frames) = stream(&mut net, &tracks, 3);
        let (_, frames_at_b) = received(&net, net.b, tracks.b.1);
        // A loss among the last packets sent shows no gap (nothing follows it): the last
        // two frames are not counted.
        let counted = frames.len() - 2;
        assert!(frames_at_b.len() >= counted);
        assert_same_frames(&frames_at_b[..counted], &frames[..counted], seed);
        assert!(
            !net.sim
                .events(net.b)
                .iter()
                .any(|e| matches!(e, Event::Frame(f) if f.after_loss)),
            "no frame was given up"
        );
        // The NACKs came (a saw them in b's RTCP).
        let nacks = net
            .sim
            .events(net.a)
            .iter()
            .filter_map(|e| match e {
                Event::Rtcp(compound) => Some(
                    Compound::new(compound)
                        .packets()
                        .filter(|p| {
                            matches!(
                                p,
                                Ok(RtcpPacket::TransportFeedback(TransportFeedback::Nack(_)))
                            )
                        })
                        .count(),
                ),
                _ => None,
            })
            .sum::<usize>();
        assert!(nacks > 0, "seed {seed}: losses were asked for");
        // getStats: the sender answered NACKs with retransmissions; the receiver got them.
        let a = net.sim.endpoint(net.a).stats();
        let b = net.sim.endpoint(net.b).stats();
        let sent = a.outbound_rtp.iter().find(|o| o.kind == "video").unwrap();
        let got = b.inbound_rtp.iter().find(|i| i.kind == "video").unwrap();
        assert!(
            sent.nack_count > 0 && sent.retransmitted_packets_sent > 0,
            "{sent:?}"
        );
        assert_eq!(sent.frames_sent, frames.len() as u64);
        assert!(
            got.nack_count > 0 && got.retransmitted_packets_received > 0,
            "{got:?}"
        );
        assert!(got.frames_received >= counted as u64, "{got:?}");
        assert_eq!(got.frames_dropped, 0, "{got:?}");
    }
}

#[test]
fn receiver_reports_match_the_simulated_loss_and_delay() {
    let mut net = net(73, 0.05);
    let tracks = negotiate(&mut net);
    stream(&mut net, &tracks, 10);
    let audio_ssrc = net
        .sim
        .endpoint(net.a)
        .transceiver(tracks.a.0)
        .unwrap()
        .send_ssrc
        .0;
    // b's reports about a's audio (no NACK for audio: loss is loss).
    let mut last = None;
    for e in net.sim.events(net.a) {
        if let Event::Rtcp(compound) = e {
            for packet in Compound::new(compound).packets().flatten() {
                let blocks: Vec<_> = match packet {
                    RtcpPacket::SenderReport(sr) => sr.report_blocks().collect(),
                    RtcpPacket::ReceiverReport(rr) => rr.report_blocks().collect(),
                    _ => Vec::new(),
                };
                last = blocks.into_iter().find(|b| b.ssrc == audio_ssrc).or(last);
            }
        }
    }
    let block = last.expect("a report about a's audio");
    // The same figures through getStats on both sides.
    let b_stats = net.sim.endpoint(net.b).stats();
    let inbound = b_stats
        .inbound_rtp
        .iter()
        .find(|i| i.ssrc == audio_ssrc)
        .unwrap();
    let a_stats = net.sim.endpoint(net.a).stats();
    let remote = a_stats
        .remote_inbound_rtp
        .iter()
        .find(|r| r.ssrc == audio_ssrc)
        .unwrap();
    assert!(
        (inbound.packets_lost - i64::from(block.cumulative_lost)).abs() <= 15,
        "{inbound:?} {block:?}"
    );
    assert_eq!(remote.packets_lost, i64::from(block.cumulative_lost));
    assert!(
        remote
            .round_trip_time
            .is_some_and(|r| (0.038..0.050).contains(&r)),
        "{remote:?}"
    );
    assert!(inbound.jitter < 0.01, "no jitter on this link: {inbound:?}");
    // 5% on each host's link: 1 - 0.95² = 9.75% on the path.
    let sent = 10 * 1000 / 20;
    let lost = f64::from(block.cumulative_lost) / f64::from(sent);
    assert!((0.06..0.14).contains(&lost), "reported loss {lost}");
    assert!(block.last_sender_report != 0, "b had an SR from a");
    let rtt = net
        .sim
        .endpoint(net.a)
        .media_rtt()
        .expect("a measured a round trip");
    // Each host's link delays 10 ms: 20 ms each way.
    assert!(
        (Duration::from_millis(38)..Duration::from_millis(50)).contains(&rtt),
        "round trip {rtt:?} over a 20 ms each way path"
    );
}

/// Transport-wide feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1): every
/// transport-wide sequence number `a` sent (audio, video, retransmissions) is reported by `b`,
/// received or not; without loss all as received, at 5% loss about 5% not.
#[test]
fn transport_wide_feedback_covers_every_packet_sent() {
    for (seed, loss) in [(74, 0.0), (75, 0.05)] {
        let mut net = net(seed, loss);
        let tracks = negotiate(&mut net);
        stream(&mut net, &tracks, 2);
        let a = net.sim.endpoint(net.a).stats();
        let sent: u64 = a
            .outbound_rtp
            .iter()
            .map(|o| o.packets_sent + o.retransmitted_packets_sent)
            .sum();
        let mut reported = std::collections::BTreeSet::new();
        let mut received = 0u64;
        for e in net.sim.events(net.a) {
            let Event::Rtcp(compound) = e else { continue };
            for packet in Compound::new(compound).packets().flatten() {
                if let RtcpPacket::TransportFeedback(TransportFeedback::TransportCc(feedback)) =
                    packet
                {
                    for p in feedback.packets() {
                        if reported.insert(p.sequence_number) && p.status.is_received() {
                            received += 1;
                        }
                    }
                }
            }
        }
        if loss == 0.0 {
            // Every sequence number, from the first, once, as received.
            assert_eq!(reported.len() as u64, sent, "seed {seed}: all reported");
            assert_eq!(reported.first(), Some(&0));
            assert_eq!(reported.last(), Some(&((sent - 1) as u16)));
            assert_eq!(received, sent);
        } else {
            // Feedback crosses the lossy path too (9.75%), and each number is reported once:
            // a lost feedback message loses its report. What arrives says ~9.75% were lost.
            let covered = reported.len() as f64 / sent as f64;
            assert!(covered > 0.8, "seed {seed}: {covered}");
            let lost = (reported.len() as u64 - received) as f64 / reported.len() as f64;
            assert!((0.05..0.15).contains(&lost), "seed {seed}: {lost}");
        }
    }
}

/// W3C `RTCRtpTransceiver.stop()`: a stopped transceiver stops sending at once, and the next
/// offer rejects its section (port 0, out of the BUNDLE group), after which the peer's
/// transceiver is inactive too; the other transceiver carries on.
#[test]
fn a_stopped_transceiver_stops_at_once_and_its_section_is_rejected() {
    let mut net = net(76, 0.0);
    let tracks = negotiate(&mut net);
    stream(&mut net, &tracks, 1);
    let opus = payload_type(net.sim.endpoint(net.a), tracks.a.0, "opus");
    let offer = net.sim.with_endpoint(net.a, |pc, now| {
        pc.stop_transceiver(tracks.a.0).unwrap();
        assert_eq!(
            pc.write_rtp(now, tracks.a.0, opus, 0, false, b"x"),
            Err(sansrtc::MediaError::NotSending)
        );
        assert_eq!(
            pc.set_direction(tracks.a.0, Direction::SendRecv),
            Err(sansrtc::MediaError::Stopped)
        );
        let offer = pc.create_offer().unwrap();
        pc.set_local_description(now, SdpType::Offer, &offer)
            .unwrap();
        offer
    });
    let audio_mid = net
        .sim
        .endpoint(net.a)
        .transceiver(tracks.a.0)
        .unwrap()
        .mid
        .unwrap();
    assert!(offer.contains("m=audio 0 "), "{offer}");
    let bundle = offer
        .lines()
        .find(|l| l.starts_with("a=group:BUNDLE"))
        .unwrap();
    assert!(
        !bundle.split(' ').skip(1).any(|m| m == audio_mid),
        "{bundle}"
    );
    let answer = net.sim.with_endpoint(net.b, |pc, now| {
        pc.set_remote_description(now, SdpType::Offer, &offer)
            .unwrap();
        let answer = pc.create_answer().unwrap();
        pc.set_local_description(now, SdpType::Answer, &answer)
            .unwrap();
        answer
    });
    net.sim.with_endpoint(net.a, |pc, now| {
        pc.set_remote_description(now, SdpType::Answer, &answer)
            .unwrap();
    });
    let b_audio = net.sim.endpoint(net.b).transceiver(tracks.b.0).unwrap();
    assert_eq!(b_audio.current_direction, Some(Direction::Inactive));
    let video = net.sim.endpoint(net.a).transceiver(tracks.a.1).unwrap();
    assert_eq!(video.current_direction, Some(Direction::SendRecv));
    // Video still flows.
    let before = received(&net, net.b, tracks.b.1).1.len();
    let vp8 = payload_type(net.sim.endpoint(net.a), tracks.a.1, "VP8");
    net.sim.with_endpoint(net.a, |pc, now| {
        pc.write_frame(now, tracks.a.1, vp8, 9_000_000, &vp8_frame(1, 5000, true))
            .unwrap();
    });
    net.run(Duration::from_millis(300), |_, _, _| false);
    assert_eq!(received(&net, net.b, tracks.b.1).1.len(), before + 1);
}

/// Simulcast both ways through our own stack (RFC 8853): `a` sends three layers, each its
/// own stream with its rid; `b` answers `a=simulcast:recv`, learns each layer's SSRC from its
/// rid extension and each RTX stream's from repaired-rtp-stream-id, and rebuilds every frame of
/// every layer at 9.75% loss.
#[test]
fn three_simulcast_layers_arrive_whole_and_apart_at_loss() {
    let mut net = net(77, 0.05);
    let video = net.sim.with_endpoint(net.a, |pc, _| {
        pc.add_simulcast_transceiver(MediaKind::Video, Direction::SendOnly, &["q", "h", "f"])
            .unwrap()
    });
    let offer = net.sim.with_endpoint(net.a, |pc, now| {
        let offer = pc.create_offer().unwrap();
        pc.set_local_description(now, SdpType::Offer, &offer)
            .unwrap();
        offer
    });
    assert!(offer.contains("a=simulcast:send q;h;f"), "{offer}");
    let answer = net.sim.with_endpoint(net.b, |pc, now| {
        pc.set_remote_description(now, SdpType::Offer, &offer)
            .unwrap();
        let t = pc.transceivers()[0];
        pc.set_receive_mode(t, ReceiveMode::Frames).unwrap();
        let answer = pc.create_answer().unwrap();
        pc.set_local_description(now, SdpType::Answer, &answer)
            .unwrap();
        answer
    });
    assert!(answer.contains("a=simulcast:recv q;h;f"), "{answer}");
    net.sim.with_endpoint(net.a, |pc, now| {
        pc.set_remote_description(now, SdpType::Answer, &answer)
            .unwrap();
    });
    assert!(net.run(Duration::from_secs(10), |sim, a, b| {
        [a, b]
            .iter()
            .all(|&id| sim.endpoint(id).connection_state() == ConnectionState::Connected)
    }));
    let vp8 = payload_type(net.sim.endpoint(net.a), video, "VP8");
    let layers = ["q", "h", "f"].map(|r| sansrtc::Rid::new(r.as_bytes()).unwrap());
    let mut sent: Vec<Vec<(u32, Vec<u8>)>> = vec![Vec::new(); 3];
    for n in 0..60u32 {
        for (l, rid) in layers.iter().enumerate() {
            let frame = vp8_frame(n * 3 + l as u32, 1500 << l, n.is_multiple_of(30));
            net.sim.with_endpoint(net.a, |pc, now| {
                pc.write_frame_layer(now, video, *rid, vp8, n * 3000, &frame)
                    .unwrap();
            });
            sent[l].push((n * 3000, frame));
        }
        net.run(Duration::from_millis(33), |_, _, _| false);
    }
    net.run(Duration::from_millis(500), |_, _, _| false);
    let mut got: Vec<Vec<(u32, Vec<u8>)>> = vec![Vec::new(); 3];
    for e in net.sim.events(net.b) {
        if let Event::Frame(f) = e {
            let l = layers.iter().position(|r| Some(*r) == f.rid).unwrap();
            got[l].push((f.timestamp, f.data.clone()));
        }
    }
    // b only receives: it measured the round trip with XR (RFC 3611 RRTR and DLRR).
    let rtt = net
        .sim
        .endpoint(net.b)
        .media_rtt()
        .expect("a round trip from XR");
    assert!(
        (Duration::from_millis(38)..Duration::from_millis(50)).contains(&rtt),
        "{rtt:?}"
    );
    // A loss among a layer's first or last packets shows no gap (nothing precedes or
    // follows it): the first frame and the last two are not counted.
    for l in 0..3 {
        let counted = &sent[l][1..sent[l].len() - 2];
        let window: Vec<(u32, Vec<u8>)> = got[l]
            .iter()
            .filter(|(t, _)| (counted[0].0..=counted[counted.len() - 1].0).contains(t))
            .cloned()
            .collect();
        assert_same_frames(&window, counted, 77);
    }
    let stats = net.sim.endpoint(net.b).stats();
    let rids: Vec<_> = stats.inbound_rtp.iter().filter_map(|i| i.rid).collect();
    assert_eq!(rids.len(), 3, "{:?}", stats.inbound_rtp);
    assert!(
        stats
            .inbound_rtp
            .iter()
            .all(|i| i.retransmitted_packets_received > 0),
        "each layer repaired by its own RTX: {:?}",
        stats.inbound_rtp
    );
    let a_stats = net.sim.endpoint(net.a).stats();
    assert_eq!(a_stats.outbound_rtp.len(), 3);
}

/// The other way round: video by the RTP API (every VP8 packet as written, both ways) and
/// audio by the frame API (Opus packets through the packetizer and the frame assembler).
#[test]
fn video_by_the_rtp_api_and_audio_by_the_frame_api_arrive_as_sent() {
    let mut net = net(78, 0.0);
    let tracks = negotiate(&mut net);
    for (id, t) in [(net.a, tracks.a), (net.b, tracks.b)] {
        net.sim.with_endpoint(id, |pc, _| {
            pc.set_receive_mode(t.0, ReceiveMode::Frames).unwrap();
            pc.set_receive_mode(t.1, ReceiveMode::Rtp).unwrap();
        });
    }
    let opus = payload_type(net.sim.endpoint(net.a), tracks.a.0, "opus");
    let vp8 = [
        payload_type(net.sim.endpoint(net.a), tracks.a.1, "VP8"),
        payload_type(net.sim.endpoint(net.b), tracks.b.1, "VP8"),
    ];
    let (mut video_a, mut video_b, mut audio) = (Vec::new(), Vec::new(), Vec::new());
    for n in 0..100u32 {
        let payload: Vec<u8> = (0..1000).map(|i| (i as u32 + n) as u8).collect();
        let back: Vec<u8> = payload.iter().map(|b| b.wrapping_add(1)).collect();
        let frame: Vec<u8> = (0..120).map(|i| (i as u32 * 3 + n) as u8).collect();
        net.sim.with_endpoint(net.a, |pc, now| {
            pc.write_rtp(now, tracks.a.1, vp8[0], n * 3000, true, &payload)
                .unwrap();
            pc.write_frame(now, tracks.a.0, opus, n * 960, &frame)
                .unwrap();
        });
        net.sim.with_endpoint(net.b, |pc, now| {
            pc.write_rtp(now, tracks.b.1, vp8[1], n * 3000, true, &back)
                .unwrap();
        });
        video_a.push(payload);
        video_b.push(back);
        audio.push((n * 960, frame));
        net.run(Duration::from_millis(20), |_, _, _| false);
    }
    net.run(Duration::from_millis(300), |_, _, _| false);
    let (rtp_at_b, _) = received(&net, net.b, tracks.b.1);
    let (rtp_at_a, _) = received(&net, net.a, tracks.a.1);
    let (_, audio_at_b) = received(&net, net.b, tracks.b.0);
    assert_eq!(rtp_at_b, video_a);
    assert_eq!(rtp_at_a, video_b);
    assert_same_frames(&audio_at_b, &audio, 78);
}
