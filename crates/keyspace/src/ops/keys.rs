//! Generic key operations (DEL/UNLINK, EXISTS, TYPE, TOUCH, RENAME/RENAMENX, KEYS, SCAN,
//! RANDOMKEY, the EXPIRE family, TTL family, PERSIST, COPY, MOVE, FLUSHDB/FLUSHALL and the
//! lookups of OBJECT) as data functions over a [`Db`], or over the [`Keyspace`] when two
//! databases are involved. Each does the lookups the Redis command does (read, write or
//! "no touch" lookups, so lazy expiry, access times and hit/miss statistics match), and returns
//! what happened. Values removed from the keyspace are handed back to the caller, which decides
//! whether to free them in place or on a background thread. Replies, error texts, dirty counts,
//! keyspace notifications and the propagated form of a command are the server's business; so is
//! pattern matching (KEYS and SCAN take a filter), which keeps this crate free of configuration.

use crate::db::{idle_ms, lfu_decr_and_return, lookup, Clock, Db, ExpireMode, Keyspace};
use crate::dict::Dict;
use crate::rng::Rng;
use crate::sbytes::SBytes;
use crate::value::{flags, Entry, Kind, Value, SHARED_INTEGERS};

/// Entry flag set on a string holding a small integer that is not one of Redis's shared integer
/// objects (COPY duplicates the object, so the copy has a reference count of 1). The bit is kept
/// far from the ones `value::flags` allocates from the bottom.
pub const UNSHARED: u8 = 1 << 7;

/// What OBJECT REFCOUNT reports for a shared integer (Redis's OBJ_SHARED_REFCOUNT, INT_MAX).
pub const SHARED_REFCOUNT: i64 = i32::MAX as i64;

/// Values whose freeing costs more than this many allocations go to the lazy-free thread when
/// they are deleted asynchronously (Redis's LAZYFREE_THRESHOLD).
pub const LAZYFREE_THRESHOLD: usize = 64;

// ---------------------------------------------------------------------------------------------
// Deleting, existence, type

/// Deletes `key` as DEL/UNLINK do: lazy expiry first (on a master an expired key is deleted
/// there and reported as an `Expired` event, and this returns `None`), then the removal.
/// Returns the removed entry so that the caller may free it where it wants.
pub fn delete(db: &mut Db, key: &[u8]) -> Option<Entry> {
    db.expire_if_needed(key, 0);
    db.take(key).map(|(e, _)| e)
}

/// How many allocations freeing `v` costs (Redis's lazyfreeGetFreeEffort): a string is one.
/// New value types answer here with their element or node counts.
pub fn free_effort(v: &Value) -> usize {
    match v {
        Value::Str(_) | Value::Int(_) => 1,
        Value::List(l) => l.free_effort(),
        Value::Hash(h) => h.free_effort(),
        Value::Set(s) => s.free_effort(),
        Value::ZSet(z) => z.free_effort(),
        Value::Stream(s) => s.free_effort(),
    }
}

/// EXISTS: how many of `keys` exist (a key named twice counts twice). No access-time update.
pub fn exists<K: AsRef<[u8]>>(db: &mut Db, keys: &[K]) -> usize {
    keys.iter().filter(|k| db.lookup(k.as_ref(), lookup::NOTOUCH).is_some()).count()
}

/// TOUCH: how many of `keys` exist; each found key gets its access time updated.
pub fn touch<K: AsRef<[u8]>>(db: &mut Db, keys: &[K]) -> usize {
    keys.iter().filter(|k| db.lookup_read(k.as_ref()).is_some()).count()
}

/// TYPE: the type of the value at `key`, `None` when there is no such key.
pub fn key_type(db: &mut Db, key: &[u8]) -> Option<Kind> {
    db.lookup(key, lookup::NOTOUCH).map(|e| e.val.kind())
}

// ---------------------------------------------------------------------------------------------
// RENAME / RENAMENX

/// What RENAME / RENAMENX did.
pub enum Rename {
    /// The source key does not exist (an error for both commands).
    NoSource,
    /// Source and destination are the same existing key: nothing changed.
    SameKey,
    /// RENAMENX and the destination exists: nothing changed.
    DestExists,
    /// Renamed. `replaced` is the value the destination held before (to be freed).
    Done { replaced: Option<Entry> },
}

/// Renames `src` to `dst`, keeping the value, its access data and its TTL. The destination's
/// own TTL goes with its old value. With `nx` an existing destination stops the rename.
pub fn rename(db: &mut Db, src: &[u8], dst: &[u8], nx: bool) -> Rename {
    if db.lookup_write(src).is_none() {
        return Rename::NoSource;
    }
    if src == dst {
        return Rename::SameKey;
    }
    let dest_exists = db.lookup_write(dst).is_some();
    if dest_exists && nx {
        return Rename::DestExists;
    }
    let replaced = if dest_exists { db.take(dst).map(|(e, _)| e) } else { None };
    let Some((entry, expire)) = db.take(src) else {
        // the lookup above found it and nothing ran in between
        return Rename::NoSource;
    };
    insert_entry(db, dst, entry, expire);
    Rename::Done { replaced }
}

/// Puts an existing entry (value plus access data) under `key`, which must be free, with an
/// optional absolute expire time.
fn insert_entry(db: &mut Db, key: &[u8], entry: Entry, expire: Option<i64>) {
    db.main.insert(SBytes::new(key), entry);
    // a key moved into place is a write: watchers fail, waiters (BLPOP...) may be served
    db.mark_written(key);
    if let Some(when) = expire {
        db.set_expire(key, when);
    }
}

// ---------------------------------------------------------------------------------------------
// MOVE / COPY / SWAPDB

/// What MOVE did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// No such key in the source database.
    NoKey,
    /// The key already exists in the destination database.
    DestExists,
    /// Moved, with its TTL and access data.
    Moved,
}

/// MOVE: moves `key` from database `src` to database `dst` (which must differ) unless the
/// destination already has it. Both databases must carry the command's clock.
pub fn move_key(ks: &mut Keyspace, src: usize, dst: usize, key: &[u8]) -> Move {
    let (s, d) = ks.pair_mut(src, dst);
    if s.lookup_write(key).is_none() {
        return Move::NoKey;
    }
    if d.lookup_write(key).is_some() {
        return Move::DestExists;
    }
    let Some((entry, expire)) = s.take(key) else {
        return Move::NoKey;
    };
    insert_entry(d, key, entry, expire);
    Move::Moved
}

/// What COPY did.
pub enum Copy {
    /// No such source key.
    NoSource,
    /// The destination exists and REPLACE was not given.
    DestExists,
    /// Copied; `replaced` is the destination's previous value (to be freed).
    Copied { replaced: Option<Entry> },
}

/// COPY: duplicates the value at `key` in database `src` to `newkey` in database `dst` (which
/// may be the same database, but then the names must differ; the caller checks that). The copy
/// gets the source's TTL and fresh access data, as a newly created object does in Redis.
pub fn copy(ks: &mut Keyspace, src: usize, dst: usize, key: &[u8], newkey: &[u8], replace: bool) -> Copy {
    if src == dst {
        let db = &mut ks.dbs[src];
        let Some(dup) = source_copy(db, key) else { return Copy::NoSource };
        place_copy(db, newkey, dup, replace)
    } else {
        let (s, d) = ks.pair_mut(src, dst);
        let Some(dup) = source_copy(s, key) else { return Copy::NoSource };
        place_copy(d, newkey, dup, replace)
    }
}

/// A duplicated value with the metadata COPY carries over.
struct Dup {
    val: Value,
    flags: u8,
    expire: Option<i64>,
}

fn source_copy(db: &mut Db, key: &[u8]) -> Option<Dup> {
    let e = db.lookup_read(key)?;
    let val = duplicate(&e.val);
    let mut fl = e.flags & flags::RAW;
    if matches!(val, Value::Int(_)) {
        fl |= UNSHARED;
    }
    let expire = db.get_expire(key);
    Some(Dup { val, flags: fl, expire })
}

fn place_copy(db: &mut Db, newkey: &[u8], dup: Dup, replace: bool) -> Copy {
    let mut replaced = None;
    if db.lookup_write(newkey).is_some() {
        if !replace {
            return Copy::DestExists;
        }
        replaced = db.take(newkey).map(|(e, _)| e);
    }
    db.add(newkey, dup.val);
    if let Some(e) = db.peek_mut(newkey) {
        e.flags |= dup.flags;
    }
    if let Some(when) = dup.expire {
        db.set_expire(newkey, when);
    }
    Copy::Copied { replaced }
}

/// A deep copy of a value, whatever its type (COPY). Every value type must be handled here.
pub fn duplicate(v: &Value) -> Value {
    v.duplicate()
}

/// SWAPDB: exchanges the contents of two databases. Returns false when an index is out of range.
pub fn swap_dbs(ks: &mut Keyspace, a: usize, b: usize) -> bool {
    if a >= ks.dbs.len() || b >= ks.dbs.len() {
        return false;
    }
    ks.swap(a, b);
    true
}

// ---------------------------------------------------------------------------------------------
// FLUSHDB / FLUSHALL

/// The contents taken out of a database by a flush, to be dropped here or elsewhere.
pub struct Flushed {
    /// Number of keys removed.
    pub keys: usize,
    pub main: Dict<Entry>,
    pub expires: Dict<i64>,
}

/// Empties `db` and returns what it held.
pub fn flush(db: &mut Db) -> Flushed {
    let keys = db.len();
    let (main, expires) = db.flush();
    Flushed { keys, main, expires }
}

// ---------------------------------------------------------------------------------------------
// KEYS / SCAN / RANDOMKEY

/// KEYS: the names accepted by `filter` that are not logically expired. Nothing is deleted.
pub fn keys(db: &Db, filter: impl Fn(&[u8]) -> bool) -> Vec<SBytes> {
    let mut out = Vec::new();
    for (k, _) in db.iter() {
        if filter(k) && !db.key_is_expired(k) {
            out.push(k.clone());
        }
    }
    out
}

/// A predicate on key names (MATCH patterns are compiled by the server).
pub type KeyFilter<'a> = &'a dyn Fn(&[u8]) -> bool;

/// Options of one SCAN call.
pub struct ScanOpts<'a> {
    /// How much work to do: buckets are visited until at least this many keys were collected
    /// (before filtering), the scan ends, or `10 * count` buckets were visited.
    pub count: usize,
    /// MATCH: a key is returned only if this accepts it (`None`: no pattern, or "*").
    pub filter: Option<KeyFilter<'a>>,
    /// TYPE: a key is returned only if its type name ("none" for a key that vanished on lookup)
    /// equals this, compared case-insensitively.
    pub type_name: Option<&'a [u8]>,
}

/// One SCAN step from `cursor`. Returns the next cursor (0 when the iteration is complete) and
/// the keys to report. Keys are collected first, then filtered by pattern, by type (a lookup
/// that counts a hit or miss and may expire the key) and by expiry (expired keys are deleted on
/// a master and skipped).
pub fn scan(db: &mut Db, cursor: u64, opts: &ScanOpts) -> (u64, Vec<SBytes>) {
    let count = opts.count.max(1);
    let mut found: Vec<SBytes> = Vec::new();
    let mut cursor = cursor;
    let mut budget = count.saturating_mul(10);
    loop {
        cursor = db.scan(cursor, |k, _| found.push(k.clone()));
        if cursor == 0 || budget == 0 || found.len() >= count {
            break;
        }
        budget -= 1;
    }
    found.retain(|k| {
        if let Some(f) = opts.filter {
            if !f(k) {
                return false;
            }
        }
        if let Some(t) = opts.type_name {
            let name = db.lookup(k, lookup::NOTOUCH).map_or("none", |e| e.val.kind().name());
            if !name.as_bytes().eq_ignore_ascii_case(t) {
                return false;
            }
        }
        !db.expire_if_needed(k, 0)
    });
    (cursor, found)
}

/// RANDOMKEY: a random key that is not expired (expired picks are deleted on a master).
pub fn random_key(db: &mut Db, rng: &mut Rng) -> Option<SBytes> {
    db.random_key(rng)
}

/// Parses a SCAN cursor the way C's `strtoul` does in base 10 when Redis checks it: an optional
/// sign and digits, the whole argument consumed, no leading white space, no overflow. A minus
/// sign negates modulo 2^64, and an empty argument is cursor 0, both as in Redis.
pub fn parse_cursor(arg: &[u8]) -> Option<u64> {
    if arg.is_empty() {
        return Some(0);
    }
    let (neg, digits) = match arg[0] {
        b'-' => (true, &arg[1..]),
        b'+' => (false, &arg[1..]),
        _ => (false, arg),
    };
    if digits.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

// ---------------------------------------------------------------------------------------------
// EXPIRE family, TTL family, PERSIST

/// The NX / XX / GT / LT conditions of the EXPIRE family.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExpireCond {
    /// Only when the key has no TTL.
    pub nx: bool,
    /// Only when the key has a TTL.
    pub xx: bool,
    /// Only when the new time is later than the current one (no TTL counts as infinite).
    pub gt: bool,
    /// Only when the new time is earlier than the current one (no TTL counts as infinite).
    pub lt: bool,
}

impl ExpireCond {
    pub fn any(&self) -> bool {
        self.nx || self.xx || self.gt || self.lt
    }
}

/// Turns an EXPIRE-family argument into an absolute time in milliseconds: seconds are
/// multiplied by 1000 and `base_ms` (the current time for relative commands, 0 for the *AT
/// ones) is added. Negative values are allowed (they mean "already expired"); only an
/// overflow of either step is an error.
pub fn expire_deadline(n: i64, seconds: bool, base_ms: i64) -> Option<i64> {
    let ms = if seconds { n.checked_mul(1000)? } else { n };
    if base_ms > 0 && ms > i64::MAX - base_ms {
        return None;
    }
    Some(ms + base_ms)
}

/// What an EXPIRE-family command did.
pub enum Expire {
    /// No such key.
    NoKey,
    /// A condition (NX/XX/GT/LT) was not met: nothing changed.
    NotSet,
    /// The time is not in the future and this is a master: the key was deleted (the entry is
    /// returned to be freed).
    Deleted(Entry),
    /// The key now expires at this absolute time (ms).
    Set(i64),
}

/// Sets the absolute expire time `when_ms` on `key`, subject to `cond`. On a master a time not
/// after the command's clock deletes the key; replicas and loading keep the key with that time
/// and wait for the master's DEL.
pub fn expire(db: &mut Db, key: &[u8], when_ms: i64, cond: ExpireCond) -> Expire {
    if db.lookup_write(key).is_none() {
        return Expire::NoKey;
    }
    if cond.any() {
        let current = db.get_expire(key);
        if cond.nx && current.is_some() {
            return Expire::NotSet;
        }
        if cond.xx && current.is_none() {
            return Expire::NotSet;
        }
        if cond.gt && current.is_none_or(|cur| when_ms <= cur) {
            return Expire::NotSet;
        }
        if cond.lt && current.is_some_and(|cur| when_ms >= cur) {
            return Expire::NotSet;
        }
    }
    if when_ms <= db.clock.now_ms && db.clock.mode == ExpireMode::Master {
        return match db.take(key) {
            Some((e, _)) => Expire::Deleted(e),
            None => Expire::NoKey,
        };
    }
    db.set_expire(key, when_ms);
    Expire::Set(when_ms)
}

/// The expiry state of a key for TTL, PTTL, EXPIRETIME and PEXPIRETIME.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TtlState {
    /// No such key (-2).
    NoKey,
    /// The key has no TTL (-1).
    Persistent,
    /// The key expires at this absolute time (ms).
    At(i64),
}

/// Looks `key` up without touching it and reports its expire time.
pub fn ttl(db: &mut Db, key: &[u8]) -> TtlState {
    if db.lookup(key, lookup::NOTOUCH).is_none() {
        return TtlState::NoKey;
    }
    match db.get_expire(key) {
        Some(when) => TtlState::At(when),
        None => TtlState::Persistent,
    }
}

impl TtlState {
    /// The integer the command replies: `ms` selects milliseconds, `absolute` the expire time
    /// itself instead of the remaining time (never negative; seconds are rounded).
    pub fn reply(self, now_ms: i64, ms: bool, absolute: bool) -> i64 {
        match self {
            TtlState::NoKey => -2,
            TtlState::Persistent => -1,
            TtlState::At(when) => {
                let t = if absolute { when } else { when.saturating_sub(now_ms) }.max(0);
                if ms {
                    t
                } else {
                    // t >= 0: the rounding is done without overflow (Redis 7.0.15 reports
                    // 9223372036854776 for an expire time of i64::MAX ms)
                    ((t as u64 + 500) / 1000) as i64
                }
            }
        }
    }
}

/// PERSIST: removes the TTL of `key`. True when there was one.
pub fn persist(db: &mut Db, key: &[u8]) -> bool {
    db.lookup_write(key).is_some() && db.remove_expire(key)
}

// ---------------------------------------------------------------------------------------------
// OBJECT

/// The lookup of OBJECT's subcommands: no access-time update and no "keymiss" notification, but
/// hits and misses are counted and an expired key is expired.
pub fn object_lookup<'a>(db: &'a mut Db, key: &[u8]) -> Option<&'a mut Entry> {
    let before = db.events.len();
    let found = db.lookup(key, lookup::NOTOUCH).is_some();
    if !found {
        let mut i = before;
        while i < db.events.len() {
            if matches!(db.events[i], crate::db::DbEvent::Miss(_)) {
                db.events.remove(i);
            } else {
                i += 1;
            }
        }
        return None;
    }
    db.peek_mut(key)
}

/// OBJECT REFCOUNT: small non-negative integers are Redis's shared objects, unless the entry is
/// a private copy or `shared_integers` is false (a maxmemory limit with an LRU or LFU policy
/// gives every value its own object).
pub fn refcount(e: &Entry, shared_integers: bool) -> i64 {
    match e.val {
        Value::Int(n) if shared_integers && (0..SHARED_INTEGERS).contains(&n) && e.flags & UNSHARED == 0 => {
            SHARED_REFCOUNT
        }
        _ => 1,
    }
}

/// OBJECT IDLETIME: seconds since the last access, by the LRU clock of `clock`.
pub fn idle_seconds(e: &Entry, clock: &Clock) -> i64 {
    (idle_ms(e.lru, clock.lru) / 1000) as i64
}

/// OBJECT FREQ: the LFU counter after decay.
pub fn frequency(e: &Entry, clock: &Clock) -> i64 {
    lfu_decr_and_return(e.lru, clock) as i64
}

// `Entry` has no Debug (values may be huge): the outcomes print what they are, not the data.

fn replaced_name(r: &Option<Entry>) -> &'static str {
    if r.is_some() {
        "Some(..)"
    } else {
        "None"
    }
}

impl std::fmt::Debug for Rename {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rename::NoSource => f.write_str("NoSource"),
            Rename::SameKey => f.write_str("SameKey"),
            Rename::DestExists => f.write_str("DestExists"),
            Rename::Done { replaced } => write!(f, "Done {{ replaced: {} }}", replaced_name(replaced)),
        }
    }
}

impl std::fmt::Debug for Copy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Copy::NoSource => f.write_str("NoSource"),
            Copy::DestExists => f.write_str("DestExists"),
            Copy::Copied { replaced } => write!(f, "Copied {{ replaced: {} }}", replaced_name(replaced)),
        }
    }
}

impl std::fmt::Debug for Expire {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expire::NoKey => f.write_str("NoKey"),
            Expire::NotSet => f.write_str("NotSet"),
            Expire::Deleted(_) => f.write_str("Deleted(..)"),
            Expire::Set(t) => write!(f, "Set({t})"),
        }
    }
}

#[cfg(test)]
mod tests;
