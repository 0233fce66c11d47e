//! Numbers as Redis writes and reads them on the wire: `%.17g` doubles ([`fmt_double`],
//! [`write_double`]), fast decimal integers ([`write_i64`], [`write_u64`]), strict integer parsing
//! with string2ll's rules ([`parse_i64`], [`parse_u64`]) and strict double parsing with
//! string2d's rules on top of glibc strtod's grammar ([`parse_f64`]).
//!
//! This module knows nothing of RESP framing or commands; it is pure byte/number conversion.
//! The human-friendly long-double format of INCRBYFLOAT needs 80-bit arithmetic and is not here.

/// Two-digit lookup table for the integer formatter.
const DIGITS2: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Formats `n` right-aligned into `buf`; returns the index of the first digit.
#[inline]
pub(crate) fn fmt_u64_into(buf: &mut [u8; 20], mut n: u64) -> usize {
    let mut i = buf.len();
    while n >= 100 {
        let r = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        buf[i] = DIGITS2[r];
        buf[i + 1] = DIGITS2[r + 1];
    }
    if n >= 10 {
        let r = n as usize * 2;
        i -= 2;
        buf[i] = DIGITS2[r];
        buf[i + 1] = DIGITS2[r + 1];
    } else {
        i -= 1;
        buf[i] = b'0' + n as u8;
    }
    i
}

/// Appends the decimal form of `n`.
#[inline]
pub fn write_u64(out: &mut Vec<u8>, n: u64) {
    let mut buf = [0u8; 20];
    let start = fmt_u64_into(&mut buf, n);
    out.extend_from_slice(&buf[start..]);
}

/// Appends the decimal form of `n` (a leading `-` when negative).
#[inline]
pub fn write_i64(out: &mut Vec<u8>, n: i64) {
    let mut buf = [0u8; 20];
    let start = fmt_u64_into(&mut buf, n.unsigned_abs());
    if n < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[start..]);
}

/// The decimal form of `n` as a `String`.
pub fn i64_to_string(n: i64) -> String {
    let mut v = Vec::with_capacity(20);
    write_i64(&mut v, n);
    // Only ASCII digits and '-' were written.
    String::from_utf8(v).unwrap_or_default()
}

/// A fixed stack buffer that `core::fmt` can write into (used to get Rust's exactly rounded
/// `{:e}` digits without allocating).
struct StackBuf {
    buf: [u8; 40],
    len: usize,
}

impl std::fmt::Write for StackBuf {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let b = s.as_bytes();
        let end = self.len + b.len();
        if end > self.buf.len() {
            return Err(std::fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(b);
        self.len = end;
        Ok(())
    }
}

/// A short stack-allocated byte string (a formatted double is at most 24 bytes).
pub(crate) struct Small {
    buf: [u8; 32],
    len: usize,
}

impl Small {
    fn new() -> Self {
        Small { buf: [0; 32], len: 0 }
    }
    #[inline]
    fn push(&mut self, c: u8) {
        if self.len < self.buf.len() {
            self.buf[self.len] = c;
            self.len += 1;
        }
    }
    #[inline]
    fn extend(&mut self, b: &[u8]) {
        for &c in b {
            self.push(c);
        }
    }
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// Appends `d` formatted exactly like C's `printf("%.17g", d)` for finite values; infinities are
/// `inf` / `-inf` and NaN is `nan` (glibc would print `-nan` for a NaN with the sign bit set;
/// Redis never sends one).
pub fn write_double(out: &mut Vec<u8>, d: f64) {
    out.extend_from_slice(format_double(d).as_bytes());
}

/// `%.17g` of `d` into a stack buffer (see [`write_double`]).
pub(crate) fn format_double(d: f64) -> Small {
    let mut out = Small::new();
    if d.is_nan() {
        out.extend(b"nan");
        return out;
    }
    if d.is_infinite() {
        out.extend(if d > 0.0 { b"inf" } else { b"-inf" });
        return out;
    }
    if d == 0.0 {
        out.extend(if d.is_sign_negative() { b"-0" } else { b"0" });
        return out;
    }
    // Integral values below 1e17 have at most 17 digits: %.17g prints them as plain integers.
    if d.fract() == 0.0 && d.abs() < 1e17 {
        let n = d as i64;
        let mut digits = [0u8; 20];
        let start = fmt_u64_into(&mut digits, n.unsigned_abs());
        if n < 0 {
            out.push(b'-');
        }
        out.extend(&digits[start..]);
        return out;
    }
    let mut sb = StackBuf { buf: [0; 40], len: 0 };
    // `{:.16e}` is exactly rounded (half to even on exact ties, like glibc): 17 significant
    // digits, "d.dddddddddddddddde<exp>"; it always fits the 40-byte buffer.
    let _ = std::fmt::write(&mut sb, format_args!("{:.16e}", d));
    let s = &sb.buf[..sb.len];
    let (neg, s) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let epos = s.iter().position(|&c| c == b'e').unwrap_or(s.len());
    let mut digits = [b'0'; 17];
    let mut nd = 0;
    for &c in &s[..epos] {
        if c.is_ascii_digit() && nd < 17 {
            digits[nd] = c;
            nd += 1;
        }
    }
    let exp = parse_small_exp(&s[(epos + 1).min(s.len())..]);
    // Significant digits without trailing zeros (at least one digit remains).
    let mut sig = nd.max(1);
    while sig > 1 && digits[sig - 1] == b'0' {
        sig -= 1;
    }
    if neg {
        out.push(b'-');
    }
    if !(-4..17).contains(&exp) {
        out.push(digits[0]);
        if sig > 1 {
            out.push(b'.');
            out.extend(&digits[1..sig]);
        }
        out.push(b'e');
        out.push(if exp < 0 { b'-' } else { b'+' });
        let e = exp.unsigned_abs();
        if e < 10 {
            out.push(b'0');
        }
        let mut ed = [0u8; 20];
        let start = fmt_u64_into(&mut ed, e as u64);
        out.extend(&ed[start..]);
    } else if exp >= 0 {
        let int_len = exp as usize + 1;
        out.extend(&digits[..int_len]);
        if sig > int_len {
            out.push(b'.');
            out.extend(&digits[int_len..sig]);
        }
    } else {
        out.extend(b"0.");
        for _ in 0..(-exp - 1) {
            out.push(b'0');
        }
        out.extend(&digits[..sig]);
    }
    out
}

/// Parses the exponent Rust prints after `e` (`-5`, `300`).
fn parse_small_exp(b: &[u8]) -> i32 {
    let (neg, b) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    let mut v: i32 = 0;
    for &c in b {
        if c.is_ascii_digit() {
            v = v.saturating_mul(10).saturating_add((c - b'0') as i32);
        }
    }
    if neg {
        -v
    } else {
        v
    }
}

/// `d` formatted like C's `%.17g` (see [`write_double`]).
pub fn fmt_double(d: f64) -> String {
    let mut v = Vec::with_capacity(24);
    write_double(&mut v, d);
    // Only ASCII was written.
    String::from_utf8(v).unwrap_or_default()
}

/// Redis's string2ll: a strictly formatted decimal `i64`. Accepts an optional leading `-`, no
/// `+`, no spaces, no leading zeros (except `"0"`), no `"-0"`, at most 20 characters; overflow
/// gives `None`.
pub fn parse_i64(b: &[u8]) -> Option<i64> {
    let (neg, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    if b.len() >= 21 {
        return None;
    }
    if !neg && digits == b"0" {
        return Some(0);
    }
    let v = parse_digits_strict(digits)?;
    if neg {
        if v <= i64::MAX as u64 + 1 {
            Some((v as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(v).ok()
    }
}

/// Like [`parse_i64`] for unsigned values: no sign at all, no leading zeros, at most 20
/// characters, overflow gives `None`.
pub fn parse_u64(b: &[u8]) -> Option<u64> {
    if b.len() >= 21 {
        return None;
    }
    if b == b"0" {
        return Some(0);
    }
    parse_digits_strict(b)
}

/// Non-empty digits, first one 1-9, checked for u64 overflow.
#[inline]
fn parse_digits_strict(d: &[u8]) -> Option<u64> {
    match d.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    let mut v: u64 = 0;
    for &c in d {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    Some(v)
}

/// C's `isspace` in the "C" locale.
#[inline]
pub(crate) fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Redis's string2d: the whole input must be a number glibc's `strtod` accepts: decimal with
/// optional sign, fraction and exponent (`1e5`, `.5`, `5.`), `inf` / `infinity` in any case,
/// and hexadecimal floats (`0x1p3`, `0x1.8`). Leading whitespace, trailing garbage, NaN,
/// overflow to infinity and underflow to zero give `None`. Results are correctly rounded.
pub fn parse_f64(b: &[u8]) -> Option<f64> {
    if b.is_empty() || is_c_space(b[0]) {
        return None;
    }
    let (neg, rest) = match b[0] {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    let v = if rest.first().is_some_and(|c| c.is_ascii_digit() || *c == b'.') {
        if rest.len() >= 2 && rest[0] == b'0' && (rest[1] | 0x20) == b'x' {
            parse_hex_float(&rest[2..])?
        } else {
            parse_dec_float(rest)?
        }
    } else if rest.eq_ignore_ascii_case(b"inf") || rest.eq_ignore_ascii_case(b"infinity") {
        f64::INFINITY
    } else {
        // "nan" (rejected by string2d) and anything else strtod cannot fully consume.
        return None;
    };
    Some(if neg { -v } else { v })
}

/// Unsigned decimal float: `D* [. D*] [(e|E) [+-] D+]` with at least one mantissa digit.
fn parse_dec_float(s: &[u8]) -> Option<f64> {
    let mut i = 0;
    let mut mant_digits = 0usize;
    let mut nonzero = false;
    while i < s.len() && s[i].is_ascii_digit() {
        nonzero |= s[i] != b'0';
        mant_digits += 1;
        i += 1;
    }
    if i < s.len() && s[i] == b'.' {
        i += 1;
        while i < s.len() && s[i].is_ascii_digit() {
            nonzero |= s[i] != b'0';
            mant_digits += 1;
            i += 1;
        }
    }
    if mant_digits == 0 {
        return None;
    }
    if i < s.len() && (s[i] | 0x20) == b'e' {
        let mut j = i + 1;
        if j < s.len() && (s[j] == b'+' || s[j] == b'-') {
            j += 1;
        }
        let start = j;
        while j < s.len() && s[j].is_ascii_digit() {
            j += 1;
        }
        if j == start {
            // strtod would stop before the 'e': trailing garbage.
            return None;
        }
        i = j;
    }
    if i != s.len() {
        return None;
    }
    // The grammar above is a subset of what Rust's correctly rounded parser accepts.
    let text = std::str::from_utf8(s).ok()?;
    let v: f64 = text.parse().ok()?;
    if v.is_infinite() || (v == 0.0 && nonzero) {
        // ERANGE: overflow to HUGE_VAL or underflow to zero.
        return None;
    }
    Some(v)
}

#[inline]
fn hex_val(c: u8) -> Option<u64> {
    match c {
        b'0'..=b'9' => Some((c - b'0') as u64),
        b'a'..=b'f' => Some((c - b'a' + 10) as u64),
        b'A'..=b'F' => Some((c - b'A' + 10) as u64),
        _ => None,
    }
}

/// Unsigned hexadecimal float after the `0x`: `H* [. H*] [(p|P) [+-] D+]` with at least one
/// mantissa digit, rounded to nearest-even like glibc.
fn parse_hex_float(s: &[u8]) -> Option<f64> {
    let mut i = 0;
    let mut mant: u64 = 0; // up to 16 significant hex digits
    let mut sig_digits = 0u32; // significant digits stored in `mant`
    let mut sticky = false; // a nonzero digit was dropped
    let mut exp2: i64 = 0; // value = mant * 2^exp2 (before the p exponent)
    let mut any_digit = false;
    let mut seen_nonzero = false;
    while i < s.len() {
        let Some(h) = hex_val(s[i]) else { break };
        any_digit = true;
        if h != 0 || seen_nonzero {
            seen_nonzero = true;
            if sig_digits < 16 {
                mant = (mant << 4) | h;
                sig_digits += 1;
            } else {
                sticky |= h != 0;
                exp2 += 4;
            }
        }
        i += 1;
    }
    if i < s.len() && s[i] == b'.' {
        i += 1;
        while i < s.len() {
            let Some(h) = hex_val(s[i]) else { break };
            any_digit = true;
            if h != 0 || seen_nonzero {
                seen_nonzero = true;
                if sig_digits < 16 {
                    mant = (mant << 4) | h;
                    sig_digits += 1;
                    exp2 -= 4;
                } else {
                    sticky |= h != 0;
                }
            } else {
                exp2 -= 4;
            }
            i += 1;
        }
    }
    if !any_digit {
        // strtod parses "0" and stops at the 'x'.
        return None;
    }
    if i < s.len() && (s[i] | 0x20) == b'p' {
        let mut j = i + 1;
        let mut eneg = false;
        if j < s.len() && (s[j] == b'+' || s[j] == b'-') {
            eneg = s[j] == b'-';
            j += 1;
        }
        let start = j;
        let mut e: i64 = 0;
        while j < s.len() && s[j].is_ascii_digit() {
            e = (e * 10 + (s[j] - b'0') as i64).min(1 << 40);
            j += 1;
        }
        if j == start {
            return None;
        }
        exp2 += if eneg { -e } else { e };
        i = j;
    }
    if i != s.len() {
        return None;
    }
    if mant == 0 {
        return Some(0.0);
    }
    compose_binary(mant, exp2, sticky)
}

/// Rounds `mant * 2^exp2` (plus a sticky nonzero tail below `mant`'s last bit) to the nearest
/// f64, ties to even. `None` on overflow or underflow to zero.
fn compose_binary(mant: u64, exp2: i64, sticky: bool) -> Option<f64> {
    let lz = mant.leading_zeros();
    let m = mant << lz; // top bit set
    let e = exp2 - lz as i64 + 63; // unbiased exponent of the top bit
    if e > 1023 {
        return None;
    }
    // Bits of `m` to drop: 11 for normals, more for subnormals.
    let shift: i64 = if e >= -1022 { 11 } else { 11 + (-1022 - e) };
    let (kept, round_up) = if shift >= 65 {
        // The top bit is worth a quarter of the smallest subnormal or less: rounds to zero.
        (0u64, false)
    } else {
        let shift = shift as u32;
        let kept = if shift == 64 { 0 } else { m >> shift };
        let rem_bits = if shift == 64 { m } else { m & ((1u64 << shift) - 1) };
        let half = 1u64 << (shift - 1);
        let up = rem_bits > half || (rem_bits == half && (sticky || kept & 1 == 1));
        (kept, up)
    };
    let mut kept = kept + round_up as u64;
    let mut e = e;
    if e >= -1022 {
        if kept == 1 << 53 {
            kept >>= 1;
            e += 1;
            if e > 1023 {
                return None;
            }
        }
        let bits = (((e + 1023) as u64) << 52) | (kept & ((1 << 52) - 1));
        Some(f64::from_bits(bits))
    } else {
        // Subnormal (or rounded up into the smallest normal, which the bit layout handles).
        if kept == 0 {
            return None;
        }
        Some(f64::from_bits(kept))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_ints() {
        for &(n, s) in &[
            (0i64, "0"),
            (7, "7"),
            (10, "10"),
            (99, "99"),
            (100, "100"),
            (-1, "-1"),
            (-100, "-100"),
            (123456789, "123456789"),
            (i64::MAX, "9223372036854775807"),
            (i64::MIN, "-9223372036854775808"),
        ] {
            let mut v = Vec::new();
            write_i64(&mut v, n);
            assert_eq!(v, s.as_bytes());
            assert_eq!(i64_to_string(n), s);
        }
        let mut v = Vec::new();
        write_u64(&mut v, u64::MAX);
        assert_eq!(v, b"18446744073709551615");
    }

    #[test]
    // Exact binary values whose decimal form needs 18 digits: that is the point here.
    #[allow(clippy::excessive_precision)]
    fn doubles_like_printf() {
        for &(d, s) in &[
            (0.1, "0.10000000000000001"),
            (1e300, "1.0000000000000001e+300"),
            (3.0, "3"),
            (-0.0, "-0"),
            (0.0, "0"),
            (1.5, "1.5"),
            (-2.25, "-2.25"),
            (1e16, "10000000000000000"),
            (1e17, "1e+17"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (0.0001, "0.0001"),
            (0.00001, "1.0000000000000001e-05"),
            (1e-5, "1.0000000000000001e-05"),
            (5e-324, "4.9406564584124654e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (1234567890123456.25, "1234567890123456.2"),
            (1234567890123456.75, "1234567890123456.8"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
            (2.5e-5, "2.5000000000000001e-05"),
            (100.0, "100"),
            (0.5, "0.5"),
        ] {
            assert_eq!(fmt_double(d), s, "{d:e}");
        }
    }

    #[test]
    fn parse_ints_strict() {
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"-1"), Some(-1));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b""[..],
            b"-",
            b"+1",
            b" 1",
            b"1 ",
            b"01",
            b"-0",
            b"00",
            b"9223372036854775808",
            b"-9223372036854775809",
            b"1a",
            b"18446744073709551616",
            b"-00000000000000000001",
            b"1.0",
        ] {
            assert_eq!(parse_i64(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
        assert_eq!(parse_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64(b"0"), Some(0));
        assert_eq!(parse_u64(b"42"), Some(42));
        for bad in [&b""[..], b"-1", b"+1", b"01", b"18446744073709551616", b"1 "] {
            assert_eq!(parse_u64(bad), None);
        }
    }

    #[test]
    fn parse_doubles() {
        let ok: &[(&str, f64)] = &[
            ("1", 1.0),
            ("-1.5", -1.5),
            ("+2", 2.0),
            ("1e5", 1e5),
            ("1E-2", 0.01),
            (".5", 0.5),
            ("5.", 5.0),
            ("inf", f64::INFINITY),
            ("-inf", f64::NEG_INFINITY),
            ("+inf", f64::INFINITY),
            ("Infinity", f64::INFINITY),
            ("-INFINITY", f64::NEG_INFINITY),
            ("0x1p3", 8.0),
            ("0X1.8", 1.5),
            ("0x.8", 0.5),
            ("-0x10", -16.0),
            ("0x1P-2", 0.25),
            ("0", 0.0),
            ("0e999999", 0.0),
            ("4.9e-324", 5e-324),
            ("1.7976931348623157e308", f64::MAX),
            ("0x1.fffffffffffff7ffp1023", f64::MAX),
            ("0x1.fffffffffffffp1023", f64::MAX),
            ("0x1p-1074", 5e-324),
        ];
        for (s, v) in ok {
            let got = parse_f64(s.as_bytes());
            assert_eq!(got.map(f64::to_bits), Some(v.to_bits()), "{s}");
        }
        assert!(parse_f64(b"-0").unwrap().is_sign_negative());
        for bad in [
            "",
            " 1",
            "1 ",
            "\t1",
            "nan",
            "NaN",
            "-nan",
            "1e",
            "1e+",
            "e5",
            ".",
            "-",
            "+",
            "0x",
            "0xp1",
            "0x1p",
            "1e400",
            "-1e400",
            "1e-400",
            "0x1p-1080",
            "0x1p1024",
            "inff",
            "in",
            "infinit",
            "1.2.3",
            "1_0",
            "1\0",
            "0x1.fffffffffffff8p1023",
        ] {
            assert_eq!(parse_f64(bad.as_bytes()), None, "{bad:?}");
        }
    }
}
