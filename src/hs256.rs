//! HMAC-SHA256 (RFC 2104) with the key schedule done once per key.
//!
//! HMAC hashes `key ^ ipad` and `key ^ opad` as the first block of its two
//! SHA-256 runs. Those two blocks depend on the key alone, so [`Hs256Key::new`]
//! compresses them once and keeps the two 32-byte midstates. Verifying a token
//! then costs only the compression of the signing input plus two short
//! finishing blocks, with no allocation and no per-call key setup.
//!
//! The midstates are key material (they let anyone forge tags), so they are
//! zeroed on drop and never printed.

use sha2::compress256;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Length in bytes of an HS256 signature.
pub(crate) const TAG_LEN: usize = 32;

const BLOCK: usize = 64;
const SHA256_IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// A prepared HMAC-SHA256 key: the inner and outer SHA-256 midstates.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct Hs256Key {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl std::fmt::Debug for Hs256Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hs256Key(<redacted>)")
    }
}

impl Hs256Key {
    /// Runs the HMAC key schedule for `secret`.
    pub(crate) fn new(secret: &[u8]) -> Self {
        let mut key_block = [0u8; BLOCK];
        if secret.len() > BLOCK {
            let mut digest = sha256(secret);
            key_block[..TAG_LEN].copy_from_slice(&digest);
            digest.zeroize();
        } else {
            key_block[..secret.len()].copy_from_slice(secret);
        }
        let mut pad = [0u8; BLOCK];
        let inner = midstate(&key_block, 0x36, &mut pad);
        let outer = midstate(&key_block, 0x5c, &mut pad);
        key_block.zeroize();
        pad.zeroize();
        Self { inner, outer }
    }

    /// The HMAC-SHA256 tag of `message`.
    pub(crate) fn tag(&self, message: &[u8]) -> [u8; TAG_LEN] {
        let mut state = self.inner;
        let inner_digest = finish(&mut state, BLOCK as u64, message);
        let mut state = self.outer;
        finish(&mut state, BLOCK as u64, &inner_digest)
    }

    /// Whether `tag` is the HMAC-SHA256 tag of `message`, compared in constant time.
    pub(crate) fn verify(&self, message: &[u8], tag: &[u8]) -> bool {
        tag.len() == TAG_LEN && bool::from(self.tag(message).ct_eq(tag))
    }
}

fn midstate(key_block: &[u8; BLOCK], pad_byte: u8, pad: &mut [u8; BLOCK]) -> [u32; 8] {
    for (p, k) in pad.iter_mut().zip(key_block) {
        *p = k ^ pad_byte;
    }
    let mut state = SHA256_IV;
    compress_block(&mut state, pad);
    state
}

/// Compresses one 64-byte block into `state`.
fn compress_block(state: &mut [u32; 8], block: &[u8]) {
    let mut array = [0u8; BLOCK];
    array.copy_from_slice(block);
    compress256(state, &[array.into()]);
}

fn sha256(data: &[u8]) -> [u8; TAG_LEN] {
    let mut state = SHA256_IV;
    finish(&mut state, 0, data)
}

/// Hashes `data` into `state` (which has already absorbed `prefix_len` bytes,
/// a multiple of the block size), applies SHA-256 padding and returns the digest.
fn finish(state: &mut [u32; 8], prefix_len: u64, data: &[u8]) -> [u8; TAG_LEN] {
    let mut blocks = data.chunks_exact(BLOCK);
    for block in blocks.by_ref() {
        compress_block(state, block);
    }
    let rest = blocks.remainder();
    let mut tail = [0u8; 2 * BLOCK];
    tail[..rest.len()].copy_from_slice(rest);
    tail[rest.len()] = 0x80;
    let tail_len = if rest.len() < BLOCK - 8 {
        BLOCK
    } else {
        2 * BLOCK
    };
    let bit_len = (prefix_len + data.len() as u64).wrapping_mul(8);
    tail[tail_len - 8..tail_len].copy_from_slice(&bit_len.to_be_bytes());
    for block in tail[..tail_len].chunks_exact(BLOCK) {
        compress_block(state, block);
    }
    let mut out = [0u8; TAG_LEN];
    for (chunk, word) in out.chunks_exact_mut(4).zip(state.iter()) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, Mac};

    fn reference(key: &[u8], msg: &[u8]) -> Vec<u8> {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
        mac.update(msg);
        mac.finalize().into_bytes().to_vec()
    }

    #[test]
    fn matches_rfc_4231_test_case_2() {
        let tag = Hs256Key::new(b"Jefe").tag(b"what do ya want for nothing?");
        let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn matches_the_hmac_crate_for_every_length_around_block_edges() {
        for key_len in [0, 1, 32, 63, 64, 65, 200] {
            let key: Vec<u8> = (0..key_len).map(|i| i as u8).collect();
            let prepared = Hs256Key::new(&key);
            for msg_len in 0..300 {
                let msg: Vec<u8> = (0..msg_len).map(|i| (i * 7) as u8).collect();
                assert_eq!(prepared.tag(&msg).to_vec(), reference(&key, &msg));
            }
        }
    }

    #[test]
    fn verify_rejects_wrong_and_truncated_tags() {
        let key = Hs256Key::new(&[7u8; 32]);
        let mut tag = key.tag(b"message");
        assert!(key.verify(b"message", &tag));
        assert!(!key.verify(b"message", &tag[..31]));
        tag[0] ^= 1;
        assert!(!key.verify(b"message", &tag));
    }

    #[test]
    fn debug_does_not_show_key_material() {
        assert_eq!(format!("{:?}", Hs256Key::new(b"k")), "Hs256Key(<redacted>)");
    }
}
