//! Finished (RFC 5246 §7.4.9): `verify_data`, the PRF of the master secret over the
//! transcript. Its length is the cipher suite's `verify_data_length` (12 for every suite
//! sansrtc offers), so the body is kept as opaque bytes and the length checked by the state
//! machine.
//!
//! ```text
//! struct {
//!     opaque verify_data[verify_data_length];
//! } Finished;
//! ```

use crate::Error;

/// `verify_data_length` of every TLS 1.2 suite without an explicit one (RFC 5246 §7.4.9).
pub const VERIFY_DATA_LEN: usize = 12;

/// A Finished body (RFC 5246 §7.4.9): any bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Finished<'a> {
    verify_data: &'a [u8],
}

impl<'a> Finished<'a> {
    /// Takes the whole body as `verify_data`.
    ///
    /// # Errors
    /// Never; the signature matches the other views.
    pub fn new_checked(body: &'a [u8]) -> Result<Self, Error> {
        Ok(Self { verify_data: body })
    }

    /// The verify data; compare in constant time.
    pub fn verify_data(&self) -> &'a [u8] {
        self.verify_data
    }
}

/// A Finished message to build or keep (RFC 5246 §7.4.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FinishedRepr<'a> {
    /// The verify data.
    pub verify_data: &'a [u8],
}

impl<'a> FinishedRepr<'a> {
    /// Copies a view.
    pub fn parse(view: &Finished<'a>) -> Self {
        Self {
            verify_data: view.verify_data,
        }
    }

    /// Bytes of the body [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        self.verify_data.len()
    }

    /// Writes the body at the start of `out`; returns [`buffer_len`](Self::buffer_len).
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`].
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, Error> {
        let out = out
            .get_mut(..self.verify_data.len())
            .ok_or(Error::BufferTooSmall)?;
        out.copy_from_slice(self.verify_data);
        Ok(self.verify_data.len())
    }
}
