//! ClientHello (RFC 5246 §7.4.1.2 with the DTLS cookie of RFC 6347 §4.2.1).
//!
//! ```text
//! struct {
//!     ProtocolVersion client_version;
//!     Random random;                                      // 32 bytes
//!     SessionID session_id;                               // <0..32>
//!     opaque cookie<0..2^8-1>;                            // DTLS only
//!     CipherSuite cipher_suites<2..2^16-2>;
//!     CompressionMethod compression_methods<1..2^8-1>;
//!     select (extensions_present) {
//!         case false: struct {};
//!         case true:  Extension extensions<0..2^16-1>;
//!     };
//! } ClientHello;
//! ```

use super::codec::{CodePoints, Reader, Writer};
use super::extensions::{self, ExtensionRepr, Extensions};
use crate::Error;
use crate::wire::{AlertDescription, CipherSuite, ExtensionType, ProtocolVersion};

/// Bytes of `Random` (RFC 5246 §7.4.1.2).
pub const RANDOM_LEN: usize = 32;
/// The longest session id (RFC 5246 §7.4.1.2).
pub const MAX_SESSION_ID_LEN: usize = 32;
/// The longest HelloVerifyRequest cookie in DTLS 1.2 (RFC 6347 §4.2.1).
pub const MAX_COOKIE_LEN: usize = 255;

/// A checked ClientHello body (RFC 5246 §7.4.1.2, RFC 6347 §4.2.1). After
/// [`new_checked`](Self::new_checked) no accessor can fail or panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientHello<'a> {
    client_version: ProtocolVersion,
    random: &'a [u8; RANDOM_LEN],
    session_id: &'a [u8],
    cookie: &'a [u8],
    cipher_suites: &'a [u8],
    compression_methods: &'a [u8],
    extensions: Option<Extensions<'a>>,
}

impl<'a> ClientHello<'a> {
    /// Checks a ClientHello body: every vector within its bounds and exactly filling the
    /// body, the extension block's framing (see [`Extensions::new_checked`]), and that
    /// compression_methods offers null (RFC 5246 §7.4.1.2: it "MUST contain"
    /// CompressionMethod.null).
    ///
    /// # Errors
    /// [`Error::Malformed`] with the offset (from the start of the body) of the field that
    /// does not fit; `Error::Protocol(ILLEGAL_PARAMETER)` when null compression is missing or
    /// an extension type repeats.
    pub fn new_checked(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let client_version = ProtocolVersion(r.u16("client_version")?);
        let random = r.array::<RANDOM_LEN>("random")?;
        let session_id = r.vec8(0, MAX_SESSION_ID_LEN, "session_id")?;
        let cookie = r.vec8(0, MAX_COOKIE_LEN, "cookie")?;
        let cipher_suites = r.u16_list(2, 0xfffe, "cipher_suites")?;
        let compression_methods = r.vec8(1, 0xff, "compression_methods")?;
        let extensions = extensions::read_block(&mut r)?;
        if !compression_methods.contains(&0) {
            return Err(Error::Protocol(AlertDescription::ILLEGAL_PARAMETER));
        }
        Ok(Self {
            client_version,
            random,
            session_id,
            cookie,
            cipher_suites,
            compression_methods,
            extensions,
        })
    }

    /// The highest version the client offers for DTLS 1.2 negotiation (`0xfefd`).
    pub fn client_version(&self) -> ProtocolVersion {
        self.client_version
    }

    /// The client random.
    pub fn random(&self) -> &'a [u8; RANDOM_LEN] {
        self.random
    }

    /// The session id, empty for a new session.
    pub fn session_id(&self) -> &'a [u8] {
        self.session_id
    }

    /// The cookie echoed from a HelloVerifyRequest, empty on the first ClientHello
    /// (RFC 6347 §4.2.1).
    pub fn cookie(&self) -> &'a [u8] {
        self.cookie
    }

    /// The offered cipher suites, in the client's order of preference.
    pub fn cipher_suites(&self) -> CodePoints<'a, CipherSuite> {
        CodePoints::new(self.cipher_suites)
    }

    /// The offered compression methods (one byte each; 0 is null).
    pub fn compression_methods(&self) -> &'a [u8] {
        self.compression_methods
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

/// A ClientHello to build or keep (RFC 5246 §7.4.1.2, RFC 6347 §4.2.1). Opaque fields borrow;
/// lists are owned.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientHelloRepr<'a> {
    /// client_version: DTLS 1.2 is [`ProtocolVersion::DTLS_1_2`].
    pub client_version: ProtocolVersion,
    /// The client random.
    pub random: [u8; RANDOM_LEN],
    /// At most 32 bytes.
    pub session_id: &'a [u8],
    /// At most 255 bytes; empty before a HelloVerifyRequest.
    pub cookie: &'a [u8],
    /// 1 to 32767 suites.
    pub cipher_suites: Vec<CipherSuite>,
    /// 1 to 255 methods, including null (0).
    pub compression_methods: &'a [u8],
    /// `None` writes no extension block; `Some` of an empty list writes an empty one.
    pub extensions: Option<Vec<ExtensionRepr<'a>>>,
}

impl<'a> ClientHelloRepr<'a> {
    /// Copies a checked view, interpreting the known extension bodies.
    ///
    /// # Errors
    /// As [`Extension::parse`](super::Extension::parse).
    pub fn parse(view: &ClientHello<'a>) -> Result<Self, Error> {
        Ok(Self {
            client_version: view.client_version,
            random: *view.random,
            session_id: view.session_id,
            cookie: view.cookie,
            cipher_suites: view.cipher_suites().collect(),
            compression_methods: view.compression_methods,
            extensions: extensions::parse_block(view.extensions.clone())?,
        })
    }

    /// Bytes of the body [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        2 + RANDOM_LEN
            + 1
            + self.session_id.len()
            + 1
            + self.cookie.len()
            + 2
            + 2 * self.cipher_suites.len()
            + 1
            + self.compression_methods.len()
            + extensions::block_len(self.extensions.as_deref())
    }

    /// Writes the body at the start of `out`; returns [`buffer_len`](Self::buffer_len).
    /// What it writes passes [`ClientHello::new_checked`].
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`]; [`Error::Malformed`] (output offset) for a field outside
    /// its bounds or compression_methods without null; `Error::Protocol(ILLEGAL_PARAMETER)`
    /// for a repeated extension type.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer::new(out);
        w.u16(self.client_version.0)?;
        w.bytes(&self.random)?;
        w.vec8(self.session_id, 0, MAX_SESSION_ID_LEN, "session_id")?;
        w.vec8(self.cookie, 0, MAX_COOKIE_LEN, "cookie")?;
        w.u16_list(&self.cipher_suites, 2, 0xfffe, "cipher_suites")?;
        if !self.compression_methods.contains(&0) {
            return Err(Error::Malformed {
                what: "compression_methods",
                offset: w.len(),
            });
        }
        w.vec8(self.compression_methods, 1, 0xff, "compression_methods")?;
        extensions::write_block(&mut w, self.extensions.as_deref())?;
        Ok(w.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal() -> ClientHelloRepr<'static> {
        ClientHelloRepr {
            client_version: ProtocolVersion::DTLS_1_2,
            random: [7; 32],
            session_id: &[],
            cookie: &[1, 2, 3],
            cipher_suites: vec![CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256],
            compression_methods: &[0],
            extensions: None,
        }
    }

    #[test]
    fn client_hello_without_extensions_round_trips() {
        let repr = minimal();
        let mut out = vec![0; repr.buffer_len()];
        assert_eq!(repr.emit(&mut out), Ok(out.len()));
        let view = ClientHello::new_checked(&out).unwrap();
        assert!(!view.has_extension_block());
        assert_eq!(view.cookie(), [1, 2, 3]);
        assert_eq!(ClientHelloRepr::parse(&view).unwrap(), repr);
    }

    #[test]
    fn missing_null_compression_is_illegal_parameter() {
        let repr = minimal();
        let mut out = vec![0; repr.buffer_len()];
        repr.emit(&mut out).unwrap();
        *out.last_mut().unwrap() = 1;
        assert_eq!(
            ClientHello::new_checked(&out),
            Err(Error::Protocol(AlertDescription::ILLEGAL_PARAMETER))
        );
        let bad = ClientHelloRepr {
            compression_methods: &[1],
            ..minimal()
        };
        assert!(matches!(
            bad.emit(&mut out),
            Err(Error::Malformed {
                what: "compression_methods",
                ..
            })
        ));
    }
}
