//! SORT's data side: loading the elements of a list, set or sorted set, weighing them (the
//! elements themselves, or values found through a BY pattern, as numbers or as strings),
//! ordering them, cutting the LIMIT window and fetching GET patterns, then storing the result
//! as a list for STORE. Patterns substitute the element for the first `*` and may name a hash
//! field after `->`. Parsing the command, replies, notifications and propagation belong to the
//! server; so does the number grammar, passed in as a function.

use super::OpError;
use crate::db::Db;
use crate::types::list::{End, List};
use crate::types::{Elem, Limits};
use crate::value::Value;
use std::cmp::Ordering;

/// The options of one SORT.
#[derive(Debug, Clone, Default)]
pub struct SortOptions<'a> {
    /// BY pattern.
    pub by: Option<&'a [u8]>,
    /// GET patterns, in order.
    pub get: Vec<&'a [u8]>,
    pub desc: bool,
    pub alpha: bool,
    /// LIMIT offset and count (count < 0: no limit).
    pub offset: i64,
    pub count: i64,
    /// The result goes to a list (STORE): strings compare as bytes, and a set sorted "by
    /// nothing" is sorted alphabetically so that the stored result is deterministic.
    pub store: bool,
}

impl SortOptions<'_> {
    pub fn new() -> Self {
        SortOptions { count: -1, ..Default::default() }
    }
}

/// Why a SORT failed once its arguments were accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortError {
    /// The key is not a list, set or sorted set.
    WrongType,
    /// A weight could not be read as a double (the whole command fails).
    BadScore,
}

impl From<OpError> for SortError {
    fn from(_: OpError) -> Self {
        SortError::WrongType
    }
}

/// A value found through a pattern.
#[derive(Debug, Clone, PartialEq)]
enum Found {
    Bytes(Vec<u8>),
    Int(i64),
}

impl Found {
    fn into_bytes(self) -> Vec<u8> {
        match self {
            Found::Bytes(b) => b,
            Found::Int(n) => n.to_string().into_bytes(),
        }
    }
}

/// One element being sorted.
struct Item {
    elem: Vec<u8>,
    /// The element was an integer in its encoding (its weight is exact, no parsing).
    int: Option<i64>,
    score: f64,
    /// The BY value for ALPHA sorts with a pattern (None: missing, sorts first).
    cmp: Option<Vec<u8>>,
}

fn item(e: Elem<'_>) -> Item {
    match e {
        Elem::Bytes(b) => Item { elem: b.to_vec(), int: None, score: 0.0, cmp: None },
        Elem::Int(n) => Item { elem: n.to_string().into_bytes(), int: Some(n), score: 0.0, cmp: None },
    }
}

/// The part of `b` a C string function sees (up to the first NUL).
fn c_str(b: &[u8]) -> &[u8] {
    match b.iter().position(|&c| c == 0) {
        Some(i) => &b[..i],
        None => b,
    }
}

/// Resolves `pattern` for `elem`: `#` is the element itself; otherwise the first `*` is
/// replaced by the element and the key is read (a string), or, with `->field` after the `*`,
/// the field of the hash at that key. No `*`, a missing key or a key of another type: None.
fn lookup_by_pattern(db: &mut Db, pattern: &[u8], elem: &[u8]) -> Option<Found> {
    if pattern.first() == Some(&b'#') && (pattern.len() == 1 || pattern[1] == 0) {
        return Some(Found::Bytes(elem.to_vec()));
    }
    // '*' and '->' are searched as C strings do, the field runs to the pattern's real end
    let visible = c_str(pattern);
    let star = visible.iter().position(|&c| c == b'*')?;
    let after = &visible[star + 1..];
    let field = after.windows(2).position(|w| w == b"->").and_then(|i| {
        let f = star + 1 + i + 2;
        (f < visible.len()).then(|| &pattern[f..])
    });
    let key_end = match field {
        Some(f) => pattern.len() - f.len() - 2,
        None => pattern.len(),
    };
    let mut key = Vec::with_capacity(key_end + elem.len());
    key.extend_from_slice(&pattern[..star]);
    key.extend_from_slice(elem);
    key.extend_from_slice(&pattern[star + 1..key_end]);
    let e = db.lookup_read(&key)?;
    match (&e.val, field) {
        (Value::Str(s), None) => Some(Found::Bytes(s.as_slice().to_vec())),
        (Value::Int(n), None) => Some(Found::Int(*n)),
        (Value::Hash(h), Some(f)) => Some(match h.get(f)? {
            Elem::Bytes(b) => Found::Bytes(b.to_vec()),
            Elem::Int(n) => Found::Int(n),
        }),
        _ => None,
    }
}

/// The LIMIT window clamped to `len` elements, as (start, end) inclusive; empty when end <
/// start.
fn window(offset: i64, count: i64, len: i64) -> (i64, i64) {
    let mut start = offset.max(0).min(len);
    let count = count.max(-1).min(len);
    let mut end = if count < 0 { len - 1 } else { start + count - 1 };
    if start >= len {
        start = len - 1;
        end = len - 2;
    }
    if end >= len {
        end = len - 1;
    }
    (start, end)
}

/// Runs SORT on `key`: the output rows in order — the elements, or for each element one row
/// per GET pattern (None where a pattern found nothing). `score` reads a weight as a double
/// the way the server's number rules say (None: not a number).
pub fn sort(
    db: &mut Db,
    key: &[u8],
    o: &SortOptions<'_>,
    score: &dyn Fn(&[u8]) -> Option<f64>,
) -> Result<Vec<Option<Vec<u8>>>, SortError> {
    let mut by = o.by;
    let mut alpha = o.alpha;
    // a BY pattern without '*' names no key: nothing to sort
    let mut dontsort = by.is_some_and(|p| !c_str(p).contains(&b'*'));

    let Some(entry) = db.lookup_read(key) else {
        return Ok(Vec::new());
    };
    let is_set = matches!(entry.val, Value::Set(_));
    if dontsort && is_set && o.store {
        // a stored result must not depend on the set's internal order
        dontsort = false;
        alpha = true;
        by = None;
    }
    let len = match &mut entry.val {
        Value::List(l) => l.len(),
        Value::Set(s) => s.len(),
        Value::ZSet(z) => {
            // as in Redis, the sorted set is converted to its large encoding
            z.convert_to_large();
            z.len()
        }
        _ => return Err(SortError::WrongType),
    } as i64;
    let (mut start, mut end) = window(o.offset, o.count, len);

    let mut items: Vec<Item> = Vec::new();
    match &entry.val {
        Value::List(l) if dontsort => {
            if end >= start {
                let n = (end - start + 1) as usize;
                if o.desc {
                    items.extend(l.iter_rev_from((len - start - 1) as usize).take(n).map(item));
                } else {
                    items.extend(l.iter_from(start as usize).take(n).map(item));
                }
                end -= start;
                start = 0;
            }
        }
        Value::ZSet(z) if dontsort => {
            if end >= start {
                let n = (end - start + 1) as usize;
                let rank = if o.desc { len - start - 1 } else { start } as usize;
                items.extend(z.range(rank, o.desc).take(n).map(|(m, _)| item(m)));
            }
            end -= start;
            start = 0;
        }
        Value::List(l) => items.extend(l.iter().map(item)),
        Value::Set(s) => items.extend(s.iter().map(item)),
        Value::ZSet(z) => items.extend(z.iter().map(|(m, _)| item(m))),
        _ => unreachable!("checked above"),
    }

    let mut bad_score = false;
    if !dontsort {
        for it in items.iter_mut() {
            let byval = match by {
                Some(p) => match lookup_by_pattern(db, p, &it.elem) {
                    Some(v) => v,
                    None => continue,
                },
                None => match it.int {
                    Some(n) => Found::Int(n),
                    None => Found::Bytes(std::mem::take(&mut it.elem)),
                },
            };
            if alpha {
                if by.is_some() {
                    it.cmp = Some(byval.into_bytes());
                } else if let Found::Bytes(b) = byval {
                    it.elem = b;
                }
                continue;
            }
            match byval {
                Found::Int(n) => it.score = n as f64,
                Found::Bytes(b) => {
                    match score(&b) {
                        Some(s) => it.score = s,
                        None => bad_score = true,
                    }
                    if by.is_none() {
                        it.elem = b;
                    }
                }
            }
        }
        let (desc, store, by_pattern) = (o.desc, o.store, by.is_some());
        let text_cmp = |a: &[u8], b: &[u8]| if store { a.cmp(b) } else { c_str(a).cmp(c_str(b)) };
        items.sort_by(|a, b| {
            let c = if !alpha {
                match a.score.partial_cmp(&b.score) {
                    Some(Ordering::Equal) | None => a.elem.cmp(&b.elem),
                    Some(c) => c,
                }
            } else if by_pattern {
                match (&a.cmp, &b.cmp) {
                    (None, None) => Ordering::Equal,
                    (None, Some(_)) => Ordering::Less,
                    (Some(_), None) => Ordering::Greater,
                    (Some(x), Some(y)) => text_cmp(x, y),
                }
            } else {
                text_cmp(&a.elem, &b.elem)
            };
            if desc {
                c.reverse()
            } else {
                c
            }
        });
    }
    if bad_score {
        return Err(SortError::BadScore);
    }

    let mut rows = Vec::new();
    if end < start {
        return Ok(rows);
    }
    for it in &items[start as usize..=end as usize] {
        if o.get.is_empty() {
            rows.push(Some(it.elem.clone()));
        }
        for p in &o.get {
            rows.push(lookup_by_pattern(db, p, &it.elem).map(Found::into_bytes));
        }
    }
    Ok(rows)
}

/// What STORE did to the destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// The destination now holds a list of this many elements.
    List(usize),
    /// The result was empty and an existing destination was deleted.
    Deleted,
    /// The result was empty and there was no destination.
    Nothing,
}

/// STORE: replaces `dest` with a list of `rows` (missing GET values become empty strings),
/// dropping its TTL; an empty result deletes `dest`.
pub fn store(db: &mut Db, dest: &[u8], rows: Vec<Option<Vec<u8>>>, limits: &Limits) -> Stored {
    if rows.is_empty() {
        // removed whether or not it is logically expired, as a plain deletion
        return if db.delete(dest) { Stored::Deleted } else { Stored::Nothing };
    }
    let n = rows.len();
    let mut l = List::with_limits(limits);
    for r in rows {
        l.push(r.as_deref().unwrap_or(b""), End::Tail);
    }
    db.expire_if_needed(dest, crate::db::lookup::WRITE);
    db.set(dest, Value::List(Box::new(l)), false);
    Stored::List(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_clamps_like_redis() {
        assert_eq!(window(0, -1, 5), (0, 4));
        assert_eq!(window(1, 2, 5), (1, 2));
        assert_eq!(window(-5, 2, 5), (0, 1));
        assert_eq!(window(10, 2, 5), (4, 3));
        assert_eq!(window(0, 0, 5), (0, -1));
        assert_eq!(window(0, 1, 0), (-1, -2));
        assert_eq!(window(i64::MAX, i64::MAX, 3), (2, 1));
        assert_eq!(window(i64::MIN, i64::MIN, 3), (0, 2));
        assert_eq!(window(2, i64::MAX, 3), (2, 2));
    }

    #[test]
    fn patterns_substitute_and_split_fields() {
        let mut db = Db::new(0);
        db.add(b"w_a", Value::from_bytes(b"10"));
        assert_eq!(lookup_by_pattern(&mut db, b"w_*", b"a"), Some(Found::Int(10)));
        assert_eq!(lookup_by_pattern(&mut db, b"w_a", b"a"), None);
        assert_eq!(lookup_by_pattern(&mut db, b"#", b"xyz"), Some(Found::Bytes(b"xyz".to_vec())));
        assert_eq!(lookup_by_pattern(&mut db, b"w_*->", b"a"), None);
        assert_eq!(lookup_by_pattern(&mut db, b"w_*->f", b"a"), None);
    }
}
