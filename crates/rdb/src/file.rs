//! Whole RDB streams: the writer emits the header, the AUX fields in Redis 7.0's order, each
//! database as SELECTDB + RESIZEDB followed by its keys (with EXPIRETIME_MS and IDLE/FREQ in
//! front of a key when they apply) and the EOF + CRC64 trailer; the reader walks a stream item
//! by item, for a loader to apply. Knows nothing of where the bytes go (file, socket, memory) or
//! of the server that owns the databases.

use crate::enc::{Decoder, Encoder, Error};
use crate::{opcode, value};
use std::io::{self, Read, Write};
use vireo_keyspace::types::Limits;
use vireo_keyspace::value::Value;

/// Replication state recorded in the AUX fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplAux {
    pub stream_db: i64,
    pub id: String,
    pub offset: i64,
}

/// The AUX fields Redis 7.0 writes.
#[derive(Debug, Clone)]
pub struct Aux {
    pub redis_ver: String,
    pub ctime: i64,
    pub used_mem: u64,
    pub repl: Option<ReplAux>,
    /// The file is the base of an AOF (aof-base 1).
    pub aof_base: bool,
}

/// Writes an RDB stream.
pub struct Writer<W: Write> {
    pub enc: Encoder<W>,
}

impl<W: Write> Writer<W> {
    /// Starts the stream: magic and AUX fields.
    pub fn start(w: W, compress: bool, aux: &Aux) -> io::Result<Writer<W>> {
        let mut enc = Encoder::new(w);
        enc.compress = compress;
        enc.header()?;
        enc.aux("redis-ver", aux.redis_ver.as_bytes())?;
        enc.aux("redis-bits", b"64")?;
        enc.aux("ctime", aux.ctime.to_string().as_bytes())?;
        enc.aux("used-mem", aux.used_mem.to_string().as_bytes())?;
        if let Some(r) = &aux.repl {
            enc.aux("repl-stream-db", r.stream_db.to_string().as_bytes())?;
            enc.aux("repl-id", r.id.as_bytes())?;
            enc.aux("repl-offset", r.offset.to_string().as_bytes())?;
        }
        enc.aux("aof-base", if aux.aof_base { b"1" } else { b"0" })?;
        Ok(Writer { enc })
    }

    /// SELECTDB and RESIZEDB for a database that has keys.
    pub fn select_db(&mut self, db: usize, keys: usize, expires: usize) -> io::Result<()> {
        self.enc.u8(opcode::SELECTDB)?;
        self.enc.length(db as u64)?;
        self.enc.u8(opcode::RESIZEDB)?;
        self.enc.length(keys as u64)?;
        self.enc.length(expires as u64)
    }

    /// One key: its expire time, its LRU idle seconds or LFU counter when the eviction policy
    /// keeps one, then the type, the key and the value.
    pub fn key(
        &mut self,
        key: &[u8],
        val: &Value,
        expire_ms: Option<i64>,
        idle_secs: Option<u64>,
        freq: Option<u8>,
    ) -> io::Result<()> {
        if let Some(ms) = expire_ms {
            self.enc.u8(opcode::EXPIRETIME_MS)?;
            self.enc.millis(ms)?;
        }
        if let Some(idle) = idle_secs {
            self.enc.u8(opcode::IDLE)?;
            self.enc.length(idle)?;
        }
        if let Some(f) = freq {
            self.enc.u8(opcode::FREQ)?;
            self.enc.u8(f)?;
        }
        let t = value::type_byte(val).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::Unsupported,
                format!("RDB serialization of {} values is not implemented yet", val.kind().name()),
            )
        })?;
        self.enc.u8(t)?;
        self.enc.string(key)?;
        value::write_payload(&mut self.enc, val)
    }

    /// EOF and the checksum; returns the writer.
    pub fn finish(mut self, checksum: bool) -> io::Result<W> {
        self.enc.finish(checksum)?;
        Ok(self.enc.into_inner())
    }
}

/// One item of an RDB stream, as the reader meets it.
pub enum Item {
    Aux {
        key: Vec<u8>,
        value: Vec<u8>,
    },
    SelectDb(u64),
    ResizeDb {
        keys: u64,
        expires: u64,
    },
    /// A key and its value; `value` is None for an empty collection, which loaders skip.
    Key {
        key: Vec<u8>,
        value: Option<Value>,
        expire_ms: Option<i64>,
        idle_secs: Option<u64>,
        freq: Option<u8>,
    },
    /// A FUNCTION2 library's code (loaders without functions refuse it).
    Function(Vec<u8>),
    /// The end (checksum verified).
    End,
}

/// Where a [`Reader`] is in the stream, in the terms redis-check-rdb reports after an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// What it was doing: "read-type", "read-expire", "read-len", "read-aux", "read-functions",
    /// "read-module-aux", "read-key", "read-object-value" or "check-sum".
    pub doing: &'static str,
    /// The key whose value could not be read (set when reading it fails).
    pub key: Option<Vec<u8>>,
    /// The type byte of the key being read; -1 between keys. Before the first key completes it
    /// is 0, as redis-check-rdb reports it.
    pub key_type: i32,
    /// Keys whose name was read (the one being read included).
    pub keys: u64,
}

/// Redis's name for an object type byte (redis-check-rdb's "Reading type N (name)").
pub fn type_name(t: i32) -> &'static str {
    const NAMES: [&str; 19] = [
        "string",
        "list-linked",
        "set-hashtable",
        "zset-v1",
        "hash-hashtable",
        "zset-v2",
        "module-value",
        "",
        "",
        "hash-zipmap",
        "list-ziplist",
        "set-intset",
        "zset-ziplist",
        "hash-ziplist",
        "quicklist",
        "stream",
        "hash-listpack",
        "zset-listpack",
        "quicklist-v2",
    ];
    usize::try_from(t).ok().and_then(|i| NAMES.get(i)).copied().unwrap_or("unknown")
}

/// Reads an RDB stream item by item.
pub struct Reader<R: Read> {
    pub dec: Decoder<R>,
    pub version: u16,
    /// Where the reading is, for error reports.
    pub progress: Progress,
    limits: Limits,
    done: bool,
}

impl<R: Read> Reader<R> {
    /// Checks the magic and version.
    pub fn open(r: R, limits: Limits) -> Result<Reader<R>, Error> {
        let mut dec = Decoder::new(r);
        let version = dec.header()?;
        let progress = Progress { doing: "read-type", key: None, key_type: 0, keys: 0 };
        Ok(Reader { dec, version, progress, limits, done: false })
    }

    /// Byte offset of the next item.
    pub fn offset(&self) -> u64 {
        self.dec.offset()
    }

    pub fn next_item(&mut self) -> Result<Item, Error> {
        if self.done {
            return Ok(Item::End);
        }
        let mut expire_ms = None;
        let mut idle_secs = None;
        let mut freq = None;
        let p = &mut self.progress;
        loop {
            p.doing = "read-type";
            let t = self.dec.u8()?;
            match t {
                opcode::EXPIRETIME_MS => {
                    p.doing = "read-expire";
                    expire_ms = Some(self.dec.millis()?)
                }
                opcode::EXPIRETIME => {
                    p.doing = "read-expire";
                    expire_ms = Some(self.dec.secs()? as i64 * 1000)
                }
                opcode::IDLE => idle_secs = Some(self.dec.length()?),
                opcode::FREQ => freq = Some(self.dec.u8()?),
                opcode::SELECTDB => {
                    p.doing = "read-len";
                    return Ok(Item::SelectDb(self.dec.length()?));
                }
                opcode::RESIZEDB => {
                    p.doing = "read-len";
                    let keys = self.dec.length()?;
                    let expires = self.dec.length()?;
                    return Ok(Item::ResizeDb { keys, expires });
                }
                opcode::AUX => {
                    p.doing = "read-aux";
                    let key = self.dec.string()?;
                    let value = self.dec.string()?;
                    return Ok(Item::Aux { key, value });
                }
                opcode::FUNCTION2 => {
                    p.doing = "read-functions";
                    return Ok(Item::Function(self.dec.string()?));
                }
                opcode::FUNCTION_PRE_GA => {
                    p.doing = "read-functions";
                    return Err(self.dec.corrupt("pre-release function format (RDB_OPCODE_FUNCTION) is not supported"));
                }
                opcode::MODULE_AUX => {
                    p.doing = "read-module-aux";
                    return Err(self.dec.corrupt("the RDB holds module data, and vireo has no modules to load it"));
                }
                opcode::EOF => {
                    if self.version >= 5 {
                        p.doing = "check-sum";
                        self.dec.verify_trailer()?;
                    }
                    self.done = true;
                    return Ok(Item::End);
                }
                _ if !matches!(t, 0..=7 | 9..=19) => {
                    return Err(self.dec.corrupt(format!("Invalid object type: {t}")));
                }
                _ => {
                    p.key_type = t as i32;
                    p.doing = "read-key";
                    let key = self.dec.string()?;
                    p.keys += 1;
                    p.doing = "read-object-value";
                    return match value::read_value(&mut self.dec, t, &self.limits) {
                        Ok(value) => {
                            p.key_type = -1;
                            Ok(Item::Key { key, value, expire_ms, idle_secs, freq })
                        }
                        // the key is kept only for the report of a failure, never copied per key
                        Err(e) => {
                            p.key = Some(key);
                            Err(e)
                        }
                    };
                }
            }
        }
    }
}
