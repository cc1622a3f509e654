//! The JWS compact serialization (RFC 7515 7.1), read strictly:
//! `BASE64URL(header) "." BASE64URL(payload) "." BASE64URL(signature)`,
//! unpadded, in the URL-safe alphabet, with canonical trailing bits.

use base64::Engine as _;
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
    /// three segments is malformed: one dot, or an empty header or payload,
    /// here; a dot inside the payload when it is decoded (a dot is not
    /// base64url), so the long payload is scanned once, by the decoder.
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
        // A dot inside the payload is a fourth segment: refused here, since
        // the signature is checked before the payload is decoded.
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
#[cfg(any(test, feature = "oauth"))]
pub(crate) fn decode(segment: &str) -> Result<Vec<u8>, ErrorKind> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| ErrorKind::Malformed)
}

/// Decodes one segment (as [`decode`]) into `stack` when it fits, else into
/// `heap`, so that typical tokens are decoded without allocating.
pub(crate) fn decode_into<'b, const N: usize>(
    segment: &str,
    stack: &'b mut [u8; N],
    heap: &'b mut Vec<u8>,
) -> Result<&'b [u8], ErrorKind> {
    // Unpadded base64 of n characters holds at most 3n/4 bytes.
    let most = segment.len() / 4 * 3 + 2;
    let out: &'b mut [u8] = if most <= N {
        stack
    } else {
        heap.resize(most, 0);
        heap
    };
    let len = URL_SAFE_NO_PAD
        .decode_slice(segment, out)
        .map_err(|_| ErrorKind::Malformed)?;
    Ok(&out[..len])
}

/// Decodes one segment (as [`decode`]) into `buffer`, replacing its contents.
pub(crate) fn decode_vec<'b>(
    segment: &str,
    buffer: &'b mut Vec<u8>,
) -> Result<&'b [u8], ErrorKind> {
    buffer.clear();
    URL_SAFE_NO_PAD
        .decode_vec(segment, buffer)
        .map_err(|_| ErrorKind::Malformed)?;
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
    match URL_SAFE_NO_PAD.decode_slice(segment, &mut out) {
        Ok(n) if n == N => Ok(out),
        _ => Err(ErrorKind::InvalidSignature),
    }
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
        let (mut small, mut big, mut heap) = ([0u8; 8], [0u8; 256], Vec::new());
        assert_eq!(decode_into(&long, &mut big, &mut heap).unwrap(), [7u8; 100]);
        assert_eq!(
            decode_into(&long, &mut small, &mut heap).unwrap(),
            [7u8; 100]
        );
        for len in 0..20 {
            let text = encode(&vec![1u8; len]);
            let mut heap = Vec::new();
            assert_eq!(
                decode_into(&text, &mut small, &mut heap).unwrap(),
                vec![1u8; len]
            );
        }
        assert!(decode_into("aGk=", &mut big, &mut heap).is_err());
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
