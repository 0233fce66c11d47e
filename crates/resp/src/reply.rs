//! Reply encoder: appends RESP2 or RESP3 encodings to an output byte buffer. RESP3-only types
//! degrade to their RESP2 forms exactly as Redis 7.0 does (maps become flat arrays, doubles become
//! bulk strings, booleans become integers, nulls become `$-1` or `*-1`).
//!
//! This module owns the byte forms only; it knows nothing of clients, sockets, output-buffer
//! limits or which command is replying. Hot paths (`bulk`, `int`, `array`, `ok`, `null`) are a
//! few `extend_from_slice` calls over a stack-formatted header, with no allocation beyond the
//! growth of the buffer itself.

use crate::num::{fmt_u64_into, format_double};

/// Protocol version negotiated by HELLO.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Proto {
    #[default]
    Resp2,
    Resp3,
}

/// A reply buffer. The server owns one per client and hands it to command handlers.
#[derive(Debug, Default)]
pub struct ReplyBuf {
    pub buf: Vec<u8>,
    pub proto: Proto,
}

/// A placeholder for a length written later (see [`ReplyBuf::deferred`]). It holds the byte
/// offset in [`ReplyBuf::buf`] where the header will be inserted.
#[derive(Debug, Clone, Copy)]
pub struct Deferred(pub usize);

/// Kinds of aggregate headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agg {
    Array,
    Map,
    Set,
    Push,
    Attribute,
}

/// Longest header: prefix, sign, 20 digits, CRLF.
const HDR_MAX: usize = 24;

/// Formats `<prefix><n>\r\n` into a stack buffer; returns it and its length.
#[inline]
fn header(prefix: u8, n: u64) -> ([u8; HDR_MAX], usize) {
    let mut out = [0u8; HDR_MAX];
    out[0] = prefix;
    if n < 10 {
        out[1] = b'0' + n as u8;
        out[2] = b'\r';
        out[3] = b'\n';
        return (out, 4);
    }
    let mut digits = [0u8; 20];
    let start = fmt_u64_into(&mut digits, n);
    let len = 20 - start;
    out[1..1 + len].copy_from_slice(&digits[start..]);
    out[1 + len] = b'\r';
    out[2 + len] = b'\n';
    (out, len + 3)
}

/// Formats `<prefix><n>\r\n` for a signed value.
#[inline]
fn header_signed(prefix: u8, n: i64) -> ([u8; HDR_MAX], usize) {
    if n >= 0 {
        return header(prefix, n as u64);
    }
    let mut out = [0u8; HDR_MAX];
    out[0] = prefix;
    out[1] = b'-';
    let mut digits = [0u8; 20];
    let start = fmt_u64_into(&mut digits, n.unsigned_abs());
    let len = 20 - start;
    out[2..2 + len].copy_from_slice(&digits[start..]);
    out[2 + len] = b'\r';
    out[3 + len] = b'\n';
    (out, len + 4)
}

/// Bytes of `s` with CR and LF mapped to spaces.
fn extend_mapped(out: &mut Vec<u8>, s: &[u8]) {
    if !s.iter().any(|&c| c == b'\r' || c == b'\n') {
        out.extend_from_slice(s);
        return;
    }
    out.extend(s.iter().map(|&c| if c == b'\r' || c == b'\n' { b' ' } else { c }));
}

impl ReplyBuf {
    pub fn new(proto: Proto) -> Self {
        ReplyBuf { buf: Vec::new(), proto }
    }
    pub fn is_resp3(&self) -> bool {
        self.proto == Proto::Resp3
    }
    pub fn len(&self) -> usize {
        self.buf.len()
    }
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    #[inline]
    fn hdr(&mut self, prefix: u8, n: u64) {
        let (h, len) = header(prefix, n);
        self.buf.extend_from_slice(&h[..len]);
    }

    /// `+OK`
    #[inline]
    pub fn ok(&mut self) {
        self.buf.extend_from_slice(b"+OK\r\n");
    }
    /// `+<s>`; `s` must not contain CR or LF (they are replaced by spaces).
    pub fn simple(&mut self, s: &str) {
        self.buf.reserve(s.len() + 3);
        self.buf.push(b'+');
        extend_mapped(&mut self.buf, s.as_bytes());
        self.buf.extend_from_slice(b"\r\n");
    }
    /// `-<s>`: `s` is the full error text including its prefix (`ERR ...`, `WRONGTYPE ...`).
    /// CR and LF inside are replaced by spaces, as Redis does.
    ///
    /// Like Redis's formatted errors, CR/LF at either end are trimmed first. A text that already
    /// starts with `-` is written as is (no second dash).
    pub fn error(&mut self, s: &str) {
        let mut b = s.as_bytes();
        while let [b'\r' | b'\n', rest @ ..] = b {
            b = rest;
        }
        while let [rest @ .., b'\r' | b'\n'] = b {
            b = rest;
        }
        self.buf.reserve(b.len() + 3);
        if b.first() != Some(&b'-') {
            self.buf.push(b'-');
        }
        extend_mapped(&mut self.buf, b);
        self.buf.extend_from_slice(b"\r\n");
    }
    /// `:<n>`
    #[inline]
    pub fn int(&mut self, n: i64) {
        let (h, len) = header_signed(b':', n);
        self.buf.extend_from_slice(&h[..len]);
    }
    /// `$<len>\r\n<bytes>\r\n`
    #[inline]
    pub fn bulk(&mut self, b: &[u8]) {
        let (h, len) = header(b'$', b.len() as u64);
        self.buf.reserve(len + b.len() + 2);
        self.buf.extend_from_slice(&h[..len]);
        self.buf.extend_from_slice(b);
        self.buf.extend_from_slice(b"\r\n");
    }
    /// A bulk string holding the decimal form of `n` (e.g. INCRBYFLOAT-like replies).
    pub fn bulk_int(&mut self, n: i64) {
        let mut digits = [0u8; 20];
        let start = fmt_u64_into(&mut digits, n.unsigned_abs());
        let dlen = 20 - start + (n < 0) as usize;
        self.hdr(b'$', dlen as u64);
        if n < 0 {
            self.buf.push(b'-');
        }
        self.buf.extend_from_slice(&digits[start..]);
        self.buf.extend_from_slice(b"\r\n");
    }
    /// Null bulk: RESP2 `$-1`, RESP3 `_`.
    #[inline]
    pub fn null(&mut self) {
        match self.proto {
            Proto::Resp2 => self.buf.extend_from_slice(b"$-1\r\n"),
            Proto::Resp3 => self.buf.extend_from_slice(b"_\r\n"),
        }
    }
    /// Null array: RESP2 `*-1`, RESP3 `_`.
    pub fn null_array(&mut self) {
        match self.proto {
            Proto::Resp2 => self.buf.extend_from_slice(b"*-1\r\n"),
            Proto::Resp3 => self.buf.extend_from_slice(b"_\r\n"),
        }
    }
    /// `*<n>` header.
    #[inline]
    pub fn array(&mut self, n: usize) {
        self.hdr(b'*', n as u64);
    }
    /// RESP3 `%<n>` (n pairs); RESP2 `*<2n>`.
    pub fn map(&mut self, n: usize) {
        match self.proto {
            Proto::Resp2 => self.hdr(b'*', (n as u64).saturating_mul(2)),
            Proto::Resp3 => self.hdr(b'%', n as u64),
        }
    }
    /// RESP3 `~<n>`; RESP2 `*<n>`.
    pub fn set(&mut self, n: usize) {
        match self.proto {
            Proto::Resp2 => self.hdr(b'*', n as u64),
            Proto::Resp3 => self.hdr(b'~', n as u64),
        }
    }
    /// RESP3 `><n>`; RESP2 `*<n>`.
    pub fn push(&mut self, n: usize) {
        match self.proto {
            Proto::Resp2 => self.hdr(b'*', n as u64),
            Proto::Resp3 => self.hdr(b'>', n as u64),
        }
    }
    /// RESP3 `|<n>` attribute header (n pairs); nothing in RESP2 (callers skip attributes there).
    pub fn attribute(&mut self, n: usize) {
        if self.proto == Proto::Resp3 {
            self.hdr(b'|', n as u64);
        }
    }
    /// A double as Redis 7.0 replies it: RESP3 `,<%.17g>` (`,inf`, `,-inf`), RESP2 a bulk
    /// string of the same text.
    pub fn double(&mut self, d: f64) {
        match self.proto {
            Proto::Resp3 => {
                let text = format_double(d);
                self.buf.push(b',');
                self.buf.extend_from_slice(text.as_bytes());
                self.buf.extend_from_slice(b"\r\n");
            }
            Proto::Resp2 => {
                let text = format_double(d);
                self.bulk(text.as_bytes());
            }
        }
    }
    /// RESP3 `#t`/`#f`; RESP2 `:1`/`:0`.
    pub fn boolean(&mut self, b: bool) {
        let s: &[u8] = match (self.proto, b) {
            (Proto::Resp3, true) => b"#t\r\n",
            (Proto::Resp3, false) => b"#f\r\n",
            (Proto::Resp2, true) => b":1\r\n",
            (Proto::Resp2, false) => b":0\r\n",
        };
        self.buf.extend_from_slice(s);
    }
    /// RESP3 `=<len>\r\n<fmt>:<text>` (fmt is 3 chars, e.g. "txt"); RESP2 a plain bulk string.
    /// Like Redis, `fmt` is cut to 3 bytes or padded with spaces.
    pub fn verbatim(&mut self, fmt: &str, text: &[u8]) {
        match self.proto {
            Proto::Resp2 => self.bulk(text),
            Proto::Resp3 => {
                self.hdr(b'=', text.len() as u64 + 4);
                let f = fmt.as_bytes();
                let mut ext = [b' '; 3];
                for (dst, src) in ext.iter_mut().zip(f.iter().take_while(|&&c| c != 0)) {
                    *dst = *src;
                }
                self.buf.reserve(text.len() + 6);
                self.buf.extend_from_slice(&ext);
                self.buf.push(b':');
                self.buf.extend_from_slice(text);
                self.buf.extend_from_slice(b"\r\n");
            }
        }
    }
    /// RESP3 `(<digits>`; RESP2 a bulk string.
    pub fn big_number(&mut self, digits: &str) {
        match self.proto {
            Proto::Resp2 => self.bulk(digits.as_bytes()),
            Proto::Resp3 => {
                self.buf.push(b'(');
                self.buf.extend_from_slice(digits.as_bytes());
                self.buf.extend_from_slice(b"\r\n");
            }
        }
    }
    /// Reserve room for an aggregate header whose length is not known yet.
    ///
    /// Nothing is written now; [`set_deferred`](Self::set_deferred) inserts the header at this
    /// position later, moving the bytes written since. Because the insertion shifts everything
    /// after it, fill deferred headers innermost first (in reverse order of creation), which is
    /// how nested aggregates close anyway; a `Deferred` created after another one that is still
    /// unfilled must be filled before it.
    pub fn deferred(&mut self) -> Deferred {
        Deferred(self.buf.len())
    }
    /// Fill a deferred header. `n` counts elements (pairs for maps/attributes).
    /// A position past the end of the buffer (the buffer was cut meanwhile) is ignored.
    pub fn set_deferred(&mut self, d: Deferred, kind: Agg, n: usize) {
        let n = n as u64;
        let (prefix, count) = match (kind, self.proto) {
            (Agg::Array, _) => (b'*', n),
            (Agg::Map, Proto::Resp2) => (b'*', n.saturating_mul(2)),
            (Agg::Map, Proto::Resp3) => (b'%', n),
            (Agg::Set, Proto::Resp2) => (b'*', n),
            (Agg::Set, Proto::Resp3) => (b'~', n),
            (Agg::Push, Proto::Resp2) => (b'*', n),
            (Agg::Push, Proto::Resp3) => (b'>', n),
            (Agg::Attribute, Proto::Resp2) => return,
            (Agg::Attribute, Proto::Resp3) => (b'|', n),
        };
        let pos = d.0;
        let old = self.buf.len();
        if pos > old {
            return;
        }
        let (h, hlen) = header(prefix, count);
        if pos == old {
            self.buf.extend_from_slice(&h[..hlen]);
            return;
        }
        self.buf.resize(old + hlen, 0);
        self.buf.copy_within(pos..old, pos + hlen);
        self.buf[pos..pos + hlen].copy_from_slice(&h[..hlen]);
    }
    /// Append bytes that are already RESP-encoded.
    #[inline]
    pub fn raw(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(f: impl Fn(&mut ReplyBuf)) -> (String, String) {
        let mut a = ReplyBuf::new(Proto::Resp2);
        let mut b = ReplyBuf::new(Proto::Resp3);
        f(&mut a);
        f(&mut b);
        (String::from_utf8_lossy(&a.buf).into_owned(), String::from_utf8_lossy(&b.buf).into_owned())
    }

    fn check(f: impl Fn(&mut ReplyBuf), r2: &str, r3: &str) {
        let (a, b) = both(f);
        assert_eq!(a, r2, "RESP2");
        assert_eq!(b, r3, "RESP3");
    }

    #[test]
    fn simple_types() {
        check(|r| r.ok(), "+OK\r\n", "+OK\r\n");
        check(|r| r.simple("PONG"), "+PONG\r\n", "+PONG\r\n");
        check(|r| r.simple("a\r\nb"), "+a  b\r\n", "+a  b\r\n");
        check(|r| r.simple(""), "+\r\n", "+\r\n");
    }

    #[test]
    fn errors() {
        check(|r| r.error("ERR x"), "-ERR x\r\n", "-ERR x\r\n");
        check(|r| r.error("WRONGTYPE a\nb\rc"), "-WRONGTYPE a b c\r\n", "-WRONGTYPE a b c\r\n");
        check(|r| r.error("ERR trailing\r\n"), "-ERR trailing\r\n", "-ERR trailing\r\n");
        check(|r| r.error("\nERR lead"), "-ERR lead\r\n", "-ERR lead\r\n");
        check(|r| r.error("-ERR dashed"), "-ERR dashed\r\n", "-ERR dashed\r\n");
    }

    #[test]
    fn integers() {
        check(|r| r.int(0), ":0\r\n", ":0\r\n");
        check(|r| r.int(1), ":1\r\n", ":1\r\n");
        check(|r| r.int(-1), ":-1\r\n", ":-1\r\n");
        check(|r| r.int(1234567), ":1234567\r\n", ":1234567\r\n");
        check(|r| r.int(i64::MIN), ":-9223372036854775808\r\n", ":-9223372036854775808\r\n");
        check(|r| r.int(i64::MAX), ":9223372036854775807\r\n", ":9223372036854775807\r\n");
        check(|r| r.bulk_int(-42), "$3\r\n-42\r\n", "$3\r\n-42\r\n");
        check(|r| r.bulk_int(0), "$1\r\n0\r\n", "$1\r\n0\r\n");
        check(|r| r.bulk_int(i64::MIN), "$20\r\n-9223372036854775808\r\n", "$20\r\n-9223372036854775808\r\n");
    }

    #[test]
    fn bulks_and_nulls() {
        check(|r| r.bulk(b"foo"), "$3\r\nfoo\r\n", "$3\r\nfoo\r\n");
        check(|r| r.bulk(b""), "$0\r\n\r\n", "$0\r\n\r\n");
        check(|r| r.bulk(b"a\r\nb"), "$4\r\na\r\nb\r\n", "$4\r\na\r\nb\r\n");
        let big = vec![b'x'; 12345];
        let (a, b) = both(|r| r.bulk(&big));
        assert!(a.starts_with("$12345\r\nxxx") && a.ends_with("x\r\n") && a.len() == 12345 + 10);
        assert_eq!(a, b);
        check(|r| r.null(), "$-1\r\n", "_\r\n");
        check(|r| r.null_array(), "*-1\r\n", "_\r\n");
    }

    #[test]
    fn aggregates() {
        check(|r| r.array(0), "*0\r\n", "*0\r\n");
        check(|r| r.array(3), "*3\r\n", "*3\r\n");
        check(|r| r.array(1000), "*1000\r\n", "*1000\r\n");
        check(|r| r.map(2), "*4\r\n", "%2\r\n");
        check(|r| r.map(0), "*0\r\n", "%0\r\n");
        check(|r| r.set(5), "*5\r\n", "~5\r\n");
        check(|r| r.push(3), "*3\r\n", ">3\r\n");
        check(|r| r.attribute(1), "", "|1\r\n");
    }

    #[test]
    fn doubles() {
        check(|r| r.double(0.1), "$19\r\n0.10000000000000001\r\n", ",0.10000000000000001\r\n");
        check(|r| r.double(3.0), "$1\r\n3\r\n", ",3\r\n");
        check(|r| r.double(f64::INFINITY), "$3\r\ninf\r\n", ",inf\r\n");
        check(|r| r.double(f64::NEG_INFINITY), "$4\r\n-inf\r\n", ",-inf\r\n");
        check(|r| r.double(1e300), "$23\r\n1.0000000000000001e+300\r\n", ",1.0000000000000001e+300\r\n");
        check(|r| r.double(-0.0), "$2\r\n-0\r\n", ",-0\r\n");
    }

    #[test]
    fn booleans_verbatim_bignum_raw() {
        check(|r| r.boolean(true), ":1\r\n", "#t\r\n");
        check(|r| r.boolean(false), ":0\r\n", "#f\r\n");
        check(|r| r.verbatim("txt", b"hello"), "$5\r\nhello\r\n", "=9\r\ntxt:hello\r\n");
        check(|r| r.verbatim("md", b"x"), "$1\r\nx\r\n", "=5\r\nmd :x\r\n");
        check(|r| r.verbatim("longer", b""), "$0\r\n\r\n", "=4\r\nlon:\r\n");
        check(
            |r| r.big_number("1234567890123456789012345678901234567890"),
            "$40\r\n1234567890123456789012345678901234567890\r\n",
            "(1234567890123456789012345678901234567890\r\n",
        );
        check(|r| r.raw(b"+RAW\r\n"), "+RAW\r\n", "+RAW\r\n");
    }

    #[test]
    fn deferred_headers() {
        // Simple: header inserted before the elements.
        check(
            |r| {
                r.ok();
                let d = r.deferred();
                r.bulk(b"a");
                r.int(2);
                r.set_deferred(d, Agg::Array, 2);
            },
            "+OK\r\n*2\r\n$1\r\na\r\n:2\r\n",
            "+OK\r\n*2\r\n$1\r\na\r\n:2\r\n",
        );
        // Nested, filled innermost first, with every kind.
        check(
            |r| {
                let outer = r.deferred();
                let m = r.deferred();
                r.bulk(b"k");
                r.int(1);
                r.set_deferred(m, Agg::Map, 1);
                let s = r.deferred();
                for i in 0..12 {
                    r.int(i);
                }
                r.set_deferred(s, Agg::Set, 12);
                let p = r.deferred();
                r.set_deferred(p, Agg::Push, 0);
                r.set_deferred(outer, Agg::Array, 3);
            },
            "*3\r\n*2\r\n$1\r\nk\r\n:1\r\n*12\r\n:0\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n:6\r\n:7\r\n:8\r\n:9\r\n:10\r\n:11\r\n*0\r\n",
            "*3\r\n%1\r\n$1\r\nk\r\n:1\r\n~12\r\n:0\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n:6\r\n:7\r\n:8\r\n:9\r\n:10\r\n:11\r\n>0\r\n",
        );
        check(
            |r| {
                let a = r.deferred();
                r.bulk(b"x");
                r.bulk(b"y");
                r.set_deferred(a, Agg::Attribute, 1);
                r.ok();
            },
            "$1\r\nx\r\n$1\r\ny\r\n+OK\r\n",
            "|1\r\n$1\r\nx\r\n$1\r\ny\r\n+OK\r\n",
        );
        // Large counts and a stale position are handled without panicking.
        check(
            |r| {
                let d = r.deferred();
                r.set_deferred(d, Agg::Array, 123456789);
                r.set_deferred(Deferred(10_000), Agg::Array, 1);
            },
            "*123456789\r\n",
            "*123456789\r\n",
        );
    }

    #[test]
    fn helpers() {
        let r = ReplyBuf::new(Proto::Resp3);
        assert!(r.is_resp3() && r.is_empty());
        assert_eq!(r.len(), 0);
        let mut r = ReplyBuf::default();
        assert!(!r.is_resp3());
        r.ok();
        assert_eq!(r.len(), 5);
    }
}
