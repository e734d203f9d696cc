//! Finding a byte in the short fields of a message (a URI, a parameter, a header name), eight
//! bytes at a time in a `u64`.
//!
//! Header fields are a few dozen bytes: too short to repay the setup of `memchr`'s vectorized
//! search, too long for a byte-at-a-time loop to be cheap. Comparing a word at a time is plain
//! safe arithmetic and stays `no_std`.

const LO: u64 = u64::from_ne_bytes([0x01; 8]);
const HI: u64 = u64::from_ne_bytes([0x80; 8]);

/// The high bit of every byte of `w` that is zero. Above the first zero byte a borrow may set
/// further bits, so only the lowest set bit is exact: the callers use only that one.
#[inline]
const fn zero_bytes(w: u64) -> u64 {
    w.wrapping_sub(LO) & !w & HI
}

/// The little-endian word at `at`, if 8 bytes remain.
#[inline]
fn word(b: &[u8], at: usize) -> Option<u64> {
    let w: [u8; 8] = b.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(w))
}

/// Offset in its word of the byte whose high bit is the lowest set bit of `mask` (non-zero).
#[inline]
const fn first(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

/// Index of the first `x` in `b`.
#[inline]
#[must_use]
pub(crate) fn find(b: &[u8], x: u8) -> Option<usize> {
    let vx = LO * u64::from(x);
    let mut i = 0;
    while let Some(w) = word(b, i) {
        let m = zero_bytes(w ^ vx);
        if m != 0 {
            return Some(i + first(m));
        }
        i += 8;
    }
    let tail = b.get(i..)?;
    tail.iter().position(|&c| c == x).map(|j| i + j)
}

/// Index of the first `x` or `y` in `b`.
#[inline]
#[must_use]
pub(crate) fn find2(b: &[u8], x: u8, y: u8) -> Option<usize> {
    let (vx, vy) = (LO * u64::from(x), LO * u64::from(y));
    let mut i = 0;
    while let Some(w) = word(b, i) {
        let m = zero_bytes(w ^ vx) | zero_bytes(w ^ vy);
        if m != 0 {
            return Some(i + first(m));
        }
        i += 8;
    }
    let tail = b.get(i..)?;
    tail.iter().position(|&c| c == x || c == y).map(|j| i + j)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The same answers as a byte-at-a-time search, wherever the bytes are.
        #[test]
        fn agrees_with_position(b in proptest::collection::vec(any::<u8>(), 0..40), x: u8, y: u8) {
            prop_assert_eq!(find(&b, x), b.iter().position(|&c| c == x));
            prop_assert_eq!(find2(&b, x, y), b.iter().position(|&c| c == x || c == y));
        }

        /// The same, from a three-letter alphabet, so that matches (and bytes one above them,
        /// where a borrow lands) are everywhere.
        #[test]
        fn agrees_on_dense_input(b in proptest::collection::vec(0u8..3, 0..40), x in 0u8..3, y in 0u8..3) {
            prop_assert_eq!(find(&b, x), b.iter().position(|&c| c == x));
            prop_assert_eq!(find2(&b, x, y), b.iter().position(|&c| c == x || c == y));
        }
    }

    #[test]
    fn borrows_do_not_mislead() {
        // 0x01 after a match: the borrow from the zero byte must not hide or move it.
        let b = [b'a', 0x3b, 0x01, 0x3c, 0, 0, 0, 0, 0x3b];
        assert_eq!(find(&b, 0x3b), Some(1));
        assert_eq!(find(&[0x3c, 0x3b, 1, 2, 3, 4, 5, 6, 7], 0x3b), Some(1));
        assert_eq!(
            find(&[0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07], 0x01),
            Some(1)
        );
        assert_eq!(find2(b"abcdefgh;", b';', b'"'), Some(8));
        assert_eq!(find2(b"", b';', b'"'), None);
    }
}
