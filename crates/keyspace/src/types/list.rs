//! The list type. (Initial representation: a deque of byte strings; the compact
//! quicklist-of-listpacks encoding replaces it.)

use super::Elem;
use crate::sbytes::SBytes;
use std::collections::VecDeque;

#[derive(Clone, Debug, Default)]
pub struct List {
    items: VecDeque<SBytes>,
}

impl List {
    pub fn new() -> List {
        List::default()
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
    pub fn encoding_name(&self) -> &'static str {
        "quicklist"
    }
    pub fn heap_size(&self) -> usize {
        self.items.capacity() * std::mem::size_of::<SBytes>() + self.items.iter().map(|s| s.heap_size()).sum::<usize>()
    }
    /// Elements from head to tail.
    pub fn iter(&self) -> Box<dyn Iterator<Item = Elem<'_>> + '_> {
        Box::new(self.items.iter().map(|s| Elem::Bytes(s.as_slice())))
    }
}
