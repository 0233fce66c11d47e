//! Model-based tests of the string operations: random sequences of SET, APPEND, SETRANGE,
//! INCRBY, GETRANGE, STRLEN, GETDEL, GETSET and MSETNX run against a `Db` and against a plain
//! map of byte vectors, and every answer and every stored value must agree. The model uses
//! 128-bit arithmetic so that overflow handling in the real code is checked, not copied.

use proptest::prelude::*;
use std::collections::HashMap;
use vireo_keyspace::ops::strings::{self, SetOpts};
use vireo_keyspace::ops::OpError;
use vireo_keyspace::{Db, Value};

const LIMIT: u64 = 64;

#[derive(Debug, Clone)]
enum Op {
    Set(u8, Vec<u8>),
    Append(u8, Vec<u8>),
    SetRange(u8, u64, Vec<u8>),
    IncrBy(u8, i64),
    GetRange(u8, i64, i64),
    Strlen(u8),
    GetDel(u8),
    GetSet(u8, Vec<u8>),
    MsetNx(u8, u8, Vec<u8>),
}

fn key(k: u8) -> Vec<u8> {
    vec![b'k', b'0' + k % 3]
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(prop::sample::select(b"0123456789-ab ".to_vec()), 0..8),
        any::<i64>().prop_map(|n| n.to_string().into_bytes()),
        Just(b"9223372036854775807".to_vec()),
        Just(b"-9223372036854775808".to_vec()),
    ]
}

fn offset_or_index() -> impl Strategy<Value = i64> {
    prop_oneof![-12i64..12, any::<i64>(), Just(i64::MIN), Just(i64::MAX)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (any::<u8>(), value()).prop_map(|(k, v)| Op::Set(k, v)),
        (any::<u8>(), value()).prop_map(|(k, v)| Op::Append(k, v)),
        (any::<u8>(), prop_oneof![0u64..80, any::<u64>()], value()).prop_map(|(k, o, v)| Op::SetRange(k, o, v)),
        (any::<u8>(), prop_oneof![-3i64..3, any::<i64>(), Just(i64::MIN), Just(i64::MAX)])
            .prop_map(|(k, d)| Op::IncrBy(k, d)),
        (any::<u8>(), offset_or_index(), offset_or_index()).prop_map(|(k, s, e)| Op::GetRange(k, s, e)),
        any::<u8>().prop_map(Op::Strlen),
        any::<u8>().prop_map(Op::GetDel),
        (any::<u8>(), value()).prop_map(|(k, v)| Op::GetSet(k, v)),
        (any::<u8>(), any::<u8>(), value()).prop_map(|(a, b, v)| Op::MsetNx(a, b, v)),
    ]
}

/// GETRANGE as the documentation describes it, in 128-bit arithmetic.
fn model_range(s: &[u8], start: i64, end: i64) -> Vec<u8> {
    let n = s.len() as i128;
    let (mut a, mut b) = (start as i128, end as i128);
    if a < 0 && b < 0 && a > b {
        return Vec::new();
    }
    if a < 0 {
        a += n;
    }
    if b < 0 {
        b += n;
    }
    let a = a.max(0);
    let b = b.max(0).min(n - 1);
    if n == 0 || a > b {
        return Vec::new();
    }
    s[a as usize..=b as usize].to_vec()
}

/// The integer a stored string stands for, if it is in canonical form.
fn model_int(s: &[u8]) -> Option<i64> {
    let t = std::str::from_utf8(s).ok()?;
    let n: i64 = t.parse().ok()?;
    (n.to_string() == t).then_some(n)
}

fn stored(db: &Db, k: &[u8]) -> Option<Vec<u8>> {
    db.peek(k).map(|e| e.val.as_bytes().unwrap().into_owned())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn string_ops_agree_with_a_map(ops in prop::collection::vec(op(), 1..40)) {
        let mut db = Db::new(0);
        let mut model: HashMap<Vec<u8>, Vec<u8>> = HashMap::new();
        for op in ops {
            match op {
                Op::Set(k, v) => {
                    let k = key(k);
                    prop_assert!(strings::set(&mut db, &k, Value::from_bytes(&v), &SetOpts::default()));
                    model.insert(k, v);
                }
                Op::Append(k, v) => {
                    let k = key(k);
                    let cur = model.get(&k).cloned();
                    let r = strings::append(&mut db, &k, &v, Some(LIMIT));
                    match cur {
                        Some(c) if (c.len() + v.len()) as u64 > LIMIT => prop_assert_eq!(r, Err(OpError::TooLarge)),
                        c => {
                            let mut n = c.unwrap_or_default();
                            n.extend_from_slice(&v);
                            prop_assert_eq!(r, Ok(n.len()));
                            model.insert(k, n);
                        }
                    }
                }
                Op::SetRange(k, off, v) => {
                    let k = key(k);
                    let r = strings::setrange(&mut db, &k, off, &v, Some(LIMIT));
                    let cur = model.get(&k).cloned();
                    if v.is_empty() {
                        prop_assert_eq!(r, Ok(cur.map(|c| c.len()).unwrap_or(0)));
                    } else if off as u128 + v.len() as u128 > LIMIT as u128 {
                        prop_assert_eq!(r, Err(OpError::TooLarge));
                    } else {
                        let mut n = cur.unwrap_or_default();
                        let end = off as usize + v.len();
                        if n.len() < end {
                            n.resize(end, 0);
                        }
                        n[off as usize..end].copy_from_slice(&v);
                        prop_assert_eq!(r, Ok(n.len()));
                        model.insert(k, n);
                    }
                }
                Op::IncrBy(k, d) => {
                    let k = key(k);
                    let r = strings::incr_by(&mut db, &k, d);
                    match model.get(&k) {
                        Some(c) => match model_int(c) {
                            None => prop_assert_eq!(r, Err(OpError::NotInteger)),
                            Some(n) => {
                                let sum = n as i128 + d as i128;
                                if sum > i64::MAX as i128 || sum < i64::MIN as i128 {
                                    prop_assert_eq!(r, Err(OpError::Overflow));
                                } else {
                                    prop_assert_eq!(r, Ok(sum as i64));
                                    model.insert(k, sum.to_string().into_bytes());
                                }
                            }
                        },
                        None => {
                            prop_assert_eq!(r, Ok(d));
                            model.insert(k, d.to_string().into_bytes());
                        }
                    }
                }
                Op::GetRange(k, s, e) => {
                    let k = key(k);
                    let want = model.get(&k).map(|c| model_range(c, s, e)).unwrap_or_default();
                    let got = strings::getrange(&mut db, &k, s, e).unwrap().into_owned();
                    prop_assert_eq!(got, want);
                }
                Op::Strlen(k) => {
                    let k = key(k);
                    prop_assert_eq!(strings::strlen(&mut db, &k), Ok(model.get(&k).map(|c| c.len()).unwrap_or(0)));
                }
                Op::GetDel(k) => {
                    let k = key(k);
                    let got = strings::getdel(&mut db, &k).unwrap().map(|v| v.as_bytes().unwrap().into_owned());
                    prop_assert_eq!(got, model.remove(&k));
                }
                Op::GetSet(k, v) => {
                    let k = key(k);
                    let got = strings::getset(&mut db, &k, Value::from_bytes(&v)).unwrap().map(|v| v.as_bytes().unwrap().into_owned());
                    prop_assert_eq!(got, model.insert(k, v));
                }
                Op::MsetNx(a, b, v) => {
                    let (ka, kb) = (key(a), key(b));
                    let kv = [&ka[..], &v[..], &kb[..], &v[..]];
                    let any = model.contains_key(&ka) || model.contains_key(&kb);
                    prop_assert_eq!(strings::msetnx(&mut db, &kv), !any);
                    if !any {
                        model.insert(ka, v.clone());
                        model.insert(kb, v);
                    }
                }
            }
            for k in 0..3u8 {
                let k = key(k);
                prop_assert_eq!(stored(&db, &k), model.get(&k).cloned());
            }
        }
    }

    #[test]
    fn encodings_follow_redis_rules(v in value(), tail in value()) {
        // SET picks int for canonical integers, embstr otherwise (short values)
        let mut db = Db::new(0);
        strings::set(&mut db, b"k", Value::from_bytes(&v), &SetOpts::default());
        let want = if model_int(&v).is_some() { "int" } else { "embstr" };
        prop_assert_eq!(db.peek(b"k").unwrap().encoding(), want);
        // APPEND to an existing key always leaves a raw string
        strings::append(&mut db, b"k", &tail, None).unwrap();
        prop_assert_eq!(db.peek(b"k").unwrap().encoding(), "raw");
    }
}

/// LCS length by a memoized recursion over suffixes (a different formulation from the table).
fn lcs_len_model(a: &[u8], b: &[u8]) -> u32 {
    let mut memo = vec![vec![u32::MAX; b.len() + 1]; a.len() + 1];
    fn go(a: &[u8], b: &[u8], i: usize, j: usize, memo: &mut Vec<Vec<u32>>) -> u32 {
        if i == a.len() || j == b.len() {
            return 0;
        }
        if memo[i][j] != u32::MAX {
            return memo[i][j];
        }
        let r = if a[i] == b[j] {
            1 + go(a, b, i + 1, j + 1, memo)
        } else {
            go(a, b, i + 1, j, memo).max(go(a, b, i, j + 1, memo))
        };
        memo[i][j] = r;
        r
    }
    go(a, b, 0, 0, &mut memo)
}

fn is_subsequence(s: &[u8], of: &[u8]) -> bool {
    let mut it = of.iter();
    s.iter().all(|c| it.any(|x| x == c))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn lcs_is_a_longest_common_subsequence_with_consistent_runs(
        a in prop::collection::vec(prop::sample::select(b"abc".to_vec()), 0..24),
        b in prop::collection::vec(prop::sample::select(b"abc".to_vec()), 0..24),
    ) {
        let r = strings::lcs(&a, &b, u64::MAX, true).unwrap();
        prop_assert_eq!(r.len, lcs_len_model(&a, &b));
        prop_assert_eq!(r.seq.len() as u32, r.len);
        prop_assert!(is_subsequence(&r.seq, &a) && is_subsequence(&r.seq, &b));
        prop_assert_eq!(strings::lcs(&a, &b, u64::MAX, false).unwrap().len, r.len);
        // runs are reported from the end backwards, never overlap, cover the whole subsequence,
        // and each names equal bytes in both strings
        let mut joined = Vec::new();
        let mut prev: Option<strings::LcsMatch> = None;
        for m in &r.matches {
            let (x, y) = (&a[m.a.0 as usize..=m.a.1 as usize], &b[m.b.0 as usize..=m.b.1 as usize]);
            prop_assert_eq!(x, y);
            prop_assert_eq!(m.len as usize, x.len());
            if let Some(p) = prev {
                prop_assert!(m.a.1 < p.a.0 && m.b.1 < p.b.0);
            }
            prev = Some(*m);
        }
        for m in r.matches.iter().rev() {
            joined.extend_from_slice(&a[m.a.0 as usize..=m.a.1 as usize]);
        }
        prop_assert_eq!(joined, r.seq);
    }
}
