//! A connected client: its socket, query buffer and parser state, pending reply bytes, selected
//! database, protocol version, name, flags and timestamps. This module holds per-client state
//! only; it never executes commands (see `exec`) and never touches the event loop (see `net`).

use bytes::{Bytes, BytesMut};
use std::io;
use vireo_resp::{Proto, ReplyBuf, RequestParser};

/// The socket of a client. `None` is a client without a connection (tests, AOF loading).
pub enum Conn {
    Tcp(mio::net::TcpStream),
    Unix(mio::net::UnixStream),
    None,
}

impl Conn {
    pub fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use std::io::Read;
        match self {
            Conn::Tcp(s) => s.read(buf),
            Conn::Unix(s) => s.read(buf),
            Conn::None => Ok(0),
        }
    }
    pub fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        use std::io::Write;
        match self {
            Conn::Tcp(s) => s.write(buf),
            Conn::Unix(s) => s.write(buf),
            Conn::None => Ok(buf.len()),
        }
    }
    pub fn fd(&self) -> i32 {
        use std::os::fd::AsRawFd;
        match self {
            Conn::Tcp(s) => s.as_raw_fd(),
            Conn::Unix(s) => s.as_raw_fd(),
            Conn::None => -1,
        }
    }
    pub fn shutdown(&self) {
        match self {
            Conn::Tcp(s) => {
                let _ = s.shutdown(std::net::Shutdown::Both);
            }
            Conn::Unix(s) => {
                let _ = s.shutdown(std::net::Shutdown::Both);
            }
            Conn::None => {}
        }
    }
}

/// Client flags (a subset of Redis's CLIENT_*), as bits.
pub mod cflags {
    /// The client is our master (replies suppressed, never expires keys).
    pub const MASTER: u64 = 1 << 0;
    /// The client is one of our replicas.
    pub const SLAVE: u64 = 1 << 1;
    pub const MONITOR: u64 = 1 << 2;
    pub const MULTI: u64 = 1 << 3;
    pub const BLOCKED: u64 = 1 << 4;
    pub const DIRTY_CAS: u64 = 1 << 5;
    /// Close after the pending reply is written (QUIT, protocol errors).
    pub const CLOSE_AFTER_REPLY: u64 = 1 << 6;
    pub const UNBLOCKED: u64 = 1 << 7;
    /// Close as soon as possible, dropping pending output.
    pub const CLOSE_ASAP: u64 = 1 << 10;
    pub const UNIX_SOCKET: u64 = 1 << 11;
    pub const DIRTY_EXEC: u64 = 1 << 12;
    pub const PUBSUB: u64 = 1 << 18;
    pub const PREVENT_PROP: u64 = 1 << 19;
    pub const PENDING_COMMAND: u64 = 1 << 30;
    pub const TRACKING: u64 = 1 << 31;
    pub const NO_EVICT: u64 = 1 << 43;
    pub const NO_TOUCH: u64 = 1 << 44;
    /// Not a network client: AOF loading or an internal caller.
    pub const FAKE: u64 = 1 << 45;
    /// Waiting for CLIENT PAUSE to end before its next command runs.
    pub const PAUSED: u64 = 1 << 46;
    /// Waiting for a job it handed to the event loop (DEBUG RELOAD, DEBUG LOADAOF) to end:
    /// its further input is neither read nor run meanwhile (Redis's protected client).
    pub const LOOP_JOB: u64 = 1 << 47;
}

/// CLIENT REPLY modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyMode {
    On,
    Off,
    /// Skip the reply of the next command only.
    SkipNext,
    /// Skipping the reply of the current command.
    Skip,
}

/// The reply buffer of a client plus the errors written into it (for errorstats and
/// failed_calls). Methods of [`ReplyBuf`] are reachable through `Deref`; `error` is shadowed so
/// that every error is counted.
#[derive(Debug, Default)]
pub struct Reply {
    pub rb: ReplyBuf,
    /// Errors written since the last drain (full texts).
    pub errors: Vec<String>,
}

impl Reply {
    pub fn error(&mut self, s: &str) {
        self.rb.error(s);
        self.errors.push(s.to_string());
    }
}

impl std::ops::Deref for Reply {
    type Target = ReplyBuf;
    fn deref(&self) -> &ReplyBuf {
        &self.rb
    }
}

impl std::ops::DerefMut for Reply {
    fn deref_mut(&mut self) -> &mut ReplyBuf {
        &mut self.rb
    }
}

pub struct Client {
    pub id: u64,
    /// Slab index; also the mio token.
    pub token: usize,
    pub conn: Conn,
    /// "ip:port" of the peer (or "/path/to/socket:0").
    pub addr: String,
    /// "ip:port" of our side.
    pub laddr: String,
    pub flags: u64,
    pub db: usize,
    pub name: Option<Bytes>,
    pub qbuf: BytesMut,
    pub parser: RequestParser,
    pub argv: Vec<Bytes>,
    pub reply: Reply,
    /// Bytes at the front of `reply` already written to the socket.
    pub sent: usize,
    pub reply_mode: ReplyMode,
    /// Byte ranges of `reply` holding pub/sub pushes written while replies are off or skipped:
    /// those reach the client anyway (Redis's "pushing" exception to CLIENT REPLY OFF/SKIP).
    pub kept_pushes: Vec<std::ops::Range<usize>>,
    pub authenticated: bool,
    pub user: String,
    /// Creation and last-interaction times, ms since the epoch.
    pub ctime_ms: i64,
    pub last_interaction_ms: i64,
    /// Last command run ("get", "config|set"), for CLIENT LIST.
    pub last_cmd: String,
    /// Bytes read/written on this connection.
    pub net_in: u64,
    pub net_out: u64,
    /// Largest query buffer seen recently (client_recent_max_input_buffer).
    pub qbuf_peak: usize,
    /// Registered with the poller for readability.
    pub registered: bool,
    /// Queued in the server's pending-write list.
    pub pending_write: bool,
    /// More bytes may be waiting in the socket (we stopped reading before WouldBlock).
    pub read_more: bool,
    /// Commands are waiting in qbuf (e.g. when it was paused or blocked).
    pub has_pending_input: bool,
    /// Bytes of requests taken off the front of `qbuf` during the current pass over it (Redis's
    /// qb_pos: Redis trims its query buffer only after the pass, so CLIENT LIST run from a
    /// pipeline counts them in `qbuf=`). Zero between passes.
    pub qb_pos: usize,
    /// What the client waits for while blocked on keys.
    pub block: Option<crate::blocking::BlockState>,
    /// Commands queued since MULTI.
    pub mstate: crate::cmd::multi::MultiState,
    /// Keys this client WATCHes.
    pub watched: Vec<crate::cmd::multi::WatchedKey>,
    /// Pub/Sub subscriptions.
    pub subs: crate::cmd::pubsub::ClientSubs,
    /// Replica state of a client that is (or is becoming) one of our replicas.
    pub repl: Option<Box<crate::repl::master::ReplicaLink>>,
    /// State of the client that is our master (applied offset, raw bytes to forward).
    pub master: Option<Box<crate::repl::replica::MasterClient>>,
    /// The replication offset right after this client's last propagated write (WAIT).
    pub woff: u64,
}

impl Client {
    pub fn new(id: u64, token: usize, conn: Conn, addr: String, laddr: String, now_ms: i64) -> Client {
        Client {
            id,
            token,
            conn,
            addr,
            laddr,
            flags: 0,
            db: 0,
            name: None,
            qbuf: BytesMut::new(),
            parser: RequestParser::new(),
            argv: Vec::new(),
            reply: Reply::default(),
            sent: 0,
            reply_mode: ReplyMode::On,
            kept_pushes: Vec::new(),
            authenticated: false,
            user: "default".to_string(),
            ctime_ms: now_ms,
            last_interaction_ms: now_ms,
            last_cmd: "NULL".to_string(),
            net_in: 0,
            net_out: 0,
            qbuf_peak: 0,
            registered: false,
            pending_write: false,
            read_more: false,
            has_pending_input: false,
            qb_pos: 0,
            block: None,
            mstate: Default::default(),
            watched: Vec::new(),
            subs: Default::default(),
            repl: None,
            master: None,
            woff: 0,
        }
    }

    /// A client with no connection (tests, AOF loader, internal calls).
    pub fn fake(id: u64) -> Client {
        let mut c = Client::new(id, usize::MAX, Conn::None, String::new(), String::new(), 0);
        c.flags |= cflags::FAKE;
        c.authenticated = true;
        c
    }

    pub fn has(&self, f: u64) -> bool {
        self.flags & f != 0
    }
    pub fn proto(&self) -> Proto {
        self.reply.rb.proto
    }
    pub fn resp3(&self) -> bool {
        self.reply.rb.proto == Proto::Resp3
    }
    /// Pending output bytes.
    pub fn pending_output(&self) -> usize {
        self.reply.rb.buf.len() - self.sent
    }
    pub fn is_fake(&self) -> bool {
        self.has(cflags::FAKE)
    }
}
