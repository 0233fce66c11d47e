//! Property tests of the wire number rules against the C library they imitate: `%.17g` against
//! glibc's snprintf, string2d against glibc's strtod with Redis's acceptance checks, and the
//! strict integer parsers against the canonical decimal form.

use std::ffi::CString;

use proptest::prelude::*;
use vireo_resp::num::{fmt_double, i64_to_string, parse_f64, parse_i64, parse_u64, write_double, write_i64, write_u64};

fn c_fmt_double(d: f64) -> String {
    let mut buf = [0u8; 64];
    let fmt = b"%.17g\0";
    // SAFETY: the buffer is large enough for any %.17g output and snprintf NUL-terminates it.
    let n = unsafe {
        libc::snprintf(buf.as_mut_ptr() as *mut libc::c_char, buf.len(), fmt.as_ptr() as *const libc::c_char, d)
    };
    String::from_utf8_lossy(&buf[..n as usize]).into_owned()
}

/// Redis 7.0's string2d, run on glibc.
fn c_string2d(s: &[u8]) -> Option<f64> {
    let c = CString::new(s).ok()?; // an embedded NUL: strtod stops there, so it is rejected
    let mut end: *mut libc::c_char = std::ptr::null_mut();
    // SAFETY: c is NUL-terminated; errno is thread-local.
    let (v, errno) = unsafe {
        *libc::__errno_location() = 0;
        let v = libc::strtod(c.as_ptr(), &mut end);
        (v, *libc::__errno_location())
    };
    let consumed = end as usize - c.as_ptr() as usize;
    if s.is_empty()
        || matches!(s[0], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
        || consumed != s.len()
        || (errno == libc::ERANGE && (v.is_infinite() || v == 0.0))
        || v.is_nan()
    {
        return None;
    }
    Some(v)
}

fn same(a: Option<f64>, b: Option<f64>) -> bool {
    a.map(f64::to_bits) == b.map(f64::to_bits)
}

fn double_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ +-]?[0-9]{0,25}(\\.[0-9]{0,25})?([eE][+-]?[0-9]{0,4})?",
        "[+-]?0[xX][0-9a-fA-F]{0,20}(\\.[0-9a-fA-F]{0,20})?([pP][+-]?[0-9]{0,5})?",
        "[+-]?(inf|INF|Inf|infinity|INFINITY|iNfInItY|nan|NAN|nan\\(1\\)|infin|in)",
        "[+-]?[0-9]{1,3}(\\.[0-9]{1,3})?[eE]-?3[0-3][0-9]",
        "[+-]?0x1(\\.[0-9a-f]{10,16})?p-10[2-7][0-9]",
        "[+-]?0x1\\.fffffffffffff[0-9a-f]{0,3}p102[34]",
        "[0-9eExXpP.+ \\-a-f]{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn fmt_double_matches_printf_on_any_bits(bits in any::<u64>()) {
        let d = f64::from_bits(bits);
        prop_assume!(!d.is_nan());
        prop_assert_eq!(fmt_double(d), c_fmt_double(d));
    }

    #[test]
    fn fmt_double_matches_printf_on_nice_values(
        m in -1_000_000_000_000i64..1_000_000_000_000,
        e in -30i32..30,
        q in 1i64..64,
    ) {
        for d in [m as f64 * 10f64.powi(e), m as f64 / q as f64, (m as f64) * 1024.0 + 0.25] {
            prop_assert_eq!(fmt_double(d), c_fmt_double(d), "{:e}", d);
            let mut v = b"x".to_vec();
            write_double(&mut v, d);
            let want = c_fmt_double(d);
            prop_assert_eq!(&v[1..], want.as_bytes());
        }
    }

    #[test]
    fn parse_f64_matches_strtod(s in double_text()) {
        let ours = parse_f64(s.as_bytes());
        let theirs = c_string2d(s.as_bytes());
        prop_assert!(same(ours, theirs), "{:?}: ours {:?} strtod {:?}", s, ours, theirs);
    }

    #[test]
    fn parse_f64_matches_strtod_on_bytes(s in proptest::collection::vec(any::<u8>(), 0..10)) {
        prop_assert!(same(parse_f64(&s), c_string2d(&s)), "{:?}", s);
    }

    #[test]
    fn parse_f64_reads_back_printed_doubles(bits in any::<u64>()) {
        let d = f64::from_bits(bits);
        prop_assume!(!d.is_nan());
        let text = fmt_double(d);
        let back = parse_f64(text.as_bytes());
        prop_assert!(same(back, c_string2d(text.as_bytes())));
        // Only underflow-free values come back; every finite value does.
        prop_assert!(same(back, Some(d)), "{} -> {:?}", text, back);
    }

    #[test]
    fn parse_i64_accepts_exactly_canonical_forms(s in prop_oneof![
        "-?[0-9]{1,21}",
        "[+ -]?0[0-9]{0,3}",
        "-?9223372036854775[0-9]{3}",
        "[0-9 +-]{0,5}",
    ]) {
        let canonical = s.parse::<i64>().ok().filter(|n| n.to_string() == s);
        prop_assert_eq!(parse_i64(s.as_bytes()), canonical);
        let canonical_u = s.parse::<u64>().ok().filter(|n| n.to_string() == s);
        prop_assert_eq!(parse_u64(s.as_bytes()), canonical_u);
    }

    #[test]
    fn integers_roundtrip(n in any::<i64>(), u in any::<u64>()) {
        let mut v = Vec::new();
        write_i64(&mut v, n);
        let want = n.to_string();
        prop_assert_eq!(&v, want.as_bytes());
        prop_assert_eq!(i64_to_string(n), n.to_string());
        prop_assert_eq!(parse_i64(&v), Some(n));
        v.clear();
        write_u64(&mut v, u);
        let want = u.to_string();
        prop_assert_eq!(&v, want.as_bytes());
        prop_assert_eq!(parse_u64(&v), Some(u));
    }
}

/// Exact decimal ties at the 17th digit round half to even, like glibc.
#[test]
// Exact binary values whose decimal form needs 18 digits: that is the point here.
#[allow(clippy::excessive_precision)]
fn printf_ties() {
    for d in [
        1234567890123456.25,
        1234567890123456.75,
        1125899906842624.25,
        2251799813685248.5,
        0.5,
        2.5,
        1e23,
        9007199254740993.0,
        123456789012345680.0,
        f64::MIN_POSITIVE,
        f64::MAX,
        -f64::MAX,
        1e-4,
        0.00009999999999999999,
        99999999999999999.0,
        1e16 + 2.0,
    ] {
        assert_eq!(fmt_double(d), c_fmt_double(d), "{d:e}");
    }
}

/// Rounding at the edges of the subnormal range and of overflow, in decimal and hex.
#[test]
fn strtod_edges() {
    for s in [
        "0x1p-1074",
        "0x1p-1075",
        "0x1.0000000000001p-1075",
        "0x1.8p-1075",
        "0x1p-1076",
        "0x0.0000000000001p-1022",
        "0x0.00000000000008p-1022",
        "0x0.00000000000018p-1022",
        "0x1.ffffffffffffffp-1023",
        "0x1.fffffffffffff8p-1023",
        "0x1.fffffffffffff7ffffffp1023",
        "0x1.fffffffffffff8p1023",
        "0x1.00000000000008p0",
        "0x1.00000000000018p0",
        "0x1.000000000000080000000000001p0",
        "0x123456789abcdef123456789p-10",
        "0x.000000000000000000000000000001p100",
        "2.4703282292062327e-324",
        "2.4703282292062328e-324",
        "4.9406564584124654e-324",
        "1.7976931348623158e308",
        "1.7976931348623159e308",
        "0.000000000000000000000000000000000000000000001e-300",
        "1e-320",
        "-0x0p0",
        "-0.0e-999",
        "00000000000000000000000000001.5",
    ] {
        let ours = parse_f64(s.as_bytes());
        let theirs = c_string2d(s.as_bytes());
        assert!(same(ours, theirs), "{s}: ours {ours:?} strtod {theirs:?}");
    }
}
