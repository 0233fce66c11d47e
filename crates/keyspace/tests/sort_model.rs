//! Model-based test of SORT's data side: random sets (intset and hashtable encodings, numbers
//! and words), weights in string keys and hash fields, and random options (BY, GET, ASC/DESC,
//! ALPHA, LIMIT, STORE) are sorted by `ops::sort` and by a plain model (a Vec sorted with the
//! comparison SORT defines). The rows must agree exactly; STORE must leave a list with the same
//! elements, missing GET values as empty strings. Weights are distinct whenever equal ones would
//! leave the order unspecified (ALPHA by a pattern, where ties keep the set's own order).

use proptest::prelude::*;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use vireo_keyspace::ops::sets;
use vireo_keyspace::ops::sort::{self, SortError, SortOptions, Stored};
use vireo_keyspace::types::{hash::Hash, Limits};
use vireo_keyspace::{Db, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum By {
    Elem,
    Key,
    Field,
}

#[derive(Debug, Clone)]
struct Case {
    members: BTreeSet<Vec<u8>>,
    /// Weight per member (None: no weight key), as text.
    weights: BTreeMap<Vec<u8>, Option<String>>,
    by: By,
    gets: Vec<u8>,
    desc: bool,
    alpha: bool,
    offset: i64,
    count: i64,
    store: bool,
    intset_max: usize,
}

fn member() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![(-50i64..50).prop_map(|n| n.to_string().into_bytes()), "[a-e]{1,3}".prop_map(|s| s.into_bytes()),]
}

fn weight() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        (-20i64..20).prop_map(|n| Some(n.to_string())),
        (-20i64..20).prop_map(|n| Some(format!("{}.5", n))),
        Just(Some("x".to_string())),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::btree_set(member(), 0..24),
        prop::collection::vec(weight(), 24),
        prop_oneof![Just(By::Elem), Just(By::Key), Just(By::Field)],
        prop::collection::vec(0u8..3, 0..3),
        any::<bool>(),
        any::<bool>(),
        -3i64..30,
        -2i64..30,
        any::<bool>(),
        prop_oneof![Just(0usize), Just(512usize)],
    )
        .prop_map(|(members, ws, by, gets, desc, alpha, offset, count, store, intset_max)| {
            let mut weights = BTreeMap::new();
            for (i, m) in members.iter().enumerate() {
                let w = if alpha && by != By::Elem {
                    // distinct and always present: ties would leave the order unspecified
                    Some(format!("w{:03}", (i * 7919) % 1000))
                } else {
                    ws[i].clone()
                };
                weights.insert(m.clone(), w);
            }
            Case { members, weights, by, gets, desc, alpha, offset, count, store, intset_max }
        })
}

fn score(b: &[u8]) -> Option<f64> {
    std::str::from_utf8(b).ok()?.parse::<f64>().ok().filter(|x| !x.is_nan())
}

const GET_PATTERNS: [&[u8]; 3] = [b"#", b"w_*", b"h_*->f"];

/// What a pattern finds for member `m` in the model.
fn model_get(c: &Case, p: u8, m: &[u8]) -> Option<Vec<u8>> {
    match p {
        0 => Some(m.to_vec()),
        _ => c.weights.get(m).cloned().flatten().map(String::into_bytes),
    }
}

fn model(c: &Case) -> Result<Vec<Option<Vec<u8>>>, SortError> {
    struct It {
        m: Vec<u8>,
        score: f64,
        cmp: Option<Vec<u8>>,
    }
    let mut bad = false;
    let mut items: Vec<It> = c
        .members
        .iter()
        .map(|m| {
            let byval = match c.by {
                By::Elem => Some(m.clone()),
                _ => c.weights[m].clone().map(String::into_bytes),
            };
            let mut it = It { m: m.clone(), score: 0.0, cmp: None };
            if c.alpha {
                it.cmp = byval;
            } else if let Some(v) = byval {
                match score(&v) {
                    Some(s) => it.score = s,
                    None => bad = true,
                }
            }
            it
        })
        .collect();
    if bad {
        return Err(SortError::BadScore);
    }
    items.sort_by(|a, b| {
        let o = if !c.alpha {
            a.score.partial_cmp(&b.score).unwrap_or(Ordering::Equal).then_with(|| a.m.cmp(&b.m))
        } else {
            a.cmp.cmp(&b.cmp)
        };
        if c.desc {
            o.reverse()
        } else {
            o
        }
    });
    let len = items.len() as i64;
    let start = c.offset.max(0);
    let end = if c.count < 0 { len } else { (start + c.count).min(len) };
    let mut rows = Vec::new();
    for it in items.iter().skip(start as usize).take((end - start).max(0) as usize) {
        if c.gets.is_empty() {
            rows.push(Some(it.m.clone()));
        }
        for &g in &c.gets {
            rows.push(model_get(c, g, &it.m));
        }
    }
    Ok(rows)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn sort_agrees_with_the_model(c in case()) {
        let limits = Limits { set_max_intset_entries: c.intset_max, ..Limits::default() };
        let mut db = Db::new(0);
        let members: Vec<&Vec<u8>> = c.members.iter().collect();
        if !members.is_empty() {
            sets::sadd(&mut db, b"s", &members, &limits).unwrap();
        }
        for (m, w) in &c.weights {
            if let Some(w) = w {
                let mut k = b"w_".to_vec();
                k.extend_from_slice(m);
                db.add(&k, Value::from_bytes(w.as_bytes()));
                let mut hk = b"h_".to_vec();
                hk.extend_from_slice(m);
                let mut h = Hash::new();
                h.set(b"f", w.as_bytes(), &limits);
                db.add(&hk, Value::Hash(Box::new(h)));
            }
        }
        let mut o = SortOptions::new();
        o.by = match c.by {
            By::Elem => None,
            By::Key => Some(b"w_*"),
            By::Field => Some(b"h_*->f"),
        };
        o.get = c.gets.iter().map(|&g| GET_PATTERNS[g as usize]).collect();
        o.desc = c.desc;
        o.alpha = c.alpha;
        o.offset = c.offset;
        o.count = c.count;
        o.store = c.store;
        let expected = model(&c);
        // the model compares strings as bytes: STORE's rule, and strcoll's for these members
        let got = sort::sort(&mut db, b"s", &o, &score);
        prop_assert_eq!(&got, &expected);
        if let (true, Ok(rows)) = (c.store, got) {
            let n = rows.len();
            let stored = sort::store(&mut db, b"dst", rows.clone(), &limits);
            if n == 0 {
                prop_assert_eq!(stored, Stored::Nothing);
                prop_assert!(db.peek(b"dst").is_none());
            } else {
                prop_assert_eq!(stored, Stored::List(n));
                let Some(Value::List(l)) = db.peek(b"dst").map(|e| &e.val) else {
                    return Err(TestCaseError::fail("no list stored"));
                };
                let items: Vec<Vec<u8>> = l.iter().map(|e| e.to_bytes().into_owned()).collect();
                let want: Vec<Vec<u8>> = rows.into_iter().map(Option::unwrap_or_default).collect();
                prop_assert_eq!(items, want);
            }
        }
    }
}
