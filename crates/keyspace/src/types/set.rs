//! The set type with Redis 7.0's two encodings:
//! - "intset": while every member is the canonical decimal form of an i64 and there are at most
//!   `set-max-intset-entries` of them (capped at 2^30), the members live in an [`IntSet`]
//!   (Redis's binary layout, ascending order);
//! - "hashtable": otherwise, a [`Dict`] of members with no values (24 + 8 bytes per node, members
//!   up to 23 bytes stored inside the node).
//!
//! Conversion goes one way, intset to hashtable, on the insert that breaks a rule (a member that
//! is not an integer, or one member too many); nothing converts back (commands that build a new
//! set, like SPOP's rebuild or the *STORE commands, start a fresh intset). Removing from a hash
//! table shrinks it when it becomes sparse, as Redis does on every set removal. Random picks from
//! a hash table are "fair" like Redis's dictGetFairRandomKey: one of a small sample of
//! neighbouring elements. This module knows nothing about keys, commands or replies.

use super::Elem;
use crate::dict::{Dict, DictStats};
use crate::intset::IntSet;
use crate::rng::Rng;
use crate::sbytes::SBytes;
use crate::value::parse_canonical_i64;

/// Intsets never grow past this many entries, whatever the configuration says (Redis's limit).
pub const INTSET_HARD_MAX: usize = 1 << 30;
/// Elements sampled for a fair random pick (Redis's GETFAIR_NUM_ENTRIES).
const FAIR_SAMPLE: usize = 15;

/// See the module documentation.
pub struct Set {
    enc: Enc,
}

enum Enc {
    Ints(IntSet),
    /// The members, and the heap bytes they own (members longer than 23 bytes), kept up to date
    /// so that MEMORY USAGE is O(1).
    Table {
        dict: Dict<()>,
        member_heap: usize,
    },
}

impl Default for Set {
    fn default() -> Set {
        Set::new()
    }
}

impl Clone for Set {
    /// A copy with the same encoding (COPY): an intset blob is copied as is, a hash table is
    /// rebuilt pre-sized for its elements.
    fn clone(&self) -> Set {
        match &self.enc {
            Enc::Ints(is) => Set { enc: Enc::Ints(is.clone()) },
            Enc::Table { dict, member_heap } => {
                let mut d = Dict::new();
                d.expand(dict.len());
                for (k, _) in dict.iter() {
                    d.insert(k.clone(), ());
                }
                Set { enc: Enc::Table { dict: d, member_heap: *member_heap } }
            }
        }
    }
}

impl std::fmt::Debug for Set {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let members: Vec<_> = self.iter().map(|e| String::from_utf8_lossy(&e.to_bytes()).into_owned()).collect();
        f.debug_struct("Set").field("encoding", &self.encoding_name()).field("members", &members).finish()
    }
}

/// The decimal form of `v` as an `SBytes` (always inline: at most 20 bytes).
pub fn int_member(v: i64) -> SBytes {
    let mut buf = [0u8; 20];
    SBytes::new(fmt_i64(v, &mut buf))
}

/// Formats `v` in decimal into `buf`, returning the used tail.
fn fmt_i64(v: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut n = v.unsigned_abs();
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

/// The largest intset a configuration allows.
#[inline]
fn intset_cap(max_intset_entries: usize) -> usize {
    max_intset_entries.min(INTSET_HARD_MAX)
}

impl Set {
    /// An empty set in the intset encoding (what commands start from before adding members).
    pub fn new() -> Set {
        Set { enc: Enc::Ints(IntSet::new()) }
    }

    /// An empty set in the hashtable encoding.
    pub fn new_hashtable() -> Set {
        Set { enc: Enc::Table { dict: Dict::new(), member_heap: 0 } }
    }

    /// The empty set a command creates for its first member (Redis's setTypeCreate): an intset
    /// when the member is an integer, a hash table otherwise.
    pub fn for_member(first: &[u8]) -> Set {
        if parse_canonical_i64(first).is_some() {
            Set::new()
        } else {
            Set::new_hashtable()
        }
    }

    /// The empty set an RDB loader fills with `len` members: an intset when that many fit one,
    /// otherwise a hash table pre-sized for them.
    pub fn for_loading(len: usize, max_intset_entries: usize) -> Set {
        if len <= intset_cap(max_intset_entries) {
            Set::new()
        } else {
            let mut dict = Dict::new();
            dict.expand(len);
            Set { enc: Enc::Table { dict, member_heap: 0 } }
        }
    }

    /// A set from an intset blob (RDB/DUMP), validated. `None` when the blob is not a valid
    /// intset.
    pub fn from_intset_bytes(blob: &[u8]) -> Option<Set> {
        IntSet::from_bytes(blob).ok().map(|is| Set { enc: Enc::Ints(is) })
    }

    /// The intset blob, when the set uses that encoding (for RDB and DUMP).
    pub fn intset_bytes(&self) -> Option<&[u8]> {
        match &self.enc {
            Enc::Ints(is) => Some(is.as_bytes()),
            Enc::Table { .. } => None,
        }
    }

    pub fn len(&self) -> usize {
        match &self.enc {
            Enc::Ints(is) => is.len(),
            Enc::Table { dict, .. } => dict.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_intset(&self) -> bool {
        matches!(self.enc, Enc::Ints(_))
    }

    /// Allocations freeing it costs (Redis's lazyfreeGetFreeEffort): 1 for an intset, the
    /// element count for a hash table.
    pub fn free_effort(&self) -> usize {
        match &self.enc {
            Enc::Ints(_) => 1,
            Enc::Table { dict, .. } => dict.len().max(1),
        }
    }

    /// Statistics of the hash table (DEBUG HTSTATS-KEY); `None` for an intset.
    pub fn dict_stats(&self) -> Option<DictStats> {
        match &self.enc {
            Enc::Ints(_) => None,
            Enc::Table { dict, .. } => Some(dict.stats()),
        }
    }

    /// OBJECT ENCODING's answer.
    pub fn encoding_name(&self) -> &'static str {
        match &self.enc {
            Enc::Ints(_) => "intset",
            Enc::Table { .. } => "hashtable",
        }
    }

    /// Heap bytes owned by the set (not counting the `Set` struct itself).
    pub fn heap_size(&self) -> usize {
        match &self.enc {
            Enc::Ints(is) => is.heap_size(),
            Enc::Table { dict, member_heap } => dict.overhead_bytes() + member_heap,
        }
    }

    /// Members: ascending integers for an intset, hash-table order otherwise.
    pub fn iter(&self) -> Box<dyn Iterator<Item = Elem<'_>> + '_> {
        match &self.enc {
            Enc::Ints(is) => Box::new(is.iter().map(Elem::Int)),
            Enc::Table { dict, .. } => Box::new(dict.iter().map(|(k, _)| Elem::Bytes(k.as_slice()))),
        }
    }

    /// Converts an intset to a hash table pre-sized for its members (no-op for a hash table).
    pub fn convert_to_hashtable(&mut self) {
        let Enc::Ints(is) = &self.enc else { return };
        let mut dict = Dict::new();
        dict.expand(is.len());
        for v in is.iter() {
            dict.insert(int_member(v), ());
        }
        self.enc = Enc::Table { dict, member_heap: 0 };
    }

    /// Adds `m`; returns false when it was already a member. An intset converts to a hash table
    /// when `m` is not an integer or when it would hold more than `max_intset_entries` members
    /// (Redis's setTypeAdd).
    pub fn add(&mut self, m: &[u8], max_intset_entries: usize) -> bool {
        match &mut self.enc {
            Enc::Table { dict, member_heap } => table_add(dict, member_heap, m),
            Enc::Ints(is) => match parse_canonical_i64(m) {
                Some(v) => {
                    if !is.add(v) {
                        return false;
                    }
                    if is.len() > intset_cap(max_intset_entries) {
                        self.convert_to_hashtable();
                    }
                    true
                }
                None => {
                    self.convert_to_hashtable();
                    match &mut self.enc {
                        Enc::Table { dict, member_heap } => table_add(dict, member_heap, m),
                        Enc::Ints(_) => unreachable!("just converted"),
                    }
                }
            },
        }
    }

    /// Adds an element as the set iterators produce them.
    pub fn add_elem(&mut self, e: Elem<'_>, max_intset_entries: usize) -> bool {
        match (e, &mut self.enc) {
            (Elem::Int(v), Enc::Ints(is)) => {
                if !is.add(v) {
                    return false;
                }
                if is.len() > intset_cap(max_intset_entries) {
                    self.convert_to_hashtable();
                }
                true
            }
            (Elem::Int(v), _) => {
                let mut buf = [0u8; 20];
                self.add(fmt_i64(v, &mut buf), max_intset_entries)
            }
            (Elem::Bytes(b), _) => self.add(b, max_intset_entries),
        }
    }

    /// Removes `m`; returns false when it was not a member.
    pub fn remove(&mut self, m: &[u8]) -> bool {
        match &mut self.enc {
            Enc::Table { dict, member_heap } => match dict.remove(m) {
                Some((k, ())) => {
                    *member_heap -= k.heap_size();
                    dict.shrink_if_sparse();
                    true
                }
                None => false,
            },
            Enc::Ints(is) => parse_canonical_i64(m).is_some_and(|v| is.remove(v)),
        }
    }

    /// Removes an element as the set iterators produce them.
    pub fn remove_elem(&mut self, e: Elem<'_>) -> bool {
        match (e, &mut self.enc) {
            (Elem::Int(v), Enc::Ints(is)) => is.remove(v),
            (Elem::Int(v), _) => {
                let mut buf = [0u8; 20];
                self.remove(fmt_i64(v, &mut buf))
            }
            (Elem::Bytes(b), _) => self.remove(b),
        }
    }

    pub fn contains(&self, m: &[u8]) -> bool {
        match &self.enc {
            Enc::Table { dict, .. } => dict.contains_key(m),
            Enc::Ints(is) => parse_canonical_i64(m).is_some_and(|v| is.contains(v)),
        }
    }

    /// Membership of an element as the set iterators produce them.
    pub fn contains_elem(&self, e: Elem<'_>) -> bool {
        match (e, &self.enc) {
            (Elem::Int(v), Enc::Ints(is)) => is.contains(v),
            (Elem::Int(v), Enc::Table { dict, .. }) => {
                let mut buf = [0u8; 20];
                dict.contains_key(fmt_i64(v, &mut buf))
            }
            (Elem::Bytes(b), _) => self.contains(b),
        }
    }

    /// Random reads advance an ongoing rehash of the hash table, as in Redis (where every
    /// random pick moves buckets): up to 15 steps per member asked for, at most 16384 in all.
    pub fn rehash_for_random_reads(&mut self, picks: u64) {
        if let Enc::Table { dict, .. } = &mut self.enc {
            if dict.is_rehashing() {
                dict.rehash_steps(picks.min(1024) as usize * 15);
            }
        }
    }

    /// A random member (`None` when empty): uniform for an intset; for a hash table, one of a
    /// sample of up to 15 elements taken from consecutive buckets at a random place, falling
    /// back to a random bucket's random element when the sample is empty (Redis's
    /// dictGetFairRandomKey).
    pub fn random(&self, rng: &mut Rng) -> Option<SBytes> {
        match &self.enc {
            Enc::Ints(is) => is.random(rng).map(int_member),
            Enc::Table { dict, .. } => fair_random(dict, rng),
        }
    }

    /// One SCAN step: adds members to `out` and returns the next cursor. An intset returns
    /// everything at once with cursor 0, whatever the cursor; a hash table visits buckets from
    /// `cursor` until `count` members were collected, the scan ended, or `10 * count` buckets
    /// were visited (Redis's scanGenericCommand).
    pub fn scan(&self, cursor: u64, count: usize, out: &mut Vec<SBytes>) -> u64 {
        match &self.enc {
            Enc::Ints(is) => {
                out.extend(is.iter().map(int_member));
                0
            }
            Enc::Table { dict, .. } => {
                let count = count.max(1);
                let mut cursor = cursor;
                let mut budget = count.saturating_mul(10);
                loop {
                    cursor = dict.scan(cursor, |k, _| out.push(k.clone()));
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

fn table_add(dict: &mut Dict<()>, member_heap: &mut usize, m: &[u8]) -> bool {
    let (_, inserted) = dict.get_or_insert_with(m, || ());
    if inserted && m.len() > crate::sbytes::INLINE_MAX {
        *member_heap += crate::sbytes::alloc_size_class(m.len());
    }
    inserted
}

/// dictGetFairRandomKey over a [`Dict`]: sample, then pick one of the sampled elements
/// uniformly. The sampling is run twice from the same generator state (once to count, once to
/// fetch the chosen element), which sees the same elements both times.
fn fair_random(dict: &Dict<()>, rng: &mut Rng) -> Option<SBytes> {
    if dict.is_empty() {
        return None;
    }
    let start = rng.clone();
    let mut n = 0u64;
    dict.sample(rng, FAIR_SAMPLE, |_, _| n += 1);
    if n == 0 {
        return dict.random(rng).map(|(k, _)| k.clone());
    }
    let want = rng.below(n);
    let mut replay = start;
    let mut i = 0u64;
    let mut found = None;
    dict.sample(&mut replay, FAIR_SAMPLE, |k, _| {
        if i == want {
            found = Some(k.clone());
        }
        i += 1;
    });
    found.or_else(|| dict.random(rng).map(|(k, _)| k.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(s: &Set) -> Vec<Vec<u8>> {
        let mut v: Vec<Vec<u8>> = s.iter().map(|e| e.to_bytes().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn int_formatting() {
        for v in [0, 1, -1, 9, 10, -10, 12345, i64::MAX, i64::MIN] {
            assert_eq!(int_member(v).as_slice(), v.to_string().as_bytes());
        }
    }

    #[test]
    fn intset_until_a_string_or_too_many() {
        let mut s = Set::for_member(b"1");
        assert_eq!(s.encoding_name(), "intset");
        assert!(s.add(b"3", 4));
        assert!(s.add(b"1", 4));
        assert!(!s.add(b"3", 4));
        assert!(s.add(b"-2", 4));
        let order: Vec<_> = s.iter().collect();
        assert_eq!(order, vec![Elem::Int(-2), Elem::Int(1), Elem::Int(3)]);
        assert!(s.add(b"7", 4));
        assert_eq!(s.encoding_name(), "intset");
        assert!(s.add(b"8", 4));
        assert_eq!(s.encoding_name(), "hashtable");
        assert_eq!(s.len(), 5);
        // removing members never converts back
        for m in [b"8", b"7", b"3", b"1"] {
            assert!(s.remove(m));
        }
        assert_eq!(s.encoding_name(), "hashtable");
        assert_eq!(members(&s), vec![b"-2".to_vec()]);

        let mut s = Set::for_member(b"1");
        s.add(b"1", 512);
        s.add(b"01", 512);
        assert_eq!(s.encoding_name(), "hashtable");
        assert!(s.contains(b"1") && s.contains(b"01") && !s.contains(b"001"));
        assert!(s.contains_elem(Elem::Int(1)));

        // non-canonical integers are strings
        for m in [&b"+1"[..], b"-0", b" 1", b"1.0", b"9223372036854775808", b""] {
            let mut s = Set::new();
            s.add(b"5", 512);
            s.add(m, 512);
            assert_eq!(s.encoding_name(), "hashtable", "{m:?}");
        }
        let mut s = Set::new();
        s.add(b"-9223372036854775808", 512);
        s.add(b"9223372036854775807", 512);
        assert_eq!(s.encoding_name(), "intset");
    }

    #[test]
    fn zero_intset_entries_means_hashtable_at_once() {
        let mut s = Set::for_member(b"5");
        assert!(s.add(b"5", 0));
        assert_eq!(s.encoding_name(), "hashtable");
        assert_eq!(Set::for_member(b"x").encoding_name(), "hashtable");
    }

    #[test]
    fn elements_and_strings_agree_across_encodings() {
        let mut ints = Set::new();
        let mut table = Set::new_hashtable();
        for v in [-5i64, 0, 7, 1 << 40] {
            ints.add_elem(Elem::Int(v), 512);
            table.add_elem(Elem::Int(v), 512);
        }
        table.add(b"x", 512);
        for v in [-5i64, 0, 7, 1 << 40] {
            assert!(ints.contains_elem(Elem::Int(v)));
            assert!(table.contains_elem(Elem::Int(v)));
            assert!(table.contains_elem(Elem::Bytes(v.to_string().as_bytes())));
            assert!(ints.contains_elem(Elem::Bytes(v.to_string().as_bytes())));
        }
        assert!(!ints.contains_elem(Elem::Bytes(b"x")));
        assert!(table.remove_elem(Elem::Int(7)));
        assert!(ints.remove_elem(Elem::Bytes(b"7")));
        assert!(!ints.remove_elem(Elem::Int(7)));
        assert_eq!(ints.len(), 3);
        assert_eq!(table.len(), 4);
    }

    #[test]
    fn clone_keeps_the_encoding() {
        let mut s = Set::new();
        for v in 0..10 {
            s.add(v.to_string().as_bytes(), 512);
        }
        let c = s.clone();
        assert_eq!(c.intset_bytes(), s.intset_bytes());
        s.add(b"a", 512);
        s.add(&[b'z'; 40], 512);
        let c = s.clone();
        assert_eq!(c.encoding_name(), "hashtable");
        assert_eq!(members(&c), members(&s));
        assert_eq!(c.heap_size(), s.heap_size());
    }

    #[test]
    fn heap_accounting_follows_long_members() {
        let mut s = Set::new_hashtable();
        let base = s.heap_size();
        s.add(&[b'a'; 100], 512);
        s.add(b"short", 512);
        assert!(s.heap_size() >= base + 112);
        assert!(s.remove(&[b'a'; 100]));
        assert!(s.remove(b"short"));
        assert_eq!(s.len(), 0);
        let Enc::Table { member_heap, .. } = &s.enc else { panic!("hashtable expected") };
        assert_eq!(*member_heap, 0);
    }

    #[test]
    fn intset_blob_round_trip() {
        let mut s = Set::new();
        s.add(b"3", 512);
        s.add(b"100000", 512);
        let blob = s.intset_bytes().unwrap().to_vec();
        let back = Set::from_intset_bytes(&blob).unwrap();
        assert_eq!(members(&back), members(&s));
        assert!(Set::from_intset_bytes(&blob[..blob.len() - 1]).is_none());
        assert_eq!(Set::for_loading(10, 512).encoding_name(), "intset");
        assert_eq!(Set::for_loading(513, 512).encoding_name(), "hashtable");
    }

    #[test]
    fn random_picks_reach_every_member() {
        let mut rng = Rng::from_seed(9);
        for build in [Set::new(), Set::new_hashtable()] {
            let mut s = build;
            for v in 0..40 {
                s.add(v.to_string().as_bytes(), 512);
            }
            let mut seen = std::collections::HashSet::new();
            for _ in 0..4000 {
                let m = s.random(&mut rng).unwrap();
                assert!(s.contains(&m));
                seen.insert(m);
            }
            assert_eq!(seen.len(), 40);
        }
        assert!(Set::new().random(&mut rng).is_none());
        assert!(Set::new_hashtable().random(&mut rng).is_none());
    }

    #[test]
    fn scan_covers_everything() {
        let mut s = Set::new_hashtable();
        for i in 0..1000 {
            s.add(format!("m{i}").as_bytes(), 512);
        }
        let mut all = std::collections::HashSet::new();
        let mut cursor = 0;
        loop {
            let mut out = Vec::new();
            cursor = s.scan(cursor, 10, &mut out);
            all.extend(out);
            if cursor == 0 {
                break;
            }
        }
        assert_eq!(all.len(), 1000);
        let mut ints = Set::new();
        ints.add(b"2", 512);
        ints.add(b"1", 512);
        let mut out = Vec::new();
        assert_eq!(ints.scan(12345, 1, &mut out), 0);
        assert_eq!(out, vec![SBytes::from("1"), SBytes::from("2")]);
    }
}
