//! RE-CONFIG (type 130; RFC 6525 §3.1) and its parameters (RFC 6525 §4.1–4.6): stream resets,
//! SSN/TSN resets, responses and stream additions.

use crate::error::{EncodeError, ParseError, ParseErrorKind};
use crate::wire::bytes::{Writer, err, expect_len, tail, u16_at, u32_at};
use crate::wire::chunk::{ChunkBody, chunk_type, impl_emit};
use crate::wire::list::{List, TlvEntry, TlvList};
use crate::wire::packet::Chunk;

/// RE-CONFIG parameter types (RFC 6525 §4).
pub mod reconfig_param_type {
    /// Outgoing SSN Reset Request (RFC 6525 §4.1).
    pub const OUTGOING_SSN_RESET_REQUEST: u16 = 13;
    /// Incoming SSN Reset Request (RFC 6525 §4.2).
    pub const INCOMING_SSN_RESET_REQUEST: u16 = 14;
    /// SSN/TSN Reset Request (RFC 6525 §4.3).
    pub const SSN_TSN_RESET_REQUEST: u16 = 15;
    /// Re-configuration Response (RFC 6525 §4.4).
    pub const RECONFIG_RESPONSE: u16 = 16;
    /// Add Outgoing Streams Request (RFC 6525 §4.5).
    pub const ADD_OUTGOING_STREAMS_REQUEST: u16 = 17;
    /// Add Incoming Streams Request (RFC 6525 §4.6).
    pub const ADD_INCOMING_STREAMS_REQUEST: u16 = 18;
}

/// The Result field of a Re-configuration Response (RFC 6525 §4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReconfigResult {
    /// 0: Success - Nothing to do.
    SuccessNothingToDo,
    /// 1: Success - Performed.
    SuccessPerformed,
    /// 2: Denied.
    Denied,
    /// 3: Error - Wrong SSN.
    ErrorWrongSsn,
    /// 4: Error - Request already in progress.
    ErrorRequestAlreadyInProgress,
    /// 5: Error - Bad Sequence Number.
    ErrorBadSequenceNumber,
    /// 6: In progress.
    InProgress,
    /// Any other value, kept.
    Unknown(u32),
}

impl From<u32> for ReconfigResult {
    fn from(value: u32) -> Self {
        match value {
            0 => Self::SuccessNothingToDo,
            1 => Self::SuccessPerformed,
            2 => Self::Denied,
            3 => Self::ErrorWrongSsn,
            4 => Self::ErrorRequestAlreadyInProgress,
            5 => Self::ErrorBadSequenceNumber,
            6 => Self::InProgress,
            other => Self::Unknown(other),
        }
    }
}

impl From<ReconfigResult> for u32 {
    fn from(value: ReconfigResult) -> Self {
        match value {
            ReconfigResult::SuccessNothingToDo => 0,
            ReconfigResult::SuccessPerformed => 1,
            ReconfigResult::Denied => 2,
            ReconfigResult::ErrorWrongSsn => 3,
            ReconfigResult::ErrorRequestAlreadyInProgress => 4,
            ReconfigResult::ErrorBadSequenceNumber => 5,
            ReconfigResult::InProgress => 6,
            ReconfigResult::Unknown(other) => other,
        }
    }
}

/// The optional TSN pair of a Re-configuration Response to an SSN/TSN Reset Request (RFC 6525
/// §4.4): both present or both absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NextTsns {
    /// Sender's Next TSN.
    pub sender_next_tsn: u32,
    /// Receiver's Next TSN.
    pub receiver_next_tsn: u32,
}

/// One RE-CONFIG parameter (RFC 6525 §4), borrowing the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReconfigParam<'a> {
    /// Outgoing SSN Reset Request (RFC 6525 §4.1).
    OutgoingSsnResetRequest {
        /// Re-configuration Request Sequence Number.
        request_seq: u32,
        /// Re-configuration Response Sequence Number.
        response_seq: u32,
        /// Sender's Last Assigned TSN.
        senders_last_tsn: u32,
        /// Stream Numbers to reset; none means all.
        stream_ids: List<'a, u16>,
    },
    /// Incoming SSN Reset Request (RFC 6525 §4.2).
    IncomingSsnResetRequest {
        /// Re-configuration Request Sequence Number.
        request_seq: u32,
        /// Stream Numbers to reset; none means all.
        stream_ids: List<'a, u16>,
    },
    /// SSN/TSN Reset Request (RFC 6525 §4.3).
    SsnTsnResetRequest {
        /// Re-configuration Request Sequence Number.
        request_seq: u32,
    },
    /// Re-configuration Response (RFC 6525 §4.4).
    Response {
        /// Re-configuration Response Sequence Number.
        response_seq: u32,
        /// Result.
        result: ReconfigResult,
        /// Sender's and Receiver's Next TSN, answering an SSN/TSN Reset Request.
        next_tsns: Option<NextTsns>,
    },
    /// Add Outgoing Streams Request (RFC 6525 §4.5); the reserved field is written as zero.
    AddOutgoingStreams {
        /// Re-configuration Request Sequence Number.
        request_seq: u32,
        /// Number of new streams.
        new_streams: u16,
    },
    /// Add Incoming Streams Request (RFC 6525 §4.6); the reserved field is written as zero.
    AddIncomingStreams {
        /// Re-configuration Request Sequence Number.
        request_seq: u32,
        /// Number of new streams.
        new_streams: u16,
    },
    /// Any other parameter, kept with its type. A type this crate knows parses back as its
    /// typed form.
    Unknown {
        /// Parameter Type.
        param_type: u16,
        /// Parameter Value.
        value: &'a [u8],
    },
}

fn stream_list(value: &[u8], from: usize, at: usize) -> Result<List<'_, u16>, ParseError> {
    let list = tail(value, from);
    if value.len() < from || !list.len().is_multiple_of(2) {
        return Err(err(ParseErrorKind::BadLength, at));
    }
    Ok(List::from_wire(list))
}

impl<'a> TlvEntry<'a> for ReconfigParam<'a> {
    fn parse_tlv(tlv_type: u16, value: &'a [u8], offset: usize) -> Result<Self, ParseError> {
        use reconfig_param_type as t;
        let at = offset.saturating_add(2);
        Ok(match tlv_type {
            t::OUTGOING_SSN_RESET_REQUEST => Self::OutgoingSsnResetRequest {
                stream_ids: stream_list(value, 12, at)?,
                request_seq: u32_at(value, 0),
                response_seq: u32_at(value, 4),
                senders_last_tsn: u32_at(value, 8),
            },
            t::INCOMING_SSN_RESET_REQUEST => Self::IncomingSsnResetRequest {
                stream_ids: stream_list(value, 4, at)?,
                request_seq: u32_at(value, 0),
            },
            t::SSN_TSN_RESET_REQUEST => {
                expect_len(value, 4, at)?;
                Self::SsnTsnResetRequest {
                    request_seq: u32_at(value, 0),
                }
            }
            t::RECONFIG_RESPONSE => {
                let next_tsns = match value.len() {
                    8 => None,
                    16 => Some(NextTsns {
                        sender_next_tsn: u32_at(value, 8),
                        receiver_next_tsn: u32_at(value, 12),
                    }),
                    _ => return Err(err(ParseErrorKind::BadLength, at)),
                };
                Self::Response {
                    response_seq: u32_at(value, 0),
                    result: u32_at(value, 4).into(),
                    next_tsns,
                }
            }
            t::ADD_OUTGOING_STREAMS_REQUEST => {
                expect_len(value, 8, at)?;
                Self::AddOutgoingStreams {
                    request_seq: u32_at(value, 0),
                    new_streams: u16_at(value, 4),
                }
            }
            t::ADD_INCOMING_STREAMS_REQUEST => {
                expect_len(value, 8, at)?;
                Self::AddIncomingStreams {
                    request_seq: u32_at(value, 0),
                    new_streams: u16_at(value, 4),
                }
            }
            param_type => Self::Unknown { param_type, value },
        })
    }

    fn tlv_type(&self) -> u16 {
        use reconfig_param_type as t;
        match self {
            Self::OutgoingSsnResetRequest { .. } => t::OUTGOING_SSN_RESET_REQUEST,
            Self::IncomingSsnResetRequest { .. } => t::INCOMING_SSN_RESET_REQUEST,
            Self::SsnTsnResetRequest { .. } => t::SSN_TSN_RESET_REQUEST,
            Self::Response { .. } => t::RECONFIG_RESPONSE,
            Self::AddOutgoingStreams { .. } => t::ADD_OUTGOING_STREAMS_REQUEST,
            Self::AddIncomingStreams { .. } => t::ADD_INCOMING_STREAMS_REQUEST,
            Self::Unknown { param_type, .. } => *param_type,
        }
    }

    fn value_len(&self) -> usize {
        match self {
            Self::OutgoingSsnResetRequest { stream_ids, .. } => {
                stream_ids.wire_len().saturating_add(12)
            }
            Self::IncomingSsnResetRequest { stream_ids, .. } => {
                stream_ids.wire_len().saturating_add(4)
            }
            Self::SsnTsnResetRequest { .. } => 4,
            Self::Response { next_tsns, .. } => {
                if next_tsns.is_some() {
                    16
                } else {
                    8
                }
            }
            Self::AddOutgoingStreams { .. } | Self::AddIncomingStreams { .. } => 8,
            Self::Unknown { value, .. } => value.len(),
        }
    }

    fn write_value(&self, out: &mut [u8]) {
        let mut w = Writer::new(out);
        match self {
            Self::OutgoingSsnResetRequest {
                request_seq,
                response_seq,
                senders_last_tsn,
                stream_ids,
            } => {
                w.u32(*request_seq);
                w.u32(*response_seq);
                w.u32(*senders_last_tsn);
                stream_ids.write(&mut w);
            }
            Self::IncomingSsnResetRequest {
                request_seq,
                stream_ids,
            } => {
                w.u32(*request_seq);
                stream_ids.write(&mut w);
            }
            Self::SsnTsnResetRequest { request_seq } => w.u32(*request_seq),
            Self::Response {
                response_seq,
                result,
                next_tsns,
            } => {
                w.u32(*response_seq);
                w.u32((*result).into());
                if let Some(n) = next_tsns {
                    w.u32(n.sender_next_tsn);
                    w.u32(n.receiver_next_tsn);
                }
            }
            Self::AddOutgoingStreams {
                request_seq,
                new_streams,
            }
            | Self::AddIncomingStreams {
                request_seq,
                new_streams,
            } => {
                w.u32(*request_seq);
                w.u16(*new_streams);
                w.u16(0);
            }
            Self::Unknown { value, .. } => w.bytes(value),
        }
    }
}

/// A RE-CONFIG chunk (RFC 6525 §3.1): one or two parameters (the combinations of §3.1 are the
/// association's to check).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReconfigRepr<'a> {
    /// Re-configuration parameters (RFC 6525 §4).
    pub params: TlvList<'a, ReconfigParam<'a>>,
}

impl<'a> ReconfigRepr<'a> {
    /// Reads a RE-CONFIG chunk (RFC 6525 §3.1) and every parameter once.
    ///
    /// # Errors
    /// [`BadParameterLength`](ParseErrorKind::BadParameterLength) for a parameter length below
    /// 4 or past the chunk, [`BadPadding`](ParseErrorKind::BadPadding) for a partial padding
    /// between parameters, [`BadLength`](ParseErrorKind::BadLength) for a parameter that does
    /// not fit its type's layout.
    pub fn parse(chunk: &Chunk<'a>) -> Result<Self, ParseError> {
        Ok(Self {
            params: TlvList::parse(chunk.value(), chunk.value_offset(0))?,
        })
    }
}

impl ChunkBody for ReconfigRepr<'_> {
    const TYPE: u8 = chunk_type::RE_CONFIG;
    fn value_len(&self) -> usize {
        self.params.wire_len()
    }
    fn check(&self) -> Result<(), EncodeError> {
        if self.params.fits() {
            Ok(())
        } else {
            Err(EncodeError::TooLong)
        }
    }
    fn write_value(&self, w: &mut Writer<'_>) {
        self.params.write(w);
    }
}

impl_emit!(ReconfigRepr<'_>, "RE-CONFIG (RFC 6525 §3.1)");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::ChunkRepr;

    /// RFC 6525 §4.1 then §4.4: outgoing reset of streams 1 and 2 (request 5, response 4,
    /// last TSN 9), and a response 4 "Success - Performed" with next TSNs 10 and 20.
    const RECONFIG: [u8; 44] = [
        130, 0, 0, 44, //
        0, 13, 0, 20, 0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 0, 9, 0, 1, 0, 2, //
        0, 16, 0, 20, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 10, 0, 0, 0, 20,
    ];
    const PARAMS: [ReconfigParam<'static>; 2] = [
        ReconfigParam::OutgoingSsnResetRequest {
            request_seq: 5,
            response_seq: 4,
            senders_last_tsn: 9,
            stream_ids: List::from_slice(&[1, 2]),
        },
        ReconfigParam::Response {
            response_seq: 4,
            result: ReconfigResult::SuccessPerformed,
            next_tsns: Some(NextTsns {
                sender_next_tsn: 10,
                receiver_next_tsn: 20,
            }),
        },
    ];

    fn repr() -> ReconfigRepr<'static> {
        ReconfigRepr {
            params: TlvList::from_slice(&PARAMS),
        }
    }

    #[test]
    fn reconfig_deconstruct() {
        let (chunk, _) = Chunk::frame(&RECONFIG, 0).unwrap();
        assert_eq!((chunk.chunk_type(), chunk.length()), (130, 44));
        let r = ReconfigRepr::parse(&chunk).unwrap();
        let params: Vec<_> = r.params.iter().collect();
        assert_eq!(params, PARAMS);
        if let ReconfigParam::OutgoingSsnResetRequest { stream_ids, .. } = params[0] {
            assert_eq!(stream_ids.iter().collect::<Vec<_>>(), [1, 2]);
        }
    }

    #[test]
    fn reconfig_construct() {
        let mut buf = [0; 44];
        assert_eq!(repr().emit(&mut buf), Ok(44));
        assert_eq!(buf, RECONFIG);
    }

    #[test]
    fn reconfig_parse() {
        let (chunk, _) = Chunk::frame(&RECONFIG, 0).unwrap();
        assert_eq!(ChunkRepr::parse(&chunk), Ok(ChunkRepr::Reconfig(repr())));
    }

    #[test]
    fn reconfig_emit() {
        let r = ChunkRepr::Reconfig(repr());
        let mut buf = vec![0; r.buffer_len()];
        assert_eq!(r.emit(&mut buf), Ok(44));
        assert_eq!(buf, RECONFIG);
    }

    #[test]
    fn other_reconfig_parameters_round_trip() {
        let params = [
            ReconfigParam::IncomingSsnResetRequest {
                request_seq: 1,
                stream_ids: List::from_slice(&[3]),
            },
            ReconfigParam::SsnTsnResetRequest { request_seq: 2 },
            ReconfigParam::AddOutgoingStreams {
                request_seq: 3,
                new_streams: 16,
            },
            ReconfigParam::AddIncomingStreams {
                request_seq: 4,
                new_streams: 8,
            },
            ReconfigParam::Response {
                response_seq: 5,
                result: ReconfigResult::Unknown(77),
                next_tsns: None,
            },
        ];
        let r = ChunkRepr::Reconfig(ReconfigRepr {
            params: TlvList::from_slice(&params),
        });
        let mut buf = vec![0; r.buffer_len()];
        r.emit(&mut buf).unwrap();
        let (chunk, _) = Chunk::frame(&buf, 0).unwrap();
        assert_eq!(ChunkRepr::parse(&chunk), Ok(r));
    }

    #[test]
    fn response_of_odd_length_is_bad_length() {
        assert_eq!(
            ReconfigParam::parse_tlv(16, &[0; 12], 20),
            Err(err(ParseErrorKind::BadLength, 22))
        );
    }
}
