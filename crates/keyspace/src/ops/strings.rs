//! String operations (GET, SET and its variants, GETEX, GETDEL, GETSET, MSET/MSETNX, APPEND,
//! STRLEN, GETRANGE, SETRANGE, INCR/DECR and friends, INCRBYFLOAT, LCS) as data functions over a
//! [`Db`]. Each does the lookups the Redis command does (read or write lookup, so lazy expiry and
//! hit/miss statistics match), checks the type, changes the value with Redis's encoding rules
//! (integers stay `Int`, strings changed in place become "raw") and returns what happened. Error
//! texts, replies, dirty counts, keyspace notifications and the propagated form of a command are
//! the server's business; this module never sees a client.

use super::longdouble::{self, LdError};
use super::OpError;
use crate::db::{Db, ExpireMode};
use crate::sbytes::SBytes;
use crate::value::{flags, parse_canonical_i64, Entry, Value};
use std::borrow::Cow;

/// An expire time as a command spells it: EX/PX are relative, EXAT/PXAT absolute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ttl {
    Ex(i64),
    Px(i64),
    ExAt(i64),
    PxAt(i64),
}

impl Ttl {
    /// The absolute expire time in milliseconds. A value that is not positive, that overflows
    /// when seconds become milliseconds, or whose sum with `now_ms` wraps to a non-positive
    /// number is [`OpError::InvalidExpire`] (Redis's "invalid expire time" checks, including
    /// its two's-complement wrap on the addition).
    pub fn deadline(self, now_ms: i64) -> Result<i64, OpError> {
        let (n, seconds, relative) = match self {
            Ttl::Ex(n) => (n, true, true),
            Ttl::Px(n) => (n, false, true),
            Ttl::ExAt(n) => (n, true, false),
            Ttl::PxAt(n) => (n, false, false),
        };
        if n <= 0 || (seconds && n > i64::MAX / 1000) {
            return Err(OpError::InvalidExpire);
        }
        let mut ms = if seconds { n * 1000 } else { n };
        if relative {
            ms = ms.wrapping_add(now_ms);
        }
        if ms <= 0 {
            return Err(OpError::InvalidExpire);
        }
        Ok(ms)
    }

    /// EXAT and PXAT name a point in time rather than a duration.
    pub fn is_absolute(self) -> bool {
        matches!(self, Ttl::ExAt(_) | Ttl::PxAt(_))
    }
}

/// Which expire option a command used, before its number is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TtlKind {
    Ex,
    Px,
    ExAt,
    PxAt,
}

impl TtlKind {
    pub fn with(self, n: i64) -> Ttl {
        match self {
            TtlKind::Ex => Ttl::Ex(n),
            TtlKind::Px => Ttl::Px(n),
            TtlKind::ExAt => Ttl::ExAt(n),
            TtlKind::PxAt => Ttl::PxAt(n),
        }
    }

    /// Parses the number argument (strict i64, `NotInteger` otherwise) and converts it to an
    /// absolute time in milliseconds (see [`Ttl::deadline`]).
    pub fn deadline(self, arg: &[u8], now_ms: i64) -> Result<i64, OpError> {
        let n = parse_canonical_i64(arg).ok_or(OpError::NotInteger)?;
        self.with(n).deadline(now_ms)
    }
}

/// Conditions and expiry of a SET.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SetOpts {
    /// Only set when the key does not exist.
    pub nx: bool,
    /// Only set when the key exists.
    pub xx: bool,
    /// Keep the current TTL instead of clearing it.
    pub keep_ttl: bool,
    /// Absolute expire time (ms) to give the key.
    pub expire_at: Option<i64>,
}

/// What GETEX does besides returning the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GetExOpt<'a> {
    /// Plain GET.
    Keep,
    /// Remove the TTL.
    Persist,
    /// Set a TTL. The number is given as the argument's bytes because Redis parses and
    /// validates it only after the key was found to hold a string.
    Expire(TtlKind, &'a [u8]),
}

/// What GETEX changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GetExEffect {
    /// Nothing (no option, or PERSIST on a key without a TTL).
    None,
    /// EXAT/PXAT in the past on a master: the key was deleted.
    Deleted,
    /// The key now expires at this absolute time (ms).
    ExpireSet(i64),
    /// The TTL was removed.
    Persisted,
}

/// A copy of a string value (integers stay integers).
pub fn clone_string(v: &Value) -> Value {
    #[allow(unreachable_patterns)]
    match v {
        Value::Int(n) => Value::Int(*n),
        Value::Str(s) => Value::Str(s.clone()),
        other => Value::Str(SBytes::new(&other.as_bytes().unwrap_or_default())),
    }
}

/// The bytes of a string value, taking ownership (no copy for heap strings).
pub fn into_bytes(v: Value) -> Vec<u8> {
    #[allow(unreachable_patterns)]
    match v {
        Value::Str(s) => s.into_vec(),
        Value::Int(n) => n.to_string().into_bytes(),
        other => other.as_bytes().map(|b| b.into_owned()).unwrap_or_default(),
    }
}

/// The integer held by a string value, if it is a canonical i64 (Redis's string2ll).
pub fn string_int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(n) => Some(*n),
        other => other.as_bytes().and_then(|b| parse_canonical_i64(&b)),
    }
}

/// Replaces the value of an existing entry the way dbOverwrite does: new value, fresh encoding
/// flags, the access data (LRU/LFU) kept. Returns the old value.
fn overwrite(e: &mut Entry, val: Value) -> Value {
    let lru = e.lru;
    std::mem::replace(e, Entry::new(val, lru)).val
}

/// Redis's checkStringLength: may a string of `size` bytes grow by `append` bytes? `limit` is
/// proto-max-bulk-len, or `None` for clients that must be obeyed (master link, AOF loading).
pub fn check_string_length(size: u64, append: u64, limit: Option<u64>) -> Result<(), OpError> {
    let Some(limit) = limit else { return Ok(()) };
    match size.checked_add(append) {
        Some(total) if total <= limit && total <= i64::MAX as u64 => Ok(()),
        _ => Err(OpError::TooLarge),
    }
}

/// A zero-filled buffer of `len` bytes, or `TooLarge` when it cannot be allocated.
fn zeroed(len: u64) -> Result<Vec<u8>, OpError> {
    let len = usize::try_from(len).map_err(|_| OpError::TooLarge)?;
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| OpError::TooLarge)?;
    v.resize(len, 0);
    Ok(v)
}

/// GET: the value, `None` when the key is missing, `WrongType` for other types.
pub fn get<'a>(db: &'a mut Db, key: &[u8]) -> Result<Option<&'a Value>, OpError> {
    match db.lookup_read(key) {
        None => Ok(None),
        Some(e) if e.val.is_string() => Ok(Some(&e.val)),
        Some(_) => Err(OpError::WrongType),
    }
}

/// MGET's lookup: the value when the key holds a string, `None` otherwise (no type error).
pub fn get_if_string<'a>(db: &'a mut Db, key: &[u8]) -> Option<&'a Value> {
    db.lookup_read(key).filter(|e| e.val.is_string()).map(|e| &e.val)
}

/// SET (and SETNX, SETEX, PSETEX): writes `val` unless NX/XX forbid it. Returns whether the
/// value was written. The TTL is cleared unless `keep_ttl`, then set when `expire_at` is given.
pub fn set(db: &mut Db, key: &[u8], val: Value, opts: &SetOpts) -> bool {
    let found = db.lookup_write(key).is_some();
    if (opts.nx && found) || (opts.xx && !found) {
        return false;
    }
    db.set(key, val, opts.keep_ttl);
    if let Some(at) = opts.expire_at {
        db.set_expire(key, at);
    }
    true
}

/// GETSET: replaces the value (clearing the TTL) and returns the old one.
pub fn getset(db: &mut Db, key: &[u8], val: Value) -> Result<Option<Value>, OpError> {
    match db.lookup_read(key) {
        None => {
            db.set(key, val, false);
            Ok(None)
        }
        Some(e) if !e.val.is_string() => Err(OpError::WrongType),
        Some(e) => {
            let old = overwrite(e, val);
            db.remove_expire(key);
            Ok(Some(old))
        }
    }
}

/// GETDEL: removes the key and returns its value.
pub fn getdel(db: &mut Db, key: &[u8]) -> Result<Option<Value>, OpError> {
    match db.lookup_read(key) {
        None => return Ok(None),
        Some(e) if !e.val.is_string() => return Err(OpError::WrongType),
        Some(_) => {}
    }
    Ok(db.take(key).map(|(e, _)| e.val))
}

/// GETEX: the value plus the TTL change. The expire time is parsed and validated only once the
/// key was found to hold a string (a missing key answers nil even with an invalid time). An absolute
/// time already in the past deletes the key, but only on a master: replicas and loading keep
/// the key with its past TTL and wait for the master's DEL.
pub fn getex(db: &mut Db, key: &[u8], opt: GetExOpt) -> Result<Option<(Value, GetExEffect)>, OpError> {
    let now = db.clock.now_ms;
    let master = db.clock.mode == ExpireMode::Master;
    let val = match db.lookup_read(key) {
        None => return Ok(None),
        Some(e) if !e.val.is_string() => return Err(OpError::WrongType),
        Some(e) => &e.val,
    };
    match opt {
        GetExOpt::Keep => Ok(Some((clone_string(val), GetExEffect::None))),
        GetExOpt::Persist => {
            let v = clone_string(val);
            let effect = if db.remove_expire(key) { GetExEffect::Persisted } else { GetExEffect::None };
            Ok(Some((v, effect)))
        }
        GetExOpt::Expire(kind, arg) => {
            let at = kind.deadline(arg, now)?;
            if matches!(kind, TtlKind::ExAt | TtlKind::PxAt) && at <= now && master {
                let (e, _) = db.take(key).expect("key found by the lookup above");
                return Ok(Some((e.val, GetExEffect::Deleted)));
            }
            let v = clone_string(val);
            db.set_expire(key, at);
            Ok(Some((v, GetExEffect::ExpireSet(at))))
        }
    }
}

/// MSET: sets every key of the alternating key/value list (TTLs cleared). `kv.len()` is even.
pub fn mset(db: &mut Db, kv: &[impl AsRef<[u8]>]) {
    for pair in kv.chunks_exact(2) {
        db.set(pair[0].as_ref(), Value::from_bytes(pair[1].as_ref()), false);
    }
}

/// MSETNX: sets all keys only when none exists. Keys are looked up for writing in order and the
/// search stops at the first existing one. Returns whether anything was set.
pub fn msetnx(db: &mut Db, kv: &[impl AsRef<[u8]>]) -> bool {
    for pair in kv.chunks_exact(2) {
        if db.lookup_write(pair[0].as_ref()).is_some() {
            return false;
        }
    }
    mset(db, kv);
    true
}

/// APPEND: appends to the string (creating it when missing) and returns the new length. A new
/// key is stored as SET would store it; an existing one becomes "raw".
pub fn append(db: &mut Db, key: &[u8], tail: &[u8], limit: Option<u64>) -> Result<usize, OpError> {
    let Some(e) = db.lookup_write(key) else {
        db.add(key, Value::from_bytes(tail));
        return Ok(tail.len());
    };
    if !e.val.is_string() {
        return Err(OpError::WrongType);
    }
    let cur = e.val.str_len().unwrap_or(0);
    check_string_length(cur as u64, tail.len() as u64, limit)?;
    let mut bytes = into_bytes(std::mem::replace(&mut e.val, Value::Int(0)));
    if bytes.try_reserve(tail.len()).is_err() {
        e.val = Value::Str(SBytes::from_vec(bytes));
        return Err(OpError::TooLarge);
    }
    bytes.extend_from_slice(tail);
    let len = bytes.len();
    e.val = Value::Str(SBytes::from_vec(bytes));
    e.set_raw();
    Ok(len)
}

/// STRLEN: the length of the string, 0 when the key is missing.
pub fn strlen(db: &mut Db, key: &[u8]) -> Result<usize, OpError> {
    Ok(get(db, key)?.and_then(|v| v.str_len()).unwrap_or(0))
}

/// GETRANGE's index arithmetic on a string of `len` bytes: the half-open byte range selected
/// by the inclusive `start`/`end` (negative counts from the end), or `None` for an empty result.
pub fn range_bounds(len: usize, start: i64, end: i64) -> Option<(usize, usize)> {
    if start < 0 && end < 0 && start > end {
        return None;
    }
    let n = len as i64;
    let mut start = if start < 0 { start.saturating_add(n) } else { start };
    let mut end = if end < 0 { end.saturating_add(n) } else { end };
    start = start.max(0);
    end = end.max(0);
    if end >= n {
        end = n - 1;
    }
    if len == 0 || start > end {
        return None;
    }
    Some((start as usize, end as usize + 1))
}

/// GETRANGE / SUBSTR: the selected bytes (empty when the key is missing).
pub fn getrange<'a>(db: &'a mut Db, key: &[u8], start: i64, end: i64) -> Result<Cow<'a, [u8]>, OpError> {
    let Some(v) = get(db, key)? else { return Ok(Cow::Borrowed(&[])) };
    let bytes = v.as_bytes().unwrap_or_default();
    let Some((from, to)) = range_bounds(bytes.len(), start, end) else {
        return Ok(Cow::Borrowed(&[]));
    };
    Ok(match bytes {
        Cow::Borrowed(b) => Cow::Borrowed(&b[from..to]),
        Cow::Owned(b) => Cow::Owned(b[from..to].to_vec()),
    })
}

/// SETRANGE: overwrites the string at `offset` (zero-padding as needed) and returns the new
/// length. Nothing changes when `val` is empty: a missing key stays missing (0) and an existing
/// one keeps its encoding. A changed or created string is "raw".
pub fn setrange(db: &mut Db, key: &[u8], offset: u64, val: &[u8], limit: Option<u64>) -> Result<usize, OpError> {
    let vlen = val.len() as u64;
    let Some(e) = db.lookup_write(key) else {
        if val.is_empty() {
            return Ok(0);
        }
        check_string_length(offset, vlen, limit)?;
        let total = offset.checked_add(vlen).ok_or(OpError::TooLarge)?;
        let mut bytes = zeroed(total)?;
        let at = offset as usize;
        bytes[at..].copy_from_slice(val);
        let len = bytes.len();
        db.add(key, Value::Str(SBytes::from_vec(bytes)));
        if let Some(e) = db.peek_mut(key) {
            e.set_raw();
        }
        return Ok(len);
    };
    if !e.val.is_string() {
        return Err(OpError::WrongType);
    }
    let cur = e.val.str_len().unwrap_or(0);
    if val.is_empty() {
        return Ok(cur);
    }
    check_string_length(offset, vlen, limit)?;
    let total = offset.checked_add(vlen).ok_or(OpError::TooLarge)?;
    let total = usize::try_from(total).map_err(|_| OpError::TooLarge)?;
    let mut bytes = into_bytes(std::mem::replace(&mut e.val, Value::Int(0)));
    if total > bytes.len() && bytes.try_reserve_exact(total - bytes.len()).is_err() {
        e.val = Value::Str(SBytes::from_vec(bytes));
        return Err(OpError::TooLarge);
    }
    if total > bytes.len() {
        bytes.resize(total, 0);
    }
    let at = offset as usize;
    bytes[at..total].copy_from_slice(val);
    let len = bytes.len();
    e.val = Value::Str(SBytes::from_vec(bytes));
    e.set_raw();
    Ok(len)
}

/// INCR / DECR / INCRBY / DECRBY: adds `delta` to the integer (a missing key counts as 0) and
/// returns the result. The TTL is kept; the value is stored as an integer.
pub fn incr_by(db: &mut Db, key: &[u8], delta: i64) -> Result<i64, OpError> {
    let Some(e) = db.lookup_write(key) else {
        db.add(key, Value::Int(delta));
        return Ok(delta);
    };
    if !e.val.is_string() {
        return Err(OpError::WrongType);
    }
    let cur = string_int(&e.val).ok_or(OpError::NotInteger)?;
    let new = cur.checked_add(delta).ok_or(OpError::Overflow)?;
    e.val = Value::Int(new);
    e.flags &= !flags::RAW;
    Ok(new)
}

/// INCRBYFLOAT: adds `incr` (a float in text form) in long double precision and returns the
/// new value's text, which is also what is stored (as a string, never as an integer, like
/// Redis's createStringObject). The TTL is kept.
pub fn incr_by_float(db: &mut Db, key: &[u8], incr: &[u8]) -> Result<Vec<u8>, OpError> {
    let map = |e: LdError| match e {
        LdError::BadValue | LdError::BadIncrement => OpError::NotFloat,
        LdError::NotFinite => OpError::NanOrInfinity,
    };
    let Some(e) = db.lookup_write(key) else {
        let text = longdouble::add_human(None, incr).map_err(map)?;
        db.add(key, Value::Str(SBytes::new(&text)));
        return Ok(text);
    };
    if !e.val.is_string() {
        return Err(OpError::WrongType);
    }
    let cur = e.val.as_bytes().unwrap_or_default();
    let text = longdouble::add_human(Some(&cur), incr).map_err(map)?;
    overwrite(e, Value::Str(SBytes::new(&text)));
    Ok(text)
}

/// LCS's lookups: both values as bytes (a missing key is an empty string). Either key holding
/// another type is `WrongType` (LCS has its own wording for it).
pub fn lcs_values(db: &mut Db, a: &[u8], b: &[u8]) -> Result<(Vec<u8>, Vec<u8>), OpError> {
    let va = match db.lookup_read(a) {
        None => Some(Vec::new()),
        Some(e) if e.val.is_string() => Some(e.val.as_bytes().unwrap_or_default().into_owned()),
        Some(_) => None,
    };
    let vb = match db.lookup_read(b) {
        None => Some(Vec::new()),
        Some(e) if e.val.is_string() => Some(e.val.as_bytes().unwrap_or_default().into_owned()),
        Some(_) => None,
    };
    match (va, vb) {
        (Some(x), Some(y)) => Ok((x, y)),
        _ => Err(OpError::WrongType),
    }
}

/// One matching run of an LCS: inclusive byte ranges in each string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LcsMatch {
    pub a: (u32, u32),
    pub b: (u32, u32),
    pub len: u32,
}

/// The result of an LCS computation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lcs {
    /// Length of the longest common subsequence.
    pub len: u32,
    /// The subsequence itself (empty when only the length was asked for).
    pub seq: Vec<u8>,
    /// The matching runs, from the end of the strings towards their start (Redis's order).
    pub matches: Vec<LcsMatch>,
}

/// Why LCS could not be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LcsError {
    /// A string is 2^32 - 2 bytes or longer.
    TooLong,
    /// The dynamic-programming table would exceed `max_table_bytes` (proto-max-bulk-len).
    TableTooLarge,
    /// The table could not be allocated.
    OutOfMemory,
}

/// Longest common subsequence of `a` and `b` by the classic dynamic-programming table (4-byte
/// cells, so its size limit matches Redis's). With `full`, the subsequence and the matching
/// runs are recovered by walking the table back from the end the way Redis walks it, which
/// fixes which of several equally long subsequences is reported; otherwise only the length is
/// computed, with two rows of memory.
pub fn lcs(a: &[u8], b: &[u8], max_table_bytes: u64, full: bool) -> Result<Lcs, LcsError> {
    if a.len() as u64 >= u32::MAX as u64 - 1 || b.len() as u64 >= u32::MAX as u64 - 1 {
        return Err(LcsError::TooLong);
    }
    let rows = a.len() + 1;
    let cols = b.len() + 1;
    let cells = rows as u64 * cols as u64;
    if cells.saturating_mul(4) > max_table_bytes {
        return Err(LcsError::TableTooLarge);
    }
    if !full {
        let mut prev: Vec<u32> = Vec::new();
        let mut cur: Vec<u32> = Vec::new();
        prev.try_reserve_exact(cols).map_err(|_| LcsError::OutOfMemory)?;
        cur.try_reserve_exact(cols).map_err(|_| LcsError::OutOfMemory)?;
        prev.resize(cols, 0);
        cur.resize(cols, 0);
        for &ca in a {
            for j in 1..cols {
                cur[j] = if ca == b[j - 1] { prev[j - 1] + 1 } else { prev[j].max(cur[j - 1]) };
            }
            std::mem::swap(&mut prev, &mut cur);
        }
        return Ok(Lcs { len: prev[cols - 1], seq: Vec::new(), matches: Vec::new() });
    }
    let mut t: Vec<u32> = Vec::new();
    t.try_reserve_exact(cells as usize).map_err(|_| LcsError::OutOfMemory)?;
    t.resize(cells as usize, 0);
    for i in 1..rows {
        let ca = a[i - 1];
        for j in 1..cols {
            t[i * cols + j] = if ca == b[j - 1] {
                t[(i - 1) * cols + j - 1] + 1
            } else {
                t[(i - 1) * cols + j].max(t[i * cols + j - 1])
            };
        }
    }
    let len = t[cells as usize - 1];
    let mut seq = vec![0u8; len as usize];
    let mut matches = Vec::new();
    // the run being grown backwards: (a_start, a_end, b_start, b_end)
    let mut run: Option<(usize, usize, usize, usize)> = None;
    let (mut i, mut j, mut k) = (a.len(), b.len(), len as usize);
    while i > 0 && j > 0 {
        let mut close = false;
        if a[i - 1] == b[j - 1] {
            seq[k - 1] = a[i - 1];
            // a match right after a match always continues the run (both indexes moved by one)
            run = Some(match run {
                None => (i - 1, i - 1, j - 1, j - 1),
                Some((_, ae, _, be)) => (i - 1, ae, j - 1, be),
            });
            if i == 1 || j == 1 {
                close = true;
            }
            k -= 1;
            i -= 1;
            j -= 1;
        } else {
            if t[(i - 1) * cols + j] > t[i * cols + j - 1] {
                i -= 1;
            } else {
                j -= 1;
            }
            close = run.is_some();
        }
        if close {
            if let Some((as_, ae, bs, be)) = run.take() {
                matches.push(LcsMatch {
                    a: (as_ as u32, ae as u32),
                    b: (bs as u32, be as u32),
                    len: (ae - as_ + 1) as u32,
                });
            }
        }
    }
    Ok(Lcs { len, seq, matches })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Db {
        let mut d = Db::new(0);
        d.clock.now_ms = 1_000_000;
        d
    }

    fn s(v: &Value) -> Vec<u8> {
        v.as_bytes().unwrap().into_owned()
    }

    #[test]
    fn ttl_deadlines_follow_redis_checks() {
        assert_eq!(Ttl::Ex(10).deadline(1000), Ok(11_000));
        assert_eq!(Ttl::Px(10).deadline(1000), Ok(1010));
        assert_eq!(Ttl::ExAt(10).deadline(1000), Ok(10_000));
        assert_eq!(Ttl::PxAt(10).deadline(1000), Ok(10));
        for bad in [Ttl::Ex(0), Ttl::Px(-1), Ttl::ExAt(0), Ttl::PxAt(-5), Ttl::Ex(i64::MAX / 1000 + 1)] {
            assert_eq!(bad.deadline(1000), Err(OpError::InvalidExpire), "{bad:?}");
        }
        // relative times wrap like C and are then rejected
        assert_eq!(Ttl::Px(i64::MAX).deadline(1000), Err(OpError::InvalidExpire));
        assert_eq!(Ttl::Ex(i64::MAX / 1000).deadline(1_700_000_000_000), Err(OpError::InvalidExpire));
        assert_eq!(Ttl::ExAt(i64::MAX / 1000).deadline(1000), Ok(i64::MAX / 1000 * 1000));
        assert_eq!(Ttl::PxAt(i64::MAX).deadline(1000), Ok(i64::MAX));
    }

    #[test]
    fn set_conditions_and_ttl() {
        let mut d = db();
        assert!(!set(&mut d, b"k", Value::from_bytes(b"v"), &SetOpts { xx: true, ..Default::default() }));
        assert!(d.is_empty());
        assert!(set(
            &mut d,
            b"k",
            Value::from_bytes(b"v"),
            &SetOpts { nx: true, expire_at: Some(5_000_000), ..Default::default() }
        ));
        assert_eq!(d.get_expire(b"k"), Some(5_000_000));
        assert!(!set(&mut d, b"k", Value::from_bytes(b"w"), &SetOpts { nx: true, ..Default::default() }));
        assert!(set(&mut d, b"k", Value::from_bytes(b"w"), &SetOpts { keep_ttl: true, ..Default::default() }));
        assert_eq!(d.get_expire(b"k"), Some(5_000_000));
        assert!(set(&mut d, b"k", Value::from_bytes(b"12"), &SetOpts { xx: true, ..Default::default() }));
        assert_eq!(d.get_expire(b"k"), None);
        assert!(matches!(get(&mut d, b"k"), Ok(Some(Value::Int(12)))));
    }

    #[test]
    fn set_on_expired_key_counts_as_missing() {
        let mut d = db();
        d.set(b"k", Value::from_bytes(b"old"), false);
        d.set_expire(b"k", 10);
        assert!(set(&mut d, b"k", Value::from_bytes(b"v"), &SetOpts { nx: true, ..Default::default() }));
        assert_eq!(d.stats.expired, 1);
        assert_eq!(d.get_expire(b"k"), None);
    }

    #[test]
    fn getset_getdel_getex() {
        let mut d = db();
        assert_eq!(getset(&mut d, b"k", Value::from_bytes(b"a")).unwrap().map(|v| s(&v)), None);
        d.set_expire(b"k", 9_000_000);
        let old = getset(&mut d, b"k", Value::from_bytes(b"b")).unwrap().unwrap();
        assert_eq!(s(&old), b"a");
        assert_eq!(d.get_expire(b"k"), None);

        let (v, eff) = getex(&mut d, b"k", GetExOpt::Expire(TtlKind::Px, b"500")).unwrap().unwrap();
        assert_eq!((s(&v), eff), (b"b".to_vec(), GetExEffect::ExpireSet(1_000_500)));
        let (_, eff) = getex(&mut d, b"k", GetExOpt::Persist).unwrap().unwrap();
        assert_eq!(eff, GetExEffect::Persisted);
        let (_, eff) = getex(&mut d, b"k", GetExOpt::Persist).unwrap().unwrap();
        assert_eq!(eff, GetExEffect::None);
        // invalid time is only noticed on an existing key
        assert!(matches!(getex(&mut d, b"nokey", GetExOpt::Expire(TtlKind::Ex, b"-1")), Ok(None)));
        assert_eq!(
            getex(&mut d, b"k", GetExOpt::Expire(TtlKind::Ex, b"-1")).map(|o| o.map(|(_, e)| e)),
            Err(OpError::InvalidExpire)
        );
        assert_eq!(
            getex(&mut d, b"k", GetExOpt::Expire(TtlKind::Ex, b"1x")).map(|o| o.map(|(_, e)| e)),
            Err(OpError::NotInteger)
        );
        assert!(matches!(getex(&mut d, b"nokey", GetExOpt::Expire(TtlKind::Ex, b"1x")), Ok(None)));
        // a past absolute time deletes on a master...
        let (v, eff) = getex(&mut d, b"k", GetExOpt::Expire(TtlKind::PxAt, b"5")).unwrap().unwrap();
        assert_eq!((s(&v), eff), (b"b".to_vec(), GetExEffect::Deleted));
        assert!(d.is_empty());
        // ...but only sets the TTL on a replica
        d.set(b"k", Value::from_bytes(b"c"), false);
        d.clock.mode = ExpireMode::Never;
        let (_, eff) = getex(&mut d, b"k", GetExOpt::Expire(TtlKind::PxAt, b"5")).unwrap().unwrap();
        assert_eq!(eff, GetExEffect::ExpireSet(5));
        assert_eq!(d.len(), 1);
        d.clock.mode = ExpireMode::Master;

        let v = getdel(&mut d, b"k").unwrap();
        // it was logically expired: a master deletes it on lookup
        assert!(v.is_none());
        assert!(d.is_empty());
        d.set(b"k", Value::from_bytes(b"42"), false);
        assert!(matches!(getdel(&mut d, b"k"), Ok(Some(Value::Int(42)))));
        assert_eq!(getdel(&mut d, b"k").map(|v| v.is_none()), Ok(true));
    }

    #[test]
    fn mset_and_msetnx() {
        let mut d = db();
        mset(&mut d, &[&b"a"[..], b"1", b"b", b"x"]);
        assert_eq!(d.len(), 2);
        assert!(!msetnx(&mut d, &[&b"c"[..], b"1", b"a", b"2"]));
        assert_eq!(d.len(), 2);
        assert!(msetnx(&mut d, &[&b"c"[..], b"1", b"d", b"2"]));
        assert_eq!(d.len(), 4);
        assert!(get_if_string(&mut d, b"zz").is_none());
    }

    #[test]
    fn append_encodings_and_limit() {
        let mut d = db();
        assert_eq!(append(&mut d, b"k", b"12", Some(100)), Ok(2));
        assert_eq!(d.peek(b"k").unwrap().encoding(), "int");
        assert_eq!(append(&mut d, b"k", b"3", Some(100)), Ok(3));
        assert_eq!(d.peek(b"k").unwrap().encoding(), "raw");
        assert_eq!(incr_by(&mut d, b"k", 1), Ok(124));
        assert_eq!(d.peek(b"k").unwrap().encoding(), "int");
        assert_eq!(append(&mut d, b"k", b"", Some(100)), Ok(3));
        assert_eq!(d.peek(b"k").unwrap().encoding(), "raw");
        assert_eq!(append(&mut d, b"k", &[b'x'; 98], Some(100)), Err(OpError::TooLarge));
        assert_eq!(append(&mut d, b"k", &[b'x'; 97], Some(100)), Ok(100));
        assert_eq!(append(&mut d, b"k", b"y", None), Ok(101));
        assert_eq!(append(&mut d, b"e", b"", Some(100)), Ok(0));
        assert_eq!(d.len(), 2);
    }

    #[test]
    fn range_bounds_matches_redis_arithmetic() {
        assert_eq!(range_bounds(5, 0, -1), Some((0, 5)));
        assert_eq!(range_bounds(5, -3, -1), Some((2, 5)));
        assert_eq!(range_bounds(5, -1, -3), None);
        assert_eq!(range_bounds(5, 3, 1), None);
        assert_eq!(range_bounds(5, -100, 100), Some((0, 5)));
        assert_eq!(range_bounds(5, 10, 20), None);
        assert_eq!(range_bounds(0, 0, -1), None);
        assert_eq!(range_bounds(5, i64::MIN, i64::MAX), Some((0, 5)));
        assert_eq!(range_bounds(5, -1, i64::MIN), None);
        assert_eq!(range_bounds(5, 0, -100), Some((0, 1)));
    }

    #[test]
    fn setrange_cases() {
        let mut d = db();
        assert_eq!(setrange(&mut d, b"k", 1 << 40, b"", Some(512 << 20)), Ok(0));
        assert!(d.is_empty());
        assert_eq!(setrange(&mut d, b"k", (512 << 20) - 1, b"xy", Some(512 << 20)), Err(OpError::TooLarge));
        assert_eq!(setrange(&mut d, b"k", 2, b"ab", Some(100)), Ok(4));
        assert_eq!(s(&d.peek(b"k").unwrap().val), b"\0\0ab");
        assert_eq!(d.peek(b"k").unwrap().encoding(), "raw");
        d.set(b"n", Value::from_bytes(b"1234"), false);
        assert_eq!(setrange(&mut d, b"n", 9, b"", Some(100)), Ok(4));
        assert_eq!(d.peek(b"n").unwrap().encoding(), "int");
        assert_eq!(setrange(&mut d, b"n", 1, b"x", Some(100)), Ok(4));
        assert_eq!(s(&d.peek(b"n").unwrap().val), b"1x34");
        assert_eq!(setrange(&mut d, b"n", i64::MAX as u64, b"x", Some(100)), Err(OpError::TooLarge));
        assert_eq!(setrange(&mut d, b"n", u64::MAX, b"x", None), Err(OpError::TooLarge));
    }

    #[test]
    fn incr_edges() {
        let mut d = db();
        assert_eq!(incr_by(&mut d, b"k", -5), Ok(-5));
        assert_eq!(incr_by(&mut d, b"k", i64::MIN + 5), Ok(i64::MIN));
        assert_eq!(incr_by(&mut d, b"k", -1), Err(OpError::Overflow));
        assert_eq!(incr_by(&mut d, b"k", i64::MAX), Ok(-1));
        d.set(b"s", Value::from_bytes(b" 1"), false);
        assert_eq!(incr_by(&mut d, b"s", 1), Err(OpError::NotInteger));
        d.set(b"s", Value::from_bytes(b"01"), false);
        assert_eq!(incr_by(&mut d, b"s", 1), Err(OpError::NotInteger));
        d.set(b"s", Value::from_bytes(b"9223372036854775808"), false);
        assert_eq!(incr_by(&mut d, b"s", 1), Err(OpError::NotInteger));
        d.set_expire(b"k", 7_000_000);
        incr_by(&mut d, b"k", 1).unwrap();
        assert_eq!(d.get_expire(b"k"), Some(7_000_000));
    }

    #[test]
    fn incr_by_float_stores_text() {
        let mut d = db();
        assert_eq!(incr_by_float(&mut d, b"f", b"10.5"), Ok(b"10.5".to_vec()));
        assert_eq!(incr_by_float(&mut d, b"f", b"0.1"), Ok(b"10.6".to_vec()));
        assert_eq!(incr_by_float(&mut d, b"g", b"1"), Ok(b"1".to_vec()));
        assert_eq!(d.peek(b"g").unwrap().encoding(), "embstr");
        assert_eq!(incr_by_float(&mut d, b"g", b"x"), Err(OpError::NotFloat));
        assert_eq!(incr_by_float(&mut d, b"g", b"inf"), Err(OpError::NanOrInfinity));
        assert_eq!(incr_by_float(&mut d, b"h", b"x"), Err(OpError::NotFloat));
        assert!(d.peek(b"h").is_none());
        d.set(b"i", Value::Int(i64::MAX), false);
        assert_eq!(incr_by_float(&mut d, b"i", b"1"), Ok(b"9223372036854775808".to_vec()));
        d.set(b"j", Value::from_bytes(b"abc"), false);
        assert_eq!(incr_by_float(&mut d, b"j", b"1"), Err(OpError::NotFloat));
    }

    #[test]
    fn lcs_examples() {
        let r = lcs(b"ohmytext", b"mynewtext", 1 << 20, true).unwrap();
        assert_eq!(r.len, 6);
        assert_eq!(r.seq, b"mytext");
        assert_eq!(
            r.matches,
            vec![LcsMatch { a: (4, 7), b: (5, 8), len: 4 }, LcsMatch { a: (2, 3), b: (0, 1), len: 2 }]
        );
        assert_eq!(lcs(b"ohmytext", b"mynewtext", 1 << 20, false).unwrap().len, 6);
        assert_eq!(lcs(b"", b"abc", 1 << 20, true).unwrap(), Lcs { len: 0, seq: vec![], matches: vec![] });
        assert_eq!(lcs(&[b'a'; 100], &[b'a'; 100], 101 * 101 * 4 - 1, false), Err(LcsError::TableTooLarge));
        assert!(lcs(&[b'a'; 100], &[b'a'; 100], 101 * 101 * 4, false).is_ok());
    }
}
