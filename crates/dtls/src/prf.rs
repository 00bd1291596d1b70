//! The TLS 1.2 pseudorandom function and what DTLS 1.2 derives with it: the master secret
//! (RFC 5246 §8.1, extended: RFC 7627 §4), the key block (RFC 5246 §6.3), Finished
//! verify_data (RFC 5246 §7.4.9) and exported keying material (RFC 5705 §4), e.g. the
//! `EXTRACTOR-dtls_srtp` keys of RFC 5764 §4.2.

use ring::hmac;

/// The hash a cipher suite's PRF uses (RFC 5246 §5: SHA-256 unless the suite names another).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrfHash {
    /// P_SHA256.
    Sha256,
    /// P_SHA384 (the `_SHA384` suites, RFC 5289 §3.2).
    Sha384,
}

impl PrfHash {
    fn algorithm(self) -> hmac::Algorithm {
        match self {
            Self::Sha256 => hmac::HMAC_SHA256,
            Self::Sha384 => hmac::HMAC_SHA384,
        }
    }

    /// The digest algorithm of the handshake transcript hash for this PRF.
    pub fn digest(self) -> &'static ring::digest::Algorithm {
        match self {
            Self::Sha256 => &ring::digest::SHA256,
            Self::Sha384 => &ring::digest::SHA384,
        }
    }
}

/// Bytes of a master secret (RFC 5246 §8.1).
pub const MASTER_SECRET_LEN: usize = 48;

/// Bytes of Finished verify_data for every TLS 1.2 suite here (RFC 5246 §7.4.9).
pub const VERIFY_DATA_LEN: usize = 12;

/// `PRF(secret, label, seed)` of RFC 5246 §5, filling `out`: `P_hash(secret, label || seed)`.
/// `seed` is given in parts, which are concatenated.
pub fn prf(hash: PrfHash, secret: &[u8], label: &[u8], seed: &[&[u8]], out: &mut [u8]) {
    let key = hmac::Key::new(hash.algorithm(), secret);
    // A(1) = HMAC(secret, label || seed); A(i) = HMAC(secret, A(i-1)).
    let mut context = hmac::Context::with_key(&key);
    context.update(label);
    for part in seed {
        context.update(part);
    }
    let mut a = context.sign();
    let mut filled = 0;
    while filled < out.len() {
        let mut context = hmac::Context::with_key(&key);
        context.update(a.as_ref());
        context.update(label);
        for part in seed {
            context.update(part);
        }
        let block = context.sign();
        let take = block.as_ref().len().min(out.len() - filled);
        out[filled..filled + take].copy_from_slice(&block.as_ref()[..take]);
        filled += take;
        a = hmac::sign(&key, a.as_ref());
    }
}

/// The master secret of RFC 5246 §8.1: `PRF(pre_master_secret, "master secret",
/// client_random || server_random)`. WebRTC peers use the extended one instead
/// ([`extended_master_secret`]); this form is for RFC test vectors and legacy peers.
pub fn master_secret(
    hash: PrfHash,
    pre_master_secret: &[u8],
    client_random: &[u8; 32],
    server_random: &[u8; 32],
) -> [u8; MASTER_SECRET_LEN] {
    let mut out = [0u8; MASTER_SECRET_LEN];
    prf(
        hash,
        pre_master_secret,
        b"master secret",
        &[client_random, server_random],
        &mut out,
    );
    out
}

/// The extended master secret of RFC 7627 §4: `PRF(pre_master_secret, "extended master
/// secret", session_hash)`, where `session_hash` is the transcript hash up to and including
/// ClientKeyExchange.
pub fn extended_master_secret(
    hash: PrfHash,
    pre_master_secret: &[u8],
    session_hash: &[u8],
) -> [u8; MASTER_SECRET_LEN] {
    let mut out = [0u8; MASTER_SECRET_LEN];
    prf(
        hash,
        pre_master_secret,
        b"extended master secret",
        &[session_hash],
        &mut out,
    );
    out
}

/// The write keys and implicit IVs of an AEAD suite (RFC 5246 §6.3 with mac_key_length 0;
/// RFC 5288 §3: 4-byte salt for GCM; RFC 7905 §2: 12-byte IV for ChaCha20-Poly1305).
#[derive(Clone, PartialEq, Eq)]
pub struct KeyBlock {
    /// client_write_key.
    pub client_key: Vec<u8>,
    /// server_write_key.
    pub server_key: Vec<u8>,
    /// client_write_IV.
    pub client_iv: Vec<u8>,
    /// server_write_IV.
    pub server_iv: Vec<u8>,
}

impl std::fmt::Debug for KeyBlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyBlock(..)")
    }
}

impl KeyBlock {
    /// `PRF(master_secret, "key expansion", server_random || client_random)` split into two
    /// keys of `key_len` and two IVs of `iv_len` bytes (RFC 5246 §6.3).
    pub fn derive(
        hash: PrfHash,
        master_secret: &[u8; MASTER_SECRET_LEN],
        client_random: &[u8; 32],
        server_random: &[u8; 32],
        key_len: usize,
        iv_len: usize,
    ) -> Self {
        let mut block = vec![0u8; 2 * (key_len + iv_len)];
        prf(
            hash,
            master_secret,
            b"key expansion",
            &[server_random, client_random],
            &mut block,
        );
        let (keys, ivs) = block.split_at(2 * key_len);
        let keyed = Self {
            client_key: keys[..key_len].to_vec(),
            server_key: keys[key_len..].to_vec(),
            client_iv: ivs[..iv_len].to_vec(),
            server_iv: ivs[iv_len..].to_vec(),
        };
        block.fill(0);
        keyed
    }
}

/// Finished verify_data (RFC 5246 §7.4.9): `PRF(master_secret, finished_label,
/// Hash(handshake_messages))[0..12]`, with the label "client finished" or "server finished".
pub fn verify_data(
    hash: PrfHash,
    master_secret: &[u8; MASTER_SECRET_LEN],
    client: bool,
    transcript_hash: &[u8],
) -> [u8; VERIFY_DATA_LEN] {
    let label: &[u8] = if client {
        b"client finished"
    } else {
        b"server finished"
    };
    let mut out = [0u8; VERIFY_DATA_LEN];
    prf(hash, master_secret, label, &[transcript_hash], &mut out);
    out
}

/// Exported keying material (RFC 5705 §4): `PRF(master_secret, label, client_random ||
/// server_random [|| context_length || context])`. With `context` `None` the seed has no
/// context at all, which differs from an empty context. DTLS-SRTP uses label
/// `EXTRACTOR-dtls_srtp` and no context (RFC 5764 §4.2).
///
/// Returns `false` (and leaves `out` zeroed) for a context longer than 65535 bytes.
pub fn export_keying_material(
    hash: PrfHash,
    master_secret: &[u8; MASTER_SECRET_LEN],
    client_random: &[u8; 32],
    server_random: &[u8; 32],
    label: &[u8],
    context: Option<&[u8]>,
    out: &mut [u8],
) -> bool {
    match context {
        None => prf(
            hash,
            master_secret,
            label,
            &[client_random, server_random],
            out,
        ),
        Some(context) => {
            let Ok(context_len) = u16::try_from(context.len()) else {
                out.fill(0);
                return false;
            };
            let len = context_len.to_be_bytes();
            prf(
                hash,
                master_secret,
                label,
                &[client_random, server_random, &len, context],
                out,
            );
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn vectors() -> Value {
        serde_json::from_str(include_str!(
            "../tests/vectors/tls12-prf-and-key-schedule.json"
        ))
        .unwrap()
    }

    #[test]
    fn prf_matches_the_tls_wg_vectors() {
        let v = vectors();
        for case in v["tls12_prf"].as_array().unwrap() {
            let hash = match case["name"].as_str().unwrap() {
                "P_SHA256" => PrfHash::Sha256,
                "P_SHA384" => PrfHash::Sha384,
                other => panic!("{other}"),
            };
            let want = hex(case["output"].as_str().unwrap());
            let mut out = vec![0u8; want.len()];
            let seed = hex(case["seed"].as_str().unwrap());
            prf(
                hash,
                &hex(case["secret"].as_str().unwrap()),
                b"test label",
                &[&seed],
                &mut out,
            );
            assert_eq!(out, want, "{hash:?}");
        }
    }

    #[test]
    fn key_schedule_chain_from_x25519_to_srtp_keys() {
        let v = &vectors()["dtls12_key_schedule_chain"];
        let field = |name: &str| hex(v[name].as_str().unwrap());
        // X25519 with a fixed private key is not possible through ring (its keys come from
        // the OS), so the chain starts at the pre-master secret.
        let client_random: [u8; 32] = field("client_random").try_into().unwrap();
        let server_random: [u8; 32] = field("server_random").try_into().unwrap();
        let master = master_secret(
            PrfHash::Sha256,
            &field("pre_master_secret"),
            &client_random,
            &server_random,
        );
        assert_eq!(master.to_vec(), field("master_secret"));
        let kb = &v["key_block_for_AES_128_GCM"];
        let block = KeyBlock::derive(
            PrfHash::Sha256,
            &master,
            &client_random,
            &server_random,
            16,
            4,
        );
        assert_eq!(
            block.client_key,
            hex(kb["client_write_key"].as_str().unwrap())
        );
        assert_eq!(
            block.server_key,
            hex(kb["server_write_key"].as_str().unwrap())
        );
        assert_eq!(
            block.client_iv,
            hex(kb["client_write_iv"].as_str().unwrap())
        );
        assert_eq!(
            block.server_iv,
            hex(kb["server_write_iv"].as_str().unwrap())
        );
        let ex = &v["dtls_srtp_exporter_computed_here"];
        let mut out = [0u8; 60];
        assert!(export_keying_material(
            PrfHash::Sha256,
            &master,
            &client_random,
            &server_random,
            b"EXTRACTOR-dtls_srtp",
            None,
            &mut out
        ));
        assert_eq!(out.to_vec(), hex(ex["output"].as_str().unwrap()));
    }

    #[test]
    fn exporter_context_none_and_empty_differ() {
        let master = [7u8; MASTER_SECRET_LEN];
        let (mut none, mut empty) = ([0u8; 32], [0u8; 32]);
        export_keying_material(
            PrfHash::Sha256,
            &master,
            &[1; 32],
            &[2; 32],
            b"x",
            None,
            &mut none,
        );
        export_keying_material(
            PrfHash::Sha256,
            &master,
            &[1; 32],
            &[2; 32],
            b"x",
            Some(&[]),
            &mut empty,
        );
        assert_ne!(none, empty);
        let long = vec![0u8; 70_000];
        assert!(!export_keying_material(
            PrfHash::Sha256,
            &master,
            &[1; 32],
            &[2; 32],
            b"x",
            Some(&long),
            &mut none
        ));
    }

    #[test]
    fn finished_labels_differ_by_side() {
        let master = [9u8; MASTER_SECRET_LEN];
        let client = verify_data(PrfHash::Sha256, &master, true, &[0; 32]);
        let server = verify_data(PrfHash::Sha256, &master, false, &[0; 32]);
        assert_ne!(client, server);
        let ems = extended_master_secret(PrfHash::Sha384, &[1; 48], &[2; 48]);
        assert_ne!(
            ems,
            master_secret(PrfHash::Sha384, &[1; 48], &[0; 32], &[0; 32])
        );
    }
}
