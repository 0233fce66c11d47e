//! `Dict<V>`: a chained hash table keyed by [`SBytes`] with power-of-two bucket arrays and
//! incremental rehashing (two tables while growing or shrinking, a few buckets moved per
//! operation and by `rehash_for` from the cron), so no insert ever stalls on a big resize.
//! `scan` uses a reverse-binary cursor that visits every element present for the whole scan at
//! least once, even across resizes. It knows nothing about what the values are (keys, hash
//! fields, set members all use it) and nothing about clients, expiry or persistence.
//!
//! Resize policy (as Redis 7.0's dict):
//! - a table grows when it holds as many elements as buckets (load factor 1), to the next power
//!   of two above the element count; while resizing is disallowed (a fork child is alive) it
//!   grows only when the load factor passes 5, and an interrupted rehash only continues when the
//!   two tables differ in size by a factor of 5 or more (to spare copy-on-write pages);
//! - resizing is disallowed for every table of the calling thread at once
//!   (`avoid_resize_on_this_thread`: the server's event loop while a fork child is alive, which
//!   covers the keyspace and the tables inside values alike, as Redis's global switch does);
//! - `shrink_if_sparse` (the cron) shrinks a table that is under 10% full, to no less than 4
//!   buckets;
//! - every mutating operation (`insert`, `remove`, `get_mut`, `get_or_insert_with`) first moves
//!   one bucket of an ongoing rehash (visiting at most 10 empty buckets); new elements go to the
//!   new table and lookups check both tables.
//!
//! Memory: a bucket is one pointer (`Option<Box<Node>>`), a node is `next + key + value`
//! (8 + 24 + size_of V bytes). Bucket arrays are allocated zeroed, so a big array costs no
//! writes up front. Chains are dropped iteratively, never recursively.

use crate::rng::Rng;
use crate::sbytes::{alloc_size_class, SBytes};
use foldhash::fast::FoldHasher;
use foldhash::SharedSeed;
use std::alloc::{self, Layout};
use std::cell::Cell;
use std::fmt;
use std::hash::Hasher;
use std::mem::{self, ManuallyDrop};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Buckets of a table created for the first element (and the minimum after a shrink).
const INITIAL_SIZE: usize = 4;
/// While resizing is disallowed, grow anyway past this load factor.
const FORCE_RESIZE_RATIO: usize = 5;
/// `shrink_if_sparse` shrinks below this percentage of elements per bucket.
const MIN_FILL_PERCENT: usize = 10;
/// Empty buckets one rehash step may skip, per bucket it is asked to move.
const EMPTY_VISITS_PER_STEP: usize = 10;
/// Buckets moved between two clock checks in `rehash_for`.
const REHASH_BATCH: usize = 100;
/// Chain lengths at or above this are counted together in the stats histogram.
pub const STATS_VECTLEN: usize = 50;

type Link<V> = Option<Box<Node<V>>>;

struct Node<V> {
    next: Link<V>,
    key: SBytes,
    val: V,
}

const _: () = assert!(mem::size_of::<Node<u64>>() == 8 + 24 + 8);
const _: () = assert!(mem::size_of::<Link<u64>>() == 8);

/// One power-of-two bucket array (or none: size 0) and its element count.
struct Table<V> {
    slots: Box<[Link<V>]>,
    used: usize,
}

impl<V> Table<V> {
    fn empty() -> Self {
        Table { slots: Box::new([]), used: 0 }
    }

    /// A table of `n` (a power of two, > 0) empty buckets, allocated zeroed so the pages are
    /// only touched when used. `None` when the allocation fails or is impossibly large.
    fn try_with_size(n: usize) -> Option<Self> {
        debug_assert!(n.is_power_of_two());
        let layout = Layout::array::<Link<V>>(n).ok()?;
        if layout.size() == 0 {
            return None;
        }
        // SAFETY: `layout` has a non-zero size (checked above).
        let p = unsafe { alloc::alloc_zeroed(layout) }.cast::<Link<V>>();
        if p.is_null() {
            return None;
        }
        // SAFETY: `p` is a fresh allocation of exactly `Layout::array::<Link<V>>(n)`, which is
        // the layout `Box<[Link<V>]>` frees with. All bytes are zero, and an all-zero
        // `Option<Box<T>>` is `None` (Rust guarantees the null-pointer representation of
        // `Option<Box<T>>`), so every element is a valid, initialized `None`.
        let slots = unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(p, n)) };
        Some(Table { slots, used: 0 })
    }

    #[inline]
    fn size(&self) -> usize {
        self.slots.len()
    }

    #[inline]
    fn mask(&self) -> u64 {
        (self.slots.len() as u64).wrapping_sub(1)
    }

    #[inline]
    fn slot_of(&self, hash: u64) -> usize {
        (hash & self.mask()) as usize
    }
}

impl<V> Drop for Table<V> {
    fn drop(&mut self) {
        let mut slots: Box<[Link<V>]> = mem::take(&mut self.slots);
        // Unlink every chain node by node, so dropping a node never recurses into its successor;
        // stop as soon as all counted elements are gone.
        let mut left = self.used;
        for slot in slots.iter_mut() {
            if left == 0 {
                break;
            }
            let mut cur = slot.take();
            while let Some(mut node) = cur {
                cur = node.next.take();
                left = left.saturating_sub(1);
            }
        }
        debug_assert!(slots.iter().all(Option::is_none));
        // Every slot is `None` now: free the array without a per-slot drop pass (which would
        // read all of a possibly huge, never-touched array).
        let raw = Box::into_raw(slots) as *mut [ManuallyDrop<Link<V>>];
        // SAFETY: `ManuallyDrop<T>` is `repr(transparent)` over `T`, so the cast slice has the
        // same length and layout as the original box and is freed with the same layout. The
        // elements are all `None` (every chain was taken above while `left > 0`; `used` counts
        // exactly the nodes in the table), so skipping their destructors leaks nothing.
        drop(unsafe { Box::from_raw(raw) });
    }
}

/// The process-wide hash seed shared by all dicts.
struct HashSeed {
    per_hasher: u64,
    shared: SharedSeed,
}

fn hash_seed() -> &'static HashSeed {
    static SEED: OnceLock<HashSeed> = OnceLock::new();
    SEED.get_or_init(|| {
        let mut b = [0u8; 16];
        if getrandom::fill(&mut b).is_err() {
            // No OS randomness: fall back to the clock and an address, which still differ
            // between runs.
            let t =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
            let addr = &b as *const _ as u64;
            b[..8].copy_from_slice(&t.to_le_bytes());
            b[8..].copy_from_slice(&(addr ^ t.rotate_left(32)).to_le_bytes());
        }
        let per_hasher = u64::from_le_bytes(b[..8].try_into().unwrap_or([1; 8]));
        let shared = u64::from_le_bytes(b[8..].try_into().unwrap_or([2; 8]));
        HashSeed { per_hasher, shared: SharedSeed::from_u64(shared) }
    })
}

/// Decides whether a table may grow: (bytes of the new bucket array, elements per bucket now).
pub type ExpandGuard = fn(usize, f64) -> bool;

thread_local! {
    static RESIZE_AVOIDED: Cell<bool> = const { Cell::new(false) };
}

/// Disallows (or allows again) resizing for every table the calling thread touches, whatever
/// each table's own setting: the server turns it on while a fork child shares its pages.
pub fn avoid_resize_on_this_thread(avoid: bool) {
    RESIZE_AVOIDED.with(|c| c.set(avoid));
}

/// See the module documentation.
pub struct Dict<V> {
    /// `ht[0]` is the main table; `ht[1]` has buckets only while rehashing into it.
    ht: [Table<V>; 2],
    /// While rehashing: buckets of `ht[0]` below this index are empty (already moved).
    rehash_idx: usize,
    /// Asked before a grow with the bytes the new bucket array takes and the current load
    /// factor; refusing keeps the table as it is (the server uses it to stay under maxmemory).
    expand_guard: Option<ExpandGuard>,
    seed: &'static HashSeed,
    /// (buckets visited, nodes moved) by rehashing, for the bounded-work test.
    #[cfg(test)]
    work: (usize, usize),
}

/// Statistics of one bucket array (DEBUG HTSTATS's per-table block).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TableStats {
    pub size: usize,
    pub used: usize,
    /// Non-empty buckets.
    pub slots: usize,
    pub max_chain: usize,
    /// `chain_lengths[i]` buckets have a chain of `i` elements (the last entry counts chains of
    /// `STATS_VECTLEN - 1` or more). Empty when the table has no buckets.
    pub chain_lengths: Vec<usize>,
}

/// Bucket statistics for DEBUG HTSTATS / MEMORY STATS.
#[derive(Debug, Default, Clone)]
pub struct DictStats {
    /// (buckets, used) of the main table and, while rehashing, of the second one.
    pub tables: Vec<(usize, usize)>,
    pub max_chain: usize,
    pub rehashing: bool,
    /// Details per table, in the same order as `tables`.
    pub detail: Vec<TableStats>,
}

impl<V> Default for Dict<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V: fmt::Debug> fmt::Debug for Dict<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<V> Dict<V> {
    /// An empty dict; allocates nothing until the first insert.
    pub fn new() -> Self {
        Dict {
            ht: [Table::empty(), Table::empty()],
            rehash_idx: 0,
            expand_guard: None,
            seed: hash_seed(),
            #[cfg(test)]
            work: (0, 0),
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.ht[0].used + self.ht[1].used
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    fn hash(&self, key: &[u8]) -> u64 {
        let mut h = FoldHasher::with_seed(self.seed.per_hasher, &self.seed.shared);
        h.write(key);
        h.finish()
    }

    fn find(&self, hash: u64, key: &[u8]) -> Option<&Node<V>> {
        for t in &self.ht {
            if t.size() == 0 {
                continue;
            }
            let mut cur = t.slots[t.slot_of(hash)].as_deref();
            while let Some(n) = cur {
                if n.key.as_slice() == key {
                    return Some(n);
                }
                cur = n.next.as_deref();
            }
        }
        None
    }

    fn find_mut(&mut self, hash: u64, key: &[u8]) -> Option<&mut Node<V>> {
        for t in &mut self.ht {
            if t.size() == 0 {
                continue;
            }
            let slot = t.slot_of(hash);
            let mut cur = t.slots[slot].as_deref_mut();
            while let Some(n) = cur {
                if n.key.as_slice() == key {
                    return Some(n);
                }
                cur = n.next.as_deref_mut();
            }
        }
        None
    }

    pub fn get(&self, key: &[u8]) -> Option<&V> {
        self.find(self.hash(key), key).map(|n| &n.val)
    }

    /// Lookups through `&mut self` may advance an incremental rehash by one step.
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        self.rehash_step();
        let h = self.hash(key);
        self.find_mut(h, key).map(|n| &mut n.val)
    }

    pub fn get_key_value(&self, key: &[u8]) -> Option<(&SBytes, &V)> {
        self.find(self.hash(key), key).map(|n| (&n.key, &n.val))
    }

    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.get(key).is_some()
    }

    /// Inserts or replaces; returns the old value when the key existed (the stored key is kept).
    pub fn insert(&mut self, key: SBytes, val: V) -> Option<V> {
        self.rehash_step();
        let h = self.hash(&key);
        if let Some(n) = self.find_mut(h, &key) {
            return Some(mem::replace(&mut n.val, val));
        }
        self.insert_new(h, key, val);
        None
    }

    /// Returns the value for `key`, inserting `make()` first when it is missing.
    /// The bool is true when it was inserted.
    pub fn get_or_insert_with(&mut self, key: &[u8], make: impl FnOnce() -> V) -> (&mut V, bool) {
        self.rehash_step();
        let h = self.hash(key);
        if self.find(h, key).is_some() {
            // Found: look it up again mutably (a conditional return of a mutable borrow from
            // one lookup is not accepted by the borrow checker). Chains are short.
            let n = self.find_mut(h, key).expect("key found by the shared lookup");
            return (&mut n.val, false);
        }
        (self.insert_new(h, SBytes::new(key), make()), true)
    }

    /// Links a node for a key known to be absent, growing first when needed.
    fn insert_new(&mut self, hash: u64, key: SBytes, val: V) -> &mut V {
        self.expand_if_needed();
        let t = if self.is_rehashing() { &mut self.ht[1] } else { &mut self.ht[0] };
        if t.size() == 0 {
            // Not even the first 4 buckets could be allocated: out of memory, like Box::new.
            alloc::handle_alloc_error(Layout::new::<[Link<V>; INITIAL_SIZE]>());
        }
        let slot = t.slot_of(hash);
        t.used += 1;
        let link = &mut t.slots[slot];
        let node = Box::new(Node { next: link.take(), key, val });
        &mut link.insert(node).val
    }

    pub fn remove(&mut self, key: &[u8]) -> Option<(SBytes, V)> {
        self.rehash_step();
        let h = self.hash(key);
        for t in &mut self.ht {
            if t.size() == 0 {
                continue;
            }
            let slot = t.slot_of(h);
            if let Some(node) = unlink(&mut t.slots[slot], key) {
                t.used -= 1;
                let Node { key, val, .. } = *node;
                return Some((key, val));
            }
        }
        None
    }

    /// Removes everything; returns the old contents as a detached dict (so the caller may drop
    /// it on another thread).
    pub fn take(&mut self) -> Dict<V> {
        let mut fresh = Dict::new();
        fresh.expand_guard = self.expand_guard;
        mem::replace(self, fresh)
    }

    pub fn clear(&mut self) {
        drop(self.take());
    }

    /// One SCAN step: calls `f` for the elements of the bucket(s) at `cursor` and returns the
    /// next cursor (0 when the scan is complete). Redis's reverse-binary cursor rules.
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(&SBytes, &V)) -> u64 {
        let sizes = [self.ht[0].size(), self.ht[1].size()];
        scan_cursor(sizes, cursor, |t, slot| {
            let mut cur = self.ht[t].slots[slot].as_deref();
            while let Some(n) = cur {
                f(&n.key, &n.val);
                cur = n.next.as_deref();
            }
        })
    }

    /// Like `scan`, with mutable access to the values (active expiry uses it).
    pub fn scan_mut(&mut self, cursor: u64, mut f: impl FnMut(&SBytes, &mut V)) -> u64 {
        let sizes = [self.ht[0].size(), self.ht[1].size()];
        let ht = &mut self.ht;
        scan_cursor(sizes, cursor, |t, slot| {
            let mut cur = ht[t].slots[slot].as_deref_mut();
            while let Some(n) = cur {
                f(&n.key, &mut n.val);
                cur = n.next.as_deref_mut();
            }
        })
    }

    /// A random element, roughly fair (random non-empty bucket, then random chain position).
    pub fn random(&self, rng: &mut Rng) -> Option<(&SBytes, &V)> {
        if self.is_empty() {
            return None;
        }
        // Candidate buckets: ht[0] from rehash_idx on (those below are empty), then all of
        // ht[1], numbered as one range.
        let s0 = self.ht[0].size();
        let first = if self.is_rehashing() { self.rehash_idx.min(s0) } else { 0 };
        let range = s0 - first + self.ht[1].size();
        let bucket = |i: usize| {
            let i = first + i;
            if i < s0 {
                self.ht[0].slots[i].as_deref()
            } else {
                self.ht[1].slots[i - s0].as_deref()
            }
        };
        let mut head = None;
        for _ in 0..RANDOM_PROBES {
            head = bucket(rng.below(range as u64) as usize);
            if head.is_some() {
                break;
            }
        }
        if head.is_none() {
            // A very sparse table (it could not shrink): take the first non-empty bucket after a
            // random point rather than probing without bound.
            let start = rng.below(range as u64) as usize;
            head = (0..range).find_map(|k| bucket((start + k) % range));
        }
        let head = head?;
        let mut chain_len = 0usize;
        let mut cur = Some(head);
        while let Some(n) = cur {
            chain_len += 1;
            cur = n.next.as_deref();
        }
        let mut n = head;
        for _ in 0..rng.below(chain_len as u64) {
            n = n.next.as_deref()?;
        }
        Some((&n.key, &n.val))
    }

    /// Calls `f` for up to `n` elements gathered from consecutive buckets starting at a random
    /// index (eviction sampling and fair random picks, like Redis's dictGetSomeKeys), visiting
    /// at most `n * 10` buckets. A bucket is always read to the end of its chain: once `n`
    /// elements are held, each further one replaces a held one with probability n/seen
    /// (reservoir sampling), so the tail of a long chain is as likely to be picked as its head.
    /// The same element may be reported twice; fewer than `n` may be reported when the table
    /// is sparse.
    pub fn sample(&self, rng: &mut Rng, n: usize, mut f: impl FnMut(&SBytes, &V)) {
        let count = n.min(self.len());
        if count == 0 {
            return;
        }
        let sizes = [self.ht[0].size(), self.ht[1].size()];
        let tables = if self.is_rehashing() { 2 } else { 1 };
        let max_mask = sizes[0].max(sizes[1]) - 1;
        let mut i = rng.next_u64() as usize & max_mask;
        let mut steps = count.saturating_mul(10);
        let mut empty_run = 0usize;
        let mut seen = 0usize;
        let mut held: Vec<&Node<V>> = Vec::with_capacity(count);
        'buckets: while steps > 0 {
            steps -= 1;
            for t in 0..tables {
                if tables == 2 && t == 0 && i < self.rehash_idx {
                    // This bucket of the old table was already moved. Past the end of the new
                    // table too, nothing is left below rehash_idx: jump there.
                    if i >= sizes[1] {
                        i = self.rehash_idx;
                    } else {
                        continue;
                    }
                }
                if i >= sizes[t] {
                    continue;
                }
                match self.ht[t].slots[i].as_deref() {
                    None => {
                        empty_run += 1;
                        if empty_run >= 5 && empty_run > count {
                            i = rng.next_u64() as usize & max_mask;
                            empty_run = 0;
                        }
                    }
                    Some(head) => {
                        empty_run = 0;
                        let mut cur = Some(head);
                        while let Some(node) = cur {
                            if held.len() < count {
                                held.push(node);
                            } else {
                                let r = rng.below(seen as u64 + 1) as usize;
                                if r < count {
                                    held[r] = node;
                                }
                            }
                            seen += 1;
                            cur = node.next.as_deref();
                        }
                        if held.len() == count {
                            break 'buckets;
                        }
                    }
                }
            }
            i = (i + 1) & max_mask;
        }
        for node in held {
            f(&node.key, &node.val);
        }
    }

    pub fn iter(&self) -> Iter<'_, V> {
        Iter { slots: self.ht[0].slots.iter().chain(self.ht[1].slots.iter()), cur: None, left: self.len() }
    }

    /// All elements with mutable access to the values, in no particular order.
    pub fn iter_mut(&mut self) -> IterMut<'_, V> {
        let left = self.len();
        let [a, b] = &mut self.ht;
        IterMut { slots: a.slots.iter_mut().chain(b.slots.iter_mut()), cur: None, left }
    }

    /// Does incremental rehashing for about `micros` microseconds; returns true when some work was
    /// done (the cron's `activerehashing`).
    pub fn rehash_for(&mut self, micros: u64) -> bool {
        if !self.is_rehashing() || self.rehash_paused() {
            return false;
        }
        let budget = Duration::from_micros(micros);
        let start = Instant::now();
        while self.rehash(REHASH_BATCH) {
            if start.elapsed() >= budget {
                break;
            }
        }
        true
    }

    /// Shrink the bucket array when it is under 10% full (Redis's HASHTABLE_MIN_FILL); the cron
    /// calls it. Starts an incremental rehash, never a stop-the-world copy.
    pub fn shrink_if_sparse(&mut self) {
        if !self.resize_allowed() || self.is_rehashing() {
            return;
        }
        let size = self.ht[0].size();
        let used = self.ht[0].used;
        if size > INITIAL_SIZE && used.saturating_mul(100) / size < MIN_FILL_PERCENT {
            self.expand(used.max(INITIAL_SIZE));
        }
    }

    /// Installs (or removes) the check made before every grow.
    pub fn set_expand_guard(&mut self, guard: Option<ExpandGuard>) {
        self.expand_guard = guard;
    }

    /// Whether tables may resize now: false while the thread's switch avoids it (a fork child
    /// is alive), when a table grows only past a load factor of 5 and does not shrink.
    pub fn resize_allowed(&self) -> bool {
        !RESIZE_AVOIDED.with(Cell::get)
    }

    /// Resizes to the smallest power of two (at least 4) holding `size` elements, like Redis's
    /// dictTryExpand (RDB loading uses it with the announced key count). Refused (false) while
    /// rehashing, when `size` is below the element count, when the size would not change, or
    /// when the bucket array cannot be allocated (the dict is then left as it was). Only the
    /// bucket array is allocated here; the elements move incrementally.
    pub fn expand(&mut self, size: usize) -> bool {
        if self.is_rehashing() || self.ht[0].used > size {
            return false;
        }
        let Some(new_size) = size.max(INITIAL_SIZE).checked_next_power_of_two() else {
            return false;
        };
        if new_size == self.ht[0].size() {
            return false;
        }
        let Some(table) = Table::try_with_size(new_size) else {
            return false;
        };
        if self.ht[0].size() == 0 {
            self.ht[0] = table;
        } else {
            self.ht[1] = table;
            self.rehash_idx = 0;
        }
        true
    }

    pub fn is_rehashing(&self) -> bool {
        self.ht[1].size() != 0
    }

    /// Buckets of both tables (Redis's dictSlots).
    pub fn buckets(&self) -> usize {
        self.ht[0].size() + self.ht[1].size()
    }

    pub fn stats(&self) -> DictStats {
        let mut st = DictStats { rehashing: self.is_rehashing(), ..DictStats::default() };
        let n = if self.is_rehashing() { 2 } else { 1 };
        for t in &self.ht[..n] {
            let mut ts = TableStats { size: t.size(), used: t.used, ..TableStats::default() };
            if t.size() > 0 {
                ts.chain_lengths = vec![0; STATS_VECTLEN];
                for slot in t.slots.iter() {
                    let mut len = 0usize;
                    let mut cur = slot.as_deref();
                    while let Some(node) = cur {
                        len += 1;
                        cur = node.next.as_deref();
                    }
                    if len > 0 {
                        ts.slots += 1;
                    }
                    ts.max_chain = ts.max_chain.max(len);
                    ts.chain_lengths[len.min(STATS_VECTLEN - 1)] += 1;
                }
            }
            st.tables.push((ts.size, ts.used));
            st.max_chain = st.max_chain.max(ts.max_chain);
            st.detail.push(ts);
        }
        st
    }

    /// Bytes of memory used by the dict's own structure (bucket arrays + nodes, not counting
    /// heap memory owned by keys and values).
    pub fn overhead_bytes(&self) -> usize {
        let link = mem::size_of::<Link<V>>();
        let arrays: usize = self.ht.iter().map(|t| alloc_size_class(t.size() * link)).sum();
        arrays + self.len() * alloc_size_class(mem::size_of::<Node<V>>())
    }

    /// Size of one element's node as the allocator rounds it (for per-key memory accounting).
    pub fn node_size() -> usize {
        alloc_size_class(mem::size_of::<Node<V>>())
    }

    /// One rehash step, as done before every mutating operation.
    #[inline]
    fn rehash_step(&mut self) {
        if self.is_rehashing() {
            self.rehash(1);
        }
    }

    /// Up to `n` steps of an ongoing rehash (each moves one bucket or skips ten empty ones),
    /// as a read that picks random elements makes in Redis; stops early when the rehash ends
    /// or must wait (the resize policy).
    pub fn rehash_steps(&mut self, n: usize) {
        for _ in 0..n {
            if !self.rehash(1) {
                break;
            }
        }
    }

    /// While resizing is disallowed, an ongoing rehash waits unless the tables differ in size
    /// by the force ratio.
    fn rehash_paused(&self) -> bool {
        if self.resize_allowed() {
            return false;
        }
        let (s0, s1) = (self.ht[0].size(), self.ht[1].size());
        let (big, small) = if s0 > s1 { (s0, s1) } else { (s1, s0) };
        small != 0 && big / small < FORCE_RESIZE_RATIO
    }

    /// Moves up to `n` non-empty buckets of `ht[0]` into `ht[1]`, skipping at most `n * 10`
    /// empty ones. Returns true when there is more to move.
    fn rehash(&mut self, n: usize) -> bool {
        if !self.is_rehashing() || self.rehash_paused() {
            return false;
        }
        let mut empty_visits = n.saturating_mul(EMPTY_VISITS_PER_STEP);
        let [old, new] = &mut self.ht;
        let mut n = n;
        while n > 0 && old.used != 0 {
            n -= 1;
            // `old.used != 0` and every bucket below rehash_idx is empty, so a non-empty bucket
            // exists at or after rehash_idx and the index stays in bounds.
            while old.slots[self.rehash_idx].is_none() {
                self.rehash_idx += 1;
                #[cfg(test)]
                {
                    self.work.0 += 1;
                }
                empty_visits -= 1;
                if empty_visits == 0 {
                    return true;
                }
            }
            let mut chain = old.slots[self.rehash_idx].take();
            while let Some(mut node) = chain {
                chain = node.next.take();
                let mut h = FoldHasher::with_seed(self.seed.per_hasher, &self.seed.shared);
                h.write(&node.key);
                let slot = new.slot_of(h.finish());
                node.next = new.slots[slot].take();
                new.slots[slot] = Some(node);
                old.used -= 1;
                new.used += 1;
                #[cfg(test)]
                {
                    self.work.1 += 1;
                }
            }
            self.rehash_idx += 1;
            #[cfg(test)]
            {
                self.work.0 += 1;
            }
        }
        if old.used == 0 {
            // Done: the new table becomes the main one. The old array is all empty and is freed
            // without being walked.
            mem::swap(old, new);
            *new = Table::empty();
            self.rehash_idx = 0;
            return false;
        }
        true
    }

    /// Starts a grow when the load factor calls for one (never while rehashing).
    fn expand_if_needed(&mut self) {
        if self.is_rehashing() {
            return;
        }
        let size = self.ht[0].size();
        if size == 0 {
            self.expand(INITIAL_SIZE);
            return;
        }
        let used = self.ht[0].used;
        if (self.resize_allowed() && used >= size) || used / size > FORCE_RESIZE_RATIO {
            if let Some(allowed) = self.expand_guard {
                let buckets = (used + 1).checked_next_power_of_two().unwrap_or(usize::MAX);
                let bytes = buckets.saturating_mul(mem::size_of::<Link<V>>());
                if !allowed(bytes, used as f64 / size as f64) {
                    return;
                }
            }
            self.expand(used + 1);
        }
    }
}

/// Random bucket probes in `random` before falling back to a linear search.
const RANDOM_PROBES: usize = 128;

/// Unlinks and returns the node for `key` from the chain starting at `link`, moving its `Box`
/// (no reallocation).
fn unlink<V>(mut link: &mut Link<V>, key: &[u8]) -> Option<Box<Node<V>>> {
    loop {
        match link {
            None => return None,
            Some(n) if n.key.as_slice() == key => break,
            Some(n) => link = &mut n.next,
        }
    }
    let mut node = link.take()?;
    *link = node.next.take();
    Some(node)
}

/// The cursor arithmetic of SCAN, independent of the element types: calls `visit(table, slot)`
/// for every bucket the step covers and returns the next cursor.
///
/// The cursor counts with its bits reversed (incrementing from the high bit of the mask down),
/// so buckets that split into `b` and `b + size` when a table doubles are visited together and
/// growing or shrinking between calls neither skips nor restarts. While rehashing, the step
/// visits bucket `cursor & small_mask` of the smaller table and every bucket of the larger
/// table that it expands into.
fn scan_cursor(sizes: [usize; 2], cursor: u64, mut visit: impl FnMut(usize, usize)) -> u64 {
    fn next(v: u64, mask: u64) -> u64 {
        // Set the bits above the mask so the reversed increment carries straight through them.
        (v | !mask).reverse_bits().wrapping_add(1).reverse_bits()
    }
    let mut v = cursor;
    if sizes[1] == 0 {
        if sizes[0] == 0 {
            return 0;
        }
        let m0 = sizes[0] as u64 - 1;
        visit(0, (v & m0) as usize);
        return next(v, m0);
    }
    let (small, big) = if sizes[0] <= sizes[1] { (0, 1) } else { (1, 0) };
    let m_small = sizes[small] as u64 - 1;
    let m_big = sizes[big] as u64 - 1;
    visit(small, (v & m_small) as usize);
    loop {
        visit(big, (v & m_big) as usize);
        v = next(v, m_big);
        // Stop once the bits only the big table has wrapped around to zero.
        if v & (m_small ^ m_big) == 0 {
            break;
        }
    }
    v
}

/// Iterator over a dict's elements; see [`Dict::iter`].
pub struct Iter<'a, V> {
    slots: std::iter::Chain<std::slice::Iter<'a, Link<V>>, std::slice::Iter<'a, Link<V>>>,
    cur: Option<&'a Node<V>>,
    left: usize,
}

impl<'a, V> Iterator for Iter<'a, V> {
    type Item = (&'a SBytes, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(n) = self.cur {
                self.cur = n.next.as_deref();
                self.left = self.left.saturating_sub(1);
                return Some((&n.key, &n.val));
            }
            if self.left == 0 {
                return None;
            }
            self.cur = self.slots.next()?.as_deref();
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<V> ExactSizeIterator for Iter<'_, V> {}

/// Iterator over a dict's elements with mutable values; see [`Dict::iter_mut`].
pub struct IterMut<'a, V> {
    slots: std::iter::Chain<std::slice::IterMut<'a, Link<V>>, std::slice::IterMut<'a, Link<V>>>,
    cur: Option<&'a mut Node<V>>,
    left: usize,
}

impl<'a, V> Iterator for IterMut<'a, V> {
    type Item = (&'a SBytes, &'a mut V);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(n) = self.cur.take() {
                let Node { next, key, val } = n;
                self.cur = next.as_deref_mut();
                self.left = self.left.saturating_sub(1);
                return Some((&*key, val));
            }
            if self.left == 0 {
                return None;
            }
            self.cur = self.slots.next()?.as_deref_mut();
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<V> ExactSizeIterator for IterMut<'_, V> {}

impl<'a, V> IntoIterator for &'a Dict<V> {
    type Item = (&'a SBytes, &'a V);
    type IntoIter = Iter<'a, V>;
    fn into_iter(self) -> Iter<'a, V> {
        self.iter()
    }
}

impl<'a, V> IntoIterator for &'a mut Dict<V> {
    type Item = (&'a SBytes, &'a mut V);
    type IntoIter = IterMut<'a, V>;
    fn into_iter(self) -> IterMut<'a, V> {
        self.iter_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::collections::HashSet;
    use std::rc::Rc;

    impl<V> Dict<V> {
        /// Checks the structural invariants: counts, rehash progress, every node in the bucket
        /// its hash selects.
        fn check(&self) {
            for (ti, t) in self.ht.iter().enumerate() {
                assert!(t.size() == 0 || t.size().is_power_of_two());
                let mut n = 0;
                for (i, slot) in t.slots.iter().enumerate() {
                    if ti == 0 && self.is_rehashing() && i < self.rehash_idx {
                        assert!(slot.is_none(), "moved bucket {i} not empty");
                    }
                    let mut cur = slot.as_deref();
                    while let Some(node) = cur {
                        assert_eq!(t.slot_of(self.hash(&node.key)), i);
                        n += 1;
                        cur = node.next.as_deref();
                    }
                }
                assert_eq!(n, t.used, "table {ti} count");
            }
            if !self.is_rehashing() {
                assert_eq!(self.rehash_idx, 0);
            }
        }
    }

    fn key(i: u64) -> SBytes {
        SBytes::new(&i.to_le_bytes())
    }

    #[test]
    fn impossible_expand_is_refused() {
        let mut d: Dict<u64> = Dict::new();
        assert!(!d.expand(usize::MAX));
        assert!(!d.expand(1 << 62));
        assert_eq!(d.buckets(), 0);
        assert!(d.expand(100));
        assert_eq!(d.buckets(), 128);
        assert!(!d.expand(128));
        d.insert(key(1), 1);
        assert!(d.expand(1000));
        assert!(d.is_rehashing());
        assert!(!d.expand(5000));
        assert_eq!(d.get(&1u64.to_le_bytes()), Some(&1));
    }

    #[test]
    fn node_and_bucket_sizes() {
        assert_eq!(mem::size_of::<Node<[u8; 32]>>(), 64);
        assert_eq!(Dict::<u64>::node_size(), 48);
        let d: Dict<u64> = Dict::new();
        assert_eq!(d.buckets(), 0);
        assert_eq!(d.overhead_bytes(), 0);
    }

    /// A sample of one element from a table with long chains can return any element of a
    /// chain, not only its head (reservoir sampling through the whole chain).
    #[test]
    fn sampling_reaches_the_tail_of_long_chains() {
        let mut d: Dict<u64> = Dict::new();
        avoid_resize_on_this_thread(true);
        for i in 0..20u64 {
            d.insert(key(i), i);
        }
        assert_eq!(d.buckets(), INITIAL_SIZE, "20 elements in 4 buckets: chains of about 5");
        let mut rng = Rng::from_seed(7);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..20_000 {
            d.sample(&mut rng, 1, |_, &v| {
                seen.insert(v);
            });
        }
        assert_eq!(seen.len(), 20);
    }

    /// The thread-wide switch holds back growth (until the load factor passes 5) and shrinking
    /// for every table of the thread, and lets an extreme-ratio rehash go on.
    #[test]
    fn the_thread_switch_avoids_resizing() {
        let mut d: Dict<u64> = Dict::new();
        avoid_resize_on_this_thread(true);
        for i in 0..20u64 {
            d.insert(key(i), i);
        }
        assert_eq!(d.buckets(), INITIAL_SIZE);
        for i in 20..30u64 {
            d.insert(key(i), i);
        }
        assert!(d.buckets() > INITIAL_SIZE, "a load factor over 5 forces the grow");
        avoid_resize_on_this_thread(false);
        let mut big: Dict<u64> = Dict::new();
        for i in 0..10_000u64 {
            big.insert(key(i), i);
        }
        while big.rehash_for(1000) {}
        for i in 30..10_000u64 {
            big.remove(&i.to_le_bytes());
        }
        avoid_resize_on_this_thread(true);
        big.shrink_if_sparse();
        assert!(!big.is_rehashing(), "no shrink while avoided");
        avoid_resize_on_this_thread(false);
        big.shrink_if_sparse();
        assert!(big.is_rehashing());
        // 16384 -> 32 buckets: the ratio is extreme, so the rehash goes on even when avoided
        avoid_resize_on_this_thread(true);
        big.rehash_steps(100_000);
        assert!(!big.is_rehashing());
        avoid_resize_on_this_thread(false);
        assert_eq!(big.len(), 30);
        big.check();
    }

    /// Inserting 2M keys: every insert does a bounded amount of rehash work (at most 11
    /// buckets looked at plus the nodes of one chain moved), yet the table keeps growing.
    #[test]
    fn insert_work_is_bounded() {
        let mut d: Dict<u64> = Dict::new();
        let (mut max_buckets, mut max_nodes) = (0, 0);
        let mut grows = 0;
        // counted by the size of the table being rehashed into: a rehash that ends inside an
        // insert which then starts the next one never shows "not rehashing" in between
        let mut last_target = 0;
        for i in 0..2_000_000u64 {
            let before = d.work;
            assert!(d.insert(key(i), i).is_none());
            max_buckets = max_buckets.max(d.work.0 - before.0);
            max_nodes = max_nodes.max(d.work.1 - before.1);
            if d.is_rehashing() && d.ht[1].size() != last_target {
                grows += 1;
                last_target = d.ht[1].size();
            }
        }
        assert!(max_buckets <= 1 + EMPTY_VISITS_PER_STEP, "visited {max_buckets} buckets");
        // One chain of a table at load factor <= 1 with a good hash.
        assert!(max_nodes <= 16, "moved {max_nodes} nodes");
        assert!(d.work.1 >= 2_000_000, "every node moved at least once");
        assert!(grows >= 19, "grew {grows} times");
        assert_eq!(d.len(), 2_000_000);
        assert!(d.buckets() >= 2_000_000);
        d.check();
        for i in (0..2_000_000u64).step_by(997) {
            assert_eq!(d.get(&i.to_le_bytes()), Some(&i));
        }
    }

    #[test]
    fn rehash_moves_everything_and_invariants_hold() {
        let mut d: Dict<u64> = Dict::new();
        for i in 0..1000u64 {
            d.insert(key(i), i);
            if i % 37 == 0 {
                d.check();
            }
        }
        while d.rehash_for(1000) {}
        assert!(!d.is_rehashing());
        d.check();
        assert_eq!(d.buckets(), 1024);
        for i in 0..950u64 {
            assert_eq!(d.remove(&i.to_le_bytes()), Some((key(i), i)));
        }
        d.check();
        d.shrink_if_sparse();
        assert!(d.is_rehashing());
        d.check();
        // 50 elements need 64 buckets.
        assert!(d.rehash_for(10_000_000));
        assert!(!d.is_rehashing());
        assert_eq!(d.buckets(), 64);
        d.check();
        for i in 950..1000u64 {
            assert_eq!(d.get(&i.to_le_bytes()), Some(&i));
        }
    }

    #[test]
    fn resize_disallowed_grows_only_past_ratio_five() {
        let mut d: Dict<u64> = Dict::new();
        avoid_resize_on_this_thread(true);
        d.insert(key(0), 0);
        assert_eq!(d.buckets(), 4);
        for i in 1..24u64 {
            d.insert(key(i), i);
        }
        // 24 / 4 = 6 > 5 only once the 24th is in: the next insert grows.
        assert_eq!(d.buckets(), 4);
        d.insert(key(24), 24);
        assert!(d.is_rehashing());
        // 4 -> 32 buckets: a ratio of 8, so rehashing goes on even while resizing is avoided.
        assert_eq!(d.buckets(), 4 + 32);
        assert!(d.rehash_for(1_000_000));
        assert!(!d.is_rehashing());
        d.check();
        // A plain doubling started while allowed pauses while disallowed.
        avoid_resize_on_this_thread(false);
        let mut d: Dict<u64> = Dict::new();
        for i in 0..5u64 {
            d.insert(key(i), i);
        }
        assert!(d.is_rehashing());
        avoid_resize_on_this_thread(true);
        assert!(!d.rehash_for(1_000_000));
        assert!(d.is_rehashing());
        d.shrink_if_sparse();
        avoid_resize_on_this_thread(false);
        assert!(d.rehash_for(1_000_000));
        assert!(!d.is_rehashing());
        d.check();
        assert_eq!(d.len(), 5);
    }

    #[test]
    fn scan_cursor_visits_each_bucket_once_when_stable() {
        for size in [4usize, 8, 64, 1024] {
            let mut seen = vec![0u32; size];
            let mut c = 0;
            loop {
                c = scan_cursor([size, 0], c, |t, s| {
                    assert_eq!(t, 0);
                    seen[s] += 1;
                });
                if c == 0 {
                    break;
                }
            }
            assert!(seen.iter().all(|&n| n == 1));
        }
        // Rehashing 8 -> 32: each step covers one small bucket and its 4 expansions.
        let mut small = [0u32; 8];
        let mut big = [0u32; 32];
        let mut c = 0;
        loop {
            let mut visited = Vec::new();
            c = scan_cursor([8, 32], c, |t, s| {
                visited.push((t, s));
                if t == 0 {
                    small[s] += 1;
                } else {
                    big[s] += 1;
                }
            });
            assert_eq!(visited.len(), 5);
            let s = visited[0].1;
            assert!(visited[1..].iter().all(|&(t, b)| t == 1 && b & 7 == s));
            if c == 0 {
                break;
            }
        }
        assert!(small.iter().all(|&n| n == 1));
        assert!(big.iter().all(|&n| n == 1));
        assert_eq!(scan_cursor([0, 0], 12345, |_, _| panic!("no buckets")), 0);
    }

    struct Tracked(Rc<Cell<usize>>);
    impl Drop for Tracked {
        fn drop(&mut self) {
            self.0.set(self.0.get() + 1);
        }
    }

    #[test]
    fn values_are_dropped_exactly_once() {
        let drops = Rc::new(Cell::new(0));
        let mut d: Dict<Tracked> = Dict::new();
        for i in 0..300u64 {
            d.insert(key(i), Tracked(drops.clone()));
        }
        // Replacing drops the old value.
        assert!(d.insert(key(5), Tracked(drops.clone())).is_some());
        assert_eq!(drops.get(), 1);
        let removed = d.remove(&7u64.to_le_bytes());
        assert!(removed.is_some());
        drop(removed);
        assert_eq!(drops.get(), 2);
        let taken = d.take();
        assert_eq!(d.len(), 0);
        assert_eq!(taken.len(), 299);
        drop(taken);
        assert_eq!(drops.get(), 301);
        for i in 0..100u64 {
            d.insert(key(i), Tracked(drops.clone()));
        }
        d.clear();
        assert_eq!(drops.get(), 401);
        assert_eq!(d.buckets(), 0);
        for i in 0..100u64 {
            d.insert(key(i), Tracked(drops.clone()));
        }
        assert!(d.is_rehashing() || d.len() == 100);
        drop(d);
        assert_eq!(drops.get(), 501);
    }

    #[test]
    fn iter_mut_and_scan_mut_reach_every_value() {
        let mut d: Dict<u64> = Dict::new();
        for i in 0..500u64 {
            d.insert(key(i), i);
        }
        assert!(d.is_rehashing() || d.buckets() >= 500);
        for (_, v) in d.iter_mut() {
            *v += 1;
        }
        let mut c = 0;
        loop {
            c = d.scan_mut(c, |_, v| *v *= 2);
            if c == 0 {
                break;
            }
        }
        let mut keys = HashSet::new();
        for (k, v) in &d {
            let i = u64::from_le_bytes(k.as_slice().try_into().unwrap());
            assert_eq!(*v, (i + 1) * 2);
            keys.insert(i);
        }
        assert_eq!(keys.len(), 500);
        assert_eq!(d.iter().len(), 500);
    }

    #[test]
    fn stats_describe_the_tables() {
        let mut d: Dict<u64> = Dict::new();
        assert_eq!(d.stats().tables, vec![(0, 0)]);
        for i in 0..4u64 {
            d.insert(key(i), i);
        }
        let st = d.stats();
        assert!(!st.rehashing);
        assert_eq!(st.tables, vec![(4, 4)]);
        let det = &st.detail[0];
        assert_eq!(det.chain_lengths.iter().sum::<usize>(), 4);
        assert_eq!(det.chain_lengths.iter().enumerate().map(|(l, n)| l * n).sum::<usize>(), 4);
        assert_eq!(det.slots, 4 - det.chain_lengths[0]);
        d.insert(key(4), 4);
        let st = d.stats();
        assert!(st.rehashing);
        assert_eq!(st.tables.len(), 2);
        assert_eq!(st.tables[0].0 + st.tables[1].0, 4 + 8);
        assert_eq!(st.tables[0].1 + st.tables[1].1, 5);
        assert_eq!(d.overhead_bytes(), 32 + 64 + 5 * 48);
    }
}
