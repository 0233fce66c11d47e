//! Model test of the sorted set type and its data operations: random sequences of ZADD (with
//! flags), ZREM, ZINCRBY, range removals and pops run against `ZSet` (through
//! `vireo_keyspace::ops::zsets` where a `Db` is involved) and against a plain ordered model (a
//! vector of (score, member) pairs kept sorted). After every step both must agree on contents,
//! order, ranks, range counts and range reads, and the encoding must be the one Redis would
//! have: "listpack" until an insert crosses zset-max-listpack-entries / -value (small limits
//! here so that conversions happen often), "skiplist" afterwards (never back).

use proptest::prelude::*;
use std::cmp::Ordering;
use vireo_keyspace::db::Db;
use vireo_keyspace::ops::zsets::{self as ops, Select};
use vireo_keyspace::types::zset::{AddFlags, LexBound, LexRange, ScoreRange, ZSet};
use vireo_keyspace::types::Limits;
use vireo_keyspace::Value;

#[derive(Debug, Clone)]
enum Op {
    Add { score: i8, member: u8, long: bool, flags: u8 },
    Incr { by: i8, member: u8 },
    Rem { member: u8 },
    RemRank { start: i8, end: i8 },
    RemScore { min: i8, max: i8, minex: bool, maxex: bool },
    Pop { max: bool, count: u8 },
}

fn member_name(m: u8, long: bool) -> Vec<u8> {
    if long {
        format!("long-member-{:02}", m).into_bytes()
    } else if m.is_multiple_of(3) {
        // integers are stored in binary by the compact encoding
        format!("{}", m as i64 * 1000).into_bytes()
    } else {
        format!("m{}", m).into_bytes()
    }
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (any::<i8>(), 0u8..24, prop::bool::weighted(0.05), 0u8..32)
            .prop_map(|(score, member, long, flags)| Op::Add { score, member, long, flags }),
        1 => (any::<i8>(), 0u8..24).prop_map(|(by, member)| Op::Incr { by, member }),
        1 => (0u8..24).prop_map(|member| Op::Rem { member }),
        1 => (-10i8..10, -10i8..10).prop_map(|(start, end)| Op::RemRank { start, end }),
        1 => (any::<i8>(), any::<i8>(), any::<bool>(), any::<bool>())
            .prop_map(|(min, max, minex, maxex)| Op::RemScore { min, max, minex, maxex }),
        1 => (any::<bool>(), 0u8..4).prop_map(|(max, count)| Op::Pop { max, count }),
    ]
}

type Model = Vec<(f64, Vec<u8>)>;

fn cmp(a: &(f64, Vec<u8>), b: &(f64, Vec<u8>)) -> Ordering {
    a.0.partial_cmp(&b.0).unwrap().then_with(|| a.1.cmp(&b.1))
}

fn model_add(m: &mut Model, score: f64, member: &[u8], f: AddFlags) {
    let pos = m.iter().position(|(_, x)| x == member);
    match pos {
        Some(i) => {
            if f.nx {
                return;
            }
            let cur = m[i].0;
            let new = if f.incr { cur + score } else { score };
            if new.is_nan() || (f.gt && new <= cur) || (f.lt && new >= cur) {
                return;
            }
            m[i].0 = new;
        }
        None => {
            if f.xx {
                return;
            }
            m.push((score, member.to_vec()));
        }
    }
    m.sort_by(cmp);
}

fn zset_of(db: &mut Db) -> Option<&ZSet> {
    match db.peek(b"k").map(|e| &e.val) {
        Some(Value::ZSet(z)) => Some(z),
        _ => None,
    }
}

fn check(db: &mut Db, m: &Model, converted: bool) -> Result<(), TestCaseError> {
    let Some(z) = zset_of(db) else {
        prop_assert!(m.is_empty(), "key missing but model has {} members", m.len());
        return Ok(());
    };
    z.check().map_err(TestCaseError::fail)?;
    let got: Model = z.iter().map(|(e, s)| (s, e.to_bytes().into_owned())).collect();
    prop_assert_eq!(&got, m);
    prop_assert_eq!(z.encoding_name(), if converted { "skiplist" } else { "listpack" });
    for (i, (s, mem)) in m.iter().enumerate() {
        prop_assert_eq!(z.rank(mem), Some(i));
        prop_assert_eq!(z.score(mem), Some(*s));
    }
    // a few range reads in both directions
    for (lo, hi) in [(-50.0, 50.0), (0.0, 0.0), (-200.0, -10.0)] {
        let r = ScoreRange::incl(lo, hi);
        let want: Model = m.iter().filter(|(s, _)| *s >= lo && *s <= hi).cloned().collect();
        prop_assert_eq!(z.count_in_score_range(&r), want.len());
        let fw: Model = ops::select(z, &Select::Score(r, 0, -1), false)
            .into_iter()
            .map(|(k, s)| (s, k.as_slice().to_vec()))
            .collect();
        prop_assert_eq!(&fw, &want);
        let mut bw: Model = ops::select(z, &Select::Score(r, 0, -1), true)
            .into_iter()
            .map(|(k, s)| (s, k.as_slice().to_vec()))
            .collect();
        bw.reverse();
        prop_assert_eq!(&bw, &want);
    }
    let all = LexRange { min: LexBound::NegInf, max: LexBound::PosInf };
    prop_assert_eq!(z.count_in_lex_range(&all), m.len());
    let ranks: Model =
        ops::select(z, &Select::Rank(1, -2), false).into_iter().map(|(k, s)| (s, k.as_slice().to_vec())).collect();
    let want: Model = if m.len() >= 3 { m[1..m.len() - 1].to_vec() } else { Vec::new() };
    prop_assert_eq!(ranks, want);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn zset_matches_model(ops_list in prop::collection::vec(op(), 1..120)) {
        let limits = Limits { zset_max_listpack_entries: 8, zset_max_listpack_value: 12, ..Limits::default() };
        let mut db = Db::new(0);
        let mut m: Model = Vec::new();
        // the encoding Redis would have: converted once an insert crosses a limit
        let mut converted = false;
        for o in ops_list {
            match o {
                Op::Add { score, member, long, flags } => {
                    let f = AddFlags {
                        nx: flags & 1 != 0,
                        xx: flags & 2 != 0 && flags & 1 == 0,
                        gt: flags & 4 != 0 && flags & 1 == 0,
                        lt: flags & 8 != 0 && flags & 4 == 0 && flags & 1 == 0,
                        incr: false,
                    };
                    let name = member_name(member, long);
                    let existed = !m.is_empty();
                    let had = m.iter().any(|(_, x)| x == &name);
                    model_add(&mut m, score as f64, &name, f);
                    let added = !had && m.iter().any(|(_, x)| x == &name);
                    ops::zadd(&mut db, b"k", &[(score as f64, &name[..])], f, &limits).unwrap();
                    if added && (!existed && (name.len() > limits.zset_max_listpack_value)
                        || existed && (m.len() > limits.zset_max_listpack_entries || name.len() > limits.zset_max_listpack_value)) {
                        converted = true;
                    }
                }
                Op::Incr { by, member } => {
                    let name = member_name(member, false);
                    let existed = !m.is_empty();
                    let had = m.iter().any(|(_, x)| x == &name);
                    let f = AddFlags { incr: true, ..Default::default() };
                    model_add(&mut m, by as f64, &name, f);
                    ops::zadd(&mut db, b"k", &[(by as f64, &name[..])], f, &limits).unwrap();
                    if !had && existed && m.len() > limits.zset_max_listpack_entries {
                        converted = true;
                    }
                }
                Op::Rem { member } => {
                    let name = member_name(member, false);
                    m.retain(|(_, x)| x != &name);
                    ops::zrem(&mut db, b"k", &[&name[..]]).unwrap();
                }
                Op::RemRank { start, end } => {
                    let len = m.len() as i64;
                    if let Some((s, e)) = ops::rank_bounds(m.len(), start as i64, end as i64) {
                        m.drain(s..=e);
                    }
                    let _ = len;
                    ops::remove_selected(&mut db, b"k", &Select::Rank(start as i64, end as i64)).unwrap();
                }
                Op::RemScore { min, max, minex, maxex } => {
                    let r = ScoreRange { min: min as f64, max: max as f64, minex, maxex };
                    m.retain(|(s, _)| !(r.gte_min(*s) && r.lte_max(*s)));
                    ops::remove_selected(&mut db, b"k", &Select::Score(r, 0, -1)).unwrap();
                }
                Op::Pop { max, count } => {
                    let n = (count as usize).min(m.len());
                    let want: Model = if max {
                        m.drain(m.len() - n..).rev().collect()
                    } else {
                        m.drain(..n).collect()
                    };
                    let got = ops::pop(&mut db, b"k", max, count as usize);
                    let got: Model = got.pairs.into_iter().map(|(k, s)| (s, k.as_slice().to_vec())).collect();
                    prop_assert_eq!(got, want);
                }
            }
            if m.is_empty() {
                // the key is gone: a new one starts compact again
                converted = false;
            }
            check(&mut db, &m, converted)?;
        }
    }
}

/// Rebuilt results (the STORE commands) are encoded from their size, not from their history.
#[test]
fn stored_results_check_thresholds_again() {
    let limits = Limits { zset_max_listpack_entries: 4, zset_max_listpack_value: 8, ..Limits::default() };
    let mut db = Db::new(0);
    let mk = |n: usize, len: usize| -> Vec<(vireo_keyspace::sbytes::SBytes, f64)> {
        (0..n)
            .map(|i| (vireo_keyspace::sbytes::SBytes::new(format!("{:0w$}", i, w = len).as_bytes()), i as f64))
            .collect()
    };
    for (n, len, enc) in [(4, 8, "listpack"), (5, 8, "skiplist"), (4, 9, "skiplist"), (1, 1, "listpack")] {
        ops::store(&mut db, b"d", mk(n, len), &limits);
        prop_assert_enc(&mut db, enc);
    }
    assert_eq!(ops::store(&mut db, b"d", Vec::new(), &limits), ops::Stored::Deleted);
    assert_eq!(ops::store(&mut db, b"d", Vec::new(), &limits), ops::Stored::Nothing);
}

fn prop_assert_enc(db: &mut Db, enc: &str) {
    assert_eq!(db.peek(b"d").map(|e| e.encoding()), Some(enc));
}
