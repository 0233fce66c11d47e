//! Redis 7.0's listpack: a compact, contiguous serialization of a sequence of strings and
//! integers, byte-for-byte the format Redis keeps in memory and writes into RDB files (quicklist
//! nodes of lists, small hashes, small sorted sets, stream nodes). This module owns the format
//! and nothing else: it knows no keys, no commands, no encoding thresholds (the types decide
//! when a listpack is too big), and it never allocates more than the entries need.
//!
//! # Format
//!
//! ```text
//! <total-bytes: u32 LE> <count: u16 LE> <entry> ... <entry> <0xFF>
//! entry = <encoding + data> <backlen>
//! ```
//!
//! The count is 65535 when the number of entries is not known (65535 or more); it is then
//! found by scanning. Entry encodings (first byte):
//!
//! | first byte  | meaning                                                     | size    |
//! |-------------|-------------------------------------------------------------|---------|
//! | `0xxxxxxx`  | unsigned integer 0..=127 in the low 7 bits                  | 1       |
//! | `10xxxxxx`  | string of up to 63 bytes, length in the low 6 bits          | 1 + len |
//! | `110xxxxx`  | 13-bit signed integer: low 5 bits and the next byte         | 2       |
//! | `1110xxxx`  | string of up to 4095 bytes: 12-bit length (these 4 bits and the next byte) | 2 + len |
//! | `0xF0`      | string, 32-bit LE length                                    | 5 + len |
//! | `0xF1`..`F4`| 16, 24, 32, 64-bit LE two's-complement integers             | 3,4,5,9 |
//!
//! `backlen` is the size of the encoding + data part (not counting itself) in 1 to 5 bytes of
//! 7 bits each, written so that it can be read from its last byte backwards: the last byte
//! holds the lowest 7 bits, and every byte but the first (leftmost) has its high bit set. It is
//! what makes backward iteration possible.
//!
//! A string is stored as an integer when it is the canonical decimal form of an i64 (no sign
//! on zero, no leading zeros, at most 20 characters), in the smallest integer encoding that
//! holds it, exactly as Redis's `lpAppend` does, so the bytes match what Redis writes.
//!
//! # Using it
//!
//! Entries are addressed by [`Pos`], the byte offset of an entry inside the listpack. A `Pos`
//! is valid until the next modification, which returns the positions the caller may need next
//! (the inserted entry, or the entry that followed the deleted one). Elements come out as
//! [`Elem`]: `Elem::Bytes` for strings (borrowed from the listpack) and `Elem::Int` for
//! integers. Values go in as anything convertible into an `Elem` (`&[u8]`, `&[u8; N]`,
//! `&Vec<u8>`, `i64`, or an `Elem` read from another listpack).
//!
//! Hashes and sorted sets store pairs as consecutive entries (field, value / member, score):
//! [`Listpack::pairs`] iterates them, [`Listpack::find`] with `skip = 1` looks a field up
//! among the even entries only, and [`Listpack::delete_n`] with `n = 2` removes a pair.
//!
//! Every `Listpack` is valid by construction: the only way to build one from outside bytes is
//! [`Listpack::from_bytes`], which validates every entry (as Redis's deep integrity check does)
//! and returns an error, never panics, on corrupt input.

use crate::sbytes::alloc_size_class;
use crate::types::Elem;
use crate::value::parse_canonical_i64;
use std::fmt;

/// Bytes of the header (total bytes + count).
pub const HEADER_SIZE: usize = 6;
/// The terminator byte.
pub const EOF: u8 = 0xFF;
/// Header count meaning "not known, scan to count".
pub const COUNT_UNKNOWN: u16 = u16::MAX;
/// Redis never lets a listpack grow past 1 GiB (`lpSafeToAdd`); see [`Listpack::safe_to_add`].
pub const SAFETY_SIZE: usize = 1 << 30;
/// Bytes of an empty listpack.
pub const EMPTY_SIZE: usize = HEADER_SIZE + 1;

const ENC_6BIT_STR: u8 = 0x80;
const ENC_13BIT_INT: u8 = 0xC0;
const ENC_12BIT_STR: u8 = 0xE0;
const ENC_32BIT_STR: u8 = 0xF0;
const ENC_16BIT_INT: u8 = 0xF1;
const ENC_24BIT_INT: u8 = 0xF2;
const ENC_32BIT_INT: u8 = 0xF3;
const ENC_64BIT_INT: u8 = 0xF4;

/// Why bytes are not a valid listpack, or why a change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListpackError {
    /// Shorter than a header and a terminator.
    TooShort,
    /// The header's total-bytes field disagrees with the number of bytes given.
    SizeMismatch { header: u32, actual: usize },
    /// The last byte is not the 0xFF terminator.
    NoTerminator,
    /// The entry at this byte offset has an unknown encoding, reaches past the end, or its
    /// backlen does not match its size; or a terminator appears before the end.
    BadEntry(usize),
    /// The header's count is neither 65535 nor the number of entries.
    CountMismatch { header: u16, actual: usize },
    /// The change would make the listpack larger than 4 GiB, the limit of its header.
    TooLarge,
}

impl fmt::Display for ListpackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ListpackError::TooShort => write!(f, "listpack shorter than its header"),
            ListpackError::SizeMismatch { header, actual } => {
                write!(f, "listpack header says {header} bytes, got {actual}")
            }
            ListpackError::NoTerminator => write!(f, "listpack does not end with 0xFF"),
            ListpackError::BadEntry(at) => write!(f, "invalid listpack entry at offset {at}"),
            ListpackError::CountMismatch { header, actual } => {
                write!(f, "listpack header count {header} but {actual} entries")
            }
            ListpackError::TooLarge => write!(f, "listpack would exceed 4 GiB"),
        }
    }
}

impl std::error::Error for ListpackError {}

/// The byte offset of an entry inside a listpack (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos(usize);

impl Pos {
    /// The byte offset from the start of the listpack.
    pub fn offset(self) -> usize {
        self.0
    }
}

impl<'a> From<&'a [u8]> for Elem<'a> {
    fn from(b: &'a [u8]) -> Elem<'a> {
        Elem::Bytes(b)
    }
}

impl<'a, const N: usize> From<&'a [u8; N]> for Elem<'a> {
    fn from(b: &'a [u8; N]) -> Elem<'a> {
        Elem::Bytes(b)
    }
}

impl<'a> From<&'a Vec<u8>> for Elem<'a> {
    fn from(b: &'a Vec<u8>) -> Elem<'a> {
        Elem::Bytes(b)
    }
}

impl<'a> From<&'a str> for Elem<'a> {
    fn from(s: &'a str) -> Elem<'a> {
        Elem::Bytes(s.as_bytes())
    }
}

impl From<i64> for Elem<'_> {
    fn from(n: i64) -> Self {
        Elem::Int(n)
    }
}

/// The integer a string element would be stored as, if it is a canonical i64.
fn as_int(b: &[u8]) -> Option<i64> {
    if b.len() <= 20 {
        parse_canonical_i64(b)
    } else {
        None
    }
}

/// An element encoded for storage: the encoding bytes (for strings only the length prefix),
/// then for strings the data.
struct Enc<'a> {
    head: [u8; 9],
    head_len: usize,
    data: &'a [u8],
}

impl<'a> Enc<'a> {
    fn int(v: i64) -> Enc<'static> {
        let mut head = [0u8; 9];
        let head_len = if (0..=127).contains(&v) {
            head[0] = v as u8;
            1
        } else if (-4096..=4095).contains(&v) {
            let u = (v as u64) & 0x1FFF;
            head[0] = ENC_13BIT_INT | (u >> 8) as u8;
            head[1] = u as u8;
            2
        } else if (-32768..=32767).contains(&v) {
            head[0] = ENC_16BIT_INT;
            head[1..3].copy_from_slice(&(v as i16).to_le_bytes());
            3
        } else if (-8_388_608..=8_388_607).contains(&v) {
            head[0] = ENC_24BIT_INT;
            head[1..4].copy_from_slice(&(v as i32).to_le_bytes()[..3]);
            4
        } else if (i32::MIN as i64..=i32::MAX as i64).contains(&v) {
            head[0] = ENC_32BIT_INT;
            head[1..5].copy_from_slice(&(v as i32).to_le_bytes());
            5
        } else {
            head[0] = ENC_64BIT_INT;
            head[1..9].copy_from_slice(&v.to_le_bytes());
            9
        };
        Enc { head, head_len, data: &[] }
    }

    fn string(s: &'a [u8]) -> Result<Enc<'a>, ListpackError> {
        let len = s.len();
        let mut head = [0u8; 9];
        let head_len = if len < 64 {
            head[0] = ENC_6BIT_STR | len as u8;
            1
        } else if len < 4096 {
            head[0] = ENC_12BIT_STR | (len >> 8) as u8;
            head[1] = len as u8;
            2
        } else {
            let l = u32::try_from(len).map_err(|_| ListpackError::TooLarge)?;
            head[0] = ENC_32BIT_STR;
            head[1..5].copy_from_slice(&l.to_le_bytes());
            5
        };
        Ok(Enc { head, head_len, data: s })
    }

    /// Encodes an element the way `lpAppend` would: canonical integers become integers.
    fn of(e: Elem<'a>) -> Result<Enc<'a>, ListpackError> {
        match e {
            Elem::Int(n) => Ok(Enc::int(n)),
            Elem::Bytes(b) => match as_int(b) {
                Some(n) => Ok(Enc::int(n)),
                None => Enc::string(b),
            },
        }
    }

    /// Size of the encoding + data part.
    fn len(&self) -> usize {
        self.head_len + self.data.len()
    }

    /// Size of the whole entry, backlen included.
    fn total(&self) -> usize {
        let l = self.len();
        l + backlen_size(l as u64)
    }

    /// Writes the entry into `out`, which is exactly `self.total()` bytes long.
    fn write(&self, out: &mut [u8]) {
        let l = self.len();
        out[..self.head_len].copy_from_slice(&self.head[..self.head_len]);
        out[self.head_len..l].copy_from_slice(self.data);
        write_backlen(&mut out[l..], l as u64);
    }
}

/// Bytes needed by the backlen of an entry whose encoding + data part is `l` bytes.
fn backlen_size(l: u64) -> usize {
    if l <= 127 {
        1
    } else if l < 16383 {
        2
    } else if l < 2_097_151 {
        3
    } else if l < 268_435_455 {
        4
    } else {
        5
    }
}

/// Writes the backlen of `l` into the first `backlen_size(l)` bytes of `out`.
fn write_backlen(out: &mut [u8], l: u64) {
    let n = backlen_size(l);
    // the leftmost byte carries the highest bits and no continuation flag; every following byte
    // carries 7 lower bits with the flag set, the last one the lowest 7 bits
    for (i, byte) in out[..n].iter_mut().enumerate() {
        let shift = 7 * (n - 1 - i);
        let bits = ((l >> shift) & 127) as u8;
        *byte = if i == 0 { bits } else { bits | 128 };
    }
    if n == 5 {
        // the fifth (leftmost) byte holds bits 28..32 whole, as Redis writes `l >> 28`
        out[0] = (l >> 28) as u8;
    }
}

/// Reads a backlen whose last byte is `buf[last]`, backwards. `None` when it is longer than 5
/// bytes or runs off the start of `buf`.
fn read_backlen(buf: &[u8], last: usize) -> Option<u64> {
    let mut val: u64 = 0;
    let mut shift = 0;
    let mut i = last;
    loop {
        let b = *buf.get(i)?;
        val |= ((b & 127) as u64) << shift;
        if b & 128 == 0 {
            return Some(val);
        }
        shift += 7;
        if shift > 28 {
            return None;
        }
        i = i.checked_sub(1)?;
    }
}

/// Bytes of the encoding prefix of an entry starting with `b0` (what must be readable to know
/// its size), or `None` for an invalid first byte.
fn prefix_len(b0: u8) -> Option<usize> {
    match b0 {
        0x00..=0xDF => Some(1),
        0xE0..=0xEF => Some(2),
        ENC_32BIT_STR => Some(5),
        ENC_16BIT_INT..=ENC_64BIT_INT => Some(1),
        _ => None,
    }
}

/// Size of the encoding + data part of the entry at `buf[p..]`, reading only its prefix.
/// `None` for an invalid first byte or a prefix cut short.
fn enc_len(buf: &[u8], p: usize) -> Option<u64> {
    let b0 = *buf.get(p)?;
    Some(match b0 {
        0x00..=0x7F => 1,
        0x80..=0xBF => 1 + (b0 & 0x3F) as u64,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 2 + ((((b0 & 0x0F) as u64) << 8) | *buf.get(p + 1)? as u64),
        ENC_32BIT_STR => {
            let l: [u8; 4] = buf.get(p + 1..p + 5)?.try_into().ok()?;
            5 + u32::from_le_bytes(l) as u64
        }
        ENC_16BIT_INT => 3,
        ENC_24BIT_INT => 4,
        ENC_32BIT_INT => 5,
        ENC_64BIT_INT => 9,
        _ => return None,
    })
}

/// Decodes the entry at `p` of a valid listpack: the element and the whole entry's size.
fn decode(buf: &[u8], p: usize) -> (Elem<'_>, usize) {
    let b0 = buf[p];
    let (elem, l) = match b0 {
        0x00..=0x7F => (Elem::Int(b0 as i64), 1),
        0x80..=0xBF => {
            let n = (b0 & 0x3F) as usize;
            (Elem::Bytes(&buf[p + 1..p + 1 + n]), 1 + n)
        }
        0xC0..=0xDF => {
            let u = (((b0 & 0x1F) as i64) << 8) | buf[p + 1] as i64;
            (Elem::Int(if u >= 1 << 12 { u - (1 << 13) } else { u }), 2)
        }
        0xE0..=0xEF => {
            let n = (((b0 & 0x0F) as usize) << 8) | buf[p + 1] as usize;
            (Elem::Bytes(&buf[p + 2..p + 2 + n]), 2 + n)
        }
        ENC_32BIT_STR => {
            let n = u32::from_le_bytes([buf[p + 1], buf[p + 2], buf[p + 3], buf[p + 4]]) as usize;
            (Elem::Bytes(&buf[p + 5..p + 5 + n]), 5 + n)
        }
        ENC_16BIT_INT => (Elem::Int(i16::from_le_bytes([buf[p + 1], buf[p + 2]]) as i64), 3),
        ENC_24BIT_INT => {
            let u = i32::from_le_bytes([0, buf[p + 1], buf[p + 2], buf[p + 3]]);
            (Elem::Int((u >> 8) as i64), 4)
        }
        ENC_32BIT_INT => (Elem::Int(i32::from_le_bytes([buf[p + 1], buf[p + 2], buf[p + 3], buf[p + 4]]) as i64), 5),
        ENC_64BIT_INT => {
            let mut b = [0u8; 8];
            b.copy_from_slice(&buf[p + 1..p + 9]);
            (Elem::Int(i64::from_le_bytes(b)), 9)
        }
        // unreachable in a validated listpack; report something harmless rather than panic
        _ => (Elem::Int(12_345_678_900_000_000 + b0 as i64), 1),
    };
    (elem, l + backlen_size(l as u64))
}

/// Size of the entry at `p` of a valid listpack, backlen included.
fn entry_size_at(buf: &[u8], p: usize) -> usize {
    let l = enc_len(buf, p).unwrap_or(1);
    l as usize + backlen_size(l)
}

/// Start of the entry that ends right before `end` in a valid listpack.
fn entry_before(buf: &[u8], end: usize) -> usize {
    let l = read_backlen(buf, end - 1).unwrap_or(0);
    end - (l as usize + backlen_size(l))
}

/// Does an element equal the given bytes, with Redis's rules (an integer entry equals the
/// canonical decimal form of its value)?
pub fn elem_eq(e: Elem<'_>, v: &[u8]) -> bool {
    match e {
        Elem::Bytes(b) => b == v,
        Elem::Int(n) => as_int(v) == Some(n),
    }
}

/// See the module documentation.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Listpack {
    buf: Vec<u8>,
}

impl Default for Listpack {
    fn default() -> Self {
        Listpack::new()
    }
}

impl fmt::Debug for Listpack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut l = f.debug_list();
        for e in self.iter() {
            match e {
                Elem::Int(n) => l.entry(&n),
                Elem::Bytes(b) => l.entry(&String::from_utf8_lossy(b)),
            };
        }
        l.finish()
    }
}

impl Listpack {
    /// An empty listpack (7 bytes).
    pub fn new() -> Listpack {
        let mut buf = Vec::with_capacity(EMPTY_SIZE);
        buf.extend_from_slice(&(EMPTY_SIZE as u32).to_le_bytes());
        buf.extend_from_slice(&0u16.to_le_bytes());
        buf.push(EOF);
        Listpack { buf }
    }

    /// Takes bytes from outside (RDB, DUMP payloads) after validating the header and every
    /// entry. Corrupt input gives an error, never a panic.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Listpack, ListpackError> {
        Listpack::validate(&bytes)?;
        Ok(Listpack { buf: bytes })
    }

    /// Checks that `b` is a valid listpack, with the checks of Redis's deep integrity
    /// validation (sizes, encodings, backlens, terminator, count). Returns the entry count.
    pub fn validate(b: &[u8]) -> Result<usize, ListpackError> {
        if b.len() < EMPTY_SIZE {
            return Err(ListpackError::TooShort);
        }
        let total = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        if total as usize != b.len() {
            return Err(ListpackError::SizeMismatch { header: total, actual: b.len() });
        }
        let last = b.len() - 1;
        if b[last] != EOF {
            return Err(ListpackError::NoTerminator);
        }
        let mut p = HEADER_SIZE;
        let mut count = 0usize;
        while b[p] != EOF {
            let bad = ListpackError::BadEntry(p);
            let prefix = prefix_len(b[p]).ok_or(bad)?;
            if p + prefix > last {
                return Err(bad);
            }
            let l = enc_len(b, p).ok_or(bad)?;
            let entry = l + backlen_size(l) as u64;
            if p as u64 + entry > last as u64 {
                return Err(bad);
            }
            let next = p + entry as usize;
            if read_backlen(b, next - 1) != Some(l) {
                return Err(bad);
            }
            p = next;
            count += 1;
        }
        if p != last {
            return Err(ListpackError::BadEntry(p));
        }
        let header = u16::from_le_bytes([b[4], b[5]]);
        if header != COUNT_UNKNOWN && header as usize != count {
            return Err(ListpackError::CountMismatch { header, actual: count });
        }
        Ok(count)
    }

    /// A listpack holding `elems` in order.
    pub fn from_elems<'a, I, E>(elems: I) -> Result<Listpack, ListpackError>
    where
        I: IntoIterator<Item = E>,
        E: Into<Elem<'a>>,
    {
        let mut lp = Listpack::new();
        for e in elems {
            lp.push_back(e)?;
        }
        Ok(lp)
    }

    /// The listpack's bytes, exactly as Redis would store them.
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// The bytes, taking ownership.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// Total size in bytes (the header's first field).
    pub fn total_bytes(&self) -> usize {
        self.buf.len()
    }

    /// Heap bytes owned, as the allocator rounds them.
    pub fn heap_size(&self) -> usize {
        alloc_size_class(self.buf.capacity())
    }

    fn header_count(&self) -> u16 {
        u16::from_le_bytes([self.buf[4], self.buf[5]])
    }

    fn set_header_count(&mut self, n: usize) {
        let v = if n >= COUNT_UNKNOWN as usize { COUNT_UNKNOWN } else { n as u16 };
        self.buf[4..6].copy_from_slice(&v.to_le_bytes());
    }

    /// Adds `delta` (+1 or -n) to the header count, unless it is unknown (Redis keeps an
    /// unknown count unknown until something counts the entries).
    fn bump_count(&mut self, add: usize, sub: usize) {
        let c = self.header_count();
        if c != COUNT_UNKNOWN {
            self.set_header_count((c as usize + add).saturating_sub(sub));
        }
    }

    fn set_total(&mut self) {
        let t = self.buf.len() as u32;
        self.buf[0..4].copy_from_slice(&t.to_le_bytes());
    }

    /// Number of entries: the header's count, or a scan when it is unknown (65535).
    pub fn len(&self) -> usize {
        match self.header_count() {
            COUNT_UNKNOWN => self.iter().count(),
            n => n as usize,
        }
    }

    /// Like [`len`](Self::len), and when the count was unknown but is now below 65535, writes
    /// it into the header, as Redis's `lpLength` does.
    pub fn len_mut(&mut self) -> usize {
        let n = self.len();
        if self.header_count() == COUNT_UNKNOWN && n < COUNT_UNKNOWN as usize {
            self.set_header_count(n);
        }
        n
    }

    pub fn is_empty(&self) -> bool {
        self.buf[HEADER_SIZE] == EOF
    }

    /// Whether `add` more bytes keep the listpack within Redis's 1 GiB safety limit.
    pub fn safe_to_add(&self, add: usize) -> bool {
        self.buf.len().saturating_add(add) <= SAFETY_SIZE
    }

    /// Bytes an element takes once stored (encoding, data and backlen).
    pub fn entry_size<'a>(e: impl Into<Elem<'a>>) -> usize {
        match Enc::of(e.into()) {
            Ok(enc) => enc.total(),
            Err(_) => usize::MAX,
        }
    }

    fn end(&self) -> usize {
        self.buf.len() - 1
    }

    /// The first entry.
    pub fn first(&self) -> Option<Pos> {
        if self.is_empty() {
            None
        } else {
            Some(Pos(HEADER_SIZE))
        }
    }

    /// The last entry.
    pub fn last(&self) -> Option<Pos> {
        if self.is_empty() {
            None
        } else {
            Some(Pos(entry_before(&self.buf, self.end())))
        }
    }

    /// The entry after `p`.
    pub fn next(&self, p: Pos) -> Option<Pos> {
        let n = p.0 + entry_size_at(&self.buf, p.0);
        if n >= self.end() {
            None
        } else {
            Some(Pos(n))
        }
    }

    /// The entry before `p`.
    pub fn prev(&self, p: Pos) -> Option<Pos> {
        if p.0 <= HEADER_SIZE {
            None
        } else {
            Some(Pos(entry_before(&self.buf, p.0)))
        }
    }

    /// The element at `p`.
    pub fn get(&self, p: Pos) -> Elem<'_> {
        decode(&self.buf, p.0).0
    }

    /// Whether the element at `p` equals `v` (integers compare by value, as `lpCompare`).
    pub fn eq_at(&self, p: Pos, v: &[u8]) -> bool {
        elem_eq(self.get(p), v)
    }

    /// The entry at `index` (negative counts from the tail: -1 is the last). Scans from the
    /// nearer end when the count is known.
    pub fn seek(&self, index: i64) -> Option<Pos> {
        let count = self.header_count();
        let (forward, steps) = if count != COUNT_UNKNOWN {
            let n = count as i64;
            let i = if index < 0 { index.checked_add(n)? } else { index };
            if i < 0 || i >= n {
                return None;
            }
            if i > n / 2 {
                (false, (n - 1 - i) as u64)
            } else {
                (true, i as u64)
            }
        } else if index < 0 {
            (false, (-(index + 1)) as u64)
        } else {
            (true, index as u64)
        };
        if forward {
            let mut p = self.first()?;
            for _ in 0..steps {
                p = self.next(p)?;
            }
            Some(p)
        } else {
            let mut p = self.last()?;
            for _ in 0..steps {
                p = self.prev(p)?;
            }
            Some(p)
        }
    }

    /// The elements, front to back (reversible with `.rev()`).
    pub fn iter(&self) -> Iter<'_> {
        Iter { buf: &self.buf, front: HEADER_SIZE, back: self.end() }
    }

    /// The elements from `p` (included) to the back.
    pub fn iter_from(&self, p: Pos) -> Iter<'_> {
        Iter { buf: &self.buf, front: p.0, back: self.end() }
    }

    /// The elements from the front up to `p` (included); `.rev()` walks from `p` to the front.
    pub fn iter_to(&self, p: Pos) -> Iter<'_> {
        Iter { buf: &self.buf, front: HEADER_SIZE, back: p.0 + entry_size_at(&self.buf, p.0) }
    }

    /// The elements with their positions, front to back (reversible).
    pub fn entries(&self) -> Entries<'_> {
        Entries(self.iter())
    }

    /// Consecutive pairs (field, value) for hashes and sorted sets. An odd last entry is
    /// ignored.
    pub fn pairs(&self) -> Pairs<'_> {
        Pairs(self.iter())
    }

    /// The first entry at or after `from` equal to `v`, comparing only every `skip + 1`-th entry
    /// (`skip = 1` looks among fields of a pair listpack when `from` is a field).
    pub fn find(&self, from: Pos, v: &[u8], skip: usize) -> Option<Pos> {
        let vint = as_int(v);
        let mut p = from.0;
        let end = self.end();
        let mut skipped = 0;
        while p < end {
            let (e, size) = decode(&self.buf, p);
            if skipped == 0 {
                let hit = match e {
                    Elem::Bytes(b) => b == v,
                    Elem::Int(n) => vint == Some(n),
                };
                if hit {
                    return Some(Pos(p));
                }
                skipped = skip;
            } else {
                skipped -= 1;
            }
            p += size;
        }
        None
    }

    /// Moves the bytes after `at + remove` so that `add` bytes fit at `at`, keeping the
    /// allocation at the allocator's size class of the new length.
    fn make_room(&mut self, at: usize, remove: usize, add: usize) -> Result<(), ListpackError> {
        let old = self.buf.len();
        let new = old - remove + add;
        if new as u64 > u32::MAX as u64 {
            return Err(ListpackError::TooLarge);
        }
        if add > remove {
            if new > self.buf.capacity() {
                let want = alloc_size_class(new).max(new);
                self.buf.try_reserve_exact(want - old).map_err(|_| ListpackError::TooLarge)?;
            }
            self.buf.resize(new, 0);
            self.buf.copy_within(at + remove..old, at + add);
        } else if add < remove {
            self.buf.copy_within(at + remove..old, at + add);
            self.buf.truncate(new);
            let want = alloc_size_class(new);
            if self.buf.capacity() > want {
                self.buf.shrink_to(want);
            }
        }
        Ok(())
    }

    /// Writes `e` as a new entry at byte offset `at`.
    fn insert_at(&mut self, at: usize, e: Elem<'_>) -> Result<Pos, ListpackError> {
        let enc = Enc::of(e)?;
        let total = enc.total();
        self.make_room(at, 0, total)?;
        enc.write(&mut self.buf[at..at + total]);
        self.bump_count(1, 0);
        self.set_total();
        Ok(Pos(at))
    }

    /// Appends an element at the back.
    pub fn push_back<'a>(&mut self, e: impl Into<Elem<'a>>) -> Result<(), ListpackError> {
        let at = self.end();
        self.insert_at(at, e.into()).map(|_| ())
    }

    /// Inserts an element at the front.
    pub fn push_front<'a>(&mut self, e: impl Into<Elem<'a>>) -> Result<(), ListpackError> {
        self.insert_at(HEADER_SIZE, e.into()).map(|_| ())
    }

    /// Inserts an element before the entry at `p`; returns the new entry's position.
    pub fn insert_before<'a>(&mut self, p: Pos, e: impl Into<Elem<'a>>) -> Result<Pos, ListpackError> {
        self.insert_at(p.0, e.into())
    }

    /// Inserts an element after the entry at `p`; returns the new entry's position.
    pub fn insert_after<'a>(&mut self, p: Pos, e: impl Into<Elem<'a>>) -> Result<Pos, ListpackError> {
        let at = p.0 + entry_size_at(&self.buf, p.0);
        self.insert_at(at, e.into())
    }

    /// Inserts an element so that it becomes entry number `index` (0..=len).
    pub fn insert_index<'a>(&mut self, index: usize, e: impl Into<Elem<'a>>) -> Result<Pos, ListpackError> {
        let at = match self.seek(index as i64) {
            Some(p) => p.0,
            None => self.end(),
        };
        self.insert_at(at, e.into())
    }

    /// Replaces the element at `p`; the entry keeps its position, which is returned.
    pub fn replace<'a>(&mut self, p: Pos, e: impl Into<Elem<'a>>) -> Result<Pos, ListpackError> {
        let enc = Enc::of(e.into())?;
        let old = entry_size_at(&self.buf, p.0);
        let total = enc.total();
        self.make_room(p.0, old, total)?;
        enc.write(&mut self.buf[p.0..p.0 + total]);
        self.set_total();
        Ok(p)
    }

    /// Deletes the entry at `p`; returns the position of the entry that followed it.
    pub fn delete(&mut self, p: Pos) -> Option<Pos> {
        self.delete_n(p, 1)
    }

    /// Deletes up to `n` entries starting at `p`; returns the position of the entry that
    /// followed them.
    pub fn delete_n(&mut self, p: Pos, n: usize) -> Option<Pos> {
        let end = self.end();
        let mut q = p.0;
        let mut deleted = 0;
        while deleted < n && q < end {
            q += entry_size_at(&self.buf, q);
            deleted += 1;
        }
        if deleted == 0 {
            return None;
        }
        // shrinking never fails
        let _ = self.make_room(p.0, q - p.0, 0);
        self.bump_count(0, deleted);
        self.set_total();
        if p.0 >= self.end() {
            None
        } else {
            Some(p)
        }
    }

    /// Deletes `n` entries starting at `index` (negative from the tail), like `lpDeleteRange`.
    pub fn delete_range(&mut self, index: i64, n: usize) {
        if n == 0 {
            return;
        }
        if let Some(p) = self.seek(index) {
            self.delete_n(p, n);
        }
    }

    /// Removes and returns the entries from `index` on (`split_off` of a Vec).
    pub fn split_off(&mut self, index: usize) -> Listpack {
        let mut tail = Listpack::new();
        let Some(p) = self.seek(index as i64) else { return tail };
        let moved = self.end() - p.0;
        let count = self.len() - index;
        let mut buf = Vec::with_capacity(alloc_size_class(EMPTY_SIZE + moved));
        buf.extend_from_slice(&self.buf[..HEADER_SIZE]);
        buf.extend_from_slice(&self.buf[p.0..]);
        tail.buf = buf;
        tail.set_header_count(count);
        tail.set_total();
        let _ = self.make_room(p.0, moved, 0);
        self.set_header_count(index);
        self.set_total();
        tail
    }

    /// Appends all entries of `other` (Redis's `lpMerge` result: the count saturates at the
    /// unknown marker).
    pub fn append(&mut self, other: &Listpack) -> Result<(), ListpackError> {
        let add = other.buf.len() - EMPTY_SIZE;
        let at = self.end();
        let count = self.len() + other.len();
        self.make_room(at, 0, add)?;
        self.buf[at..at + add].copy_from_slice(&other.buf[HEADER_SIZE..HEADER_SIZE + add]);
        self.set_header_count(count);
        self.set_total();
        Ok(())
    }

    /// Inserts all entries of `other` at the front.
    pub fn prepend(&mut self, other: &Listpack) -> Result<(), ListpackError> {
        let add = other.buf.len() - EMPTY_SIZE;
        let count = self.len() + other.len();
        self.make_room(HEADER_SIZE, 0, add)?;
        self.buf[HEADER_SIZE..HEADER_SIZE + add].copy_from_slice(&other.buf[HEADER_SIZE..HEADER_SIZE + add]);
        self.set_header_count(count);
        self.set_total();
        Ok(())
    }

    /// Drops spare capacity beyond the allocator's size class of the current length.
    pub fn shrink_to_fit(&mut self) {
        let want = alloc_size_class(self.buf.len());
        if self.buf.capacity() > want {
            self.buf.shrink_to(want);
        }
    }
}

/// Iterator over the elements of a listpack (see [`Listpack::iter`]).
#[derive(Clone)]
pub struct Iter<'a> {
    buf: &'a [u8],
    /// Offset of the next entry from the front.
    front: usize,
    /// Offset just past the next entry from the back.
    back: usize,
}

impl<'a> Iter<'a> {
    fn next_entry(&mut self) -> Option<(Pos, Elem<'a>)> {
        if self.front >= self.back {
            return None;
        }
        let p = self.front;
        let (e, size) = decode(self.buf, p);
        self.front += size;
        Some((Pos(p), e))
    }

    fn next_back_entry(&mut self) -> Option<(Pos, Elem<'a>)> {
        if self.front >= self.back {
            return None;
        }
        let p = entry_before(self.buf, self.back);
        self.back = p;
        Some((Pos(p), decode(self.buf, p).0))
    }
}

impl<'a> Iterator for Iter<'a> {
    type Item = Elem<'a>;
    fn next(&mut self) -> Option<Elem<'a>> {
        self.next_entry().map(|(_, e)| e)
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.next_back_entry().map(|(_, e)| e)
    }
}

/// Iterator over positions and elements (see [`Listpack::entries`]).
#[derive(Clone)]
pub struct Entries<'a>(Iter<'a>);

impl<'a> Iterator for Entries<'a> {
    type Item = (Pos, Elem<'a>);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next_entry()
    }
}

impl DoubleEndedIterator for Entries<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back_entry()
    }
}

/// Iterator over consecutive pairs (see [`Listpack::pairs`]).
#[derive(Clone)]
pub struct Pairs<'a>(Iter<'a>);

impl<'a> Iterator for Pairs<'a> {
    type Item = (Elem<'a>, Elem<'a>);
    fn next(&mut self) -> Option<Self::Item> {
        let a = self.0.next()?;
        let b = self.0.next()?;
        Some((a, b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    fn bytes_of(e: Elem<'_>) -> Vec<u8> {
        e.to_bytes().into_owned()
    }

    /// RPUSH of these values to a fresh list on redis-server 7.0.15, then DUMP with
    /// rdbcompression off: the quicklist node's listpack.
    const REDIS_LPT1: &str = "6f00000016008161020101dfff027f01c08002cfff02d00002f1001003f1ff7f03f1008003f200800004\
f2ffff7f04f200008004f30000800005f3ffffff7f05f30000008005f4000000800000000009f4ffffffffffffff7f09f4000000000000\
008009800182303103822d3003ff";
    const LPT1_VALUES: [&str; 22] = [
        "a",
        "1",
        "-1",
        "127",
        "128",
        "4095",
        "-4096",
        "4096",
        "32767",
        "-32768",
        "32768",
        "8388607",
        "-8388608",
        "8388608",
        "2147483647",
        "-2147483648",
        "2147483648",
        "9223372036854775807",
        "-9223372036854775808",
        "",
        "01",
        "-0",
    ];

    #[test]
    fn matches_redis_integer_and_short_string_encodings() {
        let lp = Listpack::from_elems(LPT1_VALUES.iter().map(|s| s.as_bytes())).unwrap();
        assert_eq!(lp.bytes(), &hex(REDIS_LPT1)[..]);
        let back: Vec<Vec<u8>> = lp.iter().map(bytes_of).collect();
        let want: Vec<Vec<u8>> = LPT1_VALUES.iter().map(|s| s.as_bytes().to_vec()).collect();
        assert_eq!(back, want);
        assert!(Listpack::from_bytes(hex(REDIS_LPT1)).is_ok());
    }

    #[test]
    fn matches_redis_string_length_encodings() {
        // RPUSH lpt2 x*63 y*64 z*200 on redis-server 7.0.15
        let x = vec![b'x'; 63];
        let y = vec![b'y'; 64];
        let z = vec![b'z'; 200];
        let lp = Listpack::from_elems([&x, &y, &z]).unwrap();
        let b = lp.bytes();
        assert_eq!(&b[..7], &hex("570100000300bf")[..]);
        assert_eq!(b.len(), 0x157);
        // 63 x's, backlen 0x40; 12-bit header e0 40, 64 y's, backlen 0x42; e0 c8, 200 z's, backlen 01 ca
        assert_eq!(&b[70..73], &hex("40e040")[..]);
        assert_eq!(&b[137..140], &hex("42e0c8")[..]);
        assert_eq!(&b[b.len() - 3..], &hex("01caff")[..]);
        // RPUSH w*4095 (one node on Redis: 4106 bytes, head 0a100000 0100 efff, tail 20 81 ff)
        let w = vec![b'w'; 4095];
        let lp = Listpack::from_elems([&w]).unwrap();
        assert_eq!(lp.total_bytes(), 4106);
        assert_eq!(&lp.bytes()[..8], &hex("0a1000000100efff")[..]);
        assert_eq!(&lp.bytes()[4106 - 3..], &hex("2081ff")[..]);
        // 32-bit string: v*4096 (4110 bytes, f0 00100000, backlen 20 85) and u*20000 (3-byte backlen 01 9c a5)
        let v = vec![b'v'; 4096];
        let lp = Listpack::from_elems([&v]).unwrap();
        assert_eq!(&lp.bytes()[..11], &hex("0e1000000100f000100000")[..]);
        assert_eq!(&lp.bytes()[4110 - 3..], &hex("2085ff")[..]);
        let u = vec![b'u'; 20000];
        let lp = Listpack::from_elems([&u]).unwrap();
        assert_eq!(lp.total_bytes(), 20015);
        assert_eq!(&lp.bytes()[20015 - 4..], &hex("019ca5ff")[..]);
        assert_eq!(lp.iter().next_back(), Some(Elem::Bytes(&u)));
    }

    #[test]
    fn matches_redis_hash_example() {
        // from the facts file: hash {a: 1}
        let lp = Listpack::from_elems(["a", "1"]).unwrap();
        assert_eq!(lp.bytes(), &hex("0c00000002008161020101ff")[..]);
        let pairs: Vec<_> = lp.pairs().collect();
        assert_eq!(pairs, vec![(Elem::Bytes(b"a"), Elem::Int(1))]);
    }

    #[test]
    fn backlen_round_trip_at_boundaries() {
        for l in [0u64, 1, 127, 128, 16382, 16383, 16384, 2_097_150, 2_097_151, 268_435_454, 268_435_455, 1 << 31] {
            let mut buf = [0u8; 5];
            let n = backlen_size(l);
            write_backlen(&mut buf, l);
            assert_eq!(read_backlen(&buf, n - 1), Some(l), "l={l}");
        }
    }

    #[test]
    fn positions_and_edits() {
        let mut lp = Listpack::from_elems(["a", "b", "c"]).unwrap();
        let b = lp.seek(1).unwrap();
        assert_eq!(lp.get(b), Elem::Bytes(b"b"));
        let n = lp.insert_after(b, 42).unwrap();
        assert_eq!(lp.get(n), Elem::Int(42));
        let r = lp.replace(n, "forty-two").unwrap();
        assert_eq!(lp.get(r), Elem::Bytes(b"forty-two"));
        assert_eq!(lp.seek(-1).map(|p| lp.get(p)), Some(Elem::Bytes(b"c")));
        assert_eq!(lp.seek(4), None);
        assert_eq!(lp.seek(-5), None);
        let next = lp.delete(lp.first().unwrap()).unwrap();
        assert_eq!(lp.get(next), Elem::Bytes(b"b"));
        assert_eq!(lp.len(), 3);
        assert!(lp.eq_at(next, b"b"));
        let f = lp.find(lp.first().unwrap(), b"c", 0).unwrap();
        assert_eq!(lp.get(f), Elem::Bytes(b"c"));
        let tail = lp.split_off(1);
        assert_eq!(lp.len(), 1);
        assert_eq!(tail.iter().map(bytes_of).collect::<Vec<_>>(), vec![b"forty-two".to_vec(), b"c".to_vec()]);
        Listpack::validate(tail.bytes()).unwrap();
        Listpack::validate(lp.bytes()).unwrap();
    }

    #[test]
    fn find_with_skip_looks_at_fields_only() {
        let lp = Listpack::from_elems(["f1", "v", "v", "f2", "7", "x"]).unwrap();
        let p = lp.find(lp.first().unwrap(), b"v", 1).unwrap();
        assert_eq!(lp.entries().position(|(q, _)| q == p), Some(2));
        let p = lp.find(lp.first().unwrap(), b"7", 1).unwrap();
        assert_eq!(lp.get(p), Elem::Int(7));
        assert_eq!(lp.find(lp.first().unwrap(), b"x", 1), None);
    }

    #[test]
    fn unknown_count_is_kept_and_scanned() {
        let mut lp = Listpack::new();
        for i in 0..65536i64 {
            lp.push_back(i % 100).unwrap();
        }
        assert_eq!(lp.header_count(), COUNT_UNKNOWN);
        assert_eq!(lp.len(), 65536);
        lp.delete_range(0, 2);
        assert_eq!(lp.header_count(), COUNT_UNKNOWN);
        assert_eq!(lp.len_mut(), 65534);
        assert_eq!(lp.header_count(), 65534);
        assert_eq!(lp.seek(-1).map(|p| lp.get(p)), Some(Elem::Int(35)));
        Listpack::validate(lp.bytes()).unwrap();
    }

    #[test]
    fn corrupt_inputs_are_errors() {
        let good = hex(REDIS_LPT1);
        assert_eq!(Listpack::from_bytes(vec![]), Err(ListpackError::TooShort));
        let mut b = good.clone();
        b.push(0xFF);
        assert!(matches!(Listpack::from_bytes(b), Err(ListpackError::SizeMismatch { .. })));
        let mut b = good.clone();
        let n = b.len();
        b[n - 1] = 0;
        assert_eq!(Listpack::from_bytes(b), Err(ListpackError::NoTerminator));
        let mut b = good.clone();
        b[4] = 21;
        assert!(matches!(Listpack::from_bytes(b), Err(ListpackError::CountMismatch { .. })));
        let mut b = good.clone();
        b[6] = 0xF5;
        assert_eq!(Listpack::from_bytes(b), Err(ListpackError::BadEntry(6)));
        let mut b = good.clone();
        b[8] = 0x05; // backlen of "a" wrong
        assert_eq!(Listpack::from_bytes(b), Err(ListpackError::BadEntry(6)));
        // a 32-bit string length that points far past the end
        let b = hex("0e0000000100f0ffffff0f0000ff");
        assert!(Listpack::from_bytes(b).is_err());
        // an early terminator
        let b = hex("0b00000002000101ff01ff");
        assert!(Listpack::from_bytes(b).is_err());
    }

    #[derive(Debug, Clone)]
    enum Op {
        PushBack(Vec<u8>),
        PushFront(Vec<u8>),
        Insert(usize, Vec<u8>, bool),
        Replace(usize, Vec<u8>),
        Delete(usize),
        DeleteRange(i64, usize),
        Split(usize),
    }

    fn value() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            any::<i64>().prop_map(|n| n.to_string().into_bytes()),
            (-5000i64..5000).prop_map(|n| n.to_string().into_bytes()),
            proptest::collection::vec(any::<u8>(), 0..80),
            proptest::collection::vec(b'a'..=b'z', 60..5000),
            Just(b"-0".to_vec()),
            Just(b"007".to_vec()),
        ]
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            value().prop_map(Op::PushBack),
            value().prop_map(Op::PushFront),
            (any::<usize>(), value(), any::<bool>()).prop_map(|(i, v, a)| Op::Insert(i, v, a)),
            (any::<usize>(), value()).prop_map(|(i, v)| Op::Replace(i, v)),
            any::<usize>().prop_map(Op::Delete),
            (-20i64..20, 0usize..6).prop_map(|(i, n)| Op::DeleteRange(i, n)),
            any::<usize>().prop_map(Op::Split),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn behaves_like_a_vec(ops in proptest::collection::vec(op(), 1..60)) {
            let mut lp = Listpack::new();
            let mut model: Vec<Vec<u8>> = Vec::new();
            for op in ops {
                match op {
                    Op::PushBack(v) => { lp.push_back(&v).unwrap(); model.push(v); }
                    Op::PushFront(v) => { lp.push_front(&v).unwrap(); model.insert(0, v); }
                    Op::Insert(i, v, after) => {
                        if model.is_empty() { continue; }
                        let i = i % model.len();
                        let p = lp.seek(i as i64).unwrap();
                        let q = if after { lp.insert_after(p, &v).unwrap() } else { lp.insert_before(p, &v).unwrap() };
                        prop_assert_eq!(bytes_of(lp.get(q)), v.clone());
                        model.insert(if after { i + 1 } else { i }, v);
                    }
                    Op::Replace(i, v) => {
                        if model.is_empty() { continue; }
                        let i = i % model.len();
                        let p = lp.seek(-(model.len() as i64) + i as i64).unwrap();
                        lp.replace(p, &v).unwrap();
                        model[i] = v;
                    }
                    Op::Delete(i) => {
                        if model.is_empty() { continue; }
                        let i = i % model.len();
                        let p = lp.seek(i as i64).unwrap();
                        let next = lp.delete(p);
                        model.remove(i);
                        prop_assert_eq!(next.map(|q| bytes_of(lp.get(q))), model.get(i).cloned());
                    }
                    Op::DeleteRange(i, n) => {
                        lp.delete_range(i, n);
                        let len = model.len() as i64;
                        let start = if i < 0 { i + len } else { i };
                        if start >= 0 && start < len {
                            let s = start as usize;
                            let e = (s + n).min(model.len());
                            model.drain(s..e);
                        }
                    }
                    Op::Split(i) => {
                        let i = i % (model.len() + 1);
                        let mut tail = lp.split_off(i);
                        let mtail = model.split_off(i);
                        prop_assert_eq!(tail.iter().map(bytes_of).collect::<Vec<_>>(), mtail.clone());
                        // glue back, alternating append and prepend
                        if i.is_multiple_of(2) { lp.append(&tail).unwrap(); } else { tail.prepend(&lp).unwrap(); lp = tail; }
                        model.extend(mtail);
                    }
                }
                prop_assert_eq!(Listpack::validate(lp.bytes()), Ok(model.len()));
                prop_assert_eq!(lp.len(), model.len());
            }
            let fwd: Vec<Vec<u8>> = lp.iter().map(bytes_of).collect();
            prop_assert_eq!(&fwd, &model);
            let mut back: Vec<Vec<u8>> = lp.iter().rev().map(bytes_of).collect();
            back.reverse();
            prop_assert_eq!(&back, &model);
            // a fresh listpack built from the model has exactly the same bytes
            let fresh = Listpack::from_elems(model.iter()).unwrap();
            prop_assert_eq!(fresh.bytes(), lp.bytes());
            for (i, v) in model.iter().enumerate() {
                let p = lp.seek(i as i64).unwrap();
                prop_assert!(lp.eq_at(p, v));
                prop_assert_eq!(lp.iter_from(p).count(), model.len() - i);
                prop_assert_eq!(lp.iter_to(p).rev().count(), i + 1);
            }
        }

        #[test]
        fn garbage_never_panics(mut b in proptest::collection::vec(any::<u8>(), 0..200), fix in any::<bool>()) {
            if fix && b.len() >= 7 {
                let n = b.len();
                b[0..4].copy_from_slice(&(n as u32).to_le_bytes());
                b[n - 1] = EOF;
            }
            if let Ok(lp) = Listpack::from_bytes(b) {
                let n = lp.len();
                prop_assert_eq!(lp.iter().count(), n);
                prop_assert_eq!(lp.iter().rev().count(), n);
            }
        }

        #[test]
        fn mutated_valid_listpacks_never_panic(vals in proptest::collection::vec(value(), 0..10), flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4)) {
            let lp = Listpack::from_elems(vals.iter()).unwrap();
            let mut b = lp.into_bytes();
            for (i, x) in flips {
                let n = b.len();
                b[i % n] = x;
            }
            if let Ok(lp) = Listpack::from_bytes(b) {
                let n = lp.len();
                prop_assert_eq!(lp.iter().count(), n);
                prop_assert_eq!(lp.iter().rev().count(), n);
                for i in 0..n {
                    prop_assert!(lp.seek(i as i64).is_some());
                }
            }
        }
    }
}
