//! 16-bit sequence numbers extended to 64 bits (RFC 3550 §A.1): one counting of wraps for
//! every receiver that orders packets (receive statistics, frame assembly, transport-wide
//! feedback).

/// `sequence` extended to 64 bits, as near as can be to `highest` (the highest extended
/// number seen, `None` before the first). The first lands in cycle 1, so that packets that
/// came out of order before it still extend below it.
pub fn extend_sequence(highest: Option<u64>, sequence: u16) -> u64 {
    let Some(highest) = highest else {
        return (1 << 16) + u64::from(sequence);
    };
    let candidate = (highest & !0xffff) | u64::from(sequence);
    [
        candidate.wrapping_sub(1 << 16),
        candidate,
        candidate + (1 << 16),
    ]
    .into_iter()
    .filter(|&c| c >= 1 << 15)
    .min_by_key(|&c| c.abs_diff(highest))
    .unwrap_or(candidate)
}

#[cfg(test)]
mod tests {
    use super::extend_sequence;

    #[test]
    fn sequences_extend_across_wraps_both_ways() {
        let first = extend_sequence(None, 65_535);
        assert_eq!(first, (1 << 16) + 65_535);
        assert_eq!(
            extend_sequence(Some(first), 0),
            2 << 16,
            "forward across the wrap"
        );
        assert_eq!(
            extend_sequence(Some(2 << 16), 65_534),
            (1 << 16) + 65_534,
            "late, back across"
        );
        assert_eq!(extend_sequence(Some(first), 100), 2 << 16 | 100);
        let early = extend_sequence(None, 10);
        assert_eq!(
            extend_sequence(Some(early), 5),
            (1 << 16) + 5,
            "below the first"
        );
    }
}
