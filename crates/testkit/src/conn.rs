//! `RawConn`: a blocking TCP client connection for tests that sends arbitrary bytes or encoded
//! commands and reads back the exact bytes of one complete reply at a time, with a read timeout,
//! and can tell when the server has closed the connection. It knows RESP framing (from `resp`)
//! but nothing of what the commands mean or which server is on the other side.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::quote::repr;
use crate::resp::{encode_cmd, parse_reply, reply_len, Reply};

/// How long reads wait by default before giving up.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long [`RawConn::is_closed`] waits for the close to arrive.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// Why no complete reply could be read.
#[derive(Debug)]
pub enum ReadError {
    /// The timeout passed; `partial` holds the bytes of an unfinished reply, if any.
    Timeout { partial: Vec<u8> },
    /// The server closed the connection; `partial` holds the bytes of an unfinished reply.
    Closed { partial: Vec<u8> },
    /// The bytes received cannot be a RESP reply.
    Malformed { reason: String, data: Vec<u8> },
    /// Any other socket error.
    Io(io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Timeout { partial } if partial.is_empty() => f.write_str("timed out waiting for a reply"),
            ReadError::Timeout { partial } => write!(f, "timed out inside a reply, got {}", repr(partial)),
            ReadError::Closed { partial } if partial.is_empty() => f.write_str("connection closed by the server"),
            ReadError::Closed { partial } => write!(f, "connection closed inside a reply, got {}", repr(partial)),
            ReadError::Malformed { reason, data } => write!(f, "malformed reply ({reason}): {}", repr(data)),
            ReadError::Io(e) => write!(f, "socket error: {e}"),
        }
    }
}

impl std::error::Error for ReadError {}

/// A blocking connection to a RESP server that returns replies as exact bytes.
pub struct RawConn {
    stream: TcpStream,
    /// Received bytes not yet returned.
    buf: Vec<u8>,
    timeout: Duration,
    /// The server's end of stream has been seen.
    eof: bool,
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut)
}

fn is_reset(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted | io::ErrorKind::BrokenPipe)
}

impl RawConn {
    /// Connects to `addr` (giving up after the default timeout), with Nagle off.
    pub fn connect(addr: SocketAddr) -> io::Result<RawConn> {
        let stream = TcpStream::connect_timeout(&addr, DEFAULT_TIMEOUT)?;
        stream.set_nodelay(true)?;
        Ok(RawConn { stream, buf: Vec::new(), timeout: DEFAULT_TIMEOUT, eof: false })
    }

    /// Sets how long reads wait (default 10 s).
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// How long reads wait.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The underlying socket (for shutdowns, addresses, socket options).
    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// This side's address, as the server sees it in CLIENT LIST (`addr=`).
    pub fn local_addr(&self) -> SocketAddr {
        self.stream.local_addr().expect("local address of a connected socket")
    }

    /// Received bytes that no read has returned yet.
    pub fn buffered(&self) -> &[u8] {
        &self.buf
    }

    /// Sends bytes as they are; socket errors are returned.
    pub fn try_send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// Sends bytes as they are, panicking on a socket error.
    pub fn send(&mut self, bytes: &[u8]) {
        if let Err(e) = self.try_send(bytes) {
            panic!("sending {} failed: {e}", repr(&bytes[..bytes.len().min(200)]));
        }
    }

    /// Sends one command encoded as a RESP multibulk request.
    pub fn send_cmd<A: AsRef<[u8]>>(&mut self, args: &[A]) {
        self.send(&encode_cmd(args));
    }

    /// Reads more bytes into the buffer, waiting until `deadline`. `Ok(false)` on timeout.
    fn fill(&mut self, deadline: Instant) -> Result<bool, ReadError> {
        if self.eof {
            return Err(ReadError::Closed { partial: self.buf.clone() });
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(false);
        }
        // A zero read timeout means "block forever" to the socket, so keep it at least 1 ms.
        let wait = (deadline - now).max(Duration::from_millis(1));
        self.stream.set_read_timeout(Some(wait)).map_err(ReadError::Io)?;
        let mut chunk = [0u8; 64 * 1024];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => {
                    self.eof = true;
                    return Err(ReadError::Closed { partial: self.buf.clone() });
                }
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if is_timeout(&e) => return Ok(false),
                Err(e) if is_reset(&e) => {
                    self.eof = true;
                    return Err(ReadError::Closed { partial: self.buf.clone() });
                }
                Err(e) => return Err(ReadError::Io(e)),
            }
        }
    }

    /// Reads one complete reply, waiting at most `timeout` for it.
    pub fn read_reply_within(&mut self, timeout: Duration) -> Result<Vec<u8>, ReadError> {
        let deadline = Instant::now() + timeout;
        loop {
            match reply_len(&self.buf) {
                Ok(Some(n)) => return Ok(self.buf.drain(..n).collect()),
                Ok(None) => {}
                Err(reason) => return Err(ReadError::Malformed { reason, data: self.buf.clone() }),
            }
            if !self.fill(deadline)? {
                return Err(ReadError::Timeout { partial: self.buf.clone() });
            }
        }
    }

    /// Reads one complete reply within the connection's timeout, without panicking.
    pub fn next_reply(&mut self) -> Result<Vec<u8>, ReadError> {
        self.read_reply_within(self.timeout)
    }

    /// Reads the exact bytes of one complete reply (an attribute together with the reply it
    /// precedes; a push message on its own), panicking on timeout, close or malformed data.
    pub fn read_reply(&mut self) -> Vec<u8> {
        match self.next_reply() {
            Ok(r) => r,
            Err(e) => panic!("reading a reply from {:?}: {e}", self.stream.peer_addr().ok()),
        }
    }

    /// One reply if it arrives within `timeout`; `None` on timeout or when the server closed the
    /// connection. Malformed data panics, as it is a protocol bug no test should ignore.
    pub fn try_read_reply(&mut self, timeout: Duration) -> Option<Vec<u8>> {
        match self.read_reply_within(timeout) {
            Ok(r) => Some(r),
            Err(ReadError::Timeout { .. } | ReadError::Closed { .. }) => None,
            Err(e) => panic!("reading a reply: {e}"),
        }
    }

    /// Reads one reply and parses it.
    pub fn read_parsed(&mut self) -> Reply {
        parse_reply(&self.read_reply())
    }

    /// Sends a command and returns the bytes of its reply.
    pub fn cmd(&mut self, args: &[&str]) -> Vec<u8> {
        self.send_cmd(args);
        self.read_reply()
    }

    /// Sends a command with binary arguments and returns the bytes of its reply.
    pub fn cmd_bytes(&mut self, args: &[&[u8]]) -> Vec<u8> {
        self.send_cmd(args);
        self.read_reply()
    }

    /// Sends a command and returns its reply parsed.
    pub fn cmd_parsed(&mut self, args: &[&str]) -> Reply {
        parse_reply(&self.cmd(args))
    }

    /// Waits up to `timeout` for the server to close the connection, keeping any bytes that
    /// arrive meanwhile for later reads. Returns whether the connection was closed.
    pub fn wait_closed(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            match self.fill(deadline) {
                Ok(true) => {}
                Ok(false) => return false,
                Err(ReadError::Closed { .. }) => return true,
                Err(e) => panic!("waiting for the connection to close: {e}"),
            }
        }
    }

    /// Whether the server has closed the connection, waiting up to 1 s for the close to arrive
    /// (so it is meant for checking a close that is expected, e.g. after a protocol error).
    pub fn is_closed(&mut self) -> bool {
        self.wait_closed(CLOSE_WAIT.min(self.timeout))
    }

    /// Reads everything until the server closes the connection and returns it (unread buffered
    /// bytes included). Panics if the connection is still open after the timeout.
    pub fn read_until_closed(&mut self) -> Vec<u8> {
        if !self.wait_closed(self.timeout) {
            panic!("the server did not close the connection within {:?}; got {}", self.timeout, repr(&self.buf));
        }
        std::mem::take(&mut self.buf)
    }

    /// Closes the sending side (the server then sees end of stream).
    pub fn shutdown_write(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Write);
    }
}

impl fmt::Debug for RawConn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawConn")
            .field("peer", &self.stream.peer_addr().ok())
            .field("local", &self.stream.local_addr().ok())
            .field("buffered", &repr(&self.buf))
            .finish()
    }
}
