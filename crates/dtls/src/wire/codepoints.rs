//! Code points of TLS 1.2 and DTLS 1.2 that sansrtc negotiates or must recognise. Each is a
//! newtype over the wire integer, so unknown values are kept, compared and forwarded losslessly.

macro_rules! code_point {
    (
        $(#[$meta:meta])*
        $name:ident($int:ty) { $( $(#[$cmeta:meta])* $konst:ident = $value:expr, )* }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub $int);

        impl $name {
            $( $(#[$cmeta])* pub const $konst: Self = Self($value); )*

            /// The registry name of a known value.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some(stringify!($konst)), )*
                    _ => None,
                }
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self.name() {
                    Some(name) => f.write_str(name),
                    None => write!(f, "{}({:#x})", stringify!($name), self.0),
                }
            }
        }
    };
}

code_point! {
    /// The record content type (RFC 5246 §6.2.1; RFC 6347 §4.1).
    ContentType(u8) {
        /// change_cipher_spec.
        CHANGE_CIPHER_SPEC = 20,
        /// alert.
        ALERT = 21,
        /// handshake.
        HANDSHAKE = 22,
        /// application_data.
        APPLICATION_DATA = 23,
    }
}

code_point! {
    /// A protocol version as on the wire: DTLS 1.0 is `0xfeff`, DTLS 1.2 `0xfefd` (RFC 6347
    /// §4.1: the one's complement of the TLS version).
    ProtocolVersion(u16) {
        /// DTLS 1.0 (RFC 4347), used by ClientHello records before the version is known.
        DTLS_1_0 = 0xfeff,
        /// DTLS 1.2 (RFC 6347).
        DTLS_1_2 = 0xfefd,
        /// DTLS 1.3 (RFC 9147), seen in supported_versions.
        DTLS_1_3 = 0xfefc,
    }
}

code_point! {
    /// Handshake message types (RFC 5246 §7.4; RFC 6347 §4.3.2).
    HandshakeType(u8) {
        /// hello_request.
        HELLO_REQUEST = 0,
        /// client_hello.
        CLIENT_HELLO = 1,
        /// server_hello.
        SERVER_HELLO = 2,
        /// hello_verify_request (DTLS only, RFC 6347 §4.2.1).
        HELLO_VERIFY_REQUEST = 3,
        /// certificate.
        CERTIFICATE = 11,
        /// server_key_exchange.
        SERVER_KEY_EXCHANGE = 12,
        /// certificate_request.
        CERTIFICATE_REQUEST = 13,
        /// server_hello_done.
        SERVER_HELLO_DONE = 14,
        /// certificate_verify.
        CERTIFICATE_VERIFY = 15,
        /// client_key_exchange.
        CLIENT_KEY_EXCHANGE = 16,
        /// finished.
        FINISHED = 20,
    }
}

code_point! {
    /// Cipher suites (IANA TLS Cipher Suites registry).
    CipherSuite(u16) {
        /// RFC 5289; mandatory for WebRTC (RFC 8827 §6.5).
        TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xc02b,
        /// RFC 5289.
        TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = 0xc02c,
        /// RFC 5289.
        TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xc02f,
        /// RFC 5289.
        TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = 0xc030,
        /// RFC 7905.
        TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca8,
        /// RFC 7905.
        TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca9,
        /// RFC 5746 §3.3 signalling value (renegotiation_info in a cipher suite list).
        TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff,
    }
}

code_point! {
    /// Named groups for ECDHE (RFC 8422 §5.1.1, RFC 7919).
    NamedGroup(u16) {
        /// secp256r1 (P-256).
        SECP256R1 = 23,
        /// secp384r1 (P-384).
        SECP384R1 = 24,
        /// secp521r1 (P-521); recognised, not offered.
        SECP521R1 = 25,
        /// x25519 (RFC 8422 §5.1.1).
        X25519 = 29,
        /// X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem); DTLS 1.3 only, recognised.
        X25519_MLKEM768 = 0x11ec,
    }
}

code_point! {
    /// Signature schemes (RFC 8446 §4.2.3; in TLS 1.2 the SignatureAndHashAlgorithm pair of
    /// RFC 5246 §7.4.1.4.1, which shares the encoding).
    SignatureScheme(u16) {
        /// ECDSA P-256 with SHA-256.
        ECDSA_SECP256R1_SHA256 = 0x0403,
        /// ECDSA P-384 with SHA-384.
        ECDSA_SECP384R1_SHA384 = 0x0503,
        /// RSA PKCS#1 v1.5 with SHA-256.
        RSA_PKCS1_SHA256 = 0x0401,
        /// RSA PKCS#1 v1.5 with SHA-384.
        RSA_PKCS1_SHA384 = 0x0501,
        /// RSA PKCS#1 v1.5 with SHA-512.
        RSA_PKCS1_SHA512 = 0x0601,
        /// RSA-PSS (rsaEncryption key) with SHA-256.
        RSA_PSS_RSAE_SHA256 = 0x0804,
        /// RSA-PSS (rsaEncryption key) with SHA-384.
        RSA_PSS_RSAE_SHA384 = 0x0805,
        /// RSA-PSS (rsaEncryption key) with SHA-512.
        RSA_PSS_RSAE_SHA512 = 0x0806,
        /// Ed25519; recognised, not used.
        ED25519 = 0x0807,
    }
}

code_point! {
    /// Hello extension types (IANA TLS ExtensionType registry).
    ExtensionType(u16) {
        /// server_name (RFC 6066).
        SERVER_NAME = 0,
        /// supported_groups (RFC 8422 §5.1.1).
        SUPPORTED_GROUPS = 10,
        /// ec_point_formats (RFC 8422 §5.1.2).
        EC_POINT_FORMATS = 11,
        /// signature_algorithms (RFC 5246 §7.4.1.4.1).
        SIGNATURE_ALGORITHMS = 13,
        /// use_srtp (RFC 5764 §4.1.1).
        USE_SRTP = 14,
        /// application_layer_protocol_negotiation (RFC 7301).
        ALPN = 16,
        /// extended_master_secret (RFC 7627 §5.1).
        EXTENDED_MASTER_SECRET = 23,
        /// session_ticket (RFC 5077).
        SESSION_TICKET = 35,
        /// supported_versions (RFC 8446 §4.2.1).
        SUPPORTED_VERSIONS = 43,
        /// cookie (RFC 8446 §4.2.2).
        COOKIE = 44,
        /// key_share (RFC 8446 §4.2.8).
        KEY_SHARE = 51,
        /// renegotiation_info (RFC 5746 §3.2).
        RENEGOTIATION_INFO = 0xff01,
    }
}

code_point! {
    /// DTLS-SRTP protection profile identifiers of use_srtp (RFC 5764 §4.1.2, RFC 7714 §14.2).
    SrtpProfileId(u16) {
        /// SRTP_AES128_CM_HMAC_SHA1_80.
        AES128_CM_HMAC_SHA1_80 = 0x0001,
        /// SRTP_AES128_CM_HMAC_SHA1_32.
        AES128_CM_HMAC_SHA1_32 = 0x0002,
        /// SRTP_AEAD_AES_128_GCM.
        AEAD_AES_128_GCM = 0x0007,
        /// SRTP_AEAD_AES_256_GCM.
        AEAD_AES_256_GCM = 0x0008,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_have_names_and_unknown_ones_stay_numbers() {
        assert_eq!(
            format!("{:?}", CipherSuite(0xc02b)),
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
        );
        assert_eq!(format!("{:?}", CipherSuite(0x1301)), "CipherSuite(0x1301)");
        assert_eq!(NamedGroup::X25519.name(), Some("X25519"));
        assert_eq!(ContentType(99).name(), None);
    }
}
