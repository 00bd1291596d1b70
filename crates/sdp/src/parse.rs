//! The parser: lines, their order and cardinality (RFC 8866 §5, §9), and each line's fields.

use crate::attributes::Attribute;
use crate::error::{ParseError, ParseErrorKind, ParseOptions};
use crate::media::{MediaDescription, MediaKind, TransportProtocol};
use crate::session::{
    Address, Bandwidth, Connection, Origin, SessionDescription, TimeZoneAdjustment, Timing,
};
use std::str::FromStr;

/// Session-level line order (§5): the position each type letter takes.
const fn session_rank(t: u8) -> Option<u8> {
    Some(match t {
        b'v' => 0,
        b'o' => 1,
        b's' => 2,
        b'i' => 3,
        b'u' => 4,
        b'e' => 5,
        b'p' => 6,
        b'c' => 7,
        b'b' => 8,
        b't' | b'r' => 9,
        b'z' => 10,
        b'k' => 11,
        b'a' => 12,
        _ => return None,
    })
}

/// Media-level line order (§5).
const fn media_rank(t: u8) -> Option<u8> {
    Some(match t {
        b'i' => 1,
        b'c' => 2,
        b'b' => 3,
        b'k' => 4,
        b'a' => 5,
        _ => return None,
    })
}

struct Line<'a> {
    number: usize,
    text: &'a str,
    kind: u8,
    value: &'a str,
}

impl Line<'_> {
    fn err(&self, kind: ParseErrorKind) -> ParseError {
        ParseError::new(self.number, self.text, kind)
    }

    fn field_err(&self, what: &'static str) -> ParseError {
        self.err(ParseErrorKind::InvalidField(what))
    }
}

fn fields<'a>(line: &Line<'a>, n: usize, what: &'static str) -> Result<Vec<&'a str>, ParseError> {
    let parts: Vec<&str> = line.value.split(' ').collect();
    if parts.len() != n || parts.iter().any(|p| p.is_empty()) {
        return Err(line.err(ParseErrorKind::MissingField(what)));
    }
    Ok(parts)
}

fn number<T: FromStr>(line: &Line<'_>, text: &str, what: &'static str) -> Result<T, ParseError> {
    text.parse().map_err(|_| line.field_err(what))
}

fn origin(line: &Line<'_>) -> Result<Origin, ParseError> {
    let f = fields(line, 6, "o= needs 6 fields")?;
    Ok(Origin {
        username: f[0].to_owned(),
        session_id: number(line, f[1], "session id")?,
        session_version: number(line, f[2], "session version")?,
        network_type: f[3].to_owned(),
        address_type: f[4].to_owned(),
        address: Address::parse(f[5]),
    })
}

fn connection(line: &Line<'_>) -> Result<Connection, ParseError> {
    let f = fields(line, 3, "c= needs 3 fields")?;
    let mut parts = f[2].split('/');
    let address = Address::parse(parts.next().unwrap_or_default());
    let first = parts.next();
    let second = parts.next();
    if parts.next().is_some() {
        return Err(line.field_err("connection address"));
    }
    let (ttl, count) = if f[1] == "IP4" {
        (
            first.map(|t| number(line, t, "TTL")).transpose()?,
            second
                .map(|c| number(line, c, "address count"))
                .transpose()?,
        )
    } else {
        if second.is_some() {
            return Err(line.field_err("connection address"));
        }
        (
            None,
            first
                .map(|c| number(line, c, "address count"))
                .transpose()?,
        )
    };
    Ok(Connection {
        network_type: f[0].to_owned(),
        address_type: f[1].to_owned(),
        address,
        ttl,
        count,
    })
}

fn bandwidth(line: &Line<'_>) -> Result<Bandwidth, ParseError> {
    let (kind, value) = line
        .value
        .split_once(':')
        .ok_or_else(|| line.err(ParseErrorKind::MissingField("b=<type>:<value>")))?;
    if kind.is_empty() {
        return Err(line.field_err("bandwidth type"));
    }
    Ok(Bandwidth {
        kind: kind.to_owned(),
        value: number(line, value, "bandwidth")?,
    })
}

fn media(line: &Line<'_>) -> Result<MediaDescription, ParseError> {
    let mut f = line.value.split(' ');
    let kind = f
        .next()
        .filter(|k| !k.is_empty())
        .ok_or_else(|| line.err(ParseErrorKind::MissingField("media")))?;
    let port = f
        .next()
        .ok_or_else(|| line.err(ParseErrorKind::MissingField("port")))?;
    let (port, port_count) = match port.split_once('/') {
        Some((p, n)) => (
            number(line, p, "port")?,
            Some(number(line, n, "port count")?),
        ),
        None => (number(line, port, "port")?, None),
    };
    let protocol = f
        .next()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| line.err(ParseErrorKind::MissingField("protocol")))?;
    let formats: Vec<String> = f.map(str::to_owned).collect();
    if formats.is_empty() || formats.iter().any(String::is_empty) {
        return Err(line.err(ParseErrorKind::MissingField("format")));
    }
    let mut m = MediaDescription::new(
        MediaKind::parse(kind),
        port,
        TransportProtocol::parse(protocol),
        formats,
    );
    m.port_count = port_count;
    Ok(m)
}

/// Parses an `a=` line. A known attribute whose value breaks its grammar is an error when
/// `strict`, and otherwise kept verbatim as [`Attribute::Other`] (validation reports it).
fn attribute(line: &Line<'_>, strict: bool) -> Result<Attribute, ParseError> {
    let (name, value) = match line.value.split_once(':') {
        Some((n, v)) => (n, Some(v)),
        None => (line.value, None),
    };
    if name.is_empty() {
        return Err(line.err(ParseErrorKind::MissingField("attribute name")));
    }
    match Attribute::parse(name, value) {
        Ok(a) => Ok(a),
        Err(what) if strict => Err(line.err(ParseErrorKind::InvalidAttribute(what))),
        Err(_) => Ok(Attribute::Other {
            name: name.to_owned(),
            value: value.map(str::to_owned),
        }),
    }
}

/// Which singleton lines a section has seen, by type letter.
#[derive(Default)]
struct Seen(u32);

impl Seen {
    /// Marks `kind` seen; returns whether it was already.
    fn mark(&mut self, kind: u8) -> bool {
        let bit = 1u32 << (kind - b'a');
        let was = self.0 & bit != 0;
        self.0 |= bit;
        was
    }

    fn has(&self, kind: u8) -> bool {
        self.0 & (1u32 << (kind - b'a')) != 0
    }
}

/// Session-level lines that may appear at most once.
const fn session_singleton(kind: u8) -> bool {
    matches!(kind, b'o' | b's' | b'i' | b'u' | b'c' | b'z' | b'k')
}

/// Parses a session description.
pub(crate) fn parse(text: &str, options: &ParseOptions) -> Result<SessionDescription, ParseError> {
    let limits = &options.limits;
    let strict = options.strict;
    if text.len() > limits.max_bytes {
        return Err(ParseError::new(
            0,
            "",
            ParseErrorKind::Limit("document size"),
        ));
    }
    let mut session: Option<SessionDescription> = None;
    let mut seen = Seen::default();
    let mut rank = 0u8;
    let mut last_kind = 0u8;
    let mut media_seen = Seen::default();
    let mut media_rank_now = 0u8;
    let mut count = 0usize;
    for (index, raw) in text.split('\n').enumerate() {
        let text = raw.strip_suffix('\r').unwrap_or(raw);
        if text.is_empty() {
            continue;
        }
        count += 1;
        if count > limits.max_lines {
            return Err(ParseError::new(
                index + 1,
                text,
                ParseErrorKind::Limit("line count"),
            ));
        }
        if text.len() > limits.max_line_len {
            return Err(ParseError::new(
                index + 1,
                text,
                ParseErrorKind::Limit("line length"),
            ));
        }
        let bytes = text.as_bytes();
        if bytes.len() < 2 || bytes[1] != b'=' || !bytes[0].is_ascii_lowercase() {
            return Err(ParseError::new(index + 1, text, ParseErrorKind::NotALine));
        }
        let line = Line {
            number: index + 1,
            text,
            kind: bytes[0],
            value: &text[2..],
        };
        let kind = line.kind;
        let kind_char = char::from(kind);
        if !seen.has(b'v') {
            if kind != b'v' {
                return Err(line.err(ParseErrorKind::Missing('v')));
            }
            if line.value != "0" {
                return Err(line.err(ParseErrorKind::BadVersion));
            }
            seen.mark(b'v');
            last_kind = kind;
            continue;
        }
        if kind != b'o' && session.is_none() {
            return Err(line.err(ParseErrorKind::Missing('o')));
        }
        let Some(s) = session.as_mut() else {
            // The first line after v= is o=.
            if kind != b'o' {
                return Err(line.err(ParseErrorKind::Missing('o')));
            }
            let mut s = SessionDescription::new(origin(&line)?);
            s.session_name.clear();
            s.timings.clear();
            session = Some(s);
            seen.mark(b'o');
            rank = 1;
            last_kind = kind;
            continue;
        };
        let known = kind == b'm' || session_rank(kind).is_some();
        if !known {
            if strict {
                return Err(line.err(ParseErrorKind::UnknownType(kind_char)));
            }
            let unknown = (kind_char, line.value.to_owned());
            match s.media.last_mut() {
                Some(m) => m.unknown_lines.push(unknown),
                None => s.unknown_lines.push(unknown),
            }
            continue;
        }
        if kind == b'm' {
            for required in [b's', b't'] {
                if !seen.has(required) {
                    return Err(line.err(ParseErrorKind::Missing(char::from(required))));
                }
            }
            if s.media.len() >= limits.max_media {
                return Err(line.err(ParseErrorKind::Limit("media sections")));
            }
            s.media.push(media(&line)?);
            media_seen = Seen::default();
            media_rank_now = 0;
            last_kind = kind;
            continue;
        }
        if let Some(m) = s.media.last_mut() {
            let r =
                media_rank(kind).ok_or_else(|| line.err(ParseErrorKind::OutOfOrder(kind_char)))?;
            if matches!(kind, b'i' | b'k') && media_seen.mark(kind) {
                return Err(line.err(ParseErrorKind::Repeated(kind_char)));
            }
            if strict && r < media_rank_now {
                return Err(line.err(ParseErrorKind::OutOfOrder(kind_char)));
            }
            media_rank_now = media_rank_now.max(r);
            match kind {
                b'i' => m.information = Some(line.value.to_owned()),
                b'c' => m.connections.push(connection(&line)?),
                b'b' => m.bandwidths.push(bandwidth(&line)?),
                b'k' => m.encryption_key = Some(line.value.to_owned()),
                _ => m.attributes.push(attribute(&line, strict)?),
            }
            last_kind = kind;
            continue;
        }
        // Session level.
        let r =
            session_rank(kind).ok_or_else(|| line.err(ParseErrorKind::UnknownType(kind_char)))?;
        if kind == b'v' || (session_singleton(kind) && seen.mark(kind)) {
            return Err(line.err(ParseErrorKind::Repeated(kind_char)));
        }
        if kind == b'r' && !matches!(last_kind, b't' | b'r') {
            return Err(line.err(ParseErrorKind::OutOfOrder(kind_char)));
        }
        if strict && (r < rank || (r > 2 && !seen.has(b's'))) {
            return Err(line.err(if seen.has(b's') {
                ParseErrorKind::OutOfOrder(kind_char)
            } else {
                ParseErrorKind::Missing('s')
            }));
        }
        seen.mark(kind);
        rank = rank.max(r);
        last_kind = kind;
        match kind {
            b's' => s.session_name = line.value.to_owned(),
            b'i' => s.information = Some(line.value.to_owned()),
            b'u' => s.uri = Some(line.value.to_owned()),
            b'e' => s.emails.push(line.value.to_owned()),
            b'p' => s.phones.push(line.value.to_owned()),
            b'c' => s.connection = Some(connection(&line)?),
            b'b' => s.bandwidths.push(bandwidth(&line)?),
            b't' => {
                let f = fields(&line, 2, "t= needs 2 fields")?;
                s.timings.push(Timing {
                    start: number(&line, f[0], "start time")?,
                    stop: number(&line, f[1], "stop time")?,
                    repeats: Vec::new(),
                });
            }
            b'r' => {
                let f: Vec<String> = line
                    .value
                    .split_ascii_whitespace()
                    .map(str::to_owned)
                    .collect();
                if f.len() < 3 {
                    return Err(line.err(ParseErrorKind::MissingField("r= needs 3 fields")));
                }
                if let Some(t) = s.timings.last_mut() {
                    t.repeats.push(f);
                }
            }
            b'z' => {
                let f: Vec<&str> = line.value.split_ascii_whitespace().collect();
                if f.is_empty() || !f.len().is_multiple_of(2) {
                    return Err(
                        line.err(ParseErrorKind::MissingField("z= needs time/offset pairs"))
                    );
                }
                for pair in f.chunks(2) {
                    s.time_zones.push(TimeZoneAdjustment {
                        time: number(&line, pair[0], "adjustment time")?,
                        offset: pair[1].to_owned(),
                    });
                }
            }
            b'k' => s.encryption_key = Some(line.value.to_owned()),
            _ => s.attributes.push(attribute(&line, strict)?),
        }
    }
    let missing = |c| ParseError::new(0, "", ParseErrorKind::Missing(c));
    if !seen.has(b'v') {
        return Err(missing('v'));
    }
    let s = session.ok_or_else(|| missing('o'))?;
    for required in ['s', 't'] {
        if !seen.has(u8::try_from(required).unwrap_or(b's')) {
            return Err(missing(required));
        }
    }
    Ok(s)
}
