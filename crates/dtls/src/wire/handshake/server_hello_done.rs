//! ServerHelloDone (RFC 5246 §7.4.5): an empty body that ends the server's hello flight.

use crate::Error;

/// A checked, necessarily empty, ServerHelloDone body (RFC 5246 §7.4.5). It is its own
/// Repr: [`buffer_len`](Self::buffer_len) is 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ServerHelloDone;

impl ServerHelloDone {
    /// Checks the body is empty.
    ///
    /// # Errors
    /// [`Error::Malformed`] at offset 0 for any byte.
    pub fn new_checked(body: &[u8]) -> Result<Self, Error> {
        if body.is_empty() {
            Ok(Self)
        } else {
            Err(Error::Malformed {
                what: "server_hello_done",
                offset: 0,
            })
        }
    }

    /// Bytes of the body: none.
    pub const fn buffer_len(&self) -> usize {
        0
    }

    /// Writes nothing; returns 0.
    ///
    /// # Errors
    /// Never; the signature matches the other Reprs.
    pub const fn emit(&self, _out: &mut [u8]) -> Result<usize, Error> {
        Ok(0)
    }
}
