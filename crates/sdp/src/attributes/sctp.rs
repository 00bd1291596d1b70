//! Data channel attributes: `sctpmap` (the pre-RFC 8841 form) and `sctp-init` (SNAP,
//! draft-hancke-tsvwg-snap: an SCTP INIT chunk carried in the SDP, base64).

use std::fmt;
use std::str::FromStr;

/// `a=sctpmap:<port> <protocol> [<streams>]` (draft-ietf-mmusic-sctp-sdp-05, before RFC 8841).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sctpmap {
    /// SCTP port (also the m-line format).
    pub port: u16,
    /// Application protocol (`webrtc-datachannel`).
    pub protocol: String,
    /// Maximum number of streams.
    pub streams: Option<u32>,
}

impl FromStr for Sctpmap {
    type Err = &'static str;
    fn from_str(value: &str) -> Result<Self, &'static str> {
        let mut fields = value.split_ascii_whitespace();
        let port = fields
            .next()
            .ok_or("sctpmap")?
            .parse()
            .map_err(|_| "sctpmap")?;
        let protocol = fields.next().ok_or("sctpmap")?.to_owned();
        let streams = fields
            .next()
            .map(str::parse)
            .transpose()
            .map_err(|_| "sctpmap")?;
        if fields.next().is_some() {
            return Err("sctpmap");
        }
        Ok(Self {
            port,
            protocol,
            streams,
        })
    }
}

impl crate::emit::Emit for Sctpmap {
    fn emit<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        write!(f, "{} {}", self.port, self.protocol)?;
        if let Some(s) = self.streams {
            write!(f, " {s}")?;
        }
        Ok(())
    }
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (RFC 4648 §4).
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let index = usize::try_from((n >> (18 - 6 * i)) & 0x3f).unwrap_or(0);
                out.push(char::from(BASE64[index]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard base64 (padding optional); `None` on any other character.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let v = u32::try_from(BASE64.iter().position(|&b| b == c)?).ok()?;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sctpmap() {
        let s: Sctpmap = "5000 webrtc-datachannel 1024".parse().unwrap();
        assert_eq!((s.port, s.streams), (5000, Some(1024)));
        assert_eq!(s.to_string(), "5000 webrtc-datachannel 1024");
        assert!("x webrtc-datachannel".parse::<Sctpmap>().is_err());
    }

    #[test]
    fn base64_round_trip_and_rfc4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64_encode(plain.as_bytes()), encoded);
            assert_eq!(base64_decode(encoded).unwrap(), plain.as_bytes());
        }
        assert_eq!(base64_decode("Zm9v!"), None);
    }
}

crate::emit::display_via_emit!(Sctpmap);
