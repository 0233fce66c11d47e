//! The hash type with Redis 7.0's two encodings:
//! - "listpack": while the hash has at most `hash-max-listpack-entries` fields and no field or
//!   value is longer than `hash-max-listpack-value` bytes, the pairs live in one [`Listpack`]
//!   (field, value, field, value...), in insertion order, byte for byte as Redis stores them;
//! - "hashtable": otherwise, a [`Dict`] from field to value. A node is 48 bytes (next pointer,
//!   a 24-byte field that keeps up to 23 bytes inline, a 16-byte value that keeps up to 15 bytes
//!   inline), so a hash of short fields and values costs one allocation per field.
//!
//! Conversion only goes from listpack to hashtable, on the write that breaks a rule: an
//! argument that is too long (checked before a command writes anything, like Redis's
//! hashTypeTryConversion, and again for each pair set, which catches HINCRBY/HINCRBYFLOAT
//! results), or one field too many (checked after the pair was added). Nothing converts back.
//! Random picks follow Redis: a uniform pair of a listpack, a "fair" pick among a sample of
//! neighbouring elements of a hash table. This module knows nothing about keys, commands,
//! replies or configuration (the thresholds come in as arguments).

use super::{Elem, Limits};
use crate::dict::{Dict, DictStats};
use crate::listpack::Listpack;
use crate::rng::Rng;
use crate::sbytes::{alloc_size_class, SBytes};
use std::collections::HashSet;

pub use val::HVal;

/// Elements sampled for a fair random pick (Redis's GETFAIR_NUM_ENTRIES).
const FAIR_SAMPLE: usize = 15;

/// See the module documentation.
pub struct Hash {
    enc: Enc,
}

enum Enc {
    Lp(Listpack),
    /// Boxed so that a `Hash` stays as small as a listpack handle.
    Table(Box<Table>),
}

/// The hash table encoding: the pairs, and the heap bytes owned by fields and values stored out
/// of line, kept up to date so that MEMORY USAGE is O(1).
struct Table {
    dict: Dict<HVal>,
    elem_heap: usize,
}

const _: () = assert!(std::mem::size_of::<Hash>() == 24);

impl Default for Hash {
    fn default() -> Hash {
        Hash::new()
    }
}

impl Clone for Hash {
    /// A copy with the same encoding (COPY): the listpack blob is copied as is, a hash table is
    /// rebuilt pre-sized for its pairs.
    fn clone(&self) -> Hash {
        match &self.enc {
            Enc::Lp(lp) => Hash { enc: Enc::Lp(lp.clone()) },
            Enc::Table(t) => {
                let (dict, elem_heap) = (&t.dict, &t.elem_heap);
                let mut d = Dict::new();
                d.expand(dict.len());
                for (k, v) in dict.iter() {
                    d.insert(k.clone(), v.clone());
                }
                Hash { enc: Enc::Table(Box::new(Table { dict: d, elem_heap: *elem_heap })) }
            }
        }
    }
}

impl std::fmt::Debug for Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut m = f.debug_map();
        for (k, v) in self.iter() {
            m.entry(&String::from_utf8_lossy(&k.to_bytes()), &String::from_utf8_lossy(&v.to_bytes()));
        }
        m.finish()
    }
}

/// Heap bytes a field and a value take in the hash table encoding.
fn pair_heap(field: &[u8], value: &[u8]) -> usize {
    let f = if field.len() > crate::sbytes::INLINE_MAX { alloc_size_class(field.len()) } else { 0 };
    f + HVal::heap_size_for(value.len())
}

impl Hash {
    /// An empty hash in the listpack encoding (what commands create).
    pub fn new() -> Hash {
        Hash { enc: Enc::Lp(Listpack::new()) }
    }

    /// An empty hash in the hashtable encoding, pre-sized for `len` fields (loaders).
    pub fn new_hashtable(len: usize) -> Hash {
        let mut dict = Dict::new();
        if len > 0 {
            dict.expand(len);
        }
        Hash { enc: Enc::Table(Box::new(Table { dict, elem_heap: 0 })) }
    }

    /// A hash over a listpack of field/value pairs (RDB, DUMP). `None` when the listpack has an
    /// odd number of entries or a repeated field.
    pub fn from_listpack(lp: Listpack) -> Option<Hash> {
        if !lp.len().is_multiple_of(2) {
            return None;
        }
        let mut seen = HashSet::new();
        for (f, _) in lp.pairs() {
            if !seen.insert(f.to_bytes().into_owned()) {
                return None;
            }
        }
        Some(Hash { enc: Enc::Lp(lp) })
    }

    /// The listpack, when the hash uses that encoding (for RDB and DUMP).
    pub fn listpack(&self) -> Option<&Listpack> {
        match &self.enc {
            Enc::Lp(lp) => Some(lp),
            Enc::Table(_) => None,
        }
    }

    pub fn len(&self) -> usize {
        match &self.enc {
            Enc::Lp(lp) => lp.len() / 2,
            Enc::Table(t) => t.dict.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        match &self.enc {
            Enc::Lp(lp) => lp.is_empty(),
            Enc::Table(t) => t.dict.is_empty(),
        }
    }

    pub fn is_listpack(&self) -> bool {
        matches!(self.enc, Enc::Lp(_))
    }

    /// Allocations freeing it costs (Redis's lazyfreeGetFreeEffort): 1 for a listpack, the
    /// field count for a hash table.
    pub fn free_effort(&self) -> usize {
        match &self.enc {
            Enc::Lp(_) => 1,
            Enc::Table(t) => t.dict.len().max(1),
        }
    }

    /// Statistics of the hash table (DEBUG HTSTATS-KEY); `None` for a listpack.
    pub fn dict_stats(&self) -> Option<DictStats> {
        match &self.enc {
            Enc::Lp(_) => None,
            Enc::Table(t) => Some(t.dict.stats()),
        }
    }

    /// OBJECT ENCODING's answer.
    pub fn encoding_name(&self) -> &'static str {
        match &self.enc {
            Enc::Lp(_) => "listpack",
            Enc::Table(_) => "hashtable",
        }
    }

    /// Heap bytes owned by the hash (not counting the `Hash` struct itself).
    pub fn heap_size(&self) -> usize {
        match &self.enc {
            Enc::Lp(lp) => lp.heap_size(),
            Enc::Table(t) => alloc_size_class(std::mem::size_of::<Table>()) + t.dict.overhead_bytes() + t.elem_heap,
        }
    }

    /// (field, value) pairs: insertion order for a listpack, hash-table order otherwise.
    pub fn iter(&self) -> Box<dyn Iterator<Item = (Elem<'_>, Elem<'_>)> + '_> {
        match &self.enc {
            Enc::Lp(lp) => Box::new(lp.pairs()),
            Enc::Table(t) => {
                let dict = &t.dict;
                Box::new(dict.iter().map(|(k, v)| (Elem::Bytes(k.as_slice()), Elem::Bytes(v.as_slice()))))
            }
        }
    }

    /// The value of `field`.
    pub fn get(&self, field: &[u8]) -> Option<Elem<'_>> {
        match &self.enc {
            Enc::Lp(lp) => {
                let p = lp.find(lp.first()?, field, 1)?;
                lp.next(p).map(|v| lp.get(v))
            }
            Enc::Table(t) => t.dict.get(field).map(|v| Elem::Bytes(v.as_slice())),
        }
    }

    pub fn contains(&self, field: &[u8]) -> bool {
        match &self.enc {
            Enc::Lp(lp) => lp.first().is_some_and(|p| lp.find(p, field, 1).is_some()),
            Enc::Table(t) => t.dict.contains_key(field),
        }
    }

    /// Converts a listpack to a hash table pre-sized for its pairs (no-op for a hash table).
    pub fn convert_to_hashtable(&mut self) {
        let Enc::Lp(lp) = &self.enc else { return };
        let mut dict = Dict::new();
        dict.expand(lp.len() / 2);
        let mut elem_heap = 0;
        for (f, v) in lp.pairs() {
            let (f, v) = (f.to_bytes(), v.to_bytes());
            elem_heap += pair_heap(&f, &v);
            dict.insert(SBytes::new(&f), HVal::new(&v));
        }
        self.enc = Enc::Table(Box::new(Table { dict, elem_heap }));
    }

    /// The check a command makes on its arguments before writing (Redis's
    /// hashTypeTryConversion): a listpack converts when any argument is longer than
    /// `hash-max-listpack-value`, or when all of them together would push it past the listpack
    /// safety size.
    pub fn try_conversion<A: AsRef<[u8]>>(&mut self, args: &[A], limits: &Limits) {
        let Enc::Lp(lp) = &self.enc else { return };
        let mut sum = 0usize;
        for a in args {
            let len = a.as_ref().len();
            if len > limits.hash_max_listpack_value {
                self.convert_to_hashtable();
                return;
            }
            sum = sum.saturating_add(len);
        }
        if !lp.safe_to_add(sum) {
            self.convert_to_hashtable();
        }
    }

    /// Sets `field` to `value`; returns true when the field existed (an update). A listpack
    /// converts first when the field or value is too long, and after adding when it holds too
    /// many fields (Redis's hashTypeSet).
    pub fn set(&mut self, field: &[u8], value: &[u8], limits: &Limits) -> bool {
        if let Enc::Lp(lp) = &self.enc {
            let max = limits.hash_max_listpack_value;
            if field.len() > max
                || value.len() > max
                || !lp.safe_to_add(Listpack::entry_size(field).saturating_add(Listpack::entry_size(value)))
            {
                self.convert_to_hashtable();
            }
        }
        match &mut self.enc {
            Enc::Lp(lp) => {
                let found = lp.first().and_then(|p| lp.find(p, field, 1));
                let updated = match found.and_then(|p| lp.next(p)) {
                    Some(vp) => {
                        // the size was checked above: replacing cannot fail
                        let _ = lp.replace(vp, value);
                        true
                    }
                    None => {
                        let _ = lp.push_back(field);
                        let _ = lp.push_back(value);
                        false
                    }
                };
                if lp.len() / 2 > limits.hash_max_listpack_entries {
                    self.convert_to_hashtable();
                }
                updated
            }
            Enc::Table(t) => {
                let Table { dict, elem_heap } = &mut **t;
                let (slot, inserted) = dict.get_or_insert_with(field, HVal::default);
                if inserted && field.len() > crate::sbytes::INLINE_MAX {
                    *elem_heap += alloc_size_class(field.len());
                }
                *elem_heap -= slot.heap_size();
                *slot = HVal::new(value);
                *elem_heap += slot.heap_size();
                !inserted
            }
        }
    }

    /// Removes `field`; returns false when it was not there. A hash table shrinks when it
    /// becomes sparse, as Redis checks after every hash deletion.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match &mut self.enc {
            Enc::Lp(lp) => match lp.first().and_then(|p| lp.find(p, field, 1)) {
                Some(p) => {
                    lp.delete_n(p, 2);
                    true
                }
                None => false,
            },
            Enc::Table(t) => match t.dict.remove(field) {
                Some((k, v)) => {
                    t.elem_heap -= k.heap_size() + v.heap_size();
                    t.dict.shrink_if_sparse();
                    true
                }
                None => false,
            },
        }
    }

    /// A random pair (`None` when empty): uniform for a listpack; for a hash table, one of a
    /// sample of up to 15 elements from consecutive buckets at a random place, falling back to
    /// a random bucket's random element when the sample is empty (Redis's dictGetFairRandomKey).
    pub fn random(&self, rng: &mut Rng) -> Option<(Elem<'_>, Elem<'_>)> {
        match &self.enc {
            Enc::Lp(lp) => {
                let n = (lp.len() / 2) as u64;
                if n == 0 {
                    return None;
                }
                let i = rng.below(n) as i64 * 2;
                let p = lp.seek(i)?;
                let v = lp.next(p)?;
                Some((lp.get(p), lp.get(v)))
            }
            Enc::Table(t) => {
                let dict = &t.dict;
                fair_random(dict, rng).map(|(k, v)| (Elem::Bytes(k.as_slice()), Elem::Bytes(v.as_slice())))
            }
        }
    }

    /// `n` independent random pairs, given to `f` in the order they were drawn. A listpack
    /// draws all the indexes first and walks the listpack once (Redis's lpRandomPairs); a hash
    /// table makes `n` fair picks.
    pub fn random_pairs(&self, rng: &mut Rng, n: usize, mut f: impl FnMut(Elem<'_>, Elem<'_>)) {
        match &self.enc {
            Enc::Lp(lp) => {
                let total = (lp.len() / 2) as u64;
                if total == 0 {
                    return;
                }
                // (pair index, draw order)
                let mut picks: Vec<(u64, usize)> = (0..n).map(|o| (rng.below(total), o)).collect();
                picks.sort_unstable();
                let mut found: Vec<(Elem<'_>, Elem<'_>)> = vec![(Elem::Int(0), Elem::Int(0)); n];
                let mut pairs = lp.pairs().enumerate();
                let mut cur = pairs.next();
                for &(idx, order) in &picks {
                    while let Some((i, _)) = cur {
                        if i as u64 >= idx {
                            break;
                        }
                        cur = pairs.next();
                    }
                    if let Some((_, pair)) = cur {
                        found[order] = pair;
                    }
                }
                for (k, v) in found {
                    f(k, v);
                }
            }
            Enc::Table(t) => {
                let dict = &t.dict;
                for _ in 0..n {
                    let Some((k, v)) = fair_random(dict, rng) else { return };
                    f(Elem::Bytes(k.as_slice()), Elem::Bytes(v.as_slice()));
                }
            }
        }
    }

    /// `n` distinct random pairs (`n` at most the length), owned. A listpack uses selection
    /// sampling and returns them in listpack order (Redis's lpRandomPairsUnique); a hash table
    /// makes fair picks until `n` distinct fields were seen, in the order they were first seen.
    pub fn random_distinct(&self, rng: &mut Rng, n: usize) -> Vec<(SBytes, SBytes)> {
        let n = n.min(self.len());
        let mut out = Vec::with_capacity(n);
        match &self.enc {
            Enc::Lp(lp) => {
                let mut left = (lp.len() / 2) as u64;
                for (k, v) in lp.pairs() {
                    if out.len() == n {
                        break;
                    }
                    let need = (n - out.len()) as u64;
                    if rng.below(left) < need {
                        out.push((elem_sbytes(k), elem_sbytes(v)));
                    }
                    left -= 1;
                }
            }
            Enc::Table(t) => {
                let dict = &t.dict;
                let mut seen: HashSet<&[u8]> = HashSet::with_capacity(n);
                while out.len() < n {
                    let Some((k, v)) = fair_random(dict, rng) else { break };
                    if seen.insert(k.as_slice()) {
                        out.push((k.clone(), SBytes::new(v.as_slice())));
                    }
                }
            }
        }
        out
    }

    /// One HSCAN step: adds pairs to `out` and returns the next cursor. A listpack returns
    /// everything at once with cursor 0, whatever the cursor; a hash table visits buckets from
    /// `cursor` until `count` pairs were collected, the scan ended, or `20 * count` buckets
    /// were visited (Redis doubles the count for pairs, then allows ten times that many steps).
    pub fn scan(&self, cursor: u64, count: usize, out: &mut Vec<(SBytes, SBytes)>) -> u64 {
        match &self.enc {
            Enc::Lp(lp) => {
                out.extend(lp.pairs().map(|(k, v)| (elem_sbytes(k), elem_sbytes(v))));
                0
            }
            Enc::Table(t) => {
                let dict = &t.dict;
                let count = count.max(1);
                let mut cursor = cursor;
                let mut budget = count.saturating_mul(20);
                loop {
                    cursor = dict.scan(cursor, |k, v| out.push((k.clone(), SBytes::new(v.as_slice()))));
                    if cursor == 0 || budget == 0 || out.len() >= count {
                        break;
                    }
                    budget -= 1;
                }
                cursor
            }
        }
    }
}

/// An element as an owned byte string (integers in decimal).
pub fn elem_sbytes(e: Elem<'_>) -> SBytes {
    match e {
        Elem::Bytes(b) => SBytes::new(b),
        Elem::Int(_) => SBytes::new(&e.to_bytes()),
    }
}

/// dictGetFairRandomKey over the fields: sample up to 15 neighbouring elements and pick one of
/// them uniformly; when the sample is empty, a random element.
fn fair_random<'a>(dict: &'a Dict<HVal>, rng: &mut Rng) -> Option<(&'a SBytes, &'a HVal)> {
    if dict.is_empty() {
        return None;
    }
    let mut sample: [(*const SBytes, *const HVal); FAIR_SAMPLE] = [(std::ptr::null(), std::ptr::null()); FAIR_SAMPLE];
    let mut n = 0usize;
    dict.sample(rng, FAIR_SAMPLE, |k, v| {
        if n < FAIR_SAMPLE {
            sample[n] = (k as *const SBytes, v as *const HVal);
            n += 1;
        }
    });
    if n == 0 {
        return dict.random(rng);
    }
    let (k, v) = sample[rng.below(n as u64) as usize];
    // SAFETY: `sample` reports references to the keys and values stored in the dict's nodes,
    // which live as long as the `&'a Dict` borrow; nothing mutates the dict in between.
    Some(unsafe { (&*k, &*v) })
}

mod val {
    //! `HVal`: the 16-byte value of a hash-table field. Values up to 15 bytes live inside it,
    //! longer ones in an exactly sized heap block. It knows nothing about hashes.

    use crate::sbytes::alloc_size_class;
    use std::mem::size_of;
    use std::ptr::{self, NonNull};

    /// Longest value kept inline.
    pub const INLINE_MAX: usize = 15;
    const HEAP: u8 = 0xFF;

    /// The first word: the heap pointer, or the first 8 inline bytes (a union, so the pointer
    /// keeps its provenance).
    #[derive(Clone, Copy)]
    #[repr(C)]
    union Word {
        ptr: NonNull<u8>,
        bytes: [u8; 8],
    }

    /// Layout (`repr(C)`, 16 bytes, align 8):
    /// - inline: bytes 0..15 hold the data (the first `len` meaningful, the rest zero), byte
    ///   15 is the length;
    /// - heap: bytes 0..8 are the pointer of a `Box<[u8]>`, bytes 8..15 its length (56 bits,
    ///   little endian), byte 15 is 0xFF.
    #[repr(C)]
    pub struct HVal {
        a: Word,
        b: [u8; 7],
        tag: u8,
    }

    const _: () = assert!(size_of::<HVal>() == 16);

    // SAFETY: an HVal owns its heap block uniquely (it comes from a `Box<[u8]>` no one else
    // holds) and never mutates the bytes after construction, so it is as thread-safe as
    // `Box<[u8]>`.
    unsafe impl Send for HVal {}
    // SAFETY: see the Send impl; `&HVal` only gives read access to immutable bytes.
    unsafe impl Sync for HVal {}

    impl HVal {
        pub fn new(b: &[u8]) -> HVal {
            if b.len() <= INLINE_MAX {
                let mut buf = [0u8; 16];
                buf[..b.len()].copy_from_slice(b);
                let mut a = [0u8; 8];
                let mut rest = [0u8; 7];
                a.copy_from_slice(&buf[0..8]);
                rest.copy_from_slice(&buf[8..15]);
                HVal { a: Word { bytes: a }, b: rest, tag: b.len() as u8 }
            } else {
                let bx: Box<[u8]> = Box::from(b);
                let len = bx.len() as u64;
                let raw: *mut [u8] = Box::into_raw(bx);
                // SAFETY: Box::into_raw never returns null.
                let ptr = unsafe { NonNull::new_unchecked(raw.cast::<u8>()) };
                let mut lb = [0u8; 7];
                lb.copy_from_slice(&len.to_le_bytes()[..7]);
                HVal { a: Word { ptr }, b: lb, tag: HEAP }
            }
        }

        #[inline]
        fn heap_len(&self) -> usize {
            let mut l = [0u8; 8];
            l[..7].copy_from_slice(&self.b);
            u64::from_le_bytes(l) as usize
        }

        #[inline]
        pub fn is_inline(&self) -> bool {
            self.tag != HEAP
        }

        #[inline]
        pub fn len(&self) -> usize {
            if self.is_inline() {
                self.tag as usize
            } else {
                self.heap_len()
            }
        }

        pub fn is_empty(&self) -> bool {
            self.len() == 0
        }

        #[inline]
        pub fn as_slice(&self) -> &[u8] {
            if self.is_inline() {
                // SAFETY: inline values are built by `new`, which initializes the 15 bytes
                // before the tag (fields `a` and `b`, contiguous at offsets 0 and 8 in this
                // repr(C) struct), and the tag is at most 15. The pointer comes from `&self`.
                unsafe { std::slice::from_raw_parts((self as *const Self).cast::<u8>(), self.tag as usize) }
            } else {
                // SAFETY: with the heap tag, `a.ptr` and `heap_len()` describe a live
                // `Box<[u8]>` this value owns until drop; the borrow is tied to `&self`.
                unsafe { std::slice::from_raw_parts(self.a.ptr.as_ptr(), self.heap_len()) }
            }
        }

        /// Heap bytes a value of `len` bytes takes, as the allocator rounds them.
        pub fn heap_size_for(len: usize) -> usize {
            if len <= INLINE_MAX {
                0
            } else {
                alloc_size_class(len)
            }
        }

        pub fn heap_size(&self) -> usize {
            Self::heap_size_for(self.len())
        }
    }

    impl Default for HVal {
        fn default() -> HVal {
            HVal::new(&[])
        }
    }

    impl Clone for HVal {
        fn clone(&self) -> HVal {
            HVal::new(self.as_slice())
        }
    }

    impl Drop for HVal {
        fn drop(&mut self) {
            if !self.is_inline() {
                let len = self.heap_len();
                // SAFETY: with the heap tag, `a.ptr`/`len` came from `Box::into_raw` of a
                // `Box<[u8]>` of that length which this value owns; drop runs once.
                unsafe { drop(Box::from_raw(ptr::slice_from_raw_parts_mut(self.a.ptr.as_ptr(), len))) }
            }
        }
    }

    impl std::fmt::Debug for HVal {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "{:?}", String::from_utf8_lossy(self.as_slice()))
        }
    }

    impl PartialEq for HVal {
        fn eq(&self, other: &HVal) -> bool {
            self.as_slice() == other.as_slice()
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn inline_and_heap_round_trip() {
            for n in [0usize, 1, 7, 8, 14, 15, 16, 17, 100, 5000] {
                let data: Vec<u8> = (0..n).map(|i| (i * 7 + 1) as u8).collect();
                let v = HVal::new(&data);
                assert_eq!(v.as_slice(), &data[..]);
                assert_eq!(v.len(), n);
                assert_eq!(v.is_inline(), n <= INLINE_MAX);
                let c = v.clone();
                drop(v);
                assert_eq!(c.as_slice(), &data[..]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(entries: usize, value: usize) -> Limits {
        Limits { hash_max_listpack_entries: entries, hash_max_listpack_value: value, ..Limits::default() }
    }

    fn pairs(h: &Hash) -> Vec<(Vec<u8>, Vec<u8>)> {
        h.iter().map(|(k, v)| (k.to_bytes().into_owned(), v.to_bytes().into_owned())).collect()
    }

    #[test]
    fn listpack_keeps_insertion_order_and_converts_on_entries() {
        let l = limits(3, 64);
        let mut h = Hash::new();
        assert!(!h.set(b"b", b"1", &l));
        assert!(!h.set(b"a", b"2", &l));
        assert!(h.set(b"b", b"3", &l));
        assert!(!h.set(b"c", b"x", &l));
        assert_eq!(h.encoding_name(), "listpack");
        assert_eq!(
            pairs(&h),
            vec![(b"b".to_vec(), b"3".to_vec()), (b"a".to_vec(), b"2".to_vec()), (b"c".to_vec(), b"x".to_vec())]
        );
        assert!(!h.set(b"d", b"y", &l));
        assert_eq!(h.encoding_name(), "hashtable");
        assert_eq!(h.len(), 4);
        assert_eq!(h.get(b"b"), Some(Elem::Bytes(b"3")));
        for f in [b"a", b"b", b"c", b"d"] {
            assert!(h.remove(f));
        }
        assert!(h.is_empty());
        assert_eq!(h.encoding_name(), "hashtable");
    }

    #[test]
    fn long_values_convert() {
        let l = limits(512, 4);
        let mut h = Hash::new();
        h.set(b"f", b"1234", &l);
        assert!(h.is_listpack());
        h.set(b"f", b"12345", &l);
        assert!(!h.is_listpack());
        assert_eq!(h.get(b"f"), Some(Elem::Bytes(b"12345")));
        let mut h = Hash::new();
        h.set(b"f", b"1", &l);
        h.try_conversion(&[&b"abc"[..], b"abcde"], &l);
        assert!(!h.is_listpack());
    }

    #[test]
    fn integers_in_listpack_compare_by_text() {
        let l = Limits::default();
        let mut h = Hash::new();
        h.set(b"10", b"20", &l);
        h.set(b"010", b"x", &l);
        assert_eq!(h.get(b"10"), Some(Elem::Int(20)));
        assert_eq!(h.get(b"010"), Some(Elem::Bytes(b"x")));
        assert!(!h.contains(b"+10"));
        assert_eq!(h.len(), 2);
    }

    #[test]
    fn heap_accounting_is_balanced() {
        let l = limits(0, 64);
        let mut h = Hash::new();
        h.set(&[b'k'; 40], &[b'v'; 40], &l);
        h.set(b"s", b"short", &l);
        h.set(b"s", &[b'w'; 30], &l);
        assert!(h.heap_size() > 0);
        h.remove(&[b'k'; 40]);
        h.remove(b"s");
        let Enc::Table(t) = &h.enc else { panic!("hashtable expected") };
        assert_eq!(t.elem_heap, 0);
    }

    #[test]
    fn random_picks_reach_every_pair() {
        let mut rng = Rng::from_seed(3);
        for entries in [512, 0] {
            let l = limits(entries, 64);
            let mut h = Hash::new();
            for i in 0..30 {
                h.set(format!("f{i}").as_bytes(), format!("v{i}").as_bytes(), &l);
            }
            let mut seen = HashSet::new();
            for _ in 0..3000 {
                let (k, v) = h.random(&mut rng).unwrap();
                assert_eq!(h.get(&k.to_bytes()), Some(v));
                seen.insert(k.to_bytes().into_owned());
            }
            assert_eq!(seen.len(), 30);
            let mut n = 0;
            h.random_pairs(&mut rng, 50, |k, v| {
                assert_eq!(h.get(&k.to_bytes()), Some(v));
                n += 1;
            });
            assert_eq!(n, 50);
            let d = h.random_distinct(&mut rng, 10);
            let uniq: HashSet<_> = d.iter().map(|(k, _)| k.clone()).collect();
            assert_eq!(uniq.len(), 10);
        }
    }

    #[test]
    fn scan_covers_everything() {
        let l = limits(0, 64);
        let mut h = Hash::new();
        for i in 0..500 {
            h.set(format!("f{i}").as_bytes(), b"v", &l);
        }
        let mut all = HashSet::new();
        let mut cursor = 0;
        loop {
            let mut out = Vec::new();
            cursor = h.scan(cursor, 7, &mut out);
            all.extend(out.into_iter().map(|(k, _)| k));
            if cursor == 0 {
                break;
            }
        }
        assert_eq!(all.len(), 500);
    }
}
