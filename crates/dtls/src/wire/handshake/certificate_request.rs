//! CertificateRequest (RFC 5246 §7.4.4): WebRTC servers always ask for the client's
//! certificate, since both ends are authenticated by fingerprint (RFC 8827 §6.5).
//!
//! ```text
//! struct {
//!     ClientCertificateType certificate_types<1..2^8-1>;
//!     SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>;
//!     DistinguishedName certificate_authorities<0..2^16-1>;
//! } CertificateRequest;
//! opaque DistinguishedName<1..2^16-1>;
//! ```

use super::codec::{CodePoints, OpaqueList, Reader, Writer, opaque_list_len, write_opaque_list};
use crate::Error;
use crate::wire::SignatureScheme;

/// ClientCertificateType values (RFC 5246 §7.4.4, RFC 8422 §5.5).
pub mod client_certificate_type {
    /// rsa_sign (RFC 5246 §7.4.4).
    pub const RSA_SIGN: u8 = 1;
    /// ecdsa_sign (RFC 8422 §5.5).
    pub const ECDSA_SIGN: u8 = 64;
}

/// A checked CertificateRequest body (RFC 5246 §7.4.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRequest<'a> {
    certificate_types: &'a [u8],
    signature_algorithms: &'a [u8],
    certificate_authorities: OpaqueList<'a>,
}

impl<'a> CertificateRequest<'a> {
    /// Checks a CertificateRequest body: each vector within its bounds, every
    /// DistinguishedName non-empty and fitting, nothing after the authorities.
    ///
    /// # Errors
    /// [`Error::Malformed`] with the offset of the field that does not fit.
    pub fn new_checked(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let certificate_types = r.vec8(1, 0xff, "certificate_types")?;
        let signature_algorithms = r.u16_list(2, 0xfffe, "supported_signature_algorithms")?;
        let base = r.offset() + 2;
        let authorities = r.vec16(0, 0xffff, "certificate_authorities")?;
        r.finish("certificate_request")?;
        let certificate_authorities = OpaqueList::check(authorities, 2, base, "DistinguishedName")?;
        Ok(Self {
            certificate_types,
            signature_algorithms,
            certificate_authorities,
        })
    }

    /// The certificate types the server accepts, one byte each (see
    /// [`client_certificate_type`]).
    pub fn certificate_types(&self) -> &'a [u8] {
        self.certificate_types
    }

    /// The signature algorithms the server can verify, in preference order.
    pub fn signature_algorithms(&self) -> CodePoints<'a, SignatureScheme> {
        CodePoints::new(self.signature_algorithms)
    }

    /// The DER DistinguishedNames of acceptable authorities (empty in WebRTC).
    pub fn certificate_authorities(&self) -> OpaqueList<'a> {
        self.certificate_authorities.clone()
    }
}

/// A CertificateRequest to build or keep (RFC 5246 §7.4.4).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CertificateRequestRepr<'a> {
    /// 1 to 255 certificate types.
    pub certificate_types: &'a [u8],
    /// 1 to 32767 signature schemes.
    pub signature_algorithms: Vec<SignatureScheme>,
    /// DER DistinguishedNames, each 1 to 65535 bytes, at most 65535 bytes in all with their
    /// lengths.
    pub certificate_authorities: Vec<&'a [u8]>,
}

impl<'a> CertificateRequestRepr<'a> {
    /// Copies a checked view.
    pub fn parse(view: &CertificateRequest<'a>) -> Self {
        Self {
            certificate_types: view.certificate_types,
            signature_algorithms: view.signature_algorithms().collect(),
            certificate_authorities: view.certificate_authorities().collect(),
        }
    }

    /// Bytes of the body [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        1 + self.certificate_types.len()
            + 2
            + 2 * self.signature_algorithms.len()
            + 2
            + opaque_list_len(&self.certificate_authorities, 2)
    }

    /// Writes the body at the start of `out`; returns [`buffer_len`](Self::buffer_len).
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`]; [`Error::Malformed`] (output offset) for a vector outside
    /// its bounds.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer::new(out);
        w.vec8(self.certificate_types, 1, 0xff, "certificate_types")?;
        w.u16_list(
            &self.signature_algorithms,
            2,
            0xfffe,
            "supported_signature_algorithms",
        )?;
        write_opaque_list(
            &mut w,
            &self.certificate_authorities,
            (2, 2),
            (0, 0xffff),
            "certificate_authorities",
        )?;
        Ok(w.len())
    }
}
