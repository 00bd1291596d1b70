//! ClientKeyExchange for ECDHE (RFC 8422 §5.7): the client's ephemeral public key.
//!
//! ```text
//! struct {
//!     opaque point <1..2^8-1>;         // ClientECDiffieHellmanPublic (explicit)
//! } ClientKeyExchange;
//! ```
//!
//! Only the ECDHE form is parsed: RSA key transport and the implicit form (fixed ECDH client
//! certificates) are not used by WebRTC.

use super::codec::{Reader, Writer};
use crate::Error;

/// A checked ECDHE ClientKeyExchange body (RFC 8422 §5.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientKeyExchange<'a> {
    public_key: &'a [u8],
}

impl<'a> ClientKeyExchange<'a> {
    /// Checks the body is exactly one ECPoint of 1 to 255 bytes.
    ///
    /// # Errors
    /// [`Error::Malformed`] with the offset of the field that does not fit.
    pub fn new_checked(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let public_key = r.vec8(1, 0xff, "ECPoint")?;
        r.finish("client_key_exchange")?;
        Ok(Self { public_key })
    }

    /// The client's ephemeral public key.
    pub fn public_key(&self) -> &'a [u8] {
        self.public_key
    }
}

/// An ECDHE ClientKeyExchange to build or keep (RFC 8422 §5.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientKeyExchangeRepr<'a> {
    /// The ephemeral public key, 1 to 255 bytes.
    pub public_key: &'a [u8],
}

impl<'a> ClientKeyExchangeRepr<'a> {
    /// Copies a checked view.
    pub fn parse(view: &ClientKeyExchange<'a>) -> Self {
        Self {
            public_key: view.public_key,
        }
    }

    /// Bytes of the body [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        1 + self.public_key.len()
    }

    /// Writes the body at the start of `out`; returns [`buffer_len`](Self::buffer_len).
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`]; [`Error::Malformed`] for an empty key or one over 255
    /// bytes.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer::new(out);
        w.vec8(self.public_key, 1, 0xff, "ECPoint")?;
        Ok(w.len())
    }
}
