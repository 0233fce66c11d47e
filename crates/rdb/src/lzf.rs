//! LZF, the compression RDB files use for long strings and quicklist nodes: a byte stream of
//! literal runs (a control byte 0..=31 followed by that many plus one bytes) and back
//! references (a control byte whose top three bits give a length, an optional extra length
//! byte, and a 13-bit distance). The decompressor accepts any valid stream; the compressor is
//! our own greedy matcher over a hash of 3-byte prefixes, whose output any LZF decoder (Redis's
//! included) reads. Knows nothing of RDB framing.

/// Longest distance a back reference can express.
const MAX_OFF: usize = 1 << 13;
/// Longest match: 7 from the control byte, 255 from the extra byte, plus the implicit 2.
const MAX_REF: usize = (1 << 8) + (1 << 3);
/// Longest literal run.
const MAX_LIT: usize = 1 << 5;
const HASH_BITS: u32 = 14;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LzfError {
    /// The stream ended inside a run or a reference.
    Truncated,
    /// A back reference points before the start of the output.
    BadReference,
    /// The output would be longer than the length the caller expects.
    Overflow,
    /// The output ended shorter than the length the caller expects.
    Short,
}

/// Decompresses `input` into exactly `out_len` bytes.
pub fn decompress(input: &[u8], out_len: usize) -> Result<Vec<u8>, LzfError> {
    let mut out: Vec<u8> = Vec::with_capacity(out_len);
    let mut i = 0;
    while i < input.len() {
        let ctrl = input[i] as usize;
        i += 1;
        if ctrl < MAX_LIT {
            let n = ctrl + 1;
            let lit = input.get(i..i + n).ok_or(LzfError::Truncated)?;
            if out.len() + n > out_len {
                return Err(LzfError::Overflow);
            }
            out.extend_from_slice(lit);
            i += n;
        } else {
            let mut len = ctrl >> 5;
            if len == 7 {
                len += *input.get(i).ok_or(LzfError::Truncated)? as usize;
                i += 1;
            }
            let low = *input.get(i).ok_or(LzfError::Truncated)? as usize;
            i += 1;
            let dist = ((ctrl & 0x1f) << 8) + low + 1;
            if dist > out.len() {
                return Err(LzfError::BadReference);
            }
            let n = len + 2;
            if out.len() + n > out_len {
                return Err(LzfError::Overflow);
            }
            let start = out.len() - dist;
            // the source may overlap what is being written: copy byte by byte
            for k in 0..n {
                let b = out[start + k];
                out.push(b);
            }
        }
    }
    if out.len() != out_len {
        return Err(LzfError::Short);
    }
    Ok(out)
}

fn hash3(b: &[u8]) -> usize {
    let v = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
    (v.wrapping_mul(2654435761) >> (32 - HASH_BITS)) as usize
}

thread_local! {
    /// The match table, kept between calls: clearing 16K slots for every short string would
    /// cost more than compressing it. Stale slots are harmless: a candidate is used only when
    /// it lies before the current position and its bytes match.
    static TABLE: std::cell::RefCell<Vec<usize>> = std::cell::RefCell::new(vec![usize::MAX; 1 << HASH_BITS]);
}

/// Compresses `input`; None when the result would exceed `max_out` bytes (the caller then
/// stores the bytes as they are).
pub fn compress(input: &[u8], max_out: usize) -> Option<Vec<u8>> {
    TABLE.with(|t| compress_with(input, max_out, &mut t.borrow_mut()))
}

fn compress_with(input: &[u8], max_out: usize, table: &mut [usize]) -> Option<Vec<u8>> {
    let n = input.len();
    let mut out: Vec<u8> = Vec::with_capacity(max_out.min(n + n / 16 + 4));
    let mut lit_start = 0;
    let mut i = 0;
    let flush_literals = |out: &mut Vec<u8>, from: usize, to: usize| {
        let mut s = from;
        while s < to {
            let run = (to - s).min(MAX_LIT);
            out.push((run - 1) as u8);
            out.extend_from_slice(&input[s..s + run]);
            s += run;
        }
    };
    while i + 2 < n {
        let h = hash3(&input[i..]);
        let cand = table[h];
        table[h] = i;
        if cand < i && i - cand <= MAX_OFF && input[cand..cand + 3] == input[i..i + 3] {
            let mut len = 3;
            let max = (n - i).min(MAX_REF);
            while len < max && input[cand + len] == input[i + len] {
                len += 1;
            }
            flush_literals(&mut out, lit_start, i);
            let dist = i - cand - 1;
            let l = len - 2;
            if l < 7 {
                out.push(((l << 5) | (dist >> 8)) as u8);
            } else {
                out.push(((7 << 5) | (dist >> 8)) as u8);
                out.push((l - 7) as u8);
            }
            out.push((dist & 0xff) as u8);
            // index the positions inside the match too, so later data can refer to them
            let end = i + len;
            let mut k = i + 1;
            while k < end && k + 2 < n {
                table[hash3(&input[k..])] = k;
                k += 1;
            }
            i = end;
            lit_start = i;
            if out.len() > max_out {
                return None;
            }
        } else {
            i += 1;
        }
    }
    flush_literals(&mut out, lit_start, n);
    if out.len() > max_out {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn repetitive_input_shrinks_and_round_trips() {
        let s: Vec<u8> = b"abcabcabcabcabcabcabcabcabcabcabcabc-hello-hello-hello".repeat(50);
        let c = compress(&s, s.len()).expect("compressible");
        assert!(c.len() < s.len() / 4, "{} of {}", c.len(), s.len());
        assert_eq!(decompress(&c, s.len()).unwrap(), s);
    }

    #[test]
    fn long_runs_use_extended_lengths() {
        let s = vec![b'x'; 5000];
        let c = compress(&s, s.len()).unwrap();
        assert_eq!(decompress(&c, 5000).unwrap(), s);
    }

    #[test]
    fn bad_streams_are_errors() {
        assert_eq!(decompress(&[5, b'a'], 6), Err(LzfError::Truncated));
        assert_eq!(decompress(&[0, b'a', 0x20, 0x05], 4), Err(LzfError::BadReference));
        assert_eq!(decompress(&[1, b'a', b'b'], 1), Err(LzfError::Overflow));
        assert_eq!(decompress(&[0, b'a'], 2), Err(LzfError::Short));
        assert_eq!(decompress(&[0xE0], 10), Err(LzfError::Truncated));
    }

    proptest! {
        #[test]
        fn round_trip(data in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), any::<u8>()], 0..3000)) {
            if let Some(c) = compress(&data, data.len() + data.len() / 16 + 64) {
                prop_assert_eq!(decompress(&c, data.len()).unwrap(), data);
            }
        }

        #[test]
        fn decompress_never_panics(data in proptest::collection::vec(any::<u8>(), 0..200), len in 0usize..500) {
            let _ = decompress(&data, len);
        }
    }
}
