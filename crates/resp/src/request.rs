//! Incremental request decoder: inline commands and RESP multibulk requests, with Redis 7.0's
//! limits and its exact `Protocol error: ...` texts. State survives between calls, so a large
//! argument arriving in many reads is never re-scanned from the start.

use bytes::{Bytes, BytesMut};

/// Limits the decoder enforces. Filled by the server from its config for each client.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// `proto-max-bulk-len`: the largest bulk argument accepted.
    pub proto_max_bulk_len: u64,
    /// Whether the client is authenticated. Unauthenticated clients get Redis's tighter
    /// multibulk (10 args) and bulk (16384 bytes) limits.
    pub authenticated: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { proto_max_bulk_len: 512 * 1024 * 1024, authenticated: true }
    }
}

/// A protocol violation. The text is what follows `-ERR Protocol error: ` on the wire, e.g.
/// `invalid multibulk length`; the server writes the error and then closes the connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolError(pub String);

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Protocol error: {}", self.0)
    }
}

/// Decodes requests from a client's query buffer.
#[derive(Debug, Default)]
pub struct RequestParser {
    _todo: (),
}

/// What one call to [`RequestParser::parse`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    /// A complete command was consumed from the buffer and its arguments are in `argv`.
    Command,
    /// Bytes were consumed that make no command (an empty inline line, `*0`, `*-1`): call again.
    Nothing,
    /// The buffer holds no complete request yet; state is kept for the next call.
    NeedMore,
}

impl RequestParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses at most one request from the front of `buf`.
    /// On `Parsed::Command`, the request's bytes are split off the front of `buf` and `argv`
    /// (cleared first) holds the arguments as zero-copy slices of them.
    pub fn parse(
        &mut self,
        buf: &mut BytesMut,
        argv: &mut Vec<Bytes>,
        limits: &Limits,
    ) -> Result<Parsed, ProtocolError> {
        let _ = (buf, argv, limits);
        todo!()
    }

    /// While a bulk argument is being received: how many more bytes the current request needs at
    /// least, so that the reader can reserve that much once instead of growing the buffer
    /// repeatedly. `None` when not inside a bulk.
    pub fn pending_bulk(&self) -> Option<usize> {
        None
    }

    /// True when the parser is in the middle of a multibulk request (some of it consumed).
    pub fn in_request(&self) -> bool {
        false
    }

    /// Forget any partial request (used by RESET-like paths and after errors).
    pub fn reset(&mut self) {
        *self = Self::default();
    }
}
