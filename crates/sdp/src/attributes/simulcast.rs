//! `a=rid` (RFC 8851 §10) and `a=simulcast` (RFC 8853 §5.1).

use std::fmt;
use std::str::FromStr;

/// Send or receive, in `a=rid` and `a=simulcast`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamDirection {
    /// `send`.
    Send,
    /// `recv`.
    Recv,
}

impl StreamDirection {
    fn parse(token: &str) -> Option<Self> {
        match token {
            "send" => Some(Self::Send),
            "recv" => Some(Self::Recv),
            _ => None,
        }
    }

    /// The token.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Send => "send",
            Self::Recv => "recv",
        }
    }
}

/// `a=rid:<id> <send|recv> [pt=<fmt>,...;][<restriction>=<value>;...]` (RFC 8851 §10).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rid {
    /// The RTP stream id.
    pub id: String,
    /// Direction.
    pub direction: StreamDirection,
    /// Parameters in order, `pt` included: (`max-width`, `1280`), (`pt`, `96,97`), ...
    pub params: Vec<(String, Option<String>)>,
}

impl Rid {
    /// The payload types the stream is restricted to (`pt=`), empty when unrestricted.
    pub fn payload_types(&self) -> Vec<u8> {
        self.param("pt")
            .map(|v| v.split(',').filter_map(|p| p.trim().parse().ok()).collect())
            .unwrap_or_default()
    }

    /// The value of a restriction (`max-width`, `max-height`, `max-fps`, `max-br`, ...).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
    }
}

impl FromStr for Rid {
    type Err = &'static str;
    fn from_str(value: &str) -> Result<Self, &'static str> {
        let mut fields = value.splitn(3, ' ');
        let id = fields
            .next()
            .filter(|i| !i.is_empty())
            .ok_or("rid")?
            .to_owned();
        let direction = fields
            .next()
            .and_then(StreamDirection::parse)
            .ok_or("rid")?;
        let params = fields
            .next()
            .unwrap_or("")
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
                None => (p.to_owned(), None),
            })
            .collect();
        Ok(Self {
            id,
            direction,
            params,
        })
    }
}

impl crate::emit::Emit for Rid {
    fn emit<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        write!(f, "{} {}", self.id, self.direction.as_str())?;
        for (i, (n, v)) in self.params.iter().enumerate() {
            f.write_str(if i == 0 { " " } else { ";" })?;
            f.write_str(n)?;
            if let Some(v) = v {
                write!(f, "={v}")?;
            }
        }
        Ok(())
    }
}

/// One simulcast stream id, possibly paused (`~`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SimulcastId {
    /// The rid.
    pub rid: String,
    /// Whether it starts paused.
    pub paused: bool,
}

/// One direction of `a=simulcast`: streams separated by `;`, each a list of alternative rids
/// separated by `,` (RFC 8853 §5.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SimulcastStreams {
    /// Send or receive.
    pub direction: StreamDirection,
    /// Streams; each is its alternatives in preference order.
    pub streams: Vec<Vec<SimulcastId>>,
}

/// `a=simulcast:<dir> <streams> [<dir> <streams>]` (RFC 8853 §5.1), directions in the order
/// written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Simulcast {
    /// One or two directions.
    pub directions: Vec<SimulcastStreams>,
}

impl Simulcast {
    /// The streams of one direction.
    pub fn streams(&self, direction: StreamDirection) -> Option<&[Vec<SimulcastId>]> {
        self.directions
            .iter()
            .find(|d| d.direction == direction)
            .map(|d| d.streams.as_slice())
    }
}

impl FromStr for Simulcast {
    type Err = &'static str;
    fn from_str(value: &str) -> Result<Self, &'static str> {
        let mut fields = value.split_ascii_whitespace();
        let mut directions = Vec::new();
        while let Some(dir) = fields.next() {
            let direction = StreamDirection::parse(dir).ok_or("simulcast")?;
            let list = fields.next().ok_or("simulcast")?;
            let streams = list
                .split(';')
                .map(|alts| {
                    alts.split(',')
                        .map(|id| {
                            let (paused, rid) =
                                id.strip_prefix('~').map_or((false, id), |r| (true, r));
                            if rid.is_empty() {
                                Err("simulcast")
                            } else {
                                Ok(SimulcastId {
                                    rid: rid.to_owned(),
                                    paused,
                                })
                            }
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
                .collect::<Result<Vec<_>, _>>()?;
            directions.push(SimulcastStreams { direction, streams });
        }
        if directions.is_empty() || directions.len() > 2 {
            return Err("simulcast");
        }
        Ok(Self { directions })
    }
}

impl crate::emit::Emit for Simulcast {
    fn emit<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        for (i, d) in self.directions.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{} ", d.direction.as_str())?;
            for (j, alts) in d.streams.iter().enumerate() {
                if j > 0 {
                    f.write_str(";")?;
                }
                for (k, id) in alts.iter().enumerate() {
                    if k > 0 {
                        f.write_str(",")?;
                    }
                    if id.paused {
                        f.write_str("~")?;
                    }
                    f.write_str(&id.rid)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rid_with_payload_types_and_restrictions() {
        let r: Rid = "h send pt=96,97;max-width=1280;max-height=720"
            .parse()
            .unwrap();
        assert_eq!(r.payload_types(), [96, 97]);
        assert_eq!(r.param("max-width"), Some("1280"));
        assert_eq!(
            r.to_string(),
            "h send pt=96,97;max-width=1280;max-height=720"
        );
        assert_eq!("q recv".parse::<Rid>().unwrap().to_string(), "q recv");
        assert!("q sideways".parse::<Rid>().is_err());
    }

    #[test]
    fn simulcast_alternatives_and_pause() {
        let s: Simulcast = "send 1,~4;2;3 recv c".parse().unwrap();
        let send = s.streams(StreamDirection::Send).unwrap();
        assert_eq!(send.len(), 3);
        assert!(send[0][1].paused);
        assert_eq!(send[0][1].rid, "4");
        assert_eq!(s.streams(StreamDirection::Recv).unwrap()[0][0].rid, "c");
        assert_eq!(s.to_string(), "send 1,~4;2;3 recv c");
        assert!("send".parse::<Simulcast>().is_err());
        assert!("send a;;b".parse::<Simulcast>().is_err());
        assert!("up a".parse::<Simulcast>().is_err());
    }
}

crate::emit::display_via_emit!(Rid, Simulcast);
