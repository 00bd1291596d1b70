//! Canonical serialization: CRLF lines in RFC 8866 §5 order.

use crate::emit::{Emit, num};
use crate::media::MediaDescription;
use crate::session::{Bandwidth, Connection, SessionDescription};
use std::fmt::{self, Display, Formatter, Write};

fn line<W: Write + ?Sized>(w: &mut W, kind: &str, value: &str) -> fmt::Result {
    w.write_str(kind)?;
    w.write_str(value)?;
    w.write_str("\r\n")
}

fn connection<W: Write + ?Sized>(w: &mut W, c: &Connection) -> fmt::Result {
    w.write_str("c=")?;
    w.write_str(&c.network_type)?;
    w.write_str(" ")?;
    w.write_str(&c.address_type)?;
    w.write_str(" ")?;
    c.address.emit(w)?;
    if let Some(ttl) = c.ttl {
        w.write_str("/")?;
        num(w, ttl)?;
    }
    if let Some(n) = c.count {
        w.write_str("/")?;
        num(w, n)?;
    }
    w.write_str("\r\n")
}

fn bandwidths<W: Write + ?Sized>(w: &mut W, b: &[Bandwidth]) -> fmt::Result {
    for b in b {
        w.write_str("b=")?;
        w.write_str(&b.kind)?;
        w.write_str(":")?;
        num(w, b.value)?;
        w.write_str("\r\n")?;
    }
    Ok(())
}

fn tail<W: Write + ?Sized>(
    w: &mut W,
    attributes: &[crate::Attribute],
    unknown: &[(char, String)],
) -> fmt::Result {
    for a in attributes {
        w.write_str("a=")?;
        a.emit(w)?;
        w.write_str("\r\n")?;
    }
    for (kind, value) in unknown {
        w.write_char(*kind)?;
        w.write_str("=")?;
        w.write_str(value)?;
        w.write_str("\r\n")?;
    }
    Ok(())
}

impl Emit for MediaDescription {
    fn emit<W: Write + ?Sized>(&self, w: &mut W) -> fmt::Result {
        w.write_str("m=")?;
        w.write_str(self.kind.as_str())?;
        w.write_str(" ")?;
        num(w, self.port)?;
        if let Some(n) = self.port_count {
            w.write_str("/")?;
            num(w, n)?;
        }
        w.write_str(" ")?;
        w.write_str(self.protocol.as_str())?;
        for fmt in &self.formats {
            w.write_str(" ")?;
            w.write_str(fmt)?;
        }
        w.write_str("\r\n")?;
        if let Some(i) = &self.information {
            line(w, "i=", i)?;
        }
        for c in &self.connections {
            connection(w, c)?;
        }
        bandwidths(w, &self.bandwidths)?;
        if let Some(k) = &self.encryption_key {
            line(w, "k=", k)?;
        }
        tail(w, &self.attributes, &self.unknown_lines)
    }
}

impl Emit for SessionDescription {
    fn emit<W: Write + ?Sized>(&self, w: &mut W) -> fmt::Result {
        let o = &self.origin;
        w.write_str("v=0\r\no=")?;
        w.write_str(&o.username)?;
        w.write_str(" ")?;
        num(w, o.session_id)?;
        w.write_str(" ")?;
        num(w, o.session_version)?;
        w.write_str(" ")?;
        w.write_str(&o.network_type)?;
        w.write_str(" ")?;
        w.write_str(&o.address_type)?;
        w.write_str(" ")?;
        o.address.emit(w)?;
        w.write_str("\r\n")?;
        line(w, "s=", &self.session_name)?;
        if let Some(i) = &self.information {
            line(w, "i=", i)?;
        }
        if let Some(u) = &self.uri {
            line(w, "u=", u)?;
        }
        for e in &self.emails {
            line(w, "e=", e)?;
        }
        for p in &self.phones {
            line(w, "p=", p)?;
        }
        if let Some(c) = &self.connection {
            connection(w, c)?;
        }
        bandwidths(w, &self.bandwidths)?;
        for t in &self.timings {
            w.write_str("t=")?;
            num(w, t.start)?;
            w.write_str(" ")?;
            num(w, t.stop)?;
            w.write_str("\r\n")?;
            for r in &t.repeats {
                line(w, "r=", &r.join(" "))?;
            }
        }
        if !self.time_zones.is_empty() {
            w.write_str("z=")?;
            for (i, z) in self.time_zones.iter().enumerate() {
                if i > 0 {
                    w.write_str(" ")?;
                }
                num(w, z.time)?;
                w.write_str(" ")?;
                w.write_str(&z.offset)?;
            }
            w.write_str("\r\n")?;
        }
        if let Some(k) = &self.encryption_key {
            line(w, "k=", k)?;
        }
        tail(w, &self.attributes, &self.unknown_lines)?;
        for m in &self.media {
            m.emit(w)?;
        }
        Ok(())
    }
}

impl SessionDescription {
    /// Appends the canonical SDP text to `out` (what `Display` writes, without the formatter).
    pub fn write_to(&self, out: &mut String) {
        // Writing to a String cannot fail.
        let _ = self.emit(out);
    }
}

impl Display for MediaDescription {
    /// Writes the section: `m=` and its lines.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.emit(f)
    }
}

impl Display for SessionDescription {
    /// Writes canonical SDP: CRLF line endings, lines in RFC 8866 §5 order.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut out = String::with_capacity(
            64 * (self.attributes.len()
                + self
                    .media
                    .iter()
                    .map(|m| m.attributes.len() + 4)
                    .sum::<usize>())
                + 128,
        );
        self.emit(&mut out)?;
        f.write_str(&out)
    }
}
