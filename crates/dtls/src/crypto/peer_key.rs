//! The peer's certificate public key (RFC 5280 SubjectPublicKeyInfo, read with x509-parser)
//! and verification of its handshake signatures with ring.

use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::Error;
use crate::wire::{AlertDescription, SignatureScheme};

/// Which kind of key a certificate holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// ECDSA on P-256.
    EcdsaP256,
    /// ECDSA on P-384.
    EcdsaP384,
    /// RSA.
    Rsa,
}

/// The public key of a peer's end-entity certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerKey {
    kind: KeyKind,
    /// For EC keys the encoded point; for RSA the PKCS#1 RSAPublicKey.
    key: Vec<u8>,
}

const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_P384: &str = "1.3.132.0.34";
const OID_RSA: &str = "1.2.840.113549.1.1.1";

impl PeerKey {
    /// Reads the public key of a DER certificate.
    ///
    /// # Errors
    /// [`Error::Protocol`] with `bad_certificate` when it does not parse (or has trailing
    /// bytes), `unsupported_certificate` for a key type other than ECDSA P-256/P-384 or RSA.
    pub fn from_certificate(der: &[u8]) -> Result<Self, Error> {
        let (rest, certificate) = X509Certificate::from_der(der)
            .map_err(|_| Error::Protocol(AlertDescription::BAD_CERTIFICATE))?;
        if !rest.is_empty() {
            return Err(Error::Protocol(AlertDescription::BAD_CERTIFICATE));
        }
        let spki = certificate.public_key();
        let algorithm = spki.algorithm.algorithm.to_id_string();
        let key = spki.subject_public_key.data.to_vec();
        let kind = match algorithm.as_str() {
            OID_EC_PUBLIC_KEY => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.as_oid().ok())
                    .map(|oid| oid.to_id_string());
                match curve.as_deref() {
                    Some(OID_P256) => KeyKind::EcdsaP256,
                    Some(OID_P384) => KeyKind::EcdsaP384,
                    _ => return Err(Error::Protocol(AlertDescription::UNSUPPORTED_CERTIFICATE)),
                }
            }
            OID_RSA => KeyKind::Rsa,
            _ => return Err(Error::Protocol(AlertDescription::UNSUPPORTED_CERTIFICATE)),
        };
        Ok(Self { kind, key })
    }

    /// The key kind.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// Verifies `signature` over `message` with `scheme` (RFC 5246 §4.7 digitally-signed).
    ///
    /// # Errors
    /// [`Error::Protocol`]: `illegal_parameter` when the scheme does not fit the key,
    /// `decrypt_error` when the signature is wrong (RFC 5246 §7.2.2).
    pub fn verify(
        &self,
        scheme: SignatureScheme,
        message: &[u8],
        signature_bytes: &[u8],
    ) -> Result<(), Error> {
        let algorithm: &dyn VerificationAlgorithm = match (self.kind, scheme) {
            (KeyKind::EcdsaP256, SignatureScheme::ECDSA_SECP256R1_SHA256) => {
                &signature::ECDSA_P256_SHA256_ASN1
            }
            (KeyKind::EcdsaP256, SignatureScheme::ECDSA_SECP384R1_SHA384) => {
                &signature::ECDSA_P256_SHA384_ASN1
            }
            (KeyKind::EcdsaP384, SignatureScheme::ECDSA_SECP384R1_SHA384) => {
                &signature::ECDSA_P384_SHA384_ASN1
            }
            (KeyKind::EcdsaP384, SignatureScheme::ECDSA_SECP256R1_SHA256) => {
                &signature::ECDSA_P384_SHA256_ASN1
            }
            (KeyKind::Rsa, SignatureScheme::RSA_PKCS1_SHA256) => {
                &signature::RSA_PKCS1_2048_8192_SHA256
            }
            (KeyKind::Rsa, SignatureScheme::RSA_PKCS1_SHA384) => {
                &signature::RSA_PKCS1_2048_8192_SHA384
            }
            (KeyKind::Rsa, SignatureScheme::RSA_PKCS1_SHA512) => {
                &signature::RSA_PKCS1_2048_8192_SHA512
            }
            (KeyKind::Rsa, SignatureScheme::RSA_PSS_RSAE_SHA256) => {
                &signature::RSA_PSS_2048_8192_SHA256
            }
            (KeyKind::Rsa, SignatureScheme::RSA_PSS_RSAE_SHA384) => {
                &signature::RSA_PSS_2048_8192_SHA384
            }
            (KeyKind::Rsa, SignatureScheme::RSA_PSS_RSAE_SHA512) => {
                &signature::RSA_PSS_2048_8192_SHA512
            }
            _ => return Err(Error::Protocol(AlertDescription::ILLEGAL_PARAMETER)),
        };
        UnparsedPublicKey::new(algorithm, &self.key)
            .verify(message, signature_bytes)
            .map_err(|_| Error::Protocol(AlertDescription::DECRYPT_ERROR))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Identity;

    #[test]
    fn our_certificate_key_verifies_our_signatures_only() {
        let identity = Identity::generate().unwrap();
        let key = PeerKey::from_certificate(identity.certificate_der()).unwrap();
        assert_eq!(key.kind(), KeyKind::EcdsaP256);
        let signature = identity.sign(b"params").unwrap();
        key.verify(
            SignatureScheme::ECDSA_SECP256R1_SHA256,
            b"params",
            &signature,
        )
        .unwrap();
        assert_eq!(
            key.verify(
                SignatureScheme::ECDSA_SECP256R1_SHA256,
                b"other",
                &signature
            ),
            Err(Error::Protocol(AlertDescription::DECRYPT_ERROR))
        );
        assert_eq!(
            key.verify(SignatureScheme::RSA_PKCS1_SHA256, b"params", &signature),
            Err(Error::Protocol(AlertDescription::ILLEGAL_PARAMETER))
        );
    }

    #[test]
    fn rsa_certificates_verify_pkcs1_and_pss_and_garbage_is_a_bad_certificate() {
        // An RSA-2048 certificate and key made once with `openssl req -x509 -newkey rsa:2048`
        // (tests/vectors/README.md).
        let der = include_bytes!("../../tests/vectors/rsa-2048-self-signed.der");
        let pkcs8 = include_bytes!("../../tests/vectors/rsa-2048-key.pk8.der");
        let key = PeerKey::from_certificate(der).unwrap();
        assert_eq!(key.kind(), KeyKind::Rsa);
        let signer = signature::RsaKeyPair::from_pkcs8(pkcs8).unwrap();
        let rng = ring::rand::SystemRandom::new();
        for (scheme, padding) in [
            (
                SignatureScheme::RSA_PKCS1_SHA256,
                &signature::RSA_PKCS1_SHA256 as &dyn signature::RsaEncoding,
            ),
            (
                SignatureScheme::RSA_PSS_RSAE_SHA256,
                &signature::RSA_PSS_SHA256,
            ),
        ] {
            let mut sig = vec![0u8; signer.public().modulus_len()];
            signer.sign(padding, &rng, b"params", &mut sig).unwrap();
            key.verify(scheme, b"params", &sig).unwrap();
            sig[10] ^= 1;
            assert_eq!(
                key.verify(scheme, b"params", &sig),
                Err(Error::Protocol(AlertDescription::DECRYPT_ERROR))
            );
        }
        assert_eq!(
            PeerKey::from_certificate(&[0x30, 0x03, 1, 2, 3]),
            Err(Error::Protocol(AlertDescription::BAD_CERTIFICATE))
        );
        let identity = Identity::generate().unwrap();
        let mut trailing = identity.certificate_der().to_vec();
        trailing.push(0);
        assert_eq!(
            PeerKey::from_certificate(&trailing),
            Err(Error::Protocol(AlertDescription::BAD_CERTIFICATE))
        );
    }
}
