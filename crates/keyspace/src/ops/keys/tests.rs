//! Unit tests of the generic key operations: each test states the Redis behaviour it checks.

use super::*;
use crate::db::{lru_clock, Clock, DbEvent};

const NOW: i64 = 1_700_000_000_000;

fn clock(mode: ExpireMode) -> Clock {
    Clock { now_ms: NOW, lru: lru_clock(NOW), mode, touch: true, ..Clock::default() }
}

fn db() -> Db {
    let mut d = Db::new(0);
    d.clock = clock(ExpireMode::Master);
    d
}

fn keyspace(n: usize) -> Keyspace {
    let mut ks = Keyspace::new(n);
    for d in &mut ks.dbs {
        d.clock = clock(ExpireMode::Master);
    }
    ks
}

fn put(db: &mut Db, k: &str, v: &str) {
    db.set(k.as_bytes(), Value::from_bytes(v.as_bytes()), false);
}

fn get(db: &Db, k: &str) -> Option<Vec<u8>> {
    db.peek(k.as_bytes()).map(|e| e.val.as_bytes().unwrap_or_default().into_owned())
}

fn expired_events(db: &mut Db) -> Vec<Vec<u8>> {
    db.take_events()
        .into_iter()
        .filter_map(|e| match e {
            DbEvent::Expired(k) => Some(k.to_vec()),
            DbEvent::Miss(_) | DbEvent::New(_) => None,
        })
        .collect()
}

#[test]
fn delete_removes_live_keys_and_lazily_expires_stale_ones() {
    let mut d = db();
    put(&mut d, "a", "1");
    put(&mut d, "b", "2");
    d.set_expire(b"b", NOW - 1);
    assert!(delete(&mut d, b"a").is_some());
    assert!(delete(&mut d, b"a").is_none());
    // the expired key goes through lazy expiry (an event the server turns into DEL) and the
    // command itself deletes nothing
    assert!(delete(&mut d, b"b").is_none());
    assert_eq!(expired_events(&mut d), vec![b"b".to_vec()]);
    assert!(d.is_empty());
    assert_eq!(d.expires_len(), 0);
}

#[test]
fn delete_on_a_writable_replica_removes_an_expired_key_itself() {
    let mut d = db();
    d.clock.mode = ExpireMode::WritableReplica;
    put(&mut d, "b", "2");
    d.set_expire(b"b", NOW - 1);
    assert!(delete(&mut d, b"b").is_some());
    assert!(expired_events(&mut d).is_empty());
}

#[test]
fn exists_counts_repeats_and_does_not_touch() {
    let mut d = db();
    put(&mut d, "a", "1");
    d.peek_mut(b"a").unwrap().lru = 7;
    assert_eq!(exists(&mut d, &[&b"a"[..], b"a", b"zz"]), 2);
    assert_eq!(d.peek(b"a").unwrap().lru, 7);
    assert_eq!(d.stats.hits, 2);
    assert_eq!(d.stats.misses, 1);
    assert_eq!(touch(&mut d, &[&b"a"[..], b"zz"]), 1);
    assert_eq!(d.peek(b"a").unwrap().lru, lru_clock(NOW));
}

#[test]
fn type_of_missing_and_expired_keys_is_none() {
    let mut d = db();
    put(&mut d, "a", "hello");
    put(&mut d, "e", "1");
    // expired means the time is past: Redis keeps a key whose time is exactly now
    d.set_expire(b"e", NOW - 1);
    assert_eq!(key_type(&mut d, b"a"), Some(Kind::String));
    assert_eq!(key_type(&mut d, b"nope"), None);
    assert_eq!(key_type(&mut d, b"e"), None);
}

#[test]
fn rename_moves_value_ttl_and_access_data() {
    let mut d = db();
    put(&mut d, "src", "v");
    d.set_expire(b"src", NOW + 5000);
    d.peek_mut(b"src").unwrap().lru = 42;
    // the write lookup touches the key; with touching off (a fork child is alive) the moved
    // entry shows that its own access data travels with it
    d.clock.touch = false;
    put(&mut d, "dst", "old");
    d.set_expire(b"dst", NOW + 9000);
    match rename(&mut d, b"src", b"dst", false) {
        Rename::Done { replaced: Some(old) } => assert_eq!(&*old.val.as_bytes().unwrap(), b"old"),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(get(&d, "dst").as_deref(), Some(&b"v"[..]));
    assert_eq!(d.get_expire(b"dst"), Some(NOW + 5000));
    assert_eq!(d.peek(b"dst").unwrap().lru, 42);
    assert!(d.peek(b"src").is_none());
    assert_eq!(d.expires_len(), 1);
}

#[test]
fn rename_of_a_persistent_key_drops_the_destination_ttl() {
    let mut d = db();
    put(&mut d, "src", "v");
    put(&mut d, "dst", "old");
    d.set_expire(b"dst", NOW + 9000);
    assert!(matches!(rename(&mut d, b"src", b"dst", false), Rename::Done { .. }));
    assert_eq!(d.get_expire(b"dst"), None);
    assert_eq!(d.expires_len(), 0);
}

#[test]
fn rename_edge_cases() {
    let mut d = db();
    assert!(matches!(rename(&mut d, b"x", b"y", false), Rename::NoSource));
    // same name: an error only when the key is missing
    assert!(matches!(rename(&mut d, b"x", b"x", true), Rename::NoSource));
    put(&mut d, "x", "1");
    d.set_expire(b"x", NOW + 10);
    assert!(matches!(rename(&mut d, b"x", b"x", false), Rename::SameKey));
    assert_eq!(d.get_expire(b"x"), Some(NOW + 10));
    put(&mut d, "y", "2");
    assert!(matches!(rename(&mut d, b"x", b"y", true), Rename::DestExists));
    assert_eq!(get(&d, "y").as_deref(), Some(&b"2"[..]));
    // an expired destination does not block RENAMENX
    d.set_expire(b"y", NOW - 1);
    assert!(matches!(rename(&mut d, b"x", b"y", true), Rename::Done { replaced: None }));
    assert_eq!(expired_events(&mut d), vec![b"y".to_vec()]);
    assert_eq!(get(&d, "y").as_deref(), Some(&b"1"[..]));
    // an expired source is missing
    d.set_expire(b"y", NOW - 1);
    assert!(matches!(rename(&mut d, b"y", b"z", false), Rename::NoSource));
}

#[test]
fn move_keeps_ttl_and_refuses_existing_destination() {
    let mut ks = keyspace(3);
    put(&mut ks.dbs[0], "k", "v");
    ks.dbs[0].set_expire(b"k", NOW + 100);
    ks.dbs[0].peek_mut(b"k").unwrap().lru = 9;
    ks.dbs[0].clock.touch = false;
    assert_eq!(move_key(&mut ks, 0, 2, b"missing"), Move::NoKey);
    put(&mut ks.dbs[2], "k", "there");
    assert_eq!(move_key(&mut ks, 0, 2, b"k"), Move::DestExists);
    ks.dbs[2].delete(b"k");
    assert_eq!(move_key(&mut ks, 0, 2, b"k"), Move::Moved);
    assert!(ks.dbs[0].is_empty());
    assert_eq!(ks.dbs[0].expires_len(), 0);
    assert_eq!(ks.dbs[2].get_expire(b"k"), Some(NOW + 100));
    assert_eq!(ks.dbs[2].peek(b"k").unwrap().lru, 9);
    // moving back the other way (dst < src)
    assert_eq!(move_key(&mut ks, 2, 1, b"k"), Move::Moved);
    assert_eq!(ks.dbs[1].get_expire(b"k"), Some(NOW + 100));
}

#[test]
fn move_of_an_expired_key_is_no_key() {
    let mut ks = keyspace(2);
    put(&mut ks.dbs[0], "k", "v");
    ks.dbs[0].set_expire(b"k", NOW - 5);
    assert_eq!(move_key(&mut ks, 0, 1, b"k"), Move::NoKey);
    assert!(ks.dbs[1].is_empty());
}

#[test]
fn copy_within_and_across_databases() {
    let mut ks = keyspace(2);
    put(&mut ks.dbs[0], "s", "hello");
    ks.dbs[0].set_expire(b"s", NOW + 777);
    assert!(matches!(copy(&mut ks, 0, 0, b"s", b"t", false), Copy::Copied { replaced: None }));
    assert!(matches!(copy(&mut ks, 0, 1, b"s", b"s", false), Copy::Copied { replaced: None }));
    for (db, k) in [(0, "s"), (0, "t"), (1, "s")] {
        assert_eq!(get(&ks.dbs[db], k).as_deref(), Some(&b"hello"[..]));
        assert_eq!(ks.dbs[db].get_expire(k.as_bytes()), Some(NOW + 777));
    }
    put(&mut ks.dbs[1], "u", "other");
    assert!(matches!(copy(&mut ks, 1, 1, b"u", b"s", false), Copy::DestExists));
    assert_eq!(get(&ks.dbs[1], "s").as_deref(), Some(&b"hello"[..]));
    match copy(&mut ks, 1, 1, b"u", b"s", true) {
        Copy::Copied { replaced: Some(e) } => assert_eq!(&*e.val.as_bytes().unwrap(), b"hello"),
        other => panic!("unexpected {other:?}"),
    }
    // the replaced destination loses its TTL: the source had none
    assert_eq!(ks.dbs[1].get_expire(b"s"), None);
    assert!(matches!(copy(&mut ks, 0, 1, b"nope", b"x", true), Copy::NoSource));
}

#[test]
fn copy_keeps_the_encoding_and_makes_integers_private() {
    let mut ks = keyspace(1);
    put(&mut ks.dbs[0], "n", "42");
    put(&mut ks.dbs[0], "r", "ab");
    ks.dbs[0].peek_mut(b"r").unwrap().set_raw();
    assert!(matches!(copy(&mut ks, 0, 0, b"n", b"n2", false), Copy::Copied { .. }));
    assert!(matches!(copy(&mut ks, 0, 0, b"r", b"r2", false), Copy::Copied { .. }));
    let d = &ks.dbs[0];
    assert_eq!(d.peek(b"n2").unwrap().encoding(), "int");
    assert_eq!(refcount(d.peek(b"n").unwrap(), true), SHARED_REFCOUNT);
    assert_eq!(refcount(d.peek(b"n2").unwrap(), true), 1);
    assert_eq!(d.peek(b"r2").unwrap().encoding(), "raw");
}

#[test]
fn copy_gives_fresh_access_data() {
    let mut ks = keyspace(1);
    put(&mut ks.dbs[0], "a", "x");
    ks.dbs[0].peek_mut(b"a").unwrap().lru = 3;
    ks.dbs[0].clock.lru = 1000;
    assert!(matches!(copy(&mut ks, 0, 0, b"a", b"b", false), Copy::Copied { .. }));
    assert_eq!(ks.dbs[0].peek(b"b").unwrap().lru, 1000);
    // the read lookup of the source touched it too
    assert_eq!(ks.dbs[0].peek(b"a").unwrap().lru, 1000);
}

#[test]
fn swap_and_flush() {
    let mut ks = keyspace(3);
    put(&mut ks.dbs[0], "a", "1");
    put(&mut ks.dbs[2], "b", "2");
    ks.dbs[2].set_expire(b"b", NOW + 1);
    assert!(!swap_dbs(&mut ks, 0, 3));
    assert!(swap_dbs(&mut ks, 0, 2));
    assert_eq!(get(&ks.dbs[0], "b").as_deref(), Some(&b"2"[..]));
    assert_eq!(ks.dbs[0].get_expire(b"b"), Some(NOW + 1));
    assert_eq!(get(&ks.dbs[2], "a").as_deref(), Some(&b"1"[..]));
    assert!(swap_dbs(&mut ks, 1, 1));
    let f = flush(&mut ks.dbs[0]);
    assert_eq!(f.keys, 1);
    assert_eq!(f.main.len(), 1);
    assert_eq!(f.expires.len(), 1);
    assert!(ks.dbs[0].is_empty());
    assert_eq!(ks.dbs[0].expires_len(), 0);
}

#[test]
fn keys_skips_expired_keys_without_deleting_them() {
    let mut d = db();
    for k in ["one", "two", "three", "other"] {
        put(&mut d, k, "x");
    }
    d.set_expire(b"two", NOW - 1);
    let mut got: Vec<Vec<u8>> = keys(&d, |k| k.starts_with(b"t")).into_iter().map(|k| k.to_vec()).collect();
    got.sort();
    assert_eq!(got, vec![b"three".to_vec()]);
    assert_eq!(keys(&d, |_| true).len(), 3);
    assert_eq!(d.len(), 4);
    assert!(d.take_events().is_empty());
}

fn full_scan(d: &mut Db, opts: &ScanOpts) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut cursor = 0;
    loop {
        let (next, ks) = scan(d, cursor, opts);
        out.extend(ks.into_iter().map(|k| k.to_vec()));
        cursor = next;
        if cursor == 0 {
            break;
        }
    }
    out.sort();
    out
}

#[test]
fn scan_filters_by_pattern_type_and_expiry() {
    let mut d = db();
    for i in 0..50 {
        put(&mut d, &format!("key:{i}"), "v");
    }
    d.set_expire(b"key:7", NOW - 1);
    let all = full_scan(&mut d, &ScanOpts { count: 10, filter: None, type_name: None });
    assert_eq!(all.len(), 49);
    assert!(!all.contains(&b"key:7".to_vec()));
    assert_eq!(expired_events(&mut d), vec![b"key:7".to_vec()]);

    let f = |k: &[u8]| k.ends_with(b"1");
    let ones = full_scan(&mut d, &ScanOpts { count: 3, filter: Some(&f), type_name: None });
    assert_eq!(ones.len(), 5); // 1, 11, 21, 31, 41

    let strings = full_scan(&mut d, &ScanOpts { count: 100, filter: None, type_name: Some(b"STRING") });
    assert_eq!(strings.len(), 49);
    let lists = full_scan(&mut d, &ScanOpts { count: 100, filter: None, type_name: Some(b"list") });
    assert!(lists.is_empty());
    let bogus = full_scan(&mut d, &ScanOpts { count: 100, filter: None, type_name: Some(b"bogus") });
    assert!(bogus.is_empty());
}

#[test]
fn scan_with_a_large_count_finishes_in_one_call() {
    let mut d = db();
    for i in 0..20 {
        put(&mut d, &format!("k{i}"), "v");
    }
    let (cursor, ks) = scan(&mut d, 0, &ScanOpts { count: 1000, filter: None, type_name: None });
    assert_eq!(cursor, 0);
    assert_eq!(ks.len(), 20);
}

#[test]
fn scan_count_bounds_the_work() {
    let mut d = db();
    for i in 0..1000 {
        put(&mut d, &format!("k{i}"), "v");
    }
    // count 1: one bucket at least, and the loop stops as soon as a key was collected
    let (cursor, ks) = scan(&mut d, 0, &ScanOpts { count: 1, filter: None, type_name: None });
    assert_ne!(cursor, 0);
    assert!(!ks.is_empty() && ks.len() < 20, "{}", ks.len());
    // a pattern that matches nothing still advances the cursor and returns nothing
    let none = |_: &[u8]| false;
    let (cursor, ks) = scan(&mut d, 0, &ScanOpts { count: 10, filter: Some(&none), type_name: None });
    assert_ne!(cursor, 0);
    assert!(ks.is_empty());
}

#[test]
fn scan_type_none_reports_keys_that_expired_during_the_type_lookup() {
    // Redis looks the key up for TYPE first (which expires it, so its type is "none"), and
    // the expiry check that follows finds nothing left to expire.
    let mut d = db();
    put(&mut d, "gone", "v");
    put(&mut d, "here", "v");
    d.set_expire(b"gone", NOW - 1);
    let got = full_scan(&mut d, &ScanOpts { count: 10, filter: None, type_name: Some(b"none") });
    assert_eq!(got, vec![b"gone".to_vec()]);
}

#[test]
fn cursor_parsing_follows_strtoul() {
    assert_eq!(parse_cursor(b"0"), Some(0));
    assert_eq!(parse_cursor(b""), Some(0));
    assert_eq!(parse_cursor(b"17"), Some(17));
    assert_eq!(parse_cursor(b"+17"), Some(17));
    assert_eq!(parse_cursor(b"007"), Some(7));
    assert_eq!(parse_cursor(b"-1"), Some(u64::MAX));
    assert_eq!(parse_cursor(b"-0"), Some(0));
    assert_eq!(parse_cursor(b"18446744073709551615"), Some(u64::MAX));
    assert_eq!(parse_cursor(b"18446744073709551616"), None);
    assert_eq!(parse_cursor(b"-18446744073709551615"), Some(1));
    assert_eq!(parse_cursor(b" 1"), None);
    assert_eq!(parse_cursor(b"1 "), None);
    assert_eq!(parse_cursor(b"-"), None);
    assert_eq!(parse_cursor(b"+"), None);
    assert_eq!(parse_cursor(b"abc"), None);
    assert_eq!(parse_cursor(b"1.5"), None);
    assert_eq!(parse_cursor(b"--1"), None);
}

#[test]
fn expire_conditions() {
    let mut d = db();
    let c = |nx, xx, gt, lt| ExpireCond { nx, xx, gt, lt };
    assert!(matches!(expire(&mut d, b"k", NOW + 10, ExpireCond::default()), Expire::NoKey));
    put(&mut d, "k", "v");
    // no TTL yet: XX and GT fail, NX and LT succeed
    assert!(matches!(expire(&mut d, b"k", NOW + 10, c(false, true, false, false)), Expire::NotSet));
    assert!(matches!(expire(&mut d, b"k", NOW + 10, c(false, false, true, false)), Expire::NotSet));
    assert!(matches!(expire(&mut d, b"k", NOW + 10, c(false, false, false, true)), Expire::Set(t) if t == NOW + 10));
    assert!(matches!(expire(&mut d, b"k", NOW + 20, c(true, false, false, false)), Expire::NotSet));
    // with a TTL of NOW+10
    assert!(matches!(expire(&mut d, b"k", NOW + 10, c(false, false, true, false)), Expire::NotSet));
    assert!(matches!(expire(&mut d, b"k", NOW + 11, c(false, false, true, false)), Expire::Set(_)));
    assert!(matches!(expire(&mut d, b"k", NOW + 11, c(false, false, false, true)), Expire::NotSet));
    assert!(matches!(expire(&mut d, b"k", NOW + 5, c(false, true, false, true)), Expire::Set(_)));
    assert_eq!(d.get_expire(b"k"), Some(NOW + 5));
    assert!(d.remove_expire(b"k"));
    assert!(matches!(expire(&mut d, b"k", NOW + 5, c(true, false, false, false)), Expire::Set(_)));
}

#[test]
fn expire_in_the_past_deletes_on_a_master_only() {
    let mut d = db();
    put(&mut d, "k", "v");
    assert!(matches!(expire(&mut d, b"k", NOW, ExpireCond::default()), Expire::Deleted(_)));
    assert!(d.is_empty());
    // no lazy-expiry event: the caller reports the deletion itself
    assert!(d.take_events().is_empty());
    for mode in [ExpireMode::Replica, ExpireMode::WritableReplica, ExpireMode::Never] {
        let mut d = db();
        d.clock.mode = mode;
        put(&mut d, "k", "v");
        assert!(matches!(expire(&mut d, b"k", -5, ExpireCond::default()), Expire::Set(-5)));
        assert_eq!(d.get_expire(b"k"), Some(-5));
    }
}

#[test]
fn expire_deadline_overflow_checks() {
    assert_eq!(expire_deadline(10, true, NOW), Some(NOW + 10_000));
    assert_eq!(expire_deadline(-10, true, NOW), Some(NOW - 10_000));
    assert_eq!(expire_deadline(10, false, 0), Some(10));
    assert_eq!(expire_deadline(i64::MAX / 1000, true, 0), Some(i64::MAX / 1000 * 1000));
    assert_eq!(expire_deadline(i64::MAX / 1000 + 1, true, 0), None);
    assert_eq!(expire_deadline(i64::MIN / 1000, true, 0), Some(i64::MIN / 1000 * 1000));
    assert_eq!(expire_deadline(i64::MIN / 1000 - 1, true, 0), None);
    assert_eq!(expire_deadline(i64::MAX - NOW, false, NOW), Some(i64::MAX));
    assert_eq!(expire_deadline(i64::MAX - NOW + 1, false, NOW), None);
    assert_eq!(expire_deadline(i64::MIN, false, NOW), Some(i64::MIN + NOW));
    assert_eq!(expire_deadline(i64::MAX, false, 0), Some(i64::MAX));
}

#[test]
fn ttl_replies() {
    let mut d = db();
    assert_eq!(ttl(&mut d, b"k"), TtlState::NoKey);
    put(&mut d, "k", "v");
    assert_eq!(ttl(&mut d, b"k"), TtlState::Persistent);
    d.set_expire(b"k", NOW + 1499);
    let s = ttl(&mut d, b"k");
    assert_eq!(s.reply(NOW, true, false), 1499);
    assert_eq!(s.reply(NOW, false, false), 1);
    assert_eq!(TtlState::At(NOW + 1500).reply(NOW, false, false), 2);
    assert_eq!(s.reply(NOW, true, true), NOW + 1499);
    assert_eq!(s.reply(NOW, false, true), (NOW + 1499 + 500) / 1000);
    assert_eq!(TtlState::NoKey.reply(NOW, false, true), -2);
    assert_eq!(TtlState::Persistent.reply(NOW, true, false), -1);
    // a time in the past (a replica keeps such keys visible to TTL only while not expired,
    // but absolute times before the epoch are clamped)
    assert_eq!(TtlState::At(-5).reply(NOW, true, true), 0);
    assert_eq!(TtlState::At(NOW - 5).reply(NOW, true, false), 0);
    assert_eq!(TtlState::At(i64::MAX).reply(NOW, false, true), 9_223_372_036_854_776);
}

#[test]
fn persist_removes_only_existing_ttls() {
    let mut d = db();
    assert!(!persist(&mut d, b"k"));
    put(&mut d, "k", "v");
    assert!(!persist(&mut d, b"k"));
    d.set_expire(b"k", NOW + 100);
    assert!(persist(&mut d, b"k"));
    assert_eq!(d.get_expire(b"k"), None);
}

#[test]
fn object_lookup_counts_but_does_not_notify_or_touch() {
    let mut d = db();
    d.record_misses = true;
    put(&mut d, "k", "v");
    d.peek_mut(b"k").unwrap().lru = 1;
    assert!(object_lookup(&mut d, b"k").is_some());
    assert_eq!(d.peek(b"k").unwrap().lru, 1);
    assert!(object_lookup(&mut d, b"zz").is_none());
    assert_eq!((d.stats.hits, d.stats.misses), (1, 1));
    assert!(d.take_events().is_empty());
    // an expired key is expired by the lookup, and that event stays
    d.set_expire(b"k", NOW - 1);
    assert!(object_lookup(&mut d, b"k").is_none());
    assert_eq!(expired_events(&mut d), vec![b"k".to_vec()]);
}

#[test]
fn refcount_idle_and_freq() {
    let mut d = db();
    put(&mut d, "small", "9999");
    put(&mut d, "big", "10000");
    put(&mut d, "neg", "-1");
    put(&mut d, "str", "abc");
    assert_eq!(refcount(d.peek(b"small").unwrap(), true), SHARED_REFCOUNT);
    assert_eq!(refcount(d.peek(b"small").unwrap(), false), 1);
    for k in ["big", "neg", "str"] {
        assert_eq!(refcount(d.peek(k.as_bytes()).unwrap(), true), 1, "{k}");
    }
    d.peek_mut(b"str").unwrap().lru = d.clock.lru - 30;
    assert_eq!(idle_seconds(d.peek(b"str").unwrap(), &d.clock), 30);
    // LFU: counter 5 at the current minute decays by one per lfu-decay-time minutes
    d.clock.lfu = true;
    d.clock.lfu_decay_time = 1;
    let minutes = crate::db::lfu_minutes(NOW);
    d.peek_mut(b"str").unwrap().lru = ((minutes - 3) << 8) | 5;
    assert_eq!(frequency(d.peek(b"str").unwrap(), &d.clock), 2);
}

#[test]
fn free_effort_of_strings_is_one() {
    assert_eq!(free_effort(&Value::from_bytes(b"12")), 1);
    assert_eq!(free_effort(&Value::from_bytes(&[b'x'; 1000])), 1);
    assert!(free_effort(&Value::from_bytes(b"x")) <= LAZYFREE_THRESHOLD);
}
