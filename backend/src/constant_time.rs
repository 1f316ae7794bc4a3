//! Comparing secrets without telling an attacker, through timing, how much of a guess was right.

/// Whether `a` and `b` are equal, in time that depends only on their lengths.
pub fn eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn equal_only_when_every_byte_is() {
        assert!(super::eq(b"local-secret", b"local-secret"));
        assert!(!super::eq(b"local-secret", b"local-secreT"));
        assert!(!super::eq(b"local-secret", b"local-secret-and-more"));
        assert!(!super::eq(b"", b"x"));
    }
}
