//! `Dict<V>`: a chained hash table keyed by [`SBytes`] with power-of-two bucket arrays and
//! incremental rehashing (two tables while growing or shrinking, a few buckets moved per
//! operation and by `rehash_for` from the cron), so no insert ever stalls on a big resize.
//! `scan` uses a reverse-binary cursor that visits every element present for the whole scan at
//! least once, even across resizes.

use crate::rng::Rng;
use crate::sbytes::SBytes;

/// See the module documentation.
pub struct Dict<V> {
    _todo: std::marker::PhantomData<(SBytes, V)>,
}

/// Bucket statistics for DEBUG HTSTATS / MEMORY STATS.
#[derive(Debug, Default, Clone)]
pub struct DictStats {
    /// (buckets, used) of the main table and, while rehashing, of the second one.
    pub tables: Vec<(usize, usize)>,
    pub max_chain: usize,
    pub rehashing: bool,
}

#[allow(unused_variables)]
impl<V> Dict<V> {
    pub fn new() -> Self {
        todo!()
    }
    pub fn len(&self) -> usize {
        todo!()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn get(&self, key: &[u8]) -> Option<&V> {
        todo!()
    }
    /// Lookups through `&mut self` may advance an incremental rehash by one step.
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        todo!()
    }
    pub fn get_key_value(&self, key: &[u8]) -> Option<(&SBytes, &V)> {
        todo!()
    }
    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.get(key).is_some()
    }
    /// Inserts or replaces; returns the old value when the key existed (the stored key is kept).
    pub fn insert(&mut self, key: SBytes, val: V) -> Option<V> {
        todo!()
    }
    /// Returns the value for `key`, inserting `make()` first when it is missing.
    /// The bool is true when it was inserted.
    pub fn get_or_insert_with(&mut self, key: &[u8], make: impl FnOnce() -> V) -> (&mut V, bool) {
        todo!()
    }
    pub fn remove(&mut self, key: &[u8]) -> Option<(SBytes, V)> {
        todo!()
    }
    /// Removes everything; returns the old contents as a detached dict (so the caller may drop
    /// it on another thread).
    pub fn take(&mut self) -> Dict<V> {
        todo!()
    }
    pub fn clear(&mut self) {
        todo!()
    }
    /// One SCAN step: calls `f` for the elements of the bucket(s) at `cursor` and returns the
    /// next cursor (0 when the scan is complete). Redis's reverse-binary cursor rules.
    pub fn scan(&self, cursor: u64, f: impl FnMut(&SBytes, &V)) -> u64 {
        todo!()
    }
    /// Like `scan`, with mutable access to the values (active expiry uses it).
    pub fn scan_mut(&mut self, cursor: u64, f: impl FnMut(&SBytes, &mut V)) -> u64 {
        todo!()
    }
    /// A random element, roughly fair (random non-empty bucket, then random chain position).
    pub fn random(&self, rng: &mut Rng) -> Option<(&SBytes, &V)> {
        todo!()
    }
    /// Up to `n` elements from a random region (eviction sampling; dictGetSomeKeys-like).
    pub fn sample(&self, rng: &mut Rng, n: usize, out: &mut Vec<*const SBytes>) {
        todo!()
    }
    pub fn iter(&self) -> impl Iterator<Item = (&SBytes, &V)> + '_ {
        std::iter::empty()
    }
    /// Does incremental rehashing for about `micros` microseconds; returns true when some work was
    /// done (the cron's `activerehashing`).
    pub fn rehash_for(&mut self, micros: u64) -> bool {
        todo!()
    }
    /// Shrink the bucket array when it is under 10% full (Redis's HASHTABLE_MIN_FILL); the cron
    /// calls it. Starts an incremental rehash, never a stop-the-world copy.
    pub fn shrink_if_sparse(&mut self) {
        todo!()
    }
    /// Grow/shrink policy switch: while a fork child is alive Redis avoids resizing unless the
    /// load factor passes 5.
    pub fn set_resize_allowed(&mut self, allowed: bool) {
        todo!()
    }
    pub fn is_rehashing(&self) -> bool {
        todo!()
    }
    pub fn buckets(&self) -> usize {
        todo!()
    }
    pub fn stats(&self) -> DictStats {
        todo!()
    }
    /// Bytes of memory used by the dict's own structure (bucket arrays + nodes, not counting
    /// heap memory owned by keys and values).
    pub fn overhead_bytes(&self) -> usize {
        todo!()
    }
}
