//! The client side of RESP2/RESP3 as tests need it: where one complete reply ends in a byte
//! buffer (framing of every type, nested aggregates, null bulks and arrays, attributes glued to the
//! reply they precede, push messages as replies of their own), a `Reply` tree for assertions, and
//! the multibulk encoding of commands. It knows nothing of sockets or servers.

use std::fmt;
use std::ops::Range;

/// Nesting deeper than this is treated as a malformed reply rather than risking the stack.
const MAX_DEPTH: usize = 512;

/// Encodes a command as a RESP multibulk request (`*<n>\r\n` then `$<len>\r\n<arg>\r\n` each).
pub fn encode_cmd<A: AsRef<[u8]>>(args: &[A]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + args.iter().map(|a| a.as_ref().len() + 16).sum::<usize>());
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for a in args {
        let a = a.as_ref();
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Outcome of looking at a buffer that may hold the start of a reply.
type Framed<T> = Result<Option<T>, String>;

/// The line starting at `pos` + 1 (after the type byte): its content and the offset after CRLF.
fn header_line(buf: &[u8], pos: usize) -> Framed<(&[u8], usize)> {
    let start = pos + 1;
    let Some(rel) = buf.get(start..).and_then(|rest| rest.windows(2).position(|w| w == b"\r\n")) else {
        return Ok(None);
    };
    Ok(Some((&buf[start..start + rel], start + rel + 2)))
}

fn parse_i64(line: &[u8], what: &str, pos: usize) -> Result<i64, String> {
    std::str::from_utf8(line)
        .ok()
        .filter(|s| !s.is_empty() && !s.starts_with('+'))
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(|| format!("bad {what} {} at offset {pos}", crate::quote::repr(line)))
}

/// A length or count header: `-1` only where `null_ok`.
fn parse_len(line: &[u8], null_ok: bool, pos: usize) -> Result<Option<usize>, String> {
    let n = parse_i64(line, "length", pos)?;
    if n == -1 && null_ok {
        return Ok(None);
    }
    usize::try_from(n).map(Some).map_err(|_| format!("bad length {n} at offset {pos}"))
}

/// The end offset of the blob whose header line ended at `data`, checking its CRLF.
fn blob_end(buf: &[u8], data: usize, len: usize, pos: usize) -> Framed<usize> {
    let end = data.checked_add(len).and_then(|e| e.checked_add(2)).ok_or("blob length overflows")?;
    if buf.len() < end {
        return Ok(None);
    }
    if &buf[end - 2..end] != b"\r\n" {
        return Err(format!("blob at offset {pos} is not followed by CRLF"));
    }
    Ok(Some(end))
}

/// The end offset of the reply starting at `pos`, if the buffer holds all of it.
fn frame_at(buf: &[u8], pos: usize, depth: usize) -> Framed<usize> {
    if depth > MAX_DEPTH {
        return Err(format!("reply nested deeper than {MAX_DEPTH} levels"));
    }
    let Some(&kind) = buf.get(pos) else { return Ok(None) };
    let Some((line, next)) = header_line(buf, pos)? else { return Ok(None) };
    match kind {
        b'+' | b'-' | b',' | b'(' => Ok(Some(next)),
        b':' => parse_i64(line, "integer", pos).map(|_| Some(next)),
        b'_' if line.is_empty() => Ok(Some(next)),
        b'#' if line == b"t" || line == b"f" => Ok(Some(next)),
        b'$' | b'!' | b'=' => match parse_len(line, kind == b'$', pos)? {
            None => Ok(Some(next)),
            Some(len) => blob_end(buf, next, len, pos),
        },
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let Some(count) = parse_len(line, kind == b'*', pos)? else { return Ok(Some(next)) };
            let items =
                if matches!(kind, b'%' | b'|') { count.checked_mul(2).ok_or("count overflows")? } else { count };
            let mut at = next;
            for _ in 0..items {
                match frame_at(buf, at, depth + 1)? {
                    Some(end) => at = end,
                    None => return Ok(None),
                }
            }
            if kind == b'|' {
                // An attribute describes the reply that follows it: both are one unit.
                return frame_at(buf, at, depth + 1);
            }
            Ok(Some(at))
        }
        _ => {
            Err(format!("malformed reply at offset {pos}: {}", crate::quote::repr(&buf[pos..buf.len().min(pos + 40)])))
        }
    }
}

/// The length of the first complete reply at the start of `buf`: `Ok(None)` while more bytes
/// are needed, `Err` when the bytes cannot be a RESP2/RESP3 reply. An attribute (`|`) and the
/// reply after it count as one reply; a push message (`>`) is a reply of its own.
pub fn reply_len(buf: &[u8]) -> Result<Option<usize>, String> {
    frame_at(buf, 0, 0)
}

/// The byte ranges of the elements of the top-level aggregate in `reply` (one complete reply),
/// with the length of its header; `None` when it is not a non-null aggregate (attributes are
/// not looked through). Maps and attribute lists yield keys and values alternately.
pub(crate) fn aggregate_elements(reply: &[u8]) -> Option<(usize, Vec<Range<usize>>)> {
    let kind = *reply.first()?;
    if !matches!(kind, b'*' | b'~' | b'>' | b'%') {
        return None;
    }
    let (line, next) = header_line(reply, 0).ok()??;
    let count = parse_len(line, true, 0).ok()??;
    let items = if kind == b'%' { count.checked_mul(2)? } else { count };
    let mut ranges = Vec::with_capacity(items);
    let mut at = next;
    for _ in 0..items {
        let end = frame_at(reply, at, 1).ok()??;
        ranges.push(at..end);
        at = end;
    }
    Some((next, ranges))
}

/// One RESP2/RESP3 reply as a tree, for assertions.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// `+...` status reply.
    Simple(String),
    /// `-...` error or `!` blob error (its full text, code included).
    Error(String),
    /// `:` integer.
    Int(i64),
    /// `$` bulk string; `None` is the RESP2 null bulk `$-1`.
    Bulk(Option<Vec<u8>>),
    /// `*` array; `None` is the RESP2 null array `*-1`.
    Array(Option<Vec<Reply>>),
    /// `%` map, pairs in wire order.
    Map(Vec<(Reply, Reply)>),
    /// `~` set, elements in wire order.
    Set(Vec<Reply>),
    /// `,` double, as sent (`3.141`, `inf`, `-inf`, `nan`).
    Double(String),
    /// `#t` / `#f`.
    Bool(bool),
    /// `_` RESP3 null.
    Null,
    /// `=` verbatim string: the three-letter format (`txt`, `mkd`) and the text.
    Verbatim { format: String, text: Vec<u8> },
    /// `(` big number, as sent.
    BigNumber(String),
    /// `>` push message.
    Push(Vec<Reply>),
    /// `|` attribute: its pairs and the reply it precedes.
    Attribute { attrs: Vec<(Reply, Reply)>, reply: Box<Reply> },
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn parse_at(buf: &[u8], pos: usize, depth: usize) -> Result<(Reply, usize), String> {
    let incomplete = || format!("incomplete reply: {}", crate::quote::repr(buf));
    if depth > MAX_DEPTH {
        return Err(format!("reply nested deeper than {MAX_DEPTH} levels"));
    }
    let kind = *buf.get(pos).ok_or_else(incomplete)?;
    let (line, next) = header_line(buf, pos)?.ok_or_else(incomplete)?;
    let blob = |len: usize| -> Result<(&[u8], usize), String> {
        let end = blob_end(buf, next, len, pos)?.ok_or_else(incomplete)?;
        Ok((&buf[next..end - 2], end))
    };
    let items = |n: usize, at: usize| -> Result<(Vec<Reply>, usize), String> {
        let mut out = Vec::with_capacity(n.min(4096));
        let mut at = at;
        for _ in 0..n {
            let (r, end) = parse_at(buf, at, depth + 1)?;
            out.push(r);
            at = end;
        }
        Ok((out, at))
    };
    let pairs = |n: usize| -> Result<(Vec<(Reply, Reply)>, usize), String> {
        let (flat, end) = items(n.checked_mul(2).ok_or("count overflows")?, next)?;
        let mut it = flat.into_iter();
        let mut out = Vec::with_capacity(n.min(4096));
        while let (Some(k), Some(v)) = (it.next(), it.next()) {
            out.push((k, v));
        }
        Ok((out, end))
    };
    Ok(match kind {
        b'+' => (Reply::Simple(lossy(line)), next),
        b'-' => (Reply::Error(lossy(line)), next),
        b':' => (Reply::Int(parse_i64(line, "integer", pos)?), next),
        b',' => (Reply::Double(lossy(line)), next),
        b'(' => (Reply::BigNumber(lossy(line)), next),
        b'_' if line.is_empty() => (Reply::Null, next),
        b'#' if line == b"t" || line == b"f" => (Reply::Bool(line == b"t"), next),
        b'$' => match parse_len(line, true, pos)? {
            None => (Reply::Bulk(None), next),
            Some(len) => blob(len).map(|(b, end)| (Reply::Bulk(Some(b.to_vec())), end))?,
        },
        b'!' => {
            let len = parse_len(line, false, pos)?.unwrap_or(0);
            blob(len).map(|(b, end)| (Reply::Error(lossy(b)), end))?
        }
        b'=' => {
            let len = parse_len(line, false, pos)?.unwrap_or(0);
            let (b, end) = blob(len)?;
            if b.len() < 4 || b[3] != b':' {
                return Err(format!("verbatim string without a format at offset {pos}"));
            }
            (Reply::Verbatim { format: lossy(&b[..3]), text: b[4..].to_vec() }, end)
        }
        b'*' => match parse_len(line, true, pos)? {
            None => (Reply::Array(None), next),
            Some(n) => items(n, next).map(|(v, end)| (Reply::Array(Some(v)), end))?,
        },
        b'~' => items(parse_len(line, false, pos)?.unwrap_or(0), next).map(|(v, end)| (Reply::Set(v), end))?,
        b'>' => items(parse_len(line, false, pos)?.unwrap_or(0), next).map(|(v, end)| (Reply::Push(v), end))?,
        b'%' => pairs(parse_len(line, false, pos)?.unwrap_or(0)).map(|(v, end)| (Reply::Map(v), end))?,
        b'|' => {
            let (attrs, at) = pairs(parse_len(line, false, pos)?.unwrap_or(0))?;
            let (reply, end) = parse_at(buf, at, depth + 1)?;
            (Reply::Attribute { attrs, reply: Box::new(reply) }, end)
        }
        _ => {
            return Err(format!(
                "malformed reply at offset {pos}: {}",
                crate::quote::repr(&buf[pos..buf.len().min(pos + 40)])
            ))
        }
    })
}

/// Parses exactly one complete reply; incomplete input, trailing bytes and malformed input are
/// errors.
pub fn try_parse_reply(bytes: &[u8]) -> Result<Reply, String> {
    let (reply, end) = parse_at(bytes, 0, 0)?;
    if end != bytes.len() {
        return Err(format!("{} bytes after the reply: {}", bytes.len() - end, crate::quote::repr(&bytes[end..])));
    }
    Ok(reply)
}

/// Parses exactly one complete reply, panicking (with the bytes shown) when `bytes` is not one.
pub fn parse_reply(bytes: &[u8]) -> Reply {
    match try_parse_reply(bytes) {
        Ok(r) => r,
        Err(e) => panic!("not a single RESP reply ({e}): {}", crate::quote::repr(bytes)),
    }
}

impl Reply {
    /// The reply an attribute precedes (itself for any other reply).
    pub fn without_attribute(&self) -> &Reply {
        match self {
            Reply::Attribute { reply, .. } => reply.without_attribute(),
            other => other,
        }
    }

    /// The text of a status reply, a UTF-8 bulk or verbatim string, a double or a big number.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Reply::Simple(s) | Reply::Double(s) | Reply::BigNumber(s) => Some(s),
            Reply::Bulk(Some(b)) | Reply::Verbatim { text: b, .. } => std::str::from_utf8(b).ok(),
            _ => None,
        }
    }

    /// The bytes of a bulk, status or verbatim string.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Reply::Simple(s) => Some(s.as_bytes()),
            Reply::Bulk(Some(b)) | Reply::Verbatim { text: b, .. } => Some(b),
            _ => None,
        }
    }

    /// The value of an integer reply.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Reply::Int(n) => Some(*n),
            _ => None,
        }
    }

    /// The elements of a non-null array, a set or a push message.
    pub fn as_array(&self) -> Option<&[Reply]> {
        match self {
            Reply::Array(Some(v)) | Reply::Set(v) | Reply::Push(v) => Some(v),
            _ => None,
        }
    }

    /// The pairs of a map.
    pub fn as_map(&self) -> Option<&[(Reply, Reply)]> {
        match self {
            Reply::Map(v) => Some(v),
            _ => None,
        }
    }

    /// The value for `key` in a map, or in a RESP2 array of alternating fields and values (the
    /// RESP2 form of maps, e.g. HELLO 2 or CONFIG GET).
    pub fn get(&self, key: &str) -> Option<&Reply> {
        match self {
            Reply::Map(pairs) => pairs.iter().find(|(k, _)| k.as_bytes() == Some(key.as_bytes())).map(|(_, v)| v),
            Reply::Array(Some(flat)) => {
                flat.chunks_exact(2).find(|p| p[0].as_bytes() == Some(key.as_bytes())).map(|p| &p[1])
            }
            _ => None,
        }
    }

    /// The full text of an error reply (`ERR ...`, `WRONGTYPE ...`).
    pub fn as_error(&self) -> Option<&str> {
        match self {
            Reply::Error(s) => Some(s),
            _ => None,
        }
    }

    /// Whether this is an error reply.
    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }

    /// Whether this is a null of either protocol (`_`, `$-1`, `*-1`).
    pub fn is_null(&self) -> bool {
        matches!(self, Reply::Null | Reply::Bulk(None) | Reply::Array(None))
    }
}

impl fmt::Display for Reply {
    /// A compact, redis-cli-like rendering for messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn list(f: &mut fmt::Formatter<'_>, open: &str, items: &[Reply], close: &str) -> fmt::Result {
            f.write_str(open)?;
            for (i, r) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{r}")?;
            }
            f.write_str(close)
        }
        fn pairs(f: &mut fmt::Formatter<'_>, open: &str, items: &[(Reply, Reply)], close: &str) -> fmt::Result {
            f.write_str(open)?;
            for (i, (k, v)) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{k}: {v}")?;
            }
            f.write_str(close)
        }
        match self {
            Reply::Simple(s) => write!(f, "+{s}"),
            Reply::Error(s) => write!(f, "(error) {s}"),
            Reply::Int(n) => write!(f, "(integer) {n}"),
            Reply::Bulk(None) | Reply::Array(None) | Reply::Null => f.write_str("(nil)"),
            Reply::Bulk(Some(b)) => f.write_str(&crate::quote::repr(b)),
            Reply::Array(Some(v)) => list(f, "[", v, "]"),
            Reply::Set(v) => list(f, "~{", v, "}"),
            Reply::Push(v) => list(f, ">[", v, "]"),
            Reply::Map(v) => pairs(f, "{", v, "}"),
            Reply::Double(s) => write!(f, "(double) {s}"),
            Reply::BigNumber(s) => write!(f, "(big number) {s}"),
            Reply::Bool(b) => write!(f, "({b})"),
            Reply::Verbatim { format, text } => write!(f, "(verbatim {format}) {}", crate::quote::repr(text)),
            Reply::Attribute { attrs, reply } => {
                pairs(f, "|{", attrs, "} ")?;
                write!(f, "{reply}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every proper prefix is incomplete and the whole is one reply of its full length.
    fn check_frames(bytes: &[u8]) {
        for cut in 0..bytes.len() {
            assert_eq!(reply_len(&bytes[..cut]), Ok(None), "prefix {cut} of {}", crate::quote::repr(bytes));
        }
        assert_eq!(reply_len(bytes), Ok(Some(bytes.len())), "{}", crate::quote::repr(bytes));
        let mut two = bytes.to_vec();
        two.extend_from_slice(b"+OK\r\n");
        assert_eq!(reply_len(&two), Ok(Some(bytes.len())));
        try_parse_reply(bytes).unwrap();
    }

    #[test]
    fn frames_every_type() {
        for r in [
            &b"+OK\r\n"[..],
            b"-ERR x\r\n",
            b":-12\r\n",
            b"$0\r\n\r\n",
            b"$-1\r\n",
            b"$5\r\na\r\nbc\r\n",
            b"*-1\r\n",
            b"*0\r\n",
            b"*2\r\n$1\r\na\r\n*1\r\n:1\r\n",
            b"_\r\n",
            b",3.141\r\n",
            b",-inf\r\n",
            b"#t\r\n",
            b"(1234567999999999999999999999999999999\r\n",
            b"=8\r\ntxt:a\r\nb\r\n",
            b"!10\r\nERR x\r\ny z\r\n",
            b"~2\r\n:1\r\n:2\r\n",
            b"%1\r\n+k\r\n%1\r\n+a\r\n~0\r\n",
            b">2\r\n$7\r\nmessage\r\n:1\r\n",
            b"|1\r\n+key-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$4\r\nreal\r\n",
            b"*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n:2\r\n",
        ] {
            check_frames(r);
        }
    }

    #[test]
    fn rejects_malformed() {
        for r in [
            &b"?x\r\n"[..],
            b":abc\r\n",
            b":+1\r\n",
            b"$-2\r\n",
            b"$1\r\nab\r\n",
            b"*-2\r\n",
            b"%-1\r\n",
            b"_x\r\n",
            b"#x\r\n",
            b"*1\r\n?\r\n",
        ] {
            assert!(reply_len(r).is_err(), "{}", crate::quote::repr(r));
            assert!(try_parse_reply(r).is_err());
        }
        assert!(try_parse_reply(b"=3\r\ntxt\r\n").is_err());
        assert!(try_parse_reply(b"+OK\r\n+OK\r\n").is_err());
        let deep = "*1\r\n".repeat(MAX_DEPTH + 2);
        assert!(reply_len(deep.as_bytes()).is_err());
    }

    #[test]
    fn parses_trees() {
        let r = parse_reply(b"|1\r\n+a\r\n:1\r\n%2\r\n$1\r\nk\r\n~1\r\n#f\r\n+x\r\n*-1\r\n");
        let Reply::Attribute { attrs, reply } = &r else { panic!("{r:?}") };
        assert_eq!(attrs, &vec![(Reply::Simple("a".into()), Reply::Int(1))]);
        assert_eq!(reply.get("k"), Some(&Reply::Set(vec![Reply::Bool(false)])));
        assert_eq!(r.without_attribute().get("x"), Some(&Reply::Array(None)));
        assert!(r.without_attribute().get("x").unwrap().is_null());
        let v = parse_reply(b"=15\r\ntxt:Some string\r\n");
        assert_eq!(v, Reply::Verbatim { format: "txt".into(), text: b"Some string".to_vec() });
        assert_eq!(v.as_str(), Some("Some string"));
        let flat = parse_reply(b"*4\r\n$6\r\nserver\r\n$5\r\nredis\r\n$5\r\nproto\r\n:2\r\n");
        assert_eq!(flat.get("proto").and_then(Reply::as_int), Some(2));
        assert_eq!(parse_reply(b"!5\r\nERR x\r\n").as_error(), Some("ERR x"));
        assert_eq!(parse_reply(b"*2\r\n:1\r\n$-1\r\n").to_string(), "[(integer) 1, (nil)]");
    }

    #[test]
    fn encodes_commands() {
        assert_eq!(encode_cmd(&["SET", "k", ""]), b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
        assert_eq!(encode_cmd::<&[u8]>(&[]), b"*0\r\n");
    }

    #[test]
    fn aggregate_element_ranges() {
        let r = b"%2\r\n+a\r\n:1\r\n+b\r\n*1\r\n:2\r\n";
        let (h, els) = aggregate_elements(r).unwrap();
        assert_eq!(h, 4);
        let parts: Vec<&[u8]> = els.iter().map(|e| &r[e.clone()]).collect();
        assert_eq!(parts, vec![&b"+a\r\n"[..], b":1\r\n", b"+b\r\n", b"*1\r\n:2\r\n"]);
        assert!(aggregate_elements(b"*-1\r\n").is_none());
        assert!(aggregate_elements(b"+OK\r\n").is_none());
    }
}
