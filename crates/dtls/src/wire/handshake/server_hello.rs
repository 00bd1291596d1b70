//! ServerHello (RFC 5246 §7.4.1.3).
//!
//! ```text
//! struct {
//!     ProtocolVersion server_version;
//!     Random random;                                      // 32 bytes
//!     SessionID session_id;                               // <0..32>
//!     CipherSuite cipher_suite;
//!     CompressionMethod compression_method;
//!     select (extensions_present) {
//!         case false: struct {};
//!         case true:  Extension extensions<0..2^16-1>;
//!     };
//! } ServerHello;
//! ```

use super::client_hello::{MAX_SESSION_ID_LEN, RANDOM_LEN};
use super::codec::{Reader, Writer};
use super::extensions::{self, ExtensionRepr, Extensions};
use crate::Error;
use crate::wire::{CipherSuite, ExtensionType, ProtocolVersion};

/// A checked ServerHello body (RFC 5246 §7.4.1.3). After [`new_checked`](Self::new_checked)
/// no accessor can fail or panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerHello<'a> {
    server_version: ProtocolVersion,
    random: &'a [u8; RANDOM_LEN],
    session_id: &'a [u8],
    cipher_suite: CipherSuite,
    compression_method: u8,
    extensions: Option<Extensions<'a>>,
}

impl<'a> ServerHello<'a> {
    /// Checks a ServerHello body: fields within bounds, exactly filling the body, and the
    /// extension block's framing (see [`Extensions::new_checked`]). Whether the suite,
    /// compression method and extensions are acceptable is the state machine's call.
    ///
    /// # Errors
    /// [`Error::Malformed`] with the offset of the field that does not fit;
    /// `Error::Protocol(ILLEGAL_PARAMETER)` for a repeated extension type.
    pub fn new_checked(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let server_version = ProtocolVersion(r.u16("server_version")?);
        let random = r.array::<RANDOM_LEN>("random")?;
        let session_id = r.vec8(0, MAX_SESSION_ID_LEN, "session_id")?;
        let cipher_suite = CipherSuite(r.u16("cipher_suite")?);
        let compression_method = r.u8("compression_method")?;
        let extensions = extensions::read_block(&mut r)?;
        Ok(Self {
            server_version,
            random,
            session_id,
            cipher_suite,
            compression_method,
            extensions,
        })
    }

    /// The negotiated version.
    pub fn server_version(&self) -> ProtocolVersion {
        self.server_version
    }

    /// The server random.
    pub fn random(&self) -> &'a [u8; RANDOM_LEN] {
        self.random
    }

    /// The session id.
    pub fn session_id(&self) -> &'a [u8] {
        self.session_id
    }

    /// The chosen cipher suite.
    pub fn cipher_suite(&self) -> CipherSuite {
        self.cipher_suite
    }

    /// The chosen compression method (0, null, is the only one in use).
    pub fn compression_method(&self) -> u8 {
        self.compression_method
    }

    /// Whether the message has an extension block at all (an empty one counts).
    pub fn has_extension_block(&self) -> bool {
        self.extensions.is_some()
    }

    /// The extensions in order; empty when there is no block.
    pub fn extensions(&self) -> Extensions<'a> {
        self.extensions.clone().unwrap_or(Extensions::empty())
    }

    /// Whether an extension of this type is present.
    pub fn has_extension(&self, extension_type: ExtensionType) -> bool {
        self.extensions().get(extension_type).is_some()
    }
}

/// A ServerHello to build or keep (RFC 5246 §7.4.1.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServerHelloRepr<'a> {
    /// server_version: DTLS 1.2 is [`ProtocolVersion::DTLS_1_2`].
    pub server_version: ProtocolVersion,
    /// The server random.
    pub random: [u8; RANDOM_LEN],
    /// At most 32 bytes.
    pub session_id: &'a [u8],
    /// The chosen suite.
    pub cipher_suite: CipherSuite,
    /// The chosen compression method.
    pub compression_method: u8,
    /// `None` writes no extension block; `Some` of an empty list writes an empty one.
    pub extensions: Option<Vec<ExtensionRepr<'a>>>,
}

impl<'a> ServerHelloRepr<'a> {
    /// Copies a checked view, interpreting the known extension bodies.
    ///
    /// # Errors
    /// As [`Extension::parse`](super::Extension::parse).
    pub fn parse(view: &ServerHello<'a>) -> Result<Self, Error> {
        Ok(Self {
            server_version: view.server_version,
            random: *view.random,
            session_id: view.session_id,
            cipher_suite: view.cipher_suite,
            compression_method: view.compression_method,
            extensions: extensions::parse_block(view.extensions.clone())?,
        })
    }

    /// Bytes of the body [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        2 + RANDOM_LEN
            + 1
            + self.session_id.len()
            + 2
            + 1
            + extensions::block_len(self.extensions.as_deref())
    }

    /// Writes the body at the start of `out`; returns [`buffer_len`](Self::buffer_len).
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`]; [`Error::Malformed`] (output offset) for a field outside
    /// its bounds; `Error::Protocol(ILLEGAL_PARAMETER)` for a repeated extension type.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer::new(out);
        w.u16(self.server_version.0)?;
        w.bytes(&self.random)?;
        w.vec8(self.session_id, 0, MAX_SESSION_ID_LEN, "session_id")?;
        w.u16(self.cipher_suite.0)?;
        w.u8(self.compression_method)?;
        extensions::write_block(&mut w, self.extensions.as_deref())?;
        Ok(w.len())
    }
}
