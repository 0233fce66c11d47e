//! Redis's RDB file format, version 10 as Redis 7.0 writes it: the CRC64 (Jones) checksum, LZF
//! compression, the length and string encodings, the opcodes and the type bytes. Encoding goes
//! to any `std::io::Write`, decoding reads any `std::io::Read`, so a file, a replication socket
//! and a DUMP payload share one implementation. This crate knows nothing of servers, clients or
//! sockets; which values exist and how a server stores them are its callers' business.

pub mod crc64;
pub mod enc;
pub mod file;
pub mod lzf;
pub mod value;
pub mod ziplist;

/// The version vireo writes (Redis 7.0's); a loader accepts 1..=RDB_VERSION.
pub const RDB_VERSION: u16 = 10;

/// Opcodes that may stand where a type byte is expected.
pub mod opcode {
    pub const FUNCTION2: u8 = 0xF5;
    pub const FUNCTION_PRE_GA: u8 = 0xF6;
    pub const MODULE_AUX: u8 = 0xF7;
    pub const IDLE: u8 = 0xF8;
    pub const FREQ: u8 = 0xF9;
    pub const AUX: u8 = 0xFA;
    pub const RESIZEDB: u8 = 0xFB;
    pub const EXPIRETIME_MS: u8 = 0xFC;
    pub const EXPIRETIME: u8 = 0xFD;
    pub const SELECTDB: u8 = 0xFE;
    pub const EOF: u8 = 0xFF;
}

/// Value type bytes. vireo writes only the ones Redis 7.0 writes; the others are read when
/// loading files of older Redis versions.
pub mod vtype {
    pub const STRING: u8 = 0;
    pub const LIST: u8 = 1;
    pub const SET: u8 = 2;
    pub const ZSET: u8 = 3;
    pub const HASH: u8 = 4;
    pub const ZSET_2: u8 = 5;
    pub const MODULE_PRE_GA: u8 = 6;
    pub const MODULE_2: u8 = 7;
    pub const HASH_ZIPMAP: u8 = 9;
    pub const LIST_ZIPLIST: u8 = 10;
    pub const SET_INTSET: u8 = 11;
    pub const ZSET_ZIPLIST: u8 = 12;
    pub const HASH_ZIPLIST: u8 = 13;
    pub const LIST_QUICKLIST: u8 = 14;
    pub const STREAM_LISTPACKS: u8 = 15;
    pub const HASH_LISTPACK: u8 = 16;
    pub const ZSET_LISTPACK: u8 = 17;
    pub const LIST_QUICKLIST_2: u8 = 18;
    pub const STREAM_LISTPACKS_2: u8 = 19;
    pub const STREAM_LISTPACKS_3: u8 = 21;

    /// The type bytes a Redis 7.0 loader understands (so the ones vireo may write).
    pub fn written_by_redis_7_0(t: u8) -> bool {
        matches!(
            t,
            STRING
                | SET
                | SET_INTSET
                | ZSET_2
                | ZSET_LISTPACK
                | HASH
                | HASH_LISTPACK
                | LIST_QUICKLIST_2
                | STREAM_LISTPACKS_2
        )
    }
}

/// Quicklist node containers in LIST_QUICKLIST_2.
pub mod container {
    pub const PLAIN: u64 = 1;
    pub const PACKED: u64 = 2;
}

pub use enc::{Decoder, Encoder, Error, StrEnc};
