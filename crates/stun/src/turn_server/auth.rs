//! Long-term credentials on the server side (RFC 8489 §9.2): the user table with keys derived
//! once, stateless nonces, and the checks of §9.2.4 in their order.

use super::config::TurnServerConfig;
use crate::credentials::{NONCE_COOKIE, SecurityFeatures, long_term_key, userhash};
use crate::integrity::IntegrityKey;
use crate::wire::{
    Attribute, Message, PasswordAlgorithm, PasswordAlgorithms, attr, error_code, password_algorithm,
};
use rand::Rng;
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

/// The algorithms offered in PASSWORD-ALGORITHMS, SHA-256 first (RFC 8489 §14.11).
pub(crate) const OFFERED: [PasswordAlgorithm<'static>; 2] = [
    PasswordAlgorithm {
        algorithm: password_algorithm::SHA256,
        params: &[],
    },
    PasswordAlgorithm {
        algorithm: password_algorithm::MD5,
        params: &[],
    },
];

/// One user: its name and both long-term keys.
#[derive(Debug)]
pub(crate) struct User {
    pub(crate) name: String,
    md5: IntegrityKey,
    sha256: IntegrityKey,
}

/// How an authenticated request was signed, so its response is signed the same way
/// (RFC 8489 §9.2.4: "the response MUST include ... using the same algorithm").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Signer {
    pub(crate) user: usize,
    pub(crate) sha256_key: bool,
    pub(crate) sha256_mac: bool,
}

/// Why a request failed authentication: the error code to answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// 401 with REALM and NONCE (no or wrong credentials).
    Unauthenticated,
    /// 400 (credentials attributes missing or inconsistent).
    BadRequest,
    /// 438 with a fresh NONCE.
    StaleNonce,
}

impl Refusal {
    pub(crate) const fn code(self) -> u16 {
        match self {
            Self::Unauthenticated => error_code::UNAUTHENTICATED,
            Self::BadRequest => error_code::BAD_REQUEST,
            Self::StaleNonce => error_code::STALE_NONCE,
        }
    }
}

/// Length of the nonce MAC, in bytes.
const MAC_LEN: usize = 12;

/// The user table and the nonce secret.
#[derive(Debug)]
pub(crate) struct Auth {
    pub(crate) realm: String,
    users: Vec<User>,
    by_name: BTreeMap<String, usize>,
    by_hash: BTreeMap<[u8; 32], usize>,
    features: SecurityFeatures,
    secret: ring::hmac::Key,
    epoch: Instant,
    nonce_lifetime: Duration,
}

fn hex_digit(n: u8) -> u8 {
    b"0123456789abcdef"[usize::from(n & 0x0f)]
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

impl Auth {
    /// Derives every user's keys. Users whose password or name cannot be prepared are left
    /// out (they could never authenticate).
    pub(crate) fn new<R: Rng + ?Sized>(
        config: &TurnServerConfig,
        now: Instant,
        rng: &mut R,
    ) -> Self {
        let mut users = Vec::new();
        let mut by_name = BTreeMap::new();
        let mut by_hash = BTreeMap::new();
        let prep = config.password_prep;
        for (name, password) in &config.users {
            let md5 = long_term_key(name, &config.realm, password, password_algorithm::MD5, prep);
            let sha256 = long_term_key(
                name,
                &config.realm,
                password,
                password_algorithm::SHA256,
                prep,
            );
            let (Ok(md5), Ok(sha256)) = (md5, sha256) else {
                continue;
            };
            let index = users.len();
            if let Ok(hash) = userhash(name, &config.realm) {
                by_hash.insert(hash, index);
            }
            by_name.insert(name.clone(), index);
            users.push(User {
                name: name.clone(),
                md5,
                sha256,
            });
        }
        let mut features = 0;
        if config.offer_sha256 {
            features |= SecurityFeatures::PASSWORD_ALGORITHMS;
        }
        if config.offer_userhash {
            features |= SecurityFeatures::USERNAME_ANONYMITY;
        }
        let mut secret = [0u8; 32];
        rng.fill_bytes(&mut secret);
        Self {
            realm: config.realm.clone(),
            users,
            by_name,
            by_hash,
            features: SecurityFeatures(features),
            secret: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &secret),
            epoch: now,
            nonce_lifetime: config.nonce_lifetime,
        }
    }

    pub(crate) fn user(&self, index: usize) -> Option<&User> {
        self.users.get(index)
    }

    pub(crate) fn offers_sha256(&self) -> bool {
        self.features.password_algorithms()
    }

    /// The key a signer uses.
    pub(crate) fn key(&self, signer: Signer) -> Option<&IntegrityKey> {
        let user = self.users.get(signer.user)?;
        Some(if signer.sha256_key {
            &user.sha256
        } else {
            &user.md5
        })
    }

    fn mac(&self, expiry: u32, ip: IpAddr) -> ring::hmac::Tag {
        let mut ctx = ring::hmac::Context::with_key(&self.secret);
        ctx.update(&expiry.to_be_bytes());
        match ip {
            IpAddr::V4(v4) => ctx.update(&v4.octets()),
            IpAddr::V6(v6) => ctx.update(&v6.octets()),
        }
        ctx.sign()
    }

    /// A fresh nonce for a client (RFC 8489 §9.2: the nonce cookie, the security feature bits,
    /// then an expiry and a MAC binding it to the client's IP address). Nothing is stored.
    pub(crate) fn nonce(&self, now: Instant, client: SocketAddr) -> [u8; 45] {
        let secs = (now.saturating_duration_since(self.epoch) + self.nonce_lifetime).as_secs();
        let expiry = u32::try_from(secs).unwrap_or(u32::MAX);
        let mut out = [0u8; 45];
        out[..9].copy_from_slice(NONCE_COOKIE.as_bytes());
        out[9..13].copy_from_slice(&self.features.encode());
        let tag = self.mac(expiry, client.ip());
        let mut body = [0u8; 4 + MAC_LEN];
        body[..4].copy_from_slice(&expiry.to_be_bytes());
        body[4..].copy_from_slice(&tag.as_ref()[..MAC_LEN]);
        for (i, b) in body.iter().enumerate() {
            out[13 + 2 * i] = hex_digit(b >> 4);
            out[14 + 2 * i] = hex_digit(*b);
        }
        out
    }

    /// Whether a nonce is one of ours, for this client, and not expired.
    fn nonce_valid(&self, nonce: &str, now: Instant, client: SocketAddr) -> bool {
        let bytes = nonce.as_bytes();
        if bytes.len() != 45 || !nonce.starts_with(NONCE_COOKIE) {
            return false;
        }
        let mut body = [0u8; 4 + MAC_LEN];
        for (i, b) in body.iter_mut().enumerate() {
            match (hex_value(bytes[13 + 2 * i]), hex_value(bytes[14 + 2 * i])) {
                (Some(hi), Some(lo)) => *b = (hi << 4) | lo,
                _ => return false,
            }
        }
        let expiry = u32::from_be_bytes([body[0], body[1], body[2], body[3]]);
        let tag = self.mac(expiry, client.ip());
        if !sansrtc_proto::constant_time::eq(&tag.as_ref()[..MAC_LEN], &body[4..]) {
            return false;
        }
        now.saturating_duration_since(self.epoch).as_secs() < u64::from(expiry)
    }

    /// The checks of RFC 8489 §9.2.4 on a request, in the RFC's order: credentials present,
    /// user known, password algorithm consistent, integrity, then nonce freshness.
    pub(crate) fn check(
        &self,
        message: &Message<'_>,
        now: Instant,
        client: SocketAddr,
    ) -> Result<Signer, Refusal> {
        if !message.has_integrity() && !message.has_integrity_sha256() {
            return Err(Refusal::Unauthenticated);
        }
        let username = message.username();
        let hash = message.get(attr::USERHASH).and_then(|a| match a {
            Ok(Attribute::UserHash(h)) => Some(h),
            _ => None,
        });
        let (Some(nonce), Some(_realm)) = (message.nonce(), message.realm()) else {
            return Err(Refusal::BadRequest);
        };
        let user = match (username, hash) {
            (Some(name), _) => self.by_name.get(name).copied(),
            (None, Some(hash)) if self.features.username_anonymity() => {
                self.by_hash.get(hash).copied()
            }
            (None, Some(_)) => None,
            (None, None) => return Err(Refusal::BadRequest),
        };
        let user = user.ok_or(Refusal::Unauthenticated)?;
        let algorithm = match message.get(attr::PASSWORD_ALGORITHM) {
            None => password_algorithm::MD5,
            Some(Ok(Attribute::PasswordAlgorithm(chosen))) => {
                // RFC 8489 §9.2.4: PASSWORD-ALGORITHMS must echo our offer, and the chosen
                // algorithm must be in it.
                let Some(Ok(Attribute::PasswordAlgorithms(echoed))) =
                    message.get(attr::PASSWORD_ALGORITHMS)
                else {
                    return Err(Refusal::BadRequest);
                };
                if !self.offers_sha256()
                    || echoed != PasswordAlgorithms::List(&OFFERED)
                    || !OFFERED.iter().any(|a| a.algorithm == chosen.algorithm)
                {
                    return Err(Refusal::BadRequest);
                }
                chosen.algorithm
            }
            Some(_) => return Err(Refusal::BadRequest),
        };
        let signer = Signer {
            user,
            sha256_key: algorithm == password_algorithm::SHA256,
            sha256_mac: message.has_integrity_sha256(),
        };
        let key = self.key(signer).ok_or(Refusal::Unauthenticated)?;
        let verified = if signer.sha256_mac {
            message.verify_integrity_sha256(key)
        } else {
            message.verify_integrity(key)
        };
        verified.map_err(|_| Refusal::Unauthenticated)?;
        if !self.nonce_valid(nonce, now, client) {
            return Err(Refusal::StaleNonce);
        }
        Ok(signer)
    }
}
