//! Values stored under keys and their encodings. A string is kept as an integer when it is the
//! canonical decimal form of an i64 (Redis's "int" encoding), otherwise as bytes ("embstr" for
//! short strings created whole, "raw" for long ones or ones modified in place). The per-key
//! metadata (LRU clock or LFU counter, encoding flags) lives in [`Entry`] next to the value.

use crate::sbytes::SBytes;
use crate::types::{hash::Hash, list::List, set::Set, stream::Stream, zset::ZSet};
use std::borrow::Cow;

/// Strings up to this length created whole report "embstr" (Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT).
pub const EMBSTR_MAX: usize = 44;
/// Integers in `0..SHARED_INTEGERS` are shared objects in Redis (OBJECT REFCOUNT 2147483647).
pub const SHARED_INTEGERS: i64 = 10000;

/// A value. Aggregate types are boxed so the enum stays 24 bytes.
pub enum Value {
    Str(SBytes),
    Int(i64),
    List(Box<List>),
    Hash(Box<Hash>),
    Set(Box<Set>),
    ZSet(Box<ZSet>),
    Stream(Box<Stream>),
}

const _: () = assert!(std::mem::size_of::<Value>() == 24);

/// The type name as TYPE reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    String,
    List,
    Set,
    ZSet,
    Hash,
    Stream,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::String => "string",
            Kind::List => "list",
            Kind::Set => "set",
            Kind::ZSet => "zset",
            Kind::Hash => "hash",
            Kind::Stream => "stream",
        }
    }
    /// Parses a TYPE name as SCAN's TYPE option accepts it (case-insensitive).
    pub fn from_name(name: &[u8]) -> Option<Kind> {
        let lower = name.to_ascii_lowercase();
        Some(match &lower[..] {
            b"string" => Kind::String,
            b"list" => Kind::List,
            b"set" => Kind::Set,
            b"zset" => Kind::ZSet,
            b"hash" => Kind::Hash,
            b"stream" => Kind::Stream,
            _ => return None,
        })
    }
}

impl Value {
    /// A string value as Redis's tryObjectEncoding would store it: integers in canonical form
    /// (at most 20 chars) become `Int`.
    pub fn from_bytes(b: &[u8]) -> Value {
        if b.len() <= 20 {
            if let Some(n) = parse_canonical_i64(b) {
                return Value::Int(n);
            }
        }
        Value::Str(SBytes::new(b))
    }
    pub fn kind(&self) -> Kind {
        match self {
            Value::Str(_) | Value::Int(_) => Kind::String,
            Value::List(_) => Kind::List,
            Value::Hash(_) => Kind::Hash,
            Value::Set(_) => Kind::Set,
            Value::ZSet(_) => Kind::ZSet,
            Value::Stream(_) => Kind::Stream,
        }
    }
    /// A deep copy (COPY, DEBUG RELOAD-like paths).
    pub fn duplicate(&self) -> Value {
        match self {
            Value::Str(s) => Value::Str(s.clone()),
            Value::Int(n) => Value::Int(*n),
            Value::List(l) => Value::List(l.clone()),
            Value::Hash(h) => Value::Hash(h.clone()),
            Value::Set(s) => Value::Set(s.clone()),
            Value::ZSet(z) => Value::ZSet(z.clone()),
            Value::Stream(s) => Value::Stream(s.clone()),
        }
    }
    /// The bytes of a string value (`None` for other types).
    pub fn as_bytes(&self) -> Option<Cow<'_, [u8]>> {
        match self {
            Value::Str(s) => Some(Cow::Borrowed(s.as_slice())),
            Value::Int(n) => Some(Cow::Owned(n.to_string().into_bytes())),
            _ => None,
        }
    }
    /// Length of a string value in bytes.
    pub fn str_len(&self) -> Option<usize> {
        match self {
            Value::Str(s) => Some(s.len()),
            Value::Int(n) => Some(int_len(*n)),
            _ => None,
        }
    }
    pub fn is_string(&self) -> bool {
        matches!(self, Value::Str(_) | Value::Int(_))
    }
    /// Heap bytes owned by the value (not counting the 24 bytes of the enum itself).
    pub fn heap_size(&self) -> usize {
        use crate::sbytes::alloc_size_class;
        match self {
            Value::Str(s) => s.heap_size(),
            Value::Int(_) => 0,
            Value::List(l) => alloc_size_class(std::mem::size_of::<List>()) + l.heap_size(),
            Value::Hash(h) => alloc_size_class(std::mem::size_of::<Hash>()) + h.heap_size(),
            Value::Set(s) => alloc_size_class(std::mem::size_of::<Set>()) + s.heap_size(),
            Value::ZSet(z) => alloc_size_class(std::mem::size_of::<ZSet>()) + z.heap_size(),
            Value::Stream(s) => alloc_size_class(std::mem::size_of::<Stream>()) + s.heap_size(),
        }
    }
}

/// Number of decimal characters of `n`.
pub fn int_len(n: i64) -> usize {
    let mut v = n.unsigned_abs();
    let mut len = if n < 0 { 2 } else { 1 };
    while v >= 10 {
        v /= 10;
        len += 1;
    }
    len
}

/// Redis's string2ll: strict canonical decimal i64.
pub fn parse_canonical_i64(b: &[u8]) -> Option<i64> {
    if b.is_empty() || b.len() > 20 {
        return None;
    }
    let (neg, digits) = if b[0] == b'-' { (true, &b[1..]) } else { (false, b) };
    if digits.is_empty() || (digits[0] == b'0' && (digits.len() > 1 || neg)) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    if neg {
        if v > i64::MAX as u64 + 1 {
            return None;
        }
        Some((v as i64).wrapping_neg())
    } else {
        i64::try_from(v).ok()
    }
}

/// Flags kept per key in [`Entry::flags`].
pub mod flags {
    /// The string was modified in place (APPEND, SETRANGE...) or is too long for embstr:
    /// OBJECT ENCODING reports "raw".
    pub const RAW: u8 = 1;
}

/// What the main dict stores per key: the value plus access metadata.
pub struct Entry {
    pub val: Value,
    /// LRU clock (24 bits) or, under an LFU policy, minutes(16) << 8 | counter(8).
    pub lru: u32,
    pub flags: u8,
}

impl Entry {
    pub fn new(val: Value, lru: u32) -> Entry {
        let mut flags = 0;
        if let Value::Str(s) = &val {
            if s.len() > EMBSTR_MAX {
                flags |= flags::RAW;
            }
        }
        Entry { val, lru, flags }
    }
    /// OBJECT ENCODING's answer.
    pub fn encoding(&self) -> &'static str {
        match &self.val {
            Value::Int(_) => "int",
            Value::Str(s) => {
                if self.flags & flags::RAW != 0 || s.len() > EMBSTR_MAX {
                    "raw"
                } else {
                    "embstr"
                }
            }
            Value::List(l) => l.encoding_name(),
            Value::Hash(h) => h.encoding_name(),
            Value::Set(s) => s.encoding_name(),
            Value::ZSet(z) => z.encoding_name(),
            Value::Stream(s) => s.encoding_name(),
        }
    }
    pub fn set_raw(&mut self) {
        self.flags |= flags::RAW;
    }
}
