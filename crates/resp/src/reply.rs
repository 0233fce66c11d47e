//! Reply encoder: appends RESP2 or RESP3 encodings to an output byte buffer. RESP3-only types
//! degrade to their RESP2 forms exactly as Redis 7.0 does (maps become flat arrays, doubles become
//! bulk strings, booleans become integers, nulls become `$-1` or `*-1`).

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

/// A placeholder for a length written later (see [`ReplyBuf::deferred`]).
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

#[allow(unused_variables)]
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
    /// `+OK`
    pub fn ok(&mut self) {
        todo!()
    }
    /// `+<s>`; `s` must not contain CR or LF (they are replaced by spaces).
    pub fn simple(&mut self, s: &str) {
        todo!()
    }
    /// `-<s>`: `s` is the full error text including its prefix (`ERR ...`, `WRONGTYPE ...`).
    /// CR and LF inside are replaced by spaces, as Redis does.
    pub fn error(&mut self, s: &str) {
        todo!()
    }
    /// `:<n>`
    pub fn int(&mut self, n: i64) {
        todo!()
    }
    /// `$<len>\r\n<bytes>\r\n`
    pub fn bulk(&mut self, b: &[u8]) {
        todo!()
    }
    /// A bulk string holding the decimal form of `n` (e.g. INCRBYFLOAT-like replies).
    pub fn bulk_int(&mut self, n: i64) {
        todo!()
    }
    /// Null bulk: RESP2 `$-1`, RESP3 `_`.
    pub fn null(&mut self) {
        todo!()
    }
    /// Null array: RESP2 `*-1`, RESP3 `_`.
    pub fn null_array(&mut self) {
        todo!()
    }
    /// `*<n>` header.
    pub fn array(&mut self, n: usize) {
        todo!()
    }
    /// RESP3 `%<n>` (n pairs); RESP2 `*<2n>`.
    pub fn map(&mut self, n: usize) {
        todo!()
    }
    /// RESP3 `~<n>`; RESP2 `*<n>`.
    pub fn set(&mut self, n: usize) {
        todo!()
    }
    /// RESP3 `><n>`; RESP2 `*<n>`.
    pub fn push(&mut self, n: usize) {
        todo!()
    }
    /// RESP3 `|<n>` attribute header (n pairs); nothing in RESP2 (callers skip attributes there).
    pub fn attribute(&mut self, n: usize) {
        todo!()
    }
    /// A double as Redis 7.0 replies it: RESP3 `,<%.17g>` (`,inf`, `,-inf`), RESP2 a bulk
    /// string of the same text.
    pub fn double(&mut self, d: f64) {
        todo!()
    }
    /// RESP3 `#t`/`#f`; RESP2 `:1`/`:0`.
    pub fn boolean(&mut self, b: bool) {
        todo!()
    }
    /// RESP3 `=<len>\r\n<fmt>:<text>` (fmt is 3 chars, e.g. "txt"); RESP2 a plain bulk string.
    pub fn verbatim(&mut self, fmt: &str, text: &[u8]) {
        todo!()
    }
    /// RESP3 `(<digits>`; RESP2 a bulk string.
    pub fn big_number(&mut self, digits: &str) {
        todo!()
    }
    /// Reserve room for an aggregate header whose length is not known yet.
    pub fn deferred(&mut self) -> Deferred {
        todo!()
    }
    /// Fill a deferred header. `n` counts elements (pairs for maps/attributes).
    pub fn set_deferred(&mut self, d: Deferred, kind: Agg, n: usize) {
        todo!()
    }
    /// Append bytes that are already RESP-encoded.
    pub fn raw(&mut self, b: &[u8]) {
        todo!()
    }
}
