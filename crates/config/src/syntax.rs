//! The text rules of redis.conf lines, as Redis applies them: splitting a config text into
//! lines and trimming them, splitting a line into arguments with double quotes (C-like escapes
//! and `\xHH`) and single quotes, and quoting a value back (the form CONFIG REWRITE and the
//! command line conversion write). Pure byte functions; they know nothing of directives.

/// C's isspace() in the C locale.
pub(crate) fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// The bytes before the first NUL: what a C string function would see.
pub(crate) fn cstr(s: &[u8]) -> &[u8] {
    match s.iter().position(|&c| c == 0) {
        Some(i) => &s[..i],
        None => s,
    }
}

/// Splits a line into arguments the way redis.conf and redis-cli do.
///
/// Blanks separate arguments; `"..."` understands `\n \r \t \b \a`, `\xHH` and `\<any>`;
/// `'...'` only understands `\'`. A closing quote must be followed by a blank or the end of the
/// line. Returns `None` for unbalanced quotes (or a closing quote glued to more text). The line
/// ends at the first NUL byte, as in C.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let line = cstr(line);
    let at = |i: usize| line.get(i).copied().unwrap_or(0);
    let mut args = Vec::new();
    let mut i = 0;
    loop {
        while i < line.len() && is_space(line[i]) {
            i += 1;
        }
        if i >= line.len() {
            return Some(args);
        }
        let mut cur = Vec::new();
        let (mut in_dq, mut in_sq) = (false, false);
        loop {
            let c = at(i);
            if in_dq {
                if c == b'\\' && at(i + 1) == b'x' {
                    if let (Some(h), Some(l)) = (hex_value(at(i + 2)), hex_value(at(i + 3))) {
                        cur.push(h * 16 + l);
                        i += 4;
                        continue;
                    }
                }
                if c == b'\\' && at(i + 1) != 0 {
                    i += 1;
                    cur.push(match at(i) {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                } else if c == b'"' {
                    if at(i + 1) != 0 && !is_space(at(i + 1)) {
                        return None;
                    }
                    i += 1;
                    break;
                } else if c == 0 {
                    return None;
                } else {
                    cur.push(c);
                }
            } else if in_sq {
                if c == b'\\' && at(i + 1) == b'\'' {
                    i += 1;
                    cur.push(b'\'');
                } else if c == b'\'' {
                    if at(i + 1) != 0 && !is_space(at(i + 1)) {
                        return None;
                    }
                    i += 1;
                    break;
                } else if c == 0 {
                    return None;
                } else {
                    cur.push(c);
                }
            } else {
                match c {
                    b' ' | b'\n' | b'\r' | b'\t' => {
                        i += 1;
                        break;
                    }
                    0 => break,
                    b'"' => in_dq = true,
                    b'\'' => in_sq = true,
                    _ => cur.push(c),
                }
            }
            i += 1;
        }
        args.push(cur);
    }
}

/// Quotes bytes as Redis's sdscatrepr(): `"..."` with `\\ \" \n \r \t \a \b` escaped and other
/// non-printable bytes as `\xhh`.
pub fn repr(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for &c in s {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x20..=0x7e => out.push(c as char),
            _ => out.push_str(&format!("\\x{:02x}", c)),
        }
    }
    out.push('"');
    out
}

/// Splits a text on `\n` as sdssplitlen() does: an empty text has no lines, a text ending with a
/// newline has a last empty line.
pub(crate) fn split_lines(text: &[u8]) -> Vec<&[u8]> {
    if text.is_empty() {
        return Vec::new();
    }
    text.split(|&c| c == b'\n').collect()
}

/// Splits on single spaces as sdssplitlen(value, " ") does (CONFIG SET of a multi-argument
/// parameter): empty pieces are kept and an empty value has no pieces.
pub(crate) fn split_spaces(value: &[u8]) -> Vec<&[u8]> {
    if value.is_empty() {
        return Vec::new();
    }
    value.split(|&c| c == b' ').collect()
}

/// Removes the characters of `set` from both ends (sdstrim).
pub(crate) fn trim<'a>(s: &'a [u8], set: &[u8]) -> &'a [u8] {
    let start = s.iter().position(|c| !set.contains(c)).unwrap_or(s.len());
    let end = s.iter().rposition(|c| !set.contains(c)).map_or(start, |e| e + 1);
    &s[start..end.max(start)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Option<Vec<String>> {
        split_args(line.as_bytes()).map(|v| v.into_iter().map(|a| String::from_utf8_lossy(&a).into_owned()).collect())
    }

    #[test]
    fn plain_words_and_blanks() {
        assert_eq!(args("port 6379").unwrap(), ["port", "6379"]);
        assert_eq!(args("  a\t b  ").unwrap(), ["a", "b"]);
        assert_eq!(args("").unwrap(), Vec::<String>::new());
        assert_eq!(args("   ").unwrap(), Vec::<String>::new());
        // \v and \f separate only when leading; inside a word they are kept.
        assert_eq!(args("a\x0bb").unwrap(), ["a\x0bb"]);
    }

    #[test]
    fn double_quotes_and_escapes() {
        assert_eq!(args(r#"save """#).unwrap(), ["save", ""]);
        assert_eq!(args(r#"a "b c" d"#).unwrap(), ["a", "b c", "d"]);
        assert_eq!(args(r#""\n\r\t\b\a\"\\\q""#).unwrap(), ["\n\r\t\u{8}\u{7}\"\\q"]);
        assert_eq!(split_args(br#""\x41\xff\x4""#).unwrap(), vec![b"A\xffx4".to_vec()]);
        // A quote in the middle of a word opens a quoted part.
        assert_eq!(args(r#"ab"c d""#).unwrap(), ["abc d"]);
    }

    #[test]
    fn single_quotes() {
        assert_eq!(args(r"'a b' 'it\'s' '\n'").unwrap(), ["a b", "it's", "\\n"]);
    }

    #[test]
    fn unbalanced_or_glued_quotes_fail() {
        assert!(args(r#"port "abc"#).is_none());
        assert!(args("a 'b").is_none());
        assert!(args(r#""a"b"#).is_none());
        assert!(args("'a'b").is_none());
        assert!(args(r#""a\"#).is_none());
    }

    #[test]
    fn nul_ends_the_line() {
        assert_eq!(split_args(b"a b\0c d").unwrap(), vec![b"a".to_vec(), b"b".to_vec()]);
        assert!(split_args(b"\"a\0\"").is_none());
    }

    #[test]
    fn repr_escapes_like_sdscatrepr() {
        assert_eq!(repr(b""), r#""""#);
        assert_eq!(repr(b"a b"), r#""a b""#);
        assert_eq!(repr(b"\\\"\n\r\t\x07\x08\x00\xff~"), r#""\\\"\n\r\t\a\b\x00\xff~""#);
        // repr and split_args are inverse.
        let raw: Vec<u8> = (0u8..=255).collect();
        assert_eq!(split_args(repr(&raw).as_bytes()).unwrap(), vec![raw]);
    }

    #[test]
    fn lines_and_trimming() {
        assert_eq!(split_lines(b""), Vec::<&[u8]>::new());
        assert_eq!(split_lines(b"a\nb\n"), vec![&b"a"[..], b"b", b""]);
        assert_eq!(trim(b" \t port 1 \r", b" \t\r\n"), b"port 1");
        assert_eq!(trim(b" \t ", b" \t"), b"");
        assert_eq!(split_spaces(b""), Vec::<&[u8]>::new());
        assert_eq!(split_spaces(b"a  b"), vec![&b"a"[..], b"", b"b"]);
    }
}
