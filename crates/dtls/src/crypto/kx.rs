//! Ephemeral ECDHE (RFC 8422 §5.4, §5.10; RFC 7748 for X25519).

use ring::agreement::{self, ECDH_P256, ECDH_P384, EphemeralPrivateKey, UnparsedPublicKey, X25519};

use crate::Error;
use crate::wire::{AlertDescription, NamedGroup};

/// The groups this crate does ECDHE over, in the order it prefers them.
pub const SUPPORTED_GROUPS: [NamedGroup; 3] = [
    NamedGroup::X25519,
    NamedGroup::SECP256R1,
    NamedGroup::SECP384R1,
];

fn algorithm(group: NamedGroup) -> Option<&'static agreement::Algorithm> {
    match group {
        NamedGroup::X25519 => Some(&X25519),
        NamedGroup::SECP256R1 => Some(&ECDH_P256),
        NamedGroup::SECP384R1 => Some(&ECDH_P384),
        _ => None,
    }
}

/// One side's ephemeral key share: used once, then gone.
pub struct KeyShare {
    group: NamedGroup,
    private: EphemeralPrivateKey,
    public: Vec<u8>,
}

impl std::fmt::Debug for KeyShare {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyShare")
            .field("group", &self.group)
            .finish_non_exhaustive()
    }
}

impl KeyShare {
    /// A fresh key pair in `group`. The private key comes from the operating system's
    /// randomness: ring's key generation cannot be seeded (see the architecture document).
    ///
    /// # Errors
    /// [`Error::Protocol`] with `illegal_parameter` for a group this crate does not support.
    pub fn generate(group: NamedGroup) -> Result<Self, Error> {
        let alg = algorithm(group).ok_or(Error::Protocol(AlertDescription::ILLEGAL_PARAMETER))?;
        let rng = ring::rand::SystemRandom::new();
        let private = EphemeralPrivateKey::generate(alg, &rng)
            .map_err(|_| Error::Protocol(AlertDescription::INTERNAL_ERROR))?;
        let public = private
            .compute_public_key()
            .map_err(|_| Error::Protocol(AlertDescription::INTERNAL_ERROR))?
            .as_ref()
            .to_vec();
        Ok(Self {
            group,
            private,
            public,
        })
    }

    /// The group.
    pub fn group(&self) -> NamedGroup {
        self.group
    }

    /// The public value as sent: 32 bytes for X25519, an uncompressed point (0x04 || x || y)
    /// for the NIST curves (RFC 8422 §5.4.1).
    pub fn public(&self) -> &[u8] {
        &self.public
    }

    /// The pre-master secret with the peer's public value (RFC 8422 §5.10: the x-coordinate
    /// for the NIST curves, the X25519 output otherwise).
    ///
    /// # Errors
    /// [`Error::Protocol`] with `illegal_parameter` for a public value that is not a valid
    /// point of the group (ring checks it; an all-zero X25519 result is refused too, as RFC
    /// 8422 §5.11 requires).
    pub fn agree(self, peer_public: &[u8]) -> Result<Vec<u8>, Error> {
        let alg =
            algorithm(self.group).ok_or(Error::Protocol(AlertDescription::ILLEGAL_PARAMETER))?;
        let secret = agreement::agree_ephemeral(
            self.private,
            &UnparsedPublicKey::new(alg, peer_public),
            |s| s.to_vec(),
        )
        .map_err(|_| Error::Protocol(AlertDescription::ILLEGAL_PARAMETER))?;
        if secret.iter().all(|&b| b == 0) {
            return Err(Error::Protocol(AlertDescription::ILLEGAL_PARAMETER));
        }
        Ok(secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_agree_in_every_group_and_bad_points_are_refused() {
        for group in SUPPORTED_GROUPS {
            let (a, b) = (
                KeyShare::generate(group).unwrap(),
                KeyShare::generate(group).unwrap(),
            );
            let expected_len = match group {
                NamedGroup::X25519 => 32,
                NamedGroup::SECP256R1 => 65,
                _ => 97,
            };
            assert_eq!(a.public().len(), expected_len);
            let (a_pub, b_pub) = (a.public().to_vec(), b.public().to_vec());
            assert_eq!(
                a.agree(&b_pub).unwrap(),
                b.agree(&a_pub).unwrap(),
                "{group:?}"
            );
            let bad = vec![0u8; expected_len];
            assert!(
                KeyShare::generate(group).unwrap().agree(&bad).is_err(),
                "{group:?}"
            );
        }
        assert!(KeyShare::generate(NamedGroup::SECP521R1).is_err());
    }
}
