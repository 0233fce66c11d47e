//! The replication buffer: every byte of the replication stream, addressed by its offset, kept
//! in fixed-size blocks. The most recent `repl-backlog-size` bytes form the backlog that
//! partial resyncs are served from; older blocks stay only while some replica link still has to
//! send them (a replica's position is just an offset into this buffer, never a private copy).
//! Offsets follow Redis: the first byte of the stream has offset 1, and `end` is the offset of
//! the last byte written (master_repl_offset). This module knows bytes and offsets only; it
//! knows nothing of clients, sockets or commands.

use std::collections::VecDeque;

/// Size of one block of the buffer.
const BLOCK: usize = 16 * 1024;

#[derive(Debug)]
struct Block {
    /// Offset of the block's first byte.
    start: u64,
    data: Vec<u8>,
}

#[derive(Debug)]
pub struct ReplBuffer {
    blocks: VecDeque<Block>,
    /// Offset of the last byte written (0 before the first).
    end: u64,
    /// repl-backlog-size.
    size: u64,
}

impl ReplBuffer {
    /// An empty buffer whose next byte gets offset `end + 1`.
    pub fn new(end: u64, size: u64) -> ReplBuffer {
        ReplBuffer { blocks: VecDeque::new(), end, size: size.max(1) }
    }

    pub fn end(&self) -> u64 {
        self.end
    }

    /// repl_backlog_first_byte_offset: the oldest byte still held. As in Redis, that is at
    /// least the last `repl-backlog-size` bytes (rounded to whole blocks), and more while a
    /// lagging replica keeps older blocks: a partial resync may use all of it.
    pub fn first_byte(&self) -> u64 {
        self.blocks.front().map_or(self.end + 1, |b| b.start)
    }

    /// repl_backlog_histlen: bytes a partial resync can be served from.
    pub fn histlen(&self) -> u64 {
        self.end + 1 - self.first_byte()
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn set_size(&mut self, size: u64) {
        self.size = size.max(1);
    }

    /// Bytes held in memory (block capacities and the block list itself).
    pub fn mem(&self) -> usize {
        self.blocks.iter().map(|b| b.data.capacity()).sum::<usize>()
            + self.blocks.capacity() * std::mem::size_of::<Block>()
    }

    /// Memory of the blocks held only for lagging replicas (older than the newest blocks that
    /// cover `repl-backlog-size`).
    pub fn held_mem(&self) -> usize {
        let mut covered = false;
        let mut held = 0;
        for b in self.blocks.iter().rev() {
            if covered {
                held += b.data.capacity();
            } else if self.end + 1 - b.start >= self.size {
                covered = true;
            }
        }
        held
    }

    /// Appends bytes to the stream.
    pub fn append(&mut self, mut bytes: &[u8]) {
        self.end += bytes.len() as u64;
        while !bytes.is_empty() {
            let need_new = match self.blocks.back() {
                Some(b) => b.data.len() == b.data.capacity(),
                None => true,
            };
            if need_new {
                let start = self.end - bytes.len() as u64 + 1;
                self.blocks.push_back(Block { start, data: Vec::with_capacity(BLOCK) });
            }
            let b = self.blocks.back_mut().expect("a block");
            let room = b.data.capacity() - b.data.len();
            let n = room.min(bytes.len());
            b.data.extend_from_slice(&bytes[..n]);
            bytes = &bytes[n..];
        }
    }

    /// Whether a partial resync may start at `off` (the offset of the first byte to send).
    pub fn can_serve(&self, off: u64) -> bool {
        off >= self.first_byte() && off <= self.end + 1
    }

    /// The contiguous bytes starting at offset `off` (up to the end of their block); empty when
    /// `off` is past the end. None when those bytes are no longer held.
    pub fn chunk_at(&self, off: u64) -> Option<&[u8]> {
        if off > self.end {
            return Some(&[]);
        }
        let front = self.blocks.front()?;
        if off < front.start {
            return None;
        }
        let idx = match self.blocks.binary_search_by(|b| b.start.cmp(&off)) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let b = &self.blocks[idx];
        let at = (off - b.start) as usize;
        Some(&b.data[at..])
    }

    /// Drops the oldest blocks while the rest still covers `repl-backlog-size` bytes and no
    /// replica link still has to send them (`min_needed`: the lowest position of any link).
    pub fn trim(&mut self, min_needed: Option<u64>) {
        while self.blocks.len() > 1 {
            let next_start = self.blocks[1].start;
            let window_kept = self.end + 1 - next_start >= self.size;
            let unused = min_needed.is_none_or(|m| m >= next_start);
            if window_kept && unused {
                self.blocks.pop_front();
            } else {
                break;
            }
        }
        // give back the list's room once lagging replicas are gone
        if self.blocks.capacity() > 64 && self.blocks.len() < self.blocks.capacity() / 4 {
            self.blocks.shrink_to(self.blocks.len() * 2);
        }
    }

    /// Copies the bytes from `off` to the end (tests, small ranges).
    pub fn copy_from(&self, mut off: u64) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        while off <= self.end {
            let c = self.chunk_at(off)?;
            if c.is_empty() {
                break;
            }
            out.extend_from_slice(c);
            off += c.len() as u64;
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_window() {
        let mut b = ReplBuffer::new(0, 100);
        assert_eq!(b.first_byte(), 1);
        assert_eq!(b.histlen(), 0);
        b.append(b"hello");
        assert_eq!(b.end(), 5);
        assert_eq!(b.histlen(), 5);
        assert_eq!(b.copy_from(3).unwrap(), b"llo");
        assert!(b.can_serve(1) && b.can_serve(6) && !b.can_serve(7));
        let big = vec![7u8; 50_000];
        b.append(&big);
        b.trim(None);
        assert_eq!(b.end(), 50_005);
        // whole blocks are kept: the last one holds more than the 100 bytes asked for
        assert_eq!(b.first_byte(), 3 * BLOCK as u64 + 1);
        assert_eq!(b.histlen(), 50_005 - 3 * BLOCK as u64);
        assert!(!b.can_serve(b.first_byte() - 1) && b.can_serve(b.first_byte()));
        assert_eq!(b.copy_from(49_906).unwrap().len(), 100);
    }

    #[test]
    fn replicas_keep_blocks_alive_and_extend_the_backlog() {
        let mut b = ReplBuffer::new(1000, 10);
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        b.append(&data);
        b.trim(Some(1001));
        // a replica at the very start can still read everything, and so can a resync
        assert_eq!(b.copy_from(1001).unwrap(), data);
        assert!(b.can_serve(1001));
        assert_eq!(b.histlen(), data.len() as u64);
        assert_eq!(b.copy_from(1001 + 40_000).unwrap(), data[40_000..]);
        b.trim(Some(1001 + 40_000));
        assert!(b.chunk_at(1001).is_none());
        assert_eq!(b.copy_from(1001 + 40_000).unwrap(), data[40_000..]);
        b.trim(None);
        assert!(b.chunk_at(1001 + 40_000).is_none());
        assert_eq!(b.copy_from(b.end() - 9).unwrap(), data[data.len() - 10..]);
        assert_eq!(b.held_mem(), 0);
        assert!(b.mem() <= BLOCK + 64 * std::mem::size_of::<Block>());
    }

    #[test]
    fn chunk_boundaries() {
        let mut b = ReplBuffer::new(0, 1 << 20);
        for i in 0..10_000u32 {
            b.append(format!("*{i}\r\n").as_bytes());
        }
        let all = b.copy_from(1).unwrap();
        for off in [1u64, 2, 16_384, 16_385, 16_386, 32_768, all.len() as u64] {
            assert_eq!(b.copy_from(off).unwrap(), all[(off - 1) as usize..]);
        }
        assert_eq!(b.chunk_at(all.len() as u64 + 1).unwrap(), b"");
    }
}
