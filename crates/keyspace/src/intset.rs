//! `IntSet`: a sorted set of distinct 64-bit integers kept in Redis's intset binary layout, the
//! exact bytes an RDB file stores for a small integer set:
//!
//! ```text
//! encoding: u32 LE   bytes per element, 2, 4 or 8
//! length:   u32 LE   number of elements
//! contents: length * encoding bytes, little-endian signed integers in ascending order
//! ```
//!
//! Every element uses the width of the widest one; adding a value that needs more bytes
//! rewrites the whole array at the larger width (upgrade), and nothing ever narrows it again.
//! Lookups are binary searches, inserts and removals move the tail. The buffer is kept as small
//! as the allocator allows (its capacity follows the allocator's size classes), so an intset
//! costs about what it costs in Redis. This module knows nothing about sets, keys or commands.

use crate::rng::Rng;
use crate::sbytes::alloc_size_class;

/// Bytes of the header (encoding and length).
pub const HEADER_LEN: usize = 8;
/// Element widths (the `encoding` field).
pub const ENC_INT16: u32 = 2;
pub const ENC_INT32: u32 = 4;
pub const ENC_INT64: u32 = 8;

/// The narrowest width that holds `v`.
#[inline]
pub fn width_for(v: i64) -> u32 {
    if v < i32::MIN as i64 || v > i32::MAX as i64 {
        ENC_INT64
    } else if v < i16::MIN as i64 || v > i16::MAX as i64 {
        ENC_INT32
    } else {
        ENC_INT16
    }
}

/// Why a byte blob is not a valid intset (see [`IntSet::from_bytes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntSetError {
    /// Shorter than the header.
    Truncated,
    /// The encoding field is not 2, 4 or 8.
    BadEncoding,
    /// The blob length does not match `8 + length * encoding`.
    BadLength,
    /// No elements (a stored intset is never empty).
    Empty,
    /// Elements are not strictly ascending (duplicates or disorder).
    NotSorted,
}

/// See the module documentation.
#[derive(Clone, PartialEq, Eq)]
pub struct IntSet {
    /// Header plus contents, exactly `blob_len()` bytes long.
    buf: Vec<u8>,
}

impl Default for IntSet {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for IntSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntSet").field("encoding", &self.encoding()).field("values", &self.to_vec()).finish()
    }
}

/// Reads the element at `pos` of `contents` stored with width `enc`.
#[inline]
fn read_at(contents: &[u8], pos: usize, enc: u32) -> i64 {
    match enc {
        ENC_INT64 => {
            let o = pos * 8;
            i64::from_le_bytes([
                contents[o],
                contents[o + 1],
                contents[o + 2],
                contents[o + 3],
                contents[o + 4],
                contents[o + 5],
                contents[o + 6],
                contents[o + 7],
            ])
        }
        ENC_INT32 => {
            let o = pos * 4;
            i32::from_le_bytes([contents[o], contents[o + 1], contents[o + 2], contents[o + 3]]) as i64
        }
        _ => {
            let o = pos * 2;
            i16::from_le_bytes([contents[o], contents[o + 1]]) as i64
        }
    }
}

/// Writes `v` (which fits `enc`) at `pos` of `contents`.
#[inline]
fn write_at(contents: &mut [u8], pos: usize, enc: u32, v: i64) {
    match enc {
        ENC_INT64 => contents[pos * 8..pos * 8 + 8].copy_from_slice(&v.to_le_bytes()),
        ENC_INT32 => contents[pos * 4..pos * 4 + 4].copy_from_slice(&(v as i32).to_le_bytes()),
        _ => contents[pos * 2..pos * 2 + 2].copy_from_slice(&(v as i16).to_le_bytes()),
    }
}

fn header(enc: u32, len: u32) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[..4].copy_from_slice(&enc.to_le_bytes());
    h[4..].copy_from_slice(&len.to_le_bytes());
    h
}

impl IntSet {
    /// An empty intset of 16-bit width.
    pub fn new() -> IntSet {
        let mut buf = Vec::with_capacity(HEADER_LEN);
        buf.extend_from_slice(&header(ENC_INT16, 0));
        IntSet { buf }
    }

    /// Takes an intset blob as found in an RDB file or a DUMP payload, checking it the way
    /// Redis's deep integrity check does: a valid width, a length that matches the blob size, at
    /// least one element, and strictly ascending elements.
    pub fn from_bytes(b: &[u8]) -> Result<IntSet, IntSetError> {
        if b.len() < HEADER_LEN {
            return Err(IntSetError::Truncated);
        }
        let enc = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        if !matches!(enc, ENC_INT16 | ENC_INT32 | ENC_INT64) {
            return Err(IntSetError::BadEncoding);
        }
        let len = u32::from_le_bytes([b[4], b[5], b[6], b[7]]) as u64;
        if HEADER_LEN as u64 + len * enc as u64 != b.len() as u64 {
            return Err(IntSetError::BadLength);
        }
        if len == 0 {
            return Err(IntSetError::Empty);
        }
        let contents = &b[HEADER_LEN..];
        let mut prev = read_at(contents, 0, enc);
        for i in 1..len as usize {
            let cur = read_at(contents, i, enc);
            if cur <= prev {
                return Err(IntSetError::NotSorted);
            }
            prev = cur;
        }
        let mut buf = Vec::with_capacity(alloc_size_class(b.len()));
        buf.extend_from_slice(b);
        Ok(IntSet { buf })
    }

    /// The blob: header and contents, exactly as Redis lays them out.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Bytes of the blob (Redis's intsetBlobLen).
    pub fn blob_len(&self) -> usize {
        self.buf.len()
    }

    /// Width of every element in bytes (2, 4 or 8).
    #[inline]
    pub fn encoding(&self) -> u32 {
        u32::from_le_bytes([self.buf[0], self.buf[1], self.buf[2], self.buf[3]])
    }

    #[inline]
    pub fn len(&self) -> usize {
        u32::from_le_bytes([self.buf[4], self.buf[5], self.buf[6], self.buf[7]]) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    fn contents(&self) -> &[u8] {
        &self.buf[HEADER_LEN..]
    }

    fn set_len(&mut self, len: usize) {
        self.buf[4..8].copy_from_slice(&(len as u32).to_le_bytes());
    }

    /// The element at `pos` in ascending order.
    #[inline]
    pub fn get(&self, pos: usize) -> Option<i64> {
        (pos < self.len()).then(|| read_at(self.contents(), pos, self.encoding()))
    }

    /// Smallest and largest elements.
    pub fn first(&self) -> Option<i64> {
        self.get(0)
    }
    pub fn last(&self) -> Option<i64> {
        self.len().checked_sub(1).and_then(|i| self.get(i))
    }

    /// Binary search: `Ok(pos)` when found, `Err(pos)` with the insertion point otherwise.
    fn search(&self, v: i64) -> Result<usize, usize> {
        let len = self.len();
        if len == 0 {
            return Err(0);
        }
        let enc = self.encoding();
        let c = self.contents();
        // values outside the range need no search
        if v > read_at(c, len - 1, enc) {
            return Err(len);
        }
        if v < read_at(c, 0, enc) {
            return Err(0);
        }
        let (mut lo, mut hi) = (0usize, len);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let cur = read_at(c, mid, enc);
            match cur.cmp(&v) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(mid),
            }
        }
        Err(lo)
    }

    pub fn contains(&self, v: i64) -> bool {
        width_for(v) <= self.encoding() && self.search(v).is_ok()
    }

    /// Grows the buffer to hold `total` bytes, rounding the capacity up to the allocator's size
    /// class so that the spare room costs nothing.
    fn reserve_total(&mut self, total: usize) {
        if self.buf.capacity() < total {
            let want = alloc_size_class(total).max(total);
            self.buf.reserve_exact(want - self.buf.len());
        }
    }

    /// Gives back memory beyond the allocator's size class of the current length.
    fn trim(&mut self) {
        let want = alloc_size_class(self.buf.len()).max(HEADER_LEN);
        if self.buf.capacity() > want {
            self.buf.shrink_to(want);
        }
    }

    /// Adds `v`; returns false when it was already present.
    pub fn add(&mut self, v: i64) -> bool {
        let enc = self.encoding();
        let need = width_for(v);
        if need > enc {
            self.upgrade_and_add(v, need);
            return true;
        }
        let pos = match self.search(v) {
            Ok(_) => return false,
            Err(pos) => pos,
        };
        let len = self.len();
        let w = enc as usize;
        let total = HEADER_LEN + (len + 1) * w;
        self.reserve_total(total);
        self.buf.resize(total, 0);
        let start = HEADER_LEN + pos * w;
        self.buf.copy_within(start..HEADER_LEN + len * w, start + w);
        write_at(&mut self.buf[HEADER_LEN..], pos, enc, v);
        self.set_len(len + 1);
        true
    }

    /// Rewrites every element at width `enc` and puts `v`, which needs that width and so lies
    /// outside the current range, first (negative) or last (positive).
    fn upgrade_and_add(&mut self, v: i64, enc: u32) {
        let old_enc = self.encoding();
        let len = self.len();
        let total = HEADER_LEN + (len + 1) * enc as usize;
        let mut buf = Vec::with_capacity(alloc_size_class(total).max(total));
        buf.extend_from_slice(&header(enc, (len + 1) as u32));
        buf.resize(total, 0);
        let prepend = usize::from(v < 0);
        {
            let (old, new) = (self.contents(), &mut buf[HEADER_LEN..]);
            for i in 0..len {
                write_at(new, i + prepend, enc, read_at(old, i, old_enc));
            }
            write_at(new, if prepend == 1 { 0 } else { len }, enc, v);
        }
        self.buf = buf;
    }

    /// Removes `v`; returns false when it was not present.
    pub fn remove(&mut self, v: i64) -> bool {
        if width_for(v) > self.encoding() {
            return false;
        }
        let Ok(pos) = self.search(v) else { return false };
        let len = self.len();
        let w = self.encoding() as usize;
        let start = HEADER_LEN + (pos + 1) * w;
        self.buf.copy_within(start..HEADER_LEN + len * w, start - w);
        self.buf.truncate(HEADER_LEN + (len - 1) * w);
        self.set_len(len - 1);
        self.trim();
        true
    }

    /// A uniformly chosen element (`None` when empty).
    pub fn random(&self, rng: &mut Rng) -> Option<i64> {
        let len = self.len();
        if len == 0 {
            return None;
        }
        self.get(rng.below(len as u64) as usize)
    }

    /// Elements in ascending order.
    pub fn iter(&self) -> Iter<'_> {
        Iter { contents: self.contents(), enc: self.encoding(), pos: 0, len: self.len() }
    }

    pub fn to_vec(&self) -> Vec<i64> {
        self.iter().collect()
    }

    /// Heap bytes as the allocator accounts them.
    pub fn heap_size(&self) -> usize {
        alloc_size_class(self.buf.capacity())
    }
}

/// Ascending iterator over an [`IntSet`].
pub struct Iter<'a> {
    contents: &'a [u8],
    enc: u32,
    pos: usize,
    len: usize,
}

impl Iterator for Iter<'_> {
    type Item = i64;
    #[inline]
    fn next(&mut self) -> Option<i64> {
        if self.pos >= self.len {
            return None;
        }
        let v = read_at(self.contents, self.pos, self.enc);
        self.pos += 1;
        Some(v)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.len - self.pos;
        (n, Some(n))
    }
}

impl ExactSizeIterator for Iter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn check(is: &IntSet, model: &BTreeSet<i64>) {
        assert_eq!(is.len(), model.len());
        assert_eq!(is.to_vec(), model.iter().copied().collect::<Vec<_>>());
        assert_eq!(is.blob_len(), HEADER_LEN + is.len() * is.encoding() as usize);
        let need = model.iter().map(|&v| width_for(v)).max().unwrap_or(ENC_INT16);
        assert!(is.encoding() >= need);
    }

    #[test]
    fn widths() {
        assert_eq!(width_for(0), 2);
        assert_eq!(width_for(32767), 2);
        assert_eq!(width_for(-32768), 2);
        assert_eq!(width_for(32768), 4);
        assert_eq!(width_for(-32769), 4);
        assert_eq!(width_for(i32::MAX as i64), 4);
        assert_eq!(width_for(i32::MIN as i64), 4);
        assert_eq!(width_for(i32::MAX as i64 + 1), 8);
        assert_eq!(width_for(i64::MIN), 8);
    }

    #[test]
    fn exact_bytes_and_upgrades() {
        let mut is = IntSet::new();
        assert_eq!(is.as_bytes(), &[2, 0, 0, 0, 0, 0, 0, 0]);
        assert!(is.add(5));
        assert!(is.add(-1));
        assert!(!is.add(5));
        assert_eq!(is.as_bytes(), &[2, 0, 0, 0, 2, 0, 0, 0, 0xff, 0xff, 5, 0]);
        // a 32-bit value goes last, everything widens
        assert!(is.add(70000));
        assert_eq!(is.as_bytes(), &[4, 0, 0, 0, 3, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 5, 0, 0, 0, 0x70, 0x11, 0x01, 0]);
        // a negative 64-bit value goes first
        assert!(is.add(i64::MIN));
        assert_eq!(is.encoding(), 8);
        assert_eq!(is.to_vec(), vec![i64::MIN, -1, 5, 70000]);
        assert_eq!(&is.as_bytes()[8..16], &i64::MIN.to_le_bytes());
        // removing the wide value never narrows the width
        assert!(is.remove(i64::MIN));
        assert_eq!(is.encoding(), 8);
        assert!(!is.remove(i64::MIN));
        assert!(!is.contains(i64::MAX));
        assert!(is.contains(70000));
        assert_eq!(is.first(), Some(-1));
        assert_eq!(is.last(), Some(70000));
        let back = IntSet::from_bytes(is.as_bytes()).unwrap();
        assert_eq!(back, is);
    }

    #[test]
    fn narrow_set_rejects_wide_lookups_without_searching() {
        let mut is = IntSet::new();
        for v in [1, 2, 3] {
            is.add(v);
        }
        assert!(!is.contains(1 << 40));
        assert!(!is.remove(1 << 40));
        assert_eq!(is.len(), 3);
    }

    #[test]
    fn validation() {
        assert_eq!(IntSet::from_bytes(&[2, 0, 0]), Err(IntSetError::Truncated));
        assert_eq!(IntSet::from_bytes(&[3, 0, 0, 0, 0, 0, 0, 0]), Err(IntSetError::BadEncoding));
        assert_eq!(IntSet::from_bytes(&[2, 0, 0, 0, 0, 0, 0, 0]), Err(IntSetError::Empty));
        assert_eq!(IntSet::from_bytes(&[2, 0, 0, 0, 1, 0, 0, 0, 1]), Err(IntSetError::BadLength));
        assert_eq!(IntSet::from_bytes(&[2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 1, 0]), Err(IntSetError::NotSorted));
        assert_eq!(IntSet::from_bytes(&[2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 1, 0]), Err(IntSetError::NotSorted));
        assert_eq!(IntSet::from_bytes(&[2, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]), Err(IntSetError::BadLength));
        let ok = IntSet::from_bytes(&[2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 2, 0]).unwrap();
        assert_eq!(ok.to_vec(), vec![1, 2]);
    }

    #[test]
    fn against_a_model() {
        let mut rng = Rng::from_seed(42);
        for round in 0..40 {
            let mut is = IntSet::new();
            let mut model = BTreeSet::new();
            let spread: u64 = match round % 4 {
                0 => 100,
                1 => 70_000,
                2 => 5_000_000_000,
                _ => u64::MAX,
            };
            for _ in 0..600 {
                let v = ((rng.next_u64() % spread) as i64).wrapping_sub((spread / 2) as i64);
                if rng.below(3) == 0 {
                    assert_eq!(is.remove(v), model.remove(&v));
                } else {
                    assert_eq!(is.add(v), model.insert(v));
                }
                assert_eq!(is.contains(v), model.contains(&v));
            }
            check(&is, &model);
            if !model.is_empty() {
                let r = is.random(&mut rng).unwrap();
                assert!(model.contains(&r));
            }
            assert!(is.heap_size() >= is.blob_len());
            assert!(is.heap_size() <= alloc_size_class(is.blob_len()).max(HEADER_LEN) * 2);
        }
    }
}
