//! Transport and grouping attributes: `fingerprint` (RFC 8122 §5), `setup` (RFC 4145 §4),
//! `group` (RFC 5888 §5, RFC 9143), `msid` and `msid-semantic` (RFC 8830, and the
//! `msid-semantic` form browsers still write).

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// `a=fingerprint:<hash-func> <fingerprint>` (RFC 8122 §5). The hash name keeps its case; the
/// value is colon-separated upper-case hex as browsers write it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    /// Hash function name (`sha-256`, `sha-1`, ...; any name is kept).
    pub hash: Cow<'static, str>,
    /// The fingerprint as written (`AB:CD:...`).
    pub value: String,
}

impl Fingerprint {
    /// Builds one from a hash name and digest bytes, in the upper-case colon form.
    pub fn from_bytes(hash: &str, digest: &[u8]) -> Self {
        let value = digest
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":");
        Self {
            hash: crate::intern::intern(hash, crate::intern::HASHES),
            value,
        }
    }

    /// The digest bytes, or `None` if the value is not colon-separated hex.
    pub fn bytes(&self) -> Option<Vec<u8>> {
        self.value
            .split(':')
            .map(|h| {
                if h.len() == 2 {
                    u8::from_str_radix(h, 16).ok()
                } else {
                    None
                }
            })
            .collect()
    }
}

impl FromStr for Fingerprint {
    type Err = &'static str;
    fn from_str(value: &str) -> Result<Self, &'static str> {
        let (hash, fp) = value.split_once(' ').ok_or("fingerprint")?;
        let fp = fp.trim();
        if hash.is_empty() || fp.is_empty() || fp.contains(' ') {
            return Err("fingerprint");
        }
        Ok(Self {
            hash: crate::intern::intern(hash, crate::intern::HASHES),
            value: fp.to_owned(),
        })
    }
}

impl crate::emit::Emit for Fingerprint {
    fn emit<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        write!(f, "{} {}", self.hash, self.value)
    }
}

/// `a=setup` (RFC 4145 §4, RFC 5763 §5): which side opens the DTLS connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Setup {
    /// `actpass`: the offerer lets the answerer choose.
    ActPass,
    /// `active`: this side is the DTLS client.
    Active,
    /// `passive`: this side is the DTLS server.
    Passive,
    /// `holdconn`.
    HoldConn,
}

impl Setup {
    pub(crate) fn parse(token: &str) -> Option<Self> {
        match token {
            "actpass" => Some(Self::ActPass),
            "active" => Some(Self::Active),
            "passive" => Some(Self::Passive),
            "holdconn" => Some(Self::HoldConn),
            _ => None,
        }
    }

    /// The token.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ActPass => "actpass",
            Self::Active => "active",
            Self::Passive => "passive",
            Self::HoldConn => "holdconn",
        }
    }
}

/// `a=group:<semantics> <mid> ...` (RFC 5888 §5): `BUNDLE` (RFC 9143), `LS`, `FID`, ...
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Group {
    /// Semantics token.
    pub semantics: String,
    /// Member mids, in order (the first is the BUNDLE tag).
    pub mids: Vec<String>,
}

impl FromStr for Group {
    type Err = &'static str;
    fn from_str(value: &str) -> Result<Self, &'static str> {
        let mut fields = value.split_ascii_whitespace();
        let semantics = fields.next().ok_or("group")?.to_owned();
        Ok(Self {
            semantics,
            mids: fields.map(str::to_owned).collect(),
        })
    }
}

impl crate::emit::Emit for Group {
    fn emit<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        f.write_str(&self.semantics)?;
        for mid in &self.mids {
            write!(f, " {mid}")?;
        }
        Ok(())
    }
}

/// `a=msid-semantic:<semantic> <ids>` (draft-ietf-mmusic-msid; RFC 8830 dropped it, browsers
/// still send it). Chrome writes `msid-semantic: WMS <ids>` with a space after the colon and
/// Firefox `msid-semantic:WMS *`; which one came in is kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MsidSemantic {
    /// The semantic token (`WMS`).
    pub semantic: String,
    /// Stream ids (or `*`).
    pub ids: Vec<String>,
    /// Whether a space follows the colon (Chrome's form).
    pub space_after_colon: bool,
}

impl FromStr for MsidSemantic {
    type Err = &'static str;
    fn from_str(value: &str) -> Result<Self, &'static str> {
        let space_after_colon = value.starts_with(' ');
        let mut fields = value.split_ascii_whitespace();
        let semantic = fields.next().ok_or("msid-semantic")?.to_owned();
        Ok(Self {
            semantic,
            ids: fields.map(str::to_owned).collect(),
            space_after_colon,
        })
    }
}

impl crate::emit::Emit for MsidSemantic {
    fn emit<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        if self.space_after_colon {
            f.write_str(" ")?;
        }
        f.write_str(&self.semantic)?;
        for id in &self.ids {
            write!(f, " {id}")?;
        }
        Ok(())
    }
}

/// `a=msid:<stream id> [<track id>]` (RFC 8830 §2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Msid {
    /// MediaStream id (`-` for none).
    pub stream: String,
    /// Track id ("appdata").
    pub track: Option<String>,
}

impl FromStr for Msid {
    type Err = &'static str;
    fn from_str(value: &str) -> Result<Self, &'static str> {
        let mut fields = value.split_ascii_whitespace();
        let stream = fields.next().ok_or("msid")?.to_owned();
        let track = fields.next().map(str::to_owned);
        if fields.next().is_some() {
            return Err("msid");
        }
        Ok(Self { stream, track })
    }
}

impl crate::emit::Emit for Msid {
    fn emit<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        f.write_str(&self.stream)?;
        if let Some(t) = &self.track {
            write!(f, " {t}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_bytes() {
        let fp = Fingerprint::from_bytes("sha-256", &[0x0b, 0x95, 0xff]);
        assert_eq!(fp.to_string(), "sha-256 0B:95:FF");
        assert_eq!(fp.bytes(), Some(vec![0x0b, 0x95, 0xff]));
        let redacted: Fingerprint = "sha-256 -".parse().unwrap();
        assert_eq!(
            redacted.bytes(),
            None,
            "Safari sample with a redacted value parses, has no bytes"
        );
    }

    #[test]
    fn msid_semantic_keeps_both_spellings() {
        for s in [" WMS 9e79506a-a809", "WMS *", " WMS"] {
            assert_eq!(s.parse::<MsidSemantic>().unwrap().to_string(), s);
        }
    }

    #[test]
    fn group_and_msid() {
        let g: Group = "BUNDLE 0 1 2".parse().unwrap();
        assert_eq!(g.mids, ["0", "1", "2"]);
        assert_eq!(g.to_string(), "BUNDLE 0 1 2");
        assert!("a b c".parse::<Msid>().is_err());
        assert_eq!("- t1".parse::<Msid>().unwrap().track.as_deref(), Some("t1"));
    }
}

crate::emit::display_via_emit!(Fingerprint, Group, MsidSemantic, Msid);
