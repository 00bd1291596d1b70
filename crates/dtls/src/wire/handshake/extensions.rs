//! Hello extensions (RFC 5246 §7.4.1.4) and the bodies of those WebRTC's DTLS 1.2 uses:
//! supported_groups and ec_point_formats (RFC 8422 §5.1), signature_algorithms
//! (RFC 5246 §7.4.1.4.1), use_srtp (RFC 5764 §4.1.1), extended_master_secret (RFC 7627 §5.1)
//! and renegotiation_info (RFC 5746 §3.2). Every other type (supported_versions, key_share,
//! GREASE, ...) is kept as opaque bytes.
//!
//! ```text
//! struct {
//!     ExtensionType extension_type;
//!     opaque extension_data<0..2^16-1>;
//! } Extension;
//! ```
//!
//! [`Extensions`] checks a block's framing once and then iterates without allocating; a
//! body is interpreted only when asked ([`Extension::parse`]).

use super::codec::{CodePoints, Reader, Writer};
use crate::Error;
use crate::wire::{AlertDescription, ExtensionType, NamedGroup, SignatureScheme, SrtpProfileId};

/// Bytes of an extension header: type and length (RFC 5246 §7.4.1.4).
pub const EXTENSION_HEADER_LEN: usize = 4;

/// One extension as it sits in a hello message (RFC 5246 §7.4.1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Extension<'a> {
    /// The extension type; unknown values are kept.
    pub extension_type: ExtensionType,
    /// The `extension_data` bytes, without their length.
    pub data: &'a [u8],
    /// Where the extension's type field starts: from the start of the message body when it
    /// came from a hello message, from the start of the block for
    /// [`Extensions::new_checked`]. Error offsets of [`parse`](Self::parse) count from the
    /// same place.
    pub offset: usize,
}

/// An extension body interpreted by type, borrowing the message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExtensionValue<'a> {
    /// supported_groups: `NamedGroup named_group_list<2..2^16-1>` (RFC 8422 §5.1.1).
    SupportedGroups(CodePoints<'a, NamedGroup>),
    /// ec_point_formats: `ECPointFormat ec_point_format_list<1..2^8-1>` (RFC 8422 §5.1.2);
    /// one byte per format, 0 being uncompressed.
    EcPointFormats(&'a [u8]),
    /// signature_algorithms: `supported_signature_algorithms<2..2^16-2>`
    /// (RFC 5246 §7.4.1.4.1).
    SignatureAlgorithms(CodePoints<'a, SignatureScheme>),
    /// use_srtp (RFC 5764 §4.1.1).
    UseSrtp(UseSrtp<'a>),
    /// extended_master_secret, always empty (RFC 7627 §5.1).
    ExtendedMasterSecret,
    /// renegotiation_info: `opaque renegotiated_connection<0..255>` (RFC 5746 §3.2); empty
    /// on an initial handshake.
    RenegotiationInfo(&'a [u8]),
    /// Any other type, as received.
    Unknown(Extension<'a>),
}

/// The use_srtp body (RFC 5764 §4.1.1):
///
/// ```text
/// uint8 SRTPProtectionProfile[2];
/// struct {
///     SRTPProtectionProfiles SRTPProtectionProfiles;   // <2..2^16-1>
///     opaque srtp_mki<0..255>;
/// } UseSRTPData;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UseSrtp<'a> {
    /// The offered profiles (client) or the one chosen (server, RFC 5764 §4.1.1).
    pub profiles: CodePoints<'a, SrtpProfileId>,
    /// The SRTP master key identifier; usually empty.
    pub mki: &'a [u8],
}

impl<'a> Extension<'a> {
    /// Interprets the body by type. Each known body is fully specified, so trailing bytes
    /// are refused.
    ///
    /// # Errors
    /// [`Error::Malformed`] with the offset of the offending field.
    pub fn parse(&self) -> Result<ExtensionValue<'a>, Error> {
        let mut r = Reader::at(self.data, self.offset + EXTENSION_HEADER_LEN);
        let value = match self.extension_type {
            ExtensionType::SUPPORTED_GROUPS => ExtensionValue::SupportedGroups(CodePoints::new(
                r.u16_list(2, 0xfffe, "supported_groups")?,
            )),
            ExtensionType::EC_POINT_FORMATS => {
                ExtensionValue::EcPointFormats(r.vec8(1, 0xff, "ec_point_formats")?)
            }
            ExtensionType::SIGNATURE_ALGORITHMS => ExtensionValue::SignatureAlgorithms(
                CodePoints::new(r.u16_list(2, 0xfffe, "signature_algorithms")?),
            ),
            ExtensionType::USE_SRTP => ExtensionValue::UseSrtp(UseSrtp {
                profiles: CodePoints::new(r.u16_list(2, 0xfffe, "use_srtp profiles")?),
                mki: r.vec8(0, 0xff, "use_srtp mki")?,
            }),
            ExtensionType::EXTENDED_MASTER_SECRET => ExtensionValue::ExtendedMasterSecret,
            ExtensionType::RENEGOTIATION_INFO => {
                ExtensionValue::RenegotiationInfo(r.vec8(0, 0xff, "renegotiation_info")?)
            }
            _ => return Ok(ExtensionValue::Unknown(*self)),
        };
        r.finish(extension_name(self.extension_type))?;
        Ok(value)
    }
}

/// Whether [`Extension::parse`] interprets this type.
pub const fn is_known_extension(extension_type: ExtensionType) -> bool {
    matches!(
        extension_type,
        ExtensionType::SUPPORTED_GROUPS
            | ExtensionType::EC_POINT_FORMATS
            | ExtensionType::SIGNATURE_ALGORITHMS
            | ExtensionType::USE_SRTP
            | ExtensionType::EXTENDED_MASTER_SECRET
            | ExtensionType::RENEGOTIATION_INFO
    )
}

fn extension_name(extension_type: ExtensionType) -> &'static str {
    match extension_type {
        ExtensionType::SUPPORTED_GROUPS => "supported_groups",
        ExtensionType::EC_POINT_FORMATS => "ec_point_formats",
        ExtensionType::SIGNATURE_ALGORITHMS => "signature_algorithms",
        ExtensionType::USE_SRTP => "use_srtp",
        ExtensionType::EXTENDED_MASTER_SECRET => "extended_master_secret",
        ExtensionType::RENEGOTIATION_INFO => "renegotiation_info",
        _ => "extension",
    }
}

/// Tracks which extension types a block has had, for types below 256 and
/// renegotiation_info (every type WebRTC peers send except GREASE values), without
/// allocating.
#[derive(Default)]
struct SeenTypes {
    low: [u64; 4],
    renegotiation_info: bool,
}

impl SeenTypes {
    /// Records `t`; false when it was seen before.
    fn insert(&mut self, t: ExtensionType) -> bool {
        if t == ExtensionType::RENEGOTIATION_INFO {
            return !std::mem::replace(&mut self.renegotiation_info, true);
        }
        let Some(word) = self.low.get_mut(usize::from(t.0 >> 6)) else {
            return true;
        };
        let bit = 1u64 << (t.0 & 63);
        let fresh = *word & bit == 0;
        *word |= bit;
        fresh
    }
}

/// A checked extension block: the bytes inside `extensions<0..2^16-1>` (RFC 5246 §7.4.1.4).
/// Iterating yields each [`Extension`] in order; never allocates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extensions<'a> {
    rest: &'a [u8],
    at: usize,
}

impl<'a> Extensions<'a> {
    /// An empty block.
    pub const fn empty() -> Self {
        Self { rest: &[], at: 0 }
    }

    /// Checks a block: every extension header and length fits exactly, and no type below 256
    /// or renegotiation_info appears twice (RFC 5246 §7.4.1.4: "There MUST NOT be more than
    /// one extension of the same type"). Bodies are not interpreted.
    ///
    /// # Errors
    /// [`Error::Malformed`] at the extension that does not fit;
    /// `Error::Protocol(ILLEGAL_PARAMETER)` for a repeated type.
    pub fn new_checked(block: &'a [u8]) -> Result<Self, Error> {
        Self::check_at(block, 0)
    }

    /// As [`new_checked`](Self::new_checked), for a block that starts `base` bytes into the
    /// message body.
    pub(crate) fn check_at(block: &'a [u8], base: usize) -> Result<Self, Error> {
        let mut r = Reader::at(block, base);
        let mut seen = SeenTypes::default();
        while !r.is_empty() {
            let extension_type = ExtensionType(r.u16("extension header")?);
            r.vec16(0, 0xffff, "extension length")?;
            if !seen.insert(extension_type) {
                return Err(Error::Protocol(AlertDescription::ILLEGAL_PARAMETER));
            }
        }
        Ok(Self {
            rest: block,
            at: base,
        })
    }

    /// The block's bytes, without the two-byte length.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.rest
    }

    /// The first extension of a type.
    pub fn get(&self, extension_type: ExtensionType) -> Option<Extension<'a>> {
        self.clone().find(|e| e.extension_type == extension_type)
    }

    /// The interpreted body of the extension of a type, when present.
    ///
    /// # Errors
    /// As [`Extension::parse`].
    pub fn value(
        &self,
        extension_type: ExtensionType,
    ) -> Result<Option<ExtensionValue<'a>>, Error> {
        self.get(extension_type).map(|e| e.parse()).transpose()
    }

    /// supported_groups (RFC 8422 §5.1.1), when present.
    ///
    /// # Errors
    /// As [`Extension::parse`].
    pub fn supported_groups(&self) -> Result<Option<CodePoints<'a, NamedGroup>>, Error> {
        Ok(match self.value(ExtensionType::SUPPORTED_GROUPS)? {
            Some(ExtensionValue::SupportedGroups(groups)) => Some(groups),
            _ => None,
        })
    }

    /// signature_algorithms (RFC 5246 §7.4.1.4.1), when present.
    ///
    /// # Errors
    /// As [`Extension::parse`].
    pub fn signature_algorithms(&self) -> Result<Option<CodePoints<'a, SignatureScheme>>, Error> {
        Ok(match self.value(ExtensionType::SIGNATURE_ALGORITHMS)? {
            Some(ExtensionValue::SignatureAlgorithms(schemes)) => Some(schemes),
            _ => None,
        })
    }

    /// use_srtp (RFC 5764 §4.1.1), when present.
    ///
    /// # Errors
    /// As [`Extension::parse`].
    pub fn use_srtp(&self) -> Result<Option<UseSrtp<'a>>, Error> {
        Ok(match self.value(ExtensionType::USE_SRTP)? {
            Some(ExtensionValue::UseSrtp(use_srtp)) => Some(use_srtp),
            _ => None,
        })
    }

    /// renegotiation_info's `renegotiated_connection` (RFC 5746 §3.2), when present.
    ///
    /// # Errors
    /// As [`Extension::parse`].
    pub fn renegotiation_info(&self) -> Result<Option<&'a [u8]>, Error> {
        Ok(match self.value(ExtensionType::RENEGOTIATION_INFO)? {
            Some(ExtensionValue::RenegotiationInfo(info)) => Some(info),
            _ => None,
        })
    }

    /// Whether extended_master_secret is present (RFC 7627 §5.1). Its body must be empty.
    ///
    /// # Errors
    /// As [`Extension::parse`].
    pub fn extended_master_secret(&self) -> Result<bool, Error> {
        Ok(self.value(ExtensionType::EXTENDED_MASTER_SECRET)?.is_some())
    }
}

impl<'a> Iterator for Extensions<'a> {
    type Item = Extension<'a>;

    fn next(&mut self) -> Option<Extension<'a>> {
        let (&[t0, t1, l0, l1], rest) = self.rest.split_first_chunk::<4>()?;
        let len = usize::from(u16::from_be_bytes([l0, l1]));
        let (data, rest) = rest.split_at_checked(len)?;
        let extension = Extension {
            extension_type: ExtensionType(u16::from_be_bytes([t0, t1])),
            data,
            offset: self.at,
        };
        self.rest = rest;
        self.at += EXTENSION_HEADER_LEN + len;
        Some(extension)
    }
}

impl std::iter::FusedIterator for Extensions<'_> {}

/// An extension to build or keep, typed for the bodies this crate knows (RFC 5246 §7.4.1.4).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExtensionRepr<'a> {
    /// supported_groups (RFC 8422 §5.1.1): 1 to 32767 groups.
    SupportedGroups(Vec<NamedGroup>),
    /// ec_point_formats (RFC 8422 §5.1.2): 1 to 255 format bytes.
    EcPointFormats(&'a [u8]),
    /// signature_algorithms (RFC 5246 §7.4.1.4.1): 1 to 32767 schemes.
    SignatureAlgorithms(Vec<SignatureScheme>),
    /// use_srtp (RFC 5764 §4.1.1).
    UseSrtp {
        /// 1 to 32767 profiles.
        profiles: Vec<SrtpProfileId>,
        /// At most 255 bytes of MKI.
        mki: &'a [u8],
    },
    /// extended_master_secret (RFC 7627 §5.1).
    ExtendedMasterSecret,
    /// renegotiation_info (RFC 5746 §3.2): at most 255 bytes.
    RenegotiationInfo(&'a [u8]),
    /// Any other extension, body as is. A type [`Extension::parse`] knows is written as
    /// given, after its body is checked to parse.
    Unknown {
        /// The type.
        extension_type: ExtensionType,
        /// The body, at most 65535 bytes.
        data: &'a [u8],
    },
}

impl<'a> ExtensionRepr<'a> {
    /// Copies a received extension, interpreting known bodies.
    ///
    /// # Errors
    /// As [`Extension::parse`].
    pub fn parse(extension: &Extension<'a>) -> Result<Self, Error> {
        Ok(match extension.parse()? {
            ExtensionValue::SupportedGroups(groups) => Self::SupportedGroups(groups.collect()),
            ExtensionValue::EcPointFormats(formats) => Self::EcPointFormats(formats),
            ExtensionValue::SignatureAlgorithms(s) => Self::SignatureAlgorithms(s.collect()),
            ExtensionValue::UseSrtp(u) => Self::UseSrtp {
                profiles: u.profiles.collect(),
                mki: u.mki,
            },
            ExtensionValue::ExtendedMasterSecret => Self::ExtendedMasterSecret,
            ExtensionValue::RenegotiationInfo(info) => Self::RenegotiationInfo(info),
            ExtensionValue::Unknown(e) => Self::Unknown {
                extension_type: e.extension_type,
                data: e.data,
            },
        })
    }

    /// The extension type.
    pub fn extension_type(&self) -> ExtensionType {
        match self {
            Self::SupportedGroups(_) => ExtensionType::SUPPORTED_GROUPS,
            Self::EcPointFormats(_) => ExtensionType::EC_POINT_FORMATS,
            Self::SignatureAlgorithms(_) => ExtensionType::SIGNATURE_ALGORITHMS,
            Self::UseSrtp { .. } => ExtensionType::USE_SRTP,
            Self::ExtendedMasterSecret => ExtensionType::EXTENDED_MASTER_SECRET,
            Self::RenegotiationInfo(_) => ExtensionType::RENEGOTIATION_INFO,
            Self::Unknown { extension_type, .. } => *extension_type,
        }
    }

    fn data_len(&self) -> usize {
        match self {
            Self::SupportedGroups(list) => 2 + 2 * list.len(),
            Self::SignatureAlgorithms(list) => 2 + 2 * list.len(),
            Self::EcPointFormats(bytes) | Self::RenegotiationInfo(bytes) => 1 + bytes.len(),
            Self::UseSrtp { profiles, mki } => 2 + 2 * profiles.len() + 1 + mki.len(),
            Self::ExtendedMasterSecret => 0,
            Self::Unknown { data, .. } => data.len(),
        }
    }

    /// Bytes [`emit`](Self::emit) writes: header and body.
    pub fn buffer_len(&self) -> usize {
        EXTENSION_HEADER_LEN + self.data_len()
    }

    /// Writes the extension at the start of `out`; returns [`buffer_len`](Self::buffer_len).
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`]; [`Error::Malformed`] (output offset) for a list or byte
    /// string outside its vector's bounds, or an `Unknown` of a known type whose body does
    /// not parse.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer::new(out);
        self.write(&mut w)?;
        Ok(w.len())
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        let start = w.len();
        w.u16(self.extension_type().0)?;
        w.length(2, self.data_len(), (0, 0xffff), "extension length")?;
        match self {
            Self::SupportedGroups(groups) => w.u16_list(groups, 2, 0xfffe, "supported_groups"),
            Self::EcPointFormats(formats) => w.vec8(formats, 1, 0xff, "ec_point_formats"),
            Self::SignatureAlgorithms(schemes) => {
                w.u16_list(schemes, 2, 0xfffe, "signature_algorithms")
            }
            Self::UseSrtp { profiles, mki } => {
                w.u16_list(profiles, 2, 0xfffe, "use_srtp profiles")?;
                w.vec8(mki, 0, 0xff, "use_srtp mki")
            }
            Self::ExtendedMasterSecret => Ok(()),
            Self::RenegotiationInfo(info) => w.vec8(info, 0, 0xff, "renegotiation_info"),
            Self::Unknown {
                extension_type,
                data,
            } => {
                if is_known_extension(*extension_type) {
                    Extension {
                        extension_type: *extension_type,
                        data,
                        offset: start,
                    }
                    .parse()?;
                }
                w.bytes(data)
            }
        }
    }
}

/// Bytes of an optional extension block with its two-byte length; 0 when absent.
pub(crate) fn block_len(extensions: Option<&[ExtensionRepr<'_>]>) -> usize {
    extensions.map_or(0, |list| {
        2 + list.iter().map(ExtensionRepr::buffer_len).sum::<usize>()
    })
}

/// Writes an optional extension block: nothing when `None`, else the two-byte length and each
/// extension. Refuses repeated types as [`Extensions::new_checked`] does, so what is written
/// parses back.
pub(crate) fn write_block(
    w: &mut Writer<'_>,
    extensions: Option<&[ExtensionRepr<'_>]>,
) -> Result<(), Error> {
    let Some(list) = extensions else {
        return Ok(());
    };
    let mut seen = SeenTypes::default();
    if !list.iter().all(|e| seen.insert(e.extension_type())) {
        return Err(Error::Protocol(AlertDescription::ILLEGAL_PARAMETER));
    }
    w.length(2, block_len(extensions) - 2, (0, 0xffff), "extensions")?;
    list.iter().try_for_each(|e| e.write(w))
}

/// Reads the optional extension block that ends a hello message (RFC 5246 §7.4.1.2: absent
/// when no bytes follow compression_methods) and checks nothing follows it.
pub(crate) fn read_block<'a>(r: &mut Reader<'a>) -> Result<Option<Extensions<'a>>, Error> {
    if r.is_empty() {
        return Ok(None);
    }
    let base = r.offset() + 2;
    let block = r.vec16(0, 0xffff, "extensions")?;
    r.finish("extensions")?;
    Extensions::check_at(block, base).map(Some)
}

/// Copies an optional block into Reprs.
pub(crate) fn parse_block<'a>(
    extensions: Option<Extensions<'a>>,
) -> Result<Option<Vec<ExtensionRepr<'a>>>, Error> {
    extensions
        .map(|block| block.map(|e| ExtensionRepr::parse(&e)).collect())
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn use_srtp_body_round_trips() {
        let repr = ExtensionRepr::UseSrtp {
            profiles: vec![
                SrtpProfileId::AES128_CM_HMAC_SHA1_80,
                SrtpProfileId::AEAD_AES_128_GCM,
            ],
            mki: &[],
        };
        let mut out = [0u8; 11];
        assert_eq!(repr.emit(&mut out), Ok(11));
        assert_eq!(out, [0, 14, 0, 7, 0, 4, 0, 1, 0, 7, 0]);
        let block = Extensions::new_checked(&out).unwrap();
        let ext = block.get(ExtensionType::USE_SRTP).unwrap();
        assert_eq!(ExtensionRepr::parse(&ext), Ok(repr));
    }

    #[test]
    fn repeated_known_types_are_refused() {
        let block = [0, 23, 0, 0, 0, 23, 0, 0];
        assert_eq!(
            Extensions::new_checked(&block),
            Err(Error::Protocol(AlertDescription::ILLEGAL_PARAMETER))
        );
    }

    #[test]
    fn trailing_bytes_in_a_known_body_are_malformed() {
        let ext = Extension {
            extension_type: ExtensionType::EXTENDED_MASTER_SECRET,
            data: &[0],
            offset: 10,
        };
        assert_eq!(
            ext.parse(),
            Err(Error::Malformed {
                what: "extended_master_secret",
                offset: 14
            })
        );
        let ext = Extension {
            extension_type: ExtensionType::SUPPORTED_GROUPS,
            data: &[0, 3, 0, 29, 0],
            offset: 0,
        };
        assert_eq!(
            ext.parse(),
            Err(Error::Malformed {
                what: "supported_groups",
                offset: 4
            })
        );
    }
}
