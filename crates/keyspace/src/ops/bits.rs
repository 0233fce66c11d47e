//! Bitmap operations on string values (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and
//! BITFIELD_RO) as data functions over a [`Db`], plus the pure bit-level helpers they are built
//! from (population count, first set/clear bit in a bit range, arbitrary-width big-endian
//! bitfields and Redis's overflow rules). Bit 0 is the most significant bit of the first byte.
//! Each operation does the lookups the Redis command does (read or write lookup, in the same
//! order, so lazy expiry and hit/miss statistics match) and leaves a string it writes to in the
//! "raw" encoding, as Redis's dbUnshareStringValue does. Arguments that Redis parses only after
//! the key lookup (BITCOUNT's and BITPOS's ranges) are handed over as bytes and parsed here, so
//! the order of errors is Redis's. Replies, error texts, dirty counts, notifications and
//! propagation are the server's business.
//!
//! Growing a string bit by bit must stay linear: strings own exactly `len` bytes, so each growth
//! is one `realloc` to the new length, which the allocator serves in place while the length stays
//! within its size class (jemalloc's classes grow geometrically), and copies only when a class
//! boundary is crossed.

use crate::db::Db;
use crate::sbytes::SBytes;
use crate::value::{flags, parse_canonical_i64, Entry, Value};
use std::borrow::Cow;

/// Why a bitmap operation refused to run. The server maps each to Redis's exact error text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BitError {
    /// The key holds a value of another type.
    WrongType,
    /// A range bound is not an integer.
    NotInteger,
    /// Wrong number of range arguments, or a unit other than BIT/BYTE.
    Syntax,
    /// The string would have to grow beyond what can be allocated.
    TooLarge,
}

// ---------------------------------------------------------------------------------------------
// Pure helpers

/// Number of set bits in `p`.
pub fn popcount(p: &[u8]) -> u64 {
    let mut chunks = p.chunks_exact(8);
    let mut n: u64 = 0;
    for c in &mut chunks {
        n += u64::from_ne_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]).count_ones() as u64;
    }
    n + chunks.remainder().iter().map(|b| b.count_ones() as u64).sum::<u64>()
}

/// Mask of the bits of a byte from bit `from` (0 = most significant) to bit `to`, inclusive.
fn byte_mask(from: u64, to: u64) -> u8 {
    let hi = 0xffu8 >> from;
    let lo = 0xffu8 << (7 - to);
    hi & lo
}

/// Number of set bits among bits `first..=last` of `p` (`first <= last < p.len() * 8`).
pub fn count_bit_range(p: &[u8], first: u64, last: u64) -> u64 {
    let (fb, lb) = ((first >> 3) as usize, (last >> 3) as usize);
    if fb == lb {
        return (p[fb] & byte_mask(first & 7, last & 7)).count_ones() as u64;
    }
    let head = (p[fb] & byte_mask(first & 7, 7)).count_ones() as u64;
    let tail = (p[lb] & byte_mask(0, last & 7)).count_ones() as u64;
    head + popcount(&p[fb + 1..lb]) + tail
}

/// Position of the first bit equal to `bit` among bits `first..=last` of `p`
/// (`first <= last < p.len() * 8`), or `None`.
pub fn find_bit(p: &[u8], first: u64, last: u64, bit: bool) -> Option<u64> {
    // look for a set bit in the byte, or in its complement when searching for a clear bit
    let norm = |b: u8| if bit { b } else { !b };
    let (fb, lb) = ((first >> 3) as usize, (last >> 3) as usize);
    let hit = |i: usize, b: u8| -> Option<u64> { (b != 0).then(|| i as u64 * 8 + b.leading_zeros() as u64) };
    if fb == lb {
        return hit(fb, norm(p[fb]) & byte_mask(first & 7, last & 7));
    }
    if let Some(pos) = hit(fb, norm(p[fb]) & byte_mask(first & 7, 7)) {
        return Some(pos);
    }
    // whole bytes in between, skipping eight at a time while they hold nothing of interest
    let skip = if bit { 0u8 } else { 0xff };
    let mut i = fb + 1;
    while i + 8 <= lb {
        let w = &p[i..i + 8];
        if w.iter().any(|&b| b != skip) {
            break;
        }
        i += 8;
    }
    while i < lb {
        if let Some(pos) = hit(i, norm(p[i])) {
            return Some(pos);
        }
        i += 1;
    }
    hit(lb, norm(p[lb]) & byte_mask(0, last & 7))
}

/// The unsigned integer of `bits` bits (1..=64) starting at bit `offset` of `p`, big-endian.
/// Bits beyond the end of `p` read as zero.
pub fn get_unsigned(p: &[u8], offset: u64, bits: u32) -> u64 {
    let mut v: u64 = 0;
    for j in 0..bits as u64 {
        let pos = offset + j;
        let byte = p.get((pos >> 3) as usize).copied().unwrap_or(0);
        v = (v << 1) | ((byte >> (7 - (pos & 7))) & 1) as u64;
    }
    v
}

/// The signed (two's complement) integer of `bits` bits starting at bit `offset` of `p`.
pub fn get_signed(p: &[u8], offset: u64, bits: u32) -> i64 {
    let v = get_unsigned(p, offset, bits);
    if bits < 64 && v & (1u64 << (bits - 1)) != 0 {
        (v | (u64::MAX << bits)) as i64
    } else {
        v as i64
    }
}

/// Writes the low `bits` bits of `value` at bit `offset` of `p`, big-endian. The bits must lie
/// within `p`.
pub fn set_bits(p: &mut [u8], offset: u64, bits: u32, value: u64) {
    for j in 0..bits as u64 {
        let pos = offset + j;
        let on = (value >> (bits as u64 - 1 - j)) & 1;
        let shift = 7 - (pos & 7);
        let b = &mut p[(pos >> 3) as usize];
        *b = (*b & !(1u8 << shift)) | ((on as u8) << shift);
    }
}

/// BITFIELD's overflow policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overflow {
    Wrap,
    Sat,
    Fail,
}

/// Redis's overflow check for an unsigned field of `bits` bits holding `value` to which `incr`
/// is added (SET checks the new value with `incr` 0). `None` when the result fits; otherwise
/// the value to store under `Wrap`/`Sat` (`None` inside for `Fail`).
pub fn unsigned_overflow(value: u64, incr: i64, bits: u32, ow: Overflow) -> Option<Option<u64>> {
    let max = if bits >= 64 { u64::MAX } else { (1u64 << bits) - 1 };
    let room_up = max.wrapping_sub(value) as i64;
    let room_down = value.wrapping_neg() as i64;
    let wrap = || {
        let mask = if bits >= 64 { 0 } else { u64::MAX << bits };
        value.wrapping_add(incr as u64) & !mask
    };
    let limit = if value > max || (incr > 0 && incr > room_up) {
        max
    } else if incr < 0 && incr < room_down {
        0
    } else {
        return None;
    };
    Some(match ow {
        Overflow::Wrap => Some(wrap()),
        Overflow::Sat => Some(limit),
        Overflow::Fail => None,
    })
}

/// Redis's overflow check for a signed field (see [`unsigned_overflow`]).
pub fn signed_overflow(value: i64, incr: i64, bits: u32, ow: Overflow) -> Option<Option<i64>> {
    let max = if bits >= 64 { i64::MAX } else { (1i64 << (bits - 1)) - 1 };
    let min = -max - 1;
    let room_up = (max as u64).wrapping_sub(value as u64) as i64;
    let room_down = min.wrapping_sub(value);
    let wrap = || {
        let mut c = (value as u64).wrapping_add(incr as u64);
        if bits < 64 {
            let mask = u64::MAX << bits;
            if c & (1u64 << (bits - 1)) != 0 {
                c |= mask;
            } else {
                c &= !mask;
            }
        }
        c as i64
    };
    let full = bits >= 64;
    let limit = if value > max || (!full && incr > room_up) || (value >= 0 && incr > 0 && incr > room_up) {
        max
    } else if value < min || (!full && incr < room_down) || (value < 0 && incr < 0 && incr < room_down) {
        min
    } else {
        return None;
    };
    Some(match ow {
        Overflow::Wrap => Some(wrap()),
        Overflow::Sat => Some(limit),
        Overflow::Fail => None,
    })
}

/// The bytes before the first NUL: Redis compares keywords with C string functions, which stop
/// there.
pub fn cstr(b: &[u8]) -> &[u8] {
    b.iter().position(|&c| c == 0).map_or(b, |i| &b[..i])
}

/// BIT or BYTE, the unit of BITCOUNT's and BITPOS's range.
fn parse_unit(arg: &[u8]) -> Result<bool, BitError> {
    let arg = cstr(arg);
    if arg.eq_ignore_ascii_case(b"bit") {
        Ok(true)
    } else if arg.eq_ignore_ascii_case(b"byte") {
        Ok(false)
    } else {
        Err(BitError::Syntax)
    }
}

fn parse_bound(arg: &[u8]) -> Result<i64, BitError> {
    parse_canonical_i64(arg).ok_or(BitError::NotInteger)
}

/// Converts a range given in `unit`s (negative = from the end, clamped to the string) into an
/// inclusive bit range over a string of `len` bytes, or `None` when it is empty. `end` is the
/// already-defaulted end bound.
fn bit_range(len: usize, start: i64, end: i64, in_bits: bool) -> Option<(u64, u64)> {
    let total = if in_bits { (len as i64) << 3 } else { len as i64 };
    let mut start = if start < 0 { total + start } else { start };
    let mut end = if end < 0 { total + end } else { end };
    start = start.max(0);
    end = end.max(0);
    if end >= total {
        end = total - 1;
    }
    if start > end {
        return None;
    }
    Some(if in_bits { (start as u64, end as u64) } else { (start as u64 * 8, end as u64 * 8 + 7) })
}

// ---------------------------------------------------------------------------------------------
// Lookups and in-place changes

/// The bytes of a string value for reading (integers in decimal form).
fn string_bytes(v: &Value) -> Cow<'_, [u8]> {
    v.as_bytes().unwrap_or_default()
}

/// Read lookup of a string: `None` when missing, `WrongType` for other types.
fn read_string<'a>(db: &'a mut Db, key: &[u8]) -> Result<Option<&'a Value>, BitError> {
    match db.lookup_read(key) {
        None => Ok(None),
        Some(e) if e.val.is_string() => Ok(Some(&e.val)),
        Some(_) => Err(BitError::WrongType),
    }
}

/// Runs `f` over the bytes of the string in `e`, which then becomes a raw string: integers are
/// converted to their decimal text (a new object, like dbUnshareStringValue), other strings keep
/// their bytes, taken and put back without copying.
pub(crate) fn modify_string<R>(e: &mut Entry, f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    let was_int = matches!(e.val, Value::Int(_));
    let mut bytes = match std::mem::replace(&mut e.val, Value::Int(0)) {
        Value::Str(s) => s.into_vec(),
        other => other.as_bytes().map(|b| b.into_owned()).unwrap_or_default(),
    };
    let r = f(&mut bytes);
    e.val = Value::Str(SBytes::from_vec(bytes));
    if was_int {
        e.flags = flags::RAW;
    } else {
        e.set_raw();
    }
    r
}

/// Extends `bytes` with zeros to `len` bytes, reallocating to exactly that length.
fn grow_zeroed(bytes: &mut Vec<u8>, len: usize) -> Result<(), BitError> {
    if len > bytes.len() {
        bytes.try_reserve_exact(len - bytes.len()).map_err(|_| BitError::TooLarge)?;
        bytes.resize(len, 0);
    }
    Ok(())
}

/// A zero-filled vector of `len` bytes.
fn zeroed(len: usize) -> Result<Vec<u8>, BitError> {
    let mut v = Vec::new();
    grow_zeroed(&mut v, len)?;
    Ok(v)
}

/// Redis's lookupStringForBitCommand: a write lookup of `key` that creates a zero-filled raw
/// string, or grows the existing one with zeros, so that bit `max_bit` exists; then runs `f` on
/// the bytes. `f` also learns whether the key was created or grown (the "dirty" of Redis).
fn with_bits_for_write<R>(
    db: &mut Db,
    key: &[u8],
    max_bit: u64,
    f: impl FnOnce(&mut Vec<u8>, bool) -> R,
) -> Result<R, BitError> {
    let need = usize::try_from((max_bit >> 3) + 1).map_err(|_| BitError::TooLarge)?;
    match db.lookup_write(key) {
        Some(e) if !e.val.is_string() => Err(BitError::WrongType),
        Some(e) => modify_string(e, |bytes| {
            let before = bytes.len();
            grow_zeroed(bytes, need)?;
            let grown = bytes.len() != before;
            Ok(f(bytes, grown))
        }),
        None => {
            let mut bytes = zeroed(need)?;
            let r = f(&mut bytes, true);
            db.add(key, Value::Str(SBytes::from_vec(bytes)));
            if let Some(e) = db.peek_mut(key) {
                e.set_raw();
            }
            Ok(r)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Commands

/// What SETBIT did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetBit {
    /// The bit's previous value (the reply).
    pub old: bool,
    /// The key was created, grown, or the bit flipped: Redis counts a change and notifies.
    pub changed: bool,
}

/// SETBIT: sets or clears bit `offset` (already validated against the length limit), creating
/// or zero-padding the string as needed.
pub fn setbit(db: &mut Db, key: &[u8], offset: u64, on: bool) -> Result<SetBit, BitError> {
    with_bits_for_write(db, key, offset, |bytes, grown| {
        let byte = &mut bytes[(offset >> 3) as usize];
        let shift = 7 - (offset & 7);
        let old = (*byte >> shift) & 1 == 1;
        if old != on {
            *byte ^= 1 << shift;
        }
        SetBit { old, changed: grown || old != on }
    })
}

/// GETBIT: the bit at `offset` (0 beyond the end of the string or for a missing key).
pub fn getbit(db: &mut Db, key: &[u8], offset: u64) -> Result<bool, BitError> {
    let Some(v) = read_string(db, key)? else { return Ok(false) };
    let bytes = string_bytes(v);
    Ok(bytes.get((offset >> 3) as usize).is_some_and(|b| (b >> (7 - (offset & 7))) & 1 == 1))
}

/// BITCOUNT: the number of set bits in the string, or in the range given by `args` (the
/// arguments after the key: none, or `start end [BIT|BYTE]`). A missing key counts 0 whatever
/// the arguments; they are checked only once the key was found to hold a string.
pub fn bitcount(db: &mut Db, key: &[u8], args: &[&[u8]]) -> Result<u64, BitError> {
    let Some(v) = read_string(db, key)? else { return Ok(0) };
    let p = string_bytes(v);
    let range = match args.len() {
        0 => {
            return Ok(popcount(&p));
        }
        2 | 3 => {
            let start = parse_bound(args[0])?;
            let end = parse_bound(args[1])?;
            if start < 0 && end < 0 && start > end {
                return Ok(0);
            }
            let in_bits = if args.len() == 3 { parse_unit(args[2])? } else { false };
            bit_range(p.len(), start, end, in_bits)
        }
        _ => return Err(BitError::Syntax),
    };
    Ok(range.map_or(0, |(first, last)| count_bit_range(&p, first, last)))
}

/// BITPOS: the position of the first bit equal to `bit`, searching the whole string or the
/// range given by `args` (the arguments after the bit: none, `start`, `start end`, or
/// `start end BIT|BYTE`). A missing key is an endless run of zeros. When nothing is found:
/// -1, except that a search for a clear bit without an explicit end returns the first position
/// after the string (it is considered zero-padded on the right).
pub fn bitpos(db: &mut Db, key: &[u8], bit: bool, args: &[&[u8]]) -> Result<i64, BitError> {
    let Some(v) = read_string(db, key)? else { return Ok(if bit { -1 } else { 0 }) };
    let p = string_bytes(v);
    let len = p.len();
    let (range, end_given) = match args.len() {
        0 => (bit_range(len, 0, len as i64 - 1, false), false),
        1..=3 => {
            let start = parse_bound(args[0])?;
            let in_bits = if args.len() == 3 { parse_unit(args[2])? } else { false };
            let (end, given) = if args.len() >= 2 {
                (parse_bound(args[1])?, true)
            } else if in_bits {
                (((len as i64) << 3) + 7, false)
            } else {
                (len as i64 - 1, false)
            };
            (bit_range(len, start, end, in_bits), given)
        }
        _ => return Err(BitError::Syntax),
    };
    let Some((first, last)) = range else { return Ok(-1) };
    Ok(match find_bit(&p, first, last, bit) {
        Some(pos) => pos as i64,
        None if !bit && !end_given => ((last >> 3) as i64 + 1) * 8,
        None => -1,
    })
}

/// BITOP's operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BitOp {
    And,
    Or,
    Xor,
    Not,
}

impl BitOp {
    /// Parses the operation name (case-insensitive, up to a NUL byte like C's strcasecmp).
    pub fn parse(name: &[u8]) -> Option<BitOp> {
        let name = cstr(name);
        [(&b"and"[..], BitOp::And), (b"or", BitOp::Or), (b"xor", BitOp::Xor), (b"not", BitOp::Not)]
            .into_iter()
            .find(|(n, _)| name.eq_ignore_ascii_case(n))
            .map(|(_, op)| op)
    }
}

/// What BITOP did to its destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BitOpEffect {
    /// The result (non-empty) was stored, replacing any value and TTL.
    Stored,
    /// The result is empty and the destination existed: it was deleted.
    Deleted,
    /// The result is empty and there was no destination.
    None,
}

/// BITOP: combines the source strings (missing keys are empty, shorter strings zero-padded)
/// into `dest`. Sources are looked up for reading in order; the first that is not a string
/// stops the command. Returns the length of the result and what happened to `dest`.
pub fn bitop<K: AsRef<[u8]>>(
    db: &mut Db,
    op: BitOp,
    dest: &[u8],
    srcs: &[K],
) -> Result<(usize, BitOpEffect), BitError> {
    let mut found = Vec::with_capacity(srcs.len());
    for k in srcs {
        found.push(read_string(db, k.as_ref())?.is_some());
    }
    let result = {
        let db: &Db = db;
        let inputs: Vec<Cow<[u8]>> = srcs
            .iter()
            .zip(&found)
            .map(|(k, &f)| match f {
                true => db.peek(k.as_ref()).map(|e| string_bytes(&e.val)).unwrap_or_default(),
                false => Cow::Borrowed(&[][..]),
            })
            .collect();
        combine(op, &inputs)?
    };
    let len = result.len();
    if len == 0 {
        let effect = if db.delete(dest) { BitOpEffect::Deleted } else { BitOpEffect::None };
        return Ok((0, effect));
    }
    db.lookup_write(dest);
    db.set(dest, Value::Str(SBytes::from_vec(result)), false);
    if let Some(e) = db.peek_mut(dest) {
        e.set_raw();
    }
    Ok((len, BitOpEffect::Stored))
}

/// The bitwise combination of `inputs` (at least one), as long as the longest.
fn combine(op: BitOp, inputs: &[Cow<[u8]>]) -> Result<Vec<u8>, BitError> {
    let Some(first) = inputs.first() else { return Ok(Vec::new()) };
    let max = inputs.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut out = zeroed(max)?;
    out[..first.len()].copy_from_slice(first);
    match op {
        BitOp::Not => out.iter_mut().for_each(|b| *b = !*b),
        BitOp::And => {
            for s in &inputs[1..] {
                out.iter_mut().zip(s.iter()).for_each(|(o, b)| *o &= b);
                out[s.len()..].fill(0);
            }
        }
        BitOp::Or => {
            for s in &inputs[1..] {
                out.iter_mut().zip(s.iter()).for_each(|(o, b)| *o |= b);
            }
        }
        BitOp::Xor => {
            for s in &inputs[1..] {
                out.iter_mut().zip(s.iter()).for_each(|(o, b)| *o ^= b);
            }
        }
    }
    Ok(out)
}

/// One BITFIELD operation, already parsed and validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldOp {
    pub kind: FieldKind,
    /// Signed (`i<bits>`) or unsigned (`u<bits>`).
    pub signed: bool,
    /// 1..=64 for signed fields, 1..=63 for unsigned ones.
    pub bits: u32,
    /// Bit offset of the field's most significant bit.
    pub offset: u64,
    /// The overflow policy in force when the operation was given.
    pub overflow: Overflow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Get,
    Set(i64),
    IncrBy(i64),
}

/// What BITFIELD did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitfield {
    /// One reply per operation: the value read, the old value (SET), the new value (INCRBY),
    /// or `None` when OVERFLOW FAIL refused a write.
    pub replies: Vec<Option<i64>>,
    /// Redis's change count: writes that changed a value or happened on a created/grown string.
    pub changes: u64,
}

/// BITFIELD / BITFIELD_RO: runs `ops` in order. Only GETs: a read lookup (a missing key reads
/// as zeros). With a write: a write lookup that creates or zero-pads the string up to the
/// farthest bit written (even when every write then fails on overflow), and the string becomes
/// raw.
pub fn bitfield(db: &mut Db, key: &[u8], ops: &[FieldOp]) -> Result<Bitfield, BitError> {
    let highest =
        ops.iter().filter(|o| o.kind != FieldKind::Get).map(|o| o.offset.wrapping_add(o.bits as u64 - 1)).max();
    let Some(highest) = highest else {
        let v = read_string(db, key)?;
        let p = v.map(string_bytes).unwrap_or_default();
        let replies = ops
            .iter()
            .map(|o| {
                Some(if o.signed {
                    get_signed(&p, o.offset, o.bits)
                } else {
                    get_unsigned(&p, o.offset, o.bits) as i64
                })
            })
            .collect();
        return Ok(Bitfield { replies, changes: 0 });
    };
    with_bits_for_write(db, key, highest, |p, grown| {
        let mut out = Bitfield { replies: Vec::with_capacity(ops.len()), changes: 0 };
        for o in ops {
            let reply = match o.kind {
                FieldKind::Get => Some(if o.signed {
                    get_signed(p, o.offset, o.bits)
                } else {
                    get_unsigned(p, o.offset, o.bits) as i64
                }),
                FieldKind::Set(_) | FieldKind::IncrBy(_) if o.signed => {
                    let old = get_signed(p, o.offset, o.bits);
                    let (new, reply) = match o.kind {
                        FieldKind::IncrBy(d) => match signed_overflow(old, d, o.bits, o.overflow) {
                            None => (Some(old.wrapping_add(d)), None),
                            Some(limit) => (limit, None),
                        },
                        FieldKind::Set(v) => match signed_overflow(v, 0, o.bits, o.overflow) {
                            None => (Some(v), Some(old)),
                            Some(limit) => (limit, Some(old)),
                        },
                        FieldKind::Get => unreachable!("handled above"),
                    };
                    new.map(|new| {
                        set_bits(p, o.offset, o.bits, new as u64);
                        if grown || old != new {
                            out.changes += 1;
                        }
                        reply.unwrap_or(new)
                    })
                }
                FieldKind::Set(_) | FieldKind::IncrBy(_) => {
                    let old = get_unsigned(p, o.offset, o.bits);
                    let (new, reply) = match o.kind {
                        FieldKind::IncrBy(d) => match unsigned_overflow(old, d, o.bits, o.overflow) {
                            None => (Some(old.wrapping_add(d as u64)), None),
                            Some(limit) => (limit, None),
                        },
                        FieldKind::Set(v) => match unsigned_overflow(v as u64, 0, o.bits, o.overflow) {
                            None => (Some(v as u64), Some(old)),
                            Some(limit) => (limit, Some(old)),
                        },
                        FieldKind::Get => unreachable!("handled above"),
                    };
                    new.map(|new| {
                        set_bits(p, o.offset, o.bits, new);
                        if grown || old != new {
                            out.changes += 1;
                        }
                        reply.unwrap_or(new) as i64
                    })
                }
            };
            out.replies.push(reply);
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive_find(p: &[u8], first: u64, last: u64, bit: bool) -> Option<u64> {
        (first..=last).find(|&i| ((p[(i / 8) as usize] >> (7 - i % 8)) & 1 == 1) == bit)
    }

    #[test]
    fn find_and_count_match_bit_by_bit() {
        let mut rng = crate::rng::Rng::from_seed(7);
        for _ in 0..3000 {
            let len = 1 + rng.below(40) as usize;
            let fill = rng.below(4);
            let mut p = Vec::with_capacity(len);
            for _ in 0..len {
                let b = match fill {
                    0 => 0,
                    1 => 0xff,
                    _ => rng.next_u64() as u8,
                };
                p.push(if rng.below(20) == 0 { b ^ (1 << rng.below(8)) } else { b });
            }
            let nbits = len as u64 * 8;
            let a = rng.below(nbits);
            let b = a + rng.below(nbits - a);
            for bit in [false, true] {
                assert_eq!(find_bit(&p, a, b, bit), naive_find(&p, a, b, bit), "{p:?} {a} {b} {bit}");
            }
            let naive = (a..=b).filter(|&i| (p[(i / 8) as usize] >> (7 - i % 8)) & 1 == 1).count() as u64;
            assert_eq!(count_bit_range(&p, a, b), naive);
        }
    }

    #[test]
    fn bitfields_round_trip() {
        let mut rng = crate::rng::Rng::from_seed(9);
        for _ in 0..2000 {
            let bits = 1 + rng.below(64) as u32;
            let offset = rng.below(50);
            let mut p = vec![0u8; 16];
            for b in p.iter_mut() {
                *b = rng.next_u64() as u8;
            }
            let before = p.clone();
            let v = rng.next_u64();
            set_bits(&mut p, offset, bits, v);
            let mask = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
            assert_eq!(get_unsigned(&p, offset, bits), v & mask);
            // bits outside the field are untouched
            for i in 0..128u64 {
                if i < offset || i >= offset + bits as u64 {
                    let g = |q: &[u8]| (q[(i / 8) as usize] >> (7 - i % 8)) & 1;
                    assert_eq!(g(&p), g(&before));
                }
            }
            let s = get_signed(&p, offset, bits) as i128;
            let u = (v & mask) as i128;
            let expect = if bits < 64 && u >= 1i128 << (bits - 1) { u - (1i128 << bits) } else { u as i64 as i128 };
            assert_eq!(s, expect);
        }
    }

    #[test]
    fn overflow_rules_agree_with_wide_arithmetic() {
        let mut rng = crate::rng::Rng::from_seed(11);
        let pick = |rng: &mut crate::rng::Rng| -> i64 {
            match rng.below(4) {
                0 => rng.below(10) as i64 - 5,
                1 => rng.next_u64() as i64,
                2 => i64::MAX - rng.below(3) as i64,
                _ => i64::MIN + rng.below(3) as i64,
            }
        };
        for _ in 0..20000 {
            let bits = 1 + rng.below(64) as u32;
            let incr = pick(&mut rng);
            // signed
            let max = if bits == 64 { i64::MAX as i128 } else { (1i128 << (bits - 1)) - 1 };
            let min = -max - 1;
            let old = (pick(&mut rng) as i128).clamp(min, max) as i64;
            let sum = old as i128 + incr as i128;
            let m = 1i128 << bits;
            let wrapped = ((sum - min).rem_euclid(m) + min) as i64;
            let got = signed_overflow(old, incr, bits, Overflow::Wrap);
            if sum > max || sum < min {
                assert_eq!(got, Some(Some(wrapped)), "signed {old}+{incr} i{bits}");
                let sat = if sum > max { max } else { min } as i64;
                assert_eq!(signed_overflow(old, incr, bits, Overflow::Sat), Some(Some(sat)));
                assert_eq!(signed_overflow(old, incr, bits, Overflow::Fail), Some(None));
            } else {
                assert_eq!(got, None);
            }
            // unsigned (up to 63 bits)
            if bits == 64 {
                continue;
            }
            let umax = (1i128 << bits) - 1;
            let old = (rng.next_u64() as i128 & umax) as u64;
            let sum = old as i128 + incr as i128;
            let got = unsigned_overflow(old, incr, bits, Overflow::Wrap);
            if sum > umax || sum < 0 {
                assert_eq!(got, Some(Some(sum.rem_euclid(umax + 1) as u64)), "unsigned {old}+{incr} u{bits}");
                let sat = if sum > umax { umax as u64 } else { 0 };
                assert_eq!(unsigned_overflow(old, incr, bits, Overflow::Sat), Some(Some(sat)));
            } else {
                assert_eq!(got, None);
            }
        }
    }

    #[test]
    fn set_of_negative_value_on_unsigned_field_saturates_to_max() {
        // SET u8 with -1: the value is taken as 2^64-1, which overflows upwards
        assert_eq!(unsigned_overflow(u64::MAX, 0, 8, Overflow::Sat), Some(Some(255)));
        assert_eq!(unsigned_overflow(u64::MAX, 0, 8, Overflow::Wrap), Some(Some(255)));
        assert_eq!(unsigned_overflow(-2i64 as u64, 0, 8, Overflow::Wrap), Some(Some(254)));
    }
}
