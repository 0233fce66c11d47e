//! The propagation point's output side. `call()` (in `exec`) collects what a command changed as
//! a list of operations; at the end of the outermost call they are encoded here as RESP
//! commands, wrapped in MULTI/EXEC when there is more than one, preceded by SELECT when the
//! database differs from the last one emitted, and appended to every active sink: the
//! replication buffer (`repl::backlog`, which replica links read by offset), the AOF buffer, and
//! a capture buffer for tests. Nothing else in the server writes to them, except that a replica
//! forwards the exact bytes it applied from its master ([`Propagator::feed_raw`]).

use crate::repl::backlog::ReplBuffer;
use bytes::Bytes;

/// One operation to propagate: a command in a database.
#[derive(Debug, Clone)]
pub struct PropOp {
    pub db: usize,
    pub argv: Vec<Bytes>,
}

/// Where propagated bytes go, and the state that makes a stream self-describing.
#[derive(Debug, Default)]
pub struct Propagator {
    /// Operations collected during the current (outermost) call.
    pub pending: Vec<PropOp>,
    /// Do not wrap in MULTI/EXEC (active expiry, commands touching arbitrary keys).
    pub no_multi: bool,
    /// The database the replication stream last SELECTed (-1: none yet).
    pub repl_seldb: i64,
    /// Offset of the last byte of the replication stream (master_repl_offset). It only moves
    /// while a backlog exists (or a test captures the stream).
    pub repl_offset: u64,
    /// The replication buffer; None until the first replica asks for a sync.
    pub backlog: Option<ReplBuffer>,
    /// We are a replica: our stream is the master's, forwarded by `feed_raw`, so commands
    /// executed here are not added to it.
    pub repl_from_master: bool,
    /// Bytes were added to the replication stream since the replica links last looked.
    pub repl_fed: bool,
    /// Capture of the replication stream, enabled by tests.
    pub capture: Option<Vec<u8>>,
    /// The AOF takes the stream (appendonly on); its own SELECT state and buffer, written by
    /// the aof module before replies go out.
    pub aof_active: bool,
    pub aof_seldb: i64,
    pub aof_buf: Vec<u8>,
    /// `aof-timestamp-enabled`: a `#TS:<unix time>` annotation precedes the first command of
    /// each new second in the AOF.
    pub aof_timestamps: bool,
    pub aof_cur_ts: i64,
}

impl Propagator {
    pub fn new() -> Propagator {
        Propagator { repl_seldb: -1, aof_seldb: -1, ..Default::default() }
    }

    /// True when some sink would receive the stream; when false, nothing is encoded at all.
    pub fn active(&self) -> bool {
        self.repl_active() || self.aof_active
    }

    fn repl_active(&self) -> bool {
        (self.backlog.is_some() && !self.repl_from_master) || self.capture.is_some()
    }

    /// Appends bytes received from our master (already applied) to our own stream, unchanged.
    pub fn feed_raw(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if let Some(b) = &mut self.backlog {
            b.append(bytes);
            self.repl_offset = b.end();
            self.repl_fed = true;
        } else {
            self.repl_offset += bytes.len() as u64;
        }
        if let Some(cap) = &mut self.capture {
            cap.extend_from_slice(bytes);
        }
    }

    /// Appends bytes generated here (PING, REPLCONF GETACK) to the replication stream.
    pub fn feed_repl_command(&mut self, argv: &[&[u8]]) {
        if self.backlog.is_none() || self.repl_from_master {
            return;
        }
        let mut out = Vec::new();
        encode_command(&mut out, argv);
        self.feed_raw(&out);
    }

    /// Emits the pending operations (propagatePendingCommands).
    pub fn flush(&mut self, wrap_allowed: bool) {
        if self.pending.is_empty() {
            return;
        }
        let ops = std::mem::take(&mut self.pending);
        if !self.active() {
            return;
        }
        let wrap = ops.len() > 1 && !self.no_multi && wrap_allowed;
        if wrap {
            self.feed(ops[0].db, &[Bytes::from_static(b"MULTI")]);
        }
        for op in &ops {
            self.feed(op.db, &op.argv);
        }
        if wrap {
            self.feed(ops[ops.len() - 1].db, &[Bytes::from_static(b"EXEC")]);
        }
    }

    /// Appends one command to the stream, preceded by SELECT when needed.
    fn feed(&mut self, db: usize, argv: &[Bytes]) {
        let mut cmd = Vec::new();
        encode_command(&mut cmd, argv);
        let select = |out: &mut Vec<u8>| {
            let n = db.to_string();
            encode_command(out, &[b"SELECT", n.as_bytes()]);
        };
        if self.aof_active {
            if self.aof_timestamps {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as i64);
                if now > self.aof_cur_ts {
                    self.aof_buf.extend_from_slice(format!("#TS:{now}\r\n").as_bytes());
                    self.aof_cur_ts = now;
                }
            }
            if self.aof_seldb != db as i64 {
                select(&mut self.aof_buf);
                self.aof_seldb = db as i64;
            }
            self.aof_buf.extend_from_slice(&cmd);
        }
        if self.repl_active() && !self.repl_from_master {
            let mut out = Vec::new();
            if self.repl_seldb != db as i64 {
                select(&mut out);
                self.repl_seldb = db as i64;
            }
            out.extend_from_slice(&cmd);
            self.feed_raw(&out);
        }
    }
}

/// RESP multibulk encoding of a command.
pub fn encode_command(out: &mut Vec<u8>, argv: &[impl AsRef<[u8]>]) {
    out.push(b'*');
    out.extend_from_slice(argv.len().to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
    for a in argv {
        let a = a.as_ref();
        out.push(b'$');
        out.extend_from_slice(a.len().to_string().as_bytes());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}
