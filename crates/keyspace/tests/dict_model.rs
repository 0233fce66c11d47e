//! Model and property tests of `Dict`: random operation sequences checked against
//! `std::collections::HashMap`, the SCAN guarantee across grows and shrinks, random element
//! selection, sampling, and dropping big dicts. Uses only the public API.

use proptest::prelude::*;
use std::collections::{HashMap, HashSet};
use vireo_keyspace::dict::avoid_resize_on_this_thread;
use vireo_keyspace::rng::Rng;
use vireo_keyspace::{Dict, SBytes};

/// Key `i` as bytes; lengths vary from 2 to ~45 so both inline and heap keys occur.
fn key(i: u32) -> Vec<u8> {
    let mut k = format!("k{i}:").into_bytes();
    k.resize(k.len() + (i as usize * 7) % 40, b'a' + (i % 26) as u8);
    k
}

#[derive(Debug, Clone)]
enum Op {
    Insert(u32, u64),
    Remove(u32),
    Get(u32),
    GetMut(u32, u64),
    GetOrInsert(u32, u64),
    /// Insert keys `start..start + n`.
    Bulk(u32, u32),
    /// Remove keys whose index is not a multiple of `keep_every`.
    Thin(u32),
    Clear,
    Take,
    Rehash(u64),
    Shrink,
    Resize(bool),
}

fn op() -> impl Strategy<Value = Op> {
    let k = 0u32..700;
    prop_oneof![
        8 => (k.clone(), any::<u64>()).prop_map(|(k, v)| Op::Insert(k, v)),
        5 => k.clone().prop_map(Op::Remove),
        4 => k.clone().prop_map(Op::Get),
        3 => (k.clone(), any::<u64>()).prop_map(|(k, v)| Op::GetMut(k, v)),
        3 => (k, any::<u64>()).prop_map(|(k, v)| Op::GetOrInsert(k, v)),
        1 => (0u32..700, 1u32..400).prop_map(|(s, n)| Op::Bulk(s, n)),
        1 => (2u32..20).prop_map(Op::Thin),
        1 => Just(Op::Clear),
        1 => Just(Op::Take),
        2 => (0u64..3).prop_map(Op::Rehash),
        2 => Just(Op::Shrink),
        1 => any::<bool>().prop_map(Op::Resize),
    ]
}

fn check_same(d: &Dict<u64>, m: &HashMap<Vec<u8>, u64>) {
    assert_eq!(d.len(), m.len());
    assert_eq!(d.is_empty(), m.is_empty());
    let mut seen = HashMap::new();
    for (k, v) in d.iter() {
        assert!(seen.insert(k.to_vec(), *v).is_none(), "iter repeated {k:?}");
    }
    assert_eq!(&seen, m);
    for (k, v) in m {
        assert_eq!(d.get(k), Some(v));
        let (sk, sv) = d.get_key_value(k).expect("present");
        assert_eq!((sk.as_slice(), sv), (k.as_slice(), v));
    }
    // A full scan with no changes returns every element.
    let mut scanned = HashSet::new();
    let mut c = 0;
    loop {
        c = d.scan(c, |k, v| {
            assert_eq!(m.get(k.as_slice()), Some(v));
            scanned.insert(k.to_vec());
        });
        if c == 0 {
            break;
        }
    }
    assert_eq!(scanned.len(), m.len());
    let st = d.stats();
    assert_eq!(st.tables.iter().map(|t| t.1).sum::<usize>(), m.len());
    assert_eq!(st.tables.iter().map(|t| t.0).sum::<usize>(), d.buckets());
    assert_eq!(st.rehashing, d.is_rehashing());
}

fn apply(d: &mut Dict<u64>, m: &mut HashMap<Vec<u8>, u64>, op: &Op) {
    match *op {
        Op::Insert(k, v) => {
            let kb = key(k);
            assert_eq!(d.insert(SBytes::new(&kb), v), m.insert(kb, v));
        }
        Op::Remove(k) => {
            let kb = key(k);
            let got = d.remove(&kb).map(|(k, v)| (k.to_vec(), v));
            assert_eq!(got, m.remove_entry(&kb));
        }
        Op::Get(k) => {
            let kb = key(k);
            assert_eq!(d.get(&kb), m.get(&kb));
            assert_eq!(d.contains_key(&kb), m.contains_key(&kb));
        }
        Op::GetMut(k, v) => {
            let kb = key(k);
            match (d.get_mut(&kb), m.get_mut(&kb)) {
                (Some(a), Some(b)) => {
                    assert_eq!(*a, *b);
                    *a = v;
                    *b = v;
                }
                (None, None) => {}
                (a, b) => panic!("get_mut {a:?} vs {b:?}"),
            }
        }
        Op::GetOrInsert(k, v) => {
            let kb = key(k);
            let expect_new = !m.contains_key(&kb);
            let mv = m.entry(kb.clone()).or_insert(v);
            let (dv, inserted) = d.get_or_insert_with(&kb, || v);
            assert_eq!(inserted, expect_new);
            assert_eq!(*dv, *mv);
            *dv = dv.wrapping_add(1);
            *mv = mv.wrapping_add(1);
        }
        Op::Bulk(start, n) => {
            for i in start..start + n {
                let kb = key(i);
                let v = u64::from(i) * 3;
                assert_eq!(d.insert(SBytes::new(&kb), v), m.insert(kb, v));
            }
        }
        Op::Thin(keep_every) => {
            let victims: Vec<Vec<u8>> = m
                .keys()
                .filter(|k| {
                    let idx: u32 = std::str::from_utf8(&k[1..k.iter().position(|&c| c == b':').unwrap()])
                        .unwrap()
                        .parse()
                        .unwrap();
                    !idx.is_multiple_of(keep_every)
                })
                .cloned()
                .collect();
            for k in victims {
                assert_eq!(d.remove(&k).map(|(_, v)| v), m.remove(&k));
            }
        }
        Op::Clear => {
            d.clear();
            m.clear();
            assert_eq!(d.buckets(), 0);
        }
        Op::Take => {
            let old = d.take();
            check_same(&old, m);
            m.clear();
        }
        Op::Rehash(micros) => {
            let was = d.is_rehashing();
            let did = d.rehash_for(micros);
            assert!(was || !did);
        }
        Op::Shrink => {
            d.shrink_if_sparse();
            // Never below 4 buckets (an empty dict may have none at all).
            assert!(d.is_empty() && d.buckets() == 0 || d.buckets() >= 4);
        }
        Op::Resize(allowed) => avoid_resize_on_this_thread(!allowed),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn dict_matches_hashmap(ops in proptest::collection::vec(op(), 1..250)) {
        // the switch belongs to the thread, which runs every case: each starts allowed
        avoid_resize_on_this_thread(false);
        let mut d: Dict<u64> = Dict::new();
        let mut m: HashMap<Vec<u8>, u64> = HashMap::new();
        for (i, op) in ops.iter().enumerate() {
            apply(&mut d, &mut m, op);
            assert_eq!(d.len(), m.len());
            if i % 16 == 0 {
                check_same(&d, &m);
            }
        }
        check_same(&d, &m);
        // Finishing the rehash and shrinking keep the contents.
        avoid_resize_on_this_thread(false);
        while d.rehash_for(1000) {}
        d.shrink_if_sparse();
        while d.rehash_for(1000) {}
        assert!(!d.is_rehashing());
        if !m.is_empty() {
            // Under 10% full is shrunk away; at most 100% full after growth is done.
            let b = d.buckets();
            assert!(b.is_power_of_two());
            assert!(b == 4 || m.len() * 10 >= b, "{} elements in {} buckets", m.len(), b);
        }
        check_same(&d, &m);
    }

    /// SCAN guarantee: every element present from the first to the last call of a full scan is
    /// returned at least once, while the table grows, shrinks and rehashes between calls.
    #[test]
    fn scan_returns_every_stable_key_across_resizes(seed in any::<u64>()) {
        let mut rng = Rng::from_seed(seed);
        let mut d: Dict<u64> = Dict::new();
        let stable: Vec<Vec<u8>> = (0..40).map(|i| format!("stable:{i}").into_bytes()).collect();
        for (i, k) in stable.iter().enumerate() {
            d.insert(SBytes::new(k), i as u64);
        }
        // Keys that come and go; nothing is promised about them.
        let mut temp: Vec<Vec<u8>> = Vec::new();
        let mut next_temp = 0u64;
        // Start big when the seed says so, so the first steps run against a large table.
        if rng.below(2) == 0 {
            for _ in 0..3000 {
                let k = format!("temp:{next_temp}").into_bytes();
                next_temp += 1;
                d.insert(SBytes::new(&k), 0);
                temp.push(k);
            }
        }
        let (mut grows, mut shrinks) = (0u32, 0u32);
        let mut seen: HashSet<Vec<u8>> = HashSet::new();
        let mut cursor = 0u64;
        let mut steps = 0u32;
        loop {
            cursor = d.scan(cursor, |k, _| {
                seen.insert(k.to_vec());
            });
            steps += 1;
            if cursor == 0 {
                break;
            }
            prop_assert!(steps < 200_000, "scan does not terminate");
            match rng.below(100) {
                0..=7 if temp.len() < 6000 => {
                    // Grow: insert a burst.
                    let before = d.buckets();
                    for _ in 0..(500 + rng.below(2500)) {
                        let k = format!("temp:{next_temp}").into_bytes();
                        next_temp += 1;
                        d.insert(SBytes::new(&k), 0);
                        temp.push(k);
                    }
                    if d.buckets() > before {
                        grows += 1;
                    }
                }
                8..=15 => {
                    // Shrink: delete most of the temporary keys, then let the cron shrink.
                    let keep = temp.len() / 20;
                    for k in temp.drain(keep..) {
                        assert!(d.remove(&k).is_some());
                    }
                    let before = d.buckets();
                    d.shrink_if_sparse();
                    if d.buckets() > before && d.is_rehashing() {
                        shrinks += 1;
                    }
                }
                16..=35 => {
                    d.rehash_for(rng.below(3));
                }
                36..=39 => avoid_resize_on_this_thread(rng.below(3) == 0),
                40..=79 => {
                    // Churn a few keys; mutating operations also advance the rehash.
                    for _ in 0..rng.below(8) {
                        if !temp.is_empty() && rng.below(2) == 0 {
                            let i = rng.below(temp.len() as u64) as usize;
                            let k = temp.swap_remove(i);
                            assert!(d.remove(&k).is_some());
                        } else {
                            let k = format!("temp:{next_temp}").into_bytes();
                            next_temp += 1;
                            d.insert(SBytes::new(&k), 0);
                            temp.push(k);
                        }
                    }
                }
                _ => {}
            }
        }
        for k in &stable {
            prop_assert!(seen.contains(k), "stable key {:?} missed (grows {}, shrinks {})",
                String::from_utf8_lossy(k), grows, shrinks);
        }
        prop_assert_eq!(d.len(), stable.len() + temp.len());
    }
}

/// The SCAN test above must really see grows and shrinks in the middle of scans; check one
/// fixed schedule that does both and still returns every stable key.
#[test]
fn scan_across_grow_and_shrink_fixed_schedule() {
    let mut d: Dict<u64> = Dict::new();
    let stable: Vec<Vec<u8>> = (0..30).map(|i| format!("s{i}").into_bytes()).collect();
    for k in &stable {
        d.insert(SBytes::new(k), 1);
    }
    let mut seen = HashSet::new();
    let mut cursor = 0;
    let mut phase = 0u32;
    let mut max_buckets = 0;
    let mut shrank_mid_scan = false;
    loop {
        cursor = d.scan(cursor, |k, _| {
            seen.insert(k.to_vec());
        });
        if cursor == 0 {
            break;
        }
        match phase {
            0 => {
                for i in 0..5000 {
                    d.insert(SBytes::from(format!("t{i}")), 0);
                }
            }
            4 => {
                for i in 0..5000 {
                    d.remove(format!("t{i}").as_bytes());
                }
                while d.rehash_for(1000) {}
                let before = d.buckets();
                d.shrink_if_sparse();
                shrank_mid_scan = d.is_rehashing() && d.buckets() < before * 2;
                d.rehash_for(0);
            }
            _ => {}
        }
        max_buckets = max_buckets.max(d.buckets());
        phase += 1;
    }
    assert!(max_buckets >= 8192);
    assert!(shrank_mid_scan);
    for k in &stable {
        assert!(seen.contains(k), "missed {:?}", String::from_utf8_lossy(k));
    }
}

#[test]
fn random_returns_every_key_eventually() {
    let mut rng = Rng::from_seed(7);
    // Small dict, stable.
    let mut d: Dict<u64> = Dict::new();
    for i in 0..12u64 {
        d.insert(SBytes::from(format!("r{i}")), i);
    }
    while d.rehash_for(1000) {}
    let mut seen = HashSet::new();
    for _ in 0..5000 {
        let (k, v) = d.random(&mut rng).expect("non-empty");
        assert_eq!(d.get(k), Some(v));
        seen.insert(*v);
    }
    assert_eq!(seen.len(), 12);

    // Mid-rehash: elements live in both tables.
    let mut d: Dict<u64> = Dict::new();
    for i in 0..5u64 {
        d.insert(SBytes::from(format!("r{i}")), i);
    }
    assert!(d.is_rehashing());
    let mut seen = HashSet::new();
    for _ in 0..2000 {
        seen.insert(*d.random(&mut rng).expect("non-empty").1);
    }
    assert_eq!(seen.len(), 5);

    // Very sparse (shrinking was not allowed): still finds each of the few keys.
    let mut d: Dict<u64> = Dict::new();
    for i in 0..20_000u64 {
        d.insert(SBytes::from(format!("r{i}")), i);
    }
    while d.rehash_for(1000) {}
    avoid_resize_on_this_thread(true);
    for i in 3..20_000u64 {
        d.remove(format!("r{i}").as_bytes());
    }
    d.shrink_if_sparse();
    assert!(d.buckets() >= 16384);
    let mut seen = HashSet::new();
    for _ in 0..300 {
        seen.insert(*d.random(&mut rng).expect("non-empty").1);
    }
    assert_eq!(seen, HashSet::from([0, 1, 2]));

    let empty: Dict<u64> = Dict::new();
    assert!(empty.random(&mut rng).is_none());
}

#[test]
fn sample_reports_existing_elements() {
    let mut rng = Rng::from_seed(11);
    let mut d: Dict<u64> = Dict::new();
    let mut count = 0;
    d.sample(&mut rng, 5, |_, _| count += 1);
    assert_eq!(count, 0);
    for i in 0..1000u64 {
        d.insert(SBytes::from(format!("x{i}")), i);
    }
    let mut union = HashSet::new();
    for round in 0..200 {
        if round == 100 {
            while d.rehash_for(1000) {}
        }
        let mut got = Vec::new();
        d.sample(&mut rng, 16, |k, v| {
            assert_eq!(d.get(k), Some(v));
            got.push(*v);
        });
        assert!(got.len() <= 16);
        // At a load factor near 1, 160 bucket visits always find 16 elements.
        assert_eq!(got.len(), 16);
        union.extend(got);
    }
    // Different rounds start at different places.
    assert!(union.len() > 500, "only {} distinct", union.len());
    // Asking for more than there is reports at most len() elements.
    let mut small: Dict<u64> = Dict::new();
    for i in 0..3u64 {
        small.insert(SBytes::from(format!("y{i}")), i);
    }
    let mut got = 0;
    small.sample(&mut rng, 10, |_, _| got += 1);
    assert!(got <= 3);
}

#[test]
fn get_or_insert_with_only_makes_missing_values() {
    let mut d: Dict<Vec<u8>> = Dict::new();
    let (v, ins) = d.get_or_insert_with(b"a", || b"one".to_vec());
    assert!(ins);
    v.push(b'!');
    let (v, ins) = d.get_or_insert_with(b"a", || panic!("must not be called"));
    assert!(!ins);
    assert_eq!(v, b"one!");
    assert_eq!(d.insert(SBytes::from("a"), b"two".to_vec()), Some(b"one!".to_vec()));
    assert_eq!(d.remove(b"a"), Some((SBytes::from("a"), b"two".to_vec())));
    assert!(d.remove(b"a").is_none());
    assert!(d.is_empty());
}

#[test]
fn dropping_a_million_elements() {
    let mut d: Dict<u64> = Dict::new();
    for i in 0..1_000_000u64 {
        d.insert(SBytes::new(&i.to_be_bytes()), i);
    }
    assert_eq!(d.len(), 1_000_000);
    let overhead = d.overhead_bytes();
    assert!(overhead >= 1_000_000 * 48, "overhead {overhead}");
    // Detach and drop on another thread, as FLUSHALL ASYNC would.
    let old = d.take();
    assert!(d.is_empty());
    let h = std::thread::spawn(move || {
        let n = old.len();
        drop(old);
        n
    });
    assert_eq!(h.join().unwrap(), 1_000_000);
    // And an in-place drop with long chains (growth refused while "a child is alive").
    let mut d: Dict<u64> = Dict::new();
    avoid_resize_on_this_thread(true);
    for i in 0..200_000u64 {
        d.insert(SBytes::new(&i.to_be_bytes()), i);
    }
    assert!(d.stats().max_chain >= 5);
    drop(d);
}
