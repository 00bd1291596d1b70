//! The endpoint's identity: a self-signed certificate with its private key, and certificate
//! fingerprints in the SDP form of RFC 8122 §5 (`sha-256 AB:CD:...`) that WebRTC pins the
//! peer's certificate to (RFC 8827 §6.5, RFC 5763 §5).

use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, RSA_PKCS1_SHA256, RsaKeyPair};

use crate::suite::Authentication;
use crate::wire::SignatureScheme;

/// Why a certificate could not be made or read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// Certificate generation failed inside rcgen.
    #[error("certificate generation failed")]
    Generation,
    /// The private key is not a PKCS#8 ECDSA P-256 key, or does not match.
    #[error("unsupported or malformed private key")]
    BadKey,
    /// A fingerprint string that is not `hash-name HEX:HEX:...`.
    #[error("malformed fingerprint")]
    BadFingerprint,
    /// A hash function name RFC 8122 does not define, or that is not supported.
    #[error("unsupported fingerprint hash function")]
    UnsupportedHash,
}

/// The hash functions of RFC 8122 §5 (Hash Function Textual Names registry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FingerprintHash {
    /// `sha-1`.
    Sha1,
    /// `sha-224`.
    Sha224,
    /// `sha-256`: what browsers send.
    Sha256,
    /// `sha-384`.
    Sha384,
    /// `sha-512`.
    Sha512,
}

impl FingerprintHash {
    /// The textual name of RFC 8122 §5 (lower case).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "sha-1",
            Self::Sha224 => "sha-224",
            Self::Sha256 => "sha-256",
            Self::Sha384 => "sha-384",
            Self::Sha512 => "sha-512",
        }
    }

    /// The hash a (case-insensitive) textual name names.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Self::Sha1,
            Self::Sha224,
            Self::Sha256,
            Self::Sha384,
            Self::Sha512,
        ]
        .into_iter()
        .find(|hash| hash.name().eq_ignore_ascii_case(name))
    }

    /// Digests `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        use sha2::Digest;
        let ring_algorithm = match self {
            Self::Sha224 => return sha2::Sha224::digest(data).to_vec(),
            Self::Sha1 => &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            Self::Sha256 => &ring::digest::SHA256,
            Self::Sha384 => &ring::digest::SHA384,
            Self::Sha512 => &ring::digest::SHA512,
        };
        ring::digest::digest(ring_algorithm, data).as_ref().to_vec()
    }
}

/// A certificate fingerprint (RFC 8122 §5): hash function and digest of the DER certificate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    /// The hash function.
    pub hash: FingerprintHash,
    /// The digest bytes.
    pub value: Vec<u8>,
}

impl Fingerprint {
    /// The fingerprint of a DER certificate.
    pub fn of(hash: FingerprintHash, certificate_der: &[u8]) -> Self {
        Self {
            hash,
            value: hash.digest(certificate_der),
        }
    }

    /// Whether `certificate_der` has this fingerprint (the comparison is on the digest, in
    /// constant time with respect to its bytes).
    pub fn matches(&self, certificate_der: &[u8]) -> bool {
        let digest = self.hash.digest(certificate_der);
        sansrtc_proto::constant_time::eq(&digest, &self.value)
    }
}

impl std::fmt::Display for Fingerprint {
    /// `sha-256 AB:CD:...`, upper-case hex as RFC 8122 §5 writes it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.hash.name())?;
        for (i, byte) in self.value.iter().enumerate() {
            write!(f, "{}{byte:02X}", if i == 0 { ' ' } else { ':' })?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Fingerprint {
    type Err = IdentityError;

    /// Reads `hash-name HEX:HEX:...` (the value of `a=fingerprint`), hex in either case; the
    /// digest length must be the hash's.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (name, hex) = text
            .trim()
            .split_once(' ')
            .ok_or(IdentityError::BadFingerprint)?;
        let hash = FingerprintHash::from_name(name).ok_or(IdentityError::UnsupportedHash)?;
        let value = hex
            .trim()
            .split(':')
            .map(|pair| {
                if pair.len() == 2 {
                    u8::from_str_radix(pair, 16).map_err(|_| IdentityError::BadFingerprint)
                } else {
                    Err(IdentityError::BadFingerprint)
                }
            })
            .collect::<Result<Vec<u8>, _>>()?;
        if value.len() != hash.digest(&[]).len() {
            return Err(IdentityError::BadFingerprint);
        }
        Ok(Self { hash, value })
    }
}

/// The private key of an [`Identity`].
enum SigningKey {
    /// ECDSA P-256, signing with SHA-256 (what browsers and [`Identity::generate`] use).
    EcdsaP256(EcdsaKeyPair),
    /// RSA, signing with PKCS#1 v1.5 and SHA-256 (RFC 5246 §7.4.1.4.1).
    Rsa(RsaKeyPair),
}

/// This endpoint's certificate and private key: ECDSA P-256 (as browsers use, and what
/// [`generate`](Self::generate) makes) or RSA (for the `TLS_ECDHE_RSA_*` suites).
pub struct Identity {
    certificate_der: Vec<u8>,
    key: SigningKey,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("fingerprint", &self.fingerprint().to_string())
            .finish_non_exhaustive()
    }
}

impl Identity {
    /// A fresh self-signed ECDSA P-256 certificate (subject `CN=WebRTC`, validity from 1975 to
    /// 4096 so no clock is needed). The key comes from the operating system's randomness
    /// (ring's generators cannot be seeded).
    ///
    /// # Errors
    /// [`IdentityError::Generation`].
    pub fn generate() -> Result<Self, IdentityError> {
        let key_pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .map_err(|_| IdentityError::Generation)?;
        let mut params = rcgen::CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "WebRTC");
        let certificate = params
            .self_signed(&key_pair)
            .map_err(|_| IdentityError::Generation)?;
        Self::from_der(certificate.der(), &key_pair.serialize_der())
    }

    /// An identity from a DER certificate and its PKCS#8 DER private key: ECDSA P-256 or RSA
    /// (2048 to 8192 bits).
    ///
    /// # Errors
    /// [`IdentityError::BadKey`] when the key cannot be read or is of another kind.
    pub fn from_der(certificate_der: &[u8], pkcs8_der: &[u8]) -> Result<Self, IdentityError> {
        let rng = ring::rand::SystemRandom::new();
        let key = match EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8_der, &rng) {
            Ok(key) => SigningKey::EcdsaP256(key),
            Err(_) => SigningKey::Rsa(
                RsaKeyPair::from_pkcs8(pkcs8_der).map_err(|_| IdentityError::BadKey)?,
            ),
        };
        Ok(Self {
            certificate_der: certificate_der.to_vec(),
            key,
        })
    }

    /// Which suites this identity can authenticate: `TLS_ECDHE_ECDSA_*` or `TLS_ECDHE_RSA_*`.
    pub fn authentication(&self) -> Authentication {
        match self.key {
            SigningKey::EcdsaP256(_) => Authentication::Ecdsa,
            SigningKey::Rsa(_) => Authentication::Rsa,
        }
    }

    /// The signature scheme [`sign`](Self::sign) produces.
    pub fn signature_scheme(&self) -> SignatureScheme {
        match self.key {
            SigningKey::EcdsaP256(_) => SignatureScheme::ECDSA_SECP256R1_SHA256,
            SigningKey::Rsa(_) => SignatureScheme::RSA_PKCS1_SHA256,
        }
    }

    /// The DER certificate.
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate_der
    }

    /// The SHA-256 fingerprint, for `a=fingerprint` (RFC 8122 §5).
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(FingerprintHash::Sha256, &self.certificate_der)
    }

    /// Signs `message` with [`signature_scheme`](Self::signature_scheme) (an ASN.1 DER
    /// ECDSA signature, or an RSA PKCS#1 v1.5 one), for ServerKeyExchange and
    /// CertificateVerify.
    pub fn sign(&self, message: &[u8]) -> Option<Vec<u8>> {
        let rng = ring::rand::SystemRandom::new();
        match &self.key {
            SigningKey::EcdsaP256(key) => key
                .sign(&rng, message)
                .ok()
                .map(|sig| sig.as_ref().to_vec()),
            SigningKey::Rsa(key) => {
                let mut signature = vec![0u8; key.public().modulus_len()];
                key.sign(&RSA_PKCS1_SHA256, &rng, message, &mut signature)
                    .ok()?;
                Some(signature)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_certificates_parse_sign_and_fingerprint() {
        let identity = Identity::generate().unwrap();
        let der = identity.certificate_der();
        let (_, parsed) = x509_parser::parse_x509_certificate(der).unwrap();
        assert_eq!(parsed.subject().to_string(), "CN=WebRTC");
        let fingerprint = identity.fingerprint();
        assert!(fingerprint.matches(der));
        let text = fingerprint.to_string();
        assert!(text.starts_with("sha-256 ") && text.len() == "sha-256 ".len() + 32 * 3 - 1);
        assert_eq!(text.parse::<Fingerprint>().unwrap(), fingerprint);
        assert_eq!(
            text.to_lowercase().parse::<Fingerprint>().unwrap(),
            fingerprint
        );
        let message = b"client_random || server_random || params";
        let signature = identity.sign(message).unwrap();
        let spki = parsed.public_key().subject_public_key.data.to_vec();
        ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_ASN1, spki)
            .verify(message, &signature)
            .unwrap();
        // Another certificate has another fingerprint.
        assert!(!fingerprint.matches(Identity::generate().unwrap().certificate_der()));
    }

    #[test]
    fn every_rfc_8122_hash_round_trips_and_bad_strings_are_refused() {
        for hash in [
            FingerprintHash::Sha1,
            FingerprintHash::Sha224,
            FingerprintHash::Sha256,
            FingerprintHash::Sha384,
            FingerprintHash::Sha512,
        ] {
            let fingerprint = Fingerprint::of(hash, b"certificate");
            assert_eq!(
                fingerprint.to_string().parse::<Fingerprint>().unwrap(),
                fingerprint
            );
        }
        // SHA-224("abc") from FIPS 180-2.
        assert_eq!(
            FingerprintHash::Sha224.digest(b"abc")[..4],
            [0x23, 0x09, 0x7d, 0x22]
        );
        assert_eq!(
            "md5 AB:CD".parse::<Fingerprint>(),
            Err(IdentityError::UnsupportedHash)
        );
        assert_eq!(
            "sha-256 AB:CD".parse::<Fingerprint>(),
            Err(IdentityError::BadFingerprint)
        );
        assert_eq!(
            "sha-256".parse::<Fingerprint>(),
            Err(IdentityError::BadFingerprint)
        );
        assert_eq!(
            "sha-1 ZZ".parse::<Fingerprint>(),
            Err(IdentityError::BadFingerprint)
        );
    }
}
