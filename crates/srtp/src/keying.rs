//! Master keys, and the split of DTLS-SRTP keying material (RFC 5764 §4.2).

use crate::{Error, Profile};

/// A master key and master salt for one direction (RFC 3711 §3.2.1, §8.1).
#[derive(Clone, PartialEq, Eq)]
pub struct MasterKey {
    profile: Profile,
    key: [u8; 32],
    salt: [u8; 14],
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKey")
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

impl Drop for MasterKey {
    fn drop(&mut self) {
        self.key.fill(0);
        self.salt.fill(0);
        std::hint::black_box(&mut self.key);
    }
}

impl MasterKey {
    /// A master key for `profile`.
    ///
    /// # Errors
    /// [`Error::BadKeyLength`] unless `key` is [`Profile::key_len`] bytes and `salt`
    /// [`Profile::salt_len`] bytes.
    pub fn new(profile: Profile, key: &[u8], salt: &[u8]) -> Result<Self, Error> {
        if key.len() != profile.key_len() || salt.len() != profile.salt_len() {
            return Err(Error::BadKeyLength);
        }
        let mut master = Self {
            profile,
            key: [0; 32],
            salt: [0; 14],
        };
        master.key[..key.len()].copy_from_slice(key);
        master.salt[..salt.len()].copy_from_slice(salt);
        Ok(master)
    }

    /// The profile this key is for.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The master key bytes.
    pub fn key(&self) -> &[u8] {
        &self.key[..self.profile.key_len()]
    }

    /// The master salt bytes.
    pub fn salt(&self) -> &[u8] {
        &self.salt[..self.profile.salt_len()]
    }

    /// The salt as the 112-bit field the key derivation of RFC 3711 §4.3 works on: a 12-byte
    /// GCM salt sits left-aligned with two zero bytes after it (RFC 7714 §11).
    pub(crate) fn salt_field(&self) -> [u8; 14] {
        self.salt
    }
}

/// The DTLS role of this endpoint, which decides which half of the keying material is ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The DTLS client: protects with the client write key.
    Client,
    /// The DTLS server: protects with the server write key.
    Server,
}

/// Length of the keying material to export with the label `EXTRACTOR-dtls_srtp` for
/// `profile`: two keys and two salts (RFC 5764 §4.2).
pub const fn keying_material_len(profile: Profile) -> usize {
    2 * (profile.key_len() + profile.salt_len())
}

/// The client and server master keys from DTLS-SRTP keying material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DtlsSrtpKeys {
    /// `client_write_SRTP_master_key` and its salt.
    pub client: MasterKey,
    /// `server_write_SRTP_master_key` and its salt.
    pub server: MasterKey,
}

impl DtlsSrtpKeys {
    /// Splits exporter output laid out as RFC 5764 §4.2 says: client key, server key, client
    /// salt, server salt.
    ///
    /// # Errors
    /// [`Error::BadKeyLength`] unless `material` is [`keying_material_len`] bytes.
    pub fn split(profile: Profile, material: &[u8]) -> Result<Self, Error> {
        if material.len() != keying_material_len(profile) {
            return Err(Error::BadKeyLength);
        }
        let (keys, salts) = material.split_at(2 * profile.key_len());
        let (client_key, server_key) = keys.split_at(profile.key_len());
        let (client_salt, server_salt) = salts.split_at(profile.salt_len());
        Ok(Self {
            client: MasterKey::new(profile, client_key, client_salt)?,
            server: MasterKey::new(profile, server_key, server_salt)?,
        })
    }

    /// The key this endpoint protects its own packets with.
    pub fn local(&self, role: Role) -> &MasterKey {
        match role {
            Role::Client => &self.client,
            Role::Server => &self.server,
        }
    }

    /// The key the peer protects its packets with.
    pub fn remote(&self, role: Role) -> &MasterKey {
        match role {
            Role::Client => &self.server,
            Role::Server => &self.client,
        }
    }
}
