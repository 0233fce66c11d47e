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
use vireo_keyspace::types::list::{List, Node};
use vireo_keyspace::types::set::Set;
use vireo_keyspace::types::{Elem, Limits};
use vireo_keyspace::value::Value;

/// The type byte Redis 7.0 would write for `v` (None for the types not handled yet).
pub fn type_byte(v: &Value) -> Option<u8> {
    match v {
        Value::Str(_) | Value::Int(_) => Some(vtype::STRING),
        Value::List(_) => Some(vtype::LIST_QUICKLIST_2),
        Value::Set(s) => Some(if s.intset_bytes().is_some() { vtype::SET_INTSET } else { vtype::SET }),
        Value::Hash(_) | Value::ZSet(_) | Value::Stream(_) => None,
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
        Value::Hash(_) | Value::ZSet(_) | Value::Stream(_) => Err(unsupported(v.kind().name())),
    }
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
            let mut s = Set::for_loading(n.min(usize::MAX as u64) as usize, limits.set_max_intset_entries);
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
