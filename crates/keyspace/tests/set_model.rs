//! Model-based tests of the set operations: random sequences of SADD, SREM, SMOVE, SISMEMBER,
//! SCARD, SPOP (with and without a count), SRANDMEMBER with a count, and the SINTER / SUNION /
//! SDIFF stores run against a `Db` and against a map of `BTreeSet`s. Every answer and every stored
//! set must agree, and the encoding must follow Redis's rules at a small, random
//! set-max-intset-entries: a set made only of canonical integers that never grew past the limit
//! is an intset, and an intset never holds anything else or more than the limit. Random choices
//! are checked for what they must be (distinct, members of the set, the right number), not for
//! which members were chosen.

use proptest::prelude::*;
use std::collections::{BTreeSet, HashMap};
use vireo_keyspace::ops::sets::{self, Move, PopMany, RandMembers, Stored};
use vireo_keyspace::ops::OpError;
use vireo_keyspace::types::Limits;
use vireo_keyspace::{Db, Rng, Value};

type M = BTreeSet<Vec<u8>>;

#[derive(Debug, Clone)]
enum Op {
    Add(u8, Vec<Vec<u8>>),
    Rem(u8, Vec<Vec<u8>>),
    Move(u8, u8, Vec<u8>),
    IsMember(u8, Vec<u8>),
    Card(u8),
    Pop(u8),
    PopCount(u8, u64),
    RandCount(u8, i64),
    Inter(u8, u8, u8),
    Union(u8, u8, u8),
    Diff(u8, u8, u8),
    SetString(u8),
}

/// What the test knows of a key's encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Enc {
    /// Created from integers only and never past the limit: must be an intset.
    Intset,
    /// Once a hashtable, SADD/SREM/SMOVE never convert it back.
    Hashtable,
    /// SPOP with a count may rebuild the set; only the invariants are checked.
    Unknown,
}

fn key(k: u8) -> Vec<u8> {
    vec![b's', b'0' + k % 4]
}

fn member() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => (0u8..12).prop_map(|n| n.to_string().into_bytes()),
        1 => prop::sample::select(vec![
            b"-1".to_vec(),
            b"01".to_vec(),
            b"-0".to_vec(),
            b"+1".to_vec(),
            b" 2".to_vec(),
            b"".to_vec(),
            b"9223372036854775807".to_vec(),
            b"-9223372036854775808".to_vec(),
            b"9223372036854775808".to_vec(),
        ]),
        2 => prop::sample::select(vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec(), b"\x00z".to_vec()]),
    ]
}

fn members() -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop::collection::vec(member(), 1..6)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (any::<u8>(), members()).prop_map(|(k, m)| Op::Add(k, m)),
        3 => (any::<u8>(), members()).prop_map(|(k, m)| Op::Rem(k, m)),
        2 => (any::<u8>(), any::<u8>(), member()).prop_map(|(a, b, m)| Op::Move(a, b, m)),
        1 => (any::<u8>(), member()).prop_map(|(k, m)| Op::IsMember(k, m)),
        1 => any::<u8>().prop_map(Op::Card),
        1 => any::<u8>().prop_map(Op::Pop),
        2 => (any::<u8>(), prop_oneof![0u64..12, Just(u64::MAX >> 1)]).prop_map(|(k, n)| Op::PopCount(k, n)),
        2 => (any::<u8>(), prop_oneof![-12i64..12, Just(i64::MAX), Just(-i64::MAX)]).prop_map(|(k, n)| Op::RandCount(k, n)),
        1 => (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(d, a, b)| Op::Inter(d, a, b)),
        1 => (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(d, a, b)| Op::Union(d, a, b)),
        1 => (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(d, a, b)| Op::Diff(d, a, b)),
        1 => any::<u8>().prop_map(Op::SetString),
    ]
}

/// A member an intset can hold: the canonical decimal form of a 64-bit integer.
fn is_int(m: &[u8]) -> bool {
    let Ok(t) = std::str::from_utf8(m) else { return false };
    t.parse::<i64>().is_ok_and(|n| n.to_string() == t)
}

/// The encoding a freshly built set of these members has (SINTERSTORE and friends build their
/// result by adding members one at a time to an intset).
fn built_enc(m: &M, max: usize) -> Enc {
    if m.iter().all(|x| is_int(x)) && m.len() <= max {
        Enc::Intset
    } else {
        Enc::Hashtable
    }
}

/// Either a set in the model, a string (for the WRONGTYPE paths), or nothing.
#[derive(Debug, Clone)]
enum Slot {
    Set(M, Enc),
    Str,
}

struct Model {
    keys: HashMap<Vec<u8>, Slot>,
    max: usize,
}

impl Model {
    /// Set view of a key for reading: `Err` for a string.
    fn read(&self, k: &[u8]) -> Result<Option<&M>, OpError> {
        match self.keys.get(k) {
            None => Ok(None),
            Some(Slot::Str) => Err(OpError::WrongType),
            Some(Slot::Set(m, _)) => Ok(Some(m)),
        }
    }
    fn add(&mut self, k: &[u8], ms: &[Vec<u8>]) -> usize {
        let max = self.max;
        let slot = self.keys.entry(k.to_vec()).or_insert_with(|| {
            // the first member decides the initial encoding
            Slot::Set(M::new(), if is_int(&ms[0]) { Enc::Intset } else { Enc::Hashtable })
        });
        let Slot::Set(set, enc) = slot else { unreachable!() };
        let mut n = 0;
        for m in ms {
            if set.insert(m.clone()) {
                n += 1;
                if *enc != Enc::Hashtable && (!is_int(m) || set.len() > max) {
                    *enc = Enc::Hashtable;
                }
            }
        }
        n
    }
    /// Removes members; deletes the key once empty. Returns how many were removed.
    fn rem(&mut self, k: &[u8], ms: &[Vec<u8>]) -> usize {
        let Some(Slot::Set(set, _)) = self.keys.get_mut(k) else { return 0 };
        let mut n = 0;
        for m in ms {
            if set.remove(m) {
                n += 1;
            }
        }
        if set.is_empty() {
            self.keys.remove(k);
        }
        n
    }
    fn store(&mut self, k: &[u8], m: M) -> Stored {
        if m.is_empty() {
            return if self.keys.remove(k).is_some() { Stored::Deleted } else { Stored::Nothing };
        }
        let n = m.len();
        let enc = built_enc(&m, self.max);
        self.keys.insert(k.to_vec(), Slot::Set(m, enc));
        Stored::Stored(n)
    }
}

fn members_of(db: &mut Db, k: &[u8]) -> Option<(M, &'static str)> {
    let e = db.peek(k)?;
    let Value::Set(s) = &e.val else { return None };
    Some((s.iter().map(|x| x.to_bytes().into_owned()).collect(), e.encoding()))
}

fn check(db: &mut Db, model: &Model) -> Result<(), TestCaseError> {
    for i in 0..4u8 {
        let k = key(i);
        match model.keys.get(&k) {
            None => prop_assert!(db.peek(&k).is_none(), "key {:?} should not exist", k),
            Some(Slot::Str) => {
                prop_assert!(matches!(db.peek(&k).map(|e| &e.val), Some(v) if !matches!(v, Value::Set(_))))
            }
            Some(Slot::Set(m, enc)) => {
                let (got, encoding) = members_of(db, &k).expect("a set");
                prop_assert_eq!(&got, m);
                match enc {
                    Enc::Intset => prop_assert_eq!(encoding, "intset"),
                    Enc::Hashtable => prop_assert_eq!(encoding, "hashtable"),
                    Enc::Unknown => {}
                }
                if encoding == "intset" {
                    prop_assert!(
                        m.iter().all(|x| is_int(x)) && m.len() <= model.max,
                        "intset breaks its limits: {:?}",
                        m
                    );
                }
            }
        }
    }
    Ok(())
}

fn distinct_subset(got: &[Vec<u8>], of: &M) -> bool {
    let uniq: BTreeSet<&Vec<u8>> = got.iter().collect();
    uniq.len() == got.len() && got.iter().all(|g| of.contains(g))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn set_ops_agree_with_a_model(max in 0usize..6, seed in any::<u64>(), ops in prop::collection::vec(op(), 1..50)) {
        let limits = Limits { set_max_intset_entries: max, ..Limits::default() };
        let mut rng = Rng::from_seed(seed);
        let mut db = Db::new(0);
        let mut model = Model { keys: HashMap::new(), max };
        for op in ops {
            match op {
                Op::Add(k, ms) => {
                    let k = key(k);
                    let r = sets::sadd(&mut db, &k, &ms, &limits);
                    match model.read(&k) {
                        Err(e) => prop_assert_eq!(r, Err(e)),
                        Ok(_) => prop_assert_eq!(r, Ok(model.add(&k, &ms))),
                    }
                }
                Op::Rem(k, ms) => {
                    let k = key(k);
                    let r = sets::srem(&mut db, &k, &ms);
                    match model.read(&k) {
                        Err(e) => prop_assert_eq!(r, Err(e)),
                        Ok(_) => {
                            let n = model.rem(&k, &ms);
                            let r = r.unwrap();
                            prop_assert_eq!(r.removed, n);
                            prop_assert_eq!(r.key_deleted, n > 0 && !model.keys.contains_key(&k));
                        }
                    }
                }
                Op::Move(a, b, m) => {
                    let (ka, kb) = (key(a), key(b));
                    let r = sets::smove(&mut db, &ka, &kb, &m, &limits);
                    let (sa, sb) = (model.read(&ka), model.read(&kb));
                    match (sa, sb) {
                        (Ok(None), _) => prop_assert_eq!(r, Ok(Move::SrcMissing)),
                        (Err(e), _) | (Ok(Some(_)), Err(e)) => prop_assert_eq!(r, Err(e)),
                        (Ok(Some(src)), Ok(_)) if ka == kb => {
                            let is_member = src.contains(&m);
                            prop_assert_eq!(r, Ok(Move::SameKey { is_member }));
                        }
                        (Ok(Some(src)), Ok(dst)) => {
                            if !src.contains(&m) {
                                prop_assert_eq!(r, Ok(Move::NotMember));
                            } else {
                                let dst_added = !dst.is_some_and(|d| d.contains(&m));
                                model.rem(&ka, std::slice::from_ref(&m));
                                let src_deleted = !model.keys.contains_key(&ka);
                                model.add(&kb, std::slice::from_ref(&m));
                                prop_assert_eq!(r, Ok(Move::Moved { src_deleted, dst_added }));
                            }
                        }
                    }
                }
                Op::IsMember(k, m) => {
                    let k = key(k);
                    let want = model.read(&k).map(|s| s.is_some_and(|s| s.contains(&m)));
                    prop_assert_eq!(sets::sismember(&mut db, &k, &m), want);
                }
                Op::Card(k) => {
                    let k = key(k);
                    let want = model.read(&k).map(|s| s.map_or(0, |s| s.len()));
                    prop_assert_eq!(sets::scard(&mut db, &k), want);
                }
                Op::Pop(k) => {
                    let k = key(k);
                    let r = sets::spop(&mut db, &k, &mut rng);
                    match model.read(&k) {
                        Err(e) => prop_assert_eq!(r, Err(e)),
                        Ok(None) => prop_assert_eq!(r, Ok(None)),
                        Ok(Some(s)) => {
                            let p = r.unwrap().expect("a member");
                            prop_assert!(s.contains(&p.member[..]));
                            model.rem(&k, &[p.member.to_vec()]);
                            prop_assert_eq!(p.key_deleted, !model.keys.contains_key(&k));
                        }
                    }
                }
                Op::PopCount(k, n) => {
                    let k = key(k);
                    let r = sets::spop_count(&mut db, &k, n, &mut rng, &limits);
                    match model.read(&k) {
                        Err(e) => prop_assert_eq!(r, Err(e)),
                        Ok(None) => prop_assert_eq!(r, Ok(PopMany::Missing)),
                        Ok(Some(_)) if n == 0 => prop_assert_eq!(r, Ok(PopMany::Zero)),
                        Ok(Some(s)) => {
                            let s = s.clone();
                            match r.unwrap() {
                                PopMany::All(got) => {
                                    prop_assert!(n >= s.len() as u64);
                                    let got: M = got.iter().map(|m| m.to_vec()).collect();
                                    prop_assert_eq!(&got, &s);
                                    model.keys.remove(&k);
                                }
                                PopMany::Some(got) => {
                                    prop_assert!(n < s.len() as u64);
                                    let got: Vec<Vec<u8>> = got.iter().map(|m| m.to_vec()).collect();
                                    prop_assert_eq!(got.len() as u64, n);
                                    prop_assert!(distinct_subset(&got, &s));
                                    model.rem(&k, &got);
                                    if let Some(Slot::Set(_, enc)) = model.keys.get_mut(&k) {
                                        *enc = Enc::Unknown;
                                    }
                                }
                                other => prop_assert!(false, "unexpected {:?}", other),
                            }
                        }
                    }
                }
                Op::RandCount(k, n) => {
                    let k = key(k);
                    let want = model.read(&k).map(|s| s.cloned());
                    let r = sets::srandmember_count(&mut db, &k, n, &mut rng);
                    match (want, r) {
                        (Err(e), r) => prop_assert_eq!(r.err(), Some(e)),
                        (Ok(_), Err(e)) => prop_assert!(false, "unexpected error {:?}", e),
                        (Ok(None), Ok(r)) => prop_assert!(matches!(r, RandMembers::Empty)),
                        (Ok(Some(s)), Ok(r)) => match r {
                            RandMembers::Empty => prop_assert_eq!(n, 0),
                            RandMembers::Repeat { set, times } => {
                                prop_assert!(n < 0 || n == 1);
                                prop_assert_eq!(times, n.unsigned_abs());
                                prop_assert_eq!(set.len(), s.len());
                            }
                            RandMembers::Whole(set) => {
                                prop_assert!(n as u64 >= s.len() as u64);
                                let got: M = set.iter().map(|x| x.to_bytes().into_owned()).collect();
                                prop_assert_eq!(&got, &s);
                            }
                            RandMembers::Distinct(got) => {
                                let got: Vec<Vec<u8>> = got.iter().map(|m| m.to_vec()).collect();
                                prop_assert!(n > 1 && (n as u64) < s.len() as u64);
                                prop_assert_eq!(got.len() as u64, n as u64);
                                prop_assert!(distinct_subset(&got, &s));
                            }
                        },
                    }
                }
                Op::Inter(d, a, b) | Op::Union(d, a, b) | Op::Diff(d, a, b) => {
                    let (kd, ka, kb) = (key(d), key(a), key(b));
                    let want: Result<M, OpError> = (|| {
                        let sa = model.read(&ka)?.cloned();
                        let sb = model.read(&kb)?.cloned();
                        let (sa, sb) = (sa.unwrap_or_default(), sb.unwrap_or_default());
                        Ok(match op {
                            Op::Inter(..) => sa.intersection(&sb).cloned().collect(),
                            Op::Union(..) => sa.union(&sb).cloned().collect(),
                            _ => sa.difference(&sb).cloned().collect(),
                        })
                    })();
                    let got = sets::read_sets(&mut db, &[&ka, &kb]).map(|v| match op {
                        Op::Inter(..) => sets::inter_set(&v, &limits),
                        Op::Union(..) => sets::union(&v, max),
                        _ => sets::diff(&v, max),
                    });
                    match (want, got) {
                        (Err(e), got) => prop_assert_eq!(got.err(), Some(e)),
                        (Ok(_), Err(e)) => prop_assert!(false, "unexpected error {:?}", e),
                        (Ok(m), Ok(set)) => {
                            let r = sets::store(&mut db, &kd, set);
                            prop_assert_eq!(r, model.store(&kd, m));
                        }
                    }
                }
                Op::SetString(k) => {
                    let k = key(k);
                    db.set(&k, Value::from_bytes(b"str"), false);
                    model.keys.insert(k, Slot::Str);
                }
            }
            check(&mut db, &model)?;
        }
    }
}
