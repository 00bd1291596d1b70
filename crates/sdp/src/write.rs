//! Canonical serialization: CRLF lines in RFC 8866 §5 order.

use crate::media::MediaDescription;
use crate::session::{Bandwidth, Connection, SessionDescription};
use std::fmt::{self, Display, Formatter, Write};

fn connection(f: &mut Formatter<'_>, c: &Connection) -> fmt::Result {
    write!(f, "c={} {} {}", c.network_type, c.address_type, c.address)?;
    if let Some(ttl) = c.ttl {
        write!(f, "/{ttl}")?;
    }
    if let Some(n) = c.count {
        write!(f, "/{n}")?;
    }
    f.write_str("\r\n")
}

fn bandwidths(f: &mut Formatter<'_>, b: &[Bandwidth]) -> fmt::Result {
    for b in b {
        write!(f, "b={}:{}\r\n", b.kind, b.value)?;
    }
    Ok(())
}

impl Display for MediaDescription {
    /// Writes the section: `m=` and its lines.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "m={} {}", self.kind, self.port)?;
        if let Some(n) = self.port_count {
            write!(f, "/{n}")?;
        }
        write!(f, " {}", self.protocol)?;
        for fmt in &self.formats {
            f.write_char(' ')?;
            f.write_str(fmt)?;
        }
        f.write_str("\r\n")?;
        if let Some(i) = &self.information {
            write!(f, "i={i}\r\n")?;
        }
        for c in &self.connections {
            connection(f, c)?;
        }
        bandwidths(f, &self.bandwidths)?;
        if let Some(k) = &self.encryption_key {
            write!(f, "k={k}\r\n")?;
        }
        for a in &self.attributes {
            write!(f, "a={a}\r\n")?;
        }
        for (kind, value) in &self.unknown_lines {
            write!(f, "{kind}={value}\r\n")?;
        }
        Ok(())
    }
}

impl Display for SessionDescription {
    /// Writes canonical SDP: CRLF line endings, lines in RFC 8866 §5 order.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let o = &self.origin;
        write!(
            f,
            "v=0\r\no={} {} {} {} {} {}\r\ns={}\r\n",
            o.username,
            o.session_id,
            o.session_version,
            o.network_type,
            o.address_type,
            o.address,
            self.session_name
        )?;
        if let Some(i) = &self.information {
            write!(f, "i={i}\r\n")?;
        }
        if let Some(u) = &self.uri {
            write!(f, "u={u}\r\n")?;
        }
        for e in &self.emails {
            write!(f, "e={e}\r\n")?;
        }
        for p in &self.phones {
            write!(f, "p={p}\r\n")?;
        }
        if let Some(c) = &self.connection {
            connection(f, c)?;
        }
        bandwidths(f, &self.bandwidths)?;
        for t in &self.timings {
            write!(f, "t={} {}\r\n", t.start, t.stop)?;
            for r in &t.repeats {
                write!(f, "r={}\r\n", r.join(" "))?;
            }
        }
        if !self.time_zones.is_empty() {
            f.write_str("z=")?;
            for (i, z) in self.time_zones.iter().enumerate() {
                if i > 0 {
                    f.write_char(' ')?;
                }
                write!(f, "{} {}", z.time, z.offset)?;
            }
            f.write_str("\r\n")?;
        }
        if let Some(k) = &self.encryption_key {
            write!(f, "k={k}\r\n")?;
        }
        for a in &self.attributes {
            write!(f, "a={a}\r\n")?;
        }
        for (kind, value) in &self.unknown_lines {
            write!(f, "{kind}={value}\r\n")?;
        }
        for m in &self.media {
            write!(f, "{m}")?;
        }
        Ok(())
    }
}
