//! The server side of the handshake (RFC 5246 §7.3, RFC 6347 §4.2): a stateless
//! HelloVerifyRequest (flight 2), then ServerHello, Certificate, ServerKeyExchange,
//! CertificateRequest, ServerHelloDone (flight 4), and ChangeCipherSpec + Finished (flight 6).

use std::time::Instant;

use super::client::{SIGNATURE_SCHEMES, encode};
use super::flight::{Flight, FlightItem};
use super::handshake::Handshake;
use super::{Endpoint, State};
use crate::crypto::kx::KeyShare;
use crate::prf;
use crate::wire::handshake::{
    Certificate, CertificateRepr, CertificateRequestRepr, CertificateVerify, ClientHello,
    ClientKeyExchange, ExtensionRepr, Finished, FinishedRepr, HelloVerifyRequestRepr,
    ServerHelloRepr, ServerKeyExchangeRepr, client_certificate_type, ecdhe_signed_content,
};
use crate::wire::{AlertDescription, HandshakeType, NamedGroup, ProtocolVersion};

fn decode_error<T>(_: T) -> AlertDescription {
    AlertDescription::DECODE_ERROR
}

fn internal<T>(_: T) -> AlertDescription {
    AlertDescription::INTERNAL_ERROR
}

impl Endpoint {
    pub(crate) fn server_message(
        &mut self,
        hs: &mut Handshake,
        now: Instant,
        epoch: u16,
        msg_type: HandshakeType,
        message_seq: u16,
        body: &[u8],
    ) -> Result<(), AlertDescription> {
        match (self.state, msg_type) {
            (State::ServerWaitClientHello, HandshakeType::CLIENT_HELLO) => {
                self.server_client_hello(hs, now, message_seq, body)
            }
            (State::ServerWaitCertificate, HandshakeType::CERTIFICATE) => {
                hs.timer.stop();
                let certificate = Certificate::new_checked(body).map_err(decode_error)?;
                let chain: Vec<&[u8]> = certificate.certificates().collect();
                self.accept_peer_certificate(hs, &chain)?;
                hs.record_received(msg_type, message_seq, body);
                self.state = State::ServerWaitClientKeyExchange;
                Ok(())
            }
            (State::ServerWaitClientKeyExchange, HandshakeType::CLIENT_KEY_EXCHANGE) => {
                let exchange = ClientKeyExchange::new_checked(body).map_err(decode_error)?;
                let share = hs
                    .negotiated
                    .key_share
                    .take()
                    .ok_or(AlertDescription::INTERNAL_ERROR)?;
                let pre_master = share
                    .agree(exchange.public_key())
                    .map_err(|_| AlertDescription::ILLEGAL_PARAMETER)?;
                hs.record_received(msg_type, message_seq, body);
                let prf_hash = self.session.prf();
                let session_hash = hs.transcript.hash(prf_hash.digest());
                self.session.master_secret = Some(prf::extended_master_secret(
                    prf_hash,
                    &pre_master,
                    session_hash.as_ref(),
                ));
                let (write, read) = self.derive_record_keys().map_err(internal)?;
                hs.negotiated.pending_read_key = Some(read);
                hs.negotiated.pending_write_key = Some(write);
                self.state = State::ServerWaitCertificateVerify;
                Ok(())
            }
            (State::ServerWaitCertificateVerify, HandshakeType::CERTIFICATE_VERIFY) => {
                let verify = CertificateVerify::new_checked(body).map_err(decode_error)?;
                if !SIGNATURE_SCHEMES.contains(&verify.signature_scheme()) {
                    return Err(AlertDescription::ILLEGAL_PARAMETER);
                }
                let key = hs
                    .negotiated
                    .peer_key
                    .as_ref()
                    .ok_or(AlertDescription::INTERNAL_ERROR)?;
                key.verify(
                    verify.signature_scheme(),
                    hs.transcript.bytes(),
                    verify.signature(),
                )
                .map_err(|e| match e {
                    crate::Error::Protocol(alert) => alert,
                    _ => AlertDescription::DECRYPT_ERROR,
                })?;
                hs.record_received(msg_type, message_seq, body);
                self.state = State::ServerWaitChangeCipherSpec;
                Ok(())
            }
            (State::ServerWaitFinished, HandshakeType::FINISHED) => {
                if epoch == 0 {
                    return Err(AlertDescription::UNEXPECTED_MESSAGE);
                }
                let finished = Finished::new_checked(body).map_err(decode_error)?;
                let prf_hash = self.session.prf();
                let master = self
                    .session
                    .master_secret
                    .ok_or(AlertDescription::INTERNAL_ERROR)?;
                let expected = prf::verify_data(
                    prf_hash,
                    &master,
                    true,
                    hs.transcript.hash(prf_hash.digest()).as_ref(),
                );
                if !sansrtc_proto::constant_time::eq(&expected, finished.verify_data()) {
                    return Err(AlertDescription::DECRYPT_ERROR);
                }
                hs.record_received(msg_type, message_seq, body);
                let mut flight = Flight::default();
                flight.items.push(FlightItem::ChangeCipherSpec {
                    epoch: self.record.write_epoch(),
                });
                let write = hs
                    .negotiated
                    .pending_write_key
                    .take()
                    .ok_or(AlertDescription::INTERNAL_ERROR)?;
                self.record.advance_write(write);
                let verify_data = prf::verify_data(
                    prf_hash,
                    &master,
                    false,
                    hs.transcript.hash(prf_hash.digest()).as_ref(),
                );
                let finished = FinishedRepr {
                    verify_data: &verify_data,
                };
                let body =
                    encode(finished.buffer_len(), |out| finished.emit(out)).map_err(internal)?;
                self.push_message(hs, &mut flight, HandshakeType::FINISHED, body)
                    .map_err(internal)?;
                // The last flight is not retransmitted on a timer, only when the client
                // repeats its own (RFC 6347 §4.2.4).
                self.send_flight(hs, now, flight, false).map_err(internal)?;
                self.connected();
                Ok(())
            }
            (State::Connected, _) => Ok(()),
            _ => Err(AlertDescription::UNEXPECTED_MESSAGE),
        }
    }

    fn server_client_hello(
        &mut self,
        hs: &mut Handshake,
        now: Instant,
        message_seq: u16,
        body: &[u8],
    ) -> Result<(), AlertDescription> {
        let hello = ClientHello::new_checked(body).map_err(decode_error)?;
        // DTLS versions count down: 0xfefd (1.2) is newer than 0xfeff (1.0).
        if hello.client_version().0 > ProtocolVersion::DTLS_1_2.0 {
            return Err(AlertDescription::PROTOCOL_VERSION);
        }
        if let Some(secret) = &hs.cookie_secret {
            let version = hello.client_version().0.to_be_bytes();
            let suites = hello.cipher_suites();
            let parameters: [&[u8]; 5] = [
                &version,
                hello.random(),
                hello.session_id(),
                suites.as_bytes(),
                hello.compression_methods(),
            ];
            if !secret.verify(hello.cookie(), self.remote, &parameters) {
                let cookie = secret.cookie(self.remote, &parameters);
                let request = HelloVerifyRequestRepr {
                    server_version: ProtocolVersion::DTLS_1_0,
                    cookie: &cookie,
                };
                let body =
                    encode(request.buffer_len(), |out| request.emit(out)).map_err(internal)?;
                // Stateless: not in the transcript, no timer; a repeated ClientHello gets it
                // again (RFC 6347 §4.2.1).
                let flight = Flight {
                    items: vec![FlightItem::Handshake {
                        msg_type: HandshakeType::HELLO_VERIFY_REQUEST,
                        message_seq,
                        body,
                        epoch: 0,
                    }],
                };
                return self.send_flight(hs, now, flight, false).map_err(internal);
            }
        }
        if !hello.compression_methods().contains(&0) {
            return Err(AlertDescription::ILLEGAL_PARAMETER);
        }
        let extensions = hello.extensions();
        let suite = hs
            .config
            .cipher_suites
            .iter()
            .filter_map(|s| crate::suite::params(*s))
            .filter(|p| p.authentication == hs.config.identity.authentication())
            .find(|p| hello.cipher_suites().any(|offered| offered == p.suite))
            .ok_or(AlertDescription::HANDSHAKE_FAILURE)?;
        let offered_groups: Vec<NamedGroup> =
            match extensions.supported_groups().map_err(decode_error)? {
                Some(groups) => groups.collect(),
                // RFC 8422 §4: without the extension any curve may be used; P-256 is universal.
                None => vec![NamedGroup::SECP256R1],
            };
        let group = *hs
            .config
            .groups
            .iter()
            .find(|g| offered_groups.contains(g))
            .ok_or(AlertDescription::HANDSHAKE_FAILURE)?;
        // In TLS 1.2 supported_groups also names the curves the client accepts for ECDSA
        // (RFC 8422 §5.1.1, RFC 4492 §4): our P-256 key must be one of them.
        if hs.config.identity.authentication() == crate::suite::Authentication::Ecdsa
            && !offered_groups.contains(&NamedGroup::SECP256R1)
        {
            return Err(AlertDescription::HANDSHAKE_FAILURE);
        }
        if !extensions.extended_master_secret().map_err(decode_error)? {
            return Err(AlertDescription::HANDSHAKE_FAILURE);
        }
        let our_scheme = hs.config.identity.signature_scheme();
        if let Some(schemes) = extensions.signature_algorithms().map_err(decode_error)?
            && !schemes.clone().any(|s| s == our_scheme)
        {
            return Err(AlertDescription::HANDSHAKE_FAILURE);
        }
        if let Some(info) = extensions.renegotiation_info().map_err(decode_error)?
            && !info.is_empty()
        {
            return Err(AlertDescription::HANDSHAKE_FAILURE);
        }
        let srtp_profile = match extensions.use_srtp().map_err(decode_error)? {
            Some(use_srtp) => {
                let offered: Vec<_> = use_srtp.profiles.clone().collect();
                hs.config
                    .srtp_profiles
                    .iter()
                    .copied()
                    .find(|p| offered.contains(p))
            }
            None => None,
        };
        self.session.client_random = *hello.random();
        rand::Rng::fill_bytes(&mut hs.rng, &mut self.session.server_random);
        self.session.suite = Some(suite);
        self.session.srtp_profile = srtp_profile;
        hs.record_received(HandshakeType::CLIENT_HELLO, message_seq, body);
        // The server's message_seq follows the ClientHello's (RFC 6347 §4.2.2).
        hs.send_seq = message_seq;
        self.server_hello_flight(hs, now, group)
    }

    /// Flight 4: ServerHello, Certificate, ServerKeyExchange, CertificateRequest,
    /// ServerHelloDone.
    fn server_hello_flight(
        &mut self,
        hs: &mut Handshake,
        now: Instant,
        group: NamedGroup,
    ) -> Result<(), AlertDescription> {
        let mut flight = Flight::default();
        let mut extensions = vec![
            ExtensionRepr::ExtendedMasterSecret,
            ExtensionRepr::RenegotiationInfo(&[]),
            ExtensionRepr::EcPointFormats(&[0]),
        ];
        if let Some(profile) = self.session.srtp_profile {
            extensions.push(ExtensionRepr::UseSrtp {
                profiles: vec![profile],
                mki: &[],
            });
        }
        let suite = self.session.suite.ok_or(AlertDescription::INTERNAL_ERROR)?;
        let hello = ServerHelloRepr {
            server_version: ProtocolVersion::DTLS_1_2,
            random: self.session.server_random,
            session_id: &[],
            cipher_suite: suite.suite,
            compression_method: 0,
            extensions: Some(extensions),
        };
        let body = encode(hello.buffer_len(), |out| hello.emit(out)).map_err(internal)?;
        self.push_message(hs, &mut flight, HandshakeType::SERVER_HELLO, body)
            .map_err(internal)?;
        self.record.set_version(ProtocolVersion::DTLS_1_2);

        let identity = hs.config.identity.clone();
        let certificate = CertificateRepr {
            certificates: vec![identity.certificate_der()],
        };
        let body =
            encode(certificate.buffer_len(), |out| certificate.emit(out)).map_err(internal)?;
        self.push_message(hs, &mut flight, HandshakeType::CERTIFICATE, body)
            .map_err(internal)?;

        let share = KeyShare::generate(group).map_err(internal)?;
        let unsigned = ServerKeyExchangeRepr {
            named_group: group,
            public_key: share.public(),
            signature_scheme: identity.signature_scheme(),
            signature: &[],
        };
        let mut params = vec![0u8; unsigned.params_len()];
        unsigned.emit_params(&mut params).map_err(internal)?;
        let mut signed = vec![0u8; 64 + params.len()];
        let len = ecdhe_signed_content(
            &self.session.client_random,
            &self.session.server_random,
            &params,
            &mut signed,
        )
        .map_err(internal)?;
        let signature = identity
            .sign(&signed[..len])
            .ok_or(AlertDescription::INTERNAL_ERROR)?;
        let exchange = ServerKeyExchangeRepr {
            signature: &signature,
            ..unsigned
        };
        let body = encode(exchange.buffer_len(), |out| exchange.emit(out)).map_err(internal)?;
        self.push_message(hs, &mut flight, HandshakeType::SERVER_KEY_EXCHANGE, body)
            .map_err(internal)?;
        hs.negotiated.key_share = Some(share);

        let request = CertificateRequestRepr {
            certificate_types: &[
                client_certificate_type::ECDSA_SIGN,
                client_certificate_type::RSA_SIGN,
            ],
            signature_algorithms: SIGNATURE_SCHEMES.to_vec(),
            certificate_authorities: Vec::new(),
        };
        let body = encode(request.buffer_len(), |out| request.emit(out)).map_err(internal)?;
        self.push_message(hs, &mut flight, HandshakeType::CERTIFICATE_REQUEST, body)
            .map_err(internal)?;
        self.push_message(
            hs,
            &mut flight,
            HandshakeType::SERVER_HELLO_DONE,
            Vec::new(),
        )
        .map_err(internal)?;
        self.state = State::ServerWaitCertificate;
        self.send_flight(hs, now, flight, true).map_err(internal)
    }
}
