//! The client side of the handshake (RFC 5246 §7.3, RFC 6347 §4.2): flights 1/3 (ClientHello,
//! with the cookie the second time) and 5 (Certificate, ClientKeyExchange, CertificateVerify,
//! ChangeCipherSpec, Finished).

use std::time::Instant;

use super::flight::{Flight, FlightItem};
use super::handshake::Handshake;
use super::{Endpoint, State};
use crate::Error;
use crate::crypto::kx::KeyShare;
use crate::prf;
use crate::wire::handshake::{
    Certificate, CertificateRepr, CertificateRequest, CertificateVerifyRepr, ClientHelloRepr,
    ClientKeyExchangeRepr, ExtensionRepr, Finished, FinishedRepr, HelloVerifyRequest, ServerHello,
    ServerKeyExchange, client_certificate_type, ecdhe_signed_content,
};
use crate::wire::{AlertDescription, HandshakeType, NamedGroup, ProtocolVersion, SignatureScheme};

/// Signature schemes offered and accepted (RFC 5246 §7.4.1.4.1), ECDSA first.
pub(crate) const SIGNATURE_SCHEMES: [SignatureScheme; 8] = [
    SignatureScheme::ECDSA_SECP256R1_SHA256,
    SignatureScheme::ECDSA_SECP384R1_SHA384,
    SignatureScheme::RSA_PSS_RSAE_SHA256,
    SignatureScheme::RSA_PSS_RSAE_SHA384,
    SignatureScheme::RSA_PSS_RSAE_SHA512,
    SignatureScheme::RSA_PKCS1_SHA256,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PKCS1_SHA512,
];

/// Encodes a message body with its `buffer_len`/`emit` pair.
pub(crate) fn encode(
    len: usize,
    emit: impl FnOnce(&mut [u8]) -> Result<usize, Error>,
) -> Result<Vec<u8>, Error> {
    let mut body = vec![0u8; len];
    let written = emit(&mut body)?;
    body.truncate(written);
    Ok(body)
}

fn decode_error<T>(_: T) -> AlertDescription {
    AlertDescription::DECODE_ERROR
}

fn internal<T>(_: T) -> AlertDescription {
    AlertDescription::INTERNAL_ERROR
}

impl Handshake {
    /// The groups the ClientHello lists: the configured ECDHE groups, then P-256 if it is
    /// missing. In TLS 1.2 supported_groups also names the curves accepted for the server's
    /// ECDSA certificate (RFC 8422 §5.1.1), and WebRTC certificates are P-256; a server may
    /// then pick P-256 for ECDHE too.
    fn advertised_groups(&self) -> Vec<NamedGroup> {
        let mut groups = self.config.groups.clone();
        if !groups.contains(&NamedGroup::SECP256R1) {
            groups.push(NamedGroup::SECP256R1);
        }
        groups
    }
}

impl Endpoint {
    /// Sends the ClientHello: the first time with a fresh random and no cookie, after a
    /// HelloVerifyRequest with the same parameters and the cookie (RFC 6347 §4.2.1).
    pub(crate) fn client_start(
        &mut self,
        hs: &mut Handshake,
        now: Instant,
        cookie: &[u8],
    ) -> Result<(), Error> {
        if cookie.is_empty() {
            rand::Rng::fill_bytes(&mut hs.rng, &mut self.session.client_random);
        }
        let mut extensions = vec![
            ExtensionRepr::SupportedGroups(hs.advertised_groups()),
            ExtensionRepr::EcPointFormats(&[0]),
            ExtensionRepr::SignatureAlgorithms(SIGNATURE_SCHEMES.to_vec()),
            ExtensionRepr::ExtendedMasterSecret,
            ExtensionRepr::RenegotiationInfo(&[]),
        ];
        if !hs.config.srtp_profiles.is_empty() {
            extensions.push(ExtensionRepr::UseSrtp {
                profiles: hs.config.srtp_profiles.clone(),
                mki: &[],
            });
        }
        let hello = ClientHelloRepr {
            client_version: ProtocolVersion::DTLS_1_2,
            random: self.session.client_random,
            session_id: &[],
            cookie,
            cipher_suites: hs.config.cipher_suites.clone(),
            compression_methods: &[0],
            extensions: Some(extensions),
        };
        let body = encode(hello.buffer_len(), |out| hello.emit(out))?;
        let mut flight = Flight::default();
        self.push_message(hs, &mut flight, HandshakeType::CLIENT_HELLO, body)?;
        self.send_flight(hs, now, flight, true)
    }

    pub(crate) fn client_message(
        &mut self,
        hs: &mut Handshake,
        now: Instant,
        epoch: u16,
        msg_type: HandshakeType,
        message_seq: u16,
        body: &[u8],
    ) -> Result<(), AlertDescription> {
        match (self.state, msg_type) {
            (State::ClientWaitServerHello, HandshakeType::HELLO_VERIFY_REQUEST) => {
                let request = HelloVerifyRequest::new_checked(body).map_err(decode_error)?;
                let cookie = request.cookie().to_vec();
                // The first ClientHello and the HelloVerifyRequest are not part of the
                // transcript (RFC 6347 §4.2.6).
                hs.transcript.clear();
                hs.timer.stop();
                self.client_start(hs, now, &cookie).map_err(internal)
            }
            (State::ClientWaitServerHello, HandshakeType::SERVER_HELLO) => {
                hs.timer.stop();
                self.client_server_hello(hs, body)?;
                hs.record_received(msg_type, message_seq, body);
                self.state = State::ClientWaitCertificate;
                Ok(())
            }
            (State::ClientWaitCertificate, HandshakeType::CERTIFICATE) => {
                let certificate = Certificate::new_checked(body).map_err(decode_error)?;
                let chain: Vec<&[u8]> = certificate.certificates().collect();
                self.accept_peer_certificate(hs, &chain)?;
                let suite_ok = match (self.session.suite, &hs.negotiated.peer_key) {
                    (Some(suite), Some(key)) => suite.authentication.accepts(key.kind()),
                    _ => false,
                };
                if !suite_ok {
                    return Err(AlertDescription::UNSUPPORTED_CERTIFICATE);
                }
                hs.record_received(msg_type, message_seq, body);
                self.state = State::ClientWaitServerKeyExchange;
                Ok(())
            }
            (State::ClientWaitServerKeyExchange, HandshakeType::SERVER_KEY_EXCHANGE) => {
                let exchange = ServerKeyExchange::new_checked(body).map_err(decode_error)?;
                if !hs.advertised_groups().contains(&exchange.named_group()) {
                    return Err(AlertDescription::ILLEGAL_PARAMETER);
                }
                let mut signed = vec![0u8; 64 + exchange.params().len()];
                let len = ecdhe_signed_content(
                    &self.session.client_random,
                    &self.session.server_random,
                    exchange.params(),
                    &mut signed,
                )
                .map_err(internal)?;
                let key = hs
                    .negotiated
                    .peer_key
                    .as_ref()
                    .ok_or(AlertDescription::INTERNAL_ERROR)?;
                key.verify(
                    exchange.signature_scheme(),
                    &signed[..len],
                    exchange.signature(),
                )
                .map_err(|e| match e {
                    Error::Protocol(alert) => alert,
                    _ => AlertDescription::DECRYPT_ERROR,
                })?;
                // Our share in the server's group; the secret is computed with its value.
                let share = KeyShare::generate(exchange.named_group()).map_err(internal)?;
                hs.negotiated.server_public = exchange.public_key().to_vec();
                hs.negotiated.key_share = Some(share);
                hs.record_received(msg_type, message_seq, body);
                self.state = State::ClientWaitCertificateRequest;
                Ok(())
            }
            (State::ClientWaitCertificateRequest, HandshakeType::CERTIFICATE_REQUEST) => {
                let request = CertificateRequest::new_checked(body).map_err(decode_error)?;
                let identity = &hs.config.identity;
                let wanted_type = match identity.authentication() {
                    crate::suite::Authentication::Ecdsa => client_certificate_type::ECDSA_SIGN,
                    crate::suite::Authentication::Rsa => client_certificate_type::RSA_SIGN,
                };
                let type_ok = request.certificate_types().contains(&wanted_type);
                let scheme = identity.signature_scheme();
                if !type_ok || !request.signature_algorithms().any(|s| s == scheme) {
                    return Err(AlertDescription::HANDSHAKE_FAILURE);
                }
                hs.record_received(msg_type, message_seq, body);
                self.state = State::ClientWaitServerHelloDone;
                Ok(())
            }
            // WebRTC authenticates both ends (RFC 8827 §6.5): a server that asks for no
            // certificate is refused.
            (State::ClientWaitCertificateRequest, HandshakeType::SERVER_HELLO_DONE) => {
                Err(AlertDescription::HANDSHAKE_FAILURE)
            }
            (State::ClientWaitServerHelloDone, HandshakeType::SERVER_HELLO_DONE) => {
                if !body.is_empty() {
                    return Err(AlertDescription::DECODE_ERROR);
                }
                hs.record_received(msg_type, message_seq, body);
                self.client_final_flight(hs, now)
            }
            (State::ClientWaitFinished, HandshakeType::FINISHED) => {
                if epoch == 0 {
                    return Err(AlertDescription::UNEXPECTED_MESSAGE);
                }
                let finished = Finished::new_checked(body).map_err(decode_error)?;
                let s = &self.session;
                let master = s
                    .master_secret
                    .as_ref()
                    .ok_or(AlertDescription::INTERNAL_ERROR)?;
                let expected = prf::verify_data(
                    s.prf(),
                    master,
                    false,
                    hs.transcript.hash(s.prf().digest()).as_ref(),
                );
                if !sansrtc_proto::constant_time::eq(&expected, finished.verify_data()) {
                    return Err(AlertDescription::DECRYPT_ERROR);
                }
                hs.timer.stop();
                self.connected();
                Ok(())
            }
            // After the handshake: a renegotiation attempt is refused politely.
            (State::Connected, _) => Ok(()),
            _ => Err(AlertDescription::UNEXPECTED_MESSAGE),
        }
    }

    fn client_server_hello(&mut self, hs: &Handshake, body: &[u8]) -> Result<(), AlertDescription> {
        let hello = ServerHello::new_checked(body).map_err(decode_error)?;
        if hello.server_version() != ProtocolVersion::DTLS_1_2 {
            return Err(AlertDescription::PROTOCOL_VERSION);
        }
        let suite = hello.cipher_suite();
        let params =
            crate::suite::params(suite).filter(|_| hs.config.cipher_suites.contains(&suite));
        let Some(params) = params else {
            return Err(AlertDescription::ILLEGAL_PARAMETER);
        };
        if hello.compression_method() != 0 {
            return Err(AlertDescription::ILLEGAL_PARAMETER);
        }
        let extensions = hello.extensions();
        if !extensions.extended_master_secret().map_err(decode_error)? {
            // RFC 7627 §5.2: a client that requires the extension aborts.
            return Err(AlertDescription::HANDSHAKE_FAILURE);
        }
        if let Some(info) = extensions.renegotiation_info().map_err(decode_error)?
            && !info.is_empty()
        {
            return Err(AlertDescription::HANDSHAKE_FAILURE);
        }
        if let Some(use_srtp) = extensions.use_srtp().map_err(decode_error)? {
            let chosen: Vec<_> = use_srtp.profiles.clone().collect();
            match chosen[..] {
                [profile] if hs.config.srtp_profiles.contains(&profile) => {
                    self.session.srtp_profile = Some(profile)
                }
                _ => return Err(AlertDescription::ILLEGAL_PARAMETER),
            }
        }
        self.session.server_random = *hello.random();
        self.session.suite = Some(params);
        self.record.set_version(ProtocolVersion::DTLS_1_2);
        Ok(())
    }

    /// Flight 5: Certificate, ClientKeyExchange, CertificateVerify, ChangeCipherSpec, Finished.
    fn client_final_flight(
        &mut self,
        hs: &mut Handshake,
        now: Instant,
    ) -> Result<(), AlertDescription> {
        let mut flight = Flight::default();
        let identity = hs.config.identity.clone();
        let certificate = CertificateRepr {
            certificates: vec![identity.certificate_der()],
        };
        let body =
            encode(certificate.buffer_len(), |out| certificate.emit(out)).map_err(internal)?;
        self.push_message(hs, &mut flight, HandshakeType::CERTIFICATE, body)
            .map_err(internal)?;

        let share = hs
            .negotiated
            .key_share
            .take()
            .ok_or(AlertDescription::INTERNAL_ERROR)?;
        let public = share.public().to_vec();
        let pre_master = share
            .agree(&hs.negotiated.server_public)
            .map_err(|_| AlertDescription::ILLEGAL_PARAMETER)?;
        let exchange = ClientKeyExchangeRepr {
            public_key: &public,
        };
        let body = encode(exchange.buffer_len(), |out| exchange.emit(out)).map_err(internal)?;
        self.push_message(hs, &mut flight, HandshakeType::CLIENT_KEY_EXCHANGE, body)
            .map_err(internal)?;
        let prf_hash = self.session.prf();
        let session_hash = hs.transcript.hash(prf_hash.digest());
        self.session.master_secret = Some(prf::extended_master_secret(
            prf_hash,
            &pre_master,
            session_hash.as_ref(),
        ));

        let signature = identity
            .sign(hs.transcript.bytes())
            .ok_or(AlertDescription::INTERNAL_ERROR)?;
        let verify = CertificateVerifyRepr {
            signature_scheme: identity.signature_scheme(),
            signature: &signature,
        };
        let body = encode(verify.buffer_len(), |out| verify.emit(out)).map_err(internal)?;
        self.push_message(hs, &mut flight, HandshakeType::CERTIFICATE_VERIFY, body)
            .map_err(internal)?;

        let (write, read) = self.derive_record_keys().map_err(internal)?;
        flight.items.push(FlightItem::ChangeCipherSpec {
            epoch: self.record.write_epoch(),
        });
        self.record.advance_write(write);
        hs.negotiated.pending_read_key = Some(read);

        let master = self
            .session
            .master_secret
            .ok_or(AlertDescription::INTERNAL_ERROR)?;
        let verify_data = prf::verify_data(
            prf_hash,
            &master,
            true,
            hs.transcript.hash(prf_hash.digest()).as_ref(),
        );
        let finished = FinishedRepr {
            verify_data: &verify_data,
        };
        let body = encode(finished.buffer_len(), |out| finished.emit(out)).map_err(internal)?;
        self.push_message(hs, &mut flight, HandshakeType::FINISHED, body)
            .map_err(internal)?;
        self.state = State::ClientWaitChangeCipherSpec;
        self.send_flight(hs, now, flight, true).map_err(internal)
    }
}
