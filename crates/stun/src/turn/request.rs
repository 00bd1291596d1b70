//! Encoding TURN requests with long-term credentials (RFC 8656 §7–§11, RFC 8489 §9.2).

use super::client::Core;
use crate::credentials::{SecurityFeatures, long_term_key, userhash};
use crate::error::{Error, ProtocolViolation};
use crate::wire::{
    AddressFamily, Attribute, ChannelNumber, Class, Message, MessageBuilder, Method,
    PasswordAlgorithm, PasswordAlgorithms, TransactionId, attr, password_algorithm,
};
use std::net::{IpAddr, SocketAddr};

/// UDP's IP protocol number, for REQUESTED-TRANSPORT (RFC 8656 §18.8).
const UDP: u8 = 17;

/// A TURN request the client may have outstanding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Request {
    Allocate,
    /// Refresh with this LIFETIME (`Some(0)` deallocates; `None` leaves it to the server).
    Refresh {
        lifetime: Option<u32>,
    },
    CreatePermission {
        peers: Vec<IpAddr>,
    },
    ChannelBind {
        channel: ChannelNumber,
        peer: SocketAddr,
    },
}

impl Request {
    pub(crate) const fn method(&self) -> Method {
        match self {
            Self::Allocate => Method::ALLOCATE,
            Self::Refresh { .. } => Method::REFRESH,
            Self::CreatePermission { .. } => Method::CREATE_PERMISSION,
            Self::ChannelBind { .. } => Method::CHANNEL_BIND,
        }
    }
}

/// What a transaction was for, and how often it was retried for authentication.
#[derive(Debug, Clone)]
pub(crate) struct Tag {
    pub(crate) request: Request,
    pub(crate) authenticated: bool,
    pub(crate) unauthorized_retries: u8,
    pub(crate) stale_retries: u8,
}

/// The long-term credential state learned from the server's 401 and 438 responses.
#[derive(Debug, Default)]
pub(crate) struct Auth {
    pub(crate) realm: Option<String>,
    pub(crate) nonce: Option<String>,
    pub(crate) key: Option<crate::IntegrityKey>,
    pub(crate) algorithm: u16,
    /// PASSWORD-ALGORITHMS as the server sent it, echoed back (RFC 8489 §9.2.4).
    pub(crate) offered_algorithms: Option<Vec<u8>>,
    pub(crate) userhash: Option<[u8; 32]>,
}

impl Core {
    /// Takes REALM, NONCE and any password-algorithm offer from a 401 or 438 response and
    /// derives the key (RFC 8489 §9.2.4).
    pub(crate) fn learn_auth(&mut self, message: &Message<'_>) -> Result<(), Error> {
        let nonce = message
            .nonce()
            .ok_or(ProtocolViolation::MissingAttribute(attr::NONCE))?;
        let realm = match message.realm() {
            Some(r) => r.to_owned(),
            None => self
                .auth
                .realm
                .clone()
                .ok_or(ProtocolViolation::MissingAttribute(attr::REALM))?,
        };
        let features = SecurityFeatures::from_nonce(nonce).unwrap_or_default();
        let offered = message
            .raw(attr::PASSWORD_ALGORITHMS)
            .filter(|_| features.password_algorithms());
        let (algorithm, offered) = match offered {
            Some(raw) => {
                let list = PasswordAlgorithms::parse(raw.value)?;
                let sha256 = list
                    .iter()
                    .any(|a| a.algorithm == password_algorithm::SHA256);
                let chosen = if sha256 {
                    password_algorithm::SHA256
                } else {
                    password_algorithm::MD5
                };
                (chosen, Some(raw.value.to_vec()))
            }
            None => (password_algorithm::MD5, None),
        };
        let c = &self.config;
        let key = long_term_key(&c.username, &realm, &c.password, algorithm, c.password_prep)
            .map_err(|_| Error::Limit("username, realm or password cannot be prepared"))?;
        self.auth.userhash = if c.use_userhash && features.username_anonymity() {
            userhash(&c.username, &realm).ok()
        } else {
            None
        };
        self.auth.key = Some(key);
        self.auth.algorithm = algorithm;
        self.auth.offered_algorithms = offered;
        self.auth.realm = Some(realm);
        self.auth.nonce = Some(nonce.to_owned());
        Ok(())
    }

    /// Encodes `request` into `buf` (cleared first), with credentials if `authenticated`.
    pub(crate) fn encode(
        &self,
        request: &Request,
        id: TransactionId,
        authenticated: bool,
        buf: &mut Vec<u8>,
    ) -> Result<(), Error> {
        buf.clear();
        let mut b = MessageBuilder::new(buf, Class::Request, request.method(), id);
        let lifetime = self
            .config
            .lifetime
            .map(|l| u32::try_from(l.as_secs()).unwrap_or(u32::MAX));
        match request {
            Request::Allocate => {
                b.add(&Attribute::RequestedTransport(UDP))?;
                if let Some(lifetime) = lifetime {
                    b.add(&Attribute::Lifetime(lifetime))?;
                }
                if let Some(family) = self
                    .config
                    .requested_family
                    .filter(|f| *f != AddressFamily::V4)
                {
                    b.add(&Attribute::RequestedAddressFamily(family))?;
                }
                if self.config.dont_fragment {
                    b.add(&Attribute::DontFragment)?;
                }
            }
            Request::Refresh { lifetime } => {
                if let Some(lifetime) = lifetime {
                    b.add(&Attribute::Lifetime(*lifetime))?;
                }
            }
            Request::CreatePermission { peers } => {
                for ip in peers {
                    b.add(&Attribute::XorPeerAddress(SocketAddr::new(*ip, 0)))?;
                }
            }
            Request::ChannelBind { channel, peer } => {
                b.add(&Attribute::ChannelNumber(channel.value()))?;
                b.add(&Attribute::XorPeerAddress(*peer))?;
            }
        }
        if let Some(software) = &self.config.software {
            b.add(&Attribute::Software(software))?;
        }
        if authenticated {
            let (Some(realm), Some(nonce), Some(key)) =
                (&self.auth.realm, &self.auth.nonce, &self.auth.key)
            else {
                return Err(ProtocolViolation::MissingAttribute(attr::NONCE).into());
            };
            match &self.auth.userhash {
                Some(hash) => b.add(&Attribute::UserHash(hash))?,
                None => b.add(&Attribute::Username(&self.config.username))?,
            };
            b.add(&Attribute::Realm(realm))?;
            b.add(&Attribute::Nonce(nonce))?;
            if let Some(offered) = &self.auth.offered_algorithms {
                b.add(&Attribute::PasswordAlgorithms(PasswordAlgorithms::Wire(
                    offered,
                )))?;
                b.add(&Attribute::PasswordAlgorithm(PasswordAlgorithm {
                    algorithm: self.auth.algorithm,
                    params: &[],
                }))?;
            }
            if self.auth.algorithm == password_algorithm::SHA256 {
                b.add_message_integrity_sha256(key)?;
            } else {
                b.add_message_integrity(key)?;
            }
        }
        b.add_fingerprint()?;
        Ok(())
    }

    /// Checks the integrity of a response to an authenticated request with the key it was
    /// sent with.
    pub(crate) fn verify_response(&self, message: &Message<'_>) -> Result<(), Error> {
        let key = self
            .auth
            .key
            .as_ref()
            .ok_or(crate::IntegrityError::Missing)?;
        if self.auth.algorithm == password_algorithm::SHA256 {
            message.verify_integrity_sha256(key)?;
        } else {
            message.verify_integrity(key)?;
        }
        Ok(())
    }
}
