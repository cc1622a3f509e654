//! The JWS compact serialization (RFC 7515 7.1), read strictly:
//! `BASE64URL(header) "." BASE64URL(payload) "." BASE64URL(signature)`,
//! unpadded, in the URL-safe alphabet, with canonical trailing bits.
//!
//! Every base64url segment of a token, a cookie cache or a JWE is decoded
//! here: by `base64-simd` with feature `simd` (the default), by the
//! `base64` crate without it. Both refuse padding, the standard alphabet,
//! whitespace and non-canonical trailing bits.

#[cfg(any(test, feature = "test-util"))]
use base64::Engine as _;
#[cfg(any(test, feature = "test-util"))]
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::ErrorKind;

/// The three segments of a compact token, still encoded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Segments<'a> {
    /// `header "." payload`: the bytes the signature covers.
    pub(crate) signing_input: &'a [u8],
    pub(crate) header: &'a str,
    pub(crate) payload: &'a str,
    pub(crate) signature: &'a str,
}

impl<'a> Segments<'a> {
    /// Splits `token` at its first and last dots. Anything but exactly
    /// three segments is malformed: one dot, an empty header or payload,
    /// or a dot inside the payload (found with `memchr`: the signature is
    /// checked before the payload is decoded, so the decoder cannot be the
    /// one to notice).
    pub(crate) fn split(token: &'a str) -> Result<Self, ErrorKind> {
        let bytes = token.as_bytes();
        let (Some(first), Some(last)) = (memchr::memchr(b'.', bytes), memchr::memrchr(b'.', bytes))
        else {
            return Err(ErrorKind::Malformed);
        };
        if first == last {
            return Err(ErrorKind::Malformed);
        }
        let header = &token[..first];
        let payload = &token[first + 1..last];
        let signature = &token[last + 1..];
        if header.is_empty()
            || payload.is_empty()
            || memchr::memchr(b'.', payload.as_bytes()).is_some()
        {
            return Err(ErrorKind::Malformed);
        }
        Ok(Self {
            signing_input: &token.as_bytes()[..last],
            header,
            payload,
            signature,
        })
    }
}

/// Decodes one segment. Padding, `+`/`/`, whitespace and non-zero trailing
/// bits are all rejected, so each byte string has exactly one encoding.
pub(crate) fn decode(segment: &str) -> Result<Vec<u8>, ErrorKind> {
    let mut buffer = Vec::new();
    decode_vec(segment, &mut buffer)?;
    Ok(buffer)
}

/// Room to decode one segment: `N` bytes on the stack, so that typical
/// tokens are decoded without allocating, and the heap for longer ones.
/// With feature `simd` the stack bytes are not zeroed first (the decoder
/// writes into uninitialized memory through a safe API).
pub(crate) struct Scratch<const N: usize> {
    stack: [StackByte; N],
    heap: Vec<u8>,
}

#[cfg(feature = "simd")]
type StackByte = std::mem::MaybeUninit<u8>;
#[cfg(feature = "simd")]
const UNSET: StackByte = std::mem::MaybeUninit::uninit();

#[cfg(not(feature = "simd"))]
type StackByte = u8;
#[cfg(not(feature = "simd"))]
const UNSET: StackByte = 0;

impl<const N: usize> Scratch<N> {
    pub(crate) fn new() -> Self {
        Self {
            stack: [UNSET; N],
            heap: Vec::new(),
        }
    }

    /// Decodes one segment (as [`decode`]) into this room.
    pub(crate) fn decode(&mut self, segment: &str) -> Result<&[u8], ErrorKind> {
        let most = most_decoded(segment);
        if most > N {
            return decode_vec(segment, &mut self.heap);
        }
        #[cfg(feature = "simd")]
        {
            use base64_simd::AsOut as _;
            base64_simd::URL_SAFE_NO_PAD
                .decode(segment.as_bytes(), self.stack.as_mut_slice().as_out())
                .map(|decoded| &*decoded)
                .map_err(|_| ErrorKind::Malformed)
        }
        #[cfg(not(feature = "simd"))]
        {
            let len = decode_to(segment, &mut self.stack)?;
            Ok(&self.stack[..len])
        }
    }
}

/// Decodes one segment (as [`decode`]) into `buffer`, replacing its contents.
pub(crate) fn decode_vec<'b>(
    segment: &str,
    buffer: &'b mut Vec<u8>,
) -> Result<&'b [u8], ErrorKind> {
    buffer.clear();
    buffer.resize(most_decoded(segment), 0);
    let len = decode_to(segment, buffer)?;
    buffer.truncate(len);
    Ok(buffer)
}

/// Decodes a signature segment that must hold exactly `N` bytes.
///
/// A segment that is not canonical base64url, or that decodes to another
/// length, is an invalid signature (stripped, truncated or extended).
pub(crate) fn decode_signature<const N: usize>(segment: &str) -> Result<[u8; N], ErrorKind> {
    // N bytes encode to ceil(4N/3) characters without padding.
    if segment.len() != (4 * N).div_ceil(3) {
        return Err(ErrorKind::InvalidSignature);
    }
    let mut out = [0u8; N];
    match decode_to(segment, &mut out) {
        Ok(n) if n == N => Ok(out),
        _ => Err(ErrorKind::InvalidSignature),
    }
}

/// The most bytes `segment` can decode to: unpadded base64 of n characters
/// holds at most 3n/4 bytes.
fn most_decoded(segment: &str) -> usize {
    segment.len() / 4 * 3 + 2
}

/// Decodes `segment` into `out`, which has room for [`most_decoded`]
/// bytes; the number of bytes written. With SIMD (feature `simd`).
#[cfg(feature = "simd")]
fn decode_to(segment: &str, out: &mut [u8]) -> Result<usize, ErrorKind> {
    use base64_simd::AsOut as _;
    base64_simd::URL_SAFE_NO_PAD
        .decode(segment.as_bytes(), out.as_out())
        .map(|decoded| decoded.len())
        .map_err(|_| ErrorKind::Malformed)
}

/// Decodes `segment` into `out`, which has room for [`most_decoded`]
/// bytes; the number of bytes written. With the `base64` crate.
#[cfg(not(feature = "simd"))]
fn decode_to(segment: &str, out: &mut [u8]) -> Result<usize, ErrorKind> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode_slice(segment, out)
        .map_err(|_| ErrorKind::Malformed)
}

/// Encodes bytes as unpadded base64url.
#[cfg(any(test, feature = "test-util"))]
pub(crate) fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_exactly_three_segments() {
        let s = Segments::split("aGk.aGk.c2ln").unwrap();
        assert_eq!((s.header, s.payload, s.signature), ("aGk", "aGk", "c2ln"));
        assert_eq!(s.signing_input, b"aGk.aGk");
        for bad in [
            "",
            "a",
            "a.b",
            "a.b.c.d",
            "aGk.aGk.aGk.c2ln",
            ".b.c",
            "a..c",
            "....",
        ] {
            assert_eq!(
                Segments::split(bad).unwrap_err(),
                ErrorKind::Malformed,
                "{bad}"
            );
        }
    }

    #[test]
    fn decoding_rejects_every_non_canonical_form() {
        assert_eq!(decode("aGk").unwrap(), b"hi");
        for bad in ["aGk=", "aG k", "aGl", "a+/A", " aGk", "aGk\n"] {
            assert!(decode(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn decoding_into_the_stack_or_the_heap_gives_the_same_bytes() {
        let long = encode(&[7u8; 100]);
        assert_eq!(Scratch::<256>::new().decode(&long).unwrap(), [7u8; 100]);
        assert_eq!(Scratch::<8>::new().decode(&long).unwrap(), [7u8; 100]);
        for len in 0..20 {
            let text = encode(&vec![1u8; len]);
            assert_eq!(Scratch::<8>::new().decode(&text).unwrap(), vec![1u8; len]);
            assert_eq!(Scratch::<32>::new().decode(&text).unwrap(), vec![1u8; len]);
        }
        assert!(Scratch::<256>::new().decode("aGk=").is_err());
        assert!(Scratch::<2>::new().decode("aGk=").is_err());
    }

    #[test]
    fn the_decoder_takes_exactly_what_the_base64_crate_takes() {
        // With feature `simd`, base64-simd against the `base64` crate's
        // strict unpadded URL-safe engine: the same bytes from every valid
        // segment, and the same refusals of every one-character change.
        for len in 0..80usize {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + len) as u8).collect();
            let text = encode(&bytes);
            assert_eq!(decode(&text).unwrap(), bytes, "{len}");
            for at in 0..text.len() {
                for c in ['=', '+', '/', ' ', '.', '\n', 'A', '_', '-', 'é'] {
                    let mut changed = text.clone();
                    changed.replace_range(at..=at, &c.to_string());
                    let ours = decode(&changed).ok();
                    assert_eq!(ours, URL_SAFE_NO_PAD.decode(&changed).ok(), "{changed:?}");
                }
            }
        }
        for bad in ["A", "AAAAA", "A===", "AA==", "AAA="] {
            assert!(decode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn signature_must_have_the_exact_length() {
        let tag = [9u8; 32];
        let text = encode(&tag);
        assert_eq!(decode_signature::<32>(&text).unwrap(), tag);
        assert!(decode_signature::<32>(&text[..42]).is_err());
        assert!(decode_signature::<32>(&format!("{text}A")).is_err());
        assert!(decode_signature::<32>("").is_err());
    }
}
