//! The set type. (Initial representation: a dict of members; the intset and hashtable
//! encodings replace it.)

use super::Elem;
use crate::dict::Dict;

#[derive(Default)]
pub struct Set {
    members: Dict<()>,
}

impl Clone for Set {
    fn clone(&self) -> Set {
        let mut d = Dict::new();
        for (k, _) in self.members.iter() {
            d.insert(k.clone(), ());
        }
        Set { members: d }
    }
}

impl Set {
    pub fn new() -> Set {
        Set::default()
    }
    pub fn len(&self) -> usize {
        self.members.len()
    }
    /// Allocations freeing it costs (Redis's lazyfreeGetFreeEffort): 1 for compact
    /// encodings, the element (or node) count for large ones.
    pub fn free_effort(&self) -> usize {
        self.len().max(1)
    }
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
    /// Statistics of the hash table, for the hashtable encoding (DEBUG HTSTATS-KEY).
    pub fn dict_stats(&self) -> Option<crate::dict::DictStats> {
        Some(self.members.stats())
    }
    pub fn encoding_name(&self) -> &'static str {
        "hashtable"
    }
    pub fn heap_size(&self) -> usize {
        self.members.overhead_bytes() + self.members.iter().map(|(k, _)| k.heap_size()).sum::<usize>()
    }
    pub fn iter(&self) -> Box<dyn Iterator<Item = Elem<'_>> + '_> {
        Box::new(self.members.iter().map(|(k, _)| Elem::Bytes(k.as_slice())))
    }
}
