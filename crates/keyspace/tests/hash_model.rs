//! Property test of the hash type and its data operations against a simple model: an
//! insertion-ordered list of (field, value) pairs plus the encoding Redis 7.0 would use.
//! Random HSET/HSETNX/HDEL/HINCRBY/HINCRBYFLOAT sequences under small random
//! `hash-max-listpack-entries` / `hash-max-listpack-value` limits must agree with the model on
//! every reply, every value, the encoding (listpack until a rule is broken, then hashtable for
//! good even when the limits are raised later, a fresh listpack once the key was deleted), the listpack's insertion order, HSCAN
//! coverage and HRANDFIELD's counts and membership.

use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use vireo_keyspace::ops::hashes::{self, RandFields};
use vireo_keyspace::ops::OpError;
use vireo_keyspace::types::Limits;
use vireo_keyspace::value::parse_canonical_i64;
use vireo_keyspace::{Db, Rng};

const KEY: &[u8] = b"h";

#[derive(Debug, Clone)]
enum Op {
    Hset(Vec<(Vec<u8>, Vec<u8>)>),
    Hsetnx(Vec<u8>, Vec<u8>),
    Hdel(Vec<Vec<u8>>),
    Hincrby(Vec<u8>, i64),
    Hincrbyfloat(Vec<u8>, u8),
    /// CONFIG SET of the two thresholds: later writes use them, nothing converts back.
    Limits(usize, usize),
    Check,
}

fn field() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => (0u8..12).prop_map(|i| format!("f{i}").into_bytes()),
        2 => prop::sample::select(vec!["1", "01", "-5", "0", "", "+1", "123456789012"]).prop_map(|s| s.as_bytes().to_vec()),
        1 => (1usize..20).prop_map(|n| vec![b'L'; n]),
    ]
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => (-300i64..300).prop_map(|v| v.to_string().into_bytes()),
        3 => prop::collection::vec(any::<u8>(), 0..14),
        1 => prop::sample::select(vec!["9223372036854775807", "-9223372036854775808", " 1", "1.5"])
            .prop_map(|s| s.as_bytes().to_vec()),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => prop::collection::vec((field(), value()), 1..4).prop_map(Op::Hset),
        2 => (field(), value()).prop_map(|(f, v)| Op::Hsetnx(f, v)),
        3 => prop::collection::vec(field(), 1..4).prop_map(Op::Hdel),
        2 => (field(), prop_oneof![-1000i64..1000, Just(i64::MAX), Just(i64::MIN)]).prop_map(|(f, n)| Op::Hincrby(f, n)),
        1 => (field(), 0u8..4).prop_map(|(f, n)| Op::Hincrbyfloat(f, n)),
        1 => (0usize..8, 0usize..14).prop_map(|(e, v)| Op::Limits(e, v)),
        1 => Just(Op::Check),
    ]
}

/// What Redis would hold: pairs in insertion order and whether the hash left the listpack.
#[derive(Default, Debug)]
struct Model {
    pairs: Vec<(Vec<u8>, Vec<u8>)>,
    table: bool,
}

impl Model {
    fn get(&self, f: &[u8]) -> Option<&Vec<u8>> {
        self.pairs.iter().find(|(k, _)| k == f).map(|(_, v)| v)
    }
    /// hashTypeSet: long field or value converts first, too many fields converts after.
    fn set(&mut self, f: &[u8], v: &[u8], l: &Limits) -> bool {
        if f.len() > l.hash_max_listpack_value || v.len() > l.hash_max_listpack_value {
            self.table = true;
        }
        let updated = match self.pairs.iter_mut().find(|(k, _)| k == f) {
            Some(p) => {
                p.1 = v.to_vec();
                true
            }
            None => {
                self.pairs.push((f.to_vec(), v.to_vec()));
                false
            }
        };
        if self.pairs.len() > l.hash_max_listpack_entries {
            self.table = true;
        }
        updated
    }
    fn try_conversion(&mut self, args: &[&[u8]], l: &Limits) {
        if args.iter().any(|a| a.len() > l.hash_max_listpack_value) {
            self.table = true;
        }
    }
    fn delete(&mut self, f: &[u8]) -> bool {
        match self.pairs.iter().position(|(k, _)| k == f) {
            Some(i) => {
                self.pairs.remove(i);
                true
            }
            None => false,
        }
    }
}

fn as_map(pairs: &[(Vec<u8>, Vec<u8>)]) -> BTreeMap<Vec<u8>, Vec<u8>> {
    pairs.iter().cloned().collect()
}

fn check(db: &mut Db, m: &Model, rng: &mut Rng) {
    let h = hashes::hash_for_read(db, KEY).unwrap();
    let Some(h) = h else {
        assert!(m.pairs.is_empty(), "key missing, model has {:?}", m.pairs);
        return;
    };
    assert!(!m.pairs.is_empty(), "an empty hash must not be stored");
    assert_eq!(h.len(), m.pairs.len());
    assert_eq!(h.encoding_name(), if m.table { "hashtable" } else { "listpack" });
    let got: Vec<(Vec<u8>, Vec<u8>)> =
        h.iter().map(|(k, v)| (k.to_bytes().into_owned(), v.to_bytes().into_owned())).collect();
    if m.table {
        assert_eq!(as_map(&got), as_map(&m.pairs));
    } else {
        // the listpack keeps insertion order
        assert_eq!(got, m.pairs);
    }
    for (k, v) in &m.pairs {
        assert_eq!(h.get(k).map(|e| e.to_bytes().into_owned()).as_ref(), Some(v));
    }
    // a full HSCAN sees every pair
    let mut seen = BTreeMap::new();
    let mut cursor = 0;
    loop {
        let mut out = Vec::new();
        cursor = h.scan(cursor, 3, &mut out);
        for (k, v) in out {
            seen.insert(k.as_slice().to_vec(), v.as_slice().to_vec());
        }
        if cursor == 0 {
            break;
        }
    }
    assert_eq!(seen, as_map(&m.pairs));
    let model = as_map(&m.pairs);
    let len = m.pairs.len() as i64;
    for count in [1, 2, len - 1, len, len + 3, -1, -7] {
        match hashes::hrandfield_count(db, KEY, count, rng).unwrap() {
            RandFields::Empty => assert_eq!(count, 0),
            RandFields::Repeat { hash, times } => {
                assert!(count < 0 || count == 1);
                let mut n = 0;
                hash.random_pairs(rng, times as usize, |k, v| {
                    assert_eq!(model.get(&k.to_bytes().into_owned()), Some(&v.to_bytes().into_owned()));
                    n += 1;
                });
                assert_eq!(n as u64, count.unsigned_abs());
            }
            RandFields::Whole(hash) => {
                assert!(count >= len);
                assert_eq!(hash.len() as i64, len);
            }
            RandFields::Distinct(pairs) => {
                assert!(count > 1 && count < len);
                assert_eq!(pairs.len() as i64, count);
                let fields: BTreeSet<_> = pairs.iter().map(|(k, _)| k.as_slice().to_vec()).collect();
                assert_eq!(fields.len(), pairs.len());
                for (k, v) in &pairs {
                    assert_eq!(model.get(k.as_slice()).map(|x| x.as_slice()), Some(v.as_slice()));
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn hash_ops_agree_with_the_model(
        entries in 0usize..8,
        value_max in 0usize..14,
        ops in prop::collection::vec(op(), 1..60),
        seed in any::<u64>(),
    ) {
        let mut l = Limits { hash_max_listpack_entries: entries, hash_max_listpack_value: value_max, ..Limits::default() };
        let mut db = Db::new(0);
        let mut rng = Rng::from_seed(seed);
        let mut m = Model::default();
        for op in ops {
            match op {
                Op::Hset(pairs) => {
                    let mut args: Vec<&[u8]> = Vec::new();
                    for (f, v) in &pairs {
                        args.push(f);
                        args.push(v);
                    }
                    m.try_conversion(&args, &l);
                    let created = pairs.iter().filter(|(f, v)| !m.set(f, v, &l)).count();
                    prop_assert_eq!(hashes::hset(&mut db, KEY, &args, &l), Ok(created));
                }
                Op::Hsetnx(f, v) => {
                    let set = m.get(&f).is_none();
                    if set {
                        m.try_conversion(&[&f, &v], &l);
                        m.set(&f, &v, &l);
                    }
                    prop_assert_eq!(hashes::hsetnx(&mut db, KEY, &f, &v, &l), Ok(set));
                }
                Op::Hdel(fields) => {
                    let mut removed = 0;
                    for f in &fields {
                        if m.delete(f) {
                            removed += 1;
                            if m.pairs.is_empty() {
                                break;
                            }
                        }
                    }
                    let r = hashes::hdel(&mut db, KEY, &fields).unwrap();
                    prop_assert_eq!(r.removed, removed);
                    prop_assert_eq!(r.key_deleted, removed > 0 && m.pairs.is_empty());
                    if m.pairs.is_empty() {
                        // a new key starts as a listpack again
                        m.table = false;
                    }
                }
                Op::Hincrby(f, n) => {
                    let cur = match m.get(&f) {
                        None => Ok(0),
                        Some(v) => parse_canonical_i64(v).ok_or(OpError::NotInteger),
                    };
                    let want = cur.and_then(|c| c.checked_add(n).ok_or(OpError::Overflow));
                    if let Ok(v) = want {
                        m.set(&f, v.to_string().as_bytes(), &l);
                    }
                    prop_assert_eq!(hashes::hincrby(&mut db, KEY, &f, n, &l), want);
                }
                Op::Hincrbyfloat(f, n) => {
                    let incr = ["1.5", "0.1", "-2", "1e30"][n as usize];
                    let r = hashes::hincrbyfloat(&mut db, KEY, &f, incr.as_bytes(), &l);
                    match r {
                        Ok(text) => {
                            if let Some(v) = m.get(&f) {
                                prop_assert!(std::str::from_utf8(v).ok().and_then(|s| s.parse::<f64>().ok()).is_some());
                            }
                            m.set(&f, &text, &l);
                        }
                        Err(e) => {
                            prop_assert_eq!(e, OpError::NotFloat);
                            let v = m.get(&f).cloned().unwrap_or_default();
                            prop_assert!(vireo_keyspace::ops::longdouble::add_human(Some(&v), incr.as_bytes()).is_err());
                        }
                    }
                }
                Op::Limits(e, v) => {
                    l.hash_max_listpack_entries = e;
                    l.hash_max_listpack_value = v;
                }
                Op::Check => check(&mut db, &m, &mut rng),
            }
        }
        check(&mut db, &m, &mut rng);
    }
}
