//! The stream type, laid out as Redis 7.0 lays it out: entries grouped in nodes, each node a
//! listpack in Redis's exact byte layout keyed by its master id in an ordered map
//! (Redis's radix tree of listpacks). A node starts with a master entry — live count, deleted
//! count, the field names of the first entry and a zero terminator — followed by entries written
//! as `flags, ms-delta, seq-delta, [num-fields, field...], value..., lp-count`, where the field
//! names are left out when they equal the master's (the SAMEFIELDS flag) and deleted entries
//! stay as tombstones until their whole node goes. Next to the entries a stream keeps its
//! length, last generated id, first id, largest deleted id, all-time added count and its
//! consumer groups (see [`group`]). This module owns the encoding and the algorithms over it
//! (appending, iterating, deleting, trimming, the consumer-group read counters); the byte
//! format itself is `crate::listpack`'s. It knows nothing of commands, replies or propagation.

pub mod group;

pub use group::{Consumer, ConsumerGroup, Nack};

use super::{Elem, Limits};
use crate::listpack::{elem_eq, Listpack, Pos};
use crate::sbytes::alloc_size_class;
use std::collections::btree_map::{self, BTreeMap};

/// Entry flag: the entry was deleted (a tombstone).
pub const FLAG_DELETED: i64 = 1;
/// Entry flag: the entry has the master entry's field names, which are not repeated.
pub const FLAG_SAMEFIELDS: i64 = 2;
/// No listpack grows beyond this, whatever stream-node-max-bytes says (1 GiB).
pub const NODE_MAX_SIZE: usize = 1 << 30;
/// Consumer group read counter meaning "unknown".
pub const INVALID_ENTRIES_READ: i64 = -1;

/// A stream entry id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

impl StreamId {
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };
    pub const MAX: StreamId = StreamId { ms: u64::MAX, seq: u64::MAX };

    pub const fn new(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }
    pub fn is_zero(self) -> bool {
        self.ms == 0 && self.seq == 0
    }
    /// The next id, or `None` after the largest one.
    pub fn incr(self) -> Option<StreamId> {
        if self.seq == u64::MAX {
            if self.ms == u64::MAX {
                None
            } else {
                Some(StreamId::new(self.ms + 1, 0))
            }
        } else {
            Some(StreamId::new(self.ms, self.seq + 1))
        }
    }
    /// The previous id, or `None` before 0-0.
    pub fn decr(self) -> Option<StreamId> {
        if self.seq == 0 {
            if self.ms == 0 {
                None
            } else {
                Some(StreamId::new(self.ms - 1, u64::MAX))
            }
        } else {
            Some(StreamId::new(self.ms, self.seq - 1))
        }
    }
    /// The id as a 128-bit big-endian number (the radix tree key Redis uses).
    pub fn to_be_bytes(self) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.ms.to_be_bytes());
        b[8..].copy_from_slice(&self.seq.to_be_bytes());
        b
    }
    pub fn from_be_bytes(b: [u8; 16]) -> StreamId {
        let mut ms = [0u8; 8];
        let mut seq = [0u8; 8];
        ms.copy_from_slice(&b[..8]);
        seq.copy_from_slice(&b[8..]);
        StreamId::new(u64::from_be_bytes(ms), u64::from_be_bytes(seq))
    }
    /// `<ms>-<seq>` as bytes.
    pub fn to_bytes(self) -> Vec<u8> {
        format!("{}-{}", self.ms, self.seq).into_bytes()
    }
}

impl std::fmt::Display for StreamId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

/// C's `strtoull` in base 10 as Redis's string2ull falls back to it: leading white space, an
/// optional sign (a minus negates modulo 2^64), at least one digit, nothing after the digits,
/// no overflow.
fn strtoull_full(s: &[u8]) -> Option<u64> {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    let digits = &s[i..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

/// Redis's string2ull: a strict canonical integer (which must not be negative), else strtoull.
fn string_to_u64(s: &[u8]) -> Option<u64> {
    if let Some(v) = crate::value::parse_canonical_i64(s) {
        return (v >= 0).then_some(v as u64);
    }
    strtoull_full(s)
}

/// How an id argument was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParsedId {
    pub id: StreamId,
    /// False for the `<ms>-*` form (the sequence is to be generated).
    pub seq_given: bool,
}

/// Parses a stream id argument as Redis does: `-` and `+` (unless `strict`) are the smallest
/// and largest ids, `<ms>` alone takes `missing_seq` as its sequence, `<ms>-<seq>` is explicit,
/// and `<ms>-*` is accepted when `allow_auto_seq`. Arguments longer than 127 bytes are invalid;
/// the text stops at a NUL byte (C string). Numbers follow Redis's string2ull (so `+5` or ` 5`
/// are accepted, as strtoull accepts them).
pub fn parse_id(arg: &[u8], missing_seq: u64, strict: bool, allow_auto_seq: bool) -> Option<ParsedId> {
    if arg.len() > 127 {
        return None;
    }
    let s = match arg.iter().position(|&c| c == 0) {
        Some(i) => &arg[..i],
        None => arg,
    };
    if strict && (s == b"-" || s == b"+") {
        return None;
    }
    if s == b"-" {
        return Some(ParsedId { id: StreamId::MIN, seq_given: true });
    }
    if s == b"+" {
        return Some(ParsedId { id: StreamId::MAX, seq_given: true });
    }
    let (ms_part, seq_part) = match s.iter().position(|&c| c == b'-') {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let ms = string_to_u64(ms_part)?;
    let (seq, seq_given) = match seq_part {
        Some(b"*") if allow_auto_seq => (0, false),
        Some(p) => (string_to_u64(p)?, true),
        None => (missing_seq, true),
    };
    Some(ParsedId { id: StreamId::new(ms, seq), seq_given })
}

// ---------------------------------------------------------------------------------------------
// Node layout helpers

/// The element at `p` as an integer (a string element is parsed; 0 if it is not a number).
fn int_at(lp: &Listpack, p: Pos) -> i64 {
    match lp.get(p) {
        Elem::Int(n) => n,
        Elem::Bytes(b) => crate::value::parse_canonical_i64(b).unwrap_or(0),
    }
}

/// `n` entries after `p` (`None` past the last entry).
fn fwd(lp: &Listpack, p: Pos, n: usize) -> Option<Pos> {
    let mut q = p;
    for _ in 0..n {
        q = lp.next(q)?;
    }
    Some(q)
}

/// The master entry of a node.
#[derive(Clone, Copy, Debug)]
struct Master {
    count: i64,
    deleted: i64,
    nfields: usize,
    /// The first master field name (the terminator when there are none).
    fields_at: Option<Pos>,
    /// The first entry's flags.
    entries_at: Option<Pos>,
}

fn master(lp: &Listpack) -> Master {
    let p_count = lp.first();
    let count = p_count.map_or(0, |p| int_at(lp, p));
    let p_deleted = p_count.and_then(|p| lp.next(p));
    let deleted = p_deleted.map_or(0, |p| int_at(lp, p));
    let p_nfields = p_deleted.and_then(|p| lp.next(p));
    let nfields = p_nfields.map_or(0, |p| int_at(lp, p)).max(0) as usize;
    let fields_at = p_nfields.and_then(|p| lp.next(p));
    let terminator = fields_at.and_then(|p| fwd(lp, p, nfields));
    let entries_at = terminator.and_then(|p| lp.next(p));
    Master { count, deleted, nfields, fields_at, entries_at }
}

/// The position of the deleted-count element.
fn deleted_pos(lp: &Listpack) -> Option<Pos> {
    lp.first().and_then(|p| lp.next(p))
}

/// One entry of a node, decoded from its flags position.
#[derive(Clone, Copy, Debug)]
struct Raw {
    id: StreamId,
    flags: i64,
    nfields: usize,
    /// The first field (or first value when the fields are the master's).
    at: Option<Pos>,
    /// The next entry's flags.
    end: Option<Pos>,
}

fn decode(lp: &Listpack, master_id: StreamId, m: &Master, p: Pos) -> Raw {
    let flags = int_at(lp, p);
    let q_ms = lp.next(p);
    let ms = master_id.ms.wrapping_add(q_ms.map_or(0, |q| int_at(lp, q)) as u64);
    let q_seq = q_ms.and_then(|q| lp.next(q));
    let seq = master_id.seq.wrapping_add(q_seq.map_or(0, |q| int_at(lp, q)) as u64);
    let q = q_seq.and_then(|q| lp.next(q));
    let (nfields, at, lpcount_at) = if flags & FLAG_SAMEFIELDS != 0 {
        (m.nfields, q, q.and_then(|q| fwd(lp, q, m.nfields)))
    } else {
        let n = q.map_or(0, |q| int_at(lp, q)).max(0) as usize;
        let at = q.and_then(|q| lp.next(q));
        (n, at, at.and_then(|a| fwd(lp, a, 2 * n)))
    };
    Raw { id: StreamId::new(ms, seq), flags, nfields, at, end: lpcount_at.and_then(|p| lp.next(p)) }
}

/// The flags position of the entry whose lp-count element is at `q`, or `None` when `q` is the
/// master entry's terminator.
fn entry_before(lp: &Listpack, q: Pos) -> Option<Pos> {
    let n = int_at(lp, q);
    if n <= 0 {
        return None;
    }
    let mut p = q;
    for _ in 0..n {
        p = lp.prev(p)?;
    }
    Some(p)
}

/// Appends to a node. Nodes never reach the listpack's 4 GiB limit: appends are refused
/// beyond 1 GiB before getting here.
fn push<'a>(lp: &mut Listpack, e: impl Into<Elem<'a>>) {
    let _ = lp.push_back(e);
}

/// Replaces an integer of a node (counters and flags).
fn set_int(lp: &mut Listpack, p: Pos, v: i64) {
    let _ = lp.replace(p, v);
}

// ---------------------------------------------------------------------------------------------
// Iteration

/// One entry as iteration yields it.
#[derive(Clone, Copy, Debug)]
pub struct EntryRef<'a> {
    pub id: StreamId,
    lp: &'a Listpack,
    master_fields_at: Option<Pos>,
    nfields: usize,
    same: bool,
    at: Option<Pos>,
    deleted: bool,
}

impl<'a> EntryRef<'a> {
    pub fn num_fields(&self) -> usize {
        self.nfields
    }
    /// True for a tombstone (only seen when iterating with tombstones).
    pub fn is_deleted(&self) -> bool {
        self.deleted
    }
    /// The field/value pairs, in the order they were added.
    pub fn fields(&self) -> Fields<'a> {
        Fields {
            lp: self.lp,
            left: self.nfields,
            same: self.same,
            fpos: if self.same { self.master_fields_at } else { self.at },
            vpos: self.at,
        }
    }
}

/// The field/value pairs of an entry.
pub struct Fields<'a> {
    lp: &'a Listpack,
    left: usize,
    same: bool,
    fpos: Option<Pos>,
    vpos: Option<Pos>,
}

impl<'a> Iterator for Fields<'a> {
    type Item = (Elem<'a>, Elem<'a>);
    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let lp = self.lp;
        if self.same {
            let (fp, vp) = (self.fpos?, self.vpos?);
            self.fpos = lp.next(fp);
            self.vpos = lp.next(vp);
            Some((lp.get(fp), lp.get(vp)))
        } else {
            let fp = self.vpos?;
            let vp = lp.next(fp)?;
            self.vpos = lp.next(vp);
            Some((lp.get(fp), lp.get(vp)))
        }
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

struct NodeCursor<'a> {
    master_id: StreamId,
    lp: &'a Listpack,
    m: Master,
    /// Forward: the next entry's flags. Backward: the lp-count of the next entry to look at
    /// (the master terminator once the node is exhausted).
    pos: Option<Pos>,
}

/// Entries between two ids (inclusive), in either direction.
pub struct Iter<'a> {
    nodes: btree_map::Range<'a, StreamId, Listpack>,
    cur: Option<NodeCursor<'a>>,
    start: StreamId,
    end: StreamId,
    rev: bool,
    skip_tombstones: bool,
    done: bool,
}

impl<'a> Iter<'a> {
    fn open(&mut self) -> bool {
        let next = if self.rev { self.nodes.next_back() } else { self.nodes.next() };
        let Some((&master_id, lp)) = next else { return false };
        let m = master(lp);
        let pos = if self.rev { lp.last() } else { m.entries_at };
        self.cur = Some(NodeCursor { master_id, lp, m, pos });
        true
    }
}

impl<'a> Iterator for Iter<'a> {
    type Item = EntryRef<'a>;
    fn next(&mut self) -> Option<EntryRef<'a>> {
        loop {
            if self.done {
                return None;
            }
            if self.cur.is_none() && !self.open() {
                self.done = true;
                return None;
            }
            let c = self.cur.as_mut()?;
            let raw = if self.rev {
                match c.pos.and_then(|q| entry_before(c.lp, q)) {
                    None => None,
                    Some(p) => {
                        let r = decode(c.lp, c.master_id, &c.m, p);
                        c.pos = c.lp.prev(p);
                        Some(r)
                    }
                }
            } else {
                c.pos.map(|p| {
                    let r = decode(c.lp, c.master_id, &c.m, p);
                    c.pos = r.end;
                    r
                })
            };
            let Some(raw) = raw else {
                self.cur = None;
                continue;
            };
            let deleted = raw.flags & FLAG_DELETED != 0;
            if deleted && self.skip_tombstones {
                continue;
            }
            if !self.rev {
                if raw.id < self.start {
                    continue;
                }
                if raw.id > self.end {
                    self.done = true;
                    return None;
                }
            } else {
                if raw.id > self.end {
                    continue;
                }
                if raw.id < self.start {
                    self.done = true;
                    return None;
                }
            }
            return Some(EntryRef {
                id: raw.id,
                lp: c.lp,
                master_fields_at: c.m.fields_at,
                nfields: raw.nfields,
                same: raw.flags & FLAG_SAMEFIELDS != 0,
                at: raw.at,
                deleted,
            });
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The entries

/// How an appended entry gets its id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdSpec {
    /// `*`: from the clock, or the last id's successor.
    Auto,
    /// `<ms>-*`: the given time, the sequence generated.
    AutoSeq(u64),
    /// `<ms>-<seq>`.
    Explicit(StreamId),
}

/// Why an append failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppendError {
    /// The id is not greater than the last one.
    IdTooSmall,
    /// The fields and values are too large for a node (more than 1 GiB), or (as Redis reports
    /// it) a `<ms>-*` id whose sequence would overflow.
    TooLarge,
}

/// How to trim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trim {
    /// Keep at most this many entries.
    MaxLen(u64),
    /// Remove the entries with smaller ids.
    MinId(StreamId),
}

/// The entries of a stream and the counters that describe them.
#[derive(Clone, Debug, Default)]
pub struct Entries {
    nodes: BTreeMap<StreamId, Listpack>,
    length: u64,
    last_id: StreamId,
    first_id: StreamId,
    max_deleted_id: StreamId,
    entries_added: u64,
}

impl Entries {
    pub fn len(&self) -> u64 {
        self.length
    }
    pub fn is_empty(&self) -> bool {
        self.length == 0
    }
    pub fn last_id(&self) -> StreamId {
        self.last_id
    }
    pub fn first_id(&self) -> StreamId {
        self.first_id
    }
    pub fn max_deleted_id(&self) -> StreamId {
        self.max_deleted_id
    }
    pub fn entries_added(&self) -> u64 {
        self.entries_added
    }
    /// Number of nodes (radix tree keys).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Live entries with ids in `start..=end`, forward or backward.
    pub fn range(&self, start: StreamId, end: StreamId, rev: bool) -> Iter<'_> {
        self.iter_with(start, end, rev, true)
    }

    fn iter_with(&self, start: StreamId, end: StreamId, rev: bool, skip_tombstones: bool) -> Iter<'_> {
        let nodes = if !rev {
            // the node holding `start` is the last one whose master id is <= start
            match (!start.is_zero()).then(|| self.nodes.range(..=start).next_back()).flatten() {
                Some((&k, _)) => self.nodes.range(k..),
                None => self.nodes.range(..),
            }
        } else if end.is_zero() {
            self.nodes.range(..)
        } else {
            // the node holding `end` is the last one whose master id is <= end; when there is
            // none (after XSETID moved the last id back, entries may sit below their node's
            // master id) the walk starts from the last node, as Redis's iterator does
            match self.nodes.range(..=end).next_back() {
                Some(_) => self.nodes.range(..=end),
                None => self.nodes.range(..),
            }
        };
        Iter { nodes, cur: None, start, end, rev, skip_tombstones, done: false }
    }

    /// Every live entry, in id order.
    pub fn iter(&self) -> Iter<'_> {
        self.range(StreamId::MIN, StreamId::MAX, false)
    }

    /// The live entry with this id.
    pub fn get(&self, id: StreamId) -> Option<EntryRef<'_>> {
        self.range(id, id, false).next()
    }

    pub fn contains(&self, id: StreamId) -> bool {
        self.get(id).is_some()
    }

    /// The first or last id, tombstones included or not; when there is none, the largest id
    /// (first) or 0-0 (last), as Redis's streamGetEdgeID answers.
    pub fn edge_id(&self, first: bool, skip_tombstones: bool) -> StreamId {
        match self.iter_with(StreamId::MIN, StreamId::MAX, !first, skip_tombstones).next() {
            Some(e) => e.id,
            None if first => StreamId::MAX,
            None => StreamId::MIN,
        }
    }

    /// The id of the last live entry.
    pub fn last_valid_id(&self) -> Option<StreamId> {
        self.range(StreamId::MIN, StreamId::MAX, true).next().map(|e| e.id)
    }

    /// Node master ids and their listpack bytes, in order (for persistence).
    pub fn nodes(&self) -> impl DoubleEndedIterator<Item = (StreamId, &Listpack)> + '_ {
        self.nodes.iter().map(|(k, v)| (*k, v))
    }

    /// Appends an entry made of `pairs` (field, value, field, value...). Returns its id.
    pub fn append<B: AsRef<[u8]>>(
        &mut self,
        pairs: &[B],
        spec: IdSpec,
        now_ms: i64,
        limits: &Limits,
    ) -> Result<StreamId, AppendError> {
        let id = match spec {
            IdSpec::Explicit(id) => id,
            IdSpec::AutoSeq(ms) => {
                if self.last_id.ms == ms {
                    if self.last_id.seq == u64::MAX {
                        // Redis reports this through a stale errno: "too large"
                        return Err(AppendError::TooLarge);
                    }
                    StreamId::new(ms, self.last_id.seq + 1)
                } else {
                    StreamId::new(ms, 0)
                }
            }
            IdSpec::Auto => {
                let ms = now_ms.max(0) as u64;
                if ms > self.last_id.ms {
                    StreamId::new(ms, 0)
                } else {
                    self.last_id.incr().unwrap_or(StreamId::MIN)
                }
            }
        };
        if id <= self.last_id {
            return Err(AppendError::IdTooSmall);
        }
        let numfields = pairs.len() / 2;
        let total: usize = pairs[..numfields * 2].iter().map(|p| p.as_ref().len()).sum();
        if total > NODE_MAX_SIZE {
            return Err(AppendError::TooLarge);
        }

        // does the tail node take one more entry?
        let mut tail_ok = false;
        if let Some(mut e) = self.nodes.last_entry() {
            let node = e.get_mut();
            let max_bytes = match limits.stream_node_max_bytes {
                0 => NODE_MAX_SIZE,
                n => n.min(NODE_MAX_SIZE),
            };
            let m = master(node);
            tail_ok = node.total_bytes() + total < max_bytes
                && (limits.stream_node_max_entries == 0
                    || m.count.wrapping_add(m.deleted) < limits.stream_node_max_entries as i64);
            if !tail_ok {
                node.shrink_to_fit();
            }
        }

        let mut flags = 0i64;
        let master_id;
        if !tail_ok {
            master_id = id;
            let mut node = Listpack::new();
            push(&mut node, 1);
            push(&mut node, 0);
            push(&mut node, numfields as i64);
            for i in 0..numfields {
                push(&mut node, pairs[2 * i].as_ref());
            }
            push(&mut node, 0);
            self.nodes.insert(id, node);
            flags |= FLAG_SAMEFIELDS;
        } else if let Some(mut e) = self.nodes.last_entry() {
            master_id = *e.key();
            let node = e.get_mut();
            let m = master(node);
            if let Some(p) = node.first() {
                set_int(node, p, m.count + 1);
            }
            let m = master(node);
            if m.nfields == numfields {
                let mut p = m.fields_at;
                let mut same = true;
                for i in 0..numfields {
                    match p {
                        Some(q) if elem_eq(node.get(q), pairs[2 * i].as_ref()) => p = node.next(q),
                        _ => {
                            same = false;
                            break;
                        }
                    }
                }
                if same {
                    flags |= FLAG_SAMEFIELDS;
                }
            }
        } else {
            return Err(AppendError::TooLarge);
        }

        let Some(node) = self.nodes.get_mut(&master_id) else { return Err(AppendError::TooLarge) };
        let same = flags & FLAG_SAMEFIELDS != 0;
        push(node, flags);
        push(node, id.ms.wrapping_sub(master_id.ms) as i64);
        push(node, id.seq.wrapping_sub(master_id.seq) as i64);
        if !same {
            push(node, numfields as i64);
        }
        for i in 0..numfields {
            if !same {
                push(node, pairs[2 * i].as_ref());
            }
            push(node, pairs[2 * i + 1].as_ref());
        }
        let lp_count = if same { numfields + 3 } else { 2 * numfields + 4 };
        push(node, lp_count as i64);

        self.length += 1;
        self.entries_added += 1;
        self.last_id = id;
        if self.length == 1 {
            self.first_id = id;
        }
        Ok(id)
    }

    /// Marks the entry whose flags are at `p` in node `key` deleted and updates the node's
    /// counters (or removes the node when it was its last live entry).
    fn delete_at(&mut self, key: StreamId, p: Pos) {
        let Some(node) = self.nodes.get_mut(&key) else { return };
        let flags = int_at(node, p);
        set_int(node, p, flags | FLAG_DELETED);
        let m = master(node);
        if m.count == 1 {
            self.nodes.remove(&key);
        } else {
            if let Some(p) = node.first() {
                set_int(node, p, m.count - 1);
            }
            if let Some(p) = deleted_pos(node) {
                set_int(node, p, m.deleted + 1);
            }
        }
        self.length -= 1;
    }

    /// Deletes one live entry (XDEL); false when there is none with this id. Does not touch the
    /// first id or the largest deleted id (see [`Stream::delete_ids`]).
    pub fn delete(&mut self, id: StreamId) -> bool {
        let found = {
            // the same walk as a forward range from `id`: it may go on into later nodes, whose
            // entries can lie below their master id after XSETID moved the last id back
            let nodes = match self.nodes.range(..=id).next_back() {
                Some((&k, _)) => self.nodes.range(k..),
                None => self.nodes.range(..),
            };
            let mut hit = None;
            'nodes: for (&key, node) in nodes {
                let m = master(node);
                let mut p = m.entries_at;
                while let Some(q) = p {
                    let r = decode(node, key, &m, q);
                    p = r.end;
                    if r.flags & FLAG_DELETED != 0 || r.id < id {
                        continue;
                    }
                    if r.id == id {
                        hit = Some((key, q));
                    }
                    break 'nodes;
                }
            }
            hit
        };
        match found {
            Some((key, p)) => {
                self.delete_at(key, p);
                true
            }
            None => false,
        }
    }

    /// Trims from the head (Redis's streamTrim): whole nodes go when they can; with `approx`
    /// only whole nodes; `limit` (0 = none) caps the number of entries removed. Returns the
    /// number of entries removed.
    pub fn trim(&mut self, how: Trim, approx: bool, limit: i64) -> u64 {
        let mut deleted: i64 = 0;
        loop {
            if let Trim::MaxLen(maxlen) = how {
                if self.length <= maxlen {
                    break;
                }
            }
            let Some(mut e) = self.nodes.first_entry() else { break };
            let key = *e.key();
            let node = e.get_mut();
            let m = master(node);
            let entries = m.count;
            if limit != 0 && deleted.saturating_add(entries) > limit {
                break;
            }
            let remove_node = match how {
                Trim::MaxLen(maxlen) => self.length.wrapping_sub(entries as u64) >= maxlen,
                Trim::MinId(min) => {
                    // the node's last entry, tombstone or not
                    let last = node.last().and_then(|q| entry_before(node, q)).map(|p| decode(node, key, &m, p).id);
                    last.unwrap_or(StreamId::MIN) < min
                }
            };
            if remove_node {
                e.remove();
                self.length = self.length.wrapping_sub(entries as u64);
                deleted += entries;
                continue;
            }
            if approx {
                break;
            }
            // mark entries deleted inside this node; flags (0..=3) keep their one-byte size,
            // so the positions after them do not move
            let mut removed_here: i64 = 0;
            let mut p = m.entries_at;
            while let Some(q) = p {
                let r = decode(node, key, &m, q);
                let stop = match how {
                    Trim::MaxLen(maxlen) => self.length <= maxlen,
                    Trim::MinId(min) => r.id >= min,
                };
                if stop {
                    break;
                }
                if r.flags & FLAG_DELETED == 0 {
                    set_int(node, q, r.flags | FLAG_DELETED);
                    removed_here += 1;
                    self.length -= 1;
                }
                p = r.end;
            }
            deleted += removed_here;
            if let Some(p) = node.first() {
                set_int(node, p, entries - removed_here);
            }
            if let Some(p) = deleted_pos(node) {
                set_int(node, p, m.deleted + removed_here);
            }
            break;
        }
        if self.length == 0 {
            self.first_id = StreamId::MIN;
        } else if deleted != 0 {
            self.first_id = self.edge_id(true, true);
        }
        deleted as u64
    }

    /// Does `start..=end` (None = unbounded) contain a tombstone, as far as the counters tell
    /// (Redis's streamRangeHasTombstones)?
    pub fn range_has_tombstones(&self, start: Option<StreamId>, end: Option<StreamId>) -> bool {
        if self.length == 0 || self.max_deleted_id.is_zero() {
            return false;
        }
        if self.first_id > self.max_deleted_id {
            return false;
        }
        let start = start.unwrap_or(StreamId::MIN);
        let end = end.unwrap_or(StreamId::MAX);
        start <= self.max_deleted_id && self.max_deleted_id <= end
    }

    /// The number of entries added before and including `id`, when it can be known (Redis's
    /// streamEstimateDistanceFromFirstEverEntry); [`INVALID_ENTRIES_READ`] otherwise.
    pub fn estimate_distance(&self, id: StreamId) -> i64 {
        if self.entries_added == 0 {
            return 0;
        }
        if self.length == 0 && id <= self.last_id {
            return self.entries_added as i64;
        }
        if id == self.last_id {
            return self.entries_added as i64;
        } else if id > self.last_id {
            return INVALID_ENTRIES_READ;
        }
        if self.max_deleted_id.is_zero() || self.max_deleted_id < self.first_id {
            if id < self.first_id {
                return (self.entries_added - self.length) as i64;
            } else if id == self.first_id {
                return (self.entries_added - self.length + 1) as i64;
            }
        }
        INVALID_ENTRIES_READ
    }

    /// A consumer group's lag (entries not yet delivered), when it can be known.
    pub fn lag(&self, cg: &ConsumerGroup) -> Option<i64> {
        if self.entries_added == 0 {
            return Some(0);
        }
        if cg.entries_read != INVALID_ENTRIES_READ && !self.range_has_tombstones(Some(cg.last_id), None) {
            return Some((self.entries_added as i64).wrapping_sub(cg.entries_read));
        }
        let read = self.estimate_distance(cg.last_id);
        (read != INVALID_ENTRIES_READ).then(|| (self.entries_added as i64).wrapping_sub(read))
    }

    /// The number of nodes Redis's radix tree has for these keys (XINFO "radix-tree-nodes"):
    /// a compressed node for every run of bytes shared below a branch, a node per branch and a
    /// leaf per key; an empty tree is a single node.
    pub fn radix_tree_nodes(&self) -> usize {
        let keys: Vec<[u8; 16]> = self.nodes.keys().map(|k| k.to_be_bytes()).collect();
        if keys.is_empty() {
            return 1;
        }
        fn count(keys: &[[u8; 16]], depth: usize) -> usize {
            if depth == 16 {
                return 1;
            }
            let first = &keys[0];
            let last = &keys[keys.len() - 1];
            // keys are sorted: the common prefix of the slice is that of its ends
            let mut d = depth;
            while d < 16 && first[d] == last[d] {
                d += 1;
            }
            let mut n = usize::from(d > depth);
            if d == 16 {
                return n + 1;
            }
            n += 1; // the branch node
            let mut i = 0;
            while i < keys.len() {
                let b = keys[i][d];
                let mut j = i + 1;
                while j < keys.len() && keys[j][d] == b {
                    j += 1;
                }
                n += count(&keys[i..j], d + 1);
                i = j;
            }
            n
        }
        count(&keys, 0)
    }

    /// Sets the stream's metadata directly (XSETID and loading).
    pub fn set_last_id(&mut self, id: StreamId) {
        self.last_id = id;
    }
    pub fn set_entries_added(&mut self, n: u64) {
        self.entries_added = n;
    }
    pub fn set_max_deleted_id(&mut self, id: StreamId) {
        self.max_deleted_id = id;
    }
    pub fn set_first_id(&mut self, id: StreamId) {
        self.first_id = id;
    }

    /// Adds a node read from a dump: `lp` must hold a well-formed stream node whose master id
    /// is `master_id`, greater than every node already there. The node's live entries are
    /// added to the length (the other counters are set with the setters). Returns false (and
    /// adds nothing) otherwise.
    pub fn push_node(&mut self, master_id: StreamId, lp: Listpack) -> bool {
        if self.nodes.last_key_value().is_some_and(|(k, _)| *k >= master_id) || !validate_node(&lp, master_id) {
            return false;
        }
        let m = master(&lp);
        self.length += m.count as u64;
        self.nodes.insert(master_id, lp);
        true
    }

    fn heap_size(&self) -> usize {
        // a B-tree leaf holds up to 11 keys and values
        let per_node = std::mem::size_of::<StreamId>() + std::mem::size_of::<Listpack>();
        let tree = self.nodes.len().div_ceil(11) * alloc_size_class(11 * per_node + 16);
        tree + self.nodes.values().map(|v| v.heap_size()).sum::<usize>()
    }
}

/// Checks a node read from outside (Redis's streamValidateListpackIntegrity, deep): a master
/// entry (counts, field names, zero terminator), then exactly `count + deleted` entries whose
/// field counts and lp-counts agree, with ids not below the master id.
pub fn validate_node(node: &Listpack, master_id: StreamId) -> bool {
    let elems: Vec<Elem<'_>> = node.iter().collect();
    let n = elems.len();
    let int_at = |i: usize| -> Option<i64> {
        match *elems.get(i)? {
            Elem::Int(v) => Some(v),
            Elem::Bytes(b) => crate::value::parse_canonical_i64(b),
        }
    };
    let (Some(count), Some(deleted), Some(nf)) = (int_at(0), int_at(1), int_at(2)) else { return false };
    if count < 0 || deleted < 0 || nf < 0 || nf as usize > n {
        return false;
    }
    let nf = nf as usize;
    let mut i = 3 + nf;
    if int_at(i) != Some(0) {
        return false;
    }
    i += 1;
    let mut seen = 0i64;
    while i < n {
        let Some(flags) = int_at(i) else { return false };
        let (Some(dms), Some(dseq)) = (int_at(i + 1), int_at(i + 2)) else { return false };
        let id = StreamId::new(master_id.ms.wrapping_add(dms as u64), master_id.seq.wrapping_add(dseq as u64));
        if id < master_id {
            return false;
        }
        let mut j = i + 3;
        let fields = if flags & FLAG_SAMEFIELDS != 0 {
            nf
        } else {
            let Some(k) = int_at(j) else { return false };
            if k < 0 || k as usize > n {
                return false;
            }
            j += 1;
            k as usize
        };
        j += if flags & FLAG_SAMEFIELDS != 0 { fields } else { 2 * fields };
        if int_at(j) != Some((j - i) as i64) {
            return false;
        }
        seen += 1;
        i = j + 1;
    }
    i == n && Some(seen) == count.checked_add(deleted)
}

// ---------------------------------------------------------------------------------------------
// The stream

type Groups = BTreeMap<Box<[u8]>, ConsumerGroup>;

#[derive(Clone, Debug, Default)]
pub struct Stream {
    entries: Entries,
    /// Consumer groups by name, created on demand.
    groups: Option<Box<Groups>>,
}

impl Stream {
    pub fn new() -> Stream {
        Stream::default()
    }
    /// Number of live entries.
    pub fn len(&self) -> usize {
        self.entries.length as usize
    }
    pub fn is_empty(&self) -> bool {
        self.entries.length == 0
    }
    pub fn entries(&self) -> &Entries {
        &self.entries
    }
    pub fn entries_mut(&mut self) -> &mut Entries {
        &mut self.entries
    }
    /// Allocations freeing it costs (Redis's lazyfreeGetFreeEffort): the radix tree's nodes,
    /// plus for consumer groups one per group and per pending entry (estimated from the first
    /// group's PEL).
    pub fn free_effort(&self) -> usize {
        let mut effort = self.entries.radix_tree_nodes();
        if let Some(g) = self.groups.as_deref() {
            if let Some(first) = g.values().next() {
                effort += g.len() * (1 + first.pel_len());
            }
        }
        effort
    }
    pub fn encoding_name(&self) -> &'static str {
        "stream"
    }
    pub fn heap_size(&self) -> usize {
        let mut n = self.entries.heap_size();
        if let Some(g) = self.groups.as_deref() {
            n += alloc_size_class(std::mem::size_of::<Groups>());
            n += g.iter().map(|(k, cg)| alloc_size_class(k.len()) + 64 + cg.heap_size()).sum::<usize>();
        }
        n
    }
    /// Entries in id order: the id and the field/value pairs.
    pub fn for_each_entry(&self, mut f: impl FnMut(StreamId, &mut dyn Iterator<Item = (&[u8], &[u8])>)) {
        for e in self.entries.iter() {
            let pairs: Vec<_> = e.fields().map(|(a, b)| (a.to_bytes(), b.to_bytes())).collect();
            let mut it = pairs.iter().map(|(a, b)| (a.as_ref(), b.as_ref()));
            f(e.id, &mut it);
        }
    }

    // --- entries

    pub fn last_id(&self) -> StreamId {
        self.entries.last_id
    }
    pub fn range(&self, start: StreamId, end: StreamId, rev: bool) -> Iter<'_> {
        self.entries.range(start, end, rev)
    }
    pub fn append<B: AsRef<[u8]>>(
        &mut self,
        pairs: &[B],
        spec: IdSpec,
        now_ms: i64,
        limits: &Limits,
    ) -> Result<StreamId, AppendError> {
        self.entries.append(pairs, spec, now_ms, limits)
    }
    pub fn trim(&mut self, how: Trim, approx: bool, limit: i64) -> u64 {
        self.entries.trim(how, approx, limit)
    }
    /// XDEL: deletes the given ids, keeping the first id and the largest deleted id up to date.
    /// Returns how many were deleted.
    pub fn delete_ids(&mut self, ids: &[StreamId]) -> u64 {
        let e = &mut self.entries;
        let mut deleted = 0;
        let mut first_gone = false;
        for &id in ids {
            if e.delete(id) {
                if id == e.first_id {
                    first_gone = true;
                }
                if id > e.max_deleted_id {
                    e.max_deleted_id = id;
                }
                deleted += 1;
            }
        }
        if deleted > 0 {
            if e.length == 0 {
                e.first_id = StreamId::MIN;
            } else if first_gone {
                e.first_id = e.edge_id(true, true);
            }
        }
        deleted
    }

    // --- consumer groups

    pub fn group_count(&self) -> usize {
        self.groups.as_deref().map_or(0, |g| g.len())
    }
    /// The groups in name order.
    pub fn groups(&self) -> impl Iterator<Item = (&[u8], &ConsumerGroup)> + '_ {
        self.groups.as_deref().into_iter().flat_map(|g| g.iter().map(|(k, v)| (k.as_ref(), v)))
    }
    pub fn group(&self, name: &[u8]) -> Option<&ConsumerGroup> {
        self.groups.as_deref()?.get(name)
    }
    pub fn group_mut(&mut self, name: &[u8]) -> Option<&mut ConsumerGroup> {
        self.groups.as_deref_mut()?.get_mut(name)
    }
    /// The entries and one group, both at once.
    pub fn group_with_entries(&mut self, name: &[u8]) -> Option<(&Entries, &mut ConsumerGroup)> {
        let g = self.groups.as_deref_mut()?.get_mut(name)?;
        Some((&self.entries, g))
    }
    /// Creates a group; false when one with this name exists.
    pub fn create_group(&mut self, name: &[u8], last_id: StreamId, entries_read: i64) -> bool {
        let groups = self.groups.get_or_insert_with(Default::default);
        if groups.contains_key(name) {
            return false;
        }
        groups.insert(name.into(), ConsumerGroup::new(last_id, entries_read));
        true
    }
    pub fn destroy_group(&mut self, name: &[u8]) -> bool {
        self.groups.as_deref_mut().is_some_and(|g| g.remove(name).is_some())
    }

    /// Serves entries after `start` to a consumer of a group, as XREADGROUP with `>` does
    /// (Redis's streamReplyWithRange with a group): every entry past the group's last delivered
    /// id moves that id and the read counter forward; unless `noack`, each entry is added to the
    /// group's and the consumer's pending lists (taken over from another consumer if needed).
    /// `emit` sees each entry; the effects to propagate are appended to `effects`. The consumer
    /// must exist. Returns the number of entries served (at most `count`, 0 = no limit).
    #[allow(clippy::too_many_arguments)]
    pub fn read_group_new(
        &mut self,
        group: &[u8],
        consumer: &[u8],
        start: StreamId,
        count: usize,
        noack: bool,
        now_ms: i64,
        emit: &mut dyn FnMut(&EntryRef<'_>),
        effects: &mut Vec<GroupEffect>,
    ) -> usize {
        let Some((entries, g)) = self.group_with_entries(group) else { return 0 };
        let mut served = 0;
        let mut propagate_last_id = false;
        for e in entries.range(start, StreamId::MAX, false) {
            if e.id > g.last_id {
                if g.entries_read != INVALID_ENTRIES_READ && !entries.range_has_tombstones(Some(e.id), None) {
                    g.entries_read += 1;
                } else if entries.entries_added != 0 {
                    g.entries_read = entries.estimate_distance(e.id);
                }
                g.last_id = e.id;
                if noack {
                    propagate_last_id = true;
                }
            }
            emit(&e);
            if !noack {
                if let Some(nack) = g.deliver(e.id, consumer, now_ms) {
                    effects.push(GroupEffect::Claim {
                        id: e.id,
                        consumer: nack.owner().to_vec(),
                        delivery_time: nack.delivery_time,
                        delivery_count: nack.delivery_count,
                        last_id: g.last_id,
                    });
                }
            }
            served += 1;
            if count != 0 && served == count {
                break;
            }
        }
        if propagate_last_id {
            effects.push(GroupEffect::SetId { last_id: g.last_id, entries_read: g.entries_read });
        }
        served
    }

    /// Serves a consumer's own pending entries from `start` (XREADGROUP with an explicit id):
    /// `emit` gets each pending id with its entry, or `None` when the entry no longer exists;
    /// entries found count as delivered again. Returns the number of ids served.
    pub fn read_group_history(
        &mut self,
        group: &[u8],
        consumer: &[u8],
        start: StreamId,
        count: usize,
        now_ms: i64,
        emit: &mut dyn FnMut(StreamId, Option<&EntryRef<'_>>),
    ) -> usize {
        let Some((entries, g)) = self.group_with_entries(group) else { return 0 };
        let ids: Vec<StreamId> = match g.consumer(consumer) {
            Some(c) => {
                let it = c.pending_from(start);
                if count == 0 {
                    it.collect()
                } else {
                    it.take(count).collect()
                }
            }
            None => return 0,
        };
        for &id in &ids {
            match entries.get(id) {
                Some(e) => {
                    emit(id, Some(&e));
                    g.redeliver(id, now_ms);
                }
                None => emit(id, None),
            }
        }
        ids.len()
    }
}

/// Changes to a consumer group that must be propagated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupEffect {
    /// The entry is pending for `consumer` with this delivery state (propagated as XCLAIM ...
    /// TIME ... RETRYCOUNT ... FORCE JUSTID LASTID `last_id`).
    Claim { id: StreamId, consumer: Vec<u8>, delivery_time: i64, delivery_count: u64, last_id: StreamId },
    /// The group's last delivered id moved (propagated as XGROUP SETID ... ENTRIESREAD ...).
    SetId { last_id: StreamId, entries_read: i64 },
}

#[cfg(test)]
mod tests;
