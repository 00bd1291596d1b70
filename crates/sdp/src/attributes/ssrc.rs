//! `a=ssrc` and `a=ssrc-group` (RFC 5576 §4.1, §4.2).

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// `a=ssrc:<ssrc> <attribute>[:<value>]` (RFC 5576 §4.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ssrc {
    /// The SSRC.
    pub ssrc: u32,
    /// Source attribute name (`cname`, `msid`, `mslabel`, `label`).
    pub attribute: Cow<'static, str>,
    /// Its value, when it has one.
    pub value: Option<String>,
}

impl FromStr for Ssrc {
    type Err = &'static str;
    fn from_str(value: &str) -> Result<Self, &'static str> {
        let (ssrc, rest) = value.split_once(' ').ok_or("ssrc")?;
        let (attribute, value) = match rest.split_once(':') {
            Some((a, v)) => (a, Some(v.to_owned())),
            None => (rest, None),
        };
        if attribute.is_empty() {
            return Err("ssrc");
        }
        Ok(Self {
            ssrc: ssrc.parse().map_err(|_| "ssrc")?,
            attribute: crate::intern::intern(attribute, crate::intern::SSRC_ATTRIBUTES),
            value,
        })
    }
}

impl crate::emit::Emit for Ssrc {
    fn emit<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        crate::emit::num(f, self.ssrc)?;
        f.write_str(" ")?;
        f.write_str(&self.attribute)?;
        if let Some(v) = &self.value {
            f.write_str(":")?;
            f.write_str(v)?;
        }
        Ok(())
    }
}

/// `a=ssrc-group:<semantics> <ssrc> ...` (RFC 5576 §4.2): `FID` (RTX, RFC 4588), `SIM`
/// (legacy simulcast), `FEC-FR` (RFC 5956).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SsrcGroup {
    /// Semantics token.
    pub semantics: String,
    /// The SSRCs, in order.
    pub ssrcs: Vec<u32>,
}

impl FromStr for SsrcGroup {
    type Err = &'static str;
    fn from_str(value: &str) -> Result<Self, &'static str> {
        let mut fields = value.split_ascii_whitespace();
        let semantics = fields.next().ok_or("ssrc-group")?.to_owned();
        let ssrcs = fields
            .map(str::parse)
            .collect::<Result<Vec<u32>, _>>()
            .map_err(|_| "ssrc-group")?;
        Ok(Self { semantics, ssrcs })
    }
}

impl crate::emit::Emit for SsrcGroup {
    fn emit<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        f.write_str(&self.semantics)?;
        for s in &self.ssrcs {
            write!(f, " {s}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssrc_lines() {
        for s in [
            "426927855 cname:7VHrYXkEo6f8D89e",
            "1 msid:a b",
            "2 label:x:y",
            "3 novalue",
        ] {
            assert_eq!(s.parse::<Ssrc>().unwrap().to_string(), s);
        }
        assert_eq!(
            "2 label:x:y".parse::<Ssrc>().unwrap().value.as_deref(),
            Some("x:y")
        );
        assert!("x cname:a".parse::<Ssrc>().is_err());
        let g: SsrcGroup = "FID 1 2".parse().unwrap();
        assert_eq!(g.ssrcs, [1, 2]);
        assert!("SIM 1 x".parse::<SsrcGroup>().is_err());
    }
}

crate::emit::display_via_emit!(Ssrc, SsrcGroup);
