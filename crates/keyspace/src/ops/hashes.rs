//! Hash operations (HSET/HMSET, HSETNX, HDEL, HINCRBY, HINCRBYFLOAT, HRANDFIELD and the
//! lookups of the read commands) as data functions over a [`Db`]. Each does the lookup the
//! Redis command does (for reading or for writing, so lazy expiry and hit/miss statistics
//! match), checks the type, changes the hash with Redis's encoding rules (the argument-length
//! check before writing, one-way conversion to a hash table, a key whose hash becomes empty is
//! deleted) and returns what happened. A failed operation changes nothing. HRANDFIELD's
//! strategies are Redis's (repeated picks, whole hash, copy-and-remove, distinct picks).
//! Replies, error texts, dirty counts, notifications and propagation are the server's.

use super::longdouble::{self, LdError};
use super::OpError;
use crate::db::Db;
use crate::rng::Rng;
use crate::sbytes::SBytes;
use crate::types::hash::{elem_sbytes, Hash};
use crate::types::{Elem, Limits};
use crate::value::{parse_canonical_i64, Value};

/// HRANDFIELD with a positive count copies the hash and drops pairs when the count is more than
/// a third of the hash.
const HRANDFIELD_SUB_STRATEGY_MUL: u64 = 3;

fn hash_mut(v: &mut Value) -> Result<&mut Hash, OpError> {
    match v {
        Value::Hash(h) => Ok(h),
        _ => Err(OpError::WrongType),
    }
}

/// The hash at `key` looked up for writing (lazy expiry, no statistics).
pub fn hash_for_write<'a>(db: &'a mut Db, key: &[u8]) -> Result<Option<&'a mut Hash>, OpError> {
    match db.lookup_write(key) {
        None => Ok(None),
        Some(e) => hash_mut(&mut e.val).map(Some),
    }
}

/// The hash at `key` looked up for reading (lazy expiry, hit/miss statistics).
pub fn hash_for_read<'a>(db: &'a mut Db, key: &[u8]) -> Result<Option<&'a mut Hash>, OpError> {
    match db.lookup_read(key) {
        None => Ok(None),
        Some(e) => hash_mut(&mut e.val).map(Some),
    }
}

/// The hash at `key` for writing, created empty (listpack) when missing, as Redis's
/// hashTypeLookupWriteOrCreate. The caller must leave it non-empty.
fn hash_or_create<'a>(db: &'a mut Db, key: &[u8]) -> Result<&'a mut Hash, OpError> {
    if hash_for_write(db, key)?.is_none() {
        db.add(key, Value::Hash(Box::default()));
    }
    match db.peek_mut(key).map(|e| &mut e.val) {
        Some(Value::Hash(h)) => Ok(h),
        _ => Err(OpError::WrongType),
    }
}

/// HSET/HMSET: `pairs` is field, value, field, value... (an even, non-zero count, checked by the
/// caller). Creates the key when missing. Returns how many fields were new.
pub fn hset<A: AsRef<[u8]>>(db: &mut Db, key: &[u8], pairs: &[A], limits: &Limits) -> Result<usize, OpError> {
    let h = hash_or_create(db, key)?;
    h.try_conversion(pairs, limits);
    let mut created = 0;
    for p in pairs.chunks_exact(2) {
        if !h.set(p[0].as_ref(), p[1].as_ref(), limits) {
            created += 1;
        }
    }
    Ok(created)
}

/// HSETNX: sets the field only when it does not exist; returns whether it was set. (A missing
/// key is created, and then always gets the field.)
pub fn hsetnx(db: &mut Db, key: &[u8], field: &[u8], value: &[u8], limits: &Limits) -> Result<bool, OpError> {
    if hash_for_write(db, key)?.is_some_and(|h| h.contains(field)) {
        return Ok(false);
    }
    let h = hash_or_create(db, key)?;
    h.try_conversion(&[field, value], limits);
    h.set(field, value, limits);
    Ok(true)
}

/// What HDEL did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Removal {
    pub removed: usize,
    /// The hash became empty and the key was deleted.
    pub key_deleted: bool,
}

/// HDEL: removes the fields, stopping once the hash is empty (which deletes the key).
pub fn hdel<A: AsRef<[u8]>>(db: &mut Db, key: &[u8], fields: &[A]) -> Result<Removal, OpError> {
    let Some(h) = hash_for_write(db, key)? else { return Ok(Removal::default()) };
    let mut removed = 0;
    for f in fields {
        if h.remove(f.as_ref()) {
            removed += 1;
            if h.is_empty() {
                break;
            }
        }
    }
    let key_deleted = h.is_empty();
    if key_deleted {
        db.delete(key);
    }
    Ok(Removal { removed, key_deleted })
}

/// HINCRBY: adds `incr` to the integer in the field (0 when missing) and returns the result.
/// `NotInteger` when the stored value is not a canonical integer, `Overflow` when the sum leaves
/// the i64 range.
pub fn hincrby(db: &mut Db, key: &[u8], field: &[u8], incr: i64, limits: &Limits) -> Result<i64, OpError> {
    let cur = match hash_for_write(db, key)?.and_then(|h| h.get(field)) {
        None => 0,
        Some(Elem::Int(n)) => n,
        Some(Elem::Bytes(b)) => parse_canonical_i64(b).ok_or(OpError::NotInteger)?,
    };
    let new = cur.checked_add(incr).ok_or(OpError::Overflow)?;
    let text = new.to_string();
    hash_or_create(db, key)?.set(field, text.as_bytes(), limits);
    Ok(new)
}

/// HINCRBYFLOAT: adds `incr` (already validated by the caller: a finite long double) to the
/// number in the field (0 when missing) in long double precision and stores the result printed
/// the human way, which it returns. `NotFloat` when the stored value is not a number,
/// `NanOrInfinity` when the sum is not finite.
pub fn hincrbyfloat(db: &mut Db, key: &[u8], field: &[u8], incr: &[u8], limits: &Limits) -> Result<Vec<u8>, OpError> {
    let cur: Option<Vec<u8>> = hash_for_write(db, key)?.and_then(|h| h.get(field)).map(|e| e.to_bytes().into_owned());
    let text = longdouble::add_human(Some(cur.as_deref().unwrap_or(b"0")), incr).map_err(|e| match e {
        LdError::BadValue => OpError::NotFloat,
        // the caller validated the increment
        LdError::BadIncrement => OpError::NotFloat,
        LdError::NotFinite => OpError::NanOrInfinity,
    })?;
    hash_or_create(db, key)?.set(field, &text, limits);
    Ok(text)
}

/// HLEN (0 for a missing key).
pub fn hlen(db: &mut Db, key: &[u8]) -> Result<usize, OpError> {
    Ok(hash_for_read(db, key)?.map_or(0, |h| h.len()))
}

/// HEXISTS.
pub fn hexists(db: &mut Db, key: &[u8], field: &[u8]) -> Result<bool, OpError> {
    Ok(hash_for_read(db, key)?.is_some_and(|h| h.contains(field)))
}

/// HSTRLEN: the length of the field's value (0 when missing).
pub fn hstrlen(db: &mut Db, key: &[u8], field: &[u8]) -> Result<usize, OpError> {
    Ok(hash_for_read(db, key)?.and_then(|h| h.get(field)).map_or(0, |e| e.len()))
}

/// HRANDFIELD without a count: a random field (`None` when the key is missing).
pub fn hrandfield(db: &mut Db, key: &[u8], rng: &mut Rng) -> Result<Option<SBytes>, OpError> {
    Ok(hash_for_read(db, key)?.and_then(|h| h.random(rng).map(|(k, _)| elem_sbytes(k))))
}

/// How HRANDFIELD with a count answers.
#[derive(Debug)]
pub enum RandFields<'a> {
    /// The key is missing or the count is 0: an empty array.
    Empty,
    /// A negative count (or 1): `times` independent random picks from `hash`, made by the
    /// caller while it replies (there may be far more picks than memory could hold).
    Repeat { hash: &'a Hash, times: u64 },
    /// The count covers the hash: all its pairs, in iteration order.
    Whole(&'a Hash),
    /// `count` distinct random pairs.
    Distinct(Vec<(SBytes, SBytes)>),
}

/// HRANDFIELD with a count, which must be in `-i64::MAX..=i64::MAX` (the caller rejects the
/// rest before looking the key up).
pub fn hrandfield_count<'a>(db: &'a mut Db, key: &[u8], count: i64, rng: &mut Rng) -> Result<RandFields<'a>, OpError> {
    let Some(hash) = hash_for_read(db, key)? else { return Ok(RandFields::Empty) };
    let hash: &'a Hash = hash;
    if count == 0 {
        return Ok(RandFields::Empty);
    }
    let n = count.unsigned_abs();
    if count < 0 || n == 1 {
        return Ok(RandFields::Repeat { hash, times: n });
    }
    let size = hash.len() as u64;
    if n >= size {
        return Ok(RandFields::Whole(hash));
    }
    if n.saturating_mul(HRANDFIELD_SUB_STRATEGY_MUL) > size {
        // copy everything, then drop random pairs until `count` are left
        let mut all: Vec<(SBytes, SBytes)> = hash.iter().map(|(k, v)| (elem_sbytes(k), elem_sbytes(v))).collect();
        while all.len() as u64 > n {
            let i = rng.below(all.len() as u64) as usize;
            all.swap_remove(i);
        }
        return Ok(RandFields::Distinct(all));
    }
    Ok(RandFields::Distinct(hash.random_distinct(rng, n as usize)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Db {
        Db::new(0)
    }

    #[test]
    fn hset_counts_new_fields_and_hdel_deletes_the_key() {
        let mut d = db();
        let l = Limits::default();
        assert_eq!(hset(&mut d, b"h", &[&b"a"[..], b"1", b"b", b"2", b"a", b"3"], &l), Ok(2));
        assert_eq!(hlen(&mut d, b"h"), Ok(2));
        assert_eq!(hstrlen(&mut d, b"h", b"a"), Ok(1));
        assert_eq!(hdel(&mut d, b"h", &[&b"x"[..]]), Ok(Removal { removed: 0, key_deleted: false }));
        assert_eq!(hdel(&mut d, b"h", &[&b"a"[..], b"b", b"c"]), Ok(Removal { removed: 2, key_deleted: true }));
        assert!(d.peek(b"h").is_none());
    }

    #[test]
    fn increments_check_and_convert() {
        let mut d = db();
        let l = Limits { hash_max_listpack_value: 5, ..Limits::default() };
        assert_eq!(hincrby(&mut d, b"h", b"n", 5, &l), Ok(5));
        assert_eq!(hincrby(&mut d, b"h", b"n", i64::MAX, &l), Err(OpError::Overflow));
        assert_eq!(hincrby(&mut d, b"h", b"n", 100000, &l), Ok(100005));
        assert_eq!(hash_for_read(&mut d, b"h").unwrap().unwrap().encoding_name(), "hashtable");
        hset(&mut d, b"g", &[&b"s"[..], b" 1"], &l).unwrap();
        assert_eq!(hincrby(&mut d, b"g", b"s", 1, &l), Err(OpError::NotInteger));
        assert_eq!(hincrbyfloat(&mut d, b"g", b"s", b"1", &l), Err(OpError::NotFloat));
        assert_eq!(hincrbyfloat(&mut d, b"g", b"f", b"1.5", &l), Ok(b"1.5".to_vec()));
        assert_eq!(hincrbyfloat(&mut d, b"g", b"f", b"1e4932", &l).map(|v| v.len()), Ok(4933));
        assert_eq!(hincrbyfloat(&mut d, b"g", b"f", b"1e4932", &l), Err(OpError::NanOrInfinity));
    }
}
