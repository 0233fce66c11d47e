//! Unit tests of the stream encoding: node layout, iteration, deletion, trimming, counters.

use super::*;

fn limits(entries: usize, bytes: usize) -> Limits {
    Limits { stream_node_max_entries: entries, stream_node_max_bytes: bytes, ..Limits::default() }
}

fn add(s: &mut Stream, id: StreamId, pairs: &[&str], l: &Limits) -> StreamId {
    s.append(pairs, IdSpec::Explicit(id), 0, l).expect("append")
}

fn ids(it: Iter<'_>) -> Vec<StreamId> {
    it.map(|e| e.id).collect()
}

#[test]
fn parse_ids_like_redis() {
    let p = |s: &str| parse_id(s.as_bytes(), 7, false, false).map(|p| p.id);
    assert_eq!(p("-"), Some(StreamId::MIN));
    assert_eq!(p("+"), Some(StreamId::MAX));
    assert_eq!(p("5"), Some(StreamId::new(5, 7)));
    assert_eq!(p("5-3"), Some(StreamId::new(5, 3)));
    assert_eq!(p("+5-3"), Some(StreamId::new(5, 3)));
    assert_eq!(p(" 5-3"), Some(StreamId::new(5, 3)));
    assert_eq!(p("005"), Some(StreamId::new(5, 7)));
    assert_eq!(p("5--3"), None);
    assert_eq!(p("5- -3"), Some(StreamId::new(5, 3u64.wrapping_neg())));
    assert_eq!(p("5-a"), None);
    assert_eq!(p(""), None);
    assert_eq!(p("18446744073709551615-18446744073709551615"), Some(StreamId::MAX));
    assert_eq!(p("18446744073709551616"), None);
    assert_eq!(p("5-*"), None);
    assert_eq!(parse_id(b"5-*", 0, true, true), Some(ParsedId { id: StreamId::new(5, 0), seq_given: false }));
    assert_eq!(parse_id(b"-", 0, true, false), None);
    assert_eq!(parse_id(b"1-2\0junk", 0, true, false).map(|p| p.id), Some(StreamId::new(1, 2)));
    assert_eq!(parse_id(&[b'1'; 128], 0, false, false), None);
}

#[test]
fn append_builds_redis_node_layout() {
    let l = limits(100, 4096);
    let mut s = Stream::new();
    add(&mut s, StreamId::new(10, 0), &["a", "1", "b", "x"], &l);
    add(&mut s, StreamId::new(10, 1), &["a", "2", "b", "y"], &l);
    add(&mut s, StreamId::new(12, 0), &["c", "3"], &l);
    let nodes: Vec<_> = s.entries().nodes().collect();
    assert_eq!(nodes.len(), 1);
    let (master_id, node) = nodes[0];
    assert_eq!(master_id, StreamId::new(10, 0));
    let got: Vec<String> = node.iter().map(|e| String::from_utf8(e.to_bytes().into_owned()).unwrap()).collect();
    let want = [
        "3", "0", "2", "a", "b", "0", // master: count, deleted, fields, terminator
        "2", "0", "0", "1", "x", "5", // same fields: flags, ms, seq, values, lp-count
        "2", "0", "1", "2", "y", "5", //
        "0", "2", "0", "1", "c", "3", "6", // own fields
    ];
    assert_eq!(got, want);
    assert!(validate_node(node, master_id));
}

#[test]
fn nodes_split_on_entries_and_bytes() {
    let l = limits(3, 4096);
    let mut s = Stream::new();
    for i in 1..=10 {
        add(&mut s, StreamId::new(i, 0), &["f", "v"], &l);
    }
    assert_eq!(s.entries().node_count(), 4);
    let l = limits(0, 60);
    let mut s = Stream::new();
    for i in 1..=10 {
        add(&mut s, StreamId::new(i, 0), &["field", "value-value"], &l);
    }
    assert!(s.entries().node_count() > 1);
    assert_eq!(ids(s.range(StreamId::MIN, StreamId::MAX, false)).len(), 10);
}

#[test]
fn ranges_forward_and_backward_across_nodes() {
    let l = limits(2, 4096);
    let mut s = Stream::new();
    for i in 1..=9u64 {
        add(&mut s, StreamId::new(i, i % 3), &["f", &i.to_string()], &l);
    }
    let all = ids(s.range(StreamId::MIN, StreamId::MAX, false));
    assert_eq!(all.len(), 9);
    let mut rev = ids(s.range(StreamId::MIN, StreamId::MAX, true));
    rev.reverse();
    assert_eq!(rev, all);
    // both ends are inclusive, as XRANGE's are (6-0 exists: 6 % 3 == 0)
    let mid = ids(s.range(StreamId::new(3, 0), StreamId::new(6, 0), false));
    assert_eq!(mid, vec![StreamId::new(3, 0), StreamId::new(4, 1), StreamId::new(5, 2), StreamId::new(6, 0)]);
    let mid_rev = ids(s.range(StreamId::new(3, 0), StreamId::new(6, 0), true));
    assert_eq!(mid_rev, vec![StreamId::new(6, 0), StreamId::new(5, 2), StreamId::new(4, 1), StreamId::new(3, 0)]);
    // bounds between entries
    let mid = ids(s.range(StreamId::new(3, 1), StreamId::new(5, 9), false));
    assert_eq!(mid, vec![StreamId::new(4, 1), StreamId::new(5, 2)]);
    let mid_rev = ids(s.range(StreamId::new(3, 1), StreamId::new(5, 9), true));
    assert_eq!(mid_rev, vec![StreamId::new(5, 2), StreamId::new(4, 1)]);
    let e = s.entries().get(StreamId::new(7, 1)).unwrap();
    let f: Vec<_> = e.fields().map(|(a, b)| (a.to_bytes().into_owned(), b.to_bytes().into_owned())).collect();
    assert_eq!(f, vec![(b"f".to_vec(), b"7".to_vec())]);
}

#[test]
fn ids_must_grow() {
    let l = Limits::default();
    let mut s = Stream::new();
    add(&mut s, StreamId::new(5, 5), &["a", "b"], &l);
    assert_eq!(s.append(&["a", "b"], IdSpec::Explicit(StreamId::new(5, 5)), 0, &l), Err(AppendError::IdTooSmall));
    assert_eq!(s.append(&["a", "b"], IdSpec::AutoSeq(5), 0, &l), Ok(StreamId::new(5, 6)));
    assert_eq!(s.append(&["a", "b"], IdSpec::AutoSeq(4), 0, &l), Err(AppendError::IdTooSmall));
    assert_eq!(s.append(&["a", "b"], IdSpec::Auto, 3, &l), Ok(StreamId::new(5, 7)));
    assert_eq!(s.append(&["a", "b"], IdSpec::Auto, 9, &l), Ok(StreamId::new(9, 0)));
    add(&mut s, StreamId::new(9, u64::MAX), &["a", "b"], &l);
    assert_eq!(s.append(&["a", "b"], IdSpec::AutoSeq(9), 0, &l), Err(AppendError::TooLarge));
}

#[test]
fn delete_marks_tombstones_and_drops_empty_nodes() {
    let l = limits(3, 4096);
    let mut s = Stream::new();
    for i in 1..=6 {
        add(&mut s, StreamId::new(i, 0), &["f", "v"], &l);
    }
    assert_eq!(s.delete_ids(&[StreamId::new(2, 0), StreamId::new(2, 0), StreamId::new(9, 0)]), 1);
    assert_eq!(s.len(), 5);
    assert_eq!(s.entries().max_deleted_id(), StreamId::new(2, 0));
    assert_eq!(s.entries().node_count(), 2);
    assert_eq!(s.delete_ids(&[StreamId::new(1, 0), StreamId::new(3, 0)]), 2);
    assert_eq!(s.entries().node_count(), 1);
    assert_eq!(s.entries().first_id(), StreamId::new(4, 0));
    for (k, n) in s.entries().nodes() {
        assert!(validate_node(n, k));
    }
}

#[test]
fn trim_exact_and_approx() {
    let l = limits(10, 4096);
    let mut s = Stream::new();
    for i in 1..=35 {
        add(&mut s, StreamId::new(i, 0), &["f", "v"], &l);
    }
    // approx: only whole nodes
    assert_eq!(s.trim(Trim::MaxLen(22), true, 0), 10);
    assert_eq!(s.len(), 25);
    // exact: inside the node too
    assert_eq!(s.trim(Trim::MaxLen(22), false, 0), 3);
    assert_eq!(s.len(), 22);
    assert_eq!(s.entries().first_id(), StreamId::new(14, 0));
    // limit stops before a node that would exceed it
    assert_eq!(s.trim(Trim::MaxLen(0), true, 5), 0);
    assert_eq!(s.trim(Trim::MinId(StreamId::new(30, 0)), false, 0), 16);
    assert_eq!(s.entries().first_id(), StreamId::new(30, 0));
    assert_eq!(s.trim(Trim::MinId(StreamId::MAX), false, 0), 6);
    assert!(s.is_empty());
    assert_eq!(s.entries().first_id(), StreamId::MIN);
}

#[test]
fn radix_tree_node_counts() {
    let l = limits(1, 4096);
    let mut s = Stream::new();
    assert_eq!(s.entries().radix_tree_nodes(), 1);
    add(&mut s, StreamId::new(1, 0), &["f", "v"], &l);
    assert_eq!(s.entries().radix_tree_nodes(), 2);
    add(&mut s, StreamId::new(1, 1), &["f", "v"], &l);
    // 15 shared bytes, a branch, two leaves
    assert_eq!(s.entries().radix_tree_nodes(), 4);
    add(&mut s, StreamId::new(2, 0), &["f", "v"], &l);
    // prefix(7), branch{1,2}, under 1: prefix(7) branch{0,1} 2 leaves; under 2: prefix(8) leaf
    // = 1 + 1 + 4 + 2 (redis-server 7.0 reports 8 for these keys, one key per node)
    assert_eq!(s.entries().radix_tree_nodes(), 8);
    // further values read from redis-server's XINFO STREAM FULL for the same keys
    add(&mut s, StreamId::new(2, 1), &["f", "v"], &l);
    assert_eq!(s.entries().radix_tree_nodes(), 10);
    add(&mut s, StreamId::new(300, 0), &["f", "v"], &l);
    assert_eq!(s.entries().radix_tree_nodes(), 13);
    add(&mut s, StreamId::new(70000, 0), &["f", "v"], &l);
    assert_eq!(s.entries().radix_tree_nodes(), 16);
}

#[test]
fn read_counters_and_lag() {
    let l = Limits::default();
    let mut s = Stream::new();
    for i in 1..=5 {
        add(&mut s, StreamId::new(i, 0), &["f", "v"], &l);
    }
    let e = s.entries();
    assert_eq!(e.estimate_distance(StreamId::new(5, 0)), 5);
    assert_eq!(e.estimate_distance(StreamId::new(1, 0)), 1);
    assert_eq!(e.estimate_distance(StreamId::MIN), 0);
    assert_eq!(e.estimate_distance(StreamId::new(3, 0)), INVALID_ENTRIES_READ);
    assert!(s.create_group(b"g", StreamId::MIN, 0));
    assert!(!s.create_group(b"g", StreamId::MIN, 0));
    assert_eq!(s.entries().lag(s.group(b"g").unwrap()), Some(5));
    s.group_mut(b"g").unwrap().create_consumer(b"c", 100);
    let mut effects = Vec::new();
    let mut seen = Vec::new();
    let n = s.read_group_new(b"g", b"c", StreamId::new(0, 1), 2, false, 1000, &mut |e| seen.push(e.id), &mut effects);
    assert_eq!(n, 2);
    assert_eq!(seen, vec![StreamId::new(1, 0), StreamId::new(2, 0)]);
    let g = s.group(b"g").unwrap();
    assert_eq!((g.last_id, g.entries_read, g.pel_len()), (StreamId::new(2, 0), 2, 2));
    assert_eq!(s.entries().lag(g), Some(3));
    assert_eq!(effects.len(), 2);
    // deleting an entry ahead of the group makes the counter unknowable for a while
    s.delete_ids(&[StreamId::new(4, 0)]);
    assert_eq!(s.entries().lag(s.group(b"g").unwrap()), None);
}

#[test]
fn entries_below_their_node_master_id() {
    // a node left with tombstones only, the last id moved back (XSETID), new entries appended
    // into that node with negative deltas: ranges both ways and XDEL must still find them
    let l = limits(100, 4096);
    let mut s = Stream::new();
    add(&mut s, StreamId::new(5, 0), &["a", "1"], &l);
    add(&mut s, StreamId::new(6, 0), &["a", "2"], &l);
    assert_eq!(s.delete_ids(&[StreamId::new(6, 0)]), 1);
    assert_eq!(s.trim(Trim::MinId(StreamId::new(6, 0)), false, 0), 1);
    assert_eq!(s.entries().node_count(), 1);
    s.entries_mut().set_last_id(StreamId::new(1, 0));
    add(&mut s, StreamId::new(2, 0), &["x", "y"], &l);
    add(&mut s, StreamId::new(3, 0), &["x", "z"], &l);
    let all = vec![StreamId::new(2, 0), StreamId::new(3, 0)];
    assert_eq!(ids(s.range(StreamId::MIN, StreamId::MAX, false)), all);
    assert_eq!(ids(s.range(StreamId::new(2, 0), StreamId::new(4, u64::MAX), true)), vec![all[1], all[0]]);
    assert_eq!(ids(s.range(StreamId::new(2, 0), StreamId::new(3, 0), false)), all);
    assert_eq!(s.delete_ids(&[StreamId::new(3, 0)]), 1);
    assert_eq!(ids(s.range(StreamId::MIN, StreamId::MAX, true)), vec![StreamId::new(2, 0)]);
}
