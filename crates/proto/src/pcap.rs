//! A pcap writer for what a machine sent and received (or a simulation carried), so tshark and
//! Wireshark can dissect it.
//!
//! Packets are written with link type `LINKTYPE_RAW` (101): each record is a bare IPv4 or IPv6
//! packet. The writer synthesizes the IP header and a UDP header with a correct checksum, or for
//! TCP a header whose sequence numbers follow the bytes of each direction, so tshark reassembles
//! streams (STUN over TCP, for example).

use crate::Protocol;
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

const LINKTYPE_RAW: u32 = 101;
const IPPROTO_TCP: u8 = 6;
const IPPROTO_UDP: u8 = 17;

/// One packet to write.
struct Packet<'a> {
    proto: Protocol,
    source: SocketAddr,
    destination: SocketAddr,
    contents: &'a [u8],
}

/// An in-memory pcap file.
#[derive(Debug, Clone)]
pub struct PcapWriter {
    bytes: Vec<u8>,
    ip_id: u16,
    tcp_next_seq: BTreeMap<(SocketAddr, SocketAddr), u32>,
}

impl Default for PcapWriter {
    fn default() -> Self {
        Self::new()
    }
}

/// Internet checksum (RFC 1071) over the concatenation of `parts`.
fn checksum(parts: &[&[u8]]) -> u16 {
    let mut sum: u32 = 0;
    let mut odd: Option<u8> = None;
    for part in parts {
        for &b in *part {
            match odd.take() {
                Some(hi) => sum += u32::from(u16::from_be_bytes([hi, b])),
                None => odd = Some(b),
            }
        }
    }
    if let Some(hi) = odd {
        sum += u32::from(u16::from_be_bytes([hi, 0]));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !u16::try_from(sum).unwrap_or(0xffff)
}

fn ip_bytes(ip: IpAddr) -> Vec<u8> {
    match ip {
        IpAddr::V4(v4) => v4.octets().to_vec(),
        IpAddr::V6(v6) => v6.octets().to_vec(),
    }
}

impl PcapWriter {
    /// Starts a file: writes the pcap global header.
    pub fn new() -> Self {
        let mut bytes = Vec::with_capacity(4096);
        bytes.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes()); // magic, microseconds
        bytes.extend_from_slice(&2u16.to_le_bytes()); // version major
        bytes.extend_from_slice(&4u16.to_le_bytes()); // version minor
        bytes.extend_from_slice(&0i32.to_le_bytes()); // thiszone
        bytes.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
        bytes.extend_from_slice(&65535u32.to_le_bytes()); // snaplen
        bytes.extend_from_slice(&LINKTYPE_RAW.to_le_bytes());
        Self {
            bytes,
            ip_id: 0,
            tcp_next_seq: BTreeMap::new(),
        }
    }

    /// Appends one packet, time-stamped `at` after the Unix epoch (simulations pass the
    /// virtual time since their own epoch).
    ///
    /// Mixed address families are written as IPv6, the IPv4 address in its IPv4-mapped form.
    /// Payloads that would not fit one IP packet are cut to fit.
    pub fn add(
        &mut self,
        at: Duration,
        proto: Protocol,
        source: SocketAddr,
        destination: SocketAddr,
        payload: &[u8],
    ) {
        let packet = &Packet {
            proto,
            source,
            destination,
            contents: payload,
        };
        let transport = self.transport(packet);
        let ip = self.ip(packet, &transport);
        let secs = u32::try_from(at.as_secs()).unwrap_or(u32::MAX);
        let len = u32::try_from(ip.len()).unwrap_or(u32::MAX);
        self.bytes.extend_from_slice(&secs.to_le_bytes());
        self.bytes
            .extend_from_slice(&at.subsec_micros().to_le_bytes());
        self.bytes.extend_from_slice(&len.to_le_bytes());
        self.bytes.extend_from_slice(&len.to_le_bytes());
        self.bytes.extend_from_slice(&ip);
    }

    /// Appends a UDP datagram given by its addresses and payload.
    pub fn add_udp(
        &mut self,
        at: Duration,
        source: SocketAddr,
        destination: SocketAddr,
        payload: &[u8],
    ) {
        self.add(at, Protocol::Udp, source, destination, payload);
    }

    /// The file so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Writes the file to `path`.
    pub fn write_to(&self, path: &std::path::Path) -> std::io::Result<()> {
        std::fs::write(path, &self.bytes)
    }

    /// Source and destination IPs, both IPv4 or both IPv6 (a lone IPv4 address is written in
    /// its IPv4-mapped IPv6 form).
    fn addresses(packet: &Packet<'_>) -> (IpAddr, IpAddr) {
        let as_v6 = |ip: IpAddr| match ip {
            IpAddr::V4(v4) => IpAddr::V6(v4.to_ipv6_mapped()),
            v6 => v6,
        };
        match (packet.source.ip(), packet.destination.ip()) {
            (s @ IpAddr::V4(_), d @ IpAddr::V4(_)) => (s, d),
            (s, d) => (as_v6(s), as_v6(d)),
        }
    }

    fn transport(&mut self, packet: &Packet<'_>) -> Vec<u8> {
        let (src, dst) = Self::addresses(packet);
        let max_payload = 65_535 - 60 - 40;
        let payload = &packet.contents[..packet.contents.len().min(max_payload)];
        let mut seg = Vec::with_capacity(payload.len() + 20);
        let proto = match packet.proto {
            Protocol::Tcp => {
                let key = (packet.source, packet.destination);
                let seq = self.tcp_next_seq.get(&key).copied().unwrap_or(1);
                let ack = self
                    .tcp_next_seq
                    .get(&(packet.destination, packet.source))
                    .copied()
                    .unwrap_or(1);
                let advance = u32::try_from(payload.len()).unwrap_or(u32::MAX);
                self.tcp_next_seq.insert(key, seq.wrapping_add(advance));
                seg.extend_from_slice(&packet.source.port().to_be_bytes());
                seg.extend_from_slice(&packet.destination.port().to_be_bytes());
                seg.extend_from_slice(&seq.to_be_bytes());
                seg.extend_from_slice(&ack.to_be_bytes());
                seg.extend_from_slice(&[0x50, 0x18]); // data offset 5 words; PSH|ACK
                seg.extend_from_slice(&65535u16.to_be_bytes()); // window
                seg.extend_from_slice(&[0, 0, 0, 0]); // checksum, urgent pointer
                seg.extend_from_slice(payload);
                IPPROTO_TCP
            }
            _ => {
                let len = u16::try_from(payload.len() + 8).unwrap_or(u16::MAX);
                seg.extend_from_slice(&packet.source.port().to_be_bytes());
                seg.extend_from_slice(&packet.destination.port().to_be_bytes());
                seg.extend_from_slice(&len.to_be_bytes());
                seg.extend_from_slice(&[0, 0]);
                seg.extend_from_slice(payload);
                IPPROTO_UDP
            }
        };
        let seg_len = u32::try_from(seg.len()).unwrap_or(u32::MAX);
        let (s, d) = (ip_bytes(src), ip_bytes(dst));
        let pseudo: Vec<u8> = match dst {
            IpAddr::V4(_) => {
                let mut p = Vec::with_capacity(12);
                p.extend_from_slice(&[0, proto]);
                p.extend_from_slice(&u16::try_from(seg_len).unwrap_or(u16::MAX).to_be_bytes());
                p
            }
            IpAddr::V6(_) => {
                let mut p = Vec::with_capacity(8);
                p.extend_from_slice(&seg_len.to_be_bytes());
                p.extend_from_slice(&[0, 0, 0, proto]);
                p
            }
        };
        let mut sum = checksum(&[&s, &d, &pseudo, &seg]);
        if proto == IPPROTO_UDP && sum == 0 {
            sum = 0xffff;
        }
        let at = if proto == IPPROTO_TCP { 16 } else { 6 };
        seg[at..at + 2].copy_from_slice(&sum.to_be_bytes());
        seg
    }

    fn ip(&mut self, packet: &Packet<'_>, transport: &[u8]) -> Vec<u8> {
        let (src, dst) = Self::addresses(packet);
        let proto = if packet.proto == Protocol::Tcp {
            IPPROTO_TCP
        } else {
            IPPROTO_UDP
        };
        let mut ip = Vec::with_capacity(transport.len() + 40);
        match (src, dst) {
            (IpAddr::V4(s), IpAddr::V4(d)) => {
                let total = u16::try_from(transport.len() + 20).unwrap_or(u16::MAX);
                self.ip_id = self.ip_id.wrapping_add(1);
                ip.extend_from_slice(&[0x45, 0]);
                ip.extend_from_slice(&total.to_be_bytes());
                ip.extend_from_slice(&self.ip_id.to_be_bytes());
                ip.extend_from_slice(&[0x40, 0, 64, proto, 0, 0]); // DF, TTL 64
                ip.extend_from_slice(&s.octets());
                ip.extend_from_slice(&d.octets());
                let sum = checksum(&[&ip]);
                ip[10..12].copy_from_slice(&sum.to_be_bytes());
            }
            _ => {
                let payload = u16::try_from(transport.len()).unwrap_or(u16::MAX);
                ip.extend_from_slice(&[0x60, 0, 0, 0]);
                ip.extend_from_slice(&payload.to_be_bytes());
                ip.extend_from_slice(&[proto, 64]);
                ip.extend_from_slice(&ip_bytes(src));
                ip.extend_from_slice(&ip_bytes(dst));
            }
        }
        ip.extend_from_slice(transport);
        ip
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_of_rfc1071_example() {
        // RFC 1071 §3: the one's-complement sum of 0001 f203 f4f5 f6f7 is ddf2.
        let sum = checksum(&[&[0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]]);
        assert_eq!(sum, !0xddf2);
    }

    #[test]
    fn ipv4_udp_record_layout() {
        let mut w = PcapWriter::new();
        w.add_udp(
            Duration::from_millis(1500),
            "127.0.0.1:1000".parse().unwrap(),
            "127.0.0.1:2000".parse().unwrap(),
            b"hi",
        );
        let b = w.as_bytes();
        assert_eq!(&b[..4], &0xa1b2_c3d4u32.to_le_bytes());
        assert_eq!(&b[20..24], &LINKTYPE_RAW.to_le_bytes());
        let rec = &b[24..];
        assert_eq!(&rec[..4], &1u32.to_le_bytes()); // 1 s
        assert_eq!(&rec[4..8], &500_000u32.to_le_bytes()); // 500 ms
        assert_eq!(&rec[8..12], &30u32.to_le_bytes()); // 20 IP + 8 UDP + 2
        let ip = &rec[16..];
        assert_eq!(ip[0], 0x45);
        assert_eq!(checksum(&[&ip[..20]]), 0, "IPv4 header checksum verifies");
        assert_eq!(&ip[20..22], &1000u16.to_be_bytes());
        assert_eq!(&ip[28..], b"hi");
    }

    #[test]
    fn tcp_sequence_numbers_follow_the_stream() {
        let mut w = PcapWriter::new();
        let a: SocketAddr = "127.0.0.1:1000".parse().unwrap();
        let b: SocketAddr = "127.0.0.1:2000".parse().unwrap();
        w.add(Duration::ZERO, Protocol::Tcp, a, b, b"abc");
        w.add(Duration::ZERO, Protocol::Tcp, a, b, b"de");
        let bytes = w.as_bytes();
        let first_seq = &bytes[24 + 16 + 20 + 4..24 + 16 + 20 + 8];
        let second = 24 + 16 + 20 + 20 + 3;
        let second_seq = &bytes[second + 16 + 20 + 4..second + 16 + 20 + 8];
        assert_eq!(first_seq, &1u32.to_be_bytes());
        assert_eq!(second_seq, &4u32.to_be_bytes());
    }
}
