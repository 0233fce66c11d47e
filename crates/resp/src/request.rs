//! Incremental request decoder: inline commands and RESP multibulk requests, with Redis 7.0's
//! limits and its exact `Protocol error: ...` texts. State survives between calls, so a large
//! argument arriving in many reads is never re-scanned from the start.
//!
//! This module knows nothing of commands, clients or sockets: it sees a query buffer that the
//! caller only ever appends to, and hands back argument vectors as zero-copy slices of it.
//!
//! Wire behaviour follows Redis 7.0's `processInlineBuffer` / `processMultibulkBuffer` as seen
//! from outside, including its quirks: line searches stop at a NUL byte (Redis uses `strchr` on
//! a NUL-terminated buffer, so such a line never completes until the 64 KiB limit trips), the
//! two bytes after a `\r` and after each bulk payload are skipped without being checked, and the
//! checks run in Redis's order.

use bytes::{Buf, Bytes, BytesMut};

use crate::num::{is_c_space, parse_i64};

/// PROTO_INLINE_MAX_SIZE: longest inline request, and longest `*`/`$` count line.
const INLINE_MAX: usize = 64 * 1024;
/// PROTO_MBULK_BIG_ARG: bulks at least this long are announced by `pending_bulk`.
const BIG_ARG: usize = 32 * 1024;
/// Largest multibulk count Redis accepts (INT_MAX).
const MAX_MULTIBULK: i64 = i32::MAX as i64;
/// Limits for clients that have not authenticated yet.
const UNAUTH_MAX_MULTIBULK: i64 = 10;
const UNAUTH_MAX_BULK: i64 = 16384;

/// Limits the decoder enforces. Filled by the server from its config for each client.
///
/// Redis skips the `proto-max-bulk-len` check for its master link: pass `u64::MAX` there.
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
///
/// In `expected '$', got '<c>'` Redis writes the offending byte raw (CR and LF become spaces);
/// a byte of 0x80 or more is held here as the char U+0080..U+00FF of the same value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolError(pub String);

impl ProtocolError {
    fn new(s: &str) -> Self {
        ProtocolError(s.to_string())
    }
}

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Protocol error: {}", self.0)
    }
}

impl std::error::Error for ProtocolError {}

/// Decodes requests from a client's query buffer.
///
/// Between calls the caller may only append to the buffer (or call [`reset`](Self::reset)
/// after replacing it): offsets into the unconsumed front are kept.
#[derive(Debug, Default)]
pub struct RequestParser {
    /// Arguments still to read of the current multibulk request; 0 when not inside one.
    remaining: usize,
    /// Offset (from the buffer front) of the next unread bulk header or payload.
    pos: usize,
    /// Length of the bulk whose `$` header has been read, while its payload is awaited.
    bulk: Option<usize>,
    /// Offset up to which the current line search found neither its terminator nor a NUL
    /// (or the offset of the NUL that stops it).
    scanned: usize,
    /// `(start, len)` of the arguments found so far, relative to the buffer front.
    args: Vec<(usize, usize)>,
    /// Decoded inline arguments, before they are copied over the line.
    scratch: Vec<u8>,
    /// Buffer length at the end of the last call.
    seen: usize,
    /// Whether the last command returned came from an inline request.
    last_inline: bool,
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
    /// (cleared first) holds the arguments as zero-copy slices of them. `argv` is cleared on
    /// every call, so it is empty unless a command was returned.
    ///
    /// On an error the parser is reset; the caller replies `-ERR <error>` and closes.
    pub fn parse(
        &mut self,
        buf: &mut BytesMut,
        argv: &mut Vec<Bytes>,
        limits: &Limits,
    ) -> Result<Parsed, ProtocolError> {
        argv.clear();
        if buf.len() < self.seen {
            // The buffer was cut behind our back: the kept offsets mean nothing any more.
            self.reset();
        }
        let r = if self.remaining > 0 {
            self.parse_bulks(buf, argv, limits)
        } else if buf.is_empty() {
            Ok(Parsed::NeedMore)
        } else if buf[0] == b'*' {
            self.parse_multibulk(buf, argv, limits)
        } else {
            self.parse_inline(buf, argv)
        };
        match r {
            Ok(_) => self.seen = buf.len(),
            Err(_) => self.reset(),
        }
        r
    }

    /// While a bulk argument of at least 32 KiB (Redis's PROTO_MBULK_BIG_ARG) is being
    /// received: how many more bytes the current request needs at least, counted from the
    /// buffer length seen by the last [`parse`](Self::parse) call, so that the reader can
    /// reserve that much once instead of growing the buffer repeatedly. `None` when not inside
    /// such a bulk.
    pub fn pending_bulk(&self) -> Option<usize> {
        self.pending_bulk_for(self.seen)
    }

    /// Like [`pending_bulk`](Self::pending_bulk), but counted from a buffer that now holds
    /// `buffered` bytes (use it between reads, before calling `parse` again).
    pub fn pending_bulk_for(&self, buffered: usize) -> Option<usize> {
        match self.bulk {
            Some(len) if self.remaining > 0 && len >= BIG_ARG => {
                let end = self.pos.saturating_add(len).saturating_add(2);
                (end > buffered).then(|| end - buffered)
            }
            _ => None,
        }
    }

    /// True when the parser is in the middle of a multibulk request (some of it consumed).
    pub fn in_request(&self) -> bool {
        self.remaining > 0
    }

    /// Whether the last [`Parsed::Command`] came from an inline request (Redis refuses inline
    /// commands from its master link).
    pub fn last_was_inline(&self) -> bool {
        self.last_inline
    }

    /// Forget any partial request (used by RESET-like paths and after errors).
    pub fn reset(&mut self) {
        self.remaining = 0;
        self.pos = 0;
        self.bulk = None;
        self.scanned = 0;
        self.args.clear();
        self.scratch.clear();
        self.seen = 0;
    }

    /// Searches `target` at or after `from` the way `strchr` does on Redis's NUL-terminated
    /// buffer: a NUL byte ends the search unsuccessfully. Resumes where the previous search of
    /// the same line stopped.
    #[inline]
    fn find(&mut self, buf: &[u8], from: usize, target: u8) -> Option<usize> {
        let start = self.scanned.max(from);
        let hay = buf.get(start..).unwrap_or(&[]);
        match hay.iter().position(|&c| c == target || c == 0) {
            Some(i) if hay[i] == target => {
                self.scanned = 0;
                Some(start + i)
            }
            Some(i) => {
                self.scanned = start + i;
                None
            }
            None => {
                self.scanned = buf.len();
                None
            }
        }
    }

    /// The `*<n>\r\n` line, then as many bulks as are available.
    fn parse_multibulk(
        &mut self,
        buf: &mut BytesMut,
        argv: &mut Vec<Bytes>,
        limits: &Limits,
    ) -> Result<Parsed, ProtocolError> {
        let Some(cr) = self.find(buf, 0, b'\r') else {
            if buf.len() > INLINE_MAX {
                return Err(ProtocolError::new("too big mbulk count string"));
            }
            return Ok(Parsed::NeedMore);
        };
        // The byte after '\r' is skipped unchecked, as Redis does.
        if cr + 2 > buf.len() {
            return Ok(Parsed::NeedMore);
        }
        let n = match parse_i64(&buf[1..cr]) {
            Some(n) if n <= MAX_MULTIBULK => n,
            _ => return Err(ProtocolError::new("invalid multibulk length")),
        };
        if n > UNAUTH_MAX_MULTIBULK && !limits.authenticated {
            return Err(ProtocolError::new("unauthenticated multibulk length"));
        }
        if n <= 0 {
            buf.advance(cr + 2);
            return Ok(Parsed::Nothing);
        }
        self.remaining = n as usize;
        self.pos = cr + 2;
        self.bulk = None;
        self.args.clear();
        self.args.reserve(self.remaining.min(1024));
        self.parse_bulks(buf, argv, limits)
    }

    /// Reads `$<len>\r\n<payload>\r\n` elements until the request is complete or the buffer
    /// runs out.
    fn parse_bulks(
        &mut self,
        buf: &mut BytesMut,
        argv: &mut Vec<Bytes>,
        limits: &Limits,
    ) -> Result<Parsed, ProtocolError> {
        while self.remaining > 0 {
            let len = match self.bulk {
                Some(len) => len,
                None => {
                    let from = self.pos;
                    let Some(cr) = self.find(buf, from, b'\r') else {
                        if buf.len() - from > INLINE_MAX {
                            return Err(ProtocolError::new("too big bulk count string"));
                        }
                        return Ok(Parsed::NeedMore);
                    };
                    if cr + 2 > buf.len() {
                        return Ok(Parsed::NeedMore);
                    }
                    if buf[from] != b'$' {
                        let c = match buf[from] {
                            b'\r' | b'\n' => ' ',
                            c => char::from(c),
                        };
                        return Err(ProtocolError(format!("expected '$', got '{c}'")));
                    }
                    let len = match parse_i64(&buf[from + 1..cr]) {
                        Some(l) if l >= 0 && l as u64 <= limits.proto_max_bulk_len => l,
                        _ => return Err(ProtocolError::new("invalid bulk length")),
                    };
                    if len > UNAUTH_MAX_BULK && !limits.authenticated {
                        return Err(ProtocolError::new("unauthenticated bulk length"));
                    }
                    let len = usize::try_from(len).map_err(|_| ProtocolError::new("invalid bulk length"))?;
                    self.pos = cr + 2;
                    self.bulk = Some(len);
                    len
                }
            };
            // Payload plus two trailing bytes, which are skipped unchecked as Redis does.
            let end = self.pos.saturating_add(len).saturating_add(2);
            if buf.len() < end {
                return Ok(Parsed::NeedMore);
            }
            self.args.push((self.pos, len));
            self.pos = end;
            self.bulk = None;
            self.remaining -= 1;
        }
        let req = buf.split_to(self.pos).freeze();
        argv.extend(self.args.iter().map(|&(s, l)| req.slice(s..s + l)));
        self.args.clear();
        self.pos = 0;
        self.scanned = 0;
        self.last_inline = false;
        Ok(Parsed::Command)
    }

    /// One inline line, split like Redis's `sdssplitargs`.
    fn parse_inline(&mut self, buf: &mut BytesMut, argv: &mut Vec<Bytes>) -> Result<Parsed, ProtocolError> {
        let Some(nl) = self.find(buf, 0, b'\n') else {
            if buf.len() > INLINE_MAX {
                return Err(ProtocolError::new("too big inline request"));
            }
            return Ok(Parsed::NeedMore);
        };
        let line_end = if nl > 0 && buf[nl - 1] == b'\r' { nl - 1 } else { nl };
        self.scratch.clear();
        self.args.clear();
        if !split_args(&buf[..line_end], &mut self.scratch, &mut self.args) {
            return Err(ProtocolError::new("unbalanced quotes in request"));
        }
        if self.args.is_empty() {
            buf.advance(nl + 1);
            return Ok(Parsed::Nothing);
        }
        // The decoded text is never longer than the line: write it over the line so that the
        // arguments can be slices of the request like multibulk ones.
        buf[..self.scratch.len()].copy_from_slice(&self.scratch);
        let req = buf.split_to(nl + 1).freeze();
        argv.extend(self.args.iter().map(|&(s, l)| req.slice(s..s + l)));
        self.args.clear();
        self.scratch.clear();
        self.last_inline = true;
        Ok(Parsed::Command)
    }
}

#[inline]
fn is_hex(c: Option<&u8>) -> bool {
    c.is_some_and(|c| c.is_ascii_hexdigit())
}

#[inline]
fn hex_digit(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c.wrapping_sub(b'A').wrapping_add(10),
    }
}

/// Splits one inline line (which holds no NUL and no `\n`) the way `sdssplitargs` does,
/// appending decoded bytes to `out` and each argument's `(start, len)` in `out` to `ranges`.
/// Returns false on unbalanced quotes or a closing quote followed by something other than a
/// space.
fn split_args(line: &[u8], out: &mut Vec<u8>, ranges: &mut Vec<(usize, usize)>) -> bool {
    let n = line.len();
    let mut i = 0;
    loop {
        while i < n && is_c_space(line[i]) {
            i += 1;
        }
        if i == n {
            return true;
        }
        let start = out.len();
        let mut in_dq = false;
        let mut in_sq = false;
        loop {
            let c = line.get(i).copied();
            if in_dq {
                match c {
                    None => return false,
                    Some(b'\\')
                        if line.get(i + 1) == Some(&b'x') && is_hex(line.get(i + 2)) && is_hex(line.get(i + 3)) =>
                    {
                        out.push(hex_digit(line[i + 2]) * 16 + hex_digit(line[i + 3]));
                        i += 4;
                    }
                    Some(b'\\') if i + 1 < n => {
                        out.push(match line[i + 1] {
                            b'n' => b'\n',
                            b'r' => b'\r',
                            b't' => b'\t',
                            b'b' => 0x08,
                            b'a' => 0x07,
                            other => other,
                        });
                        i += 2;
                    }
                    Some(b'"') => {
                        if i + 1 < n && !is_c_space(line[i + 1]) {
                            return false;
                        }
                        i += 1;
                        break;
                    }
                    Some(c) => {
                        out.push(c);
                        i += 1;
                    }
                }
            } else if in_sq {
                match c {
                    None => return false,
                    Some(b'\\') if line.get(i + 1) == Some(&b'\'') => {
                        out.push(b'\'');
                        i += 2;
                    }
                    Some(b'\'') => {
                        if i + 1 < n && !is_c_space(line[i + 1]) {
                            return false;
                        }
                        i += 1;
                        break;
                    }
                    Some(c) => {
                        out.push(c);
                        i += 1;
                    }
                }
            } else {
                match c {
                    None => break,
                    Some(b' ' | b'\n' | b'\r' | b'\t') => {
                        i += 1;
                        break;
                    }
                    Some(b'"') => {
                        in_dq = true;
                        i += 1;
                    }
                    Some(b'\'') => {
                        in_sq = true;
                        i += 1;
                    }
                    Some(c) => {
                        out.push(c);
                        i += 1;
                    }
                }
            }
        }
        ranges.push((start, out.len() - start));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AUTH: Limits = Limits { proto_max_bulk_len: 512 * 1024 * 1024, authenticated: true };
    const NOAUTH: Limits = Limits { proto_max_bulk_len: 512 * 1024 * 1024, authenticated: false };

    /// Everything one buffer yields with `limits`: commands (as byte vectors), then the error
    /// if any. Stops at NeedMore.
    fn run(p: &mut RequestParser, buf: &mut BytesMut, limits: &Limits) -> (Vec<Vec<Vec<u8>>>, Option<String>) {
        let mut out = Vec::new();
        let mut argv = Vec::new();
        loop {
            match p.parse(buf, &mut argv, limits) {
                Ok(Parsed::Command) => out.push(argv.iter().map(|a| a.to_vec()).collect()),
                Ok(Parsed::Nothing) => assert!(argv.is_empty()),
                Ok(Parsed::NeedMore) => return (out, None),
                Err(e) => return (out, Some(e.0)),
            }
        }
    }

    fn all(input: &[u8], limits: &Limits) -> (Vec<Vec<Vec<u8>>>, Option<String>) {
        let mut p = RequestParser::new();
        let mut buf = BytesMut::from(input);
        run(&mut p, &mut buf, limits)
    }

    fn err(input: &[u8], limits: &Limits) -> String {
        let (_, e) = all(input, limits);
        e.unwrap_or_else(|| panic!("no error for {:?}", String::from_utf8_lossy(input)))
    }

    fn cmds(input: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let (c, e) = all(input, &AUTH);
        assert_eq!(e, None, "{:?}", String::from_utf8_lossy(input));
        c
    }

    fn v(args: &[&str]) -> Vec<Vec<u8>> {
        args.iter().map(|a| a.as_bytes().to_vec()).collect()
    }

    #[test]
    fn multibulk_basic_and_zero_copy() {
        let mut p = RequestParser::new();
        let mut buf = BytesMut::from(&b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n*1\r\n$4\r\nPING\r\n"[..]);
        let mut argv = Vec::new();
        assert_eq!(p.parse(&mut buf, &mut argv, &AUTH), Ok(Parsed::Command));
        assert_eq!(argv, vec![Bytes::from("SET"), Bytes::from("k"), Bytes::from("value")]);
        // The arguments are slices of one request allocation, at their wire offsets.
        let base = argv[0].as_ptr() as usize;
        assert_eq!(argv[1].as_ptr() as usize, base + 3 + 2 + 4);
        assert_eq!(argv[2].as_ptr() as usize, base + 3 + 2 + 4 + 1 + 2 + 4);
        assert_eq!(&buf[..], b"*1\r\n$4\r\nPING\r\n");
        assert!(!p.last_was_inline());
        assert_eq!(p.parse(&mut buf, &mut argv, &AUTH), Ok(Parsed::Command));
        assert_eq!(argv, vec![Bytes::from("PING")]);
        assert!(buf.is_empty());
        assert_eq!(p.parse(&mut buf, &mut argv, &AUTH), Ok(Parsed::NeedMore));
        assert!(argv.is_empty());
    }

    #[test]
    fn empty_and_binary_bulks() {
        assert_eq!(cmds(b"*2\r\n$0\r\n\r\n$4\r\n\r\n\0\xff\r\n"), vec![vec![b"".to_vec(), b"\r\n\0\xff".to_vec()]]);
    }

    #[test]
    fn zero_and_negative_counts_are_nothing() {
        for input in [&b"*0\r\n"[..], b"*-1\r\n", b"*-100\r\n"] {
            let mut p = RequestParser::new();
            let mut buf = BytesMut::from(input);
            let mut argv = Vec::new();
            assert_eq!(p.parse(&mut buf, &mut argv, &NOAUTH), Ok(Parsed::Nothing));
            assert!(buf.is_empty());
        }
        assert_eq!(cmds(b"*0\r\n*-1\r\n*1\r\n$1\r\na\r\n"), vec![v(&["a"])]);
    }

    #[test]
    fn mbulk_count_errors() {
        assert_eq!(err(b"*abc\r\n", &AUTH), "invalid multibulk length");
        assert_eq!(err(b"*\r\n", &AUTH), "invalid multibulk length");
        assert_eq!(err(b"*01\r\n", &AUTH), "invalid multibulk length");
        assert_eq!(err(b"*+1\r\n", &AUTH), "invalid multibulk length");
        assert_eq!(err(b"* 1\r\n", &AUTH), "invalid multibulk length");
        assert_eq!(err(b"*-0\r\n", &AUTH), "invalid multibulk length");
        assert_eq!(err(b"*2147483648\r\n", &AUTH), "invalid multibulk length");
        assert_eq!(err(b"*99999999999999999999\r\n", &AUTH), "invalid multibulk length");
        // INT_MAX itself is accepted (and then waits for its arguments).
        assert_eq!(all(b"*2147483647\r\n", &AUTH), (vec![], None));
        assert_eq!(err(b"*11\r\n", &NOAUTH), "unauthenticated multibulk length");
        // The validity check comes first.
        assert_eq!(err(b"*2147483648\r\n", &NOAUTH), "invalid multibulk length");
        assert_eq!(all(b"*10\r\n", &NOAUTH), (vec![], None));
        let mut long = b"*".to_vec();
        long.resize(INLINE_MAX, b'1');
        assert_eq!(all(&long, &AUTH), (vec![], None));
        long.push(b'1');
        assert_eq!(err(&long, &AUTH), "too big mbulk count string");
        // A CR anywhere in the buffer ends the search, however far.
        let mut far = b"*".to_vec();
        far.resize(INLINE_MAX + 10, b'1');
        far.extend_from_slice(b"\r\n");
        assert_eq!(err(&far, &AUTH), "invalid multibulk length");
    }

    #[test]
    fn bulk_header_errors() {
        assert_eq!(err(b"*1\r\nx3\r\nfoo\r\n", &AUTH), "expected '$', got 'x'");
        assert_eq!(err(b"*1\r\n\r\n", &AUTH), "expected '$', got ' '");
        assert_eq!(err(b"*1\r\n\nabc\r\n", &AUTH), "expected '$', got ' '");
        assert_eq!(err(b"*1\r\n\xff\r\n", &AUTH), "expected '$', got '\u{ff}'");
        assert_eq!(err(b"*1\r\n*1\r\n", &AUTH), "expected '$', got '*'");
        assert_eq!(err(b"*1\r\n$-1\r\n", &AUTH), "invalid bulk length");
        assert_eq!(err(b"*1\r\n$abc\r\n", &AUTH), "invalid bulk length");
        assert_eq!(err(b"*1\r\n$\r\n", &AUTH), "invalid bulk length");
        assert_eq!(err(b"*1\r\n$01\r\n", &AUTH), "invalid bulk length");
        assert_eq!(err(b"*1\r\n$1 \r\n", &AUTH), "invalid bulk length");
        assert_eq!(err(b"*1\r\n$16385\r\n", &NOAUTH), "unauthenticated bulk length");
        assert_eq!(err(b"*1\r\n$-1\r\n", &NOAUTH), "invalid bulk length");
        assert_eq!(all(b"*1\r\n$16384\r\n", &NOAUTH), (vec![], None));
        let small = Limits { proto_max_bulk_len: 10, authenticated: true };
        assert_eq!(err(b"*1\r\n$11\r\n", &small), "invalid bulk length");
        assert_eq!(all(b"*1\r\n$10\r\n0123456789\r\n", &small).0, vec![v(&["0123456789"])]);
        // The $ check happens only once the whole line is there.
        assert_eq!(all(b"*1\r\nx3", &AUTH), (vec![], None));
        assert_eq!(all(b"*1\r\nx3\r", &AUTH), (vec![], None));
        let mut long = b"*1\r\n$".to_vec();
        long.resize(4 + INLINE_MAX, b'1');
        assert_eq!(all(&long, &AUTH), (vec![], None));
        long.push(b'1');
        assert_eq!(err(&long, &AUTH), "too big bulk count string");
        // A later argument's header is measured from its own start.
        let mut later = b"*2\r\n$1\r\na\r\n$".to_vec();
        later.resize(11 + INLINE_MAX, b'1');
        assert_eq!(all(&later, &AUTH), (vec![], None));
        later.push(b'1');
        assert_eq!(err(&later, &AUTH), "too big bulk count string");
    }

    #[test]
    fn redis_skips_unchecked_bytes() {
        // Redis does not look at the byte after '\r' nor at the two bytes after a payload.
        assert_eq!(cmds(b"*1\rX$4\rYPINGab"), vec![v(&["PING"])]);
        assert_eq!(cmds(b"*2\r\n$1\r\naXY$1\r\nb\r\n"), vec![v(&["a", "b"])]);
    }

    #[test]
    fn nul_stops_line_search() {
        // strchr stops at NUL: these lines never complete until the size limit trips.
        assert_eq!(all(b"PING\0\r\n", &AUTH), (vec![], None));
        assert_eq!(all(b"*1\0\r\n$4\r\nPING\r\n", &AUTH), (vec![], None));
        assert_eq!(all(b"*1\r\n$4\0\r\nPING\r\n", &AUTH), (vec![], None));
        let mut inline = b"PING\0\r\n".to_vec();
        inline.resize(INLINE_MAX + 1, b'x');
        assert_eq!(err(&inline, &AUTH), "too big inline request");
        // NUL inside a payload is data.
        assert_eq!(cmds(b"*1\r\n$3\r\na\0b\r\n"), vec![vec![b"a\0b".to_vec()]]);
        // NUL after the newline does not matter.
        assert_eq!(cmds(b"PING\r\n"), vec![v(&["PING"])]);
    }

    #[test]
    fn inline_basic() {
        assert_eq!(cmds(b"PING\r\n"), vec![v(&["PING"])]);
        assert_eq!(cmds(b"PING\n"), vec![v(&["PING"])]);
        assert_eq!(cmds(b"  set  a\tb \r\n"), vec![v(&["set", "a", "b"])]);
        assert_eq!(cmds(b"a\rb\r\n"), vec![v(&["a", "b"])]);
        assert_eq!(cmds(b"PING\r\r\n"), vec![v(&["PING"])]);
        assert_eq!(cmds(b"a\x0bb \x0c c\r\n"), vec![v(&["a\x0bb", "c"])]);
        assert_eq!(cmds(b"\r\n\n   \r\nPING\r\n"), vec![v(&["PING"])]);
        let mut p = RequestParser::new();
        let mut buf = BytesMut::from(&b"\r\nGET k\r\n"[..]);
        let mut argv = Vec::new();
        assert_eq!(p.parse(&mut buf, &mut argv, &AUTH), Ok(Parsed::Nothing));
        assert_eq!(p.parse(&mut buf, &mut argv, &AUTH), Ok(Parsed::Command));
        assert!(p.last_was_inline());
        assert_eq!(argv, vec![Bytes::from("GET"), Bytes::from("k")]);
        assert!(buf.is_empty());
        // Inline requests are not subject to the unauthenticated limits.
        let many = b"a b c d e f g h i j k l m\r\n";
        assert_eq!(all(many, &NOAUTH).0[0].len(), 13);
    }

    #[test]
    fn inline_quotes() {
        assert_eq!(
            cmds(b"set \"a b\" 'c d' \"\\x41\\n\\r\\t\\b\\a\\\\\\\"\\q\" 'it\\'s' 'a\\b'\r\n"),
            vec![vec![
                b"set".to_vec(),
                b"a b".to_vec(),
                b"c d".to_vec(),
                b"A\n\r\t\x08\x07\\\"q".to_vec(),
                b"it's".to_vec(),
                b"a\\b".to_vec(),
            ]]
        );
        // A quote may open in the middle of a token.
        assert_eq!(cmds(b"a\"b c\" d'e f'\r\n"), vec![v(&["ab c", "de f"])]);
        assert_eq!(cmds(b"\"\" ''\r\n"), vec![v(&["", ""])]);
        // \x needs two hex digits, otherwise it is a plain escape of 'x'.
        assert_eq!(
            cmds(b"\"\\x4\" \"\\xg1\" \"\\x00\" \"\\xfF\"\r\n"),
            vec![vec![b"x4".to_vec(), b"xg1".to_vec(), b"\0".to_vec(), b"\xff".to_vec(),]]
        );
        // A closing quote may be followed by any C space, or the end of the line.
        assert_eq!(cmds(b"\"a\"\x0bb 'c'\tx \"d\"\r\n"), vec![v(&["a", "b", "c", "x", "d"])]);
        assert_eq!(cmds(b"'single \\n stays'\r\n"), vec![v(&["single \\n stays"])]);
    }

    #[test]
    fn inline_errors() {
        for bad in [
            &b"\"foo\r\n"[..],
            b"'foo\n",
            b"\"foo\"bar\r\n",
            b"'a'b\r\n",
            b"a\"b c\"d\r\n",
            b"\"ends with backslash\\\r\n",
            b"\"\\\"\r\n",
            b"'\\'\r\n",
        ] {
            assert_eq!(err(bad, &AUTH), "unbalanced quotes in request", "{:?}", String::from_utf8_lossy(bad));
        }
        let mut long = vec![b'a'; INLINE_MAX];
        assert_eq!(all(&long, &AUTH), (vec![], None));
        long.push(b'a');
        assert_eq!(err(&long, &AUTH), "too big inline request");
        // A newline anywhere in the buffer makes it a (long) request, not an error.
        long.extend_from_slice(b"\n");
        assert_eq!(all(&long, &AUTH).0[0][0].len(), INLINE_MAX + 1);
    }

    #[test]
    fn parser_reset_after_error() {
        let mut p = RequestParser::new();
        let mut buf = BytesMut::from(&b"*2\r\n$1\r\na\r\n$x\r\n"[..]);
        let mut argv = Vec::new();
        assert!(p.parse(&mut buf, &mut argv, &AUTH).is_err());
        assert!(!p.in_request());
        let mut buf = BytesMut::from(&b"*1\r\n$1\r\nb\r\n"[..]);
        assert_eq!(p.parse(&mut buf, &mut argv, &AUTH), Ok(Parsed::Command));
        assert_eq!(argv, vec![Bytes::from("b")]);
    }

    /// A pipeline with every request kind, fed in two pieces split at every position, and one
    /// byte at a time.
    #[test]
    fn split_at_every_position() {
        let input: &[u8] =
            b"*2\r\n$4\r\nECHO\r\n$5\r\nhe\r\no\r\n*0\r\nPING\r\n\r\n*-1\r\nset \"a\\r\\n\" 'b c'\n*1\r\n$0\r\n\r\n";
        let expected = vec![
            vec![b"ECHO".to_vec(), b"he\r\no".to_vec()],
            v(&["PING"]),
            vec![b"set".to_vec(), b"a\r\n".to_vec(), b"b c".to_vec()],
            v(&[""]),
        ];
        assert_eq!(cmds(input), expected);
        for cut in 0..=input.len() {
            let mut p = RequestParser::new();
            let mut buf = BytesMut::from(&input[..cut]);
            let (mut got, e) = run(&mut p, &mut buf, &AUTH);
            assert_eq!(e, None);
            buf.extend_from_slice(&input[cut..]);
            let (more, e) = run(&mut p, &mut buf, &AUTH);
            assert_eq!(e, None);
            got.extend(more);
            assert_eq!(got, expected, "cut at {cut}");
            assert!(buf.is_empty() && !p.in_request());
        }
        let mut p = RequestParser::new();
        let mut buf = BytesMut::new();
        let mut got = Vec::new();
        for &b in input {
            buf.extend_from_slice(&[b]);
            got.extend(run(&mut p, &mut buf, &AUTH).0);
        }
        assert_eq!(got, expected);
    }

    #[test]
    fn state_is_kept_between_calls() {
        let mut p = RequestParser::new();
        let mut argv = Vec::new();
        let input = b"*2\r\n$3\r\nfoo\r\n$3\r\nba";
        let mut buf = BytesMut::from(&input[..]);
        assert_eq!(p.parse(&mut buf, &mut argv, &AUTH), Ok(Parsed::NeedMore));
        assert!(p.in_request());
        assert_eq!(&buf[..], input, "nothing is consumed before the request is complete");
        // Scribble over the already-parsed header: it must not be read again.
        buf[4] = b'X';
        buf.extend_from_slice(b"r\r\n");
        assert_eq!(p.parse(&mut buf, &mut argv, &AUTH), Ok(Parsed::Command));
        assert_eq!(argv, vec![Bytes::from("foo"), Bytes::from("bar")]);
        assert!(!p.in_request());
    }

    #[test]
    fn pending_bulk_for_big_args() {
        let mut p = RequestParser::new();
        let mut argv = Vec::new();
        let mut buf = BytesMut::from(&b"*2\r\n$3\r\nSET\r\n$100000\r\nabc"[..]);
        assert_eq!(p.parse(&mut buf, &mut argv, &AUTH), Ok(Parsed::NeedMore));
        assert_eq!(p.pending_bulk(), Some(100_000 + 2 - 3));
        assert_eq!(p.pending_bulk_for(buf.len() + 1000), Some(100_000 + 2 - 3 - 1000));
        buf.extend_from_slice(&vec![b'x'; 100_000 - 3]);
        assert_eq!(p.pending_bulk_for(buf.len()), Some(2));
        buf.extend_from_slice(b"\r");
        assert_eq!(p.parse(&mut buf, &mut argv, &AUTH), Ok(Parsed::NeedMore));
        assert_eq!(p.pending_bulk(), Some(1));
        buf.extend_from_slice(b"\n");
        assert_eq!(p.parse(&mut buf, &mut argv, &AUTH), Ok(Parsed::Command));
        assert_eq!(argv[1].len(), 100_000);
        assert_eq!(p.pending_bulk(), None);
        // Small bulks are not announced; neither is a count line.
        let mut buf = BytesMut::from(&b"*1\r\n$100\r\nab"[..]);
        assert_eq!(p.parse(&mut buf, &mut argv, &AUTH), Ok(Parsed::NeedMore));
        assert_eq!(p.pending_bulk(), None);
        let mut buf = BytesMut::from(&b"*1\r\n$32768\r\n"[..]);
        let mut q = RequestParser::new();
        assert_eq!(q.parse(&mut buf, &mut argv, &AUTH), Ok(Parsed::NeedMore));
        assert_eq!(q.pending_bulk(), Some(32770));
    }

    #[test]
    fn shrunk_buffer_resets_without_panic() {
        let mut p = RequestParser::new();
        let mut argv = Vec::new();
        let mut buf = BytesMut::from(&b"*3\r\n$3\r\nfoo\r\n$3\r\nba"[..]);
        assert_eq!(p.parse(&mut buf, &mut argv, &AUTH), Ok(Parsed::NeedMore));
        buf.clear();
        buf.extend_from_slice(b"PING\r\n");
        assert_eq!(p.parse(&mut buf, &mut argv, &AUTH), Ok(Parsed::Command));
        assert_eq!(argv, vec![Bytes::from("PING")]);
        p.reset();
        assert!(!p.in_request());
    }

    #[test]
    fn display() {
        let e = ProtocolError("invalid bulk length".into());
        assert_eq!(e.to_string(), "Protocol error: invalid bulk length");
    }
}
