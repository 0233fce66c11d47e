//! The hash type. (Initial representation: a dict of fields; the listpack and hashtable
//! encodings replace it.)

use super::Elem;
use crate::dict::Dict;
use crate::sbytes::SBytes;

#[derive(Default)]
pub struct Hash {
    fields: Dict<SBytes>,
}

impl Clone for Hash {
    fn clone(&self) -> Hash {
        let mut d = Dict::new();
        for (k, v) in self.fields.iter() {
            d.insert(k.clone(), v.clone());
        }
        Hash { fields: d }
    }
}

impl Hash {
    pub fn new() -> Hash {
        Hash::default()
    }
    pub fn len(&self) -> usize {
        self.fields.len()
    }
    /// Allocations freeing it costs (Redis's lazyfreeGetFreeEffort): 1 for compact
    /// encodings, the element (or node) count for large ones.
    pub fn free_effort(&self) -> usize {
        self.len().max(1)
    }
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
    /// Statistics of the hash table, for the hashtable encoding (DEBUG HTSTATS-KEY).
    pub fn dict_stats(&self) -> Option<crate::dict::DictStats> {
        Some(self.fields.stats())
    }
    pub fn encoding_name(&self) -> &'static str {
        "hashtable"
    }
    pub fn heap_size(&self) -> usize {
        self.fields.overhead_bytes() + self.fields.iter().map(|(k, v)| k.heap_size() + v.heap_size()).sum::<usize>()
    }
    /// (field, value) pairs.
    pub fn iter(&self) -> Box<dyn Iterator<Item = (Elem<'_>, Elem<'_>)> + '_> {
        Box::new(self.fields.iter().map(|(k, v)| (Elem::Bytes(k.as_slice()), Elem::Bytes(v.as_slice()))))
    }
}
