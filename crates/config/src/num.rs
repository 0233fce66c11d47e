//! Number syntax as Redis's config code accepts and prints it: strict integers (string2ll),
//! memory sizes with units (memtoull, including its wrap-around on overflow), C strtoll() with
//! its leading blanks, sign and saturation (used by `save`, output buffer limits, octal values),
//! strict doubles (string2d), `%f` printing with trailing zeros trimmed, and the `1gb`/`1mb`/
//! `1kb` form of CONFIG REWRITE. No knowledge of parameters.

use crate::syntax::{cstr, is_space};

/// Redis's string2ll(): an optional `-`, no leading zeros, no blanks, no `+`, fits in i64.
pub fn string2ll(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() >= 21 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (neg, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !(b'1'..=b'9').contains(&digits[0]) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    if neg {
        if v > (i64::MAX as u64) + 1 {
            return None;
        }
        Some((v as i64).wrapping_neg())
    } else {
        i64::try_from(v).ok()
    }
}

/// Redis's memtoull(): digits followed by an optional unit (b, k=1000, kb=1024, m, mb, g, gb,
/// any case). A leading `-` is an error. Like Redis, a digit run that overflows saturates and
/// the unit multiplication wraps; an empty digit run is 0.
pub fn memtoull(s: &[u8]) -> Option<u64> {
    let s = cstr(s);
    if s.first() == Some(&b'-') {
        return None;
    }
    let ndigits = s.iter().take_while(|c| c.is_ascii_digit()).count();
    let unit = s[ndigits..].to_ascii_lowercase();
    let mul: u64 = match unit.as_slice() {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    if ndigits >= 128 {
        return None;
    }
    let mut v: u64 = 0;
    for &c in &s[..ndigits] {
        v = v.checked_mul(10).and_then(|x| x.checked_add(u64::from(c - b'0'))).unwrap_or(u64::MAX);
    }
    Some(v.wrapping_mul(mul))
}

/// The result of a C strtoll() call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StrtollResult {
    /// The (saturated) value.
    pub value: i64,
    /// Whether the end pointer reached the end of the (C) string.
    pub complete: bool,
    /// Whether errno was set to ERANGE.
    pub overflow: bool,
}

/// C strtoll(s, &end, base) on the C string in `s`: leading blanks, an optional sign, digits of
/// the base; saturates on overflow. With no digits at all the end pointer stays at the start,
/// so only an empty string is "complete".
pub fn strtoll(s: &[u8], base: u32) -> StrtollResult {
    let s = cstr(s);
    let mut i = 0;
    while i < s.len() && is_space(s[i]) {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    let start_digits = i;
    let mut acc: u128 = 0;
    let mut overflow = false;
    while i < s.len() {
        let Some(d) = (s[i] as char).to_digit(base) else { break };
        acc = acc * u128::from(base) + u128::from(d);
        if acc > u128::from(u64::MAX) {
            acc = u128::from(u64::MAX);
            overflow = true;
        }
        i += 1;
    }
    if i == start_digits {
        return StrtollResult { value: 0, complete: s.is_empty(), overflow: false };
    }
    let limit: u128 = if neg { (i64::MAX as u128) + 1 } else { i64::MAX as u128 };
    let value = if acc > limit {
        overflow = true;
        if neg {
            i64::MIN
        } else {
            i64::MAX
        }
    } else if neg {
        (acc as i64).wrapping_neg()
    } else {
        acc as i64
    };
    StrtollResult { value, complete: i == s.len(), overflow }
}

/// Redis's string2d(): a whole-string strtod() that rejects leading blanks, NaN and values that
/// overflow or underflow to zero.
pub fn string2d(s: &[u8]) -> Option<f64> {
    if s.is_empty() || is_space(s[0]) {
        return None;
    }
    let text = std::str::from_utf8(s).ok()?;
    let (neg, body) = match text.as_bytes()[0] {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = body.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Some(if neg { f64::NEG_INFINITY } else { f64::INFINITY });
    }
    if lower.starts_with("nan") {
        return None;
    }
    let magnitude = match lower.strip_prefix("0x") {
        Some(hex) => parse_hex_float(hex)?,
        None => parse_dec_float(body)?,
    };
    Some(if neg { -magnitude } else { magnitude })
}

/// A decimal float as strtod() reads it, with ERANGE on overflow or underflow to zero.
fn parse_dec_float(body: &str) -> Option<f64> {
    let b = body.as_bytes();
    let mut i = 0;
    let int_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let exp_digits = b[j.min(b.len())..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp_digits > 0 {
            i = j + exp_digits;
        }
    }
    if i != b.len() {
        return None;
    }
    let v: f64 = body.parse().ok()?;
    let has_nonzero_digit = body.bytes().take_while(|c| !matches!(c, b'e' | b'E')).any(|c| (b'1'..=b'9').contains(&c));
    if v.is_infinite() || (v == 0.0 && has_nonzero_digit) {
        return None;
    }
    Some(v)
}

/// A hexadecimal float body (after "0x"): hex digits, optional fraction, optional p exponent.
fn parse_hex_float(body: &str) -> Option<f64> {
    let b = body.as_bytes();
    let mut mantissa = 0f64;
    let mut i = 0;
    let mut digits = 0;
    let mut exp: i64 = 0;
    while i < b.len() && b[i].is_ascii_hexdigit() {
        mantissa = mantissa * 16.0 + f64::from((b[i] as char).to_digit(16)?);
        i += 1;
        digits += 1;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while i < b.len() && b[i].is_ascii_hexdigit() {
            mantissa = mantissa * 16.0 + f64::from((b[i] as char).to_digit(16)?);
            exp -= 4;
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'p')) {
        let r = strtoll(&b[i + 1..], 10);
        if !r.complete || b.len() == i + 1 {
            return None;
        }
        exp = exp.saturating_add(r.value);
        i = b.len();
    }
    if i != b.len() {
        return None;
    }
    let v = mantissa * 2f64.powi(exp.clamp(-4000, 4000) as i32);
    if v.is_infinite() || (v == 0.0 && mantissa != 0.0) {
        return None;
    }
    Some(v)
}

/// printf("%f") followed by Redis's trimDoubleString() (trailing zeros and dot removed).
pub fn format_f_trimmed(v: f64) -> String {
    let mut s = if v.is_finite() {
        format!("{:.6}", v)
    } else if v.is_nan() {
        "nan".to_string()
    } else if v > 0.0 {
        "inf".to_string()
    } else {
        "-inf".to_string()
    };
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    s
}

/// The memory form CONFIG REWRITE writes: `<n>gb`, `<n>mb`, `<n>kb` when exact, else bytes.
/// Takes the value as Redis's `long long`, so huge unsigned values print negative as in Redis.
pub fn format_memory_rewrite(bytes: i64) -> String {
    const GB: i64 = 1024 * 1024 * 1024;
    const MB: i64 = 1024 * 1024;
    const KB: i64 = 1024;
    if bytes != 0 && bytes % GB == 0 {
        format!("{}gb", bytes / GB)
    } else if bytes != 0 && bytes % MB == 0 {
        format!("{}mb", bytes / MB)
    } else if bytes != 0 && bytes % KB == 0 {
        format!("{}kb", bytes / KB)
    } else {
        bytes.to_string()
    }
}

/// C atoi() (used for `--test-memory`): blanks, sign, digits, stops at the first non-digit.
pub fn atoi(s: &str) -> i32 {
    let r = strtoll(s.as_bytes(), 10);
    r.value as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string2ll_is_strict() {
        assert_eq!(string2ll(b"0"), Some(0));
        assert_eq!(string2ll(b"-2"), Some(-2));
        assert_eq!(string2ll(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(string2ll(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [&b""[..], b"05", b"+5", b" 5", b"5 ", b"0x10", b"-", b"-0", b"9223372036854775808", b"1e3"] {
            assert_eq!(string2ll(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn memtoull_units_and_quirks() {
        assert_eq!(memtoull(b"1k"), Some(1000));
        assert_eq!(memtoull(b"1kb"), Some(1024));
        assert_eq!(memtoull(b"1K"), Some(1000));
        assert_eq!(memtoull(b"1Kb"), Some(1024));
        assert_eq!(memtoull(b"2m"), Some(2_000_000));
        assert_eq!(memtoull(b"2MB"), Some(2 << 20));
        assert_eq!(memtoull(b"3g"), Some(3_000_000_000));
        assert_eq!(memtoull(b"3gB"), Some(3 << 30));
        assert_eq!(memtoull(b"7b"), Some(7));
        assert_eq!(memtoull(b"7B"), Some(7));
        // Seen on redis-server 7.0.15: "" and "b" are 0, overflow saturates then wraps.
        assert_eq!(memtoull(b""), Some(0));
        assert_eq!(memtoull(b"b"), Some(0));
        assert_eq!(memtoull(b"99999999999999999999"), Some(u64::MAX));
        assert_eq!(memtoull(b"99999999999999999999gb"), Some(18446744072635809792));
        for bad in [&b"-1"[..], b" 1", b"+1", b"1 kb", b"1tb", b"1.5mb", b"kbb"] {
            assert_eq!(memtoull(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn strtoll_like_c() {
        let r = strtoll(b" 100", 10);
        assert_eq!((r.value, r.complete), (100, true));
        assert_eq!(strtoll(b"+5", 10).value, 5);
        assert!(strtoll(b"", 10).complete);
        assert!(!strtoll(b" ", 10).complete);
        assert!(!strtoll(b"+", 10).complete);
        assert!(!strtoll(b"5x", 10).complete);
        let r = strtoll(b"99999999999999999999", 10);
        assert_eq!((r.value, r.overflow), (i64::MAX, true));
        let r = strtoll(b"-99999999999999999999", 10);
        assert_eq!((r.value, r.overflow), (i64::MIN, true));
        assert_eq!(strtoll(b"777", 8).value, 511);
        assert!(!strtoll(b"800", 8).complete);
        assert_eq!(strtoll(b"12\0junk", 10), StrtollResult { value: 12, complete: true, overflow: false });
    }

    #[test]
    fn string2d_like_redis() {
        assert_eq!(string2d(b"99.9"), Some(99.9));
        assert_eq!(string2d(b"2e1"), Some(20.0));
        assert_eq!(string2d(b".5"), Some(0.5));
        assert_eq!(string2d(b"5."), Some(5.0));
        assert_eq!(string2d(b"+1"), Some(1.0));
        assert_eq!(string2d(b"inf"), Some(f64::INFINITY));
        assert_eq!(string2d(b"0x10"), Some(16.0));
        assert_eq!(string2d(b"0x1p3"), Some(8.0));
        for bad in [&b""[..], b" 1", b"1 ", b"abc", b"nan", b"1e400", b"1e-400", b"1e", b"."] {
            assert_eq!(string2d(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
        // An 'e' without digits is not part of the number: "1e" fails, "1e5" works.
        assert_eq!(string2d(b"1e5"), Some(100000.0));
    }

    #[test]
    fn float_and_memory_formatting() {
        assert_eq!(format_f_trimmed(50.0), "50");
        assert_eq!(format_f_trimmed(99.9), "99.9");
        assert_eq!(format_f_trimmed(33.33333333), "33.333333");
        assert_eq!(format_f_trimmed(0.0001), "0.0001");
        assert_eq!(format_f_trimmed(0.0000001), "0");
        assert_eq!(format_memory_rewrite(0), "0");
        assert_eq!(format_memory_rewrite(1 << 30), "1gb");
        assert_eq!(format_memory_rewrite(3 << 20), "3mb");
        assert_eq!(format_memory_rewrite(2048), "2kb");
        assert_eq!(format_memory_rewrite(1000), "1000");
        assert_eq!(format_memory_rewrite(-1), "-1");
        assert_eq!(atoi(" 42x"), 42);
    }
}
