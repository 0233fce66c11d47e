//! The stream type. (Initial representation; the radix tree of listpacks, consumer groups and
//! pending entries lists replace it.)

/// A stream entry id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

#[derive(Clone, Debug, Default)]
pub struct Stream {
    entries: Vec<(StreamId, Vec<(Vec<u8>, Vec<u8>)>)>,
}

impl Stream {
    pub fn new() -> Stream {
        Stream::default()
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    /// Allocations freeing it costs (Redis's lazyfreeGetFreeEffort): 1 for compact
    /// encodings, the element (or node) count for large ones.
    pub fn free_effort(&self) -> usize {
        self.len().max(1)
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    pub fn encoding_name(&self) -> &'static str {
        "stream"
    }
    pub fn heap_size(&self) -> usize {
        self.entries.iter().map(|(_, f)| f.iter().map(|(a, b)| a.len() + b.len()).sum::<usize>()).sum()
    }
    /// Entries in id order: the id and the field/value pairs.
    pub fn for_each_entry(&self, mut f: impl FnMut(StreamId, &mut dyn Iterator<Item = (&[u8], &[u8])>)) {
        for (id, fields) in &self.entries {
            let mut it = fields.iter().map(|(a, b)| (a.as_slice(), b.as_slice()));
            f(*id, &mut it);
        }
    }
}
