//! The list type: Redis 7.0's quicklist, a sequence of nodes that each hold either a listpack of
//! several elements ("packed") or one element too large for a listpack ("plain"). Nodes fill up
//! to `list-max-listpack-size` (positive: entries per node, at most 8 KiB of listpack; negative:
//! -1..-5 = 4, 8, 16, 32, 64 KiB per node), and every operation splits and merges nodes with the
//! same rules as Redis's quicklist.c, so a list's nodes — hence its RDB and DUMP bytes — are the
//! ones Redis would have. OBJECT ENCODING is always "quicklist" (Redis 7.0 has no listpack
//! encoding for lists; that arrived in 7.2).
//!
//! Not implemented: LZF compression of inner nodes (`list-compress-depth`). The depth is kept
//! per list (as Redis keeps it, for RDB and COPY) but nodes stay uncompressed; this costs memory
//! only when a user asks for compression, and changes no reply.
//!
//! This module knows nothing about keys, commands or replies: the list operations of the
//! commands live in `ops::lists`.

use super::{Elem, Limits};
use crate::listpack::{elem_eq, Listpack};
use crate::sbytes::alloc_size_class;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Node byte limits for fill -1..-5.
const SIZE_LEVELS: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// With a count limit (positive fill), a node's listpack still stays within 8 KiB.
const SIZE_SAFETY_LIMIT: usize = 8192;
/// Bytes added to an element's length to estimate what it costs in a listpack.
const SIZE_ESTIMATE_OVERHEAD: usize = 8;
/// Largest fill (entries per node) a list accepts; larger settings are clamped.
pub const FILL_MAX: i64 = (1 << 15) - 1;
/// Smallest fill (-5 = 64 KiB nodes).
pub const FILL_MIN: i64 = -5;
/// Largest compress depth kept.
pub const COMPRESS_MAX: i64 = (1 << 16) - 1;
/// Default size from which an element gets a plain node of its own.
pub const DEFAULT_PACKED_THRESHOLD: usize = 1 << 30;

static PACKED_THRESHOLD: AtomicUsize = AtomicUsize::new(DEFAULT_PACKED_THRESHOLD);

/// Sets the size from which elements live in plain nodes (DEBUG QUICKLIST-PACKED-THRESHOLD).
/// 0 restores the default (1 GiB); sizes above 4 GiB - 1 MiB are refused (false), as in Redis.
pub fn set_packed_threshold(sz: u64) -> bool {
    if sz > (1u64 << 32) - (1 << 20) {
        return false;
    }
    let v = if sz == 0 { DEFAULT_PACKED_THRESHOLD } else { sz as usize };
    PACKED_THRESHOLD.store(v, Ordering::Relaxed);
    true
}

/// The size from which elements live in plain nodes.
pub fn packed_threshold() -> usize {
    PACKED_THRESHOLD.load(Ordering::Relaxed)
}

fn is_large(sz: usize) -> bool {
    sz >= packed_threshold()
}

/// One quicklist node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// A listpack of one or more elements.
    Packed(Listpack),
    /// A single element stored as raw bytes.
    Plain(Box<[u8]>),
}

impl Node {
    /// Number of elements.
    pub fn count(&self) -> usize {
        match self {
            Node::Packed(lp) => lp.len(),
            Node::Plain(_) => 1,
        }
    }
    /// Bytes of the node's data (listpack size, or the plain element's length).
    pub fn size(&self) -> usize {
        match self {
            Node::Packed(lp) => lp.total_bytes(),
            Node::Plain(b) => b.len(),
        }
    }
    pub fn is_plain(&self) -> bool {
        matches!(self, Node::Plain(_))
    }
    fn heap_size(&self) -> usize {
        match self {
            Node::Packed(lp) => lp.heap_size(),
            Node::Plain(b) => alloc_size_class(b.len()),
        }
    }
    fn iter(&self) -> NodeIter<'_> {
        match self {
            Node::Packed(lp) => NodeIter::Packed(lp.iter()),
            Node::Plain(b) => NodeIter::Plain(Some(b)),
        }
    }
    /// Elements from offset `off` to the end of the node.
    fn iter_from(&self, off: usize) -> NodeIter<'_> {
        match self {
            Node::Packed(lp) => match lp.seek(off as i64) {
                Some(p) => NodeIter::Packed(lp.iter_from(p)),
                None => NodeIter::Plain(None),
            },
            Node::Plain(b) => NodeIter::Plain(if off == 0 { Some(b) } else { None }),
        }
    }
    /// Elements from the start of the node to offset `off` (included).
    fn iter_to(&self, off: usize) -> NodeIter<'_> {
        match self {
            Node::Packed(lp) => match lp.seek(off as i64) {
                Some(p) => NodeIter::Packed(lp.iter_to(p)),
                None => NodeIter::Plain(None),
            },
            Node::Plain(b) => NodeIter::Plain(if off == 0 { Some(b) } else { None }),
        }
    }
    fn single(v: &[u8]) -> Node {
        let mut lp = Listpack::new();
        match lp.push_back(v) {
            Ok(()) => Node::Packed(lp),
            Err(_) => Node::Plain(Box::from(v)),
        }
    }
}

/// Elements of one node.
#[derive(Clone)]
enum NodeIter<'a> {
    Packed(crate::listpack::Iter<'a>),
    Plain(Option<&'a [u8]>),
}

impl<'a> Iterator for NodeIter<'a> {
    type Item = Elem<'a>;
    fn next(&mut self) -> Option<Elem<'a>> {
        match self {
            NodeIter::Packed(it) => it.next(),
            NodeIter::Plain(b) => b.take().map(Elem::Bytes),
        }
    }
}

impl DoubleEndedIterator for NodeIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match self {
            NodeIter::Packed(it) => it.next_back(),
            NodeIter::Plain(b) => b.take().map(Elem::Bytes),
        }
    }
}

/// Elements of a list, front to back; `.rev()` goes back to front.
#[derive(Clone)]
pub struct Iter<'a> {
    nodes: std::collections::vec_deque::Iter<'a, Node>,
    front: Option<NodeIter<'a>>,
    back: Option<NodeIter<'a>>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = Elem<'a>;
    fn next(&mut self) -> Option<Elem<'a>> {
        loop {
            if let Some(it) = &mut self.front {
                if let Some(e) = it.next() {
                    return Some(e);
                }
                self.front = None;
            }
            match self.nodes.next() {
                Some(n) => self.front = Some(n.iter()),
                None => return self.back.as_mut()?.next(),
            }
        }
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(it) = &mut self.back {
                if let Some(e) = it.next_back() {
                    return Some(e);
                }
                self.back = None;
            }
            match self.nodes.next_back() {
                Some(n) => self.back = Some(n.iter()),
                None => return self.front.as_mut()?.next_back(),
            }
        }
    }
}

/// Which end of a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The head (LEFT, LPUSH, LPOP).
    Head,
    /// The tail (RIGHT, RPUSH, RPOP).
    Tail,
}

/// See the module documentation.
#[derive(Clone, Debug)]
pub struct List {
    nodes: VecDeque<Node>,
    count: usize,
    fill: i16,
    compress: u16,
}

impl Default for List {
    fn default() -> Self {
        List::new()
    }
}

fn allow_insert(node: Option<&Node>, fill: i16, sz: usize) -> bool {
    let Some(Node::Packed(lp)) = node else { return false };
    if is_large(sz) {
        return false;
    }
    let new_sz = lp.total_bytes() + sz + SIZE_ESTIMATE_OVERHEAD;
    if fill < 0 {
        let level = SIZE_LEVELS[((-fill) as usize - 1).min(SIZE_LEVELS.len() - 1)];
        return new_sz <= level;
    }
    new_sz <= SIZE_SAFETY_LIMIT && lp.len() < fill as usize
}

fn allow_merge(a: Option<&Node>, b: Option<&Node>, fill: i16) -> bool {
    let (Some(Node::Packed(a)), Some(Node::Packed(b))) = (a, b) else { return false };
    // the merged listpack loses one header and terminator
    let merged = (a.total_bytes() + b.total_bytes()).saturating_sub(11);
    if fill < 0 {
        let level = SIZE_LEVELS[((-fill) as usize - 1).min(SIZE_LEVELS.len() - 1)];
        return merged <= level;
    }
    merged <= SIZE_SAFETY_LIMIT && a.len() + b.len() <= fill as usize
}

impl List {
    /// An empty list with Redis's default options (fill -2, no compression).
    pub fn new() -> List {
        List { nodes: VecDeque::new(), count: 0, fill: -2, compress: 0 }
    }

    /// An empty list with the options of the current config, as a new list key gets them.
    pub fn with_limits(limits: &Limits) -> List {
        List::with_options(limits.list_max_listpack_size, limits.list_compress_depth)
    }

    /// An empty list with a fill factor and compress depth (clamped as Redis clamps them).
    pub fn with_options(fill: i64, compress: i64) -> List {
        List {
            nodes: VecDeque::new(),
            count: 0,
            fill: fill.clamp(FILL_MIN, FILL_MAX) as i16,
            compress: compress.clamp(0, COMPRESS_MAX) as u16,
        }
    }

    /// A list holding `elems` (tests, tooling), with default options.
    pub fn from_elems<'a>(elems: impl IntoIterator<Item = &'a [u8]>) -> List {
        let mut l = List::new();
        for e in elems {
            l.push(e, End::Tail);
        }
        l
    }

    pub fn len(&self) -> usize {
        self.count
    }
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
    /// The fill factor this list was created with (list-max-listpack-size).
    pub fn fill(&self) -> i64 {
        self.fill as i64
    }
    /// The compress depth this list was created with (list-compress-depth; not applied).
    pub fn compress_depth(&self) -> i64 {
        self.compress as i64
    }
    /// Number of quicklist nodes.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }
    /// The nodes, head to tail (for RDB and DUMP).
    pub fn nodes(&self) -> impl DoubleEndedIterator<Item = &Node> + ExactSizeIterator + '_ {
        self.nodes.iter()
    }
    /// Appends a ready-made node at the tail, without merging (RDB loading). Empty listpacks
    /// are dropped.
    pub fn append_node(&mut self, node: Node) {
        let n = node.count();
        if n == 0 {
            return;
        }
        self.count += n;
        self.nodes.push_back(node);
    }
    /// Allocations freeing it costs (Redis's lazyfreeGetFreeEffort): the number of nodes.
    pub fn free_effort(&self) -> usize {
        self.nodes.len().max(1)
    }
    pub fn encoding_name(&self) -> &'static str {
        "quicklist"
    }
    pub fn heap_size(&self) -> usize {
        alloc_size_class(self.nodes.capacity() * std::mem::size_of::<Node>())
            + self.nodes.iter().map(Node::heap_size).sum::<usize>()
    }

    /// Elements from head to tail.
    pub fn iter(&self) -> Iter<'_> {
        Iter { nodes: self.nodes.iter(), front: None, back: None }
    }

    /// Elements from `index` (0-based from the head) to the tail.
    pub fn iter_from(&self, index: usize) -> Iter<'_> {
        match self.locate(index) {
            Some((ni, off)) => {
                Iter { nodes: self.nodes.range(ni + 1..), front: Some(self.nodes[ni].iter_from(off)), back: None }
            }
            None => Iter { nodes: self.nodes.range(0..0), front: None, back: None },
        }
    }

    /// Elements from `index` back to the head.
    pub fn iter_rev_from(&self, index: usize) -> std::iter::Rev<Iter<'_>> {
        match self.locate(index) {
            Some((ni, off)) => {
                Iter { nodes: self.nodes.range(..ni), front: None, back: Some(self.nodes[ni].iter_to(off)) }.rev()
            }
            None => Iter { nodes: self.nodes.range(0..0), front: None, back: None }.rev(),
        }
    }

    /// The node holding element `index` and the element's offset in it. Seeks from the nearer
    /// end.
    fn locate(&self, index: usize) -> Option<(usize, usize)> {
        if index >= self.count {
            return None;
        }
        if index <= (self.count - 1) / 2 {
            let mut acc = 0;
            for (ni, n) in self.nodes.iter().enumerate() {
                let c = n.count();
                if acc + c > index {
                    return Some((ni, index - acc));
                }
                acc += c;
            }
            None
        } else {
            let back = self.count - 1 - index;
            let mut acc = 0;
            for (ni, n) in self.nodes.iter().enumerate().rev() {
                let c = n.count();
                if acc + c > back {
                    return Some((ni, c - 1 - (back - acc)));
                }
                acc += c;
            }
            None
        }
    }

    /// A Redis index (negative from the tail) as an offset from the head, if in range.
    pub fn normalize_index(&self, index: i64) -> Option<usize> {
        let n = self.count as i64;
        let i = if index < 0 { index.checked_add(n)? } else { index };
        if (0..n).contains(&i) {
            Some(i as usize)
        } else {
            None
        }
    }

    /// The element at `index` (negative counts from the tail).
    pub fn get(&self, index: i64) -> Option<Elem<'_>> {
        let (ni, off) = self.locate(self.normalize_index(index)?)?;
        match &self.nodes[ni] {
            Node::Packed(lp) => lp.seek(off as i64).map(|p| lp.get(p)),
            Node::Plain(b) => Some(Elem::Bytes(b)),
        }
    }

    /// Adds an element at one end.
    pub fn push(&mut self, v: &[u8], end: End) {
        self.count += 1;
        if is_large(v.len()) {
            let node = Node::Plain(Box::from(v));
            match end {
                End::Head => self.nodes.push_front(node),
                End::Tail => self.nodes.push_back(node),
            }
            return;
        }
        let fill = self.fill;
        let fits = match end {
            End::Head => allow_insert(self.nodes.front(), fill, v.len()),
            End::Tail => allow_insert(self.nodes.back(), fill, v.len()),
        };
        let slot = match end {
            End::Head => self.nodes.front_mut(),
            End::Tail => self.nodes.back_mut(),
        };
        if fits {
            if let Some(Node::Packed(lp)) = slot {
                let r = match end {
                    End::Head => lp.push_front(v),
                    End::Tail => lp.push_back(v),
                };
                if r.is_ok() {
                    return;
                }
            }
        }
        let node = Node::single(v);
        match end {
            End::Head => self.nodes.push_front(node),
            End::Tail => self.nodes.push_back(node),
        }
    }

    /// Removes the element at one end, giving it to `f`.
    pub fn pop_with<R>(&mut self, end: End, f: impl FnOnce(Elem<'_>) -> R) -> Option<R> {
        let ni = match end {
            End::Head => 0,
            End::Tail => self.nodes.len().checked_sub(1)?,
        };
        let r;
        let empty = match &mut self.nodes[ni] {
            Node::Plain(b) => {
                r = f(Elem::Bytes(b));
                true
            }
            Node::Packed(lp) => {
                let p = match end {
                    End::Head => lp.first(),
                    End::Tail => lp.last(),
                }?;
                r = f(lp.get(p));
                lp.delete(p);
                lp.is_empty()
            }
        };
        if empty {
            self.nodes.remove(ni);
        }
        self.count -= 1;
        Some(r)
    }

    /// Removes the element at one end and returns its bytes.
    pub fn pop(&mut self, end: End) -> Option<Vec<u8>> {
        self.pop_with(end, |e| e.to_bytes().into_owned())
    }

    /// Deletes `count` elements from `start` (negative from the tail), as quicklistDelRange:
    /// the range is cut at the end of the list. Returns whether anything was deleted.
    pub fn delete_range(&mut self, start: i64, count: usize) -> bool {
        if count == 0 {
            return false;
        }
        let Some(first) = self.normalize_index(start) else { return false };
        let mut extent = count.min(self.count - first);
        let Some((mut ni, mut off)) = self.locate(first) else { return false };
        while extent > 0 && ni < self.nodes.len() {
            let c = self.nodes[ni].count();
            if (off == 0 && extent >= c) || self.nodes[ni].is_plain() {
                self.nodes.remove(ni);
                self.count -= c;
                extent -= c.min(extent);
            } else {
                let del = extent.min(c - off);
                if let Node::Packed(lp) = &mut self.nodes[ni] {
                    lp.delete_range(off as i64, del);
                }
                self.count -= del;
                extent -= del;
                if self.nodes[ni].count() == 0 {
                    self.nodes.remove(ni);
                } else {
                    ni += 1;
                }
            }
            off = 0;
        }
        true
    }

    /// Keeps only the elements in `start..=end` of a trimmed range: removes `ltrim` from the
    /// head and `rtrim` from the tail (LTRIM).
    pub fn trim(&mut self, ltrim: usize, rtrim: usize) {
        self.delete_range(0, ltrim);
        if rtrim > 0 {
            self.delete_range(-(rtrim as i64), rtrim);
        }
    }

    /// Replaces the element at `index` (negative from the tail). False when out of range.
    pub fn set(&mut self, index: i64, v: &[u8]) -> bool {
        let Some((ni, off)) = self.normalize_index(index).and_then(|i| self.locate(i)) else { return false };
        let large = is_large(v.len());
        match &mut self.nodes[ni] {
            Node::Packed(lp) if !large => {
                if let Some(p) = lp.seek(off as i64) {
                    if lp.replace(p, v).is_ok() {
                        return true;
                    }
                }
                // too big for the listpack: fall through to the plain-node path
                self.set_large(ni, off, v);
            }
            Node::Plain(b) if large => *b = Box::from(v),
            Node::Plain(_) => {
                // insert after the plain node, then drop it
                self.insert_at(ni, 0, v, true);
                self.nodes.remove(ni);
                self.count -= 1;
            }
            Node::Packed(_) => self.set_large(ni, off, v),
        }
        true
    }

    /// LSET of an element that needs a plain node into a packed node.
    fn set_large(&mut self, ni: usize, off: usize, v: &[u8]) {
        self.insert_plain_at(ni, off, v, true);
        if self.nodes[ni].count() == 1 {
            self.nodes.remove(ni);
        } else if let Node::Packed(lp) = &mut self.nodes[ni] {
            if let Some(p) = lp.last() {
                lp.delete(p);
            }
        }
        self.count -= 1;
    }

    /// Position of the first element equal to `pivot`: (node, offset).
    fn find(&self, pivot: &[u8]) -> Option<(usize, usize)> {
        for (ni, n) in self.nodes.iter().enumerate() {
            match n {
                Node::Plain(b) => {
                    if &b[..] == pivot {
                        return Some((ni, 0));
                    }
                }
                Node::Packed(lp) => {
                    if let Some(off) = lp.iter().position(|e| elem_eq(e, pivot)) {
                        return Some((ni, off));
                    }
                }
            }
        }
        None
    }

    /// LINSERT: inserts `v` before or after the first element equal to `pivot`. False when
    /// there is no such element.
    pub fn insert(&mut self, pivot: &[u8], v: &[u8], after: bool) -> bool {
        match self.find(pivot) {
            Some((ni, off)) => {
                self.insert_at(ni, off, v, after);
                true
            }
            None => false,
        }
    }

    /// Splits node `ni` around `off`. With `after`, the node keeps `[0, off]` and the returned
    /// listpack has the rest; otherwise the returned listpack has `[0, off)` and the node keeps
    /// the rest.
    fn split(&mut self, ni: usize, off: usize, after: bool) -> Listpack {
        let Node::Packed(lp) = &mut self.nodes[ni] else { return Listpack::new() };
        if after {
            lp.split_off(off + 1)
        } else {
            let rest = lp.split_off(off);
            std::mem::replace(lp, rest)
        }
    }

    /// Inserts a plain node for `v` next to element `off` of node `ni`, splitting the node when
    /// the element is not at its edge.
    fn insert_plain_at(&mut self, ni: usize, off: usize, v: &[u8], after: bool) {
        let node = &self.nodes[ni];
        let c = node.count();
        let at_edge = if after { off + 1 == c } else { off == 0 };
        let plain = Node::Plain(Box::from(v));
        self.count += 1;
        if node.is_plain() || at_edge {
            self.nodes.insert(if after { ni + 1 } else { ni }, plain);
            return;
        }
        let part = Node::Packed(self.split(ni, off, after));
        if after {
            self.nodes.insert(ni + 1, plain);
            self.nodes.insert(ni + 2, part);
        } else {
            self.nodes.insert(ni, plain);
            self.nodes.insert(ni, part);
        }
    }

    /// Inserts `v` before or after element `off` of node `ni` (quicklist's _quicklistInsert).
    fn insert_at(&mut self, ni: usize, off: usize, v: &[u8], after: bool) {
        let sz = v.len();
        if is_large(sz) {
            self.insert_plain_at(ni, off, v, after);
            return;
        }
        let fill = self.fill;
        let c = self.nodes[ni].count();
        let full = !allow_insert(self.nodes.get(ni), fill, sz);
        let at_tail = after && off + 1 == c;
        let at_head = !after && off == 0;
        let avail_next = at_tail && allow_insert(self.nodes.get(ni + 1), fill, sz);
        let avail_prev = at_head && ni > 0 && allow_insert(self.nodes.get(ni - 1), fill, sz);
        self.count += 1;
        if !full {
            if let Node::Packed(lp) = &mut self.nodes[ni] {
                if let Some(p) = lp.seek(off as i64) {
                    let r = if after { lp.insert_after(p, v) } else { lp.insert_before(p, v) };
                    if r.is_ok() {
                        return;
                    }
                }
            }
            // could not grow the listpack: give the element a node of its own
            self.count -= 1;
            self.insert_plain_at(ni, off, v, after);
        } else if avail_next || avail_prev {
            let target = if avail_next { ni + 1 } else { ni - 1 };
            if let Node::Packed(lp) = &mut self.nodes[target] {
                let r = if avail_next { lp.push_front(v) } else { lp.push_back(v) };
                if r.is_ok() {
                    return;
                }
            }
            self.nodes.insert(if after { ni + 1 } else { ni }, Node::single(v));
        } else if at_tail || at_head {
            self.nodes.insert(if after { ni + 1 } else { ni }, Node::single(v));
        } else {
            let mut part = self.split(ni, off, after);
            let pushed = if after { part.push_front(v) } else { part.push_back(v) }.is_ok();
            self.nodes.insert(if after { ni + 1 } else { ni }, Node::Packed(part));
            let mut center = if after { ni } else { ni + 1 };
            if !pushed {
                // cannot happen below the packed threshold; keep the element in a node of its own
                self.nodes.insert(ni + 1, Node::Plain(Box::from(v)));
                if !after {
                    center += 1;
                }
            }
            self.merge_around(center);
        }
    }

    /// Merges node `a` with the node after it; returns the merged node's index.
    fn merge_pair(&mut self, a: usize) -> usize {
        let Some(Node::Packed(b)) = self.nodes.remove(a + 1) else { return a };
        if let Node::Packed(lp) = &mut self.nodes[a] {
            if lp.append(&b).is_ok() {
                return a;
            }
        }
        self.nodes.insert(a + 1, Node::Packed(b));
        a
    }

    /// Tries to merge the nodes around `center` (quicklist's _quicklistMergeNodes).
    fn merge_around(&mut self, mut center: usize) {
        let fill = self.fill;
        if center >= 2 && allow_merge(self.nodes.get(center - 1), self.nodes.get(center - 2), fill) {
            self.merge_pair(center - 2);
            center -= 1;
        }
        if allow_merge(self.nodes.get(center + 1), self.nodes.get(center + 2), fill) {
            self.merge_pair(center + 1);
        }
        let target = if center >= 1 && allow_merge(self.nodes.get(center), self.nodes.get(center - 1), fill) {
            self.merge_pair(center - 1)
        } else {
            center
        };
        if allow_merge(self.nodes.get(target), self.nodes.get(target + 1), fill) {
            self.merge_pair(target);
        }
    }

    /// LREM: removes up to `limit` elements equal to `v` (0 = all), scanning from the head or,
    /// with `from_tail`, from the tail. Returns how many were removed.
    pub fn remove(&mut self, v: &[u8], limit: usize, from_tail: bool) -> usize {
        let mut removed = 0;
        let done = |removed: usize| limit != 0 && removed >= limit;
        if !from_tail {
            let mut ni = 0;
            while ni < self.nodes.len() && !done(removed) {
                let gone = match &mut self.nodes[ni] {
                    Node::Plain(b) => {
                        if &b[..] == v {
                            removed += 1;
                            true
                        } else {
                            false
                        }
                    }
                    Node::Packed(lp) => {
                        let mut p = lp.first();
                        while let Some(q) = p {
                            if done(removed) {
                                break;
                            }
                            if lp.eq_at(q, v) {
                                p = lp.delete(q);
                                removed += 1;
                            } else {
                                p = lp.next(q);
                            }
                        }
                        lp.is_empty()
                    }
                };
                if gone {
                    self.nodes.remove(ni);
                } else {
                    ni += 1;
                }
            }
        } else {
            let mut ni = self.nodes.len();
            while ni > 0 && !done(removed) {
                ni -= 1;
                let gone = match &mut self.nodes[ni] {
                    Node::Plain(b) => {
                        if &b[..] == v {
                            removed += 1;
                            true
                        } else {
                            false
                        }
                    }
                    Node::Packed(lp) => {
                        let mut p = lp.last();
                        while let Some(q) = p {
                            if done(removed) {
                                break;
                            }
                            let prev = lp.prev(q);
                            if lp.eq_at(q, v) {
                                lp.delete(q);
                                removed += 1;
                            }
                            p = prev;
                        }
                        lp.is_empty()
                    }
                };
                if gone {
                    self.nodes.remove(ni);
                }
            }
        }
        self.count -= removed;
        removed
    }

    /// Checks the internal invariants (tests): counts add up, no empty node, no oversized plain
    /// node missing.
    pub fn check(&self) -> Result<(), String> {
        let total: usize = self.nodes.iter().map(Node::count).sum();
        if total != self.count {
            return Err(format!("count {} but nodes hold {}", self.count, total));
        }
        if let Some(i) = self.nodes.iter().position(|n| n.count() == 0) {
            return Err(format!("node {i} is empty"));
        }
        for n in &self.nodes {
            if let Node::Packed(lp) = n {
                crate::listpack::Listpack::validate(lp.bytes()).map_err(|e| e.to_string())?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(l: &List) -> Vec<Vec<u8>> {
        l.iter().map(|e| e.to_bytes().into_owned()).collect()
    }

    #[test]
    fn nodes_split_like_redis_at_8k() {
        // RPUSH of w*4095, v*4096, u*20000 on Redis 7.0.15 gives three single-element nodes
        let mut l = List::new();
        for (c, n) in [(b'w', 4095), (b'v', 4096), (b'u', 20000)] {
            l.push(&vec![c; n], End::Tail);
        }
        let sizes: Vec<usize> = l.nodes().map(Node::size).collect();
        assert_eq!(sizes, vec![4106, 4110, 20015]);
    }

    #[test]
    fn count_fill_limits_entries() {
        let mut l = List::with_options(3, 0);
        for i in 0..10 {
            l.push(i.to_string().as_bytes(), End::Tail);
        }
        let counts: Vec<usize> = l.nodes().map(Node::count).collect();
        assert_eq!(counts, vec![3, 3, 3, 1]);
        assert!(l.insert(b"4", b"x", true));
        assert_eq!(items(&l)[5], b"x".to_vec());
        l.check().unwrap();
    }

    #[test]
    fn rev_iteration_from_index() {
        let mut l = List::with_options(2, 0);
        for i in 0..7 {
            l.push(i.to_string().as_bytes(), End::Tail);
        }
        let back: Vec<Vec<u8>> = l.iter_rev_from(4).map(|e| e.to_bytes().into_owned()).collect();
        assert_eq!(back, vec![b"4".to_vec(), b"3".to_vec(), b"2".to_vec(), b"1".to_vec(), b"0".to_vec()]);
        let fwd: Vec<Vec<u8>> = l.iter_from(5).map(|e| e.to_bytes().into_owned()).collect();
        assert_eq!(fwd, vec![b"5".to_vec(), b"6".to_vec()]);
    }
}
