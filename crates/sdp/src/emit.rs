//! Fast text output: every SDP value writes itself into any `fmt::Write` with plain `write_str`
//! calls, so serializing a whole description into one `String` is monomorphic and never goes
//! through the formatting machinery per field. `Display` delegates to the same code.

use std::fmt::{self, Write};

/// Writes a value's SDP text.
pub(crate) trait Emit {
    /// Writes the value.
    fn emit<W: Write + ?Sized>(&self, w: &mut W) -> fmt::Result;
}

/// Writes an unsigned integer in decimal.
pub(crate) fn num<W: Write + ?Sized>(w: &mut W, n: impl Into<u64>) -> fmt::Result {
    let mut n: u64 = n.into();
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + u8::try_from(n % 10).unwrap_or(0);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    w.write_str(std::str::from_utf8(&buf[i..]).unwrap_or("0"))
}

/// Implements `Display` through [`Emit`].
macro_rules! display_via_emit {
    ($($t:ty),* $(,)?) => {
        $(impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                crate::emit::Emit::emit(self, f)
            }
        })*
    };
}
pub(crate) use display_via_emit;

#[cfg(test)]
mod tests {
    use super::num;

    #[test]
    fn numbers() {
        for n in [0u64, 7, 10, 99, 100, 4_611_731_400_430_051_336, u64::MAX] {
            let mut s = String::new();
            num(&mut s, n).unwrap();
            assert_eq!(s, n.to_string());
        }
    }
}
