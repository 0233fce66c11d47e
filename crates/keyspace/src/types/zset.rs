//! The sorted set type and its two encodings, with Redis 7.0's names and conversion rules:
//! - "listpack": member/score pairs in score order in one compact buffer, while the set has at
//!   most `zset-max-listpack-entries` members of at most `zset-max-listpack-value` bytes;
//! - "skiplist": an order-statistic B+tree of (score, member) items ([`ostree`]: rank lookups
//!   and rank ranges in O(log n)) plus a member -> score [`Dict`].
//!
//! A set converts to the large encoding on the insert that crosses a threshold and never back,
//! except where Redis rebuilds a result set (the STORE commands) and checks the thresholds
//! again. Scores in the compact encoding are kept as Redis's listpack keeps them (integral
//! values as integers, so -0 reads back as 0). Everything here is encoding-aware but
//! command-agnostic: no replies, no keys, no propagation. Range specifications
//! ([`ScoreRange`], [`LexRange`]) carry Redis's inclusive/exclusive rules.

pub mod ostree;

use super::{Elem, Limits};
use crate::dict::Dict;
use crate::listpack::{Listpack, Pos};
use crate::rng::Rng;
use crate::sbytes::SBytes;
use ostree::{cmp_items, Item, OsTree};
use std::borrow::Cow;
use std::cmp::Ordering;

// ---------------------------------------------------------------------------------------------
// Ranges

/// A score interval as ZRANGEBYSCORE spells it (`(` makes an end exclusive).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoreRange {
    pub min: f64,
    pub max: f64,
    pub minex: bool,
    pub maxex: bool,
}

impl ScoreRange {
    /// Inclusive `min <= x <= max`.
    pub fn incl(min: f64, max: f64) -> ScoreRange {
        ScoreRange { min, max, minex: false, maxex: false }
    }
    #[inline]
    pub fn gte_min(&self, v: f64) -> bool {
        if self.minex {
            v > self.min
        } else {
            v >= self.min
        }
    }
    #[inline]
    pub fn lte_max(&self, v: f64) -> bool {
        if self.maxex {
            v < self.max
        } else {
            v <= self.max
        }
    }
    /// Ranges that can never hold anything.
    pub fn is_empty_spec(&self) -> bool {
        self.min > self.max || (self.min == self.max && (self.minex || self.maxex))
    }
}

/// One end of a lexicographic range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LexBound {
    /// `-`: below every string.
    NegInf,
    /// `+`: above every string.
    PosInf,
    /// `[x`
    Incl(Vec<u8>),
    /// `(x`
    Excl(Vec<u8>),
}

impl LexBound {
    fn value(&self) -> LexVal<'_> {
        match self {
            LexBound::NegInf => LexVal::Min,
            LexBound::PosInf => LexVal::Max,
            LexBound::Incl(v) | LexBound::Excl(v) => LexVal::Str(v),
        }
    }
    fn exclusive(&self) -> bool {
        !matches!(self, LexBound::Incl(_))
    }
}

#[derive(Clone, Copy)]
enum LexVal<'a> {
    Min,
    Max,
    Str(&'a [u8]),
}

/// Redis's comparison with the special minimum and maximum strings.
fn cmp_lex(a: LexVal, b: LexVal) -> Ordering {
    match (a, b) {
        (LexVal::Min, LexVal::Min) | (LexVal::Max, LexVal::Max) => Ordering::Equal,
        (LexVal::Min, _) | (_, LexVal::Max) => Ordering::Less,
        (LexVal::Max, _) | (_, LexVal::Min) => Ordering::Greater,
        (LexVal::Str(x), LexVal::Str(y)) => x.cmp(y),
    }
}

/// A lexicographic interval as ZRANGEBYLEX spells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexRange {
    pub min: LexBound,
    pub max: LexBound,
}

impl LexRange {
    pub fn gte_min(&self, v: &[u8]) -> bool {
        let c = cmp_lex(LexVal::Str(v), self.min.value());
        if self.min.exclusive() {
            c == Ordering::Greater
        } else {
            c != Ordering::Less
        }
    }
    pub fn lte_max(&self, v: &[u8]) -> bool {
        let c = cmp_lex(LexVal::Str(v), self.max.value());
        if self.max.exclusive() {
            c == Ordering::Less
        } else {
            c != Ordering::Greater
        }
    }
    pub fn is_empty_spec(&self) -> bool {
        let c = cmp_lex(self.min.value(), self.max.value());
        c == Ordering::Greater || (c == Ordering::Equal && (self.min.exclusive() || self.max.exclusive()))
    }
}

// ---------------------------------------------------------------------------------------------
// ZADD semantics

/// ZADD's conditions (INCR, NX, XX, GT, LT).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AddFlags {
    pub incr: bool,
    pub nx: bool,
    pub xx: bool,
    pub gt: bool,
    pub lt: bool,
}

/// What one ZADD pair did (Redis's zsetAdd result flags).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AddOutcome {
    /// A new member, with this score.
    Added(f64),
    /// An existing member got this new score.
    Updated(f64),
    /// An existing member kept its score (same score, or a zero increment).
    Same(f64),
    /// Nothing done because of NX / XX / GT / LT.
    Nop,
    /// The increment made the score NaN; nothing changed.
    Nan,
}

/// Redis's double2ll: integral values in +-2^62 convert exactly.
fn double_as_int(d: f64) -> Option<i64> {
    let lim = (i64::MAX / 2) as f64;
    if !(-lim..=lim).contains(&d) {
        return None;
    }
    let ll = d as i64;
    if ll as f64 == d {
        Some(ll)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------------
// The compact encoding

/// Appends `d` as C's `printf("%.17g")` prints it (finite, non-zero values; Redis's d2string
/// handles the rest before getting here).
fn push_g17(out: &mut Vec<u8>, d: f64) {
    let sci = format!("{:.16e}", d);
    let (neg, body) = match sci.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, sci.as_str()),
    };
    let (mant, exp) = body.split_once('e').unwrap_or((body, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    if neg {
        out.push(b'-');
    }
    if !(-4..17).contains(&exp) {
        out.push(digits[0]);
        if digits.len() > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        out.push(b'e');
        out.push(if exp < 0 { b'-' } else { b'+' });
        out.extend_from_slice(format!("{:02}", exp.unsigned_abs()).as_bytes());
    } else if exp >= 0 {
        let int_len = exp as usize + 1;
        for i in 0..int_len {
            out.push(*digits.get(i).unwrap_or(&b'0'));
        }
        if digits.len() > int_len {
            out.push(b'.');
            out.extend_from_slice(&digits[int_len..]);
        }
    } else {
        out.extend_from_slice(b"0.");
        for _ in 0..(-exp - 1) {
            out.push(b'0');
        }
        out.extend_from_slice(&digits);
    }
}

/// A score's text as Redis's d2string writes it into a listpack (when it is not integral).
fn score_text(d: f64) -> Vec<u8> {
    let mut v = Vec::with_capacity(24);
    if d.is_nan() {
        v.extend_from_slice(b"nan");
    } else if d.is_infinite() {
        v.extend_from_slice(if d > 0.0 { b"inf" } else { b"-inf" });
    } else if d == 0.0 {
        v.extend_from_slice(if d.is_sign_negative() { b"-0" } else { b"0" });
    } else {
        push_g17(&mut v, d);
    }
    v
}

/// The score an entry of the compact encoding holds (zzlGetScore: integers as they are,
/// strings through strtod, which reads at most 127 bytes).
fn entry_score(e: Elem<'_>) -> f64 {
    match e {
        Elem::Int(n) => n as f64,
        Elem::Bytes(b) => parse_score_text(&b[..b.len().min(127)]),
    }
}

/// strtod on score text: the longest numeric prefix, 0 when there is none.
fn parse_score_text(b: &[u8]) -> f64 {
    let s = String::from_utf8_lossy(b);
    let t = s.trim_start();
    if let Ok(v) = t.parse::<f64>() {
        return v;
    }
    // the longest prefix that parses (texts written by us always parse whole)
    (1..t.len()).rev().filter(|&i| t.is_char_boundary(i)).find_map(|i| t[..i].parse::<f64>().ok()).unwrap_or(0.0)
}

/// A member's bytes (integers in decimal).
fn elem_bytes(e: Elem<'_>) -> Cow<'_, [u8]> {
    e.to_bytes()
}

/// zzlCompareElements: member order of an entry against `m`.
fn cmp_elem(e: Elem<'_>, m: &[u8]) -> Ordering {
    match e {
        Elem::Bytes(b) => b.cmp(m),
        Elem::Int(n) => n.to_string().as_bytes().cmp(m),
    }
}

/// Pairs of a compact set, both ways.
struct CompactPairs<'a>(crate::listpack::Iter<'a>);

impl<'a> Iterator for CompactPairs<'a> {
    type Item = (Elem<'a>, f64);
    fn next(&mut self) -> Option<(Elem<'a>, f64)> {
        let m = self.0.next()?;
        let s = self.0.next()?;
        Some((m, entry_score(s)))
    }
}

impl DoubleEndedIterator for CompactPairs<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let s = self.0.next_back()?;
        let m = self.0.next_back()?;
        Some((m, entry_score(s)))
    }
}

/// The "listpack" encoding: member, score, member, score... in score order, in Redis's
/// listpack format.
#[derive(Clone, Debug, Default)]
struct Compact {
    lp: Listpack,
}

impl Compact {
    fn len(&self) -> usize {
        self.lp.len() / 2
    }
    /// Position of the member entry of pair `i`.
    fn pos(&self, i: usize) -> Option<Pos> {
        self.lp.seek(2 * i as i64)
    }
    fn elem(&self, i: usize) -> Option<(Elem<'_>, f64)> {
        let p = self.pos(i)?;
        let s = self.lp.next(p)?;
        Some((self.lp.get(p), entry_score(self.lp.get(s))))
    }
    /// (member, score) pairs in order (reversible).
    fn pairs(&self) -> CompactPairs<'_> {
        CompactPairs(self.lp.iter())
    }
    fn scores(&self) -> impl DoubleEndedIterator<Item = f64> + '_ {
        self.pairs().map(|(_, s)| s)
    }
    /// 0-based rank of `member`.
    fn rank(&self, member: &[u8]) -> Option<usize> {
        let first = self.lp.first()?;
        let p = self.lp.find(first, member, 1)?;
        // entries up to and including the member: 2 * rank + 1
        Some(self.lp.iter_to(p).count() / 2)
    }
    fn find_score(&self, member: &[u8]) -> Option<(Pos, f64)> {
        let first = self.lp.first()?;
        let p = self.lp.find(first, member, 1)?;
        let s = self.lp.next(p)?;
        Some((p, entry_score(self.lp.get(s))))
    }
    /// Appends a pair at the end (callers keep the order).
    fn push(&mut self, member: &[u8], score: f64) {
        let text;
        let se = match double_as_int(score) {
            Some(n) => Elem::Int(n),
            None => {
                text = score_text(score);
                Elem::Bytes(&text)
            }
        };
        // the set-level thresholds keep a compact set far below the 4 GiB format limit
        let _ = self.lp.push_back(member);
        let _ = self.lp.push_back(se);
    }
    /// Inserts before the first pair with a greater score, or an equal score and a greater
    /// member (zzlInsert).
    fn insert(&mut self, member: &[u8], score: f64) {
        let mut at: Option<Pos> = None;
        let mut e = self.lp.entries();
        while let (Some((mp, m)), Some((_, s))) = (e.next(), e.next()) {
            let s = entry_score(s);
            if s > score || (s == score && cmp_elem(m, member) == Ordering::Greater) {
                at = Some(mp);
                break;
            }
        }
        let Some(at) = at else {
            self.push(member, score);
            return;
        };
        let text;
        let se = match double_as_int(score) {
            Some(n) => Elem::Int(n),
            None => {
                text = score_text(score);
                Elem::Bytes(&text)
            }
        };
        if let Ok(mp) = self.lp.insert_before(at, member) {
            let _ = self.lp.insert_after(mp, se);
        }
    }
    fn remove_at(&mut self, p: Pos) {
        self.lp.delete_n(p, 2);
    }
    fn remove_range(&mut self, start: usize, n: usize) {
        self.lp.delete_range(2 * start as i64, 2 * n);
    }
    fn heap_size(&self) -> usize {
        self.lp.heap_size()
    }
    fn max_member_len(&self) -> usize {
        self.lp.pairs().map(|(m, _)| m.len()).max().unwrap_or(0)
    }
}

// ---------------------------------------------------------------------------------------------
// The large encoding

#[derive(Default)]
struct Large {
    dict: Dict<f64>,
    tree: OsTree,
}

impl Clone for Large {
    fn clone(&self) -> Large {
        let mut dict = Dict::new();
        dict.expand(self.dict.len());
        for (k, v) in self.dict.iter() {
            dict.insert(k.clone(), *v);
        }
        Large { dict, tree: self.tree.clone() }
    }
}

impl Large {
    fn insert_new(&mut self, member: &[u8], score: f64) {
        self.dict.insert(SBytes::new(member), score);
        self.tree.insert(Item::new(score, SBytes::new(member)));
    }
    fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let (_, score) = self.dict.remove(member)?;
        self.tree.remove(score, member);
        Some(score)
    }
    fn remove_range(&mut self, start: usize, n: usize) {
        let dict = &mut self.dict;
        self.tree.remove_range(start, n, &mut |it| {
            dict.remove(it.member.as_slice());
        });
        self.dict.shrink_if_sparse();
    }
}

// ---------------------------------------------------------------------------------------------
// ZSet

#[derive(Clone)]
enum Enc {
    Compact(Compact),
    Large(Large),
}

/// See the module documentation.
#[derive(Clone)]
pub struct ZSet {
    enc: Enc,
}

impl Default for ZSet {
    fn default() -> Self {
        ZSet::new()
    }
}

impl std::fmt::Debug for ZSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZSet")
            .field("encoding", &self.encoding_name())
            .field("items", &self.iter().map(|(m, s)| (m.to_bytes().into_owned(), s)).collect::<Vec<_>>())
            .finish()
    }
}

/// Iterator over (member, score) pairs of a rank range, forward or backward.
pub struct RangeIter<'a>(RangeInner<'a>);

enum RangeInner<'a> {
    Compact { it: crate::listpack::Iter<'a>, left: usize, rev: bool },
    Large(ostree::Iter<'a>),
}

impl<'a> Iterator for RangeIter<'a> {
    type Item = (Elem<'a>, f64);
    fn next(&mut self) -> Option<(Elem<'a>, f64)> {
        match &mut self.0 {
            RangeInner::Compact { it, left, rev } => {
                if *left == 0 {
                    return None;
                }
                *left -= 1;
                let (m, s) = if *rev {
                    let s = it.next_back()?;
                    (it.next_back()?, s)
                } else {
                    (it.next()?, it.next()?)
                };
                Some((m, entry_score(s)))
            }
            RangeInner::Large(it) => it.next().map(|i| (Elem::Bytes(i.member.as_slice()), i.score)),
        }
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            RangeInner::Compact { left, .. } => (*left, Some(*left)),
            RangeInner::Large(it) => it.size_hint(),
        }
    }
}

impl ZSet {
    /// An empty set in the compact encoding.
    pub fn new() -> ZSet {
        ZSet { enc: Enc::Compact(Compact::default()) }
    }
    /// An empty set in the large encoding.
    pub fn new_large() -> ZSet {
        ZSet { enc: Enc::Large(Large::default()) }
    }
    /// An empty set encoded as Redis creates one for a first member of `first_len` bytes
    /// (ZADD on a missing key).
    pub fn for_first_member(first_len: usize, limits: &Limits) -> ZSet {
        if limits.zset_max_listpack_entries == 0 || limits.zset_max_listpack_value < first_len {
            ZSet::new_large()
        } else {
            ZSet::new()
        }
    }
    /// A set holding `items` (sorted by score then member, no duplicate members), in the
    /// encoding Redis gives a rebuilt result set (zsetConvertToListpackIfNeeded).
    pub fn from_sorted(items: Vec<(SBytes, f64)>, limits: &Limits) -> ZSet {
        let maxlen = items.iter().map(|(m, _)| m.len()).max().unwrap_or(0);
        if items.len() <= limits.zset_max_listpack_entries && maxlen <= limits.zset_max_listpack_value {
            let mut c = Compact::default();
            for (m, s) in &items {
                c.push(m.as_slice(), *s);
            }
            return ZSet { enc: Enc::Compact(c) };
        }
        let mut dict = Dict::new();
        dict.expand(items.len());
        let mut tree_items = Vec::with_capacity(items.len());
        for (m, s) in items {
            dict.insert(m.clone(), s);
            tree_items.push(Item::new(s, m));
        }
        ZSet { enc: Enc::Large(Large { dict, tree: OsTree::from_sorted(tree_items) }) }
    }
    /// The listpack of the compact encoding (RDB and DUMP); None for the large encoding.
    pub fn listpack(&self) -> Option<&Listpack> {
        match &self.enc {
            Enc::Compact(c) => Some(&c.lp),
            Enc::Large(_) => None,
        }
    }

    /// A set over a listpack of member/score pairs read from a dump, kept as it is when valid:
    /// an even number of entries, scores that are numbers (not NaN), members in sorted-set
    /// order and none repeated. None otherwise.
    pub fn from_listpack(lp: Listpack) -> Option<ZSet> {
        if !lp.len().is_multiple_of(2) {
            return None;
        }
        let c = Compact { lp };
        let mut seen = std::collections::HashSet::new();
        let mut prev: Option<(Vec<u8>, f64)> = None;
        for (m, s) in c.pairs() {
            if s.is_nan() {
                return None;
            }
            let m = m.to_bytes().into_owned();
            if let Some((pm, ps)) = &prev {
                if cmp_items(*ps, pm, s, &m) == Ordering::Greater {
                    return None;
                }
            }
            if !seen.insert(m.clone()) {
                return None;
            }
            prev = Some((m, s));
        }
        Some(ZSet { enc: Enc::Compact(c) })
    }

    /// Sorts `items` in sorted-set order (score, then member).
    pub fn sort_items(items: &mut [(SBytes, f64)]) {
        items.sort_by(|a, b| cmp_items(a.1, a.0.as_slice(), b.1, b.0.as_slice()));
    }

    pub fn len(&self) -> usize {
        match &self.enc {
            Enc::Compact(c) => c.len(),
            Enc::Large(l) => l.tree.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Allocations freeing it costs (Redis's lazyfreeGetFreeEffort): 1 for compact
    /// encodings, the element (or node) count for large ones.
    pub fn free_effort(&self) -> usize {
        match &self.enc {
            Enc::Compact(_) => 1,
            Enc::Large(l) => l.tree.len().max(1),
        }
    }
    /// Statistics of the member dict, for the skiplist encoding (DEBUG HTSTATS-KEY).
    pub fn dict_stats(&self) -> Option<crate::dict::DictStats> {
        match &self.enc {
            Enc::Compact(_) => None,
            Enc::Large(l) => Some(l.dict.stats()),
        }
    }
    pub fn encoding_name(&self) -> &'static str {
        match &self.enc {
            Enc::Compact(_) => "listpack",
            Enc::Large(_) => "skiplist",
        }
    }
    pub fn is_compact(&self) -> bool {
        matches!(self.enc, Enc::Compact(_))
    }
    pub fn heap_size(&self) -> usize {
        match &self.enc {
            Enc::Compact(c) => c.heap_size(),
            Enc::Large(l) => {
                l.dict.overhead_bytes() + l.dict.iter().map(|(k, _)| k.heap_size()).sum::<usize>() + l.tree.heap_size()
            }
        }
    }
    /// (member, score) in rank order.
    pub fn iter(&self) -> Box<dyn Iterator<Item = (Elem<'_>, f64)> + '_> {
        Box::new(self.range(0, false))
    }

    /// Pairs from 0-based `rank` on, towards the end (or towards rank 0 when `rev`).
    pub fn range(&self, rank: usize, rev: bool) -> RangeIter<'_> {
        match &self.enc {
            Enc::Compact(c) => {
                let len = c.len();
                let start = if rank < len { c.pos(rank) } else { None };
                match start {
                    None => RangeIter(RangeInner::Compact { it: c.lp.iter(), left: 0, rev }),
                    Some(p) if rev => {
                        let sp = c.lp.next(p).unwrap_or(p);
                        RangeIter(RangeInner::Compact { it: c.lp.iter_to(sp), left: rank + 1, rev })
                    }
                    Some(p) => RangeIter(RangeInner::Compact { it: c.lp.iter_from(p), left: len - rank, rev }),
                }
            }
            Enc::Large(l) => {
                RangeIter(RangeInner::Large(if rev { l.tree.rev_from(rank) } else { l.tree.iter_from(rank) }))
            }
        }
    }

    /// The pair at 0-based `rank`.
    pub fn get(&self, rank: usize) -> Option<(Elem<'_>, f64)> {
        match &self.enc {
            Enc::Compact(c) => c.elem(rank),
            Enc::Large(l) => l.tree.get(rank).map(|i| (Elem::Bytes(i.member.as_slice()), i.score)),
        }
    }

    pub fn score(&self, member: &[u8]) -> Option<f64> {
        match &self.enc {
            Enc::Compact(c) => c.find_score(member).map(|(_, s)| s),
            Enc::Large(l) => l.dict.get(member).copied(),
        }
    }

    /// 0-based rank of `member` in ascending order.
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        match &self.enc {
            Enc::Compact(c) => c.rank(member),
            Enc::Large(l) => {
                let s = *l.dict.get(member)?;
                l.tree.rank(s, member)
            }
        }
    }

    /// Switches to the large encoding (no-op when already there).
    pub fn convert_to_large(&mut self) {
        if let Enc::Compact(c) = &self.enc {
            let mut dict = Dict::new();
            dict.expand(c.len());
            let mut tree_items = Vec::with_capacity(c.len());
            for (m, s) in c.pairs() {
                let m = SBytes::new(&elem_bytes(m));
                dict.insert(m.clone(), s);
                tree_items.push(Item::new(s, m));
            }
            self.enc = Enc::Large(Large { dict, tree: OsTree::from_sorted(tree_items) });
        }
    }

    /// Adds or updates one member with ZADD's rules (zsetAdd), converting to the large encoding
    /// when a new member crosses the thresholds.
    pub fn add(&mut self, score: f64, member: &[u8], f: AddFlags, limits: &Limits) -> AddOutcome {
        if score.is_nan() {
            return AddOutcome::Nan;
        }
        let cur = self.score(member);
        if let Some(cur) = cur {
            if f.nx {
                return AddOutcome::Nop;
            }
            let mut score = score;
            if f.incr {
                score += cur;
                if score.is_nan() {
                    return AddOutcome::Nan;
                }
            }
            if (f.lt && score >= cur) || (f.gt && score <= cur) {
                return AddOutcome::Nop;
            }
            if score == cur {
                return AddOutcome::Same(score);
            }
            match &mut self.enc {
                Enc::Compact(c) => {
                    if let Some((p, _)) = c.find_score(member) {
                        c.remove_at(p);
                    }
                    c.insert(member, score);
                }
                Enc::Large(l) => {
                    l.tree.update_score(cur, member, score);
                    if let Some(v) = l.dict.get_mut(member) {
                        *v = score;
                    }
                }
            }
            return AddOutcome::Updated(score);
        }
        if f.xx {
            return AddOutcome::Nop;
        }
        if let Enc::Compact(c) = &self.enc {
            if c.len() + 1 > limits.zset_max_listpack_entries || member.len() > limits.zset_max_listpack_value {
                self.convert_to_large();
            }
        }
        match &mut self.enc {
            Enc::Compact(c) => c.insert(member, score),
            Enc::Large(l) => l.insert_new(member, score),
        }
        AddOutcome::Added(score)
    }

    /// Removes `member`; returns whether it was there.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match &mut self.enc {
            Enc::Compact(c) => match c.find_score(member) {
                Some((p, _)) => {
                    c.remove_at(p);
                    true
                }
                None => false,
            },
            Enc::Large(l) => {
                let found = l.remove(member).is_some();
                if found {
                    l.dict.shrink_if_sparse();
                }
                found
            }
        }
    }

    /// Removes `n` pairs from 0-based `start` on.
    pub fn remove_rank_range(&mut self, start: usize, n: usize) -> usize {
        let n = n.min(self.len().saturating_sub(start));
        if n == 0 {
            return 0;
        }
        match &mut self.enc {
            Enc::Compact(c) => c.remove_range(start, n),
            Enc::Large(l) => l.remove_range(start, n),
        }
        n
    }

    /// Removes and returns the first (`max` false) or last pair.
    pub fn pop(&mut self, max: bool) -> Option<(SBytes, f64)> {
        let len = self.len();
        if len == 0 {
            return None;
        }
        let rank = if max { len - 1 } else { 0 };
        match &mut self.enc {
            Enc::Compact(c) => {
                let out = c.elem(rank).map(|(m, s)| (SBytes::new(&elem_bytes(m)), s));
                c.remove_range(rank, 1);
                out
            }
            Enc::Large(l) => {
                let mut out = None;
                let dict = &mut l.dict;
                l.tree.remove_range(rank, 1, &mut |it| {
                    dict.remove(it.member.as_slice());
                    out = Some((it.member, it.score));
                });
                l.dict.shrink_if_sparse();
                out
            }
        }
    }

    // ---- score ranges ------------------------------------------------------------------

    /// Rank of the first pair whose score is in `r` (zslFirstInRange / zzlFirstInRange).
    pub fn first_in_score_range(&self, r: &ScoreRange) -> Option<usize> {
        if !self.may_hold_scores(r) {
            return None;
        }
        match &self.enc {
            Enc::Compact(c) => {
                let (i, s) = c.scores().enumerate().find(|&(_, s)| r.gte_min(s))?;
                r.lte_max(s).then_some(i)
            }
            Enc::Large(l) => {
                let i = l.tree.partition_point(|it| !r.gte_min(it.score));
                let it = l.tree.get(i)?;
                r.lte_max(it.score).then_some(i)
            }
        }
    }

    /// Rank of the last pair whose score is in `r`.
    pub fn last_in_score_range(&self, r: &ScoreRange) -> Option<usize> {
        if !self.may_hold_scores(r) {
            return None;
        }
        match &self.enc {
            Enc::Compact(c) => {
                let (back, s) = c.scores().rev().enumerate().find(|&(_, s)| r.lte_max(s))?;
                r.gte_min(s).then_some(c.len() - 1 - back)
            }
            Enc::Large(l) => {
                let n = l.tree.partition_point(|it| r.lte_max(it.score));
                let i = n.checked_sub(1)?;
                let it = l.tree.get(i)?;
                r.gte_min(it.score).then_some(i)
            }
        }
    }

    /// The quick rejection of zslIsInRange: an impossible range, or one entirely above the
    /// last score or below the first.
    fn may_hold_scores(&self, r: &ScoreRange) -> bool {
        if r.is_empty_spec() {
            return false;
        }
        let len = self.len();
        if len == 0 {
            return false;
        }
        let last = self.get(len - 1).map_or(f64::NAN, |(_, s)| s);
        let first = self.get(0).map_or(f64::NAN, |(_, s)| s);
        r.gte_min(last) && r.lte_max(first)
    }

    /// Number of pairs with a score in `r` (ZCOUNT).
    pub fn count_in_score_range(&self, r: &ScoreRange) -> usize {
        match (self.first_in_score_range(r), self.last_in_score_range(r)) {
            (Some(a), Some(b)) if b >= a => b - a + 1,
            _ => 0,
        }
    }

    /// Removes the pairs with a score in `r` (ZREMRANGEBYSCORE); returns how many.
    pub fn remove_score_range(&mut self, r: &ScoreRange) -> usize {
        let Some(first) = self.first_in_score_range(r) else { return 0 };
        let n = self.range(first, false).take_while(|(_, s)| r.lte_max(*s)).count();
        self.remove_rank_range(first, n)
    }

    // ---- lexicographic ranges -----------------------------------------------------------

    fn member_at(&self, i: usize) -> Cow<'_, [u8]> {
        match self.get(i) {
            Some((e, _)) => e.to_bytes(),
            None => Cow::Borrowed(&[]),
        }
    }

    /// zslIsInLexRange / zzlIsInLexRange.
    fn may_hold_lex(&self, r: &LexRange) -> bool {
        if r.is_empty_spec() {
            return false;
        }
        let len = self.len();
        len > 0 && r.gte_min(&self.member_at(len - 1)) && r.lte_max(&self.member_at(0))
    }

    /// Rank of the first member in `r`.
    pub fn first_in_lex_range(&self, r: &LexRange) -> Option<usize> {
        if !self.may_hold_lex(r) {
            return None;
        }
        match &self.enc {
            Enc::Compact(c) => {
                let (i, m) = c.lp.iter().step_by(2).enumerate().find(|(_, m)| r.gte_min(&elem_bytes(*m)))?;
                r.lte_max(&elem_bytes(m)).then_some(i)
            }
            Enc::Large(l) => {
                let i = l.tree.partition_point(|it| !r.gte_min(it.member.as_slice()));
                let it = l.tree.get(i)?;
                r.lte_max(it.member.as_slice()).then_some(i)
            }
        }
    }

    /// Rank of the last member in `r`.
    pub fn last_in_lex_range(&self, r: &LexRange) -> Option<usize> {
        if !self.may_hold_lex(r) {
            return None;
        }
        match &self.enc {
            Enc::Compact(c) => {
                let (back, m) =
                    c.pairs().rev().map(|(m, _)| m).enumerate().find(|(_, m)| r.lte_max(&elem_bytes(*m)))?;
                r.gte_min(&elem_bytes(m)).then_some(c.len() - 1 - back)
            }
            Enc::Large(l) => {
                let n = l.tree.partition_point(|it| r.lte_max(it.member.as_slice()));
                let i = n.checked_sub(1)?;
                let it = l.tree.get(i)?;
                r.gte_min(it.member.as_slice()).then_some(i)
            }
        }
    }

    /// Number of members in `r` (ZLEXCOUNT).
    pub fn count_in_lex_range(&self, r: &LexRange) -> usize {
        let Some(first) = self.first_in_lex_range(r) else { return 0 };
        match &self.enc {
            // Redis walks the compact encoding from the first member while in range
            Enc::Compact(_) => self.range(first, false).take_while(|(m, _)| r.lte_max(&m.to_bytes())).count(),
            Enc::Large(_) => match self.last_in_lex_range(r) {
                Some(last) if last >= first => last - first + 1,
                _ => 0,
            },
        }
    }

    /// Removes the members in `r` (ZREMRANGEBYLEX); returns how many.
    pub fn remove_lex_range(&mut self, r: &LexRange) -> usize {
        let Some(first) = self.first_in_lex_range(r) else { return 0 };
        let n = self.range(first, false).take_while(|(m, _)| r.lte_max(&m.to_bytes())).count();
        self.remove_rank_range(first, n)
    }

    // ---- random, scan, misc --------------------------------------------------------------

    /// A uniformly random pair (the set must not be empty).
    pub fn random(&self, rng: &mut Rng) -> Option<(Elem<'_>, f64)> {
        let len = self.len();
        if len == 0 {
            return None;
        }
        self.get(rng.below(len as u64) as usize)
    }

    /// One ZSCAN step. The large encoding scans its member dict with `cursor`; the compact
    /// encoding hands over everything at once and returns cursor 0. `f` gets each member and
    /// its score as ZSCAN prints it (the compact encoding's stored text, `%.17g` otherwise).
    pub fn scan(&self, cursor: u64, count: usize, mut f: impl FnMut(&[u8], &[u8])) -> u64 {
        match &self.enc {
            Enc::Compact(c) => {
                for (m, s) in c.lp.pairs() {
                    f(&elem_bytes(m), &elem_bytes(s));
                }
                0
            }
            Enc::Large(l) => {
                // like Redis: visit buckets until `count` pairs were collected, at most
                // 10 * count buckets
                let mut cursor = cursor;
                let mut budget = count.saturating_mul(10);
                let mut got = 0usize;
                loop {
                    cursor = l.dict.scan(cursor, |k, v| {
                        f(k.as_slice(), &score_text(*v));
                        got += 1;
                    });
                    if cursor == 0 || budget == 0 || got >= count {
                        break;
                    }
                    budget -= 1;
                }
                cursor
            }
        }
    }

    /// Length of the longest member (for conversions of rebuilt sets).
    pub fn max_member_len(&self) -> usize {
        match &self.enc {
            Enc::Compact(c) => c.max_member_len(),
            Enc::Large(l) => l.dict.iter().map(|(k, _)| k.len()).max().unwrap_or(0),
        }
    }

    /// Checks internal invariants (tests).
    #[doc(hidden)]
    pub fn check(&self) -> Result<(), String> {
        match &self.enc {
            Enc::Compact(c) => {
                let v: Vec<(Vec<u8>, f64)> = c.pairs().map(|(m, s)| (elem_bytes(m).into_owned(), s)).collect();
                for w in v.windows(2) {
                    if cmp_items(w[0].1, &w[0].0, w[1].1, &w[1].0) != Ordering::Less {
                        return Err("compact encoding out of order".into());
                    }
                }
                if c.lp.len() % 2 != 0 {
                    return Err("odd listpack".into());
                }
                Ok(())
            }
            Enc::Large(l) => {
                l.tree.check()?;
                if l.dict.len() != l.tree.len() {
                    return Err("dict and tree sizes differ".into());
                }
                for it in l.tree.iter_from(0) {
                    if l.dict.get(it.member.as_slice()) != Some(&it.score) {
                        return Err("dict and tree disagree".into());
                    }
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lim(entries: usize, value: usize) -> Limits {
        Limits { zset_max_listpack_entries: entries, zset_max_listpack_value: value, ..Limits::default() }
    }

    #[test]
    fn conversion_on_entries_and_value() {
        let l = lim(4, 8);
        let mut z = ZSet::for_first_member(1, &l);
        for i in 0..4 {
            assert_eq!(
                z.add(i as f64, format!("m{}", i).as_bytes(), AddFlags::default(), &l),
                AddOutcome::Added(i as f64)
            );
        }
        assert_eq!(z.encoding_name(), "listpack");
        z.add(9.0, b"m9", AddFlags::default(), &l);
        assert_eq!(z.encoding_name(), "skiplist");
        z.check().unwrap();
        let mut z = ZSet::for_first_member(1, &l);
        z.add(1.0, b"123456789", AddFlags::default(), &l);
        assert_eq!(z.encoding_name(), "skiplist");
        assert_eq!(ZSet::for_first_member(9, &l).encoding_name(), "skiplist");
        assert_eq!(ZSet::for_first_member(8, &l).encoding_name(), "listpack");
        assert_eq!(ZSet::for_first_member(1, &lim(0, 8)).encoding_name(), "skiplist");
    }

    #[test]
    fn score_text_is_printf_g17() {
        let cases: &[(f64, &str)] = &[
            (0.1, "0.10000000000000001"),
            (1.5, "1.5"),
            (1e17, "1e+17"),
            (1.2345678901234568e17, "1.2345678901234568e+17"),
            (1e-5, "1.0000000000000001e-05"),
            (0.0001, "0.0001"),
            (3.25, "3.25"),
            (-2.5e-10, "-2.5000000000000002e-10"),
            (1.0 / 3.0, "0.33333333333333331"),
            (4.611686018427388e18, "4.6116860184273879e+18"),
            (1e300, "1.0000000000000001e+300"),
            (5e-324, "4.9406564584124654e-324"),
            (-1.7976931348623157e308, "-1.7976931348623157e+308"),
            (0.00012345678901234567, "0.00012345678901234567"),
            (1e16, "10000000000000000"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (-0.0, "-0"),
        ];
        for (v, want) in cases {
            assert_eq!(String::from_utf8(score_text(*v)).unwrap(), *want, "{:e}", v);
            assert_eq!(parse_score_text(want.as_bytes()).to_bits(), v.to_bits());
        }
    }

    #[test]
    fn compact_round_trips_scores() {
        let l = Limits::default();
        let mut z = ZSet::new();
        let vals = [0.1, -3.0, 1e300, f64::INFINITY, f64::NEG_INFINITY, 4611686018427387904.0, 2.5];
        for (i, v) in vals.iter().enumerate() {
            z.add(*v, format!("m{}", i).as_bytes(), AddFlags::default(), &l);
        }
        for (i, v) in vals.iter().enumerate() {
            assert_eq!(z.score(format!("m{}", i).as_bytes()), Some(*v));
        }
        z.check().unwrap();
        let fw: Vec<f64> = z.range(0, false).map(|(_, s)| s).collect();
        let mut sorted = vals.to_vec();
        sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
        assert_eq!(fw, sorted);
        let bw: Vec<f64> = z.range(vals.len() - 1, true).map(|(_, s)| s).collect();
        sorted.reverse();
        assert_eq!(bw, sorted);
        assert_eq!(z.range(2, true).count(), 3);
        assert_eq!(z.range(2, false).count(), vals.len() - 2);
        assert_eq!(z.rank(b"m3"), Some(vals.len() - 1));
        assert_eq!(z.rank(b"m4"), Some(0));
        // integers as members come back as the same bytes
        z.add(1.0, b"12345", AddFlags::default(), &l);
        assert_eq!(z.score(b"12345"), Some(1.0));
        assert!(z.iter().any(|(m, _)| m.to_bytes().as_ref() == b"12345"));
    }

    #[test]
    fn compact_keeps_negative_zero_as_zero() {
        let l = Limits::default();
        let mut z = ZSet::new();
        z.add(-0.0, b"a", AddFlags::default(), &l);
        assert!(z.score(b"a").unwrap().is_sign_positive());
        let mut z = ZSet::new_large();
        z.add(-0.0, b"a", AddFlags::default(), &l);
        assert!(z.score(b"a").unwrap().is_sign_negative());
    }

    #[test]
    fn add_flags() {
        let l = Limits::default();
        for large in [false, true] {
            let mut z = if large { ZSet::new_large() } else { ZSet::new() };
            let nx = AddFlags { nx: true, ..Default::default() };
            let xx = AddFlags { xx: true, ..Default::default() };
            let gt = AddFlags { gt: true, ..Default::default() };
            let lt = AddFlags { lt: true, ..Default::default() };
            let incr = AddFlags { incr: true, ..Default::default() };
            assert_eq!(z.add(1.0, b"a", xx, &l), AddOutcome::Nop);
            assert_eq!(z.add(1.0, b"a", nx, &l), AddOutcome::Added(1.0));
            assert_eq!(z.add(5.0, b"a", nx, &l), AddOutcome::Nop);
            assert_eq!(z.add(0.0, b"a", gt, &l), AddOutcome::Nop);
            assert_eq!(z.add(2.0, b"a", gt, &l), AddOutcome::Updated(2.0));
            assert_eq!(z.add(3.0, b"a", lt, &l), AddOutcome::Nop);
            assert_eq!(z.add(2.0, b"a", AddFlags::default(), &l), AddOutcome::Same(2.0));
            assert_eq!(z.add(f64::INFINITY, b"a", incr, &l), AddOutcome::Updated(f64::INFINITY));
            assert_eq!(z.add(f64::NEG_INFINITY, b"a", incr, &l), AddOutcome::Nan);
            assert_eq!(z.score(b"a"), Some(f64::INFINITY));
            z.check().unwrap();
        }
    }

    #[test]
    fn ranges() {
        let l = Limits::default();
        for large in [false, true] {
            let mut z = if large { ZSet::new_large() } else { ZSet::new() };
            for (i, m) in ["a", "b", "c", "d", "e"].iter().enumerate() {
                z.add(i as f64, m.as_bytes(), AddFlags::default(), &l);
            }
            let r = ScoreRange { min: 1.0, max: 3.0, minex: true, maxex: false };
            assert_eq!(z.first_in_score_range(&r), Some(2));
            assert_eq!(z.last_in_score_range(&r), Some(3));
            assert_eq!(z.count_in_score_range(&r), 2);
            let lr = LexRange { min: LexBound::Excl(b"a".to_vec()), max: LexBound::Incl(b"c".to_vec()) };
            assert_eq!(z.first_in_lex_range(&lr), Some(1));
            assert_eq!(z.count_in_lex_range(&lr), 2);
            let all = LexRange { min: LexBound::NegInf, max: LexBound::PosInf };
            assert_eq!(z.count_in_lex_range(&all), 5);
            assert_eq!(z.remove_score_range(&r), 2);
            assert_eq!(z.len(), 3);
            assert_eq!(z.remove_lex_range(&all), 3);
            assert!(z.is_empty());
        }
    }
}
