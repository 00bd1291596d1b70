//! RTP header extensions carrying SDES items (RFC 7941): MID (RFC 9143 §15), RtpStreamId and
//! RepairedRtpStreamId (RFC 8852 §3).

use super::{ExtensionKind, ExtensionValue, bad_extension, write_bytes};
use crate::error::{BuildError, ParseError};

/// Reads an SDES item value: 1..=255 bytes of UTF-8. Trailing zero bytes are dropped, since
/// some senders pad the one-byte form with them inside the element.
fn parse_text(data: &[u8]) -> Result<&str, ParseError> {
    let end = data.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let text = std::str::from_utf8(&data[..end]).map_err(|_| bad_extension())?;
    if text.is_empty() {
        return Err(bad_extension());
    }
    Ok(text)
}

fn write_text(text: &str, out: &mut [u8]) -> Result<usize, BuildError> {
    if text.is_empty() || text.len() > 255 {
        return Err(BuildError::TooLarge);
    }
    write_bytes(text.as_bytes(), out)
}

/// Checks the `rid-id` grammar of RFC 8851 §10: letters, digits, `-` and `_`.
fn parse_rid(data: &[u8]) -> Result<&str, ParseError> {
    let text = parse_text(data)?;
    if !text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(bad_extension());
    }
    Ok(text)
}

/// Declares an SDES-item extension: a borrowed text value, read by `$parse`, written as is.
macro_rules! sdes_extension {
    ($(#[$doc:meta])* $name:ident, $uri:literal, $kind:ident, $parse:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name<'a>(pub &'a str);

        impl<'a> ExtensionValue<'a> for $name<'a> {
            const URI: &'static str = $uri;
            const KIND: ExtensionKind = ExtensionKind::$kind;

            fn parse(data: &'a [u8]) -> Result<Self, ParseError> {
                $parse(data).map(Self)
            }

            fn encoded_len(&self) -> usize {
                self.0.len()
            }

            fn write(&self, out: &mut [u8]) -> Result<usize, BuildError> {
                write_text(self.0, out)
            }
        }
    };
}

sdes_extension!(
    /// The media identification (`a=mid`) of the packet's m-section (RFC 9143 §15,
    /// `urn:ietf:params:rtp-hdrext:sdes:mid`).
    Mid,
    "urn:ietf:params:rtp-hdrext:sdes:mid",
    Mid,
    parse_text
);

sdes_extension!(
    /// The RTP stream identifier (`a=rid`) of a simulcast layer (RFC 8852 §3.1,
    /// `urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id`).
    Rid,
    "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
    Rid,
    parse_rid
);

sdes_extension!(
    /// The RTP stream identifier a repair (RTX, FEC) stream protects (RFC 8852 §3.2,
    /// `urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id`).
    RepairedRid,
    "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
    RepairedRid,
    parse_rid
);
