//! Packet index estimation from the 16-bit sequence number and the rollover counter
//! (RFC 3711 §3.3.1 and Appendix A).

use crate::Error;

/// The largest SRTP packet index: 48 bits (RFC 3711 §3.3.1).
pub(crate) const MAX_SRTP_INDEX: u64 = (1 << 48) - 1;

/// The 48-bit index `ROC || SEQ` of a packet with sequence number `seq`, guessed from the
/// highest index `highest` seen so far exactly as RFC 3711 §3.3.1 does: a sequence number
/// more than half the space behind the last one belongs to the next rollover, one more than
/// half ahead to the previous. Before the first packet, `initial_roc` is the rollover counter.
///
/// # Errors
/// [`Error::TooOld`] for a packet from before rollover 0 (older than the first one seen), and
/// [`Error::KeyExhausted`] past 2^48 packets.
pub(crate) fn estimate(highest: Option<u64>, initial_roc: u32, seq: u16) -> Result<u64, Error> {
    let Some(highest) = highest else {
        return Ok(u64::from(initial_roc) << 16 | u64::from(seq));
    };
    let roc = highest >> 16;
    let s_l = (highest & 0xffff) as u16;
    let guess = if s_l < 0x8000 {
        if seq > s_l && seq - s_l > 0x8000 {
            roc.checked_sub(1).ok_or(Error::TooOld)?
        } else {
            roc
        }
    } else if s_l - 0x8000 > seq {
        roc + 1
    } else {
        roc
    };
    let index = guess << 16 | u64::from(seq);
    if index > MAX_SRTP_INDEX {
        return Err(Error::KeyExhausted);
    }
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_packet_takes_the_initial_rollover_counter() {
        assert_eq!(estimate(None, 0, 7), Ok(7));
        assert_eq!(estimate(None, 3, 7), Ok(3 << 16 | 7));
    }

    #[test]
    fn wrap_forward_and_late_packets_from_before_the_wrap() {
        let before_wrap = 5 << 16 | 65_530;
        assert_eq!(estimate(Some(before_wrap), 0, 3), Ok(6 << 16 | 3));
        let after_wrap = 6 << 16 | 3;
        assert_eq!(estimate(Some(after_wrap), 0, 65_534), Ok(5 << 16 | 65_534));
        assert_eq!(estimate(Some(after_wrap), 0, 10), Ok(6 << 16 | 10));
    }

    #[test]
    fn boundaries_follow_the_rfc_halves() {
        // s_l < 2^15: exactly 2^15 ahead is still this rollover.
        assert_eq!(estimate(Some(100), 0, 100 + 0x8000), Ok(100 + 0x8000));
        assert_eq!(
            estimate(Some(1 << 16 | 100), 0, 101 + 0x8000),
            Ok(101 + 0x8000)
        );
        // s_l >= 2^15: exactly 2^15 behind is still this rollover.
        assert_eq!(estimate(Some(0x9000), 0, 0x1000), Ok(0x1000));
        assert_eq!(estimate(Some(0x9000), 0, 0x0fff), Ok(1 << 16 | 0x0fff));
    }

    #[test]
    fn packets_before_rollover_zero_are_too_old_and_index_space_ends() {
        assert_eq!(estimate(Some(10), 0, 60_000), Err(Error::TooOld));
        let last = MAX_SRTP_INDEX - 5;
        assert_eq!(estimate(Some(last), 0, 3), Err(Error::KeyExhausted));
    }
}
