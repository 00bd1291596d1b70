//! DTLS records (RFC 6347 §4.1): a 13-byte header (type, version, epoch, 48-bit sequence
//! number, length) and a fragment; several records may share one datagram.

use crate::Error;
use crate::wire::{ContentType, ProtocolVersion};

/// Bytes of a DTLS 1.2 record header.
pub const RECORD_HEADER_LEN: usize = 13;

/// The largest record fragment accepted: 2^14 plus the 2048 bytes of expansion that
/// RFC 5246 §6.2.3 allows a protected record.
pub(crate) const MAX_FRAGMENT_LEN: usize = (1 << 14) + 2048;

/// The largest 48-bit sequence number.
pub(crate) const MAX_SEQUENCE: u64 = (1 << 48) - 1;

/// A record header (RFC 6347 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecordHeader {
    /// The content type.
    pub content_type: ContentType,
    /// The record version: DTLS 1.2, or DTLS 1.0 on a first ClientHello.
    pub version: ProtocolVersion,
    /// The epoch: 0 in the clear, incremented by every ChangeCipherSpec.
    pub epoch: u16,
    /// The 48-bit sequence number within the epoch.
    pub sequence_number: u64,
    /// The fragment length.
    pub length: u16,
}

impl RecordHeader {
    /// Reads a header from the start of `bytes`.
    ///
    /// # Errors
    /// [`Error::Malformed`] when fewer than [`RECORD_HEADER_LEN`] bytes are given.
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let Some(h) = bytes.get(..RECORD_HEADER_LEN) else {
            return Err(Error::Malformed {
                what: "record header",
                offset: bytes.len(),
            });
        };
        let mut sequence = [0u8; 8];
        sequence[2..].copy_from_slice(&h[5..11]);
        Ok(Self {
            content_type: ContentType(h[0]),
            version: ProtocolVersion(u16::from_be_bytes([h[1], h[2]])),
            epoch: u16::from_be_bytes([h[3], h[4]]),
            sequence_number: u64::from_be_bytes(sequence),
            length: u16::from_be_bytes([h[11], h[12]]),
        })
    }

    /// Writes the header into the first [`RECORD_HEADER_LEN`] bytes of `out`. Only the low 48
    /// bits of the sequence number are written.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`].
    pub fn emit(&self, out: &mut [u8]) -> Result<(), Error> {
        let Some(h) = out.get_mut(..RECORD_HEADER_LEN) else {
            return Err(Error::BufferTooSmall);
        };
        h[0] = self.content_type.0;
        h[1..3].copy_from_slice(&self.version.0.to_be_bytes());
        h[3..5].copy_from_slice(&self.epoch.to_be_bytes());
        h[5..11].copy_from_slice(&self.sequence_number.to_be_bytes()[2..]);
        h[11..13].copy_from_slice(&self.length.to_be_bytes());
        Ok(())
    }

    /// The 8-byte `epoch || sequence_number` that nonces and MACs use (RFC 6347 §4.1.2.1).
    pub fn epoch_and_sequence(&self) -> [u8; 8] {
        (u64::from(self.epoch) << 48 | (self.sequence_number & MAX_SEQUENCE)).to_be_bytes()
    }
}

/// One record of a datagram: its header and fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// The header.
    pub header: RecordHeader,
    /// The fragment, `header.length` bytes.
    pub fragment: &'a [u8],
    /// Where the record starts in the datagram.
    pub offset: usize,
}

impl<'a> Record<'a> {
    /// The whole record, header included.
    pub fn len(&self) -> usize {
        RECORD_HEADER_LEN + self.fragment.len()
    }

    /// Whether the fragment is empty.
    pub fn is_empty(&self) -> bool {
        self.fragment.is_empty()
    }

    /// Splits a datagram into records (RFC 6347 §4.1: several records may share one).
    pub fn iter(datagram: &'a [u8]) -> Records<'a> {
        Records {
            datagram,
            at: 0,
            done: false,
        }
    }
}

/// Iterator over the records of a datagram, from [`Record::iter`]. A record whose length runs
/// past the datagram, or exceeds the RFC 5246 §6.2.3 limit, yields one error and ends the
/// iteration: the rest of the datagram cannot be framed (RFC 6347 §4.1.2.7 discards it).
#[derive(Debug, Clone)]
pub struct Records<'a> {
    datagram: &'a [u8],
    at: usize,
    done: bool,
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.at >= self.datagram.len() {
            return None;
        }
        let start = self.at;
        let Ok(header) = RecordHeader::parse(&self.datagram[start..]) else {
            self.done = true;
            return Some(Err(Error::Malformed {
                what: "record header",
                offset: start,
            }));
        };
        let length = usize::from(header.length);
        let body = start + RECORD_HEADER_LEN;
        let fragment = match self.datagram.get(body..body + length) {
            Some(fragment) if length <= MAX_FRAGMENT_LEN => fragment,
            _ => {
                self.done = true;
                return Some(Err(Error::Malformed {
                    what: "record length",
                    offset: start + 11,
                }));
            }
        };
        self.at = body + length;
        Some(Ok(Record {
            header,
            fragment,
            offset: start,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trips_and_keeps_48_bit_sequence_numbers() {
        let header = RecordHeader {
            content_type: ContentType::HANDSHAKE,
            version: ProtocolVersion::DTLS_1_2,
            epoch: 1,
            sequence_number: 0x0000_1234_5678_9abc,
            length: 300,
        };
        let mut out = [0u8; RECORD_HEADER_LEN];
        header.emit(&mut out).unwrap();
        assert_eq!(
            out,
            [
                22, 0xfe, 0xfd, 0, 1, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 1, 44
            ]
        );
        assert_eq!(RecordHeader::parse(&out).unwrap(), header);
        assert_eq!(
            header.epoch_and_sequence(),
            [0, 1, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc]
        );
    }

    #[test]
    fn datagrams_split_into_records_and_bad_lengths_end_the_walk() {
        let mut datagram = Vec::new();
        for (seq, body) in [(0u64, &b"abc"[..]), (1, &b""[..]), (2, &b"xy"[..])] {
            let header = RecordHeader {
                content_type: ContentType::APPLICATION_DATA,
                version: ProtocolVersion::DTLS_1_2,
                epoch: 1,
                sequence_number: seq,
                length: body.len() as u16,
            };
            let mut h = [0u8; RECORD_HEADER_LEN];
            header.emit(&mut h).unwrap();
            datagram.extend_from_slice(&h);
            datagram.extend_from_slice(body);
        }
        let records: Vec<_> = Record::iter(&datagram).map(Result::unwrap).collect();
        assert_eq!(records.len(), 3);
        assert_eq!(records[2].fragment, b"xy");
        assert_eq!(records[2].offset, 2 * RECORD_HEADER_LEN + 3);
        // Truncate the last record's body: two good records, then one error, then the end.
        datagram.pop();
        let items: Vec<_> = Record::iter(&datagram).collect();
        assert_eq!(items.len(), 3);
        assert!(items[0].is_ok() && items[1].is_ok());
        assert!(matches!(
            items[2],
            Err(Error::Malformed {
                what: "record length",
                ..
            })
        ));
        // A stray byte after the records is a truncated header.
        let items: Vec<_> = Record::iter(&[22]).collect();
        assert!(matches!(
            items[..],
            [Err(Error::Malformed {
                what: "record header",
                offset: 0
            })]
        ));
    }
}
