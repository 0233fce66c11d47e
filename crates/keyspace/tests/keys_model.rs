//! Property tests of the generic key operations:
//! - SCAN's guarantee: a key present from the start to the end of a full iteration is returned
//!   at least once, whatever is inserted and deleted between the calls (so the table grows,
//!   shrinks and rehashes under the cursor), and every returned key existed at some point;
//! - a model of two databases (a map from (db, key) to value and TTL) that RENAME, RENAMENX,
//!   MOVE, COPY, DEL, PERSIST and the EXPIRE conditions must agree with, which checks that TTLs
//!   travel with values the way Redis moves them.

use proptest::prelude::*;
use std::collections::{BTreeSet, HashMap};
use vireo_keyspace::db::{lru_clock, Clock, ExpireMode};
use vireo_keyspace::ops::keys::{self, Copy, Expire, ExpireCond, Move, Rename, ScanOpts, TtlState};
use vireo_keyspace::{Db, Keyspace, Value};

const NOW: i64 = 1_700_000_000_000;

fn clock() -> Clock {
    Clock { now_ms: NOW, lru: lru_clock(NOW), mode: ExpireMode::Master, touch: true, ..Clock::default() }
}

#[derive(Debug, Clone)]
enum Churn {
    Insert(u16),
    Delete(u16),
    Shrink,
    Rehash,
}

fn churn() -> impl Strategy<Value = Churn> {
    prop_oneof![
        4 => any::<u16>().prop_map(Churn::Insert),
        4 => any::<u16>().prop_map(Churn::Delete),
        1 => Just(Churn::Shrink),
        1 => Just(Churn::Rehash),
    ]
}

fn volatile(i: u16) -> Vec<u8> {
    format!("v:{}", i % 600).into_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn scan_returns_every_key_present_for_the_whole_iteration(
        stable in 0usize..300,
        initial in 0u16..600,
        counts in prop::collection::vec(1usize..40, 1..8),
        steps in prop::collection::vec(prop::collection::vec(churn(), 0..40), 1..200),
    ) {
        let mut db = Db::new(0);
        db.clock = clock();
        let mut ever: BTreeSet<Vec<u8>> = BTreeSet::new();
        for i in 0..stable {
            let k = format!("s:{i}").into_bytes();
            db.set(&k, Value::from_bytes(b"x"), false);
            ever.insert(k);
        }
        for i in 0..initial {
            let k = volatile(i);
            db.set(&k, Value::from_bytes(b"y"), false);
            ever.insert(k);
        }
        let mut seen: BTreeSet<Vec<u8>> = BTreeSet::new();
        let mut cursor = 0u64;
        let mut calls = 0usize;
        loop {
            let count = counts[calls % counts.len()];
            let (next, found) = keys::scan(&mut db, cursor, &ScanOpts { count, filter: None, type_name: None });
            for k in found {
                prop_assert!(ever.contains(&k[..]), "returned a key that never existed: {:?}", k);
                seen.insert(k.to_vec());
            }
            cursor = next;
            if cursor == 0 {
                break;
            }
            for c in &steps[calls % steps.len()] {
                match c {
                    Churn::Insert(i) => {
                        let k = volatile(*i);
                        db.set(&k, Value::from_bytes(b"y"), false);
                        ever.insert(k);
                    }
                    Churn::Delete(i) => {
                        keys::delete(&mut db, &volatile(*i));
                    }
                    Churn::Shrink => db.shrink_if_sparse(),
                    Churn::Rehash => {
                        db.rehash_for(1);
                    }
                }
            }
            calls += 1;
            prop_assert!(calls < 100_000, "scan did not terminate");
        }
        for i in 0..stable {
            let k = format!("s:{i}").into_bytes();
            prop_assert!(seen.contains(&k), "stable key {:?} was never returned", String::from_utf8_lossy(&k));
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    Set(usize, u8, u8),
    Expire(usize, u8, i64, u8),
    Persist(usize, u8),
    Rename(usize, u8, u8, bool),
    Move(usize, u8, usize),
    Copy(usize, u8, usize, u8, bool),
    Del(usize, u8),
    Swap(usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    let db = 0usize..2;
    prop_oneof![
        (db.clone(), 0u8..4, any::<u8>()).prop_map(|(d, k, v)| Op::Set(d, k, v)),
        (db.clone(), 0u8..4, 1i64..100_000, 0u8..16).prop_map(|(d, k, t, c)| Op::Expire(d, k, t, c)),
        (db.clone(), 0u8..4).prop_map(|(d, k)| Op::Persist(d, k)),
        (db.clone(), 0u8..4, 0u8..4, any::<bool>()).prop_map(|(d, a, b, nx)| Op::Rename(d, a, b, nx)),
        (db.clone(), 0u8..4, db.clone()).prop_map(|(d, k, e)| Op::Move(d, k, e)),
        (db.clone(), 0u8..4, db.clone(), 0u8..4, any::<bool>()).prop_map(|(d, a, e, b, r)| Op::Copy(d, a, e, b, r)),
        (db.clone(), 0u8..4).prop_map(|(d, k)| Op::Del(d, k)),
        (db.clone(), db).prop_map(|(a, b)| Op::Swap(a, b)),
    ]
}

type Model = HashMap<(usize, u8), (u8, Option<i64>)>;

fn name(k: u8) -> Vec<u8> {
    vec![b'k', b'0' + k]
}

fn check(ks: &mut Keyspace, m: &Model) -> Result<(), TestCaseError> {
    for db in 0..2 {
        prop_assert_eq!(ks.dbs[db].len(), m.keys().filter(|(d, _)| *d == db).count());
        prop_assert_eq!(ks.dbs[db].expires_len(), m.iter().filter(|((d, _), (_, t))| *d == db && t.is_some()).count());
        for k in 0..4u8 {
            let got = ks.dbs[db].peek(&name(k)).map(|e| e.val.as_bytes().unwrap().into_owned());
            let want = m.get(&(db, k)).map(|(v, _)| v.to_string().into_bytes());
            prop_assert_eq!(got, want);
            let ttl = keys::ttl(&mut ks.dbs[db], &name(k));
            let want_ttl = match m.get(&(db, k)) {
                None => TtlState::NoKey,
                Some((_, None)) => TtlState::Persistent,
                Some((_, Some(t))) => TtlState::At(*t),
            };
            prop_assert_eq!(ttl, want_ttl);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn ttls_travel_with_values(ops in prop::collection::vec(op(), 1..60)) {
        let mut ks = Keyspace::new(2);
        for d in &mut ks.dbs {
            d.clock = clock();
        }
        let mut m: Model = HashMap::new();
        for op in &ops {
            match *op {
                Op::Set(d, k, v) => {
                    ks.dbs[d].set(&name(k), Value::from_bytes(v.to_string().as_bytes()), false);
                    m.insert((d, k), (v, None));
                }
                Op::Expire(d, k, t, c) => {
                    let cond = ExpireCond { nx: c & 1 != 0, xx: c & 2 != 0, gt: c & 4 != 0, lt: c & 8 != 0 };
                    let when = NOW + t;
                    let got = keys::expire(&mut ks.dbs[d], &name(k), when, cond);
                    match m.get_mut(&(d, k)) {
                        None => prop_assert!(matches!(got, Expire::NoKey)),
                        Some((_, cur)) => {
                            // the conditions as the documentation states them (no TTL = infinite)
                            let refused = (cond.nx && cur.is_some())
                                || (cond.xx && cur.is_none())
                                || (cond.gt && cur.is_none_or(|c| when <= c))
                                || (cond.lt && cur.is_some_and(|c| when >= c));
                            let ok = !refused;
                            if ok {
                                prop_assert!(matches!(got, Expire::Set(w) if w == when));
                                *cur = Some(when);
                            } else {
                                prop_assert!(matches!(got, Expire::NotSet));
                            }
                        }
                    }
                }
                Op::Persist(d, k) => {
                    let had = matches!(m.get(&(d, k)), Some((_, Some(_))));
                    prop_assert_eq!(keys::persist(&mut ks.dbs[d], &name(k)), had);
                    if let Some(e) = m.get_mut(&(d, k)) {
                        e.1 = None;
                    }
                }
                Op::Rename(d, a, b, nx) => {
                    let got = keys::rename(&mut ks.dbs[d], &name(a), &name(b), nx);
                    match m.get(&(d, a)).copied() {
                        None => prop_assert!(matches!(got, Rename::NoSource)),
                        Some(_) if a == b => prop_assert!(matches!(got, Rename::SameKey)),
                        Some(_) if nx && m.contains_key(&(d, b)) => prop_assert!(matches!(got, Rename::DestExists)),
                        Some(src) => {
                            let had = m.contains_key(&(d, b));
                            let done = matches!(got, Rename::Done { ref replaced } if replaced.is_some() == had);
                            prop_assert!(done, "{:?}", got);
                            m.remove(&(d, a));
                            m.insert((d, b), src);
                        }
                    }
                }
                Op::Move(d, k, e) => {
                    if d == e {
                        continue;
                    }
                    let got = keys::move_key(&mut ks, d, e, &name(k));
                    match m.get(&(d, k)).copied() {
                        None => prop_assert_eq!(got, Move::NoKey),
                        Some(_) if m.contains_key(&(e, k)) => prop_assert_eq!(got, Move::DestExists),
                        Some(v) => {
                            prop_assert_eq!(got, Move::Moved);
                            m.remove(&(d, k));
                            m.insert((e, k), v);
                        }
                    }
                }
                Op::Copy(d, a, e, b, replace) => {
                    if d == e && a == b {
                        continue;
                    }
                    let got = keys::copy(&mut ks, d, e, &name(a), &name(b), replace);
                    match m.get(&(d, a)).copied() {
                        None => prop_assert!(matches!(got, Copy::NoSource)),
                        Some(_) if !replace && m.contains_key(&(e, b)) => prop_assert!(matches!(got, Copy::DestExists)),
                        Some(v) => {
                            let had = m.contains_key(&(e, b));
                            let done = matches!(got, Copy::Copied { ref replaced } if replaced.is_some() == had);
                            prop_assert!(done, "{:?}", got);
                            m.insert((e, b), v);
                        }
                    }
                }
                Op::Del(d, k) => {
                    prop_assert_eq!(keys::delete(&mut ks.dbs[d], &name(k)).is_some(), m.remove(&(d, k)).is_some());
                }
                Op::Swap(a, b) => {
                    prop_assert!(keys::swap_dbs(&mut ks, a, b));
                    if a != b {
                        let moved: Model = m.drain().map(|((d, k), v)| {
                            let d = if d == a { b } else if d == b { a } else { d };
                            ((d, k), v)
                        }).collect();
                        m = moved;
                    }
                }
            }
            check(&mut ks, &m)?;
        }
    }
}
