//! HMAC-SHA-256 (RFC 2104) over the `sha2` crate already in the build.
//!
//! The sample must be reproducible by anyone holding the database's seed, and unpredictable to a
//! reviewer who does not: a keyed hash gives both. The key's inner and outer states are computed
//! once, so each draw costs two short SHA-256 runs.

use sha2::{Digest, Sha256};

const BLOCK: usize = 64;

/// An HMAC-SHA-256 key, ready to authenticate messages.
#[derive(Clone)]
pub struct HmacSha256 {
    inner: Sha256,
    outer: Sha256,
}

impl HmacSha256 {
    pub fn new(key: &[u8]) -> HmacSha256 {
        // Keys longer than a block are hashed first (RFC 2104, section 2).
        let mut block = [0u8; BLOCK];
        if key.len() > BLOCK {
            block[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let mut inner = Sha256::new();
        let mut outer = Sha256::new();
        inner.update(block.map(|b| b ^ 0x36));
        outer.update(block.map(|b| b ^ 0x5c));
        HmacSha256 { inner, outer }
    }

    /// The MAC of the concatenation of `parts`.
    pub fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut inner = self.inner.clone();
        for part in parts {
            inner.update(part);
        }
        let mut outer = self.outer.clone();
        outer.update(inner.finalize());
        outer.finalize().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mac_hex(key: &[u8], data: &[u8]) -> String {
        hex::encode(HmacSha256::new(key).mac(&[data]))
    }

    // Test vectors from RFC 4231, "Identifiers and Test Vectors for HMAC-SHA-224, HMAC-SHA-256,
    // HMAC-SHA-384, and HMAC-SHA-512", section 4 (HMAC-SHA-256 lines).
    #[test]
    fn rfc_4231_test_case_1() {
        assert_eq!(
            mac_hex(&[0x0b; 20], b"Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
    }

    #[test]
    fn rfc_4231_test_case_2_short_key() {
        assert_eq!(
            mac_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn rfc_4231_test_case_6_key_longer_than_a_block() {
        assert_eq!(
            mac_hex(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            ),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn parts_are_concatenated() {
        let k = HmacSha256::new(b"Jefe");
        assert_eq!(
            k.mac(&[b"what do ya ", b"want for nothing?"]),
            k.mac(&[b"what do ya want for nothing?"])
        );
    }
}
