//! Text forms of byte strings for tests: splitting a command line the way redis-cli does
//! (`"..."` with `\n \r \t \b \a \xHH` escapes, `'...'` with only `\'`), expanding escapes in a
//! raw-bytes string, and the printable, quoted form of arbitrary bytes used in failure messages.
//! It knows nothing of RESP or of servers.

/// Whitespace as C's `isspace` sees it in the "C" locale.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The byte a backslash escape letter stands for (`\n`, `\r`, `\t`, `\b`, `\a`); any other
/// character stands for itself.
fn escape_letter(b: u8) -> u8 {
    match b {
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'b' => 0x08,
        b'a' => 0x07,
        other => other,
    }
}

/// Splits one command line into arguments with redis-cli's rules: blanks separate arguments;
/// `"..."` allows `\xHH` (two hex digits), `\n \r \t \b \a`, and `\c` for any other `c`; `'...'`
/// allows only `\'`; a quote may start in the middle of an argument (`a"b c"` is `ab c`); a closing
/// quote must be followed by a blank or the end of the line. Unbalanced quotes are an error.
pub fn split_args(line: &str) -> Result<Vec<Vec<u8>>, String> {
    let p = line.as_bytes();
    let mut i = 0;
    let mut args = Vec::new();
    loop {
        while i < p.len() && is_space(p[i]) {
            i += 1;
        }
        if i >= p.len() {
            return Ok(args);
        }
        let mut cur = Vec::new();
        let mut in_dq = false;
        let mut in_sq = false;
        loop {
            let c = p.get(i).copied();
            if in_dq {
                match c {
                    None => return Err("unbalanced double quotes".to_string()),
                    Some(b'\\') if p.get(i + 1) == Some(&b'x') => {
                        match (p.get(i + 2).and_then(|&b| hex_value(b)), p.get(i + 3).and_then(|&b| hex_value(b))) {
                            (Some(h), Some(l)) => {
                                cur.push(h * 16 + l);
                                i += 4;
                            }
                            _ => {
                                cur.push(b'x');
                                i += 2;
                            }
                        }
                    }
                    Some(b'\\') if i + 1 < p.len() => {
                        cur.push(escape_letter(p[i + 1]));
                        i += 2;
                    }
                    Some(b'"') => {
                        if i + 1 < p.len() && !is_space(p[i + 1]) {
                            return Err("closing quote must be followed by a blank".to_string());
                        }
                        i += 1;
                        break;
                    }
                    Some(b) => {
                        cur.push(b);
                        i += 1;
                    }
                }
            } else if in_sq {
                match c {
                    None => return Err("unbalanced single quotes".to_string()),
                    Some(b'\\') if p.get(i + 1) == Some(&b'\'') => {
                        cur.push(b'\'');
                        i += 2;
                    }
                    Some(b'\'') => {
                        if i + 1 < p.len() && !is_space(p[i + 1]) {
                            return Err("closing quote must be followed by a blank".to_string());
                        }
                        i += 1;
                        break;
                    }
                    Some(b) => {
                        cur.push(b);
                        i += 1;
                    }
                }
            } else {
                match c {
                    None | Some(b' ' | b'\n' | b'\r' | b'\t' | 0) => break,
                    Some(b'"') => {
                        in_dq = true;
                        i += 1;
                    }
                    Some(b'\'') => {
                        in_sq = true;
                        i += 1;
                    }
                    Some(b) => {
                        cur.push(b);
                        i += 1;
                    }
                }
            }
        }
        args.push(cur);
    }
}

/// Expands backslash escapes in `s` (the same escapes as inside `"..."` of [`split_args`]) and
/// keeps every other character as it is, blanks and quotes included. A trailing lone backslash
/// is an error.
pub fn unescape(s: &str) -> Result<Vec<u8>, String> {
    let p = s.as_bytes();
    let mut out = Vec::with_capacity(p.len());
    let mut i = 0;
    while i < p.len() {
        if p[i] != b'\\' {
            out.push(p[i]);
            i += 1;
            continue;
        }
        match p.get(i + 1) {
            None => return Err("trailing backslash".to_string()),
            Some(b'x') => match (p.get(i + 2).and_then(|&b| hex_value(b)), p.get(i + 3).and_then(|&b| hex_value(b))) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 4;
                }
                _ => return Err("\\x must be followed by two hex digits".to_string()),
            },
            Some(&b) => {
                out.push(escape_letter(b));
                i += 2;
            }
        }
    }
    Ok(out)
}

/// The printable, double-quoted form of `bytes` (like redis-cli's and sdscatrepr's): `\\`, `\"`,
/// `\n`, `\r`, `\t`, `\a`, `\b` escaped, other printable ASCII as is, everything else as `\xHH`.
pub fn repr(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() + 2);
    s.push('"');
    for &b in bytes {
        match b {
            b'\\' => s.push_str("\\\\"),
            b'"' => s.push_str("\\\""),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            0x07 => s.push_str("\\a"),
            0x08 => s.push_str("\\b"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s.push('"');
    s
}

/// A command's arguments joined for display: plain arguments as they are, the others in
/// [`repr`] form.
pub fn repr_args(args: &[Vec<u8>]) -> String {
    let shown: Vec<String> = args
        .iter()
        .map(|a| {
            let plain =
                !a.is_empty() && a.iter().all(|&b| b.is_ascii_graphic() && b != b'"' && b != b'\'' && b != b'\\');
            if plain {
                String::from_utf8_lossy(a).into_owned()
            } else {
                repr(a)
            }
        })
        .collect();
    shown.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Vec<Vec<u8>> {
        split_args(s).unwrap()
    }

    #[test]
    fn splits_like_redis_cli() {
        assert_eq!(split("  SET  a   b "), vec![b"SET".to_vec(), b"a".to_vec(), b"b".to_vec()]);
        assert_eq!(split(""), Vec::<Vec<u8>>::new());
        assert_eq!(split("   "), Vec::<Vec<u8>>::new());
        assert_eq!(split(r#"SET "a b" """#), vec![b"SET".to_vec(), b"a b".to_vec(), b"".to_vec()]);
        assert_eq!(split(r#""\x41\x4a\xzz\n\r\t\b\a\q\"\\""#), vec![b"AJxzz\n\r\t\x08\x07q\"\\".to_vec()]);
        assert_eq!(split(r#""\xff\x00""#), vec![vec![0xff, 0x00]]);
        assert_eq!(split(r"'a\'b\n'"), vec![b"a'b\\n".to_vec()]);
        assert!(split_args(r#"a"b c"d"#).is_err());
        assert_eq!(split(r#"a"b c" d"#), vec![b"ab c".to_vec(), b"d".to_vec()]);
        assert_eq!(split("a'b c'"), vec![b"ab c".to_vec()]);
        assert!(split_args(r#""abc"#).is_err());
        assert!(split_args("'abc").is_err());
        assert!(split_args(r#""a"b"#).is_err());
        assert!(split_args("'a'b").is_err());
    }

    #[test]
    fn unescape_keeps_blanks_and_quotes() {
        assert_eq!(unescape(r"PING\r\n").unwrap(), b"PING\r\n");
        assert_eq!(unescape(r#"*1 "x" '\x00'"#).unwrap(), b"*1 \"x\" '\x00'");
        assert!(unescape("abc\\").is_err());
        assert!(unescape(r"\xg0").is_err());
    }

    #[test]
    fn repr_escapes() {
        assert_eq!(repr(b"+OK\r\n"), r#""+OK\r\n""#);
        assert_eq!(repr(b"a\"\\\x00\xff\x07\x08\t"), r#""a\"\\\x00\xff\a\b\t""#);
        assert_eq!(repr_args(&[b"SET".to_vec(), b"a b".to_vec(), b"".to_vec()]), r#"SET "a b" """#);
        // repr output is valid input for split_args and round-trips
        let odd = b"a b\"\\\x00\xfe\r\n".to_vec();
        assert_eq!(split_args(&repr(&odd)).unwrap(), vec![odd]);
    }
}
