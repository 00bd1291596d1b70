//! TLS material shared by the tests that reach coturn over TLS.

use sansrtc_stun::turn::TurnTransport;
use std::net::IpAddr;
use std::sync::Arc;

/// A self-signed certificate for 127.0.0.1: PEM certificate, PEM key, DER certificate.
pub(crate) fn tls_material() -> (String, String, rustls::pki_types::CertificateDer<'static>) {
    let cert =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .unwrap();
    (
        cert.cert.pem(),
        cert.signing_key.serialize_pem(),
        cert.cert.der().clone(),
    )
}

/// A TURN-over-TLS transport that trusts exactly `cert` for 127.0.0.1.
pub(crate) fn tls_transport(cert: rustls::pki_types::CertificateDer<'static>) -> TurnTransport {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    TurnTransport::Tls {
        config: Arc::new(config),
        server_name: rustls::pki_types::ServerName::IpAddress(IpAddr::from([127, 0, 0, 1]).into()),
    }
}
