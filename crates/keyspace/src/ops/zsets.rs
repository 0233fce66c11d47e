//! Sorted set operations (ZADD/ZINCRBY, ZREM, the range readers and removers, ZPOP*, the
//! ZUNION/ZINTER/ZDIFF algebra, ZRANDMEMBER's choices, range parsing) as data functions over a
//! [`Db`]. Each does the lookups the Redis command does, in the same order (read or write
//! lookups, so lazy expiry and hit/miss statistics match), checks types, changes sets with the
//! encoding rules of [`ZSet`] (a key whose set becomes empty is deleted) and returns what
//! happened. Replies, error texts, dirty counts, notifications and propagation belong to the
//! server; nothing here knows a client or a protocol.

use super::OpError;
use crate::db::Db;
use crate::rng::Rng;
use crate::sbytes::SBytes;
use crate::types::set::Set;
use crate::types::zset::{AddFlags, AddOutcome, LexRange, ScoreRange, ZSet};
use crate::types::{Elem, Limits};
use crate::value::Value;
use std::collections::HashMap;

/// An owned (member, score) pair.
pub type Pair = (SBytes, f64);

fn zset_mut(v: &mut Value) -> Result<&mut ZSet, OpError> {
    match v {
        Value::ZSet(z) => Ok(z),
        _ => Err(OpError::WrongType),
    }
}

/// The sorted set at `key` looked up for reading (lazy expiry, hit/miss statistics).
pub fn zset_for_read<'a>(db: &'a mut Db, key: &[u8]) -> Result<Option<&'a mut ZSet>, OpError> {
    match db.lookup_read(key) {
        None => Ok(None),
        Some(e) => zset_mut(&mut e.val).map(Some),
    }
}

/// The sorted set at `key` looked up for writing (lazy expiry, no statistics).
pub fn zset_for_write<'a>(db: &'a mut Db, key: &[u8]) -> Result<Option<&'a mut ZSet>, OpError> {
    match db.lookup_write(key) {
        None => Ok(None),
        Some(e) => zset_mut(&mut e.val).map(Some),
    }
}

fn stored_zset<'a>(db: &'a mut Db, key: &[u8]) -> Option<&'a mut ZSet> {
    match db.peek_mut(key) {
        Some(e) => match &mut e.val {
            Value::ZSet(z) => Some(z),
            _ => None,
        },
        None => None,
    }
}

/// An element as owned bytes.
pub fn elem_sbytes(e: Elem<'_>) -> SBytes {
    match e {
        Elem::Bytes(b) => SBytes::new(b),
        Elem::Int(n) => SBytes::new(n.to_string().as_bytes()),
    }
}

// ---------------------------------------------------------------------------------------------
// ZADD, ZREM

/// What ZADD did, over all its pairs.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Added {
    pub added: usize,
    pub updated: usize,
    /// Pairs not skipped by NX/XX/GT/LT.
    pub processed: usize,
    /// The score of the last pair processed (the new score with INCR).
    pub score: f64,
    /// An increment made a score NaN: the command fails at that pair.
    pub nan: bool,
}

/// ZADD / ZINCRBY: creates the key (encoded for the first member) unless XX, then adds or
/// updates each pair with ZADD's rules.
pub fn zadd(db: &mut Db, key: &[u8], pairs: &[(f64, &[u8])], f: AddFlags, limits: &Limits) -> Result<Added, OpError> {
    let exists = zset_for_write(db, key)?.is_some();
    let mut r = Added::default();
    if !exists {
        if f.xx || pairs.is_empty() {
            return Ok(r);
        }
        db.add(key, Value::ZSet(Box::new(ZSet::for_first_member(pairs[0].1.len(), limits))));
    }
    let Some(z) = stored_zset(db, key) else { return Ok(r) };
    for (score, member) in pairs {
        match z.add(*score, member, f, limits) {
            AddOutcome::Added(s) => {
                r.added += 1;
                r.processed += 1;
                r.score = s;
            }
            AddOutcome::Updated(s) => {
                r.updated += 1;
                r.processed += 1;
                r.score = s;
            }
            AddOutcome::Same(s) => {
                r.processed += 1;
                r.score = s;
            }
            AddOutcome::Nop => {}
            AddOutcome::Nan => {
                r.nan = true;
                break;
            }
        }
    }
    if z.is_empty() {
        // only a failed first pair on a new key can leave it empty
        db.delete(key);
    }
    Ok(r)
}

/// What a removal did to a key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Removal {
    pub removed: usize,
    pub key_deleted: bool,
}

/// ZREM: removes members, stopping once the set is empty (the key is then deleted).
pub fn zrem<M: AsRef<[u8]>>(db: &mut Db, key: &[u8], members: &[M]) -> Result<Removal, OpError> {
    let Some(z) = zset_for_write(db, key)? else { return Ok(Removal::default()) };
    let mut r = Removal::default();
    for m in members {
        if z.remove(m.as_ref()) {
            r.removed += 1;
        }
        if z.is_empty() {
            break;
        }
    }
    if z.is_empty() {
        db.delete(key);
        r.key_deleted = true;
    }
    Ok(r)
}

// ---------------------------------------------------------------------------------------------
// Ranges

/// Which part of a set a range command selects.
#[derive(Debug, Clone)]
pub enum Select {
    /// Ranks (negative from the end), inclusive.
    Rank(i64, i64),
    /// Scores, then skip `offset` and take `limit` (negative = all).
    Score(ScoreRange, i64, i64),
    /// Members (all scores equal), then offset / limit.
    Lex(LexRange, i64, i64),
}

/// Rank bounds after Redis's sanitizing, or None for an empty range.
pub fn rank_bounds(len: usize, start: i64, end: i64) -> Option<(usize, usize)> {
    let llen = len as i64;
    let mut start = if start < 0 { llen.saturating_add(start) } else { start };
    let mut end = if end < 0 { llen.saturating_add(end) } else { end };
    if start < 0 {
        start = 0;
    }
    if start > end || start >= llen {
        return None;
    }
    if end >= llen {
        end = llen - 1;
    }
    Some((start as usize, end as usize))
}

/// The pairs a range command selects, in reply order (reversed with `rev`; for score and lex
/// ranges the bounds are already min <= max).
pub fn select(z: &ZSet, sel: &Select, rev: bool) -> Vec<Pair> {
    let own = |(e, s): (Elem<'_>, f64)| (elem_sbytes(e), s);
    match sel {
        Select::Rank(a, b) => {
            let len = z.len();
            let Some((start, end)) = rank_bounds(len, *a, *b) else { return Vec::new() };
            let n = end - start + 1;
            if rev {
                z.range(len - 1 - start, true).take(n).map(own).collect()
            } else {
                z.range(start, false).take(n).map(own).collect()
            }
        }
        Select::Score(r, offset, limit) => {
            if *offset > 0 && *offset as u64 >= z.len() as u64 {
                return Vec::new();
            }
            let first = if rev { z.last_in_score_range(r) } else { z.first_in_score_range(r) };
            let Some(first) = first else { return Vec::new() };
            // a negative offset skips everything (Redis counts it down forever)
            if *offset < 0 {
                return Vec::new();
            }
            let take = if *limit < 0 { usize::MAX } else { *limit as usize };
            z.range(first, rev)
                .skip(*offset as usize)
                .take_while(|(_, s)| if rev { r.gte_min(*s) } else { r.lte_max(*s) })
                .take(take)
                .map(own)
                .collect()
        }
        Select::Lex(r, offset, limit) => {
            if *offset > 0 && *offset as u64 >= z.len() as u64 {
                return Vec::new();
            }
            let first = if rev { z.last_in_lex_range(r) } else { z.first_in_lex_range(r) };
            let Some(first) = first else { return Vec::new() };
            if *offset < 0 {
                return Vec::new();
            }
            let take = if *limit < 0 { usize::MAX } else { *limit as usize };
            z.range(first, rev)
                .skip(*offset as usize)
                .take_while(|(m, _)| {
                    let m = m.to_bytes();
                    if rev {
                        r.gte_min(&m)
                    } else {
                        r.lte_max(&m)
                    }
                })
                .take(take)
                .map(own)
                .collect()
        }
    }
}

/// ZREMRANGEBYRANK / BYSCORE / BYLEX (offsets and limits are not used).
pub fn remove_selected(db: &mut Db, key: &[u8], sel: &Select) -> Result<Removal, OpError> {
    let Some(z) = zset_for_write(db, key)? else { return Ok(Removal::default()) };
    let removed = match sel {
        Select::Rank(a, b) => match rank_bounds(z.len(), *a, *b) {
            Some((s, e)) => z.remove_rank_range(s, e - s + 1),
            None => return Ok(Removal::default()),
        },
        Select::Score(r, _, _) => z.remove_score_range(r),
        Select::Lex(r, _, _) => z.remove_lex_range(r),
    };
    let key_deleted = z.is_empty();
    if key_deleted {
        db.delete(key);
    }
    Ok(Removal { removed, key_deleted })
}

/// What storing a computed sorted set did to the destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// The destination now holds the set (TTL removed); its size.
    Stored(usize),
    /// Empty result and the destination existed: deleted.
    Deleted,
    /// Empty result, no destination.
    Nothing,
}

/// Stores `items` (already in set order, distinct members) at `dst`, encoded as Redis encodes
/// a rebuilt result; an empty result deletes the destination.
pub fn store(db: &mut Db, dst: &[u8], items: Vec<Pair>, limits: &Limits) -> Stored {
    if items.is_empty() {
        return if db.delete(dst) { Stored::Deleted } else { Stored::Nothing };
    }
    let n = items.len();
    let z = ZSet::from_sorted(items, limits);
    db.lookup_write(dst);
    db.set(dst, Value::ZSet(Box::new(z)), false);
    Stored::Stored(n)
}

/// Pairs in set order, for a range read in reverse (ZRANGESTORE ... REV keeps set order).
pub fn sort_pairs(items: &mut [Pair]) {
    ZSet::sort_items(items);
}

// ---------------------------------------------------------------------------------------------
// ZPOPMIN / ZPOPMAX / ZMPOP

/// What a pop took from one key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Popped {
    pub pairs: Vec<Pair>,
    pub key_deleted: bool,
}

/// Pops up to `count` pairs from the low (or high, with `max`) end of the set at `key`,
/// deleting the key when it becomes empty. The key must hold a sorted set.
pub fn pop(db: &mut Db, key: &[u8], max: bool, count: usize) -> Popped {
    let Some(z) = stored_zset(db, key) else { return Popped::default() };
    let n = count.min(z.len());
    let mut pairs = Vec::with_capacity(n);
    for _ in 0..n {
        match z.pop(max) {
            Some(p) => pairs.push(p),
            None => break,
        }
    }
    let key_deleted = z.is_empty();
    if key_deleted {
        db.delete(key);
    }
    Popped { pairs, key_deleted }
}

/// The first of `keys` that exists (looked up for writing in order), with WrongType if that
/// key holds something else; the keys after it are not looked up.
pub fn first_existing<'k, K: AsRef<[u8]>>(db: &mut Db, keys: &'k [K]) -> Result<Option<&'k [u8]>, OpError> {
    for k in keys {
        if let Some(z) = zset_for_write(db, k.as_ref())? {
            let _ = z;
            return Ok(Some(k.as_ref()));
        }
    }
    Ok(None)
}

/// The first of `keys` holding a non-empty sorted set (blocking pops): WrongType at the first
/// existing key of another type.
pub fn first_nonempty<'k, K: AsRef<[u8]>>(db: &mut Db, keys: &'k [K]) -> Result<Option<&'k [u8]>, OpError> {
    for k in keys {
        if let Some(z) = zset_for_write(db, k.as_ref())? {
            if !z.is_empty() {
                return Ok(Some(k.as_ref()));
            }
        }
    }
    Ok(None)
}

// ---------------------------------------------------------------------------------------------
// ZUNION / ZINTER / ZDIFF

/// An input of the algebra commands: a sorted set, or a plain set whose members score 1.
#[derive(Clone, Copy)]
pub enum Source<'a> {
    Z(&'a ZSet),
    S(&'a Set),
}

impl<'a> Source<'a> {
    pub fn len(&self) -> usize {
        match self {
            Source::Z(z) => z.len(),
            Source::S(s) => s.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn score(&self, m: &[u8]) -> Option<f64> {
        match self {
            Source::Z(z) => z.score(m),
            Source::S(s) => s.contains(m).then_some(1.0),
        }
    }
    fn for_each(&self, mut f: impl FnMut(&[u8], f64)) {
        match self {
            Source::Z(z) => {
                for (e, s) in z.iter() {
                    f(&e.to_bytes(), s);
                }
            }
            Source::S(s) => {
                for e in s.iter() {
                    f(&e.to_bytes(), 1.0);
                }
            }
        }
    }
    fn ptr(&self) -> *const u8 {
        match self {
            Source::Z(z) => *z as *const ZSet as *const u8,
            Source::S(s) => *s as *const Set as *const u8,
        }
    }
}

/// The inputs at `keys`, looked up for reading in order; WrongType at the first key that is
/// neither a set nor a sorted set.
pub fn read_sources<'a, K: AsRef<[u8]>>(db: &'a mut Db, keys: &[K]) -> Result<Vec<Option<Source<'a>>>, OpError> {
    let mut found = Vec::with_capacity(keys.len());
    for k in keys {
        match db.lookup_read(k.as_ref()) {
            None => found.push(false),
            Some(e) => match e.val {
                Value::ZSet(_) | Value::Set(_) => found.push(true),
                _ => return Err(OpError::WrongType),
            },
        }
    }
    let db: &'a Db = db;
    Ok(keys
        .iter()
        .zip(found)
        .map(|(k, f)| {
            if !f {
                return None;
            }
            match db.peek(k.as_ref()).map(|e| &e.val) {
                Some(Value::ZSet(z)) => Some(Source::Z(z)),
                Some(Value::Set(s)) => Some(Source::S(s)),
                _ => None,
            }
        })
        .collect())
}

/// How scores of a member found in several inputs combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    Sum,
    Min,
    Max,
}

fn aggregate(target: &mut f64, v: f64, a: Aggregate) {
    match a {
        Aggregate::Sum => {
            *target += v;
            if target.is_nan() {
                *target = 0.0;
            }
        }
        Aggregate::Min => {
            if v < *target {
                *target = v;
            }
        }
        Aggregate::Max => {
            if v > *target {
                *target = v;
            }
        }
    }
}

fn weighted(w: f64, s: f64) -> f64 {
    let v = w * s;
    if v.is_nan() {
        0.0
    } else {
        v
    }
}

/// Inputs with their weights, smallest first (a missing key counts as empty).
fn by_size<'a>(srcs: &[Option<Source<'a>>], weights: &[f64]) -> Vec<(Option<Source<'a>>, f64)> {
    let mut v: Vec<(Option<Source<'a>>, f64)> =
        srcs.iter().enumerate().map(|(i, s)| (*s, weights.get(i).copied().unwrap_or(1.0))).collect();
    v.sort_by_key(|(s, _)| s.map_or(0, |s| s.len()));
    v
}

/// ZINTER: members present in every input, scores weighted and aggregated, in set order.
/// With `card_only`, only counts (stopping at `limit` when non-zero) and returns no pairs.
pub fn inter(
    srcs: &[Option<Source<'_>>],
    weights: &[f64],
    agg: Aggregate,
    card_only: bool,
    limit: usize,
) -> (Vec<Pair>, usize) {
    let v = by_size(srcs, weights);
    let mut out = Vec::new();
    let mut card = 0usize;
    let Some((Some(first), w0)) = v.first().copied() else { return (out, 0) };
    if first.is_empty() || v.iter().any(|(s, _)| s.is_none()) {
        return (out, 0);
    }
    let mut stop = false;
    first.for_each(|m, s| {
        if stop {
            return;
        }
        let mut score = weighted(w0, s);
        for (src, w) in &v[1..] {
            let Some(src) = src else { return };
            let found = if src.ptr() == first.ptr() { Some(s) } else { src.score(m) };
            match found {
                Some(x) => aggregate(&mut score, x * w, agg),
                None => return,
            }
        }
        card += 1;
        if card_only {
            if limit != 0 && card >= limit {
                stop = true;
            }
        } else {
            out.push((SBytes::new(m), score));
        }
    });
    ZSet::sort_items(&mut out);
    (out, card)
}

/// ZUNION: every member of any input, scores weighted and aggregated, in set order.
pub fn union(srcs: &[Option<Source<'_>>], weights: &[f64], agg: Aggregate) -> Vec<Pair> {
    let v = by_size(srcs, weights);
    let mut acc: HashMap<SBytes, f64> = HashMap::new();
    for (src, w) in &v {
        let Some(src) = src else { continue };
        src.for_each(|m, s| {
            let score = weighted(*w, s);
            match acc.get_mut(m) {
                Some(t) => aggregate(t, score, agg),
                None => {
                    acc.insert(SBytes::new(m), score);
                }
            }
        });
    }
    let mut out: Vec<Pair> = acc.into_iter().collect();
    ZSet::sort_items(&mut out);
    out
}

/// ZDIFF: members of the first input found in no other, with their first-input scores.
pub fn diff(srcs: &[Option<Source<'_>>]) -> Vec<Pair> {
    let mut out = Vec::new();
    let Some(Some(first)) = srcs.first().copied() else { return out };
    let rest: Vec<Source<'_>> = srcs[1..].iter().flatten().copied().collect();
    if rest.iter().any(|s| s.ptr() == first.ptr()) {
        return out;
    }
    first.for_each(|m, s| {
        if !rest.iter().any(|r| r.score(m).is_some()) {
            out.push((SBytes::new(m), s));
        }
    });
    ZSet::sort_items(&mut out);
    out
}

// ---------------------------------------------------------------------------------------------
// ZRANDMEMBER

/// Distinct random pairs for ZRANDMEMBER with a positive count smaller than the set.
pub fn random_distinct(z: &ZSet, count: usize, rng: &mut Rng) -> Vec<Pair> {
    let len = z.len();
    let mut ranks: Vec<usize> = Vec::with_capacity(count);
    if count.saturating_mul(3) > len {
        // remove random members from a full copy until `count` remain
        let mut all: Vec<usize> = (0..len).collect();
        while all.len() > count {
            let i = rng.below(all.len() as u64) as usize;
            all.swap_remove(i);
        }
        ranks = all;
    } else {
        let mut seen = std::collections::HashSet::with_capacity(count);
        while ranks.len() < count {
            let r = rng.below(len as u64) as usize;
            if seen.insert(r) {
                ranks.push(r);
            }
        }
    }
    ranks.into_iter().filter_map(|r| z.get(r).map(|(e, s)| (elem_sbytes(e), s))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_bounds_sanitize() {
        assert_eq!(rank_bounds(5, 0, -1), Some((0, 4)));
        assert_eq!(rank_bounds(5, -100, 100), Some((0, 4)));
        assert_eq!(rank_bounds(5, 3, 2), None);
        assert_eq!(rank_bounds(5, 5, 9), None);
        assert_eq!(rank_bounds(0, 0, -1), None);
        assert_eq!(rank_bounds(5, i64::MIN, i64::MAX), Some((0, 4)));
    }
}
