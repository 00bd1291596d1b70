//! Certificate (RFC 5246 §7.4.2, §7.4.6): the sender's chain, leaf first, as DER.
//!
//! ```text
//! opaque ASN.1Cert<1..2^24-1>;
//! struct {
//!     ASN.1Cert certificate_list<0..2^24-1>;
//! } Certificate;
//! ```

use super::codec::{MAX_U24, OpaqueList, Reader, Writer, opaque_list_len, write_opaque_list};
use crate::Error;

/// A checked Certificate body (RFC 5246 §7.4.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Certificate<'a> {
    list: OpaqueList<'a>,
}

impl<'a> Certificate<'a> {
    /// Checks a Certificate body: the list length fills the body exactly and every
    /// certificate (at least one byte) fits the list exactly.
    ///
    /// # Errors
    /// [`Error::Malformed`] with the offset of the length that does not fit.
    pub fn new_checked(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let list = r.vec24(0, MAX_U24 as usize, "certificate_list")?;
        r.finish("certificate_list")?;
        Ok(Self {
            list: OpaqueList::check(list, 3, 3, "ASN.1Cert")?,
        })
    }

    /// The DER certificates in order (the sender's own first, RFC 5246 §7.4.2). An empty
    /// list is a client declining to authenticate (RFC 5246 §7.4.6).
    pub fn certificates(&self) -> OpaqueList<'a> {
        self.list.clone()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.list.as_bytes().is_empty()
    }
}

/// A Certificate message to build or keep (RFC 5246 §7.4.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct CertificateRepr<'a> {
    /// DER certificates, leaf first; each 1 to 2^24 - 1 bytes.
    pub certificates: Vec<&'a [u8]>,
}

impl<'a> CertificateRepr<'a> {
    /// Copies a checked view.
    pub fn parse(view: &Certificate<'a>) -> Self {
        Self {
            certificates: view.certificates().collect(),
        }
    }

    /// Bytes of the body [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        3 + opaque_list_len(&self.certificates, 3)
    }

    /// Writes the body at the start of `out`; returns [`buffer_len`](Self::buffer_len).
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`]; [`Error::Malformed`] for an empty certificate or a list
    /// over 2^24 - 1 bytes.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer::new(out);
        write_opaque_list(
            &mut w,
            &self.certificates,
            (3, 3),
            (0, MAX_U24 as usize),
            "certificate_list",
        )?;
        Ok(w.len())
    }
}
