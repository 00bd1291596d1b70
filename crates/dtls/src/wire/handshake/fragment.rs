//! Handshake fragments (RFC 6347 §4.2.3): a record of content type handshake carries one or
//! more `header || fragment` pieces; a message is cut into pieces that each fit a datagram.
//!
//! [`HandshakeFragment::iter`] walks the pieces of one record fragment; [`Fragmenter`] cuts a
//! whole message into pieces of at most N body bytes. Neither allocates.

use super::header::{HANDSHAKE_HEADER_LEN, HandshakeHeader, MAX_HANDSHAKE_LEN};
use crate::Error;
use crate::wire::HandshakeType;

/// One handshake fragment: its header and the body bytes it carries (RFC 6347 §4.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HandshakeFragment<'a> {
    /// The 12-byte header.
    pub header: HandshakeHeader,
    /// The `header.fragment_length` body bytes.
    pub body: &'a [u8],
}

impl<'a> HandshakeFragment<'a> {
    /// A whole message as one fragment (offset 0, fragment length = length): written with
    /// [`emit`](Self::emit) it is the message as it enters the transcript (RFC 6347 §4.2.6).
    ///
    /// # Errors
    /// [`Error::Malformed`] when `body` is longer than 2^24 - 1 bytes.
    pub fn unfragmented(
        msg_type: HandshakeType,
        message_seq: u16,
        body: &'a [u8],
    ) -> Result<Self, Error> {
        let length = u24_len(body.len())?;
        Ok(Self {
            header: HandshakeHeader::unfragmented(msg_type, message_seq, length),
            body,
        })
    }

    /// The handshake fragments of a record fragment, in order (RFC 6347 §4.2.3).
    pub fn iter(record_fragment: &'a [u8]) -> HandshakeFragments<'a> {
        HandshakeFragments {
            rest: record_fragment,
            at: 0,
        }
    }

    /// Reads the fragment at the start of `bytes`; also returns how many bytes it took.
    ///
    /// # Errors
    /// As [`HandshakeHeader::parse`], and [`Error::Malformed`] at offset 9 when fewer than
    /// `fragment_length` bytes follow the header.
    pub fn parse(bytes: &'a [u8]) -> Result<(Self, usize), Error> {
        let header = HandshakeHeader::parse(bytes)?;
        let end = HANDSHAKE_HEADER_LEN + header.fragment_length as usize;
        let body = bytes
            .get(HANDSHAKE_HEADER_LEN..end)
            .ok_or(Error::Malformed {
                what: "handshake fragment length",
                offset: 9,
            })?;
        Ok((Self { header, body }, end))
    }

    /// Whether this fragment is the whole message.
    pub const fn is_unfragmented(&self) -> bool {
        self.header.is_unfragmented()
    }

    /// Header plus body bytes.
    pub const fn len(&self) -> usize {
        HANDSHAKE_HEADER_LEN + self.body.len()
    }

    /// Whether the fragment carries no body bytes.
    pub const fn is_empty(&self) -> bool {
        self.body.is_empty()
    }

    /// Checks the header (see [`HandshakeHeader::check`]) and that `body` is exactly
    /// `fragment_length` bytes.
    ///
    /// # Errors
    /// [`Error::Malformed`].
    pub fn check(&self) -> Result<(), Error> {
        self.header.check()?;
        if self.body.len() != self.header.fragment_length as usize {
            return Err(Error::Malformed {
                what: "handshake fragment length",
                offset: 9,
            });
        }
        Ok(())
    }

    /// Writes header and body at the start of `out`; returns [`len`](Self::len).
    ///
    /// # Errors
    /// As [`check`](Self::check); [`Error::BufferTooSmall`].
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, Error> {
        self.check()?;
        let out = out.get_mut(..self.len()).ok_or(Error::BufferTooSmall)?;
        let (head, body) = out.split_at_mut(HANDSHAKE_HEADER_LEN);
        self.header.emit(head)?;
        body.copy_from_slice(self.body);
        Ok(self.len())
    }
}

fn u24_len(len: usize) -> Result<u32, Error> {
    if len > MAX_HANDSHAKE_LEN {
        return Err(Error::Malformed {
            what: "handshake length",
            offset: 1,
        });
    }
    u32::try_from(len).map_err(|_| Error::Malformed {
        what: "handshake length",
        offset: 1,
    })
}

/// The handshake fragments of one record fragment, from [`HandshakeFragment::iter`].
///
/// A fragment whose header is short, whose range runs past its message, or whose body runs
/// past the record yields one error (offsets count from the start of the record fragment)
/// and ends the walk: nothing after it can be framed.
#[derive(Debug, Clone)]
pub struct HandshakeFragments<'a> {
    rest: &'a [u8],
    at: usize,
}

impl<'a> Iterator for HandshakeFragments<'a> {
    type Item = Result<HandshakeFragment<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        match HandshakeFragment::parse(self.rest) {
            Ok((fragment, used)) => {
                self.rest = self.rest.get(used..).unwrap_or_default();
                self.at += used;
                Some(Ok(fragment))
            }
            Err(error) => {
                self.rest = &[];
                Some(Err(match error {
                    Error::Malformed { what, offset } => Error::Malformed {
                        what,
                        offset: self.at + offset,
                    },
                    other => other,
                }))
            }
        }
    }
}

impl std::iter::FusedIterator for HandshakeFragments<'_> {}

/// Cuts a whole message body into fragments of at most `max_body` body bytes each, in order
/// (RFC 6347 §4.2.3). An empty body gives one empty fragment. Borrows the body; never
/// allocates.
///
/// For a datagram budget: `max_body = budget - 13 (record header) - 12 (handshake header)
/// - record expansion` (see [`Fragmenter::for_record_payload`]).
#[derive(Debug, Clone)]
pub struct Fragmenter<'a> {
    msg_type: HandshakeType,
    message_seq: u16,
    length: u32,
    body: &'a [u8],
    max_body: usize,
    at: usize,
    done: bool,
}

impl<'a> Fragmenter<'a> {
    /// Fragments of at most `max_body` body bytes (at least 1 is used).
    ///
    /// # Errors
    /// [`Error::Malformed`] when `body` is longer than 2^24 - 1 bytes.
    pub fn new(
        msg_type: HandshakeType,
        message_seq: u16,
        body: &'a [u8],
        max_body: usize,
    ) -> Result<Self, Error> {
        Ok(Self {
            msg_type,
            message_seq,
            length: u24_len(body.len())?,
            body,
            max_body: max_body.max(1),
            at: 0,
            done: false,
        })
    }

    /// Fragments that each fit, header included, in `payload` bytes of record plaintext: at
    /// most `payload - 12` body bytes (at least 1).
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn for_record_payload(
        msg_type: HandshakeType,
        message_seq: u16,
        body: &'a [u8],
        payload: usize,
    ) -> Result<Self, Error> {
        Self::new(
            msg_type,
            message_seq,
            body,
            payload.saturating_sub(HANDSHAKE_HEADER_LEN),
        )
    }

    /// How many fragments the whole message takes.
    pub fn fragment_count(&self) -> usize {
        self.body.len().div_ceil(self.max_body).max(1)
    }
}

impl<'a> Iterator for Fragmenter<'a> {
    type Item = HandshakeFragment<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let start = self.at.min(self.body.len());
        let end = start.saturating_add(self.max_body).min(self.body.len());
        let body = self.body.get(start..end)?;
        self.at = end;
        self.done = end >= self.body.len();
        Some(HandshakeFragment {
            header: HandshakeHeader {
                msg_type: self.msg_type,
                length: self.length,
                message_seq: self.message_seq,
                // Both are at most `length`, which fits 24 bits.
                fragment_offset: start as u32,
                fragment_length: body.len() as u32,
            },
            body,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = if self.done {
            0
        } else {
            (self.body.len() - self.at.min(self.body.len()))
                .div_ceil(self.max_body)
                .max(1)
        };
        (left, Some(left))
    }
}

impl ExactSizeIterator for Fragmenter<'_> {}

impl std::iter::FusedIterator for Fragmenter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragmenter_covers_the_body_in_order() {
        let body: Vec<u8> = (0..=255).collect();
        let pieces: Vec<_> = Fragmenter::new(HandshakeType::CERTIFICATE, 3, &body, 100)
            .unwrap()
            .collect();
        assert_eq!(pieces.len(), 3);
        assert_eq!(pieces[2].header.fragment_offset, 200);
        assert_eq!(pieces[2].body.len(), 56);
        assert!(
            pieces
                .iter()
                .all(|p| p.header.length == 256 && p.check().is_ok())
        );
        let empty: Vec<_> = Fragmenter::new(HandshakeType::SERVER_HELLO_DONE, 4, &[], 100)
            .unwrap()
            .collect();
        assert_eq!(empty.len(), 1);
        assert!(empty[0].is_unfragmented());
    }

    #[test]
    fn several_fragments_share_a_record() {
        let mut record = vec![0u8; 64];
        let a = HandshakeFragment::unfragmented(HandshakeType::FINISHED, 5, &[7; 12]).unwrap();
        let b = HandshakeFragment::unfragmented(HandshakeType::SERVER_HELLO_DONE, 6, &[]).unwrap();
        let n = a.emit(&mut record).unwrap();
        let m = b.emit(&mut record[n..]).unwrap();
        record.truncate(n + m);
        let parsed: Vec<_> = HandshakeFragment::iter(&record)
            .map(Result::unwrap)
            .collect();
        assert_eq!(parsed, [a, b]);
        record.pop();
        let items: Vec<_> = HandshakeFragment::iter(&record[..n + 5]).collect();
        assert_eq!(items.len(), 2);
        assert_eq!(
            items[1],
            Err(Error::Malformed {
                what: "handshake header",
                offset: n + 5
            })
        );
    }
}
