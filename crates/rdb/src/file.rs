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

/// Reads an RDB stream item by item.
pub struct Reader<R: Read> {
    pub dec: Decoder<R>,
    pub version: u16,
    limits: Limits,
    done: bool,
}

impl<R: Read> Reader<R> {
    /// Checks the magic and version.
    pub fn open(r: R, limits: Limits) -> Result<Reader<R>, Error> {
        let mut dec = Decoder::new(r);
        let version = dec.header()?;
        Ok(Reader { dec, version, limits, done: false })
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
        loop {
            let t = self.dec.u8()?;
            match t {
                opcode::EXPIRETIME_MS => expire_ms = Some(self.dec.millis()?),
                opcode::EXPIRETIME => expire_ms = Some(self.dec.secs()? as i64 * 1000),
                opcode::IDLE => idle_secs = Some(self.dec.length()?),
                opcode::FREQ => freq = Some(self.dec.u8()?),
                opcode::SELECTDB => return Ok(Item::SelectDb(self.dec.length()?)),
                opcode::RESIZEDB => {
                    let keys = self.dec.length()?;
                    let expires = self.dec.length()?;
                    return Ok(Item::ResizeDb { keys, expires });
                }
                opcode::AUX => {
                    let key = self.dec.string()?;
                    let value = self.dec.string()?;
                    return Ok(Item::Aux { key, value });
                }
                opcode::FUNCTION2 => return Ok(Item::Function(self.dec.string()?)),
                opcode::FUNCTION_PRE_GA => {
                    return Err(self.dec.corrupt("pre-release function format (RDB_OPCODE_FUNCTION) is not supported"))
                }
                opcode::MODULE_AUX => {
                    return Err(self.dec.corrupt("the RDB holds module data, and vireo has no modules to load it"))
                }
                opcode::EOF => {
                    if self.version >= 5 {
                        self.dec.verify_trailer()?;
                    }
                    self.done = true;
                    return Ok(Item::End);
                }
                _ => {
                    let key = self.dec.string()?;
                    let value = value::read_value(&mut self.dec, t, &self.limits)?;
                    return Ok(Item::Key { key, value, expire_ms, idle_secs, freq });
                }
            }
        }
    }
}
