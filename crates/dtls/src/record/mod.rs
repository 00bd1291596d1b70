//! The DTLS 1.2 record layer (RFC 6347 §4.1): epochs, 48-bit sequence numbers, the
//! anti-replay window, AEAD protection, and the plaintext limits of RFC 5246 §6.2.
//!
//! Records that fail to decrypt are dropped and counted, never fatal (RFC 6347 §4.1.2.7).
//! After a ChangeCipherSpec the previous epoch stays readable and writable, so a
//! retransmitted flight that straddles the change (ClientKeyExchange in epoch 0, Finished in
//! epoch 1) is still understood and still sent as it was the first time. The previous epoch
//! is kept only for that, for a bounded time (RFC 6347 §4.1): the endpoint retires it with
//! [`RecordLayer::retire_previous_read`] and [`RecordLayer::retire_previous_write`] once the
//! handshake no longer needs it. Previous epochs are boxed, so a connected layer that has
//! retired them holds just its two current epochs.

mod aead;
mod replay;

pub use aead::{AeadAlgorithm, RecordKey};
pub use replay::ReplayWindow;

use std::ops::Range;

use crate::Error;
use crate::wire::record::{MAX_FRAGMENT_LEN, MAX_SEQUENCE};
use crate::wire::{ContentType, ProtocolVersion, RECORD_HEADER_LEN, RecordHeader};

/// The largest plaintext fragment (RFC 5246 §6.2.1: 2^14 bytes).
pub const MAX_PLAINTEXT_LEN: usize = 1 << 14;

#[derive(Debug)]
struct WriteEpoch {
    epoch: u16,
    next_sequence: u64,
    key: Option<RecordKey>,
}

#[derive(Debug)]
struct ReadEpoch {
    epoch: u16,
    key: Option<RecordKey>,
    window: ReplayWindow,
}

/// Which write epoch a record goes out in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WriteEpochChoice {
    /// The newest epoch.
    Current,
    /// The one before the last ChangeCipherSpec (for retransmitting a flight that began
    /// there).
    Previous,
}

/// Both directions' epochs with their keys, sequence numbers and replay windows.
#[derive(Debug)]
pub struct RecordLayer {
    version: ProtocolVersion,
    write: WriteEpoch,
    previous_write: Option<Box<WriteEpoch>>,
    read: ReadEpoch,
    previous_read: Option<Box<ReadEpoch>>,
    bad_records: u64,
}

impl Default for RecordLayer {
    fn default() -> Self {
        Self::new(ProtocolVersion::DTLS_1_2)
    }
}

impl RecordLayer {
    /// Epoch 0 both ways, no protection, writing `version` in record headers.
    pub fn new(version: ProtocolVersion) -> Self {
        Self {
            version,
            write: WriteEpoch {
                epoch: 0,
                next_sequence: 0,
                key: None,
            },
            previous_write: None,
            read: ReadEpoch {
                epoch: 0,
                key: None,
                window: ReplayWindow::new(),
            },
            previous_read: None,
            bad_records: 0,
        }
    }

    /// Sets the record version written from now on (DTLS 1.0 on a first ClientHello, then
    /// the negotiated version).
    pub fn set_version(&mut self, version: ProtocolVersion) {
        self.version = version;
    }

    /// The current write epoch.
    pub fn write_epoch(&self) -> u16 {
        self.write.epoch
    }

    /// The current read epoch.
    pub fn read_epoch(&self) -> u16 {
        self.read.epoch
    }

    /// Records dropped because they failed authentication (RFC 6347 §4.1.2.7).
    pub fn bad_records(&self) -> u64 {
        self.bad_records
    }

    /// Starts the next write epoch with `key` (after sending ChangeCipherSpec): sequence
    /// numbers restart at 0 (RFC 6347 §4.1).
    pub fn advance_write(&mut self, key: RecordKey) {
        let next = WriteEpoch {
            epoch: self.write.epoch.wrapping_add(1),
            next_sequence: 0,
            key: Some(key),
        };
        self.previous_write = Some(Box::new(std::mem::replace(&mut self.write, next)));
    }

    /// Starts the next read epoch with `key` (on receiving ChangeCipherSpec).
    pub fn advance_read(&mut self, key: RecordKey) {
        let next = ReadEpoch {
            epoch: self.read.epoch.wrapping_add(1),
            key: Some(key),
            window: ReplayWindow::new(),
        };
        self.previous_read = Some(Box::new(std::mem::replace(&mut self.read, next)));
    }

    /// Forgets the previous read epoch: its records are refused with
    /// [`Error::UnknownEpoch`] from now on (RFC 6347 §4.1: an old epoch is kept only to
    /// absorb reordered records).
    pub fn retire_previous_read(&mut self) {
        self.previous_read = None;
    }

    /// Forgets the previous write epoch (no flight that began there will be sent again).
    pub fn retire_previous_write(&mut self) {
        self.previous_write = None;
    }

    /// Whether records of `epoch` are read with a key (false for epoch 0, and for an epoch
    /// this layer does not read).
    pub fn is_read_protected(&self, epoch: u16) -> bool {
        let read = if epoch == self.read.epoch {
            Some(&self.read)
        } else {
            self.previous_read.as_deref().filter(|p| p.epoch == epoch)
        };
        read.is_some_and(|r| r.key.is_some())
    }

    /// Bytes protection adds to a record fragment in the chosen write epoch (0 in the clear,
    /// or when there is no previous epoch).
    pub fn overhead(&self, choice: WriteEpochChoice) -> usize {
        let epoch = match choice {
            WriteEpochChoice::Current => Some(&self.write),
            WriteEpochChoice::Previous => self.previous_write.as_deref(),
        };
        epoch
            .and_then(|e| e.key.as_ref())
            .map_or(0, |k| k.algorithm().overhead())
    }

    /// Appends one record carrying `payload` to `datagram`, protected with the chosen write
    /// epoch's key (if it has one), and returns its sequence number.
    ///
    /// # Errors
    /// [`Error::RecordOverflow`] for a payload over 2^14 bytes, [`Error::SequenceExhausted`]
    /// after 2^48 records, [`Error::UnknownEpoch`] when there is no previous epoch.
    pub fn seal(
        &mut self,
        choice: WriteEpochChoice,
        content_type: ContentType,
        payload: &[u8],
        datagram: &mut Vec<u8>,
    ) -> Result<u64, Error> {
        if payload.len() > MAX_PLAINTEXT_LEN {
            return Err(Error::RecordOverflow);
        }
        let version = self.version;
        let epoch = match choice {
            WriteEpochChoice::Current => &mut self.write,
            WriteEpochChoice::Previous => {
                let current = self.write.epoch;
                self.previous_write
                    .as_deref_mut()
                    .ok_or_else(|| Error::UnknownEpoch(current.wrapping_sub(1)))?
            }
        };
        let sequence = epoch.next_sequence;
        if sequence > MAX_SEQUENCE {
            return Err(Error::SequenceExhausted);
        }
        epoch.next_sequence += 1;
        let overhead = epoch.key.as_ref().map_or(0, |k| k.algorithm().overhead());
        let fragment_len = payload.len() + overhead;
        let header = RecordHeader {
            content_type,
            version,
            epoch: epoch.epoch,
            sequence_number: sequence,
            // At most 2^14 + 24 bytes.
            length: fragment_len as u16,
        };
        let start = datagram.len();
        datagram.resize(start + RECORD_HEADER_LEN + fragment_len, 0);
        header.emit(&mut datagram[start..])?;
        let fragment = &mut datagram[start + RECORD_HEADER_LEN..];
        match &epoch.key {
            None => fragment.copy_from_slice(payload),
            Some(key) => {
                let explicit = key.algorithm().explicit_nonce_len();
                fragment[explicit..explicit + payload.len()].copy_from_slice(payload);
                key.seal(&header, fragment, payload.len());
            }
        }
        Ok(sequence)
    }

    /// Checks, authenticates and decrypts one record in place: `fragment` is the record's
    /// fragment (from [`crate::wire::Record::iter`] offsets), `header` its header. Returns
    /// where the plaintext lies in `fragment`.
    ///
    /// # Errors
    /// - [`Error::UnknownEpoch`] for an epoch other than the current or previous read one
    ///   (RFC 6347 §4.1: discard);
    /// - [`Error::Replay`] for a duplicate or too old sequence number (§4.1.2.6: discard);
    /// - [`Error::BadRecordMac`] when authentication fails (§4.1.2.7: discard, and counted);
    /// - [`Error::RecordOverflow`] for a plaintext over 2^14 bytes or a fragment over
    ///   2^14 + 2048.
    ///
    /// None of these changes state except the bad-record count.
    pub fn open(
        &mut self,
        header: &RecordHeader,
        fragment: &mut [u8],
    ) -> Result<Range<usize>, Error> {
        if fragment.len() > MAX_FRAGMENT_LEN {
            return Err(Error::RecordOverflow);
        }
        let epoch = if header.epoch == self.read.epoch {
            &mut self.read
        } else {
            match self.previous_read.as_deref_mut() {
                Some(previous) if previous.epoch == header.epoch => previous,
                _ => return Err(Error::UnknownEpoch(header.epoch)),
            }
        };
        if !epoch.window.check(header.sequence_number) {
            return Err(Error::Replay);
        }
        let range = match &epoch.key {
            None => 0..fragment.len(),
            Some(key) => match key.open(header, fragment) {
                Ok(range) => range,
                Err(error) => {
                    self.bad_records += 1;
                    return Err(error);
                }
            },
        };
        if range.len() > MAX_PLAINTEXT_LEN {
            return Err(Error::RecordOverflow);
        }
        epoch.window.accept(header.sequence_number);
        Ok(range)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Record;

    fn keys(algorithm: AeadAlgorithm) -> (RecordKey, RecordKey) {
        let key = vec![0x42; algorithm.key_len()];
        let iv = vec![0x24; algorithm.fixed_iv_len()];
        (
            RecordKey::new(algorithm, &key, &iv).unwrap(),
            RecordKey::new(algorithm, &key, &iv).unwrap(),
        )
    }

    fn open_all(layer: &mut RecordLayer, datagram: &mut [u8]) -> Vec<Result<Vec<u8>, Error>> {
        let framing: Vec<_> = Record::iter(datagram)
            .map(|r| r.map(|r| (r.header, r.offset + RECORD_HEADER_LEN..r.offset + r.len())))
            .collect();
        framing
            .into_iter()
            .map(|framed| {
                let (header, range) = framed?;
                let fragment = &mut datagram[range];
                let plain = layer.open(&header, fragment)?;
                Ok(fragment[plain].to_vec())
            })
            .collect()
    }

    #[test]
    fn records_round_trip_in_every_aead_and_share_a_datagram() {
        for algorithm in [
            AeadAlgorithm::Aes128Gcm,
            AeadAlgorithm::Aes256Gcm,
            AeadAlgorithm::ChaCha20Poly1305,
        ] {
            let (mut sender, mut receiver) = (RecordLayer::default(), RecordLayer::default());
            let mut datagram = Vec::new();
            sender
                .seal(
                    WriteEpochChoice::Current,
                    ContentType::HANDSHAKE,
                    b"epoch zero",
                    &mut datagram,
                )
                .unwrap();
            let (write, read) = keys(algorithm);
            sender.advance_write(write);
            sender
                .seal(
                    WriteEpochChoice::Current,
                    ContentType::APPLICATION_DATA,
                    b"secret",
                    &mut datagram,
                )
                .unwrap();
            sender
                .seal(
                    WriteEpochChoice::Current,
                    ContentType::APPLICATION_DATA,
                    b"",
                    &mut datagram,
                )
                .unwrap();
            assert_eq!(
                datagram.len(),
                3 * RECORD_HEADER_LEN + 10 + 6 + 2 * algorithm.overhead(),
                "{algorithm:?}"
            );
            receiver.advance_read(read);
            let opened = open_all(&mut receiver, &mut datagram);
            assert_eq!(
                opened[0].as_deref(),
                Ok(&b"epoch zero"[..]),
                "previous epoch still readable"
            );
            assert_eq!(opened[1].as_deref(), Ok(&b"secret"[..]));
            assert_eq!(opened[2].as_deref(), Ok(&b""[..]));
        }
    }

    #[test]
    fn tampered_records_are_dropped_and_counted_without_touching_the_window() {
        let (mut sender, mut receiver) = (RecordLayer::default(), RecordLayer::default());
        let (write, read) = keys(AeadAlgorithm::Aes128Gcm);
        sender.advance_write(write);
        receiver.advance_read(read);
        let mut good = Vec::new();
        sender
            .seal(
                WriteEpochChoice::Current,
                ContentType::APPLICATION_DATA,
                b"hello",
                &mut good,
            )
            .unwrap();
        for at in RECORD_HEADER_LEN..good.len() {
            let mut bad = good.clone();
            bad[at] ^= 1;
            assert_eq!(
                open_all(&mut receiver, &mut bad)[0],
                Err(Error::BadRecordMac),
                "byte {at}"
            );
        }
        // Header fields are authenticated too (type, version, epoch/sequence via the AAD).
        let mut bad = good.clone();
        bad[0] = ContentType::HANDSHAKE.0;
        assert_eq!(
            open_all(&mut receiver, &mut bad)[0],
            Err(Error::BadRecordMac)
        );
        assert_eq!(
            receiver.bad_records(),
            (good.len() - RECORD_HEADER_LEN) as u64 + 1
        );
        assert_eq!(
            open_all(&mut receiver, &mut good.clone())[0].as_deref(),
            Ok(&b"hello"[..])
        );
        assert_eq!(open_all(&mut receiver, &mut good)[0], Err(Error::Replay));
    }

    #[test]
    fn wrong_epochs_and_oversized_payloads_are_refused() {
        let mut sender = RecordLayer::default();
        let mut receiver = RecordLayer::default();
        let (write, _) = keys(AeadAlgorithm::Aes128Gcm);
        sender.advance_write(write);
        let (_, w2) = keys(AeadAlgorithm::Aes128Gcm);
        sender.advance_write(w2);
        let mut datagram = Vec::new();
        sender
            .seal(
                WriteEpochChoice::Current,
                ContentType::APPLICATION_DATA,
                b"x",
                &mut datagram,
            )
            .unwrap();
        assert_eq!(
            open_all(&mut receiver, &mut datagram)[0],
            Err(Error::UnknownEpoch(2))
        );
        let big = vec![0u8; MAX_PLAINTEXT_LEN + 1];
        assert_eq!(
            sender.seal(
                WriteEpochChoice::Current,
                ContentType::APPLICATION_DATA,
                &big,
                &mut datagram
            ),
            Err(Error::RecordOverflow)
        );
        let mut fresh = RecordLayer::default();
        assert_eq!(
            fresh.seal(
                WriteEpochChoice::Previous,
                ContentType::HANDSHAKE,
                b"x",
                &mut datagram
            ),
            Err(Error::UnknownEpoch(u16::MAX))
        );
    }
}
