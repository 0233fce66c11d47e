//! Property test: every value type, in every encoding its size and the limits lead to, survives
//! our encoder and decoder with the same contents and the same encoding (DUMP payload framing
//! included), and corrupting any byte of a payload is either detected or decodes without a
//! panic.

use proptest::prelude::*;
use vireo_keyspace::types::hash::Hash;
use vireo_keyspace::types::list::{End, List};
use vireo_keyspace::types::set::Set;
use vireo_keyspace::types::stream::{IdSpec, Stream};
use vireo_keyspace::types::zset::{AddFlags, ZSet};
use vireo_keyspace::types::{Elem, Limits};
use vireo_keyspace::value::Value;
use vireo_rdb::enc::{check_dump_payload, dump_payload};
use vireo_rdb::value::{read_value, write_value};
use vireo_rdb::{Decoder, Encoder};

fn bytes(e: Elem<'_>) -> Vec<u8> {
    e.to_bytes().into_owned()
}

/// Contents and encoding, comparable.
fn describe(v: &Value) -> (String, Vec<Vec<u8>>) {
    let enc = vireo_keyspace::value::Entry::new(v.duplicate(), 0).encoding().to_string();
    let mut items: Vec<Vec<u8>> = match v {
        Value::Str(s) => vec![s.to_vec()],
        Value::Int(i) => vec![i.to_string().into_bytes()],
        Value::List(l) => l.iter().map(bytes).collect(),
        Value::Set(s) => s.iter().map(bytes).collect(),
        Value::Hash(h) => h.iter().map(|(f, v)| [bytes(f), b"=".to_vec(), bytes(v)].concat()).collect(),
        Value::ZSet(z) => z.iter().map(|(m, s)| [bytes(m), format!("={s}").into_bytes()].concat()).collect(),
        Value::Stream(s) => s
            .range(Default::default(), vireo_keyspace::types::stream::StreamId { ms: u64::MAX, seq: u64::MAX }, false)
            .map(|e| {
                let mut out = e.id.to_string().into_bytes();
                for (f, v) in e.fields() {
                    out.extend_from_slice(&f.to_bytes());
                    out.push(b'=');
                    out.extend_from_slice(&v.to_bytes());
                }
                out
            })
            .collect(),
    };
    if matches!(v, Value::Set(_) | Value::Hash(_)) {
        items.sort();
    }
    (enc, items)
}

/// A value with a Debug form (its description), as proptest needs.
struct V(Value);

impl std::fmt::Debug for V {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (enc, items) = describe(&self.0);
        write!(f, "{enc} {:?}", items.iter().map(|i| String::from_utf8_lossy(i).into_owned()).collect::<Vec<_>>())
    }
}

fn member() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        (-1000i64..100000).prop_map(|i| i.to_string().into_bytes()),
        proptest::collection::vec(any::<u8>(), 0..12),
        proptest::collection::vec(b'a'..=b'z', 60..80),
    ]
}

fn value(limits: Limits) -> impl Strategy<Value = V> {
    let l1 = limits;
    let l2 = limits;
    let l3 = limits;
    let l4 = limits;
    prop_oneof![
        member().prop_map(|m| V(Value::from_bytes(&m))),
        proptest::collection::vec(member(), 1..300).prop_map(move |ms| {
            let mut l = List::with_limits(&l1);
            for m in &ms {
                l.push(m, End::Tail);
            }
            V(Value::List(Box::new(l)))
        }),
        proptest::collection::vec(member(), 1..300).prop_map(move |ms| {
            let mut s = Set::for_member(&ms[0]);
            for m in &ms {
                s.add(m, l2.set_max_intset_entries);
            }
            V(Value::Set(Box::new(s)))
        }),
        proptest::collection::vec((member(), member()), 1..200).prop_map(move |ps| {
            let mut h = Hash::new();
            for (f, v) in &ps {
                h.set(f, v, &l3);
            }
            V(Value::Hash(Box::new(h)))
        }),
        proptest::collection::vec((member(), -1e6f64..1e6), 1..200).prop_map(move |ps| {
            let mut z = ZSet::for_first_member(ps[0].0.len(), &l4);
            for (m, s) in &ps {
                z.add(*s, m, AddFlags::default(), &l4);
            }
            V(Value::ZSet(Box::new(z)))
        }),
        proptest::collection::vec((member(), member()), 1..150).prop_map(move |ps| {
            let mut s = Stream::new();
            for (f, v) in &ps {
                let _ = s.append(&[f.as_slice(), v.as_slice()], IdSpec::Auto, 1_700_000_000_000, &limits);
            }
            V(Value::Stream(Box::new(s)))
        }),
    ]
}

fn limits_strategy() -> impl Strategy<Value = Limits> {
    (prop_oneof![Just(-2i64), Just(4), Just(-1)], 2usize..130, 8usize..70, 2usize..600).prop_map(
        |(fill, entries, value, ints)| Limits {
            list_max_listpack_size: fill,
            hash_max_listpack_entries: entries,
            hash_max_listpack_value: value,
            zset_max_listpack_entries: entries,
            zset_max_listpack_value: value,
            set_max_intset_entries: ints,
            ..Limits::default()
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn values_round_trip((limits, V(v)) in limits_strategy().prop_flat_map(|l| (Just(l), value(l)))) {
        let mut body = Vec::new();
        let mut e = Encoder::new(&mut body);
        write_value(&mut e, &v).unwrap();
        let payload = dump_payload(&body);
        let back_body = check_dump_payload(&payload).unwrap();
        let mut d = Decoder::new(back_body);
        let t = d.u8().unwrap();
        let back = read_value(&mut d, t, &limits).unwrap().expect("non-empty");
        prop_assert_eq!(d.offset(), back_body.len() as u64);
        prop_assert_eq!(describe(&back), describe(&v));

        // a flipped byte is caught by the checksum; decoding the damaged body itself never panics
        for i in (0..body.len()).step_by(1 + body.len() / 16) {
            let mut bad = payload.clone();
            bad[i] ^= 0x41;
            prop_assert!(check_dump_payload(&bad).is_none());
            let mut damaged = body.clone();
            damaged[i] ^= 0x41;
            let mut d = Decoder::new(&damaged[..]);
            d.max_string = 1 << 20;
            if let Ok(t) = d.u8() {
                let _ = read_value(&mut d, t, &limits);
            }
        }
    }
}
