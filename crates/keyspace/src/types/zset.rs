//! The sorted set type. (Initial representation: a vector kept in (score, member) order; the
//! listpack and skiplist encodings replace it.)

use super::Elem;
use crate::sbytes::SBytes;

#[derive(Clone, Debug, Default)]
pub struct ZSet {
    items: Vec<(f64, SBytes)>,
}

impl ZSet {
    pub fn new() -> ZSet {
        ZSet::default()
    }
    pub fn len(&self) -> usize {
        self.items.len()
    }
    /// Allocations freeing it costs (Redis's lazyfreeGetFreeEffort): 1 for compact
    /// encodings, the element (or node) count for large ones.
    pub fn free_effort(&self) -> usize {
        self.len().max(1)
    }
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    /// Statistics of the member dict, for the skiplist encoding (DEBUG HTSTATS-KEY).
    pub fn dict_stats(&self) -> Option<crate::dict::DictStats> {
        None
    }
    pub fn encoding_name(&self) -> &'static str {
        "skiplist"
    }
    pub fn heap_size(&self) -> usize {
        self.items.capacity() * std::mem::size_of::<(f64, SBytes)>()
            + self.items.iter().map(|(_, m)| m.heap_size()).sum::<usize>()
    }
    /// (member, score) in rank order.
    pub fn iter(&self) -> Box<dyn Iterator<Item = (Elem<'_>, f64)> + '_> {
        Box::new(self.items.iter().map(|(s, m)| (Elem::Bytes(m.as_slice()), *s)))
    }
}
