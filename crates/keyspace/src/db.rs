//! One logical database (SELECT index): the main dict of keys, the dict of expiry times, lazy
//! expiry on lookup, and the per-database counters. Lazy expiry depends on the role the server
//! tells us through [`Clock::mode`]: a master deletes an expired key when it is touched and
//! records an [`DbEvent::Expired`] so the server can propagate a DEL; a replica only hides it.
//! The server drains `events` after each operation; this module never propagates anything.

use crate::dict::Dict;
use crate::rng::Rng;
use crate::sbytes::SBytes;
use crate::value::{Entry, Value};

/// How lazy expiry behaves for the command being run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ExpireMode {
    /// Expired keys are deleted when touched (and reported as events).
    #[default]
    Master,
    /// A read-only replica: expired keys look missing but are kept until the master's DEL.
    Replica,
    /// A writable replica: reads hide expired keys, writes delete them.
    WritableReplica,
    /// Commands from our master on a replica, and loading: nothing is ever expired.
    Never,
}

/// The clock and policy of the current command, set by the server before it runs one.
#[derive(Clone, Copy, Debug, Default)]
pub struct Clock {
    /// Milliseconds since the epoch, captured once per command.
    pub now_ms: i64,
    /// Redis's LRU clock (seconds resolution, 24 bits).
    pub lru: u32,
    pub mode: ExpireMode,
    /// False while a fork child is alive (avoid touching pages) or for NOTOUCH clients.
    pub touch: bool,
    /// The maxmemory policy is an LFU one: the `lru` field holds LFU data.
    pub lfu: bool,
    /// lfu-log-factor and lfu-decay-time, used when `lfu` is set.
    pub lfu_log_factor: u32,
    pub lfu_decay_time: u32,
}

/// Lookup flags (Redis's LOOKUP_*).
pub mod lookup {
    /// Don't update the access time.
    pub const NOTOUCH: u8 = 1;
    /// Don't count a hit or a miss.
    pub const NOSTATS: u8 = 2;
    /// Don't delete an expired key even on a master (report it missing).
    pub const NOEXPIRE: u8 = 4;
    /// The lookup is for a write: no hit/miss stats; on writable replicas expired keys go.
    pub const WRITE: u8 = 8;
    /// With WRITE: the caller may leave the key unchanged, so the lookup does not record it as
    /// written; the caller calls [`super::Db::mark_written`] once it has really changed it.
    pub const NORECORD: u8 = 16;
}

/// Things that happened inside the database that the server must act upon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbEvent {
    /// The key was deleted because it had expired: propagate DEL, notify "expired".
    Expired(SBytes),
    /// A read missed (keyspace notification "keymiss").
    Miss(SBytes),
    /// A key was created (keyspace notification "new").
    New(SBytes),
}

#[derive(Debug, Default, Clone, Copy)]
pub struct DbStats {
    pub hits: u64,
    pub misses: u64,
    pub expired: u64,
}

pub struct Db {
    pub id: usize,
    pub(crate) main: Dict<Entry>,
    pub(crate) expires: Dict<i64>,
    pub clock: Clock,
    pub stats: DbStats,
    pub events: Vec<DbEvent>,
    /// Average TTL estimate maintained by the active expire cycle (ms).
    pub avg_ttl: i64,
    /// Resume point of the active expire cycle's scan of `expires`.
    pub expires_cursor: u64,
    /// Record keymiss events (only when keyspace notifications ask for them).
    pub record_misses: bool,
    /// Record key creations (only when keyspace notifications ask for "new" events).
    pub record_new: bool,
    /// Record the keys that writes touch in `written` (the server turns it on while clients
    /// WATCH keys or are blocked on keys).
    pub track_writes: bool,
    /// Keys touched by writes since the server last drained them.
    pub written: Vec<SBytes>,
    /// Keys given a TTL by the clients of a writable replica (not by its master): the replica
    /// expires them itself.
    pub replica_local_expires: std::collections::HashSet<SBytes>,
}

impl Db {
    pub fn new(id: usize) -> Db {
        Db {
            id,
            main: Dict::new(),
            expires: Dict::new(),
            clock: Clock { touch: true, ..Clock::default() },
            stats: DbStats::default(),
            events: Vec::new(),
            avg_ttl: 0,
            expires_cursor: 0,
            record_misses: false,
            record_new: false,
            track_writes: false,
            written: Vec::new(),
            replica_local_expires: Default::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.main.len()
    }

    /// Records a write to `key` looked up with [`lookup::NORECORD`].
    pub fn mark_written(&mut self, key: &[u8]) {
        self.record_write(key);
    }

    #[inline]
    fn record_write(&mut self, key: &[u8]) {
        if self.track_writes {
            self.written.push(SBytes::new(key));
        }
    }
    pub fn is_empty(&self) -> bool {
        self.main.is_empty()
    }
    pub fn expires_len(&self) -> usize {
        self.expires.len()
    }

    /// Is `key` logically expired at the current clock (without acting on it)?
    pub fn key_is_expired(&self, key: &[u8]) -> bool {
        if self.clock.mode == ExpireMode::Never || self.expires.is_empty() {
            return false;
        }
        match self.expires.get(key) {
            Some(&when) => self.clock.now_ms > when,
            None => false,
        }
    }

    /// Applies lazy expiry to `key`; returns true when the key must be treated as missing.
    pub fn expire_if_needed(&mut self, key: &[u8], flags: u8) -> bool {
        if !self.key_is_expired(key) {
            return false;
        }
        let delete = match self.clock.mode {
            ExpireMode::Never => return false,
            ExpireMode::Master => flags & lookup::NOEXPIRE == 0,
            ExpireMode::Replica => false,
            ExpireMode::WritableReplica => flags & lookup::WRITE != 0 && flags & lookup::NOEXPIRE == 0,
        };
        if delete {
            self.delete_expired(key);
        }
        true
    }

    /// On a writable replica, deletes the keys its own clients gave a TTL that has passed (its
    /// master never sends DEL for them); forgets keys that no longer have a TTL. Returns the
    /// number deleted.
    pub fn expire_replica_local_keys(&mut self) -> usize {
        if self.replica_local_expires.is_empty() {
            return 0;
        }
        let now = self.clock.now_ms;
        let keys: Vec<SBytes> = self.replica_local_expires.iter().cloned().collect();
        let mut n = 0;
        for k in keys {
            match self.expires.get(k.as_slice()).copied() {
                None => {
                    self.replica_local_expires.remove(&k);
                }
                Some(t) if now > t => {
                    self.delete_expired(k.as_slice());
                    self.replica_local_expires.remove(&k);
                    n += 1;
                }
                Some(_) => {}
            }
        }
        n
    }

    /// Deletes an expired key and records the event (used by lazy and active expiry).
    pub fn delete_expired(&mut self, key: &[u8]) {
        if let Some((k, _)) = self.main.remove(key) {
            self.expires.remove(key);
            self.record_write(key);
            self.stats.expired += 1;
            self.events.push(DbEvent::Expired(k));
        }
    }

    /// Redis's lookupKey: lazy expiry, access time, hit/miss stats.
    pub fn lookup(&mut self, key: &[u8], flags: u8) -> Option<&mut Entry> {
        let expired = self.expire_if_needed(key, flags);
        if flags & (lookup::WRITE | lookup::NORECORD) == lookup::WRITE
            && !expired
            && self.track_writes
            && self.main.contains_key(key)
        {
            self.written.push(SBytes::new(key));
        }
        let clock = self.clock;
        let found = if expired { None } else { self.main.get_mut(key) };
        match found {
            Some(e) => {
                if clock.touch && flags & lookup::NOTOUCH == 0 {
                    touch(e, &clock);
                }
                if flags & (lookup::NOSTATS | lookup::WRITE) == 0 {
                    self.stats.hits += 1;
                }
                Some(e)
            }
            None => {
                if flags & (lookup::NOSTATS | lookup::WRITE) == 0 {
                    self.stats.misses += 1;
                    if self.record_misses {
                        self.events.push(DbEvent::Miss(SBytes::new(key)));
                    }
                }
                None
            }
        }
    }

    /// Lookup for reading (lookupKeyRead).
    pub fn lookup_read(&mut self, key: &[u8]) -> Option<&mut Entry> {
        self.lookup(key, 0)
    }

    /// Lookup for writing (lookupKeyWrite): no stats.
    pub fn lookup_write(&mut self, key: &[u8]) -> Option<&mut Entry> {
        self.lookup(key, lookup::WRITE)
    }

    /// The entry without any side effect (no expiry, no stats, no touch). It may be expired.
    pub fn peek(&self, key: &[u8]) -> Option<&Entry> {
        self.main.get(key)
    }

    /// The entry without side effects, mutable. It may be expired.
    pub fn peek_mut(&mut self, key: &[u8]) -> Option<&mut Entry> {
        self.main.get_mut(key)
    }

    /// True when the key exists and is not logically expired (no side effects).
    pub fn contains_live(&self, key: &[u8]) -> bool {
        self.main.contains_key(key) && !self.key_is_expired(key)
    }

    /// Adds a key that must not exist (dbAdd).
    pub fn add(&mut self, key: &[u8], val: Value) {
        self.record_write(key);
        if self.record_new {
            self.events.push(DbEvent::New(SBytes::new(key)));
        }
        let e = Entry::new(val, self.new_lru());
        let old = self.main.insert(SBytes::new(key), e);
        debug_assert!(old.is_none(), "add of an existing key");
    }

    /// Puts a key read from a snapshot being loaded (dbAddRDBLoad) with its expire time,
    /// replacing any entry of that name and its TTL. Loading is not a change that watchers,
    /// blocked clients or keyspace events see, so nothing is recorded.
    pub fn add_loaded(&mut self, key: &[u8], val: Value, expire_ms: Option<i64>) {
        if self.main.remove(key).is_some() {
            self.expires.remove(key);
        }
        let e = Entry::new(val, self.new_lru());
        self.main.insert(SBytes::new(key), e);
        if let Some(t) = expire_ms {
            self.expires.insert(SBytes::new(key), t);
        }
    }

    /// Sets a key whether or not it exists (setKey): the old value is replaced, the TTL removed
    /// unless `keep_ttl`. Returns true when the key existed.
    pub fn set(&mut self, key: &[u8], val: Value, keep_ttl: bool) -> bool {
        self.record_write(key);
        let lru = self.new_lru();
        let (slot, inserted) = self.main.get_or_insert_with(key, || Entry::new(Value::Int(0), lru));
        let old = std::mem::replace(slot, Entry::new(val, lru));
        if inserted && self.record_new {
            self.events.push(DbEvent::New(SBytes::new(key)));
        }
        if !inserted {
            // Redis keeps the old LRU/LFU data when overwriting a key
            slot.lru = old.lru;
        }
        if !inserted && !keep_ttl && !self.expires.is_empty() {
            self.expires.remove(key);
        }
        !inserted
    }

    /// Deletes a key; returns true when it existed.
    pub fn delete(&mut self, key: &[u8]) -> bool {
        if self.main.remove(key).is_some() {
            self.record_write(key);
            if !self.expires.is_empty() {
                self.expires.remove(key);
            }
            true
        } else {
            false
        }
    }

    /// Removes a key and returns its entry and expire time.
    pub fn take(&mut self, key: &[u8]) -> Option<(Entry, Option<i64>)> {
        let (_, e) = self.main.remove(key)?;
        self.record_write(key);
        let exp = if self.expires.is_empty() { None } else { self.expires.remove(key).map(|(_, t)| t) };
        Some((e, exp))
    }

    /// Sets the absolute expire time (ms) of an existing key.
    pub fn set_expire(&mut self, key: &[u8], when_ms: i64) {
        debug_assert!(self.main.contains_key(key));
        self.record_write(key);
        if self.clock.mode == ExpireMode::WritableReplica {
            // a replica's own write: nobody else will ever expire this key
            self.replica_local_expires.insert(SBytes::new(key));
        }
        match self.expires.get_mut(key) {
            Some(t) => *t = when_ms,
            None => {
                self.expires.insert(SBytes::new(key), when_ms);
            }
        }
    }

    pub fn get_expire(&self, key: &[u8]) -> Option<i64> {
        if self.expires.is_empty() {
            return None;
        }
        self.expires.get(key).copied()
    }

    /// Removes the TTL; returns true when there was one.
    pub fn remove_expire(&mut self, key: &[u8]) -> bool {
        let removed = !self.expires.is_empty() && self.expires.remove(key).is_some();
        if removed {
            self.record_write(key);
        }
        removed
    }

    /// A random key that is not expired when possible (dbRandomKey). On a replica whose keys are
    /// all volatile, gives up after 100 expired picks and returns an expired key, as Redis does.
    pub fn random_key(&mut self, rng: &mut Rng) -> Option<SBytes> {
        let mut tries = 0;
        let all_volatile = self.main.len() == self.expires.len();
        loop {
            let key = self.main.random(rng)?.0.clone();
            if self.expires.is_empty() || !self.expires.contains_key(&key) {
                return Some(key);
            }
            if all_volatile && matches!(self.clock.mode, ExpireMode::Replica | ExpireMode::WritableReplica) {
                tries += 1;
                if tries >= 100 {
                    return Some(key);
                }
            }
            if self.expire_if_needed(&key, 0) {
                continue;
            }
            return Some(key);
        }
    }

    /// One step of SCAN over the keys.
    pub fn scan(&self, cursor: u64, f: impl FnMut(&SBytes, &Entry)) -> u64 {
        self.main.scan(cursor, f)
    }

    /// All keys and entries (KEYS, DEBUG DIGEST, ...). Includes keys that are logically expired.
    pub fn iter(&self) -> impl Iterator<Item = (&SBytes, &Entry)> + '_ {
        self.main.iter()
    }

    /// The expires dict, for the active expire cycle and INFO.
    pub fn expires(&self) -> &Dict<i64> {
        &self.expires
    }

    /// Empties the database and returns the old dicts so the caller can free them elsewhere.
    pub fn flush(&mut self) -> (Dict<Entry>, Dict<i64>) {
        self.avg_ttl = 0;
        self.expires_cursor = 0;
        (self.main.take(), self.expires.take())
    }

    /// Swaps the contents (not the ids) of two databases (SWAPDB).
    pub fn swap_contents(&mut self, other: &mut Db) {
        std::mem::swap(&mut self.main, &mut other.main);
        std::mem::swap(&mut self.expires, &mut other.expires);
        std::mem::swap(&mut self.avg_ttl, &mut other.avg_ttl);
        std::mem::swap(&mut self.expires_cursor, &mut other.expires_cursor);
    }

    /// Incremental rehashing for the cron; returns true when work was done.
    pub fn rehash_for(&mut self, micros: u64) -> bool {
        if self.main.is_rehashing() {
            return self.main.rehash_for(micros);
        }
        if self.expires.is_rehashing() {
            return self.expires.rehash_for(micros);
        }
        false
    }

    /// Shrinks sparse tables (the cron's tryResizeHashTables).
    pub fn shrink_if_sparse(&mut self) {
        self.main.shrink_if_sparse();
        self.expires.shrink_if_sparse();
    }

    /// Pre-sizes the main table for `n` keys (DEBUG POPULATE, RDB loading). False when the
    /// bucket array could not be allocated.
    pub fn expand(&mut self, n: usize) -> bool {
        self.main.expand(n)
    }

    /// The check made before the key and expire tables grow (see `Dict::set_expand_guard`).
    pub fn set_expand_guard(&mut self, guard: Option<crate::dict::ExpandGuard>) {
        self.main.set_expand_guard(guard);
        self.expires.set_expand_guard(guard);
    }

    pub fn main_dict(&self) -> &Dict<Entry> {
        &self.main
    }

    /// The access data for a new key (LFU starts at LFU_INIT_VAL = 5).
    fn new_lru(&self) -> u32 {
        if self.clock.lfu {
            (lfu_minutes(self.clock.now_ms) << 8) | LFU_INIT_VAL
        } else {
            self.clock.lru
        }
    }

    /// Drains the events recorded so far.
    pub fn take_events(&mut self) -> Vec<DbEvent> {
        std::mem::take(&mut self.events)
    }
}

/// Redis's LRU clock: seconds since the epoch, 24 bits.
pub const LRU_CLOCK_MAX: u32 = (1 << 24) - 1;
pub const LFU_INIT_VAL: u32 = 5;

pub fn lru_clock(now_ms: i64) -> u32 {
    ((now_ms / 1000) as u64 & LRU_CLOCK_MAX as u64) as u32
}

/// LFU time in minutes, 16 bits.
pub fn lfu_minutes(now_ms: i64) -> u32 {
    ((now_ms / 60000) as u64 & 0xffff) as u32
}

/// Seconds since the key was last accessed, from its LRU field (OBJECT IDLETIME).
pub fn idle_ms(lru: u32, clock: u32) -> u64 {
    let secs = if clock >= lru { clock - lru } else { (LRU_CLOCK_MAX - lru) + clock };
    secs as u64 * 1000
}

/// Minutes elapsed since an LFU access time (wrapping 16 bits).
pub fn lfu_time_elapsed(ldt: u32, now_ms: i64) -> u32 {
    let now = lfu_minutes(now_ms);
    if now >= ldt {
        now - ldt
    } else {
        65535 - ldt + now
    }
}

/// The LFU counter after decay (LFUDecrAndReturn).
pub fn lfu_decr_and_return(lru: u32, clock: &Clock) -> u32 {
    let ldt = lru >> 8;
    let counter = lru & 255;
    let periods = lfu_time_elapsed(ldt, clock.now_ms).checked_div(clock.lfu_decay_time).unwrap_or(0);
    counter.saturating_sub(periods)
}

fn touch(e: &mut Entry, clock: &Clock) {
    if clock.lfu {
        let mut counter = lfu_decr_and_return(e.lru, clock);
        // logarithmic increment (LFULogIncr)
        if counter < 255 {
            let r = pseudo_random_unit(e.lru ^ clock.now_ms as u32);
            let base = counter.saturating_sub(LFU_INIT_VAL) as f64;
            let p = 1.0 / (base * clock.lfu_log_factor as f64 + 1.0);
            if r < p {
                counter += 1;
            }
        }
        e.lru = (lfu_minutes(clock.now_ms) << 8) | counter;
    } else {
        e.lru = clock.lru;
    }
}

/// A cheap pseudo-random number in [0,1) for the LFU increment decision.
fn pseudo_random_unit(seed: u32) -> f64 {
    thread_local! {
        static STATE: std::cell::Cell<u64> = const { std::cell::Cell::new(0x2545_F491_4F6C_DD1D) };
    }
    STATE.with(|s| {
        let mut x = s.get() ^ seed as u64;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        (x >> 11) as f64 / (1u64 << 53) as f64
    })
}

/// All databases.
pub struct Keyspace {
    pub dbs: Vec<Db>,
}

impl Keyspace {
    pub fn new(n: usize) -> Keyspace {
        Keyspace { dbs: (0..n).map(Db::new).collect() }
    }

    /// SWAPDB: exchanges the contents of two databases.
    pub fn swap(&mut self, a: usize, b: usize) {
        if a == b {
            return;
        }
        let (lo, hi) = if a < b { (a, b) } else { (b, a) };
        let (left, right) = self.dbs.split_at_mut(hi);
        left[lo].swap_contents(&mut right[0]);
    }

    /// Two distinct databases mutably (MOVE, COPY ... DB).
    pub fn pair_mut(&mut self, a: usize, b: usize) -> (&mut Db, &mut Db) {
        assert_ne!(a, b);
        if a < b {
            let (left, right) = self.dbs.split_at_mut(b);
            (&mut left[a], &mut right[0])
        } else {
            let (left, right) = self.dbs.split_at_mut(a);
            (&mut right[0], &mut left[b])
        }
    }

    pub fn total_keys(&self) -> usize {
        self.dbs.iter().map(|d| d.len()).sum()
    }
}
