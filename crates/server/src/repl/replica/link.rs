//! The helper thread of a link attempt: connect to the master, the handshake (PING, AUTH,
//! REPLCONF, PSYNC or SYNC), and the download of the snapshot (`$<len>` or `$EOF:<mark>`
//! framing) to a temp file or to memory. It works with blocking sockets and short read
//! timeouts, so that it notices a cancellation and enforces repl-timeout, and reports its
//! progress through atomics. It owns no server state: what it obtained goes back to the event
//! loop as a [`LinkMsg`].

use super::{Progress, PHASE_HANDSHAKE, PHASE_TRANSFER};
use crate::{log_notice, log_warning};
use std::fs::{File, OpenOptions};
use std::io::{self, ErrorKind, Read, Seek, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::Duration;

/// What an attempt needs to know, copied from the server when it starts.
pub struct LinkParams {
    pub gen: u64,
    pub host: String,
    pub port: u16,
    pub masterauth: String,
    pub masteruser: String,
    pub listening_port: u16,
    pub announce_ip: String,
    pub timeout_s: i64,
    /// The cached master to continue from: (replid, reploff).
    pub psync: Option<(String, i64)>,
    /// Receive the snapshot into memory (repl-diskless-load) instead of a file.
    pub diskless_load: bool,
    /// We are a master handing over with FAILOVER: PSYNC carries FAILOVER, and a refusal ends
    /// the attempt instead of falling back to SYNC.
    pub failover: bool,
    pub cancel: Arc<AtomicBool>,
    pub progress: Arc<Progress>,
    pub tx: Sender<LinkMsg>,
    pub waker: Option<Arc<mio::Waker>>,
}

/// Where the snapshot was put.
pub enum Payload {
    /// A temp file in the working directory, fsynced.
    File(String),
    Memory(Vec<u8>),
}

/// The outcome of an attempt.
pub enum LinkMsg {
    /// The attempt failed (already logged); reconnect at once, or at the next cron.
    Failed { gen: u64, reconnect_now: bool },
    /// +CONTINUE: the stream continues on this socket; the master's id if it sent one.
    Continue { gen: u64, stream: TcpStream, new_id: Option<String> },
    /// A full sync: the snapshot, and the master's id and offset (-1 after SYNC).
    Full { gen: u64, stream: TcpStream, replid: String, offset: i64, payload: Payload, eof: bool },
}

impl LinkMsg {
    pub fn gen(&self) -> u64 {
        match self {
            LinkMsg::Failed { gen, .. } | LinkMsg::Continue { gen, .. } | LinkMsg::Full { gen, .. } => *gen,
        }
    }

    /// Releases what a stale message holds.
    pub fn discard(self) {
        if let LinkMsg::Full { payload: Payload::File(path), .. } = self {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Why an attempt stopped.
enum Stop {
    /// Cancelled by the event loop: nothing to report.
    Cancelled,
    /// Logged; reconnect at once (transfer errors) or at the next cron (handshake errors).
    Failed { reconnect_now: bool },
}

fn now_s() -> i64 {
    crate::server::now_ms() / 1000
}

/// The thread's body.
pub fn run(p: LinkParams) {
    let msg = match attempt(&p) {
        Ok(m) => m,
        Err(Stop::Cancelled) => return,
        Err(Stop::Failed { reconnect_now }) => LinkMsg::Failed { gen: p.gen, reconnect_now },
    };
    if p.cancel.load(Ordering::SeqCst) {
        msg.discard();
        return;
    }
    if p.tx.send(msg).is_ok() {
        if let Some(w) = &p.waker {
            let _ = w.wake();
        }
    }
}

/// A blocking socket read in slices, watching for cancellation and repl-timeout.
struct Wire<'a> {
    s: TcpStream,
    p: &'a LinkParams,
    /// In the transfer phase timeouts and errors are logged differently.
    transfer: bool,
}

const SLICE: Duration = Duration::from_millis(100);

impl Wire<'_> {
    fn touch(&self) {
        self.p.progress.lastio.store(now_s(), Ordering::Relaxed);
    }

    fn timed_out(&self) -> Stop {
        if self.transfer {
            log_warning!("Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.");
        } else {
            log_warning!("Timeout connecting to the MASTER...");
        }
        Stop::Failed { reconnect_now: true }
    }

    fn read_some(&mut self, buf: &mut [u8]) -> Result<usize, Stop> {
        loop {
            if self.p.cancel.load(Ordering::SeqCst) {
                return Err(Stop::Cancelled);
            }
            match self.s.read(buf) {
                Ok(0) => return Err(self.io_error("connection lost".to_string())),
                Ok(n) => {
                    self.touch();
                    return Ok(n);
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    let last = self.p.progress.lastio.load(Ordering::Relaxed);
                    if now_s() - last > self.p.timeout_s {
                        return Err(self.timed_out());
                    }
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(self.io_error(crate::util::os_error_text(&e))),
            }
        }
    }

    fn io_error(&self, what: String) -> Stop {
        if self.transfer {
            log_warning!("I/O error trying to sync with MASTER: {}", what);
            Stop::Failed { reconnect_now: true }
        } else {
            log_warning!("Failed to read response from the server: {}", what);
            log_warning!("Master did not respond to command during SYNC handshake");
            Stop::Failed { reconnect_now: false }
        }
    }

    /// One line, without its CR LF (read byte by byte: nothing after it is consumed).
    fn read_line(&mut self) -> Result<String, Stop> {
        let mut line = Vec::new();
        let mut b = [0u8; 1];
        loop {
            self.read_some(&mut b)?;
            if b[0] == b'\n' {
                break;
            }
            if line.len() < 4096 {
                line.push(b[0]);
            }
        }
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Ok(String::from_utf8_lossy(&line).into_owned())
    }

    fn send(&mut self, argv: &[&[u8]]) -> Result<(), Stop> {
        let mut out = Vec::new();
        crate::propagate::encode_command(&mut out, argv);
        self.send_raw(&out)
    }

    fn send_raw(&mut self, bytes: &[u8]) -> Result<(), Stop> {
        let _ = self.s.set_write_timeout(Some(Duration::from_secs(self.p.timeout_s as u64)));
        if let Err(e) = self.s.write_all(bytes) {
            log_warning!(
                "Sending command to master in replication handshake: -Writing to master: {}",
                crate::util::os_error_text(&e)
            );
            return Err(Stop::Failed { reconnect_now: false });
        }
        Ok(())
    }
}

fn connect(p: &LinkParams) -> Result<TcpStream, Stop> {
    let addrs: Vec<std::net::SocketAddr> = match (p.host.as_str(), p.port).to_socket_addrs() {
        Ok(a) => a.collect(),
        Err(e) => {
            log_warning!("Unable to connect to MASTER: {}", e);
            return Err(Stop::Failed { reconnect_now: false });
        }
    };
    let mut last = io::Error::from(ErrorKind::NotFound);
    for a in addrs {
        if p.cancel.load(Ordering::SeqCst) {
            return Err(Stop::Cancelled);
        }
        match TcpStream::connect_timeout(&a, Duration::from_secs(p.timeout_s as u64)) {
            Ok(s) => return Ok(s),
            Err(e) => last = e,
        }
    }
    if last.kind() == ErrorKind::TimedOut {
        log_warning!("Timeout connecting to the MASTER...");
        return Err(Stop::Failed { reconnect_now: true });
    }
    log_warning!("Error condition on socket for SYNC: {}", crate::util::os_error_text(&last));
    Err(Stop::Failed { reconnect_now: false })
}

/// The outcome of the PSYNC request.
enum Psync {
    Continue(Option<String>),
    Full(String, i64),
    NotSupported,
}

fn attempt(p: &LinkParams) -> Result<LinkMsg, Stop> {
    let s = connect(p)?;
    let _ = s.set_nodelay(true);
    let _ = s.set_read_timeout(Some(SLICE));
    let mut w = Wire { s, p, transfer: false };
    w.touch();
    log_notice!("Non blocking connect for SYNC fired the event.");
    p.progress.phase.store(PHASE_HANDSHAKE, Ordering::Relaxed);
    w.send(&[b"PING"])?;
    let pong = w.read_line()?;
    if !pong.starts_with('+')
        && !pong.starts_with("-NOAUTH")
        && !pong.starts_with("-NOPERM")
        && !pong.starts_with("-ERR operation not permitted")
    {
        log_warning!("Error reply to PING from master: '{}'", pong);
        return Err(Stop::Failed { reconnect_now: false });
    }
    log_notice!("Master replied to PING, replication can continue...");
    // the rest of the handshake goes out at once; the replies are read in order
    let auth = !p.masterauth.is_empty();
    if auth {
        if p.masteruser.is_empty() {
            w.send(&[b"AUTH", p.masterauth.as_bytes()])?;
        } else {
            w.send(&[b"AUTH", p.masteruser.as_bytes(), p.masterauth.as_bytes()])?;
        }
    }
    let port = p.listening_port.to_string();
    w.send(&[b"REPLCONF", b"listening-port", port.as_bytes()])?;
    if !p.announce_ip.is_empty() {
        w.send(&[b"REPLCONF", b"ip-address", p.announce_ip.as_bytes()])?;
    }
    w.send(&[b"REPLCONF", b"capa", b"eof", b"capa", b"psync2"])?;
    if auth {
        let r = w.read_line()?;
        if r.starts_with('-') {
            log_warning!("Unable to AUTH to MASTER: {}", r);
            return Err(Stop::Failed { reconnect_now: false });
        }
    }
    let r = w.read_line()?;
    if r.starts_with('-') {
        log_notice!("(Non critical) Master does not understand REPLCONF listening-port: {}", r);
    }
    if !p.announce_ip.is_empty() {
        let r = w.read_line()?;
        if r.starts_with('-') {
            log_notice!("(Non critical) Master does not understand REPLCONF ip-address: {}", r);
        }
    }
    let r = w.read_line()?;
    if r.starts_with('-') {
        log_notice!("(Non critical) Master does not understand REPLCONF capa: {}", r);
    }
    let (replid, offset) = match psync(&mut w)? {
        Psync::Continue(new_id) => {
            let stream = w.s;
            return Ok(LinkMsg::Continue { gen: p.gen, stream, new_id });
        }
        Psync::Full(id, off) => (id, off),
        Psync::NotSupported => {
            log_notice!("Retrying with SYNC...");
            if let Err(e) = w.s.write_all(b"SYNC\r\n") {
                log_warning!("I/O error writing to MASTER: {}", crate::util::os_error_text(&e));
                return Err(Stop::Failed { reconnect_now: false });
            }
            (String::new(), -1)
        }
    };
    let (payload, eof) = transfer(&mut w)?;
    Ok(LinkMsg::Full { gen: p.gen, stream: w.s, replid, offset, payload, eof })
}

fn psync(w: &mut Wire) -> Result<Psync, Stop> {
    let p = w.p;
    let (id, off) = match &p.psync {
        Some((id, off)) => {
            let off = (off + 1).to_string();
            log_notice!("Trying a partial resynchronization (request {}:{}).", id, off);
            (id.clone(), off)
        }
        None => {
            log_notice!("Partial resynchronization not possible (no cached master)");
            ("?".to_string(), "-1".to_string())
        }
    };
    let sent = if p.failover {
        w.send(&[b"PSYNC", id.as_bytes(), off.as_bytes(), b"FAILOVER"])
    } else {
        w.send(&[b"PSYNC", id.as_bytes(), off.as_bytes()])
    };
    if sent.is_err() {
        return Err(Stop::Failed { reconnect_now: false });
    }
    // empty lines are keepalives the master may send before its answer
    let reply = loop {
        let l = w.read_line().map_err(|e| {
            if let Stop::Failed { .. } = e {
                log_warning!("Master did not reply to PSYNC, will try later");
            }
            e
        })?;
        if !l.is_empty() {
            break l;
        }
    };
    if let Some(rest) = reply.strip_prefix("+FULLRESYNC") {
        let parts: Vec<&str> = rest.split(' ').filter(|s| !s.is_empty()).collect();
        if parts.len() >= 2 && parts[0].len() == 40 {
            let off = parts[1].parse::<i64>().unwrap_or(0);
            log_notice!("Full resync from master: {}:{}", parts[0], off);
            return Ok(Psync::Full(parts[0].to_string(), off));
        }
        log_warning!("Master replied with wrong +FULLRESYNC syntax.");
        return Ok(Psync::Full(String::new(), -1));
    }
    if let Some(rest) = reply.strip_prefix("+CONTINUE") {
        log_notice!("Successful partial resynchronization with master.");
        let id = rest.trim();
        let new_id = (id.len() == 40).then(|| id.to_string());
        return Ok(Psync::Continue(new_id));
    }
    if reply.starts_with("-NOMASTERLINK") || reply.starts_with("-LOADING") {
        log_notice!("Master is currently unable to PSYNC but should be in the future: {}", reply);
        return Err(Stop::Failed { reconnect_now: false });
    }
    if p.failover {
        log_warning!("Failover target rejected psync request: {}", reply);
        return Err(Stop::Failed { reconnect_now: false });
    }
    if reply.starts_with("-ERR") {
        log_notice!("Master does not support PSYNC or is in error state (reply: {})", reply);
    } else {
        log_warning!("Unexpected reply to PSYNC from master: {}", reply);
    }
    Ok(Psync::NotSupported)
}

/// Where the snapshot bytes go while they arrive.
enum Sink {
    File(File, String),
    Memory(Vec<u8>),
}

fn open_temp() -> Result<(File, String), Stop> {
    let mut last = None;
    for _ in 0..5 {
        let name = format!("temp-{}.{}.rdb", now_s(), std::process::id());
        match OpenOptions::new().write(true).create_new(true).open(&name) {
            Ok(f) => return Ok((f, name)),
            Err(e) => last = Some(e),
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    let e = last.unwrap_or_else(|| io::Error::from(ErrorKind::Other));
    log_warning!(
        "Opening the temp file needed for MASTER <-> REPLICA synchronization: {}",
        crate::util::os_error_text(&e)
    );
    Err(Stop::Failed { reconnect_now: false })
}

fn transfer(w: &mut Wire) -> Result<(Payload, bool), Stop> {
    let p = w.p;
    let mut sink = if p.diskless_load {
        Sink::Memory(Vec::new())
    } else {
        let (f, name) = open_temp()?;
        Sink::File(f, name)
    };
    p.progress.size.store(-1, Ordering::Relaxed);
    p.progress.read.store(0, Ordering::Relaxed);
    p.progress.phase.store(PHASE_TRANSFER, Ordering::Relaxed);
    w.transfer = true;
    let res = receive(w, &mut sink);
    match (res, sink) {
        (Ok(eof), Sink::Memory(v)) => Ok((Payload::Memory(v), eof)),
        (Ok(eof), Sink::File(f, name)) => {
            if let Err(e) = f.sync_all() {
                log_warning!(
                    "Failed trying to sync the temp DB to disk in MASTER <-> REPLICA synchronization: {}",
                    crate::util::os_error_text(&e)
                );
                let _ = std::fs::remove_file(&name);
                return Err(Stop::Failed { reconnect_now: true });
            }
            Ok((Payload::File(name), eof))
        }
        (Err(e), Sink::File(_, name)) => {
            let _ = std::fs::remove_file(&name);
            Err(e)
        }
        (Err(e), Sink::Memory(_)) => Err(e),
    }
}

/// Reads the bulk header and the payload into `sink`; Ok(true) for an EOF-marked transfer.
fn receive(w: &mut Wire, sink: &mut Sink) -> Result<bool, Stop> {
    let p = w.p;
    let to = if p.diskless_load { "to parser" } else { "to disk" };
    let header = loop {
        let l = w.read_line()?;
        p.progress.read.store(0, Ordering::Relaxed);
        if l.is_empty() {
            // a keepalive newline while the master prepares the snapshot
            continue;
        }
        if let Some(err) = l.strip_prefix('-') {
            log_warning!("MASTER aborted replication with an error: {}", err);
            return Err(Stop::Failed { reconnect_now: true });
        }
        if !l.starts_with('$') {
            log_warning!("Bad protocol from MASTER, the first byte is not '$' (we received '{}'), are you sure the host and port are right?", l);
            return Err(Stop::Failed { reconnect_now: true });
        }
        break l;
    };
    let mut buf = vec![0u8; 64 * 1024];
    if let Some(mark) = header.strip_prefix("$EOF:").filter(|m| m.len() >= 40) {
        let mark = mark.as_bytes()[..40].to_vec();
        p.progress.size.store(0, Ordering::Relaxed);
        log_notice!("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF {}", to);
        let mut last: Vec<u8> = Vec::with_capacity(80);
        let mut total: u64 = 0;
        loop {
            let n = w.read_some(&mut buf)?;
            total += n as u64;
            p.progress.read.store(total, Ordering::Relaxed);
            write_sink(sink, &buf[..n])?;
            last.extend_from_slice(&buf[..n]);
            if last.len() > 40 {
                last.drain(..last.len() - 40);
            }
            if last == mark {
                truncate_sink(sink, total - 40)?;
                return Ok(true);
            }
        }
    }
    let size = header[1..].trim().parse::<i64>().unwrap_or(0).max(0) as u64;
    p.progress.size.store(size as i64, Ordering::Relaxed);
    log_notice!("MASTER <-> REPLICA sync: receiving {} bytes from master {}", size, to);
    if let Sink::Memory(v) = sink {
        v.reserve(size.min(1 << 30) as usize);
    }
    let mut got: u64 = 0;
    while got < size {
        let want = ((size - got) as usize).min(buf.len());
        let n = w.read_some(&mut buf[..want])?;
        write_sink(sink, &buf[..n])?;
        got += n as u64;
        p.progress.read.store(got, Ordering::Relaxed);
    }
    Ok(false)
}

fn write_sink(sink: &mut Sink, data: &[u8]) -> Result<(), Stop> {
    match sink {
        Sink::Memory(v) => {
            v.extend_from_slice(data);
            Ok(())
        }
        Sink::File(f, _) => f.write_all(data).map_err(|e| {
            log_warning!(
                "Write error or short write writing to the DB dump file needed for MASTER <-> REPLICA synchronization: {}",
                crate::util::os_error_text(&e)
            );
            Stop::Failed { reconnect_now: true }
        }),
    }
}

fn truncate_sink(sink: &mut Sink, len: u64) -> Result<(), Stop> {
    match sink {
        Sink::Memory(v) => {
            v.truncate(len as usize);
            Ok(())
        }
        Sink::File(f, _) => f.set_len(len).and_then(|_| f.seek(io::SeekFrom::End(0)).map(|_| ())).map_err(|e| {
            log_warning!(
                "Error truncating the RDB file received from the master for SYNC: {}",
                crate::util::os_error_text(&e)
            );
            Stop::Failed { reconnect_now: true }
        }),
    }
}
