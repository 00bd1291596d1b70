//! Stateless HelloVerifyRequest cookies (RFC 6347 §4.2.1): an HMAC-SHA256, under a secret
//! only the server knows, over the client's address and the ClientHello parameters, so that a
//! server keeps no state for a client until it proves it can receive at its address.

use std::net::SocketAddr;

use ring::hmac;

/// Bytes of a cookie (RFC 6347 §4.2.1 allows up to 255; 32 is the HMAC-SHA256 output).
pub const COOKIE_LEN: usize = 32;

/// The server's cookie secret. Rotate it by making a new one; cookies made with the old one
/// then fail and the client simply gets a new HelloVerifyRequest.
pub struct CookieSecret(hmac::Key);

impl std::fmt::Debug for CookieSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CookieSecret(..)")
    }
}

impl CookieSecret {
    /// A secret from 32 random bytes (from the injected rng).
    pub fn new(secret: [u8; 32]) -> Self {
        Self(hmac::Key::new(hmac::HMAC_SHA256, &secret))
    }

    /// The cookie for a client at `peer` whose ClientHello carries `parameters` (version,
    /// random, session id, cipher suites, compression methods: everything but the cookie,
    /// RFC 6347 §4.2.1), each length-prefixed so that fields cannot be shifted between.
    pub fn cookie(&self, peer: SocketAddr, parameters: &[&[u8]]) -> [u8; COOKIE_LEN] {
        let mut context = hmac::Context::with_key(&self.0);
        match peer {
            SocketAddr::V4(v4) => {
                context.update(&[4]);
                context.update(&v4.ip().octets());
            }
            SocketAddr::V6(v6) => {
                context.update(&[6]);
                context.update(&v6.ip().octets());
            }
        }
        context.update(&peer.port().to_be_bytes());
        for part in parameters {
            // Parameters are ClientHello fields, each under 2^16 bytes.
            context.update(&(part.len() as u32).to_be_bytes());
            context.update(part);
        }
        let mut out = [0u8; COOKIE_LEN];
        out.copy_from_slice(context.sign().as_ref());
        out
    }

    /// Whether `cookie` is the one [`cookie`](Self::cookie) gives for these inputs, compared
    /// in constant time.
    pub fn verify(&self, cookie: &[u8], peer: SocketAddr, parameters: &[&[u8]]) -> bool {
        let expected = self.cookie(peer, parameters);
        sansrtc_proto::constant_time::eq(&expected, cookie)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_bind_address_and_parameters() {
        let secret = CookieSecret::new([7; 32]);
        let peer: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let params: [&[u8]; 2] = [b"random", b"suites"];
        let cookie = secret.cookie(peer, &params);
        assert!(secret.verify(&cookie, peer, &params));
        assert!(!secret.verify(&cookie, "127.0.0.1:5001".parse().unwrap(), &params));
        assert!(!secret.verify(&cookie, peer, &[b"random", b"suiteS"]));
        assert!(
            !secret.verify(&cookie, peer, &[b"randoms", b"uites"]),
            "fields cannot shift"
        );
        assert!(!CookieSecret::new([8; 32]).verify(&cookie, peer, &params));
        assert!(!secret.verify(&cookie[..31], peer, &params));
    }
}
