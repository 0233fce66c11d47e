//! List operations (LPUSH/RPUSH and their X variants, LPOP/RPOP with or without a count, LMPOP
//! and the pops of the blocking commands, LSET, LINSERT, LREM, LTRIM, LMOVE/RPOPLPUSH) as data
//! functions over a [`Db`]. Each does the lookups the Redis command does (write lookups for the
//! commands that may change the list, so lazy expiry and statistics match), checks the type,
//! changes the list and deletes the key when it becomes empty, and says what happened. Read-only
//! commands (LLEN, LINDEX, LRANGE, LPOS) look the list up with [`read`] and walk it directly.
//! Replies, dirty counts, notifications and propagation are the server's business.

use super::OpError;
use crate::db::Db;
use crate::types::list::List;
use crate::types::{Elem, Limits};
use crate::value::Value;

pub use crate::types::list::End;

/// The list at `key` for a read command (lookupKeyRead: hit/miss statistics, lazy expiry).
/// `Ok(None)` when the key does not exist.
pub fn read<'a>(db: &'a mut Db, key: &[u8]) -> Result<Option<&'a List>, OpError> {
    match db.lookup_read(key) {
        None => Ok(None),
        Some(e) => match &e.val {
            Value::List(l) => Ok(Some(l)),
            _ => Err(OpError::WrongType),
        },
    }
}

/// The list at `key` for a write command (lookupKeyWrite).
pub fn write<'a>(db: &'a mut Db, key: &[u8]) -> Result<Option<&'a mut List>, OpError> {
    match db.lookup_write(key) {
        None => Ok(None),
        Some(e) => match &mut e.val {
            Value::List(l) => Ok(Some(l)),
            _ => Err(OpError::WrongType),
        },
    }
}

/// The list under a key known to hold one (after a successful lookup), without side effects.
fn peek_list<'a>(db: &'a mut Db, key: &[u8]) -> Option<&'a mut List> {
    match db.peek_mut(key) {
        Some(e) => match &mut e.val {
            Value::List(l) => Some(l),
            _ => None,
        },
        None => None,
    }
}

/// Deletes `key` if its list is empty; returns whether it did.
fn delete_if_empty(db: &mut Db, key: &[u8]) -> bool {
    if peek_list(db, key).is_some_and(|l| l.is_empty()) {
        db.delete(key);
        true
    } else {
        false
    }
}

/// LPUSH/RPUSH (`only_existing` = LPUSHX/RPUSHX): adds the values one by one at `end`, creating
/// the list with the current options unless `only_existing`. Returns the new length, or 0 when
/// `only_existing` and the key does not exist.
pub fn push<V: AsRef<[u8]>>(
    db: &mut Db,
    key: &[u8],
    vals: &[V],
    end: End,
    only_existing: bool,
    limits: &Limits,
) -> Result<usize, OpError> {
    let exists = write(db, key)?.is_some();
    if !exists {
        if only_existing {
            return Ok(0);
        }
        db.add(key, Value::List(Box::new(List::with_limits(limits))));
    }
    let Some(list) = peek_list(db, key) else { return Ok(0) };
    for v in vals {
        list.push(v.as_ref(), end);
    }
    Ok(list.len())
}

/// What a pop did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Popped {
    /// Elements removed.
    pub count: usize,
    /// The list became empty and the key was deleted.
    pub deleted: bool,
}

/// Pops up to `count` elements from `end` of a list known to exist, in popping order, giving each
/// to `each` before removing them all at once (as Redis replies with the range, then deletes
/// it). Deletes the key when the list becomes empty.
fn pop_range(db: &mut Db, key: &[u8], end: End, count: usize, each: &mut dyn FnMut(Elem<'_>)) -> Popped {
    let Some(list) = peek_list(db, key) else { return Popped { count: 0, deleted: false } };
    let n = count.min(list.len());
    match end {
        End::Head => {
            list.iter().take(n).for_each(&mut *each);
            list.delete_range(0, n);
        }
        End::Tail => {
            list.iter().rev().take(n).for_each(&mut *each);
            list.delete_range(-(n as i64), n);
        }
    }
    Popped { count: n, deleted: delete_if_empty(db, key) }
}

/// LPOP/RPOP: pops up to `count` elements from `end` (1 for the form without a count), giving
/// each to `each`. `Ok(None)` when the key does not exist. With `count == 0` nothing is popped.
pub fn pop(
    db: &mut Db,
    key: &[u8],
    end: End,
    count: usize,
    mut each: impl FnMut(Elem<'_>),
) -> Result<Option<Popped>, OpError> {
    if write(db, key)?.is_none() {
        return Ok(None);
    }
    if count == 0 {
        return Ok(Some(Popped { count: 0, deleted: false }));
    }
    Ok(Some(pop_range(db, key, end, count, &mut each)))
}

/// LMPOP and the blocking pops: pops up to `count` elements from `end` of the first key that
/// holds a non-empty list, giving the key's index and each element to `each`. A key of another
/// type met before a list is a WRONGTYPE error. `Ok(None)` when no key holds a list.
pub fn mpop<K: AsRef<[u8]>>(
    db: &mut Db,
    keys: &[K],
    end: End,
    count: usize,
    mut each: impl FnMut(usize, Elem<'_>),
) -> Result<Option<(usize, Popped)>, OpError> {
    for (i, key) in keys.iter().enumerate() {
        let key = key.as_ref();
        match write(db, key)? {
            Some(l) if !l.is_empty() => {}
            _ => continue,
        }
        let popped = pop_range(db, key, end, count, &mut |e| each(i, e));
        return Ok(Some((i, popped)));
    }
    Ok(None)
}

/// What LSET found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOutcome {
    NoSuchKey,
    OutOfRange,
    Done,
}

/// LSET: replaces the element at `index` (negative from the tail).
pub fn set(db: &mut Db, key: &[u8], index: i64, val: &[u8]) -> Result<SetOutcome, OpError> {
    let Some(list) = write(db, key)? else { return Ok(SetOutcome::NoSuchKey) };
    Ok(if list.set(index, val) { SetOutcome::Done } else { SetOutcome::OutOfRange })
}

/// What LINSERT did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    NoSuchKey,
    NoPivot,
    /// Inserted; the list's new length.
    Len(usize),
}

/// LINSERT: inserts `val` before or after the first element equal to `pivot`.
pub fn insert(db: &mut Db, key: &[u8], after: bool, pivot: &[u8], val: &[u8]) -> Result<Inserted, OpError> {
    let Some(list) = write(db, key)? else { return Ok(Inserted::NoSuchKey) };
    Ok(if list.insert(pivot, val, after) { Inserted::Len(list.len()) } else { Inserted::NoPivot })
}

/// LREM: removes elements equal to `val`: the first `count` from the head when `count > 0`,
/// the last `-count` from the tail when negative, all when 0. `Ok(None)` when the key does not
/// exist; otherwise the number removed and whether the key was deleted.
pub fn rem(db: &mut Db, key: &[u8], count: i64, val: &[u8]) -> Result<Option<(usize, bool)>, OpError> {
    let Some(list) = write(db, key)? else { return Ok(None) };
    let limit = usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX);
    let removed = list.remove(val, limit, count < 0);
    Ok(Some((removed, delete_if_empty(db, key))))
}

/// LTRIM: keeps the elements between `start` and `end` (inclusive, negative from the tail).
/// `Ok(None)` when the key does not exist; otherwise the number removed and whether the key
/// was deleted.
pub fn trim(db: &mut Db, key: &[u8], start: i64, end: i64) -> Result<Option<(usize, bool)>, OpError> {
    let Some(list) = write(db, key)? else { return Ok(None) };
    let len = list.len() as i64;
    let mut start = if start < 0 { start.saturating_add(len) } else { start };
    let end = if end < 0 { end.saturating_add(len) } else { end };
    if start < 0 {
        start = 0;
    }
    let (ltrim, rtrim) = if start > end || start >= len {
        (len, 0)
    } else {
        let end = end.min(len - 1);
        (start, len - end - 1)
    };
    list.trim(ltrim as usize, rtrim as usize);
    Ok(Some(((ltrim + rtrim) as usize, delete_if_empty(db, key))))
}

/// What LMOVE did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    /// The element moved.
    pub value: Vec<u8>,
    /// The source became empty and was deleted.
    pub src_deleted: bool,
}

/// LMOVE/RPOPLPUSH: pops from `from` of `src` and pushes to `to` of `dst` (created with the
/// current options when missing). `Ok(None)` when `src` does not exist; WRONGTYPE when either
/// key holds another type (the destination is checked only once the source is known to hold a
/// list, as in Redis).
pub fn lmove(
    db: &mut Db,
    src: &[u8],
    dst: &[u8],
    from: End,
    to: End,
    limits: &Limits,
) -> Result<Option<Moved>, OpError> {
    match write(db, src)? {
        Some(l) if !l.is_empty() => {}
        _ => return Ok(None),
    }
    let dst_exists = write(db, dst)?.is_some();
    let Some(value) = peek_list(db, src).and_then(|l| l.pop(from)) else { return Ok(None) };
    if !dst_exists && peek_list(db, dst).is_none() {
        db.add(dst, Value::List(Box::new(List::with_limits(limits))));
    }
    if let Some(d) = peek_list(db, dst) {
        d.push(&value, to);
    }
    let src_deleted = delete_if_empty(db, src);
    Ok(Some(Moved { value, src_deleted }))
}

/// LPOS's search: indexes (from the head) of the elements equal to `val`, starting with the
/// `rank`-th match (negative: searching from the tail), at most `count` of them (0 = all),
/// looking at no more than `maxlen` elements (0 = all).
pub fn positions(list: &List, val: &[u8], rank: i64, count: usize, maxlen: usize) -> Vec<usize> {
    let len = list.len();
    let skip = rank.unsigned_abs().saturating_sub(1);
    let limit = if maxlen == 0 { len } else { maxlen.min(len) };
    let mut out = Vec::new();
    let mut matches: u64 = 0;
    let mut visit = |i: usize, e: Elem<'_>| -> bool {
        if crate::listpack::elem_eq(e, val) {
            matches += 1;
            if matches > skip {
                out.push(i);
                if count != 0 && out.len() >= count {
                    return false;
                }
            }
        }
        true
    };
    if rank > 0 {
        for (i, e) in list.iter().take(limit).enumerate() {
            if !visit(i, e) {
                break;
            }
        }
    } else {
        for (j, e) in list.iter().rev().take(limit).enumerate() {
            if !visit(len - 1 - j, e) {
                break;
            }
        }
    }
    out
}
