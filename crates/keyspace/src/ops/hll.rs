//! HyperLogLog operations (PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST) over string values
//! holding Redis's exact HLL byte format, so that an HLL made by Redis loads here and counts the
//! same, and one made here is byte-identical to Redis's for the same additions.
//!
//! The format: a 16-byte header ("HYLL", one encoding byte, three unused bytes, the cached
//! cardinality as a little-endian u64 whose top bit marks it stale), then 16384 registers,
//! either dense (6 bits each, packed from the least significant bit of each byte, 12288 bytes)
//! or sparse (a run-length code of ZERO `00xxxxxx` = 1..64 zero registers, XZERO `01xxxxxx
//! yyyyyyyy` = 1..16384 zero registers, VAL `1vvvvvxx` = 1..4 registers of value 1..32). A new
//! HLL is sparse; it becomes dense when a register needs a value above 32 or the sparse form
//! would grow past `hll-sparse-max-bytes`. Elements are hashed with MurmurHash64A (seed
//! 0xadc83b19): the low 14 bits pick the register, the run of zeros above them (plus one) is
//! the candidate value. The cardinality is estimated from the register histogram with Ertl's
//! improved estimator (the tau/sigma series), as Redis 7 does.
//!
//! The sparse update follows Redis's algorithm step by step (split the opcode covering the
//! register, splice, merge neighbouring equal VALs within a short window), since the exact bytes
//! are observable through GET. Data functions do the lookups the commands do and return
//! results; error texts, replies, dirty counts, notifications and propagation are the
//! server's business.

use super::bits::modify_string;
use crate::db::Db;
use crate::rng::Rng;
use crate::sbytes::SBytes;
use crate::value::{Entry, Value};

/// Header length.
pub const HDR_SIZE: usize = 16;
/// log2 of the number of registers.
pub const P: u32 = 14;
/// Number of registers.
pub const REGISTERS: usize = 1 << P;
/// Hash bits left once the register index is taken.
pub const Q: u32 = 64 - P;
/// Bits per dense register.
pub const REG_BITS: usize = 6;
/// Largest register value.
pub const REG_MAX: u8 = 63;
/// Length of a dense HLL, header included.
pub const DENSE_SIZE: usize = HDR_SIZE + (REGISTERS * REG_BITS).div_ceil(8);
/// Encoding byte of a dense HLL.
pub const DENSE: u8 = 0;
/// Encoding byte of a sparse HLL.
pub const SPARSE: u8 = 1;
/// Largest value a sparse VAL opcode holds.
pub const SPARSE_VAL_MAX: u8 = 32;
const SPARSE_VAL_MAX_LEN: usize = 4;
const SPARSE_ZERO_MAX_LEN: usize = 64;
const SPARSE_XZERO_MAX_LEN: usize = 16384;
/// The hash seed Redis uses.
pub const SEED: u64 = 0xadc8_3b19;
/// 0.5 / ln 2, the estimator's constant for an infinite number of registers.
const ALPHA_INF: f64 = 0.721_347_520_444_481_7;

/// An HLL whose sparse representation does not add up to 16384 registers, or cannot be updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corrupt;

// ---------------------------------------------------------------------------------------------
// Hashing

/// MurmurHash2, 64-bit variant "64A", reading 8-byte blocks as little-endian words (Redis's
/// endian-neutral version).
pub fn murmur64a(data: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    // Redis passes the length as a C int
    let mut h = seed ^ ((data.len() as i32 as i64 as u64).wrapping_mul(M));
    let mut blocks = data.chunks_exact(8);
    for b in &mut blocks {
        let mut k = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= (b as u64) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// The register an element maps to and the value it proposes for it (the length of the
/// "000..1" pattern above the index bits, 1..=Q+1).
pub fn pattern(ele: &[u8]) -> (usize, u8) {
    let hash = murmur64a(ele, SEED);
    let index = (hash & (REGISTERS as u64 - 1)) as usize;
    let rest = (hash >> P) | (1u64 << Q);
    (index, rest.trailing_zeros() as u8 + 1)
}

// ---------------------------------------------------------------------------------------------
// Header

/// A new, empty HLL: sparse, all registers zero (one XZERO opcode), cache valid at 0.
pub fn new_sparse() -> Vec<u8> {
    let mut v = Vec::with_capacity(HDR_SIZE + 2);
    v.extend_from_slice(b"HYLL");
    v.push(SPARSE);
    v.extend_from_slice(&[0; 11]);
    let mut left = REGISTERS;
    while left > 0 {
        let n = left.min(SPARSE_XZERO_MAX_LEN);
        push_xzero(&mut v, n);
        left -= n;
    }
    v
}

/// Is this string an HLL as far as Redis checks before using it: long enough, the magic, a known
/// encoding, and the exact length for a dense one. (The sparse opcodes are checked as they are
/// read.)
pub fn is_hll(b: &[u8]) -> bool {
    b.len() >= HDR_SIZE && &b[..4] == b"HYLL" && b[4] <= SPARSE && (b[4] != DENSE || b.len() == DENSE_SIZE)
}

/// The cached cardinality when it is valid.
pub fn cached(h: &[u8]) -> Option<u64> {
    let card = u64::from_le_bytes(h[8..16].try_into().ok()?);
    (card >> 63 == 0).then_some(card)
}

/// Stores a cardinality in the cache (its top bit, if set, leaves the cache stale).
pub fn set_cached(h: &mut [u8], card: u64) {
    h[8..16].copy_from_slice(&card.to_le_bytes());
}

/// Marks the cached cardinality stale.
pub fn invalidate(h: &mut [u8]) {
    h[15] |= 0x80;
}

// ---------------------------------------------------------------------------------------------
// Dense registers

/// Register `i` of the dense register area `regs`.
pub fn dense_get(regs: &[u8], i: usize) -> u8 {
    let bit = i * REG_BITS;
    let (byte, fb) = (bit / 8, (bit & 7) as u32);
    let b0 = regs[byte] as u32;
    let b1 = regs.get(byte + 1).copied().unwrap_or(0) as u32;
    (((b0 >> fb) | (b1 << (8 - fb))) & REG_MAX as u32) as u8
}

/// Sets register `i` of the dense register area `regs` to `v` (0..=63).
pub fn dense_set(regs: &mut [u8], i: usize, v: u8) {
    let bit = i * REG_BITS;
    let (byte, fb) = (bit / 8, (bit & 7) as u32);
    let v = v as u32;
    let m = REG_MAX as u32;
    regs[byte] = ((regs[byte] as u32 & !(m << fb)) | (v << fb)) as u8;
    if let Some(b1) = regs.get_mut(byte + 1) {
        *b1 = ((*b1 as u32 & !(m >> (8 - fb))) | (v >> (8 - fb))) as u8;
    }
}

/// Raises register `i` to `v` if it is lower; returns whether it changed.
fn dense_raise(regs: &mut [u8], i: usize, v: u8) -> bool {
    if v > dense_get(regs, i) {
        dense_set(regs, i, v);
        true
    } else {
        false
    }
}

// ---------------------------------------------------------------------------------------------
// Sparse opcodes

/// One decoded sparse opcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// `n` zero registers, one byte.
    Zero(usize),
    /// `n` zero registers, two bytes.
    XZero(usize),
    /// `n` registers holding `v`, one byte.
    Val(u8, usize),
}

impl Op {
    /// Decodes the opcode at `i` (a missing second XZERO byte reads as zero, as the byte after
    /// a Redis string always is).
    fn at(s: &[u8], i: usize) -> Op {
        let b = s[i];
        if b & 0x80 != 0 {
            Op::Val(((b >> 2) & 0x1f) + 1, (b & 3) as usize + 1)
        } else if b & 0x40 != 0 {
            let lo = s.get(i + 1).copied().unwrap_or(0) as usize;
            Op::XZero((((b & 0x3f) as usize) << 8 | lo) + 1)
        } else {
            Op::Zero((b & 0x3f) as usize + 1)
        }
    }
    fn bytes(self) -> usize {
        if matches!(self, Op::XZero(_)) {
            2
        } else {
            1
        }
    }
    fn span(self) -> usize {
        match self {
            Op::Zero(n) | Op::XZero(n) | Op::Val(_, n) => n,
        }
    }
}

fn val_byte(v: u8, n: usize) -> u8 {
    0x80 | ((v - 1) << 2) | (n as u8 - 1)
}

fn push_xzero(out: &mut Vec<u8>, n: usize) {
    let l = n - 1;
    out.push(0x40 | (l >> 8) as u8);
    out.push((l & 0xff) as u8);
}

/// Encodes a run of `n` zero registers with the shorter opcode that fits.
fn push_zeros(out: &mut Vec<u8>, n: usize) {
    if n > SPARSE_ZERO_MAX_LEN {
        push_xzero(out, n);
    } else {
        out.push((n - 1) as u8);
    }
}

/// Walks the sparse opcodes after the header, calling `f(first_register, op)`; stops early
/// when `f` returns false.
fn walk(h: &[u8], mut f: impl FnMut(usize, Op) -> bool) {
    let mut i = HDR_SIZE;
    let mut reg = 0;
    while i < h.len() {
        let op = Op::at(h, i);
        if !f(reg, op) {
            return;
        }
        reg += op.span();
        i += op.bytes();
    }
}

/// Calls `set(register, value)` for every non-zero register of a sparse HLL. A VAL run that
/// would go past the last register stops the walk; the total must be exactly 16384.
fn sparse_registers(h: &[u8], mut set: impl FnMut(usize, u8)) -> Result<(), Corrupt> {
    let mut total = 0;
    walk(h, |first, op| {
        total = first + op.span();
        if let Op::Val(v, n) = op {
            if first + n > REGISTERS {
                total = first;
                return false;
            }
            (first..first + n).for_each(|r| set(r, v));
        }
        true
    });
    if total == REGISTERS {
        Ok(())
    } else {
        Err(Corrupt)
    }
}

/// Converts a sparse HLL to the dense encoding in place (a dense one is left alone). The header,
/// cached cardinality included, is kept.
pub fn to_dense(h: &mut Vec<u8>) -> Result<(), Corrupt> {
    if h[4] == DENSE {
        return Ok(());
    }
    let mut dense = vec![0u8; DENSE_SIZE];
    dense[..HDR_SIZE].copy_from_slice(&h[..HDR_SIZE]);
    dense[4] = DENSE;
    let regs = &mut dense[HDR_SIZE..];
    sparse_registers(h, |r, v| dense_set(regs, r, v))?;
    *h = dense;
    Ok(())
}

/// Raises register `index` of a sparse HLL to `count` if it is lower, Redis's way: locate the
/// opcode covering the register, split it into at most three opcodes, splice them in, then
/// merge equal adjacent VALs in a window of five opcodes starting at the previous one. The HLL
/// becomes dense when `count` exceeds what VAL holds or when the splice would take the string
/// past `max_bytes`. Returns whether a register changed.
pub fn sparse_set(h: &mut Vec<u8>, index: usize, count: u8, max_bytes: usize) -> Result<bool, Corrupt> {
    if count > SPARSE_VAL_MAX {
        return promote(h, index, count);
    }
    // step 1: the opcode covering the register
    let mut p = HDR_SIZE;
    let mut first = 0;
    let mut prev = None;
    let mut op = None;
    while p < h.len() {
        let o = Op::at(h, p);
        if index < first + o.span() {
            op = Some(o);
            break;
        }
        prev = Some(p);
        p += o.bytes();
        first += o.span();
    }
    let Some(op) = op else { return Err(Corrupt) };
    // step 2: trivial in-place updates, or the replacement sequence
    match op {
        Op::Val(old, _) if old >= count => return Ok(false),
        Op::Val(_, 1) | Op::Zero(1) => h[p] = val_byte(count, 1),
        _ => {
            let last = first + op.span() - 1;
            let mut seq = Vec::with_capacity(5);
            match op {
                Op::Val(cur, _) => {
                    if index != first {
                        seq.push(val_byte(cur, index - first));
                    }
                    seq.push(val_byte(count, 1));
                    if index != last {
                        seq.push(val_byte(cur, last - index));
                    }
                }
                Op::Zero(_) | Op::XZero(_) => {
                    if index != first {
                        push_zeros(&mut seq, index - first);
                    }
                    seq.push(val_byte(count, 1));
                    if index != last {
                        push_zeros(&mut seq, last - index);
                    }
                }
            }
            // step 3: splice (the new length is computed from the opcode's nominal size, as
            // Redis does, which only matters for a truncated trailing XZERO)
            let old_len = op.bytes();
            let new_len = (h.len() + seq.len()) as isize - old_len as isize;
            if seq.len() > old_len && new_len as usize > max_bytes {
                return promote(h, index, count);
            }
            let tail = (p + old_len).min(h.len());
            h.try_reserve_exact(seq.len().saturating_sub(old_len)).map_err(|_| Corrupt)?;
            h.splice(p..tail, seq);
            h.truncate(new_len.max(0) as usize);
        }
    }
    // step 4: merge adjacent equal VALs near the change
    let mut q = prev.unwrap_or(HDR_SIZE);
    let mut window = 5;
    while q < h.len() && window > 0 {
        window -= 1;
        match Op::at(h, q) {
            Op::XZero(_) => q += 2,
            Op::Zero(_) => q += 1,
            Op::Val(v1, n1) => {
                if q + 1 < h.len() {
                    if let Op::Val(v2, n2) = Op::at(h, q + 1) {
                        if v1 == v2 && n1 + n2 <= SPARSE_VAL_MAX_LEN {
                            h[q + 1] = val_byte(v1, n1 + n2);
                            h.remove(q);
                            continue;
                        }
                    }
                }
                q += 1;
            }
        }
    }
    invalidate(h);
    Ok(true)
}

/// Converts to dense, then raises the register there.
fn promote(h: &mut Vec<u8>, index: usize, count: u8) -> Result<bool, Corrupt> {
    to_dense(h)?;
    Ok(dense_raise(&mut h[HDR_SIZE..], index, count))
}

/// Raises register `index` to `count` if it is lower, in either encoding. Returns whether a
/// register changed.
pub fn raise(h: &mut Vec<u8>, index: usize, count: u8, max_bytes: usize) -> Result<bool, Corrupt> {
    match h.get(4) {
        Some(&DENSE) if h.len() == DENSE_SIZE => Ok(dense_raise(&mut h[HDR_SIZE..], index, count)),
        Some(&SPARSE) => sparse_set(h, index, count, max_bytes),
        _ => Err(Corrupt),
    }
}

/// Adds an element: raises its register if needed. Returns whether a register changed.
pub fn add(h: &mut Vec<u8>, ele: &[u8], max_bytes: usize) -> Result<bool, Corrupt> {
    let (index, count) = pattern(ele);
    raise(h, index, count, max_bytes)
}

// ---------------------------------------------------------------------------------------------
// Estimation

/// Number of registers holding each value (0..=63).
pub type Histogram = [u32; 64];

/// The register histogram of an HLL (dense, or sparse with all 16384 registers accounted for).
pub fn histogram(h: &[u8]) -> Result<Histogram, Corrupt> {
    let mut hist = [0u32; 64];
    if h[4] == DENSE {
        let regs = &h[HDR_SIZE..];
        for i in 0..REGISTERS {
            hist[dense_get(regs, i) as usize] += 1;
        }
        return Ok(hist);
    }
    let mut total = 0;
    walk(h, |_, op| {
        match op {
            Op::Zero(n) | Op::XZero(n) => hist[0] = hist[0].wrapping_add(n as u32),
            Op::Val(v, n) => hist[v as usize] = hist[v as usize].wrapping_add(n as u32),
        }
        total += op.span();
        true
    });
    if total == REGISTERS {
        Ok(hist)
    } else {
        Err(Corrupt)
    }
}

/// The histogram of an array of 16384 byte-sized registers (multi-key PFCOUNT's union).
pub fn raw_histogram(regs: &[u8; REGISTERS]) -> Histogram {
    let mut hist = [0u32; 64];
    for &r in regs.iter() {
        hist[(r & 63) as usize] += 1;
    }
    hist
}

fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let before = z;
        z += x * y;
        y += y;
        if before == z {
            return z;
        }
    }
}

fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let before = z;
        y *= 0.5;
        let d = 1.0 - x;
        z -= d * d * y;
        if before == z {
            return z / 3.0;
        }
    }
}

/// The cardinality estimate from a register histogram (Ertl's estimator). An estimate that does
/// not fit in an i64 (only reachable with hand-made registers above 51) comes out as 2^63, the
/// value Redis's C conversions produce.
pub fn estimate(hist: &Histogram) -> u64 {
    let m = REGISTERS as f64;
    let mut z = m * tau((m - hist[Q as usize + 1] as f64) / m);
    for j in (1..=Q as usize).rev() {
        z += hist[j] as f64;
        z *= 0.5;
    }
    z += m * sigma(hist[0] as f64 / m);
    let e = (ALPHA_INF * m * m / z).round();
    // 2^63, the first value a signed 64-bit integer cannot hold
    if e < 9_223_372_036_854_775_808.0 {
        e as u64
    } else {
        1u64 << 63
    }
}

/// Raises `max[i]` to every register of the HLL (which passed [`is_hll`]).
pub fn merge_into(max: &mut [u8; REGISTERS], h: &[u8]) -> Result<(), Corrupt> {
    if h[4] == DENSE {
        let regs = &h[HDR_SIZE..];
        for (i, m) in max.iter_mut().enumerate() {
            *m = (*m).max(dense_get(regs, i));
        }
        return Ok(());
    }
    sparse_registers(h, |r, v| max[r] = max[r].max(v))
}

/// PFDEBUG DECODE's text for a sparse HLL: `z:<n>`, `Z:<n>` and `v:<value>,<n>` separated by
/// spaces.
pub fn decode(h: &[u8]) -> String {
    let mut parts = Vec::new();
    walk(h, |_, op| {
        parts.push(match op {
            Op::Zero(n) => format!("z:{n}"),
            Op::XZero(n) => format!("Z:{n}"),
            Op::Val(v, n) => format!("v:{v},{n}"),
        });
        true
    });
    parts.join(" ")
}

// ---------------------------------------------------------------------------------------------
// Commands

/// Why an HLL command refused to run. The server maps each to Redis's exact error text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HllError {
    /// The key holds another type (the generic WRONGTYPE error).
    WrongType,
    /// The key holds a string that is not an HLL (WRONGTYPE, HLL wording).
    NotHll,
    /// The HLL's sparse representation is corrupt (INVALIDOBJ).
    Corrupt,
    /// PFDEBUG on a missing key.
    NoKey,
}

/// The bytes of an HLL-candidate value: the generic type error for other types, `NotHll` for
/// strings that fail [`is_hll`] (integers included).
fn hll_bytes(v: &Value) -> Result<&[u8], HllError> {
    match v {
        Value::Str(s) if is_hll(s) => Ok(s.as_slice()),
        Value::Str(_) | Value::Int(_) => Err(HllError::NotHll),
        _ => Err(HllError::WrongType),
    }
}

/// Runs `f` on the bytes of the HLL stored in `e` (validated), which becomes a raw string.
fn modify_hll<R>(e: &mut Entry, f: impl FnOnce(&mut Vec<u8>) -> R) -> Result<R, HllError> {
    hll_bytes(&e.val)?;
    Ok(modify_string(e, f))
}

/// PFADD: adds the elements, creating the key (as an empty sparse HLL) when missing. Returns
/// Redis's update count: 1 for a created key plus one per element that changed a register
/// (the reply is whether it is non-zero; the count is the dirty increment). On a corrupt HLL
/// the elements before the failing one stay added and `Corrupt` is returned.
pub fn pfadd<E: AsRef<[u8]>>(db: &mut Db, key: &[u8], elements: &[E], max_bytes: usize) -> Result<u64, HllError> {
    let mut created = false;
    let e = match db.lookup_write(key) {
        Some(e) => e,
        None => {
            db.add(key, Value::Str(SBytes::from_vec(new_sparse())));
            created = true;
            db.peek_mut(key).expect("key just added")
        }
    };
    modify_hll(e, |h| {
        let mut updated = created as u64;
        for ele in elements {
            if add(h, ele.as_ref(), max_bytes).map_err(|_| HllError::Corrupt)? {
                updated += 1;
            }
        }
        if updated > 0 {
            invalidate(h);
        }
        Ok(updated)
    })?
}

/// What a single-key PFCOUNT did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub card: u64,
    /// The cache was stale and has been rewritten: the value changed (Redis counts it dirty
    /// and propagates the PFCOUNT).
    pub cache_written: bool,
}

/// PFCOUNT of one key: the cached cardinality when valid, otherwise the estimate, which is
/// written back to the cache. A missing key counts 0. The value becomes raw either way.
pub fn pfcount_one(db: &mut Db, key: &[u8]) -> Result<Count, HllError> {
    let Some(e) = db.lookup_read(key) else { return Ok(Count { card: 0, cache_written: false }) };
    modify_hll(e, |h| {
        if let Some(card) = cached(h) {
            return Ok(Count { card, cache_written: false });
        }
        let card = estimate(&histogram(h).map_err(|_| HllError::Corrupt)?);
        set_cached(h, card);
        Ok(Count { card, cache_written: true })
    })?
}

/// Merges the registers of the HLLs at `keys` (looked up for reading, in order; missing keys
/// are empty) into `max`. Returns whether any of them was dense.
fn merge_keys<K: AsRef<[u8]>>(db: &mut Db, keys: &[K], max: &mut [u8; REGISTERS]) -> Result<bool, HllError> {
    let mut dense = false;
    for k in keys {
        let Some(e) = db.lookup_read(k.as_ref()) else { continue };
        let h = hll_bytes(&e.val)?;
        dense |= h[4] == DENSE;
        merge_into(max, h).map_err(|_| HllError::Corrupt)?;
    }
    Ok(dense)
}

/// PFCOUNT of several keys: the estimated cardinality of their union (nothing is written).
pub fn pfcount_union<K: AsRef<[u8]>>(db: &mut Db, keys: &[K]) -> Result<u64, HllError> {
    let mut max = Box::new([0u8; REGISTERS]);
    merge_keys(db, keys, &mut max)?;
    Ok(estimate(&raw_histogram(&max)))
}

/// PFMERGE: the union of `dest` and the sources is stored in `dest` (created when missing).
/// The destination becomes dense when any input was dense; otherwise the registers are raised
/// one by one in register order through the sparse update, exactly like Redis, which fixes the
/// resulting bytes.
pub fn pfmerge<K: AsRef<[u8]>>(db: &mut Db, dest: &[u8], srcs: &[K], max_bytes: usize) -> Result<(), HllError> {
    let mut max = Box::new([0u8; REGISTERS]);
    let mut dense = merge_keys(db, std::slice::from_ref(&dest), &mut max)?;
    dense |= merge_keys(db, srcs, &mut max)?;
    let e = match db.lookup_write(dest) {
        Some(e) => e,
        None => {
            db.add(dest, Value::Str(SBytes::from_vec(new_sparse())));
            db.peek_mut(dest).expect("key just added")
        }
    };
    modify_hll(e, |h| {
        if dense {
            to_dense(h).map_err(|_| HllError::Corrupt)?;
        }
        for (i, &v) in max.iter().enumerate() {
            if v == 0 {
                continue;
            }
            // the destination was validated as a source above, so this cannot fail except on
            // allocation; Redis ignores the result here too
            let _ = raise(h, i, v, max_bytes);
        }
        invalidate(h);
        Ok(())
    })?
}

/// The PFDEBUG subcommands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Debug {
    GetReg,
    Decode,
    Encoding,
    ToDense,
}

/// What a PFDEBUG subcommand produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DebugOut {
    /// GETREG: the 16384 registers; `converted` when a sparse HLL was made dense.
    Registers { regs: Vec<u8>, converted: bool },
    /// DECODE of a sparse HLL.
    Decoded(String),
    /// DECODE of a dense HLL.
    NotSparse,
    /// ENCODING: true for sparse.
    Encoding { sparse: bool },
    /// TODENSE: whether a conversion happened.
    ToDense { converted: bool },
    /// An unknown subcommand (checked only after the key).
    Unknown,
}

/// PFDEBUG: a write lookup of `key` (missing: `NoKey`), HLL validation, the value made raw,
/// then the subcommand (`None` = unknown).
pub fn pfdebug(db: &mut Db, key: &[u8], sub: Option<Debug>) -> Result<DebugOut, HllError> {
    let Some(e) = db.lookup_write(key) else { return Err(HllError::NoKey) };
    modify_hll(e, |h| {
        let sparse = h[4] == SPARSE;
        Ok(match sub {
            None => DebugOut::Unknown,
            Some(Debug::GetReg) => {
                if sparse {
                    to_dense(h).map_err(|_| HllError::Corrupt)?;
                }
                let regs = (0..REGISTERS).map(|i| dense_get(&h[HDR_SIZE..], i)).collect();
                DebugOut::Registers { regs, converted: sparse }
            }
            Some(Debug::Decode) if sparse => DebugOut::Decoded(decode(h)),
            Some(Debug::Decode) => DebugOut::NotSparse,
            Some(Debug::Encoding) => DebugOut::Encoding { sparse },
            Some(Debug::ToDense) => {
                if sparse {
                    to_dense(h).map_err(|_| HllError::Corrupt)?;
                }
                DebugOut::ToDense { converted: sparse }
            }
        })
    })?
}

/// PFSELFTEST: (1) random values written to every dense register read back unchanged, 1000
/// times; (2) ten million distinct elements added to a dense and to a sparse HLL at once: at
/// each power of ten the sparse one must still be sparse while small, both must estimate the
/// same, and the error must stay within six standard errors (1 at cardinality 10). Returns the
/// failure text (without its "TESTFAILED" prefix) on failure.
pub fn selftest(rng: &mut Rng, max_bytes: usize) -> Result<(), String> {
    let mut dense = vec![0u8; DENSE_SIZE];
    dense[..4].copy_from_slice(b"HYLL");
    let mut expect = vec![0u8; REGISTERS];
    for _ in 0..1000 {
        for (i, e) in expect.iter_mut().enumerate() {
            *e = (rng.next_u64() & REG_MAX as u64) as u8;
            dense_set(&mut dense[HDR_SIZE..], i, *e);
        }
        for (i, &e) in expect.iter().enumerate() {
            let got = dense_get(&dense[HDR_SIZE..], i);
            if got != e {
                return Err(format!("Register {i} should be {e} but is {got}"));
            }
        }
    }
    dense[HDR_SIZE..].fill(0);
    let mut sparse = new_sparse();
    let relerr = 1.04 / (REGISTERS as f64).sqrt();
    let mut checkpoint: u64 = 1;
    let seed = rng.next_u64();
    let count = |h: &[u8]| histogram(h).map(|x| estimate(&x)).unwrap_or(0);
    for j in 1..=10_000_000u64 {
        let ele = (j ^ seed).to_le_bytes();
        let (index, c) = pattern(&ele);
        dense_raise(&mut dense[HDR_SIZE..], index, c);
        add(&mut sparse, &ele, max_bytes).map_err(|_| "sparse representation corrupted".to_string())?;
        if j != checkpoint {
            continue;
        }
        if j < (max_bytes / 2) as u64 && sparse[4] != SPARSE {
            return Err("sparse encoding not used".into());
        }
        let card = count(&dense);
        if card != count(&sparse) {
            return Err("dense/sparse disagree".into());
        }
        let abserr = (checkpoint as i64 - card as i64).unsigned_abs();
        let maxerr = if j == 10 { 1 } else { (relerr * 6.0 * checkpoint as f64).ceil() as u64 };
        if abserr > maxerr {
            return Err(format!("Too big error. card:{checkpoint} abserr:{abserr}"));
        }
        checkpoint *= 10;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_hll_is_one_xzero() {
        let h = new_sparse();
        assert_eq!(h, b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff");
        assert!(is_hll(&h));
        assert_eq!(decode(&h), "Z:16384");
    }

    #[test]
    fn dense_registers_do_not_disturb_neighbours() {
        let mut rng = Rng::from_seed(3);
        let mut regs = vec![0u8; DENSE_SIZE - HDR_SIZE];
        let mut model = vec![0u8; REGISTERS];
        for _ in 0..50_000 {
            let i = rng.below(REGISTERS as u64) as usize;
            let v = rng.below(64) as u8;
            dense_set(&mut regs, i, v);
            model[i] = v;
        }
        for (i, &v) in model.iter().enumerate() {
            assert_eq!(dense_get(&regs, i), v, "register {i}");
        }
    }

    #[test]
    fn sparse_and_dense_agree_register_by_register() {
        let mut rng = Rng::from_seed(5);
        for round in 0..40 {
            let mut sparse = new_sparse();
            let mut model = vec![0u8; REGISTERS];
            let n = 1 + rng.below(if round % 2 == 0 { 50 } else { 3000 });
            for _ in 0..n {
                // cluster indices sometimes so that VAL runs form and merge
                let i = if rng.below(2) == 0 {
                    rng.below(REGISTERS as u64) as usize
                } else {
                    (rng.below(40) + 1000) as usize
                };
                let hi = if rng.below(50) == 0 { 40 } else { 4 };
                let v = 1 + rng.below(hi) as u8;
                let changed = raise(&mut sparse, i, v, 3000).unwrap();
                assert_eq!(changed, v > model[i]);
                model[i] = model[i].max(v);
            }
            let mut max = [0u8; REGISTERS];
            merge_into(&mut max, &sparse).unwrap();
            assert_eq!(&max[..], &model[..]);
            assert!(sparse[4] == DENSE || sparse.len() <= 3000);
            let mut dense = sparse.clone();
            to_dense(&mut dense).unwrap();
            assert_eq!(histogram(&dense).unwrap(), histogram(&sparse).unwrap());
        }
    }

    #[test]
    fn corrupt_sparse_is_detected() {
        let mut h = new_sparse();
        h.push(0x00); // one extra zero register: 16385 in total
        assert_eq!(histogram(&h), Err(Corrupt));
        assert_eq!(to_dense(&mut h.clone()), Err(Corrupt));
        let mut max = [0u8; REGISTERS];
        assert_eq!(merge_into(&mut max, &h), Err(Corrupt));
        let empty = b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\0".to_vec();
        assert_eq!(sparse_set(&mut empty.clone(), 5, 3, 3000), Err(Corrupt));
    }

    #[test]
    fn estimates_are_close() {
        let mut h = new_sparse();
        for i in 0..20_000u32 {
            add(&mut h, format!("ele:{i}").as_bytes(), 3000).unwrap();
        }
        assert_eq!(h[4], DENSE);
        let card = estimate(&histogram(&h).unwrap()) as f64;
        assert!((card - 20_000.0).abs() < 20_000.0 * 0.05, "{card}");
        assert_eq!(estimate(&histogram(&new_sparse()).unwrap()), 0);
    }
}
