//! An order-statistic B+tree of `(score, member)` items, the ordered half of the sorted set's
//! large ("skiplist") encoding. Items live in leaves (vectors of at most [`LEAF_CAP`] items, kept
//! in order); inner nodes keep, for each child, its item count (so rank lookups, rank-range
//! iteration and range deletion are O(log n)) and a copy of the first item of every child but
//! the first as separator. Separators may go stale (an item they copy was deleted): the search
//! rules only need `max(child i-1) < separator i <= min(child i)`, which deletions keep.
//!
//! Memory: an item is 32 bytes (f64 + [`SBytes`], members up to 23 bytes inline). Leaves split
//! unevenly when appending at either end of the whole tree (sequential scores fill leaves
//! completely) and spill into a sibling with room before splitting, so random inserts keep
//! leaves about 80% full.
//!
//! The tree knows nothing of the member dict, of encodings or of commands; it never sees NaN
//! scores (callers guarantee it) and does not check for duplicates (the caller's dict does).

use crate::sbytes::{alloc_size_class, SBytes};
use std::cmp::Ordering;

/// Most items in one leaf.
pub const LEAF_CAP: usize = 64;
/// Most children of one inner node.
const INNER_CAP: usize = 64;
/// A leaf with fewer items is merged with or refilled from a sibling.
const LEAF_MIN: usize = LEAF_CAP / 4;
/// An inner node with fewer children is merged with or refilled from a sibling.
const INNER_MIN: usize = INNER_CAP / 4;

/// One element of the sorted set.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub score: f64,
    pub member: SBytes,
}

impl Item {
    pub fn new(score: f64, member: SBytes) -> Item {
        Item { score, member }
    }
    /// Sorted-set order: by score, then by member bytes (shorter first on a common prefix).
    #[inline]
    pub fn cmp_to(&self, score: f64, member: &[u8]) -> Ordering {
        cmp_items(self.score, self.member.as_slice(), score, member)
    }
}

/// Sorted-set order of two (score, member) pairs. Scores are never NaN; -0 equals 0.
#[inline]
pub fn cmp_items(sa: f64, ma: &[u8], sb: f64, mb: &[u8]) -> Ordering {
    if sa < sb {
        Ordering::Less
    } else if sa > sb {
        Ordering::Greater
    } else {
        ma.cmp(mb)
    }
}

enum Node {
    Leaf(Vec<Item>),
    Inner(Box<Inner>),
}

struct Inner {
    children: Vec<Node>,
    /// Items under each child.
    counts: Vec<usize>,
    /// `seps[i]` is a lower bound of child `i + 1` (and above everything in child `i`).
    seps: Vec<Item>,
}

impl Node {
    fn count(&self) -> usize {
        match self {
            Node::Leaf(v) => v.len(),
            Node::Inner(n) => n.counts.iter().sum(),
        }
    }
    /// Items (leaf) or children (inner): what the capacity limits count.
    fn units(&self) -> usize {
        match self {
            Node::Leaf(v) => v.len(),
            Node::Inner(n) => n.children.len(),
        }
    }
    fn min_units(&self) -> usize {
        match self {
            Node::Leaf(_) => LEAF_MIN,
            Node::Inner(_) => INNER_MIN,
        }
    }
    fn cap(&self) -> usize {
        match self {
            Node::Leaf(_) => LEAF_CAP,
            Node::Inner(_) => INNER_CAP,
        }
    }
    fn first(&self) -> Option<&Item> {
        match self {
            Node::Leaf(v) => v.first(),
            Node::Inner(n) => n.children.first().and_then(Node::first),
        }
    }
    fn deep_clone(&self) -> Node {
        match self {
            Node::Leaf(v) => {
                let mut c = Vec::with_capacity(v.len().next_power_of_two().min(LEAF_CAP));
                c.extend(v.iter().cloned());
                Node::Leaf(c)
            }
            Node::Inner(n) => Node::Inner(Box::new(Inner {
                children: n.children.iter().map(Node::deep_clone).collect(),
                counts: n.counts.clone(),
                seps: n.seps.clone(),
            })),
        }
    }
    /// Hands every item to `f`, in order, consuming the node (iteratively over leaves).
    fn drain_into(self, f: &mut dyn FnMut(Item)) {
        match self {
            Node::Leaf(v) => v.into_iter().for_each(f),
            Node::Inner(n) => {
                for c in n.children {
                    c.drain_into(f);
                }
            }
        }
    }
    fn heap_size(&self) -> usize {
        match self {
            Node::Leaf(v) => {
                alloc_size_class(v.capacity() * std::mem::size_of::<Item>())
                    + v.iter().map(|i| i.member.heap_size()).sum::<usize>()
            }
            Node::Inner(n) => {
                alloc_size_class(std::mem::size_of::<Inner>())
                    + alloc_size_class(n.children.capacity() * std::mem::size_of::<Node>())
                    + alloc_size_class(n.counts.capacity() * std::mem::size_of::<usize>())
                    + alloc_size_class(n.seps.capacity() * std::mem::size_of::<Item>())
                    + n.seps.iter().map(|i| i.member.heap_size()).sum::<usize>()
                    + n.children.iter().map(Node::heap_size).sum::<usize>()
            }
        }
    }
}

/// See the module documentation.
pub struct OsTree {
    root: Node,
    len: usize,
}

impl Default for OsTree {
    fn default() -> Self {
        OsTree::new()
    }
}

impl Clone for OsTree {
    fn clone(&self) -> Self {
        OsTree { root: self.root.deep_clone(), len: self.len }
    }
}

impl std::fmt::Debug for OsTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter_from(0).map(|i| (i.score, i.member.as_slice()))).finish()
    }
}

impl OsTree {
    pub fn new() -> OsTree {
        OsTree { root: Node::Leaf(Vec::new()), len: 0 }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Builds a tree from items already in sorted order (no duplicates), packing leaves.
    pub fn from_sorted(items: Vec<Item>) -> OsTree {
        let len = items.len();
        if len <= LEAF_CAP {
            return OsTree { root: Node::Leaf(items), len };
        }
        // leaves of LEAF_CAP - LEAF_CAP/8 items leave a little room for later inserts
        let per_leaf = LEAF_CAP - LEAF_CAP / 8;
        let mut level: Vec<Node> = Vec::with_capacity(len / per_leaf + 1);
        let mut it = items.into_iter().peekable();
        while it.peek().is_some() {
            let mut leaf = Vec::with_capacity(LEAF_CAP);
            leaf.extend(it.by_ref().take(per_leaf));
            level.push(Node::Leaf(leaf));
        }
        let per_inner = INNER_CAP - INNER_CAP / 8;
        while level.len() > 1 {
            let mut next: Vec<Node> = Vec::with_capacity(level.len() / per_inner + 1);
            let mut nodes = level.into_iter().peekable();
            while nodes.peek().is_some() {
                let children: Vec<Node> = nodes.by_ref().take(per_inner).collect();
                let counts = children.iter().map(Node::count).collect();
                let seps = children[1..].iter().filter_map(|c| c.first().cloned()).collect();
                next.push(Node::Inner(Box::new(Inner { children, counts, seps })));
            }
            level = next;
        }
        let root = level.pop().unwrap_or(Node::Leaf(Vec::new()));
        OsTree { root, len }
    }

    /// Inserts an item that is not in the tree.
    pub fn insert(&mut self, item: Item) {
        if let Some((sep, right)) = insert_rec(&mut self.root, item, true, true) {
            let left = std::mem::replace(&mut self.root, Node::Leaf(Vec::new()));
            let (lc, rc) = (left.count(), right.count());
            self.root =
                Node::Inner(Box::new(Inner { children: vec![left, right], counts: vec![lc, rc], seps: vec![sep] }));
        }
        self.len += 1;
    }

    /// Removes the item equal to (score, member); returns it if it was there.
    pub fn remove(&mut self, score: f64, member: &[u8]) -> Option<Item> {
        let it = remove_rec(&mut self.root, score, member)?;
        self.len -= 1;
        self.collapse_root();
        Some(it)
    }

    fn collapse_root(&mut self) {
        loop {
            let replace = match &mut self.root {
                Node::Inner(n) if n.children.len() == 1 => n.children.pop(),
                Node::Inner(n) if n.children.is_empty() => Some(Node::Leaf(Vec::new())),
                _ => None,
            };
            match replace {
                Some(r) => self.root = r,
                None => break,
            }
        }
    }

    /// 0-based rank of (score, member), if present.
    pub fn rank(&self, score: f64, member: &[u8]) -> Option<usize> {
        let mut node = &self.root;
        let mut rank = 0;
        loop {
            match node {
                Node::Leaf(v) => {
                    return v.binary_search_by(|x| x.cmp_to(score, member)).ok().map(|i| rank + i);
                }
                Node::Inner(n) => {
                    let idx = n.seps.partition_point(|s| s.cmp_to(score, member) != Ordering::Greater);
                    rank += n.counts[..idx].iter().sum::<usize>();
                    node = &n.children[idx];
                }
            }
        }
    }

    /// The item at 0-based `rank`.
    pub fn get(&self, rank: usize) -> Option<&Item> {
        if rank >= self.len {
            return None;
        }
        let mut node = &self.root;
        let mut r = rank;
        loop {
            match node {
                Node::Leaf(v) => return v.get(r),
                Node::Inner(n) => {
                    let mut idx = 0;
                    while idx + 1 < n.children.len() && r >= n.counts[idx] {
                        r -= n.counts[idx];
                        idx += 1;
                    }
                    node = &n.children[idx];
                }
            }
        }
    }

    pub fn first(&self) -> Option<&Item> {
        self.get(0)
    }

    pub fn last(&self) -> Option<&Item> {
        self.len.checked_sub(1).and_then(|r| self.get(r))
    }

    /// The number of leading items for which `pred` holds. `pred` must be monotone over the
    /// tree's order (true, then false).
    pub fn partition_point(&self, pred: impl Fn(&Item) -> bool) -> usize {
        let mut node = &self.root;
        let mut rank = 0;
        loop {
            match node {
                Node::Leaf(v) => return rank + v.partition_point(&pred),
                Node::Inner(n) => {
                    let idx = n.seps.partition_point(&pred);
                    rank += n.counts[..idx].iter().sum::<usize>();
                    node = &n.children[idx];
                }
            }
        }
    }

    /// Items in order starting at `rank`.
    pub fn iter_from(&self, rank: usize) -> Iter<'_> {
        let mut it =
            Iter { stack: Vec::new(), leaf: &[], pos: 0, remaining: self.len.saturating_sub(rank), rev: false };
        if it.remaining > 0 {
            it.seek(&self.root, rank);
        }
        it
    }

    /// Items in reverse order starting at `rank` (going towards rank 0).
    pub fn rev_from(&self, rank: usize) -> Iter<'_> {
        let remaining = if rank < self.len { rank + 1 } else { 0 };
        let mut it = Iter { stack: Vec::new(), leaf: &[], pos: 0, remaining, rev: true };
        if remaining > 0 {
            it.seek(&self.root, rank);
        }
        it
    }

    /// Removes the `n` items starting at `start`, handing each to `f` in order.
    pub fn remove_range(&mut self, start: usize, n: usize, f: &mut dyn FnMut(Item)) {
        let n = n.min(self.len.saturating_sub(start));
        if n == 0 {
            return;
        }
        if start == 0 && n == self.len {
            let root = std::mem::replace(&mut self.root, Node::Leaf(Vec::new()));
            self.len = 0;
            root.drain_into(f);
            return;
        }
        remove_range_rec(&mut self.root, start, n, f);
        self.len -= n;
        self.collapse_root();
    }

    /// Removes everything, handing each item to `f` in order.
    pub fn drain(&mut self, f: &mut dyn FnMut(Item)) {
        let root = std::mem::replace(&mut self.root, Node::Leaf(Vec::new()));
        self.len = 0;
        root.drain_into(f);
    }

    /// Replaces the score of the item at (old, member) by `new`, moving it if needed.
    pub fn update_score(&mut self, old: f64, member: &[u8], new: f64) -> bool {
        match self.remove(old, member) {
            Some(mut it) => {
                it.score = new;
                self.insert(it);
                true
            }
            None => false,
        }
    }

    /// Heap bytes held by the tree (allocator size classes), members included.
    pub fn heap_size(&self) -> usize {
        match &self.root {
            Node::Leaf(v) if v.capacity() == 0 => 0,
            r => r.heap_size(),
        }
    }

    /// Checks the structural invariants (tests).
    #[doc(hidden)]
    pub fn check(&self) -> Result<(), String> {
        fn walk(
            n: &Node,
            lo: Option<&Item>,
            hi: Option<&Item>,
            depth: usize,
            leaf_depth: &mut Option<usize>,
            is_root: bool,
        ) -> Result<usize, String> {
            match n {
                Node::Leaf(v) => {
                    if !is_root && v.is_empty() {
                        return Err("empty leaf".into());
                    }
                    if v.len() > LEAF_CAP {
                        return Err("leaf over capacity".into());
                    }
                    for w in v.windows(2) {
                        if w[0].cmp_to(w[1].score, &w[1].member) != Ordering::Less {
                            return Err("leaf out of order".into());
                        }
                    }
                    if let (Some(lo), Some(f)) = (lo, v.first()) {
                        if lo.cmp_to(f.score, &f.member) == Ordering::Greater {
                            return Err("separator above its child's first item".into());
                        }
                    }
                    if let (Some(hi), Some(l)) = (hi, v.last()) {
                        if hi.cmp_to(l.score, &l.member) != Ordering::Greater {
                            return Err("item not below the next separator".into());
                        }
                    }
                    match leaf_depth {
                        Some(d) if *d != depth => return Err("leaves at different depths".into()),
                        _ => *leaf_depth = Some(depth),
                    }
                    Ok(v.len())
                }
                Node::Inner(inn) => {
                    if inn.children.is_empty() || inn.children.len() > INNER_CAP {
                        return Err("inner node size".into());
                    }
                    if inn.counts.len() != inn.children.len() || inn.seps.len() + 1 != inn.children.len() {
                        return Err("inner node vectors disagree".into());
                    }
                    let mut total = 0;
                    for (i, c) in inn.children.iter().enumerate() {
                        let l = if i == 0 { lo } else { Some(&inn.seps[i - 1]) };
                        let h = if i + 1 == inn.children.len() { hi } else { Some(&inn.seps[i]) };
                        let got = walk(c, l, h, depth + 1, leaf_depth, false)?;
                        if got != inn.counts[i] {
                            return Err(format!("count {} != {}", inn.counts[i], got));
                        }
                        if got == 0 {
                            return Err("empty child".into());
                        }
                        total += got;
                    }
                    Ok(total)
                }
            }
        }
        let mut d = None;
        let total = walk(&self.root, None, None, 0, &mut d, true)?;
        if total != self.len {
            return Err(format!("len {} != {}", self.len, total));
        }
        Ok(())
    }
}

/// Inserts below `node`; returns the separator and new right sibling when `node` split.
/// `leftmost` / `rightmost`: `node` is on the left / right edge of the whole tree.
fn insert_rec(node: &mut Node, item: Item, leftmost: bool, rightmost: bool) -> Option<(Item, Node)> {
    match node {
        Node::Leaf(v) => {
            let pos = v.partition_point(|x| x.cmp_to(item.score, &item.member) == Ordering::Less);
            if v.len() < LEAF_CAP {
                v.insert(pos, item);
                return None;
            }
            if rightmost && pos == v.len() {
                // appending at the end of the tree: keep this leaf full
                let sep = item.clone();
                let mut right = Vec::with_capacity(LEAF_CAP);
                right.push(item);
                return Some((sep, Node::Leaf(right)));
            }
            if leftmost && pos == 0 {
                // prepending at the start of the tree: the full leaf moves right untouched
                let mut left = Vec::with_capacity(LEAF_CAP);
                left.push(item);
                let right = std::mem::replace(v, left);
                let sep = right[0].clone();
                return Some((sep, Node::Leaf(right)));
            }
            let mid = LEAF_CAP / 2;
            let mut right = Vec::with_capacity(LEAF_CAP);
            right.extend(v.drain(mid..));
            if pos <= mid {
                v.insert(pos, item);
            } else {
                right.insert(pos - mid, item);
            }
            let sep = right[0].clone();
            Some((sep, Node::Leaf(right)))
        }
        Node::Inner(inn) => {
            let mut idx = inn.seps.partition_point(|s| s.cmp_to(item.score, &item.member) != Ordering::Greater);
            if matches!(&inn.children[idx], Node::Leaf(v) if v.len() == LEAF_CAP) {
                idx = spill_full_leaf(inn, idx, &item);
            }
            inn.counts[idx] += 1;
            let last = inn.children.len() - 1;
            let (sep, new) = insert_rec(&mut inn.children[idx], item, leftmost && idx == 0, rightmost && idx == last)?;
            let moved = new.count();
            inn.counts[idx] -= moved;
            inn.children.insert(idx + 1, new);
            inn.counts.insert(idx + 1, moved);
            inn.seps.insert(idx, sep);
            if inn.children.len() <= INNER_CAP {
                return None;
            }
            // split this inner node
            let n = inn.children.len();
            let mid = if rightmost && idx + 1 == n - 1 {
                n - 1
            } else if leftmost && idx == 0 {
                1
            } else {
                n / 2
            };
            let children = inn.children.split_off(mid);
            let counts = inn.counts.split_off(mid);
            let seps = inn.seps.split_off(mid);
            let up = inn.seps.pop()?;
            Some((up, Node::Inner(Box::new(Inner { children, counts, seps }))))
        }
    }
}

/// Child `idx` of `inn` is a full leaf about to receive `item`: moves some of its items to a
/// neighbouring leaf with room, if any, and returns the child that must now receive the item.
fn spill_full_leaf(inn: &mut Inner, idx: usize, item: &Item) -> usize {
    let n = inn.children.len();
    if idx + 1 < n {
        let (a, b) = inn.children.split_at_mut(idx + 1);
        if let (Node::Leaf(cur), Node::Leaf(next)) = (&mut a[idx], &mut b[0]) {
            let room = LEAF_CAP - next.len();
            if room >= 2 {
                let k = room.div_ceil(2);
                let from = cur.len() - k;
                let moved: Vec<Item> = cur.drain(from..).collect();
                next.splice(0..0, moved);
                inn.counts[idx] -= k;
                inn.counts[idx + 1] += k;
                inn.seps[idx] = next[0].clone();
                return if inn.seps[idx].cmp_to(item.score, &item.member) != Ordering::Greater { idx + 1 } else { idx };
            }
        }
    }
    if idx > 0 {
        let (a, b) = inn.children.split_at_mut(idx);
        if let (Node::Leaf(prev), Node::Leaf(cur)) = (&mut a[idx - 1], &mut b[0]) {
            let room = LEAF_CAP - prev.len();
            if room >= 2 {
                let k = room.div_ceil(2);
                prev.extend(cur.drain(..k));
                inn.counts[idx] -= k;
                inn.counts[idx - 1] += k;
                inn.seps[idx - 1] = cur[0].clone();
                return if inn.seps[idx - 1].cmp_to(item.score, &item.member) == Ordering::Greater {
                    idx - 1
                } else {
                    idx
                };
            }
        }
    }
    idx
}

fn remove_rec(node: &mut Node, score: f64, member: &[u8]) -> Option<Item> {
    match node {
        Node::Leaf(v) => {
            let i = v.binary_search_by(|x| x.cmp_to(score, member)).ok()?;
            Some(v.remove(i))
        }
        Node::Inner(inn) => {
            let idx = inn.seps.partition_point(|s| s.cmp_to(score, member) != Ordering::Greater);
            let it = remove_rec(&mut inn.children[idx], score, member)?;
            inn.counts[idx] -= 1;
            while fix_underflow(inn, idx) {}
            Some(it)
        }
    }
}

/// If child `idx` of `inn` is underfull, removes it (empty), merges it with a neighbour or
/// moves units from a neighbour. Returns true when the children were merged or removed (the
/// caller may check again: the same index may hold another small child).
fn fix_underflow(inn: &mut Inner, idx: usize) -> bool {
    if idx >= inn.children.len() {
        return false;
    }
    let units = inn.children[idx].units();
    if units == 0 {
        inn.children.remove(idx);
        inn.counts.remove(idx);
        if idx > 0 {
            inn.seps.remove(idx - 1);
        } else if !inn.seps.is_empty() {
            inn.seps.remove(0);
        }
        return true;
    }
    if units >= inn.children[idx].min_units() || inn.children.len() == 1 {
        return false;
    }
    // pair (l, l + 1) with the neighbour: the right one if any, else the left one
    let l = if idx + 1 < inn.children.len() { idx } else { idx - 1 };
    let cap = inn.children[l].cap();
    let (lu, ru) = (inn.children[l].units(), inn.children[l + 1].units());
    if lu + ru <= cap {
        let right = inn.children.remove(l + 1);
        let rc = inn.counts.remove(l + 1);
        let sep = inn.seps.remove(l);
        inn.counts[l] += rc;
        match (&mut inn.children[l], right) {
            (Node::Leaf(a), Node::Leaf(mut b)) => a.append(&mut b),
            (Node::Inner(a), Node::Inner(b)) => {
                let b = *b;
                a.seps.push(sep);
                a.seps.extend(b.seps);
                a.children.extend(b.children);
                a.counts.extend(b.counts);
            }
            _ => unreachable!("siblings at the same depth have the same kind"),
        }
        return true;
    }
    // borrow: even out the two siblings
    let (a, b) = inn.children.split_at_mut(l + 1);
    let (left, right) = (&mut a[l], &mut b[0]);
    let moved = match (left, right) {
        (Node::Leaf(a), Node::Leaf(b)) => {
            if a.len() < b.len() {
                let k = (b.len() - a.len()) / 2;
                a.extend(b.drain(..k));
                inn.seps[l] = b[0].clone();
                k as isize
            } else {
                let k = (a.len() - b.len()) / 2;
                let from = a.len() - k;
                let m: Vec<Item> = a.drain(from..).collect();
                b.splice(0..0, m);
                inn.seps[l] = b[0].clone();
                -(k as isize)
            }
        }
        (Node::Inner(a), Node::Inner(b)) => {
            let mut moved: isize = 0;
            if a.children.len() < b.children.len() {
                let k = (b.children.len() - a.children.len()) / 2;
                for _ in 0..k {
                    let c = b.children.remove(0);
                    let cnt = b.counts.remove(0);
                    let down = std::mem::replace(&mut inn.seps[l], b.seps.remove(0));
                    a.seps.push(down);
                    a.children.push(c);
                    a.counts.push(cnt);
                    moved += cnt as isize;
                }
            } else {
                let k = (a.children.len() - b.children.len()) / 2;
                for _ in 0..k {
                    let c = a.children.pop().expect("non-empty");
                    let cnt = a.counts.pop().expect("non-empty");
                    let up = a.seps.pop().expect("non-empty");
                    let down = std::mem::replace(&mut inn.seps[l], up);
                    b.seps.insert(0, down);
                    b.children.insert(0, c);
                    b.counts.insert(0, cnt);
                    moved -= cnt as isize;
                }
            }
            moved
        }
        _ => unreachable!("siblings at the same depth have the same kind"),
    };
    inn.counts[l] = (inn.counts[l] as isize + moved) as usize;
    inn.counts[l + 1] = (inn.counts[l + 1] as isize - moved) as usize;
    false
}

fn remove_range_rec(node: &mut Node, start: usize, n: usize, f: &mut dyn FnMut(Item)) {
    match node {
        Node::Leaf(v) => {
            for it in v.drain(start..start + n) {
                f(it);
            }
        }
        Node::Inner(inn) => {
            let end = start + n;
            let mut offset = 0;
            let mut i = 0;
            let mut first_touched: Option<usize> = None;
            while i < inn.children.len() && offset < end {
                let c = inn.counts[i];
                let (lo, hi) = (offset, offset + c);
                if hi <= start {
                    offset = hi;
                    i += 1;
                    continue;
                }
                first_touched.get_or_insert(i);
                let s = start.max(lo);
                let e = end.min(hi);
                if s == lo && e == hi {
                    // the whole child goes
                    let child = inn.children.remove(i);
                    inn.counts.remove(i);
                    if i > 0 {
                        inn.seps.remove(i - 1);
                    } else if !inn.seps.is_empty() {
                        inn.seps.remove(0);
                    }
                    child.drain_into(f);
                    offset = hi;
                } else {
                    remove_range_rec(&mut inn.children[i], s - lo, e - s, f);
                    inn.counts[i] -= e - s;
                    offset = hi;
                    i += 1;
                }
            }
            // at most two partially emptied children remain next to each other
            if let Some(ft) = first_touched {
                let mut j = ft.saturating_sub(1);
                let stop = ft + 2;
                while j < inn.children.len() && j <= stop {
                    if !fix_underflow(inn, j) {
                        j += 1;
                    }
                }
            }
        }
    }
}

/// An iterator over items in order or in reverse order.
pub struct Iter<'a> {
    stack: Vec<(&'a Inner, usize)>,
    leaf: &'a [Item],
    pos: usize,
    remaining: usize,
    rev: bool,
}

impl<'a> Iter<'a> {
    fn seek(&mut self, root: &'a Node, rank: usize) {
        let mut node = root;
        let mut r = rank;
        loop {
            match node {
                Node::Leaf(v) => {
                    self.leaf = v;
                    self.pos = r;
                    return;
                }
                Node::Inner(n) => {
                    let mut idx = 0;
                    while idx + 1 < n.children.len() && r >= n.counts[idx] {
                        r -= n.counts[idx];
                        idx += 1;
                    }
                    self.stack.push((n, idx));
                    node = &n.children[idx];
                }
            }
        }
    }

    /// Moves to the first item of the next leaf (or the last item of the previous one).
    fn step_leaf(&mut self) -> bool {
        while let Some((inn, idx)) = self.stack.pop() {
            let next = if self.rev {
                if idx == 0 {
                    continue;
                }
                idx - 1
            } else {
                if idx + 1 >= inn.children.len() {
                    continue;
                }
                idx + 1
            };
            self.stack.push((inn, next));
            let mut node = &inn.children[next];
            loop {
                match node {
                    Node::Leaf(v) => {
                        self.leaf = v;
                        self.pos = if self.rev { v.len().saturating_sub(1) } else { 0 };
                        return !v.is_empty();
                    }
                    Node::Inner(n) => {
                        let i = if self.rev { n.children.len() - 1 } else { 0 };
                        self.stack.push((n, i));
                        node = &n.children[i];
                    }
                }
            }
        }
        false
    }
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a Item;

    fn next(&mut self) -> Option<&'a Item> {
        if self.remaining == 0 {
            return None;
        }
        if self.pos >= self.leaf.len() && !self.step_leaf() {
            self.remaining = 0;
            return None;
        }
        let it = &self.leaf[self.pos];
        self.remaining -= 1;
        if self.rev {
            if self.pos == 0 {
                // force a leaf step on the next call
                self.pos = usize::MAX;
            } else {
                self.pos -= 1;
            }
        } else {
            self.pos += 1;
        }
        Some(it)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn item(s: f64, m: &str) -> Item {
        Item::new(s, SBytes::new(m.as_bytes()))
    }

    fn model_check(t: &OsTree, model: &[(f64, String)]) {
        t.check().unwrap();
        assert_eq!(t.len(), model.len());
        let got: Vec<(f64, String)> =
            t.iter_from(0).map(|i| (i.score, String::from_utf8(i.member.as_slice().to_vec()).unwrap())).collect();
        assert_eq!(got, model);
    }

    #[test]
    fn sequential_and_random_inserts_removes() {
        let mut rng = Rng::from_seed(7);
        for pattern in 0..3 {
            let mut t = OsTree::new();
            let mut model: Vec<(f64, String)> = Vec::new();
            for i in 0..5000u64 {
                let s = match pattern {
                    0 => i as f64,
                    1 => -(i as f64),
                    _ => rng.below(1000) as f64,
                };
                let m = format!("m{}", i);
                t.insert(item(s, &m));
                model.push((s, m));
            }
            model.sort_by(|a, b| cmp_items(a.0, a.1.as_bytes(), b.0, b.1.as_bytes()));
            model_check(&t, &model);
            for (r, (s, m)) in model.iter().enumerate().step_by(37) {
                assert_eq!(t.rank(*s, m.as_bytes()), Some(r));
                assert_eq!(t.get(r).unwrap().member.as_slice(), m.as_bytes());
            }
            // remove about two thirds at random
            let mut i = 0;
            while i < model.len() {
                if rng.below(3) != 0 {
                    let (s, m) = model.remove(i);
                    assert!(t.remove(s, m.as_bytes()).is_some());
                } else {
                    i += 1;
                }
            }
            model_check(&t, &model);
            assert!(t.remove(1e9, b"nope").is_none());
        }
    }

    #[test]
    fn iterators_both_ways() {
        let mut t = OsTree::new();
        for i in 0..1000 {
            t.insert(item(i as f64, &format!("{:04}", i)));
        }
        for start in [0usize, 1, 63, 64, 500, 999] {
            let fw: Vec<f64> = t.iter_from(start).map(|i| i.score).collect();
            assert_eq!(fw, (start..1000).map(|x| x as f64).collect::<Vec<_>>());
            let bw: Vec<f64> = t.rev_from(start).map(|i| i.score).collect();
            assert_eq!(bw, (0..=start).rev().map(|x| x as f64).collect::<Vec<_>>());
        }
        assert_eq!(t.iter_from(1000).count(), 0);
        assert_eq!(t.rev_from(1000).count(), 0);
    }

    #[test]
    fn range_removal() {
        let mut rng = Rng::from_seed(11);
        for _ in 0..200 {
            let n = rng.below(3000) as usize + 1;
            let mut t = OsTree::new();
            let mut model = Vec::new();
            for i in 0..n {
                let s = rng.below(500) as f64;
                let m = format!("k{}", i);
                t.insert(item(s, &m));
                model.push((s, m));
            }
            model.sort_by(|a, b| cmp_items(a.0, a.1.as_bytes(), b.0, b.1.as_bytes()));
            let start = rng.below(n as u64) as usize;
            let cnt = rng.below((n - start) as u64 + 1) as usize;
            let mut removed = Vec::new();
            t.remove_range(start, cnt, &mut |it| removed.push(it.score));
            let gone: Vec<(f64, String)> = model.drain(start..start + cnt).collect();
            assert_eq!(removed, gone.iter().map(|g| g.0).collect::<Vec<_>>());
            model_check(&t, &model);
        }
    }

    #[test]
    fn partition_point_matches_linear() {
        let mut t = OsTree::new();
        for i in 0..2000 {
            t.insert(item((i / 3) as f64, &format!("{}", i)));
        }
        for x in [-1.0, 0.0, 5.0, 100.5, 666.0, 1000.0] {
            let pp = t.partition_point(|it| it.score < x);
            let lin = t.iter_from(0).take_while(|it| it.score < x).count();
            assert_eq!(pp, lin);
        }
    }

    #[test]
    fn from_sorted_builds_valid_trees() {
        for n in [0usize, 1, 64, 65, 57 * 56, 10_000] {
            let items: Vec<Item> = (0..n).map(|i| item(i as f64, "x")).collect();
            let mut t = OsTree::from_sorted(items);
            t.check().unwrap();
            assert_eq!(t.len(), n);
            t.insert(item(-1.0, "y"));
            t.check().unwrap();
        }
    }

    #[test]
    fn sequential_fill_is_dense() {
        let mut t = OsTree::new();
        for i in 0..100_000 {
            t.insert(item(i as f64, "m"));
        }
        let per = t.heap_size() as f64 / 100_000.0;
        assert!(per < 34.0, "{} bytes per item", per);
        let mut r = OsTree::new();
        let mut rng = Rng::from_seed(3);
        for _ in 0..100_000 {
            r.insert(item(rng.f64(), "m"));
        }
        let per = r.heap_size() as f64 / 100_000.0;
        assert!(per < 44.0, "{} bytes per item (random)", per);
    }
}
