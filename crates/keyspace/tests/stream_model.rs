//! Property test of the stream type against a simple model: an ordered map from id to the
//! entry's field/value pairs plus the counters Redis keeps (last id, entries added, largest
//! deleted id). Random XADD (explicit, `<ms>-*` and `*` ids), XDEL, exact and approximate
//! MAXLEN/MINID trims (with LIMIT) and range reads, under small random `stream-node-max-entries`
//! / `stream-node-max-bytes` limits, must agree with the model on every result, on the entries
//! read forward and backward (with COUNT), and on the counters; every node must stay a valid
//! Redis stream listpack within the node limits, and approximate trims may only remove whole
//! nodes from the head, never more than the exact trim would.

use proptest::prelude::*;
use std::collections::BTreeMap;
use vireo_keyspace::types::stream::{validate_node, AppendError, IdSpec, Stream, StreamId, Trim};
use vireo_keyspace::types::Limits;

type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

#[derive(Debug, Clone)]
enum Op {
    Add { spec: SpecKind, pairs: Pairs },
    Del(Vec<(u64, u64)>),
    TrimLen { n: u64, approx: bool, limit: i64 },
    TrimMin { id: (u64, u64), approx: bool, limit: i64 },
    Range { start: (u64, u64), end: (u64, u64), rev: bool, count: usize },
}

#[derive(Debug, Clone, Copy)]
enum SpecKind {
    Explicit(u64, u64),
    AutoSeq(u64),
    Auto(i64),
}

fn pairs() -> impl Strategy<Value = Pairs> {
    let name = prop_oneof![
        4 => prop::sample::select(vec!["a", "b", "c"]).prop_map(|s| s.as_bytes().to_vec()),
        1 => prop::collection::vec(any::<u8>(), 0..6),
    ];
    let val = prop_oneof![
        3 => (-1000i64..1000).prop_map(|v| v.to_string().into_bytes()),
        2 => prop::collection::vec(any::<u8>(), 0..40),
    ];
    prop::collection::vec((name, val), 1..4)
}

fn small_id() -> impl Strategy<Value = (u64, u64)> {
    (0u64..40, 0u64..4)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (prop_oneof![
                small_id().prop_map(|(m, s)| SpecKind::Explicit(m, s)),
                (0u64..40).prop_map(SpecKind::AutoSeq),
                (0i64..40).prop_map(SpecKind::Auto),
            ], pairs()).prop_map(|(spec, pairs)| Op::Add { spec, pairs }),
        2 => prop::collection::vec(small_id(), 1..4).prop_map(Op::Del),
        1 => (0u64..12, any::<bool>(), prop_oneof![Just(0i64), 1i64..8]).prop_map(|(n, approx, limit)| Op::TrimLen { n, approx, limit: if approx { limit } else { 0 } }),
        1 => (small_id(), any::<bool>(), prop_oneof![Just(0i64), 1i64..8]).prop_map(|(id, approx, limit)| Op::TrimMin { id, approx, limit: if approx { limit } else { 0 } }),
        2 => (small_id(), small_id(), any::<bool>(), 0usize..5).prop_map(|(start, end, rev, count)| Op::Range { start, end, rev, count }),
    ]
}

#[derive(Default)]
struct Model {
    entries: BTreeMap<StreamId, Pairs>,
    last_id: StreamId,
    max_deleted: StreamId,
    added: u64,
}

fn id((ms, seq): (u64, u64)) -> StreamId {
    StreamId::new(ms, seq)
}

fn read_all(s: &Stream, start: StreamId, end: StreamId, rev: bool) -> Vec<(StreamId, Pairs)> {
    s.range(start, end, rev)
        .map(|e| (e.id, e.fields().map(|(f, v)| (f.to_bytes().into_owned(), v.to_bytes().into_owned())).collect()))
        .collect()
}

fn check(s: &Stream, m: &Model, l: &Limits) {
    let got = read_all(s, StreamId::MIN, StreamId::MAX, false);
    let want: Vec<_> = m.entries.iter().map(|(k, v)| (*k, v.clone())).collect();
    assert_eq!(got, want);
    let mut back = read_all(s, StreamId::MIN, StreamId::MAX, true);
    back.reverse();
    assert_eq!(back, want);
    let e = s.entries();
    assert_eq!(e.len(), m.entries.len() as u64);
    assert_eq!(e.last_id(), m.last_id);
    assert_eq!(e.entries_added(), m.added);
    assert_eq!(e.max_deleted_id(), m.max_deleted);
    assert_eq!(e.first_id(), m.entries.keys().next().copied().unwrap_or(StreamId::MIN));
    let mut live = 0u64;
    for (k, node) in e.nodes() {
        assert!(validate_node(node, k), "node {k} is not a valid stream listpack");
        let elems: Vec<_> = node.iter().collect();
        // a node may hold no live entry: Redis keeps one whose last entry is a tombstone at or
        // past a MINID trim's id, and appends go on into it
        let n: i64 = String::from_utf8_lossy(&elems[0].to_bytes()).parse().unwrap();
        let d: i64 = String::from_utf8_lossy(&elems[1].to_bytes()).parse().unwrap();
        if l.stream_node_max_entries != 0 {
            assert!((n + d) as usize <= l.stream_node_max_entries);
        }
        live += n as u64;
    }
    assert_eq!(live, e.len());
    assert_eq!(e.node_count(), e.nodes().count());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn stream_matches_model(
        max_entries in prop_oneof![Just(0usize), 1usize..6],
        max_bytes in prop_oneof![Just(0usize), 40usize..300, Just(4096usize)],
        ops in prop::collection::vec(op(), 1..80),
    ) {
        let l = Limits { stream_node_max_entries: max_entries, stream_node_max_bytes: max_bytes, ..Limits::default() };
        let mut s = Stream::new();
        let mut m = Model::default();
        for op in ops {
            match op {
                Op::Add { spec, pairs } => {
                    let flat: Vec<Vec<u8>> = pairs.iter().flat_map(|(f, v)| [f.clone(), v.clone()]).collect();
                    let (spec, now) = match spec {
                        SpecKind::Explicit(a, b) => (IdSpec::Explicit(id((a, b))), 0),
                        SpecKind::AutoSeq(ms) => (IdSpec::AutoSeq(ms), 0),
                        SpecKind::Auto(now) => (IdSpec::Auto, now),
                    };
                    let want = match spec {
                        IdSpec::Explicit(i) => i,
                        IdSpec::AutoSeq(ms) if ms == m.last_id.ms => StreamId::new(ms, m.last_id.seq + 1),
                        IdSpec::AutoSeq(ms) => StreamId::new(ms, 0),
                        IdSpec::Auto if now as u64 > m.last_id.ms => StreamId::new(now as u64, 0),
                        IdSpec::Auto => m.last_id.incr().unwrap(),
                    };
                    let got = s.append(&flat, spec, now, &l);
                    if want <= m.last_id {
                        prop_assert_eq!(got, Err(AppendError::IdTooSmall));
                    } else {
                        prop_assert_eq!(got, Ok(want));
                        m.entries.insert(want, pairs);
                        m.last_id = want;
                        m.added += 1;
                    }
                }
                Op::Del(ids) => {
                    let ids: Vec<StreamId> = ids.into_iter().map(id).collect();
                    let mut want = 0;
                    for i in &ids {
                        if m.entries.remove(i).is_some() {
                            want += 1;
                            m.max_deleted = m.max_deleted.max(*i);
                        }
                    }
                    prop_assert_eq!(s.delete_ids(&ids), want);
                }
                Op::TrimLen { n, approx, limit } => {
                    let exact = (m.entries.len() as u64).saturating_sub(n);
                    let removed = s.trim(Trim::MaxLen(n), approx, limit);
                    if approx {
                        prop_assert!(removed <= exact);
                        if limit != 0 {
                            prop_assert!(removed <= limit as u64);
                        }
                    } else {
                        prop_assert_eq!(removed, exact);
                    }
                    for _ in 0..removed {
                        m.entries.pop_first();
                    }
                }
                Op::TrimMin { id: t, approx, limit } => {
                    let t = id(t);
                    let exact = m.entries.range(..t).count() as u64;
                    let removed = s.trim(Trim::MinId(t), approx, limit);
                    if approx {
                        prop_assert!(removed <= exact);
                        if limit != 0 {
                            prop_assert!(removed <= limit as u64);
                        }
                    } else {
                        prop_assert_eq!(removed, exact);
                    }
                    for _ in 0..removed {
                        m.entries.pop_first();
                    }
                }
                Op::Range { start, end, rev, count } => {
                    let (a, b) = (id(start), id(end));
                    let mut want: Vec<_> = if a <= b {
                        m.entries.range(a..=b).map(|(k, v)| (*k, v.clone())).collect()
                    } else {
                        Vec::new()
                    };
                    if rev {
                        want.reverse();
                    }
                    if count > 0 {
                        want.truncate(count);
                    }
                    let mut got = read_all(&s, a, b, rev);
                    if count > 0 {
                        got.truncate(count);
                    }
                    prop_assert_eq!(got, want);
                }
            }
            check(&s, &m, &l);
        }
    }
}
