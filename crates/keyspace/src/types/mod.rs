//! The aggregate value types (list, hash, set, sorted set, stream), each in its own module with
//! its compact and large encodings. What every type offers to the rest of the server (length,
//! OBJECT ENCODING name, heap size for MEMORY USAGE, deep copy for COPY, element iteration for
//! DEBUG DIGEST and RDB) is the same small set of methods, so shared code never needs to know a
//! type's internals.

pub mod hash;
pub mod list;
pub mod set;
pub mod stream;
pub mod zset;

use std::borrow::Cow;

/// One element as the compact encodings store it: bytes, or an integer kept in binary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Elem<'a> {
    Bytes(&'a [u8]),
    Int(i64),
}

impl<'a> Elem<'a> {
    /// The element's bytes (integers in canonical decimal form).
    pub fn to_bytes(&self) -> Cow<'a, [u8]> {
        match *self {
            Elem::Bytes(b) => Cow::Borrowed(b),
            Elem::Int(n) => Cow::Owned(n.to_string().into_bytes()),
        }
    }
    /// Appends the element's bytes to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match *self {
            Elem::Bytes(b) => out.extend_from_slice(b),
            Elem::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
        }
    }
    pub fn len(&self) -> usize {
        match *self {
            Elem::Bytes(b) => b.len(),
            Elem::Int(n) => crate::value::int_len(n),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Thresholds that decide encodings, from the config (Redis's *-max-listpack-* and friends).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// list-max-listpack-size: positive = max entries per node, negative = max node bytes
    /// (-1 = 4 KiB ... -5 = 64 KiB).
    pub list_max_listpack_size: i64,
    pub list_compress_depth: i64,
    pub hash_max_listpack_entries: usize,
    pub hash_max_listpack_value: usize,
    pub set_max_intset_entries: usize,
    pub zset_max_listpack_entries: usize,
    pub zset_max_listpack_value: usize,
    pub stream_node_max_bytes: usize,
    pub stream_node_max_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            list_max_listpack_size: -2,
            list_compress_depth: 0,
            hash_max_listpack_entries: 512,
            hash_max_listpack_value: 64,
            set_max_intset_entries: 512,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            stream_node_max_bytes: 4096,
            stream_node_max_entries: 100,
        }
    }
}
