//! Small helpers shared by command handlers: Redis's quoted representation of binary strings
//! (sdscatrepr, used by MONITOR, CLIENT LIST and logs) and case-insensitive argument matching.

/// Appends `"..."` with Redis's escaping: `\\`, `\"`, `\n`, `\r`, `\t`, `\a`, `\b`, printable
/// characters as they are, anything else as `\xHH`.
pub fn repr_into(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    for &c in s {
        match c {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'"' => out.extend_from_slice(b"\\\""),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x07 => out.extend_from_slice(b"\\a"),
            0x08 => out.extend_from_slice(b"\\b"),
            c if c.is_ascii_graphic() || c == b' ' => out.push(c),
            c => out.extend_from_slice(format!("\\x{:02x}", c).as_bytes()),
        }
    }
    out.push(b'"');
}

pub fn repr(s: &[u8]) -> String {
    let mut v = Vec::new();
    repr_into(&mut v, s);
    String::from_utf8_lossy(&v).into_owned()
}

/// The C library's message for an errno value (what Redis prints with strerror()).
pub fn strerror(code: i32) -> String {
    // SAFETY: strerror returns a pointer to a static or thread-local NUL-terminated string.
    let s = unsafe { std::ffi::CStr::from_ptr(libc::strerror(code)) };
    s.to_string_lossy().into_owned()
}

/// Case-insensitive comparison of an argument with an ASCII keyword.
#[inline]
pub fn eq_ic(arg: &[u8], kw: &str) -> bool {
    arg.eq_ignore_ascii_case(kw.as_bytes())
}

/// Compares secrets in time that does not depend on where they differ (AUTH passwords).
pub fn time_independent_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = (a.len() != b.len()) as u8;
    let n = a.len().max(b.len());
    for i in 0..n {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        diff |= x ^ y;
    }
    diff == 0
}

/// The C library's text for an I/O error (what Redis logs with strerror), without Rust's
/// " (os error N)" suffix.
pub fn os_error_text(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(code) => strerror(code),
        None => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn repr_escapes_like_redis() {
        assert_eq!(repr(b"a\"b\\c\n\x01 "), "\"a\\\"b\\\\c\\n\\x01 \"");
    }
}
