//! Randomness conventions.
//!
//! Every state machine owns its generator, built from `config.rng_seed: Option<Seed>` with
//! [`from_seed`]:
//!
//! - `Some(seed)`: deterministic. Same seed, same inputs, same outputs; tests and simulations
//!   use this.
//! - `None`: seeded once from the operating system's entropy source. Production uses this.
//!
//! A machine that creates sub-machines (the `PeerConnection` facade creating ICE, DTLS and SCTP)
//! derives their seeds from its own generator with [`child_seed`], so one seed reproduces the
//! whole peer.
//!
//! No crate uses a thread-local or global generator: the workspace builds `rand` without its
//! `thread_rng` feature, and `clippy.toml` bans the helpers that would reach one.
//!
//! **Caveat.** `ring`'s `SecureRandom` trait is sealed, so ECDHE private keys and ECDSA
//! signature nonces always come from the operating system. A seeded run is reproducible in
//! event order and timing, not in key bytes (and ECDSA DER signatures vary between 70 and 72
//! bytes, so a flight's size can change between runs).

pub use rand::rngs::StdRng;
pub use rand::{Rng, RngExt, SeedableRng};

/// A 256-bit seed for a machine's generator.
pub type Seed = [u8; 32];

/// Builds a machine's generator: deterministic from `seed`, or from operating-system entropy
/// when `seed` is `None`.
///
/// # Panics
///
/// Only if the operating system cannot provide entropy at all (for example, very early in boot),
/// which no secure protocol stack can work around.
pub fn from_seed(seed: Option<Seed>) -> StdRng {
    match seed {
        Some(seed) => StdRng::from_seed(seed),
        None => match StdRng::try_from_rng(&mut rand::rngs::SysRng) {
            Ok(rng) => rng,
            Err(err) => panic!("the operating system's entropy source failed: {err}"),
        },
    }
}

/// Derives a seed for a sub-machine from a parent's generator.
pub fn child_seed<R: Rng + ?Sized>(parent: &mut R) -> Seed {
    let mut seed = [0u8; 32];
    parent.fill_bytes(&mut seed);
    seed
}

/// Expands a small integer into a full [`Seed`] (SplitMix64), for tests and seed sweeps:
/// `rng_seed: Some(seed_from_u64(7))`.
pub fn seed_from_u64(mut state: u64) -> Seed {
    let mut seed = [0u8; 32];
    for chunk in seed.chunks_exact_mut(8) {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        chunk.copy_from_slice(&z.to_le_bytes());
    }
    seed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = from_seed(Some(seed_from_u64(1)));
        let mut b = from_seed(Some(seed_from_u64(1)));
        let xs: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
    }

    #[test]
    fn different_seeds_differ() {
        assert_ne!(seed_from_u64(1), seed_from_u64(2));
        let mut a = from_seed(Some(seed_from_u64(1)));
        let mut b = from_seed(Some(seed_from_u64(2)));
        assert_ne!(a.next_u64(), b.next_u64());
    }

    #[test]
    fn os_seeded_generators_differ() {
        let mut a = from_seed(None);
        let mut b = from_seed(None);
        assert_ne!(
            (a.next_u64(), a.next_u64()),
            (b.next_u64(), b.next_u64()),
            "two OS-seeded generators produced the same 128 bits"
        );
    }

    #[test]
    fn child_seeds_are_reproducible_and_distinct() {
        let mut parent = from_seed(Some(seed_from_u64(9)));
        let c1 = child_seed(&mut parent);
        let c2 = child_seed(&mut parent);
        assert_ne!(c1, c2);
        let mut again = from_seed(Some(seed_from_u64(9)));
        assert_eq!(child_seed(&mut again), c1);
    }
}
