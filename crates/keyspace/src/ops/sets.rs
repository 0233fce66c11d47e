//! Set operations (SADD, SREM, SMOVE, SISMEMBER, SMISMEMBER, SCARD, SPOP, SRANDMEMBER, the
//! SINTER/SUNION/SDIFF families and SSCAN's lookup) as data functions over a [`Db`]. Each does the
//! lookups the Redis command does, in the same order (read or write lookups, so lazy expiry and
//! hit/miss statistics match), checks types, changes sets with Redis's encoding rules (a key
//! whose set becomes empty is deleted) and returns what happened: members in the order Redis
//! would reply them, whether keys were deleted. The algorithms whose choices are visible are
//! Redis's: SPOP's pop-or-rebuild strategy, SRANDMEMBER's four cases, SDIFF's two algorithms
//! (which decide the encoding of an SDIFFSTORE result), intersections driven by the smallest
//! set. Replies, error texts, dirty counts, notifications and propagation are the server's.

use super::OpError;
use crate::db::{lookup, Db};
use crate::rng::Rng;
use crate::sbytes::SBytes;
use crate::types::set::{int_member, Set};
use crate::types::{Elem, Limits};
use crate::value::Value;
use std::collections::HashSet;

/// SPOP rebuilds the set from the members it keeps when fewer than `count / 5` remain.
const SPOP_MOVE_STRATEGY_MUL: u64 = 5;
/// SRANDMEMBER with a positive count copies the set and drops members when the count is more
/// than a third of the set.
const SRANDMEMBER_SUB_STRATEGY_MUL: u64 = 3;

/// An element as an owned member (integers in decimal).
pub fn elem_member(e: Elem<'_>) -> SBytes {
    match e {
        Elem::Int(v) => int_member(v),
        Elem::Bytes(b) => SBytes::new(b),
    }
}

fn set_mut(v: &mut Value) -> Result<&mut Set, OpError> {
    match v {
        Value::Set(s) => Ok(s),
        _ => Err(OpError::WrongType),
    }
}

/// The set at `key` looked up for writing (lazy expiry, no statistics).
pub fn set_for_write<'a>(db: &'a mut Db, key: &[u8]) -> Result<Option<&'a mut Set>, OpError> {
    match db.lookup_write(key) {
        None => Ok(None),
        Some(e) => set_mut(&mut e.val).map(Some),
    }
}

/// The set at `key` looked up for reading (lazy expiry, hit/miss statistics).
pub fn set_for_read<'a>(db: &'a mut Db, key: &[u8]) -> Result<Option<&'a mut Set>, OpError> {
    match db.lookup_read(key) {
        None => Ok(None),
        Some(e) => set_mut(&mut e.val).map(Some),
    }
}

/// The set stored at `key` without any lookup side effect (the key was looked up already).
fn stored_set<'a>(db: &'a mut Db, key: &[u8]) -> Option<&'a mut Set> {
    match db.peek_mut(key) {
        Some(e) => match &mut e.val {
            Value::Set(s) => Some(s),
            _ => None,
        },
        None => None,
    }
}

/// SADD: adds the members, creating the key when missing (an intset when the first member is an
/// integer). Returns how many were not members yet.
pub fn sadd<M: AsRef<[u8]>>(db: &mut Db, key: &[u8], members: &[M], limits: &Limits) -> Result<usize, OpError> {
    let exists = set_for_write(db, key)?.is_some();
    let Some(first) = members.first() else { return Ok(0) };
    if !exists {
        db.add(key, Value::Set(Box::new(Set::for_member(first.as_ref()))));
    }
    let Some(set) = stored_set(db, key) else { return Ok(0) };
    let max = limits.set_max_intset_entries;
    Ok(members.iter().filter(|m| set.add(m.as_ref(), max)).count())
}

/// What SREM (and SPOP) did to a key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Removal {
    pub removed: usize,
    /// The set became empty and the key was deleted.
    pub key_deleted: bool,
}

/// SREM: removes the members (stopping once the set is empty, which deletes the key).
pub fn srem<M: AsRef<[u8]>>(db: &mut Db, key: &[u8], members: &[M]) -> Result<Removal, OpError> {
    let Some(set) = set_for_write(db, key)? else { return Ok(Removal::default()) };
    let mut removed = 0;
    for m in members {
        if set.remove(m.as_ref()) {
            removed += 1;
            if set.is_empty() {
                break;
            }
        }
    }
    let key_deleted = set.is_empty();
    if key_deleted {
        db.delete(key);
    }
    Ok(Removal { removed, key_deleted })
}

/// What SMOVE did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// The source key does not exist (checked before any type check of the destination).
    SrcMissing,
    /// Source and destination are the same key: nothing moves.
    SameKey { is_member: bool },
    /// The member is not in the source set.
    NotMember,
    /// The member left the source (deleted when it became empty) and was added to the
    /// destination unless already there (the destination is created when missing).
    Moved { src_deleted: bool, dst_added: bool },
}

/// SMOVE.
pub fn smove(db: &mut Db, src: &[u8], dst: &[u8], member: &[u8], limits: &Limits) -> Result<Move, OpError> {
    let src_is_set = db.lookup_write(src).map(|e| matches!(e.val, Value::Set(_)));
    // the destination is written only if it gains the member
    let dst_is_set = db.lookup(dst, lookup::WRITE | lookup::NORECORD).map(|e| matches!(e.val, Value::Set(_)));
    let Some(src_ok) = src_is_set else { return Ok(Move::SrcMissing) };
    if !src_ok || dst_is_set == Some(false) {
        return Err(OpError::WrongType);
    }
    if src == dst {
        let is_member = stored_set(db, src).is_some_and(|s| s.contains(member));
        return Ok(Move::SameKey { is_member });
    }
    let Some(s) = stored_set(db, src) else { return Ok(Move::SrcMissing) };
    if !s.remove(member) {
        return Ok(Move::NotMember);
    }
    let src_deleted = s.is_empty();
    if src_deleted {
        db.delete(src);
    }
    if dst_is_set.is_none() {
        db.add(dst, Value::Set(Box::new(Set::for_member(member))));
    }
    let dst_added = stored_set(db, dst).is_some_and(|d| d.add(member, limits.set_max_intset_entries));
    if dst_added {
        db.mark_written(dst);
    }
    Ok(Move::Moved { src_deleted, dst_added })
}

/// SISMEMBER (a missing key is an empty set).
pub fn sismember(db: &mut Db, key: &[u8], member: &[u8]) -> Result<bool, OpError> {
    Ok(set_for_read(db, key)?.is_some_and(|s| s.contains(member)))
}

/// SMISMEMBER: membership of each member, in order.
pub fn smismember<M: AsRef<[u8]>>(db: &mut Db, key: &[u8], members: &[M]) -> Result<Vec<bool>, OpError> {
    let set = set_for_read(db, key)?;
    Ok(members.iter().map(|m| set.as_ref().is_some_and(|s| s.contains(m.as_ref()))).collect())
}

/// SCARD.
pub fn scard(db: &mut Db, key: &[u8]) -> Result<usize, OpError> {
    Ok(set_for_read(db, key)?.map_or(0, |s| s.len()))
}

/// One member popped by SPOP without a count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Popped {
    pub member: SBytes,
    pub key_deleted: bool,
}

/// SPOP without a count: removes a random member (`None` when the key is missing).
pub fn spop(db: &mut Db, key: &[u8], rng: &mut Rng) -> Result<Option<Popped>, OpError> {
    let Some(set) = set_for_write(db, key)? else { return Ok(None) };
    let Some(member) = set.random(rng) else { return Ok(None) };
    set.remove(&member);
    let key_deleted = set.is_empty();
    if key_deleted {
        db.delete(key);
    }
    Ok(Some(Popped { member, key_deleted }))
}

/// What SPOP with a count did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PopMany {
    /// The key does not exist.
    Missing,
    /// A count of 0 on an existing set: nothing happens.
    Zero,
    /// The count covered the whole set: these are its members in reply order, and the key was
    /// deleted.
    All(Vec<SBytes>),
    /// `count` members were popped, in reply order; the key remains.
    Some(Vec<SBytes>),
}

/// SPOP with a count. When the count covers the set, the members are returned as SUNION of the
/// key alone would return them (Redis replies through it, which also looks the key up for
/// reading once more) and the key is deleted. Otherwise, when the members left will be more than
/// a fifth of the count, random members are popped one by one; else random members to keep are
/// moved into a new set that replaces the old one, and whatever is left in the old one is the
/// popped members, in its iteration order.
pub fn spop_count(db: &mut Db, key: &[u8], count: u64, rng: &mut Rng, limits: &Limits) -> Result<PopMany, OpError> {
    let max = limits.set_max_intset_entries;
    let Some(set) = set_for_write(db, key)? else { return Ok(PopMany::Missing) };
    if count == 0 {
        return Ok(PopMany::Zero);
    }
    let size = set.len() as u64;
    if count >= size {
        let Some(set) = set_for_read(db, key)? else { return Ok(PopMany::Missing) };
        let whole = union(&[Some(&*set)], max);
        let members = whole.iter().map(elem_member).collect();
        db.delete(key);
        return Ok(PopMany::All(members));
    }
    let remaining = size - count;
    let mut popped = Vec::with_capacity(count as usize);
    if remaining.saturating_mul(SPOP_MOVE_STRATEGY_MUL) > count {
        for _ in 0..count {
            let Some(m) = set.random(rng) else { break };
            set.remove(&m);
            popped.push(m);
        }
    } else {
        let mut kept: Option<Set> = None;
        for _ in 0..remaining {
            let Some(m) = set.random(rng) else { break };
            kept.get_or_insert_with(|| Set::for_member(&m)).add(&m, max);
            set.remove(&m);
        }
        popped.extend(set.iter().map(elem_member));
        if let Some(kept) = kept {
            *set = kept;
        }
    }
    Ok(PopMany::Some(popped))
}

/// SRANDMEMBER without a count (`None` when the key is missing).
pub fn srandmember(db: &mut Db, key: &[u8], rng: &mut Rng) -> Result<Option<SBytes>, OpError> {
    Ok(set_for_read(db, key)?.and_then(|s| {
        s.rehash_for_random_reads(1);
        s.random(rng)
    }))
}

/// How SRANDMEMBER with a count answers.
#[derive(Debug)]
pub enum RandMembers<'a> {
    /// The key is missing or the count is 0: an empty array.
    Empty,
    /// A negative count (or 1): `times` independent random picks from `set`, made by the caller
    /// while it replies (there may be far more picks than memory could hold).
    Repeat { set: &'a Set, times: u64 },
    /// The count covers the set: all its members, in iteration order.
    Whole(&'a Set),
    /// `count` distinct random members.
    Distinct(Vec<SBytes>),
}

/// SRANDMEMBER with a count, which must be in `-i64::MAX..=i64::MAX` (the caller rejects
/// `i64::MIN` with Redis's range error before looking the key up).
pub fn srandmember_count<'a>(
    db: &'a mut Db,
    key: &[u8],
    count: i64,
    rng: &mut Rng,
) -> Result<RandMembers<'a>, OpError> {
    let Some(set) = set_for_read(db, key)? else { return Ok(RandMembers::Empty) };
    if count == 0 {
        return Ok(RandMembers::Empty);
    }
    set.rehash_for_random_reads(count.unsigned_abs());
    let set: &'a Set = set;
    let n = count.unsigned_abs();
    if count < 0 || n == 1 {
        return Ok(RandMembers::Repeat { set, times: n });
    }
    let size = set.len() as u64;
    if n >= size {
        return Ok(RandMembers::Whole(set));
    }
    let n = n as usize;
    if (n as u64).saturating_mul(SRANDMEMBER_SUB_STRATEGY_MUL) > size {
        // copy everything, then drop random members until `count` are left
        let mut all: Vec<SBytes> = set.iter().map(elem_member).collect();
        while all.len() > n {
            let i = rng.below(all.len() as u64) as usize;
            all.swap_remove(i);
        }
        return Ok(RandMembers::Distinct(all));
    }
    // a big set compared with the count: pick until enough distinct members were seen
    let mut seen: HashSet<SBytes> = HashSet::with_capacity(n);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let Some(m) = set.random(rng) else { break };
        if seen.insert(m.clone()) {
            out.push(m);
        }
    }
    Ok(RandMembers::Distinct(out))
}

/// The sets stored at `keys`, each looked up for reading in order (lazy expiry, hit/miss
/// statistics), `None` for missing keys; `WrongType` at the first key that holds something else
/// (the keys before it were looked up already, as in Redis).
pub fn read_sets<'a, K: AsRef<[u8]>>(db: &'a mut Db, keys: &[K]) -> Result<Vec<Option<&'a Set>>, OpError> {
    let mut found = Vec::with_capacity(keys.len());
    for k in keys {
        found.push(set_for_read(db, k.as_ref())?.is_some());
    }
    // Every lookup is done: borrow the sets all at once. A key may be "missing" while still
    // present (an expired key on a replica), so the lookups' answers decide.
    let db: &'a Db = db;
    Ok(keys
        .iter()
        .zip(found)
        .map(|(k, f)| {
            if !f {
                return None;
            }
            match db.peek(k.as_ref()).map(|e| &e.val) {
                Some(Value::Set(s)) => Some(&**s),
                _ => None,
            }
        })
        .collect())
}

/// The intersection in Redis's order: the members of the smallest set (the first of equally
/// small ones) in its iteration order, kept when every other set has them. Calls `f` for each;
/// stops after `limit` members when `limit > 0`. Returns how many were found. A missing set
/// makes the result empty.
pub fn intersect(sets: &[Option<&Set>], limit: usize, mut f: impl FnMut(Elem<'_>)) -> usize {
    if sets.is_empty() || sets.iter().any(Option::is_none) {
        return 0;
    }
    let mut by_size: Vec<&Set> = sets.iter().flatten().copied().collect();
    by_size.sort_by_key(|s| s.len());
    let first = by_size[0];
    let others = &by_size[1..];
    let mut n = 0;
    for e in first.iter() {
        if others.iter().all(|s| std::ptr::eq(*s, first) || s.contains_elem(e)) {
            n += 1;
            f(e);
            if limit != 0 && n >= limit {
                break;
            }
        }
    }
    n
}

/// The intersection as a new set (SINTERSTORE): an intset when the members allow it.
pub fn inter_set(sets: &[Option<&Set>], limits: &Limits) -> Set {
    let mut out = Set::new();
    intersect(sets, 0, |e| {
        out.add_elem(e, limits.set_max_intset_entries);
    });
    out
}

/// The union as a new set, built like Redis builds it (from an empty intset, adding the members
/// of each set in turn), so its encoding and iteration order are Redis's.
pub fn union(sets: &[Option<&Set>], max_intset_entries: usize) -> Set {
    let mut out = Set::new();
    for s in sets.iter().flatten() {
        for e in s.iter() {
            out.add_elem(e, max_intset_entries);
        }
    }
    out
}

/// The difference (members of the first set in none of the others) as a new set. As in Redis,
/// one of two algorithms runs depending on the sizes: checking each member of the first set
/// against the others, or copying the first set and removing the others' members; the second
/// may leave a hash table (the copy converted while it held non-integers or too many members),
/// which SDIFFSTORE then stores as such. A missing first set, or the first set named again,
/// gives an empty set.
pub fn diff(sets: &[Option<&Set>], max_intset_entries: usize) -> Set {
    let mut out = Set::new();
    let Some(Some(first)) = sets.first().copied() else { return out };
    let rest = &sets[1..];
    if rest.iter().flatten().any(|s| std::ptr::eq(*s, first)) {
        return out;
    }
    let mut check_each_work: u64 = 0;
    let mut copy_work: u64 = 0;
    for s in sets.iter().flatten() {
        check_each_work += first.len() as u64;
        copy_work += s.len() as u64;
    }
    // checking is cheaper per operation and stops early on common members: favour it
    check_each_work /= 2;
    if check_each_work <= copy_work {
        // biggest sets first, to find common members sooner
        let mut others: Vec<&Set> = rest.iter().flatten().copied().collect();
        others.sort_by_key(|s| std::cmp::Reverse(s.len()));
        for e in first.iter() {
            if !others.iter().any(|s| s.contains_elem(e)) {
                out.add_elem(e, max_intset_entries);
            }
        }
    } else {
        let mut card = 0usize;
        for e in first.iter() {
            if out.add_elem(e, max_intset_entries) {
                card += 1;
            }
        }
        for s in rest.iter().flatten() {
            if card == 0 {
                break;
            }
            for e in s.iter() {
                if out.remove_elem(e) {
                    card -= 1;
                }
            }
        }
    }
    out
}

/// What storing a computed set did to the destination key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// The destination now holds the set (its TTL removed); the number of members.
    Stored(usize),
    /// The result was empty and the destination existed: it was deleted.
    Deleted,
    /// The result was empty and there was no destination.
    Nothing,
}

/// Stores the result of SINTERSTORE / SUNIONSTORE / SDIFFSTORE at `dst`: overwritten (TTL
/// removed) when non-empty, deleted when empty.
pub fn store(db: &mut Db, dst: &[u8], set: Set) -> Stored {
    if set.is_empty() {
        return if db.delete(dst) { Stored::Deleted } else { Stored::Nothing };
    }
    let n = set.len();
    // setKey looks the destination up for writing first (an expired one is deleted)
    db.lookup_write(dst);
    db.set(dst, Value::Set(Box::new(set)), false);
    Stored::Stored(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max: usize) -> Limits {
        Limits { set_max_intset_entries: max, ..Limits::default() }
    }

    fn enc(db: &mut Db, key: &[u8]) -> &'static str {
        db.peek(key).map_or("none", |e| e.encoding())
    }

    fn sorted(set: &Set) -> Vec<Vec<u8>> {
        let mut v: Vec<Vec<u8>> = set.iter().map(|e| e.to_bytes().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn sadd_srem_and_key_lifecycle() {
        let mut db = Db::new(0);
        let l = limits(512);
        assert_eq!(sadd(&mut db, b"s", &[b"1", b"2", b"2"], &l), Ok(2));
        assert_eq!(enc(&mut db, b"s"), "intset");
        assert_eq!(sadd(&mut db, b"s", &[b"x"], &l), Ok(1));
        assert_eq!(enc(&mut db, b"s"), "hashtable");
        assert_eq!(scard(&mut db, b"s"), Ok(3));
        assert_eq!(srem(&mut db, b"s", &[&b"1"[..], b"nope"]), Ok(Removal { removed: 1, key_deleted: false }));
        assert_eq!(srem(&mut db, b"s", &[b"2", b"x", b"2"]), Ok(Removal { removed: 2, key_deleted: true }));
        assert!(db.peek(b"s").is_none());
        assert_eq!(srem(&mut db, b"s", &[b"2"]), Ok(Removal::default()));
        db.add(b"str", Value::Int(1));
        assert_eq!(sadd(&mut db, b"str", &[b"a"], &l), Err(OpError::WrongType));
        assert_eq!(srem(&mut db, b"str", &[b"a"]), Err(OpError::WrongType));
        assert_eq!(sismember(&mut db, b"str", b"a"), Err(OpError::WrongType));
        assert_eq!(smismember(&mut db, b"nokey", &[b"a", b"b"]), Ok(vec![false, false]));
    }

    #[test]
    fn smove_cases() {
        let mut db = Db::new(0);
        let l = limits(512);
        sadd(&mut db, b"a", &[b"1", b"x"], &l).unwrap();
        sadd(&mut db, b"b", &[b"2"], &l).unwrap();
        assert_eq!(smove(&mut db, b"none", b"b", b"1", &l), Ok(Move::SrcMissing));
        assert_eq!(smove(&mut db, b"a", b"a", b"1", &l), Ok(Move::SameKey { is_member: true }));
        assert_eq!(smove(&mut db, b"a", b"b", b"9", &l), Ok(Move::NotMember));
        assert_eq!(smove(&mut db, b"a", b"b", b"1", &l), Ok(Move::Moved { src_deleted: false, dst_added: true }));
        assert_eq!(enc(&mut db, b"b"), "intset");
        assert_eq!(smove(&mut db, b"a", b"c", b"x", &l), Ok(Move::Moved { src_deleted: true, dst_added: true }));
        assert_eq!(enc(&mut db, b"c"), "hashtable");
        assert!(db.peek(b"a").is_none());
        sadd(&mut db, b"d", &[b"2"], &l).unwrap();
        assert_eq!(smove(&mut db, b"d", b"b", b"2", &l), Ok(Move::Moved { src_deleted: true, dst_added: false }));
        db.add(b"str", Value::Int(1));
        assert_eq!(smove(&mut db, b"str", b"b", b"2", &l), Err(OpError::WrongType));
        assert_eq!(smove(&mut db, b"b", b"str", b"2", &l), Err(OpError::WrongType));
        assert_eq!(smove(&mut db, b"nokey", b"str", b"2", &l), Ok(Move::SrcMissing));
    }

    #[test]
    fn spop_strategies() {
        let l = limits(512);
        let mut rng = Rng::from_seed(1);
        for (size, count) in [(100u64, 10u64), (100, 95), (100, 100), (100, 150), (600, 590), (600, 10)] {
            let mut db = Db::new(0);
            let members: Vec<String> = (0..size).map(|i| i.to_string()).collect();
            sadd(&mut db, b"s", &members, &l).unwrap();
            let before = enc(&mut db, b"s");
            let r = spop_count(&mut db, b"s", count, &mut rng, &l).unwrap();
            let popped = match r {
                PopMany::All(v) => {
                    assert!(count >= size);
                    assert!(db.peek(b"s").is_none());
                    v
                }
                PopMany::Some(v) => {
                    assert_eq!(scard(&mut db, b"s"), Ok((size - count) as usize));
                    v
                }
                other => panic!("{other:?}"),
            };
            assert_eq!(popped.len() as u64, count.min(size));
            let distinct: HashSet<_> = popped.iter().collect();
            assert_eq!(distinct.len(), popped.len());
            for m in &popped {
                assert_eq!(sismember(&mut db, b"s", m), Ok(false));
            }
            // the rebuild strategy makes a new intset out of a hash table of integers
            if size == 600 && count == 590 {
                assert_eq!(before, "hashtable");
                assert_eq!(enc(&mut db, b"s"), "intset");
            }
            if size == 600 && count == 10 {
                assert_eq!(enc(&mut db, b"s"), "hashtable");
            }
        }
        let mut db = Db::new(0);
        assert_eq!(spop_count(&mut db, b"s", 0, &mut rng, &l), Ok(PopMany::Missing));
        sadd(&mut db, b"s", &[b"a"], &l).unwrap();
        assert_eq!(spop_count(&mut db, b"s", 0, &mut rng, &l), Ok(PopMany::Zero));
        let p = spop(&mut db, b"s", &mut rng).unwrap().unwrap();
        assert_eq!(p, Popped { member: SBytes::from("a"), key_deleted: true });
        assert_eq!(spop(&mut db, b"s", &mut rng), Ok(None));
    }

    #[test]
    fn spop_all_replies_in_union_order() {
        let l = limits(512);
        let mut rng = Rng::from_seed(2);
        let mut db = Db::new(0);
        sadd(&mut db, b"s", &[b"3", b"1", b"2", b"x"], &l).unwrap();
        srem(&mut db, b"s", &[b"x"]).unwrap();
        assert_eq!(enc(&mut db, b"s"), "hashtable");
        let PopMany::All(v) = spop_count(&mut db, b"s", 10, &mut rng, &l).unwrap() else { panic!() };
        assert_eq!(v, vec![SBytes::from("1"), SBytes::from("2"), SBytes::from("3")]);
    }

    #[test]
    fn srandmember_cases() {
        let l = limits(512);
        let mut rng = Rng::from_seed(3);
        let mut db = Db::new(0);
        let members: Vec<String> = (0..30).map(|i| format!("m{i}")).collect();
        sadd(&mut db, b"s", &members, &l).unwrap();
        assert!(matches!(srandmember_count(&mut db, b"none", 5, &mut rng), Ok(RandMembers::Empty)));
        assert!(matches!(srandmember_count(&mut db, b"s", 0, &mut rng), Ok(RandMembers::Empty)));
        assert!(matches!(
            srandmember_count(&mut db, b"s", -i64::MAX, &mut rng),
            Ok(RandMembers::Repeat { times, .. }) if times == i64::MAX as u64
        ));
        assert!(matches!(srandmember_count(&mut db, b"s", 1, &mut rng), Ok(RandMembers::Repeat { times: 1, .. })));
        assert!(matches!(srandmember_count(&mut db, b"s", 30, &mut rng), Ok(RandMembers::Whole(s)) if s.len() == 30));
        for count in [2i64, 9, 10, 11, 29] {
            let Ok(RandMembers::Distinct(v)) = srandmember_count(&mut db, b"s", count, &mut rng) else { panic!() };
            assert_eq!(v.len(), count as usize);
            let distinct: HashSet<_> = v.iter().collect();
            assert_eq!(distinct.len(), v.len());
            assert!(v.iter().all(|m| members.iter().any(|x| x.as_bytes() == m.as_slice())));
        }
    }

    #[test]
    fn set_algebra() {
        let l = limits(512);
        let mut db = Db::new(0);
        sadd(&mut db, b"a", &[b"1", b"2", b"3", b"x"], &l).unwrap();
        sadd(&mut db, b"b", &[b"2", b"3", b"4"], &l).unwrap();
        sadd(&mut db, b"c", &[b"3", b"x"], &l).unwrap();
        let sets = read_sets(&mut db, &[b"a", b"b"]).unwrap();
        let mut got = Vec::new();
        assert_eq!(intersect(&sets, 0, |e| got.push(e.to_bytes().into_owned())), 2);
        // the smallest set (b, an intset) drives the order
        assert_eq!(got, vec![b"2".to_vec(), b"3".to_vec()]);
        assert_eq!(intersect(&sets, 1, |_| {}), 1);
        let i = inter_set(&sets, &l);
        assert_eq!(i.encoding_name(), "intset");
        let u = union(&sets, 512);
        assert_eq!(sorted(&u), vec![b"1".to_vec(), b"2".to_vec(), b"3".to_vec(), b"4".to_vec(), b"x".to_vec()]);
        let d = diff(&sets, 512);
        assert_eq!(sorted(&d), vec![b"1".to_vec(), b"x".to_vec()]);
        let sets = read_sets(&mut db, &[&b"a"[..], b"nokey"]).unwrap();
        assert_eq!(intersect(&sets, 0, |_| {}), 0);
        assert_eq!(union(&sets, 512).len(), 4);
        assert_eq!(diff(&sets, 512).len(), 4);
        let sets = read_sets(&mut db, &[b"a", b"a"]).unwrap();
        assert_eq!(diff(&sets, 512).len(), 0);
        assert_eq!(intersect(&sets, 0, |_| {}), 4);
        db.add(b"str", Value::Int(1));
        assert_eq!(read_sets(&mut db, &[&b"nokey"[..], b"str"]).err(), Some(OpError::WrongType));
    }

    #[test]
    fn diff_algorithm_decides_the_encoding() {
        let l = limits(512);
        let mut db = Db::new(0);
        // a small first set against big ones: members are checked one by one, and only the
        // integers survive into an intset
        sadd(&mut db, b"a", &[b"1", b"2", b"x"], &l).unwrap();
        let big: Vec<String> = (0..100).map(|i| format!("x{i}")).chain(["x".to_string()]).collect();
        sadd(&mut db, b"b", &big, &l).unwrap();
        let sets = read_sets(&mut db, &[b"a", b"b"]).unwrap();
        assert_eq!(diff(&sets, 512).encoding_name(), "intset");
        // a big first set against small ones (1.5 * 101 > 101 + 2): the copy became a hash
        // table and stays one
        let first: Vec<String> = (0..100).map(|i| i.to_string()).chain(["x".to_string()]).collect();
        sadd(&mut db, b"c", &first, &l).unwrap();
        sadd(&mut db, b"d", &[b"x"], &l).unwrap();
        sadd(&mut db, b"e", &[b"y"], &l).unwrap();
        let sets = read_sets(&mut db, &[b"c", b"d", b"e"]).unwrap();
        let d = diff(&sets, 512);
        assert_eq!(d.len(), 100);
        assert_eq!(d.encoding_name(), "hashtable");
    }

    #[test]
    fn store_overwrites_or_deletes() {
        let mut db = Db::new(0);
        db.add(b"dst", Value::Int(5));
        db.set_expire(b"dst", i64::MAX);
        let mut s = Set::new();
        s.add(b"1", 512);
        assert_eq!(store(&mut db, b"dst", s), Stored::Stored(1));
        assert_eq!(db.get_expire(b"dst"), None);
        assert_eq!(scard(&mut db, b"dst"), Ok(1));
        assert_eq!(store(&mut db, b"dst", Set::new()), Stored::Deleted);
        assert_eq!(store(&mut db, b"dst", Set::new()), Stored::Nothing);
    }
}
