//! The AOF base in command form (`aof-use-rdb-preamble no`): the commands that rebuild every
//! key of every database, in the shape Redis 7.0's rewrite emits them so that either server
//! loads the other's file — SELECT before each non-empty database, SET for strings, RPUSH /
//! SADD / ZADD / HMSET carrying at most `ITEMS_PER_CMD` elements each, streams as XADD per
//! entry (or `XADD MAXLEN 0` for an empty stream) followed by XSETID, XGROUP CREATE per group,
//! XCLAIM ... FORCE per pending entry and XGROUP CREATECONSUMER for consumers without pending
//! entries, and PEXPIREAT after a key with a TTL. It only formats RESP into a writer; where the
//! bytes go (temp file, rename, manifest) is `aof`'s and `persist`'s business.

use std::io::{self, Write};
use vireo_keyspace::db::Db;
use vireo_keyspace::types::stream::{Stream, StreamId};
use vireo_keyspace::types::Elem;
use vireo_keyspace::value::Value;

/// Elements per variadic command (Redis's AOF_REWRITE_ITEMS_PER_CMD).
pub const ITEMS_PER_CMD: usize = 64;

/// A RESP command writer that counts what it wrote.
struct Out<W: Write> {
    w: W,
    num: Vec<u8>,
}

impl<W: Write> Out<W> {
    fn count(&mut self, n: usize) -> io::Result<()> {
        self.num.clear();
        self.num.push(b'*');
        self.num.extend_from_slice(n.to_string().as_bytes());
        self.num.extend_from_slice(b"\r\n");
        self.w.write_all(&self.num)
    }
    fn bulk(&mut self, b: &[u8]) -> io::Result<()> {
        self.num.clear();
        self.num.push(b'$');
        self.num.extend_from_slice(b.len().to_string().as_bytes());
        self.num.extend_from_slice(b"\r\n");
        self.w.write_all(&self.num)?;
        self.w.write_all(b)?;
        self.w.write_all(b"\r\n")
    }
    fn int(&mut self, n: i64) -> io::Result<()> {
        self.bulk(n.to_string().as_bytes())
    }
    fn elem(&mut self, e: Elem<'_>) -> io::Result<()> {
        match e {
            Elem::Bytes(b) => self.bulk(b),
            Elem::Int(n) => self.int(n),
        }
    }
    fn double(&mut self, d: f64) -> io::Result<()> {
        self.bulk(vireo_resp::num::fmt_double(d).as_bytes())
    }
    fn id(&mut self, id: StreamId) -> io::Result<()> {
        self.bulk(format!("{}-{}", id.ms, id.seq).as_bytes())
    }
}

/// Writes batches of `items` elements: each batch opens with `*<2 + n*per>`, `cmd`, `key`.
fn batched<W: Write, T>(
    o: &mut Out<W>,
    cmd: &[u8],
    key: &[u8],
    total: usize,
    per: usize,
    items: impl Iterator<Item = T>,
    mut write: impl FnMut(&mut Out<W>, T) -> io::Result<()>,
) -> io::Result<()> {
    let mut left = total;
    let mut in_cmd = 0;
    for it in items {
        if in_cmd == 0 {
            let n = left.min(ITEMS_PER_CMD);
            o.count(2 + n * per)?;
            o.bulk(cmd)?;
            o.bulk(key)?;
        }
        write(o, it)?;
        in_cmd += 1;
        left = left.saturating_sub(1);
        if in_cmd == ITEMS_PER_CMD {
            in_cmd = 0;
        }
    }
    Ok(())
}

fn stream<W: Write>(o: &mut Out<W>, key: &[u8], s: &Stream) -> io::Result<()> {
    let ent = s.entries();
    if ent.is_empty() {
        // an empty stream: add one entry and trim it away in the same command
        o.count(7)?;
        for a in [&b"XADD"[..], key, b"MAXLEN", b"0", b"0-1", b"x", b"y"] {
            o.bulk(a)?;
        }
    } else {
        for e in ent.iter() {
            o.count(3 + e.num_fields() * 2)?;
            o.bulk(b"XADD")?;
            o.bulk(key)?;
            o.id(e.id)?;
            for (f, v) in e.fields() {
                o.elem(f)?;
                o.elem(v)?;
            }
        }
    }
    o.count(7)?;
    o.bulk(b"XSETID")?;
    o.bulk(key)?;
    o.id(ent.last_id())?;
    o.bulk(b"ENTRIESADDED")?;
    o.int(ent.entries_added() as i64)?;
    o.bulk(b"MAXDELETEDID")?;
    o.id(ent.max_deleted_id())?;
    for (gname, g) in s.groups() {
        o.count(7)?;
        for a in [&b"XGROUP"[..], b"CREATE", key, gname] {
            o.bulk(a)?;
        }
        o.id(g.last_id)?;
        o.bulk(b"ENTRIESREAD")?;
        o.int(g.entries_read)?;
        for (cname, c) in g.consumers() {
            if c.pending() == 0 {
                o.count(5)?;
                for a in [&b"XGROUP"[..], b"CREATECONSUMER", key, gname, cname] {
                    o.bulk(a)?;
                }
                continue;
            }
            for id in c.pending_ids() {
                let Some(nack) = g.nack(id) else { continue };
                o.count(12)?;
                for a in [&b"XCLAIM"[..], key, gname, cname, b"0"] {
                    o.bulk(a)?;
                }
                o.id(id)?;
                o.bulk(b"TIME")?;
                o.int(nack.delivery_time)?;
                o.bulk(b"RETRYCOUNT")?;
                o.int(nack.delivery_count as i64)?;
                o.bulk(b"JUSTID")?;
                o.bulk(b"FORCE")?;
            }
        }
    }
    Ok(())
}

/// The commands that rebuild one key.
fn key<W: Write>(o: &mut Out<W>, k: &[u8], v: &Value, expire_ms: Option<i64>) -> io::Result<()> {
    match v {
        Value::Str(s) => {
            o.count(3)?;
            o.bulk(b"SET")?;
            o.bulk(k)?;
            o.bulk(s)?;
        }
        Value::Int(n) => {
            o.count(3)?;
            o.bulk(b"SET")?;
            o.bulk(k)?;
            o.int(*n)?;
        }
        Value::List(l) => batched(o, b"RPUSH", k, l.len(), 1, l.iter(), |o, e| o.elem(e))?,
        Value::Set(s) => batched(o, b"SADD", k, s.len(), 1, s.iter(), |o, e| o.elem(e))?,
        Value::ZSet(z) => batched(o, b"ZADD", k, z.len(), 2, z.iter(), |o, (m, sc)| {
            o.double(sc)?;
            o.elem(m)
        })?,
        Value::Hash(h) => batched(o, b"HMSET", k, h.len(), 2, h.iter(), |o, (f, v)| {
            o.elem(f)?;
            o.elem(v)
        })?,
        Value::Stream(s) => stream(o, k, s)?,
    }
    if let Some(ms) = expire_ms {
        o.count(3)?;
        o.bulk(b"PEXPIREAT")?;
        o.bulk(k)?;
        o.int(ms)?;
    }
    Ok(())
}

/// Writes the command form of every database to `w`; `timestamp` (unix seconds) opens the file
/// with a `#TS:` annotation as `aof-timestamp-enabled` asks. Returns the number of keys.
pub fn write_dbs<W: Write>(dbs: &[Db], w: W, timestamp: Option<i64>) -> io::Result<u64> {
    let mut o = Out { w, num: Vec::with_capacity(24) };
    if let Some(ts) = timestamp {
        o.w.write_all(format!("#TS:{ts}\r\n").as_bytes())?;
    }
    let mut keys = 0u64;
    for db in dbs {
        if db.is_empty() {
            continue;
        }
        o.count(2)?;
        o.bulk(b"SELECT")?;
        o.int(db.id as i64)?;
        for (k, e) in db.iter() {
            key(&mut o, k, &e.val, db.get_expire(k))?;
            keys += 1;
            let delay = crate::persist::SAVE_KEY_DELAY.load(std::sync::atomic::Ordering::Relaxed);
            if delay != 0 {
                crate::persist::key_load_delay(delay);
            }
        }
    }
    o.w.flush()?;
    Ok(keys)
}
