//! ServerKeyExchange for ECDHE (RFC 8422 §5.4; digitally-signed as RFC 5246 §4.7 and
//! §7.4.3): the server's ephemeral public key on a named group, signed together with both
//! randoms.
//!
//! ```text
//! struct {
//!     ECCurveType curve_type;          // named_curve (3)
//!     NamedCurve  namedcurve;
//! } ECParameters;
//! struct {
//!     ECParameters curve_params;
//!     opaque point <1..2^8-1>;         // ECPoint public
//! } ServerECDHParams;
//! struct {
//!     ServerECDHParams params;
//!     digitally-signed struct {
//!         opaque client_random[32];
//!         opaque server_random[32];
//!         ServerECDHParams params;
//!     } signed_params;                 // SignatureAndHashAlgorithm + signature<0..2^16-1>
//! } ServerKeyExchange;
//! ```
//!
//! Only ECDHE key exchange is parsed: WebRTC's DTLS 1.2 suites are all ECDHE_ECDSA or
//! ECDHE_RSA (RFC 8827 §6.5).

use super::client_hello::RANDOM_LEN;
use super::codec::{Reader, Writer};
use crate::Error;
use crate::wire::{AlertDescription, NamedGroup, SignatureScheme};

/// ECCurveType named_curve (RFC 8422 §5.4), the only curve type RFC 8422 allows.
pub const EC_CURVE_TYPE_NAMED_CURVE: u8 = 3;

/// A checked ECDHE ServerKeyExchange body (RFC 8422 §5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ServerKeyExchange<'a> {
    params: &'a [u8],
    named_group: NamedGroup,
    public_key: &'a [u8],
    signature_scheme: SignatureScheme,
    signature: &'a [u8],
}

impl<'a> ServerKeyExchange<'a> {
    /// Checks an ECDHE ServerKeyExchange body: named_curve parameters, a point of 1 to 255
    /// bytes, a signature scheme and a signature that ends the body.
    ///
    /// # Errors
    /// [`Error::Malformed`] with the offset of the field that does not fit;
    /// `Error::Protocol(ILLEGAL_PARAMETER)` for a curve type other than named_curve (the
    /// explicit curves of RFC 4492 are deprecated by RFC 8422 §5.4 and have another layout).
    pub fn new_checked(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        if r.u8("curve_type")? != EC_CURVE_TYPE_NAMED_CURVE {
            return Err(Error::Protocol(AlertDescription::ILLEGAL_PARAMETER));
        }
        let named_group = NamedGroup(r.u16("namedcurve")?);
        let public_key = r.vec8(1, 0xff, "ECPoint")?;
        let params = body.get(..r.offset()).unwrap_or_default();
        let signature_scheme = SignatureScheme(r.u16("signature_algorithm")?);
        let signature = r.vec16(0, 0xffff, "signature")?;
        r.finish("server_key_exchange")?;
        Ok(Self {
            params,
            named_group,
            public_key,
            signature_scheme,
            signature,
        })
    }

    /// The `ServerECDHParams` bytes exactly as received: what the signature covers after the
    /// two randoms (RFC 8422 §5.4). See [`ecdhe_signed_content`].
    pub fn params(&self) -> &'a [u8] {
        self.params
    }

    /// The group of the ephemeral key.
    pub fn named_group(&self) -> NamedGroup {
        self.named_group
    }

    /// The server's ephemeral public key (an ECPoint: 32 bytes for X25519, 65 uncompressed
    /// bytes for P-256).
    pub fn public_key(&self) -> &'a [u8] {
        self.public_key
    }

    /// The signature algorithm (RFC 5246 §7.4.1.4.1 pair, shared encoding with TLS 1.3).
    pub fn signature_scheme(&self) -> SignatureScheme {
        self.signature_scheme
    }

    /// The signature over `client_random + server_random + params`.
    pub fn signature(&self) -> &'a [u8] {
        self.signature
    }
}

/// Writes what the ServerKeyExchange signature covers, `client_random + server_random +
/// params` (RFC 8422 §5.4), at the start of `out`; returns its length (64 + params).
///
/// # Errors
/// [`Error::BufferTooSmall`].
pub fn ecdhe_signed_content(
    client_random: &[u8; RANDOM_LEN],
    server_random: &[u8; RANDOM_LEN],
    params: &[u8],
    out: &mut [u8],
) -> Result<usize, Error> {
    let mut w = Writer::new(out);
    w.bytes(client_random)?;
    w.bytes(server_random)?;
    w.bytes(params)?;
    Ok(w.len())
}

/// An ECDHE ServerKeyExchange to build or keep (RFC 8422 §5.4). To sign: write the params
/// with [`emit_params`](Self::emit_params), sign `client_random + server_random + params`,
/// set `signature`, then [`emit`](Self::emit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ServerKeyExchangeRepr<'a> {
    /// The group of the ephemeral key.
    pub named_group: NamedGroup,
    /// The ephemeral public key, 1 to 255 bytes.
    pub public_key: &'a [u8],
    /// The signature algorithm.
    pub signature_scheme: SignatureScheme,
    /// The signature, at most 65535 bytes.
    pub signature: &'a [u8],
}

impl<'a> ServerKeyExchangeRepr<'a> {
    /// Copies a checked view.
    pub fn parse(view: &ServerKeyExchange<'a>) -> Self {
        Self {
            named_group: view.named_group,
            public_key: view.public_key,
            signature_scheme: view.signature_scheme,
            signature: view.signature,
        }
    }

    /// Bytes of `ServerECDHParams`.
    pub fn params_len(&self) -> usize {
        4 + self.public_key.len()
    }

    /// Writes `ServerECDHParams` at the start of `out`; returns
    /// [`params_len`](Self::params_len).
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`]; [`Error::Malformed`] for an empty key or one over 255
    /// bytes.
    pub fn emit_params(&self, out: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer::new(out);
        self.write_params(&mut w)?;
        Ok(w.len())
    }

    fn write_params(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u8(EC_CURVE_TYPE_NAMED_CURVE)?;
        w.u16(self.named_group.0)?;
        w.vec8(self.public_key, 1, 0xff, "ECPoint")
    }

    /// Bytes of the body [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        self.params_len() + 4 + self.signature.len()
    }

    /// Writes the body at the start of `out`; returns [`buffer_len`](Self::buffer_len).
    ///
    /// # Errors
    /// As [`emit_params`](Self::emit_params), and [`Error::Malformed`] for a signature over
    /// 65535 bytes.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer::new(out);
        self.write_params(&mut w)?;
        w.u16(self.signature_scheme.0)?;
        w.vec16(self.signature, 0, 0xffff, "signature")?;
        Ok(w.len())
    }
}
