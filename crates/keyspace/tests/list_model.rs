//! Property test of the list type and its data operations against a simple model: two
//! `VecDeque`s standing for two keys. Random LPUSH/RPUSH(X), LPOP/RPOP with counts, LMPOP,
//! LSET, LINSERT, LREM, LTRIM and LMOVE sequences under small random `list-max-listpack-size`
//! settings (entry counts and byte sizes), with elements of every listpack encoding and some
//! elements large enough to get a plain node of their own, must agree with the model on every
//! result, the full contents after each step (forwards, backwards and from random indexes),
//! LINDEX, LPOS, key deletion once empty, and the quicklist's node invariants (no empty node,
//! valid listpacks, entry and byte limits of the fill setting respected, plain nodes only for
//! large elements).

use proptest::prelude::*;
use std::collections::VecDeque;
use vireo_keyspace::ops::lists::{self as ops, End, Inserted, SetOutcome};
use vireo_keyspace::types::list::{self, List, Node};
use vireo_keyspace::types::Limits;
use vireo_keyspace::value::Value;
use vireo_keyspace::Db;

const KEYS: [&[u8]; 2] = [b"a", b"b"];
/// Elements from this size on live in plain nodes during the test.
const PLAIN_FROM: usize = 600;

#[derive(Debug, Clone)]
enum Op {
    Push(usize, End, Vec<Vec<u8>>, bool),
    Pop(usize, End, usize),
    Mpop(End, usize),
    Set(usize, i64, Vec<u8>),
    Insert(usize, bool, Vec<u8>, Vec<u8>),
    Rem(usize, i64, Vec<u8>),
    Trim(usize, i64, i64),
    Move(usize, End, End),
    Probe(usize, i64, Vec<u8>, i64, usize, usize),
}

fn end() -> impl Strategy<Value = End> {
    prop_oneof![Just(End::Head), Just(End::Tail)]
}

fn elem() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => (0u8..6).prop_map(|i| format!("v{i}").into_bytes()),
        4 => prop::sample::select(vec![
            "0", "1", "-1", "127", "128", "-4096", "4095", "32767", "-32768", "8388607", "-8388608",
            "2147483647", "-2147483648", "9223372036854775807", "-9223372036854775808", "01", "+1", "",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        2 => (60usize..70).prop_map(|n| vec![b'm'; n]),
        1 => (4000usize..4200).prop_map(|n| vec![b'k'; n]),
        1 => (PLAIN_FROM..PLAIN_FROM + 10).prop_map(|n| vec![b'P'; n]),
    ]
}

fn index() -> impl Strategy<Value = i64> {
    prop_oneof![8 => -12i64..12, 1 => Just(i64::MAX), 1 => Just(i64::MIN)]
}

fn op() -> impl Strategy<Value = Op> {
    let k = 0usize..2;
    prop_oneof![
        6 => (k.clone(), end(), prop::collection::vec(elem(), 1..6), prop::bool::weighted(0.15))
            .prop_map(|(k, e, v, x)| Op::Push(k, e, v, x)),
        3 => (k.clone(), end(), 0usize..5).prop_map(|(k, e, n)| Op::Pop(k, e, n)),
        1 => (end(), 1usize..4).prop_map(|(e, n)| Op::Mpop(e, n)),
        2 => (k.clone(), index(), elem()).prop_map(|(k, i, v)| Op::Set(k, i, v)),
        2 => (k.clone(), any::<bool>(), elem(), elem()).prop_map(|(k, a, p, v)| Op::Insert(k, a, p, v)),
        2 => (k.clone(), prop_oneof![-3i64..4, Just(i64::MIN)], elem()).prop_map(|(k, c, v)| Op::Rem(k, c, v)),
        1 => (k.clone(), index(), index()).prop_map(|(k, s, e)| Op::Trim(k, s, e)),
        2 => (k.clone(), end(), end()).prop_map(|(k, f, t)| Op::Move(k, f, t)),
        2 => (k, prop_oneof![-3i64..4, Just(i64::MIN + 1)].prop_filter("rank 0", |r| *r != 0), elem(), index(), 0usize..4, 0usize..8)
            .prop_map(|(k, r, v, i, c, m)| Op::Probe(k, r, v, i, c, m)),
    ]
}

fn fill() -> impl Strategy<Value = i64> {
    prop::sample::select(vec![1i64, 2, 3, 5, 128, -1, -2])
}

type Model = [VecDeque<Vec<u8>>; 2];

fn norm(len: usize, i: i64) -> Option<usize> {
    let len = len as i64;
    let j = if i < 0 { i.checked_add(len)? } else { i };
    (0..len).contains(&j).then_some(j as usize)
}

fn list_of(db: &Db, k: usize) -> Option<&List> {
    match db.peek(KEYS[k]).map(|e| &e.val) {
        Some(Value::List(l)) => Some(l),
        Some(_) => panic!("not a list"),
        None => None,
    }
}

fn contents(l: &List) -> Vec<Vec<u8>> {
    l.iter().map(|e| e.to_bytes().into_owned()).collect()
}

/// Node limits of the fill setting, as Redis's quicklist keeps them.
fn check_nodes(l: &List, fill: i64) {
    l.check().unwrap();
    for n in l.nodes() {
        match n {
            Node::Plain(_) => assert_eq!(n.count(), 1),
            Node::Packed(_) => {
                if n.count() > 1 {
                    if fill > 0 {
                        assert!(n.count() <= fill as usize, "node of {} entries with fill {fill}", n.count());
                        assert!(n.size() <= 8192 + 4200, "node of {} bytes", n.size());
                    } else {
                        let cap = 4096usize << (-fill - 1);
                        assert!(n.size() <= cap, "node of {} bytes over {cap}", n.size());
                    }
                }
            }
        }
    }
}

fn model_positions(m: &VecDeque<Vec<u8>>, v: &[u8], rank: i64, count: usize, maxlen: usize) -> Vec<usize> {
    let len = m.len();
    let limit = if maxlen == 0 { len } else { maxlen.min(len) };
    let order: Vec<usize> =
        if rank > 0 { (0..len).take(limit).collect() } else { (0..len).rev().take(limit).collect() };
    let skip = (rank.unsigned_abs() - 1) as usize;
    let hits = order.into_iter().filter(|&i| m[i] == v).skip(skip);
    if count == 0 {
        hits.collect()
    } else {
        hits.take(count).collect()
    }
}

fn run(ops_seq: Vec<Op>, fill: i64) {
    let limits = Limits { list_max_listpack_size: fill, ..Limits::default() };
    let mut db = Db::new(0);
    let mut m: Model = Default::default();
    for op in ops_seq {
        match op {
            Op::Push(k, e, vals, only_existing) => {
                let n = ops::push(&mut db, KEYS[k], &vals, e, only_existing, &limits).unwrap();
                if !(only_existing && m[k].is_empty()) {
                    for v in &vals {
                        match e {
                            End::Head => m[k].push_front(v.clone()),
                            End::Tail => m[k].push_back(v.clone()),
                        }
                    }
                }
                assert_eq!(n, m[k].len());
            }
            Op::Pop(k, e, count) => {
                let mut got = Vec::new();
                let r = ops::pop(&mut db, KEYS[k], e, count, |x| got.push(x.to_bytes().into_owned())).unwrap();
                if m[k].is_empty() {
                    assert!(r.is_none());
                } else {
                    let mut want = Vec::new();
                    for _ in 0..count.min(m[k].len()) {
                        want.push(match e {
                            End::Head => m[k].pop_front().unwrap(),
                            End::Tail => m[k].pop_back().unwrap(),
                        });
                    }
                    let p = r.unwrap();
                    assert_eq!(got, want);
                    assert_eq!(p.count, want.len());
                    assert_eq!(p.deleted, count > 0 && m[k].is_empty());
                }
            }
            Op::Mpop(e, count) => {
                let mut got = Vec::new();
                let r = ops::mpop(&mut db, &KEYS, e, count, |i, x| got.push((i, x.to_bytes().into_owned()))).unwrap();
                match m.iter().position(|l| !l.is_empty()) {
                    None => assert!(r.is_none()),
                    Some(k) => {
                        let (i, p) = r.unwrap();
                        assert_eq!(i, k);
                        let mut want = Vec::new();
                        for _ in 0..count.min(m[k].len()) {
                            want.push((
                                k,
                                match e {
                                    End::Head => m[k].pop_front().unwrap(),
                                    End::Tail => m[k].pop_back().unwrap(),
                                },
                            ));
                        }
                        assert_eq!(got, want);
                        assert_eq!(p.deleted, m[k].is_empty());
                    }
                }
            }
            Op::Set(k, i, v) => {
                let r = ops::set(&mut db, KEYS[k], i, &v).unwrap();
                if m[k].is_empty() {
                    assert_eq!(r, SetOutcome::NoSuchKey);
                } else {
                    match norm(m[k].len(), i) {
                        None => assert_eq!(r, SetOutcome::OutOfRange),
                        Some(j) => {
                            assert_eq!(r, SetOutcome::Done);
                            m[k][j] = v;
                        }
                    }
                }
            }
            Op::Insert(k, after, pivot, v) => {
                let r = ops::insert(&mut db, KEYS[k], after, &pivot, &v).unwrap();
                if m[k].is_empty() {
                    assert_eq!(r, Inserted::NoSuchKey);
                } else {
                    match m[k].iter().position(|x| *x == pivot) {
                        None => assert_eq!(r, Inserted::NoPivot),
                        Some(j) => {
                            m[k].insert(if after { j + 1 } else { j }, v);
                            assert_eq!(r, Inserted::Len(m[k].len()));
                        }
                    }
                }
            }
            Op::Rem(k, count, v) => {
                let r = ops::rem(&mut db, KEYS[k], count, &v).unwrap();
                if m[k].is_empty() {
                    assert!(r.is_none());
                } else {
                    let limit = if count == 0 { usize::MAX } else { count.unsigned_abs() as usize };
                    let mut removed = 0;
                    let len = m[k].len();
                    let order: Vec<usize> = if count < 0 { (0..len).rev().collect() } else { (0..len).collect() };
                    let mut doomed = Vec::new();
                    for j in order {
                        if removed < limit && m[k][j] == v {
                            doomed.push(j);
                            removed += 1;
                        }
                    }
                    doomed.sort_unstable();
                    for j in doomed.into_iter().rev() {
                        m[k].remove(j);
                    }
                    assert_eq!(r, Some((removed, m[k].is_empty())));
                }
            }
            Op::Trim(k, s, e) => {
                let r = ops::trim(&mut db, KEYS[k], s, e).unwrap();
                if m[k].is_empty() {
                    assert!(r.is_none());
                } else {
                    let len = m[k].len() as i64;
                    let s2 = if s < 0 { s.saturating_add(len).max(0) } else { s };
                    let e2 = if e < 0 { e.saturating_add(len) } else { e.min(len - 1) };
                    let before = m[k].len();
                    let kept: VecDeque<Vec<u8>> = if s2 > e2 || s2 >= len {
                        VecDeque::new()
                    } else {
                        m[k].iter().skip(s2 as usize).take((e2 - s2 + 1) as usize).cloned().collect()
                    };
                    m[k] = kept;
                    assert_eq!(r, Some((before - m[k].len(), m[k].is_empty())));
                }
            }
            Op::Move(k, from, to) => {
                let (src, dst) = (k, 1 - k);
                let r = ops::lmove(&mut db, KEYS[src], KEYS[dst], from, to, &limits).unwrap();
                if m[src].is_empty() {
                    assert!(r.is_none());
                } else {
                    let v = match from {
                        End::Head => m[src].pop_front().unwrap(),
                        End::Tail => m[src].pop_back().unwrap(),
                    };
                    match to {
                        End::Head => m[dst].push_front(v.clone()),
                        End::Tail => m[dst].push_back(v.clone()),
                    }
                    let got = r.unwrap();
                    assert_eq!(got.value, v);
                    assert_eq!(got.src_deleted, m[src].is_empty());
                }
            }
            Op::Probe(k, rank, v, i, count, maxlen) => {
                let Some(l) = ops::read(&mut db, KEYS[k]).unwrap() else {
                    assert!(m[k].is_empty());
                    continue;
                };
                let want = norm(m[k].len(), i).map(|j| m[k][j].clone());
                assert_eq!(l.get(i).map(|e| e.to_bytes().into_owned()), want);
                assert_eq!(ops::positions(l, &v, rank, count, maxlen), model_positions(&m[k], &v, rank, count, maxlen));
                if let Some(j) = norm(m[k].len(), i) {
                    let fwd: Vec<Vec<u8>> = l.iter_from(j).map(|e| e.to_bytes().into_owned()).collect();
                    assert_eq!(fwd, m[k].iter().skip(j).cloned().collect::<Vec<_>>());
                    let back: Vec<Vec<u8>> = l.iter_rev_from(j).map(|e| e.to_bytes().into_owned()).collect();
                    assert_eq!(back, m[k].iter().take(j + 1).rev().cloned().collect::<Vec<_>>());
                }
            }
        }
        for (k, want) in m.iter().enumerate() {
            match list_of(&db, k) {
                None => assert!(want.is_empty(), "key {k} missing but model holds {}", want.len()),
                Some(l) => {
                    assert!(!want.is_empty(), "empty list kept under key {k}");
                    assert_eq!(l.len(), want.len());
                    assert_eq!(contents(l), want.iter().cloned().collect::<Vec<_>>());
                    let rev: Vec<Vec<u8>> = l.iter().rev().map(|e| e.to_bytes().into_owned()).collect();
                    assert_eq!(rev, want.iter().rev().cloned().collect::<Vec<_>>());
                    assert_eq!(l.encoding_name(), "quicklist");
                    check_nodes(l, fill);
                    for n in l.nodes() {
                        if let Node::Plain(_) = n {
                            assert!(n.size() >= PLAIN_FROM, "plain node for a small element");
                        }
                    }
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn lists_behave_like_the_model(ops_seq in prop::collection::vec(op(), 1..80), fill in fill()) {
        // the only test of this binary, so changing the process-wide threshold is safe
        assert!(list::set_packed_threshold(PLAIN_FROM as u64));
        run(ops_seq, fill);
    }
}
