//! Constant-time comparison of secrets (MACs, AEAD-independent tags, Finished verify_data,
//! cookies, fingerprints), shared by every crate that checks one.

/// Whether `a` and `b` are equal, in time that depends only on their lengths: every byte is
/// compared whatever the first difference, so a forger learns nothing from timing.
pub fn eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn checks_lengths_and_every_byte() {
        assert!(super::eq(b"abc", b"abc"));
        assert!(!super::eq(b"abc", b"abd"));
        assert!(!super::eq(b"xbc", b"abc"));
        assert!(!super::eq(b"abc", b"ab"));
        assert!(super::eq(b"", b""));
    }
}
