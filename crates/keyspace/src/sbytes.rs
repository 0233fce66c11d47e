//! `SBytes`: an owned, immutable, binary-safe byte string of 24 bytes that stores up to 23
//! bytes inline and longer strings on the heap. Used for keys, small string values and members.
//! Its last byte is a tag whose unused values give enclosing enums a niche, so an enum that
//! wraps an `SBytes` next to pointer-sized variants stays 24 bytes. This module also owns
//! [`alloc_size_class`], the allocator's rounding rule used for memory accounting. It knows
//! nothing about keys, values or databases.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::mem::{offset_of, size_of, ManuallyDrop};
use std::ops::Deref;
use std::ptr::{self, NonNull};

/// Longest string kept inside the struct.
pub const INLINE_MAX: usize = 23;

/// The last byte of an [`SBytes`]: the length of an inline string, or `Heap`. Only 25 of the 256
/// byte values are valid, which is what gives enclosing enums their niche.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
enum Tag {
    L0 = 0,
    L1,
    L2,
    L3,
    L4,
    L5,
    L6,
    L7,
    L8,
    L9,
    L10,
    L11,
    L12,
    L13,
    L14,
    L15,
    L16,
    L17,
    L18,
    L19,
    L20,
    L21,
    L22,
    L23,
    Heap,
}

/// Inline tags indexed by length.
const INLINE_TAGS: [Tag; INLINE_MAX + 1] = [
    Tag::L0,
    Tag::L1,
    Tag::L2,
    Tag::L3,
    Tag::L4,
    Tag::L5,
    Tag::L6,
    Tag::L7,
    Tag::L8,
    Tag::L9,
    Tag::L10,
    Tag::L11,
    Tag::L12,
    Tag::L13,
    Tag::L14,
    Tag::L15,
    Tag::L16,
    Tag::L17,
    Tag::L18,
    Tag::L19,
    Tag::L20,
    Tag::L21,
    Tag::L22,
    Tag::L23,
];

/// The first word: the heap pointer, or the first 8 inline bytes. A union so the pointer keeps
/// its provenance (it is never round-tripped through bytes).
#[derive(Clone, Copy)]
#[repr(C)]
union Word {
    ptr: NonNull<u8>,
    bytes: [u8; 8],
}

/// See the module documentation.
///
/// Layout (`repr(C)`, 24 bytes, align 8):
/// - inline: bytes 0..23 hold the data (only the first `len` are meaningful, the rest are zero),
///   byte 23 is `Tag::L<len>`;
/// - heap: bytes 0..8 are the pointer of a `Box<[u8]>`, bytes 8..16 its length (native endian),
///   bytes 16..23 are zero, byte 23 is `Tag::Heap`.
#[repr(C)]
pub struct SBytes {
    a: Word,
    b: [u8; 8],
    c: [u8; 7],
    tag: Tag,
}

const _: () = assert!(size_of::<SBytes>() == 24);
const _: () = assert!(size_of::<Option<SBytes>>() == 24);
const _: () = assert!(offset_of!(SBytes, b) == 8);
const _: () = assert!(offset_of!(SBytes, c) == 16);
const _: () = assert!(offset_of!(SBytes, tag) == INLINE_MAX);

// SAFETY: an SBytes is an owned, immutable byte string. The heap pointer is uniquely owned (it
// comes from a `Box<[u8]>` that no one else holds) and the bytes are never mutated after
// construction, so moving it to another thread or sharing `&SBytes` between threads is exactly
// as safe as for `Box<[u8]>`, which is Send + Sync.
unsafe impl Send for SBytes {}
// SAFETY: see the Send impl; `&SBytes` only gives read access to immutable bytes.
unsafe impl Sync for SBytes {}

impl SBytes {
    pub fn new(b: &[u8]) -> Self {
        if b.len() <= INLINE_MAX {
            Self::inline(b)
        } else {
            Self::heap(Box::from(b))
        }
    }

    pub fn from_vec(v: Vec<u8>) -> Self {
        if v.len() <= INLINE_MAX {
            Self::inline(&v)
        } else {
            Self::heap(v.into_boxed_slice())
        }
    }

    /// Builds an inline value; `b.len() <= INLINE_MAX` (checked by the caller).
    #[inline]
    fn inline(b: &[u8]) -> Self {
        let mut buf = [0u8; INLINE_MAX];
        buf[..b.len()].copy_from_slice(b);
        let mut a = [0u8; 8];
        let mut mid = [0u8; 8];
        let mut c = [0u8; 7];
        a.copy_from_slice(&buf[0..8]);
        mid.copy_from_slice(&buf[8..16]);
        c.copy_from_slice(&buf[16..23]);
        SBytes { a: Word { bytes: a }, b: mid, c, tag: INLINE_TAGS[b.len()] }
    }

    /// Takes ownership of a boxed slice longer than `INLINE_MAX`.
    fn heap(bx: Box<[u8]>) -> Self {
        debug_assert!(bx.len() > INLINE_MAX);
        let len = bx.len();
        let raw: *mut [u8] = Box::into_raw(bx);
        // SAFETY: Box::into_raw never returns null.
        let ptr = unsafe { NonNull::new_unchecked(raw.cast::<u8>()) };
        SBytes { a: Word { ptr }, b: len.to_ne_bytes(), c: [0; 7], tag: Tag::Heap }
    }

    #[inline]
    fn heap_len(&self) -> usize {
        usize::from_ne_bytes(self.b)
    }

    #[inline]
    pub fn as_slice(&self) -> &[u8] {
        if self.tag == Tag::Heap {
            // SAFETY: with the Heap tag, `a.ptr` was written by `heap()` from a live
            // `Box<[u8]>` of `heap_len()` bytes that this value owns until drop; the bytes are
            // initialized and never mutated, and the returned borrow is tied to `&self`.
            unsafe { std::slice::from_raw_parts(self.a.ptr.as_ptr(), self.heap_len()) }
        } else {
            let len = self.tag as usize;
            // SAFETY: inline values are built by `inline()`, which initializes all 23 bytes
            // before the tag (fields a, b, c, contiguous at offsets 0, 8 and 16 by the
            // compile-time layout asserts above), and `len <= 23`. The pointer is derived from
            // `&self`, so it may read the whole struct.
            unsafe { std::slice::from_raw_parts((self as *const Self).cast::<u8>(), len) }
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        if self.tag == Tag::Heap {
            self.heap_len()
        } else {
            self.tag as usize
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when the bytes live inside the struct (no heap allocation).
    #[inline]
    pub fn is_inline(&self) -> bool {
        self.tag != Tag::Heap
    }

    /// Bytes allocated on the heap for this value (0 when inline), as the allocator rounds it.
    pub fn heap_size(&self) -> usize {
        if self.is_inline() {
            0
        } else {
            alloc_size_class(self.heap_len())
        }
    }

    /// Converts into an owned `Vec<u8>`, reusing the heap allocation when there is one.
    pub fn into_vec(self) -> Vec<u8> {
        if self.is_inline() {
            return self.as_slice().to_vec();
        }
        let this = ManuallyDrop::new(self);
        // SAFETY: the Heap tag means `a.ptr`/`heap_len()` describe a `Box<[u8]>` we own;
        // `this` is never dropped, so ownership moves to the new box exactly once.
        let bx = unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(this.a.ptr.as_ptr(), this.heap_len())) };
        bx.into_vec()
    }
}

/// The size jemalloc actually reserves for a request of `n` bytes (its size classes with a
/// 16-byte quantum: 8, 16, 32, 48, ..., 128, then four classes per doubling: 160, 192, 224,
/// 256, 320, ...). Returns 0 for 0. Used for memory accounting (MEMORY USAGE, overhead).
pub fn alloc_size_class(n: usize) -> usize {
    if n == 0 {
        0
    } else if n <= 8 {
        8
    } else if n <= 128 {
        (n + 15) & !15
    } else {
        // Above 128 the classes in [2^k, 2^(k+1)] are 2^k + i * 2^(k-2) for i = 1..=4.
        let lg = usize::BITS - 1 - (n - 1).leading_zeros(); // floor(log2(n - 1)), >= 7
        let delta = 1usize << (lg - 2);
        n.checked_add(delta - 1).map_or(usize::MAX, |v| v & !(delta - 1))
    }
}

impl Drop for SBytes {
    fn drop(&mut self) {
        if self.tag == Tag::Heap {
            // SAFETY: with the Heap tag, `a.ptr`/`heap_len()` came from `Box::into_raw` of a
            // `Box<[u8]>` of that length which this value owns; drop runs once.
            unsafe {
                drop(Box::from_raw(ptr::slice_from_raw_parts_mut(self.a.ptr.as_ptr(), self.heap_len())));
            }
        }
    }
}

impl Clone for SBytes {
    #[inline]
    fn clone(&self) -> Self {
        if self.is_inline() {
            // SAFETY: inline values always have `a` initialized as bytes (see `inline()`).
            let a = unsafe { self.a.bytes };
            SBytes { a: Word { bytes: a }, b: self.b, c: self.c, tag: self.tag }
        } else {
            Self::heap(Box::from(self.as_slice()))
        }
    }
}

impl Default for SBytes {
    fn default() -> Self {
        Self::inline(&[])
    }
}

impl Deref for SBytes {
    type Target = [u8];
    #[inline]
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl AsRef<[u8]> for SBytes {
    #[inline]
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl Borrow<[u8]> for SBytes {
    #[inline]
    fn borrow(&self) -> &[u8] {
        self.as_slice()
    }
}

impl PartialEq for SBytes {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for SBytes {}

impl PartialEq<[u8]> for SBytes {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_slice() == other
    }
}

impl PartialEq<&[u8]> for SBytes {
    fn eq(&self, other: &&[u8]) -> bool {
        self.as_slice() == *other
    }
}

impl PartialOrd for SBytes {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SBytes {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_slice().cmp(other.as_slice())
    }
}

impl Hash for SBytes {
    /// Hashes exactly like the `[u8]` slice, as `Borrow<[u8]>` requires.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state)
    }
}

impl fmt::Debug for SBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_slice()))
    }
}

impl From<&[u8]> for SBytes {
    fn from(b: &[u8]) -> Self {
        SBytes::new(b)
    }
}

impl<const N: usize> From<&[u8; N]> for SBytes {
    fn from(b: &[u8; N]) -> Self {
        SBytes::new(b)
    }
}

impl From<Vec<u8>> for SBytes {
    fn from(v: Vec<u8>) -> Self {
        SBytes::from_vec(v)
    }
}

impl From<&str> for SBytes {
    fn from(s: &str) -> Self {
        SBytes::new(s.as_bytes())
    }
}

impl From<String> for SBytes {
    fn from(s: String) -> Self {
        SBytes::from_vec(s.into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;
    use std::collections::HashSet;

    /// The niche in the tag byte keeps an enum of an SBytes and 8-byte payloads at 24 bytes.
    #[allow(dead_code)]
    enum E {
        S(SBytes),
        I(i64),
        B(Box<u64>),
    }
    const _: () = assert!(size_of::<E>() == 24);
    const _: () = assert!(size_of::<Option<E>>() == 24);

    fn pattern(len: usize, salt: u8) -> Vec<u8> {
        (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(salt)).collect()
    }

    fn hash_of<T: Hash + ?Sized>(t: &T) -> u64 {
        let mut h = DefaultHasher::new();
        t.hash(&mut h);
        h.finish()
    }

    #[test]
    fn enum_with_sbytes_round_trips() {
        let vals = [E::S(SBytes::new(b"abc")), E::S(SBytes::new(&[7u8; 40])), E::I(-5), E::B(Box::new(9))];
        let mut seen = Vec::new();
        for v in &vals {
            seen.push(match v {
                E::S(s) => format!("s{}", s.len()),
                E::I(i) => format!("i{i}"),
                E::B(b) => format!("b{b}"),
            });
        }
        assert_eq!(seen, ["s3", "s40", "i-5", "b9"]);
        let o: Option<SBytes> = Some(SBytes::new(b""));
        assert!(o.is_some());
    }

    #[test]
    fn lengths_around_the_inline_limit() {
        for len in 0..80 {
            let v = pattern(len, len as u8);
            let a = SBytes::new(&v);
            let b = SBytes::from_vec(v.clone());
            let c = SBytes::from(v.as_slice());
            for s in [&a, &b, &c] {
                assert_eq!(s.as_slice(), &v[..]);
                assert_eq!(s.len(), len);
                assert_eq!(s.is_empty(), len == 0);
                assert_eq!(s.is_inline(), len <= INLINE_MAX);
                assert_eq!(&**s, &v[..]);
                assert_eq!(s.as_ref(), &v[..]);
                let bw: &[u8] = s.borrow();
                assert_eq!(bw, &v[..]);
            }
            let d = a.clone();
            assert_eq!(d, a);
            assert_eq!(d.as_slice(), &v[..]);
            drop(a);
            assert_eq!(d.as_slice(), &v[..]);
            assert_eq!(d.clone().into_vec(), v);
            assert_eq!(hash_of(&d), hash_of(&v[..]));
            if len <= INLINE_MAX {
                assert_eq!(d.heap_size(), 0);
            } else {
                assert!(d.heap_size() >= len);
            }
        }
    }

    #[test]
    fn ordering_and_equality_are_bytewise() {
        let mut all: Vec<Vec<u8>> = Vec::new();
        for len in [0usize, 1, 2, 22, 23, 24, 25, 40] {
            for salt in [0u8, 1, 255] {
                all.push(pattern(len, salt));
            }
        }
        all.push(vec![0xff; 23]);
        all.push(vec![0xff; 24]);
        all.push(b"a".to_vec());
        all.push(b"a\0".to_vec());
        for x in &all {
            for y in &all {
                let (sx, sy) = (SBytes::new(x), SBytes::new(y));
                assert_eq!(sx.cmp(&sy), x.cmp(y), "{x:?} vs {y:?}");
                assert_eq!(sx == sy, x == y);
            }
        }
        let set: HashSet<SBytes> = all.iter().map(|v| SBytes::new(v)).collect();
        for v in &all {
            assert!(set.contains(&v[..]));
        }
    }

    #[test]
    fn conversions_and_debug() {
        assert_eq!(SBytes::default().len(), 0);
        assert_eq!(SBytes::from("hello").as_slice(), b"hello");
        assert_eq!(SBytes::from(String::from("hi")).as_slice(), b"hi");
        assert_eq!(SBytes::from(b"xyz").as_slice(), b"xyz");
        assert_eq!(format!("{:?}", SBytes::from("a\"b")), "\"a\\\"b\"");
        let long = "x".repeat(30);
        assert_eq!(format!("{:?}", SBytes::from(long.as_str())), format!("{long:?}"));
        assert_eq!(SBytes::from("ab"), &b"ab"[..]);
        // A Vec with spare capacity is shrunk into an exact box.
        let mut v = Vec::with_capacity(100);
        v.extend_from_slice(&[3u8; 50]);
        let s = SBytes::from_vec(v);
        assert_eq!(s.as_slice(), &[3u8; 50][..]);
        assert_eq!(s.heap_size(), 64);
    }

    #[test]
    fn send_and_sync_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<SBytes>();
        let s = SBytes::new(&[5u8; 100]);
        let t = SBytes::new(b"short");
        let h = std::thread::spawn(move || (s.len(), t.len()));
        assert_eq!(h.join().unwrap(), (100, 5));
    }

    #[test]
    fn size_classes_follow_jemalloc() {
        let expect = [
            (0, 0),
            (1, 8),
            (8, 8),
            (9, 16),
            (16, 16),
            (17, 32),
            (24, 32),
            (33, 48),
            (48, 48),
            (49, 64),
            (65, 80),
            (112, 112),
            (113, 128),
            (128, 128),
            (129, 160),
            (160, 160),
            (161, 192),
            (225, 256),
            (256, 256),
            (257, 320),
            (321, 384),
            (449, 512),
            (513, 640),
            (4096, 4096),
            (4097, 5120),
            (16385, 20480),
            (1 << 20, 1 << 20),
            ((1 << 20) + 1, (1 << 20) + (1 << 18)),
        ];
        for (n, class) in expect {
            assert_eq!(alloc_size_class(n), class, "n = {n}");
        }
        // Classes are monotonic and never smaller than the request.
        let mut prev = 0;
        for n in 0..5000 {
            let c = alloc_size_class(n);
            assert!(c >= n && c >= prev, "n = {n}");
            prev = c;
        }
        assert_eq!(alloc_size_class(usize::MAX), usize::MAX);
    }
}
