//! `SBytes`: an owned, immutable, binary-safe byte string of 24 bytes that stores up to 23
//! bytes inline and longer strings on the heap. Used for keys, small string values and members.
//! Its last byte is a tag whose unused values give enclosing enums a niche, so an enum that
//! wraps an `SBytes` next to pointer-sized variants stays 24 bytes.

/// See the module documentation.
pub struct SBytes {
    _todo: [u8; 24],
}

#[allow(unused_variables)]
impl SBytes {
    pub fn new(b: &[u8]) -> Self {
        todo!()
    }
    pub fn from_vec(v: Vec<u8>) -> Self {
        todo!()
    }
    pub fn as_slice(&self) -> &[u8] {
        todo!()
    }
    pub fn len(&self) -> usize {
        todo!()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// True when the bytes live inside the struct (no heap allocation).
    pub fn is_inline(&self) -> bool {
        todo!()
    }
    /// Bytes allocated on the heap for this value (0 when inline), as the allocator rounds it.
    pub fn heap_size(&self) -> usize {
        todo!()
    }
}
// Required trait impls: Clone, PartialEq, Eq, PartialOrd, Ord (bytewise), Hash (same as the
// slice), Debug (lossy string), Deref<Target = [u8]>, AsRef<[u8]>, Borrow<[u8]>,
// From<&[u8]>, From<Vec<u8>>, From<&str>, Default (empty). Send + Sync.
