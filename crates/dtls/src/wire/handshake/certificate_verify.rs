//! CertificateVerify (RFC 5246 §7.4.8): the client's signature over the handshake messages so
//! far, proving it holds its certificate's key.
//!
//! ```text
//! struct {
//!     digitally-signed struct {
//!         opaque handshake_messages[handshake_messages_length];
//!     }                                // SignatureAndHashAlgorithm + signature<0..2^16-1>
//! } CertificateVerify;
//! ```

use super::codec::{Reader, Writer};
use crate::Error;
use crate::wire::SignatureScheme;

/// A checked CertificateVerify body (RFC 5246 §7.4.8, digitally-signed of §4.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CertificateVerify<'a> {
    signature_scheme: SignatureScheme,
    signature: &'a [u8],
}

impl<'a> CertificateVerify<'a> {
    /// Checks the body: a signature scheme, then a signature that ends the body.
    ///
    /// # Errors
    /// [`Error::Malformed`] with the offset of the field that does not fit.
    pub fn new_checked(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let signature_scheme = SignatureScheme(r.u16("signature_algorithm")?);
        let signature = r.vec16(0, 0xffff, "signature")?;
        r.finish("certificate_verify")?;
        Ok(Self {
            signature_scheme,
            signature,
        })
    }

    /// The signature algorithm.
    pub fn signature_scheme(&self) -> SignatureScheme {
        self.signature_scheme
    }

    /// The signature over the transcript.
    pub fn signature(&self) -> &'a [u8] {
        self.signature
    }
}

/// A CertificateVerify to build or keep (RFC 5246 §7.4.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CertificateVerifyRepr<'a> {
    /// The signature algorithm.
    pub signature_scheme: SignatureScheme,
    /// The signature, at most 65535 bytes.
    pub signature: &'a [u8],
}

impl<'a> CertificateVerifyRepr<'a> {
    /// Copies a checked view.
    pub fn parse(view: &CertificateVerify<'a>) -> Self {
        Self {
            signature_scheme: view.signature_scheme,
            signature: view.signature,
        }
    }

    /// Bytes of the body [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        4 + self.signature.len()
    }

    /// Writes the body at the start of `out`; returns [`buffer_len`](Self::buffer_len).
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`]; [`Error::Malformed`] for a signature over 65535 bytes.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer::new(out);
        w.u16(self.signature_scheme.0)?;
        w.vec16(self.signature, 0, 0xffff, "signature")?;
        Ok(w.len())
    }
}
