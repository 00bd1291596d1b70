//! What each supported cipher suite means for the record layer and the handshake: AEAD, PRF
//! hash and certificate key type (RFC 5289, RFC 7905, RFC 8422).

use crate::crypto::peer_key::KeyKind;
use crate::prf::PrfHash;
use crate::record::AeadAlgorithm;
use crate::wire::CipherSuite;

/// Which kind of certificate key authenticates the server in a suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Authentication {
    /// ECDSA (`TLS_ECDHE_ECDSA_*`).
    Ecdsa,
    /// RSA (`TLS_ECDHE_RSA_*`).
    Rsa,
}

impl Authentication {
    /// Whether a certificate key of `kind` can authenticate this suite.
    pub fn accepts(self, kind: KeyKind) -> bool {
        match self {
            Self::Ecdsa => matches!(kind, KeyKind::EcdsaP256 | KeyKind::EcdsaP384),
            Self::Rsa => kind == KeyKind::Rsa,
        }
    }
}

/// The parameters of a cipher suite this crate implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SuiteParams {
    /// The suite.
    pub suite: CipherSuite,
    /// Record protection.
    pub aead: AeadAlgorithm,
    /// The PRF and transcript hash.
    pub prf: PrfHash,
    /// The server's certificate key type.
    pub authentication: Authentication,
}

/// Every suite this crate implements, in its order of preference: ECDSA first (what WebRTC
/// endpoints' self-signed certificates use), AES-128-GCM first (RFC 8827 §6.5 mandates
/// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256).
pub const SUITES: [SuiteParams; 6] = [
    suite(
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        AeadAlgorithm::Aes128Gcm,
        PrfHash::Sha256,
        Authentication::Ecdsa,
    ),
    suite(
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        AeadAlgorithm::Aes256Gcm,
        PrfHash::Sha384,
        Authentication::Ecdsa,
    ),
    suite(
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        AeadAlgorithm::ChaCha20Poly1305,
        PrfHash::Sha256,
        Authentication::Ecdsa,
    ),
    suite(
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        AeadAlgorithm::Aes128Gcm,
        PrfHash::Sha256,
        Authentication::Rsa,
    ),
    suite(
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        AeadAlgorithm::Aes256Gcm,
        PrfHash::Sha384,
        Authentication::Rsa,
    ),
    suite(
        CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        AeadAlgorithm::ChaCha20Poly1305,
        PrfHash::Sha256,
        Authentication::Rsa,
    ),
];

const fn suite(
    suite: CipherSuite,
    aead: AeadAlgorithm,
    prf: PrfHash,
    authentication: Authentication,
) -> SuiteParams {
    SuiteParams {
        suite,
        aead,
        prf,
        authentication,
    }
}

/// The parameters of `suite`, if implemented.
pub fn params(suite: CipherSuite) -> Option<SuiteParams> {
    SUITES.into_iter().find(|p| p.suite == suite)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_suite_is_found_and_others_are_not() {
        for p in SUITES {
            assert_eq!(params(p.suite), Some(p));
        }
        assert_eq!(params(CipherSuite(0x1301)), None);
        assert_eq!(params(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV), None);
        assert!(Authentication::Ecdsa.accepts(KeyKind::EcdsaP384));
        assert!(!Authentication::Rsa.accepts(KeyKind::EcdsaP256));
    }
}
