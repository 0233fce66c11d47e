//! Values in RDB form: the type byte and payload of each keyspace value, written in the
//! encodings Redis 7.0 writes (so that Redis 7.0 loads them) and read from those plus the older
//! encodings Redis 7.0 still loads. The loader rebuilds each value in the encoding vireo's own
//! rules pick under the given limits, validating every blob (listpacks, intsets, ziplists)
//! before trusting it. Knows keyspace values, not keys, databases or files.

use crate::enc::{Decoder, Encoder, Error};
use crate::vtype;
use crate::ziplist;
use std::io::{self, Read, Write};
use vireo_keyspace::listpack::Listpack;
use vireo_keyspace::types::hash::Hash;
use vireo_keyspace::types::list::{List, Node};
use vireo_keyspace::types::set::Set;
use vireo_keyspace::types::stream::{Stream, StreamId};
use vireo_keyspace::types::zset::ZSet;
use vireo_keyspace::types::{Elem, Limits};
use vireo_keyspace::value::Value;
use vireo_keyspace::SBytes;

/// The most elements a collection is presized for from the length its encoding declares;
/// bigger ones grow as their elements actually arrive (a damaged or hostile length must not
/// allocate gigabytes up front).
pub const PRESIZE_MAX: u64 = 1 << 20;

/// The type byte Redis 7.0 would write for `v` (None for the types not handled yet).
pub fn type_byte(v: &Value) -> Option<u8> {
    match v {
        Value::Str(_) | Value::Int(_) => Some(vtype::STRING),
        Value::List(_) => Some(vtype::LIST_QUICKLIST_2),
        Value::Set(s) => Some(if s.intset_bytes().is_some() { vtype::SET_INTSET } else { vtype::SET }),
        Value::Stream(_) => Some(vtype::STREAM_LISTPACKS_2),
        Value::Hash(h) => Some(if h.listpack().is_some() { vtype::HASH_LISTPACK } else { vtype::HASH }),
        Value::ZSet(z) => Some(if z.listpack().is_some() { vtype::ZSET_LISTPACK } else { vtype::ZSET_2 }),
    }
}

fn unsupported(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::Unsupported, format!("RDB serialization of {what} values is not implemented yet"))
}

fn elem<W: Write>(e: &mut Encoder<W>, el: Elem<'_>) -> io::Result<()> {
    match el {
        Elem::Bytes(b) => e.string(b),
        Elem::Int(i) => e.int_string(i),
    }
}

/// Writes the type byte and the payload of `v` (a DUMP payload's body).
pub fn write_value<W: Write>(e: &mut Encoder<W>, v: &Value) -> io::Result<()> {
    let t = match type_byte(v) {
        Some(t) => t,
        None => return Err(unsupported(v.kind().name())),
    };
    e.u8(t)?;
    write_payload(e, v)
}

/// Writes the payload of `v` (in a file the key stands between the type byte and the payload).
pub fn write_payload<W: Write>(e: &mut Encoder<W>, v: &Value) -> io::Result<()> {
    match v {
        Value::Str(s) => e.string(s),
        Value::Int(i) => e.int_string(*i),
        Value::List(l) => {
            e.length(l.node_count() as u64)?;
            for node in l.nodes() {
                match node {
                    Node::Plain(b) => {
                        e.length(crate::container::PLAIN)?;
                        e.string(b)?;
                    }
                    Node::Packed(lp) => {
                        e.length(crate::container::PACKED)?;
                        e.string(lp.bytes())?;
                    }
                }
            }
            Ok(())
        }
        Value::Set(s) => match s.intset_bytes() {
            Some(blob) => e.string(blob),
            None => {
                e.length(s.len() as u64)?;
                for m in s.iter() {
                    elem(e, m)?;
                }
                Ok(())
            }
        },
        Value::Stream(s) => write_stream(e, s),
        Value::Hash(h) => match h.listpack() {
            Some(lp) => e.string(lp.bytes()),
            None => {
                e.length(h.len() as u64)?;
                for (f, v) in h.iter() {
                    elem(e, f)?;
                    elem(e, v)?;
                }
                Ok(())
            }
        },
        Value::ZSet(z) => match z.listpack() {
            Some(lp) => e.string(lp.bytes()),
            None => {
                // highest score first, as Redis writes them
                e.length(z.len() as u64)?;
                for (m, s) in z.range(z.len().saturating_sub(1), true) {
                    elem(e, m)?;
                    e.binary_double(s)?;
                }
                Ok(())
            }
        },
    }
}

fn write_id<W: Write>(e: &mut Encoder<W>, id: StreamId) -> io::Result<()> {
    e.length(id.ms)?;
    e.length(id.seq)
}

/// STREAM_LISTPACKS_2: the nodes (16-byte big-endian master id, listpack), the length, the last,
/// first and largest deleted ids, the entries ever added, then each consumer group with its last
/// delivered id, entries read, pending entries (raw id, delivery time, delivery count) and
/// consumers (name, seen time, raw ids of the entries they own).
fn write_stream<W: Write>(e: &mut Encoder<W>, s: &Stream) -> io::Result<()> {
    let ent = s.entries();
    e.length(ent.node_count() as u64)?;
    for (master, lp) in ent.nodes() {
        e.string(&master.to_be_bytes())?;
        e.string(lp.bytes())?;
    }
    e.length(ent.len())?;
    write_id(e, ent.last_id())?;
    write_id(e, ent.first_id())?;
    write_id(e, ent.max_deleted_id())?;
    e.length(ent.entries_added())?;
    e.length(s.group_count() as u64)?;
    for (name, g) in s.groups() {
        e.string(name)?;
        write_id(e, g.last_id)?;
        e.length(g.entries_read as u64)?;
        e.length(g.pel_len() as u64)?;
        for (id, nack) in g.pel() {
            e.raw(&id.to_be_bytes())?;
            e.millis(nack.delivery_time)?;
            e.length(nack.delivery_count)?;
        }
        e.length(g.consumer_count() as u64)?;
        for (cname, c) in g.consumers() {
            e.string(cname)?;
            e.millis(c.seen_time)?;
            e.length(c.pending() as u64)?;
            for id in c.pending_ids() {
                e.raw(&id.to_be_bytes())?;
            }
        }
    }
    Ok(())
}

fn read_id<R: Read>(d: &mut Decoder<R>) -> Result<StreamId, Error> {
    Ok(StreamId { ms: d.length()?, seq: d.length()? })
}

fn read_raw_id<R: Read>(d: &mut Decoder<R>) -> Result<StreamId, Error> {
    let mut b = [0u8; 16];
    d.exact(&mut b)?;
    Ok(StreamId::from_be_bytes(b))
}

/// STREAM_LISTPACKS (v1, Redis 5 and 6) and STREAM_LISTPACKS_2 (7.0). For v1 the counters 7.0
/// added are derived as Redis derives them: the first id from the data, entries added = length,
/// each group's entries read estimated from its last delivered id.
fn read_stream<R: Read>(d: &mut Decoder<R>, v2: bool) -> Result<Stream, Error> {
    let mut s = Stream::new();
    let nodes = d.length()?;
    for _ in 0..nodes {
        let at = d.offset();
        let key = d.string()?;
        let Ok(raw) = <[u8; 16]>::try_from(&key[..]) else {
            return Err(Error::Corrupt { offset: at, what: "stream node key is not a 128-bit id".into() });
        };
        let at = d.offset();
        let blob = d.string()?;
        let lp = Listpack::from_bytes(blob)
            .map_err(|e| Error::Corrupt { offset: at, what: format!("invalid listpack in a stream node ({e:?})") })?;
        if lp.is_empty() {
            return Err(Error::Corrupt { offset: at, what: "Empty listpack inside stream".into() });
        }
        if !s.entries_mut().push_node(StreamId::from_be_bytes(raw), lp) {
            return Err(Error::Corrupt { offset: at, what: "invalid or out-of-order stream node".into() });
        }
    }
    let at = d.offset();
    let length = d.length()?;
    if length != s.entries().len() {
        return Err(Error::Corrupt { offset: at, what: "stream length does not match its entries".into() });
    }
    let last = read_id(d)?;
    s.entries_mut().set_last_id(last);
    if v2 {
        let first = read_id(d)?;
        let max_deleted = read_id(d)?;
        let added = d.length()?;
        let ent = s.entries_mut();
        ent.set_first_id(first);
        ent.set_max_deleted_id(max_deleted);
        ent.set_entries_added(added);
    } else {
        let first = s.entries().edge_id(true, true);
        let len = s.entries().len();
        let ent = s.entries_mut();
        ent.set_first_id(first);
        ent.set_max_deleted_id(StreamId { ms: 0, seq: 0 });
        ent.set_entries_added(len);
    }
    let groups = d.length()?;
    for _ in 0..groups {
        let at = d.offset();
        let name = d.string()?;
        let gid = read_id(d)?;
        let entries_read = if v2 { d.length()? as i64 } else { s.entries().estimate_distance(gid) };
        if !s.create_group(&name, gid, entries_read) {
            return Err(Error::Corrupt { offset: at, what: "duplicated consumer group name".into() });
        }
        let g = s.group_mut(&name).expect("just created");
        let pel = d.length()?;
        for _ in 0..pel {
            let id = read_raw_id(d)?;
            let time = d.millis()?;
            let count = d.length()?;
            if !g.restore_pending(id, time, count) {
                return Err(d.corrupt("duplicated global PEL entry loading stream consumer group"));
            }
        }
        let consumers = d.length()?;
        for _ in 0..consumers {
            let cname = d.string()?;
            let seen = d.millis()?;
            if !g.create_consumer(&cname, seen) {
                return Err(d.corrupt("duplicated consumer name in a stream group"));
            }
            let owned = d.length()?;
            for _ in 0..owned {
                let id = read_raw_id(d)?;
                if !g.restore_owner(id, &cname) {
                    return Err(d.corrupt("consumer PEL entry not found in the group PEL, or owned twice"));
                }
            }
        }
    }
    Ok(s)
}

/// Reads the payload of a value of type `t` (the type byte already read). `Ok(None)` for an
/// empty collection, which only a faulty writer leaves: Redis skips such keys with a notice.
pub fn read_value<R: Read>(d: &mut Decoder<R>, t: u8, limits: &Limits) -> Result<Option<Value>, Error> {
    match t {
        vtype::STRING => Ok(Some(match d.string_or_int()? {
            Ok(b) => Value::from_bytes(&b),
            Err(i) => Value::Int(i),
        })),
        vtype::LIST => {
            let n = d.length()?;
            let mut l = List::with_limits(limits);
            for _ in 0..n {
                let v = d.string()?;
                l.push(&v, vireo_keyspace::types::list::End::Tail);
            }
            non_empty(d, Value::List(Box::new(l)), n == 0)
        }
        vtype::LIST_QUICKLIST_2 => {
            let nodes = d.length()?;
            let mut l = List::with_limits(limits);
            for _ in 0..nodes {
                let container = d.length()?;
                let blob = d.string()?;
                match container {
                    crate::container::PLAIN => l.append_node(Node::Plain(blob.into_boxed_slice())),
                    crate::container::PACKED => {
                        let at = d.offset();
                        let lp = Listpack::from_bytes(blob).map_err(|e| Error::Corrupt {
                            offset: at,
                            what: format!("invalid listpack in a list node ({e:?})"),
                        })?;
                        // Redis skips empty nodes a buggy writer may have left
                        if !lp.is_empty() {
                            l.append_node(Node::Packed(lp));
                        }
                    }
                    c => return Err(d.corrupt(format!("unknown quicklist node container {c}"))),
                }
            }
            let empty = l.is_empty();
            non_empty(d, Value::List(Box::new(l)), empty)
        }
        vtype::LIST_QUICKLIST | vtype::LIST_ZIPLIST => {
            let blobs = if t == vtype::LIST_QUICKLIST { d.length()? } else { 1 };
            let mut l = List::with_limits(limits);
            for _ in 0..blobs {
                let at = d.offset();
                let z = d.string()?;
                let items = ziplist::entries(&z).map_err(|what| Error::Corrupt { offset: at, what })?;
                if items.is_empty() {
                    continue;
                }
                let elems: Vec<Vec<u8>> = items.into_iter().map(ziplist::ZipEntry::into_bytes).collect();
                match Listpack::from_elems(elems.iter().map(|e| &e[..])) {
                    Ok(lp) if t == vtype::LIST_QUICKLIST => l.append_node(Node::Packed(lp)),
                    _ => {
                        for e in &elems {
                            l.push(e, vireo_keyspace::types::list::End::Tail);
                        }
                    }
                }
            }
            let empty = l.is_empty();
            non_empty(d, Value::List(Box::new(l)), empty)
        }
        vtype::SET => {
            let n = d.length()?;
            // presized for at most PRESIZE_MAX members: a declared length is not trusted with memory
            let mut s = Set::for_loading(n.min(PRESIZE_MAX) as usize, limits.set_max_intset_entries);
            for _ in 0..n {
                let m = d.string()?;
                if !s.add(&m, limits.set_max_intset_entries) {
                    return Err(d.corrupt("duplicate set member"));
                }
            }
            non_empty(d, Value::Set(Box::new(s)), n == 0)
        }
        vtype::SET_INTSET => {
            let at = d.offset();
            let blob = d.string()?;
            let mut s = Set::from_intset_bytes(&blob)
                .ok_or_else(|| Error::Corrupt { offset: at, what: "invalid intset".into() })?;
            if s.len() > limits.set_max_intset_entries {
                s.convert_to_hashtable();
            }
            let empty = s.is_empty();
            non_empty(d, Value::Set(Box::new(s)), empty)
        }
        vtype::HASH => {
            let n = d.length()?;
            let mut h = if n <= limits.hash_max_listpack_entries as u64 {
                Hash::new()
            } else {
                Hash::new_hashtable(n.min(PRESIZE_MAX) as usize)
            };
            for _ in 0..n {
                let f = d.string()?;
                let v = d.string()?;
                if h.set(&f, &v, limits) {
                    return Err(d.corrupt("Duplicate hash fields detected"));
                }
            }
            Ok(if h.is_empty() { None } else { Some(Value::Hash(Box::new(h))) })
        }
        vtype::HASH_LISTPACK | vtype::HASH_ZIPLIST | vtype::HASH_ZIPMAP => {
            let at = d.offset();
            let blob = d.string()?;
            let bad = |what: String| Error::Corrupt { offset: at, what };
            let lp = match t {
                vtype::HASH_LISTPACK => {
                    Listpack::from_bytes(blob).map_err(|e| bad(format!("invalid hash listpack ({e:?})")))?
                }
                vtype::HASH_ZIPLIST => {
                    let items = ziplist::entries(&blob).map_err(bad)?;
                    let items: Vec<Vec<u8>> = items.into_iter().map(ziplist::ZipEntry::into_bytes).collect();
                    Listpack::from_elems(items.iter().map(|e| &e[..])).map_err(|e| bad(format!("{e:?}")))?
                }
                _ => {
                    let pairs = ziplist::zipmap_pairs(&blob).map_err(bad)?;
                    let items: Vec<&[u8]> = pairs.iter().flat_map(|(f, v)| [&f[..], &v[..]]).collect();
                    Listpack::from_elems(items).map_err(|e| bad(format!("{e:?}")))?
                }
            };
            if lp.is_empty() {
                return Ok(None);
            }
            let longest = lp.iter().map(|e| e.len()).max().unwrap_or(0);
            let mut h = Hash::from_listpack(lp).ok_or_else(|| bad("Duplicate hash fields detected".into()))?;
            if h.len() > limits.hash_max_listpack_entries || longest > limits.hash_max_listpack_value {
                h.convert_to_hashtable();
            }
            Ok(Some(Value::Hash(Box::new(h))))
        }
        vtype::ZSET | vtype::ZSET_2 => {
            let n = d.length()?;
            let mut items: Vec<(SBytes, f64)> = Vec::with_capacity(n.min(PRESIZE_MAX) as usize);
            for _ in 0..n {
                let m = d.string()?;
                let s = if t == vtype::ZSET_2 { d.binary_double()? } else { d.text_double()? };
                if s.is_nan() {
                    return Err(d.corrupt("Zset with NAN score detected"));
                }
                items.push((SBytes::new(&m), s));
            }
            let mut names: Vec<&[u8]> = items.iter().map(|(m, _)| m.as_slice()).collect();
            names.sort_unstable();
            if names.windows(2).any(|w| w[0] == w[1]) {
                return Err(d.corrupt("Duplicate zset fields detected"));
            }
            drop(names);
            ZSet::sort_items(&mut items);
            if items.is_empty() {
                return Ok(None);
            }
            Ok(Some(Value::ZSet(Box::new(ZSet::from_sorted(items, limits)))))
        }
        vtype::ZSET_LISTPACK | vtype::ZSET_ZIPLIST => {
            let at = d.offset();
            let blob = d.string()?;
            let bad = |what: String| Error::Corrupt { offset: at, what };
            let lp = if t == vtype::ZSET_LISTPACK {
                Listpack::from_bytes(blob).map_err(|e| bad(format!("invalid sorted set listpack ({e:?})")))?
            } else {
                let items = ziplist::entries(&blob).map_err(bad)?;
                let items: Vec<Vec<u8>> = items.into_iter().map(ziplist::ZipEntry::into_bytes).collect();
                Listpack::from_elems(items.iter().map(|e| &e[..])).map_err(|e| bad(format!("{e:?}")))?
            };
            if lp.is_empty() {
                return Ok(None);
            }
            let mut z = ZSet::from_listpack(lp).ok_or_else(|| bad("invalid sorted set listpack".into()))?;
            if z.len() > limits.zset_max_listpack_entries {
                z.convert_to_large();
            }
            Ok(Some(Value::ZSet(Box::new(z))))
        }
        vtype::STREAM_LISTPACKS | vtype::STREAM_LISTPACKS_2 => {
            Ok(Some(Value::Stream(Box::new(read_stream(d, t == vtype::STREAM_LISTPACKS_2)?))))
        }
        vtype::MODULE_2 | vtype::MODULE_PRE_GA => {
            Err(d.corrupt("the RDB holds a module value, and vireo has no modules to load it"))
        }
        _ => Err(d.corrupt(format!("unknown or unsupported RDB value type {t}"))),
    }
}

/// None for an empty collection (skipped by the loader).
fn non_empty<R: Read>(_d: &Decoder<R>, v: Value, empty: bool) -> Result<Option<Value>, Error> {
    Ok(if empty { None } else { Some(v) })
}
