//! Redis's glob matching (stringmatchlen): `*`, `?`, `[abc]`, `[^a]`, `[a-z]` and `\` escapes,
//! optionally ASCII case-insensitive. Used by CONFIG GET here and by KEYS, SCAN MATCH, COMMAND
//! LIST FILTERBY PATTERN, PSUBSCRIBE and ACL patterns in the server. Matches Redis byte for byte,
//! including its handling of malformed patterns (an unclosed `[`, a trailing `\`) and its signed
//! `char` comparisons in ranges. Knows nothing else.

/// A byte as the C code sees it: a signed `char` promoted to `int` (x86-64).
fn signed(c: u8) -> i32 {
    i32::from(c as i8)
}

/// C tolower() in the C locale on a promoted char.
fn lower(c: i32) -> i32 {
    if (i32::from(b'A')..=i32::from(b'Z')).contains(&c) {
        c + 32
    } else {
        c
    }
}

fn same(a: u8, b: u8, nocase: bool) -> bool {
    if nocase {
        lower(signed(a)) == lower(signed(b))
    } else {
        a == b
    }
}

/// Whether `s` matches the glob `pattern`. `nocase` folds ASCII letters.
pub fn glob_match(pattern: &[u8], s: &[u8], nocase: bool) -> bool {
    let mut give_up = false;
    match_from(pattern, s, nocase, &mut give_up)
}

/// `give_up` is set when a `*` could not match the rest of the pattern at any position: then no
/// earlier `*` can succeed either (it would need the same rest to match later), so the whole
/// search stops. This keeps patterns like `a*a*a*a*b` linear-ish, as in Redis.
fn match_from(pat: &[u8], s: &[u8], nocase: bool, give_up: &mut bool) -> bool {
    // Reading past the pattern behaves as reading its terminating NUL in C.
    let at = |i: usize| pat.get(i).copied().unwrap_or(0);
    let (mut p, mut si) = (0usize, 0usize);
    while p < pat.len() && si < s.len() {
        match pat[p] {
            b'*' => {
                while p + 1 < pat.len() && pat[p + 1] == b'*' {
                    p += 1;
                }
                if p + 1 == pat.len() {
                    return true;
                }
                while si < s.len() {
                    if match_from(&pat[p + 1..], &s[si..], nocase, give_up) {
                        return true;
                    }
                    if *give_up {
                        return false;
                    }
                    si += 1;
                }
                *give_up = true;
                return false;
            }
            b'?' => si += 1,
            b'[' => {
                p += 1;
                let negate = at(p) == b'^';
                if negate {
                    p += 1;
                }
                let c = s[si];
                let mut matched = false;
                loop {
                    if p >= pat.len() {
                        // Unclosed class: step back onto the last pattern byte.
                        p -= 1;
                        break;
                    } else if pat[p] == b'\\' && pat.len() - p >= 2 {
                        p += 1;
                        if pat[p] == c {
                            matched = true;
                        }
                    } else if pat[p] == b']' {
                        break;
                    } else if pat.len() - p >= 3 && pat[p + 1] == b'-' {
                        let (mut lo, mut hi, mut x) = (signed(pat[p]), signed(pat[p + 2]), signed(c));
                        if lo > hi {
                            std::mem::swap(&mut lo, &mut hi);
                        }
                        if nocase {
                            lo = lower(lo);
                            hi = lower(hi);
                            x = lower(x);
                        }
                        p += 2;
                        if x >= lo && x <= hi {
                            matched = true;
                        }
                    } else if same(pat[p], c, nocase) {
                        matched = true;
                    }
                    p += 1;
                }
                if negate {
                    matched = !matched;
                }
                if !matched {
                    return false;
                }
                si += 1;
            }
            b'\\' => {
                if pat.len() - p >= 2 {
                    p += 1;
                }
                if !same(pat[p], s[si], nocase) {
                    return false;
                }
                si += 1;
            }
            other => {
                if !same(other, s[si], nocase) {
                    return false;
                }
                si += 1;
            }
        }
        p += 1;
        if si == s.len() {
            while at(p) == b'*' {
                p += 1;
            }
            break;
        }
    }
    p >= pat.len() && si == s.len()
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    fn m(p: &str, s: &str) -> bool {
        glob_match(p.as_bytes(), s.as_bytes(), false)
    }

    #[test]
    fn stars_and_question_marks() {
        assert!(m("*", "anything"));
        // As in Redis's stringmatchlen(), "*" does not match an empty string (KEYS and SCAN
        // special-case the lone "*" pattern before matching).
        assert!(!m("*", ""));
        assert!(m("a*", "a"));
        assert!(m("", ""));
        assert!(!m("", "a"));
        assert!(!m("?", ""));
        assert!(m("h?llo", "hello"));
        assert!(!m("h?llo", "hllo"));
        assert!(m("h*llo", "hllo"));
        assert!(m("h*llo", "heeeello"));
        assert!(m("a**b", "axxb"));
        assert!(m("*a*", "banana"));
        assert!(!m("*a*b", "banana"));
        assert!(m("a*", "a"));
        assert!(m("a***", "a"));
        assert!(!m("a*b", "a"));
    }

    #[test]
    fn classes() {
        assert!(m("h[ae]llo", "hello"));
        assert!(m("h[ae]llo", "hallo"));
        assert!(!m("h[ae]llo", "hillo"));
        assert!(m("h[^e]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(m("h[b-a]llo", "hallo"));
        assert!(!m("h[a-b]llo", "hcllo"));
        assert!(m("[\\]]", "]"));
        assert!(m("[a\\-z]", "-"));
        assert!(!m("[a\\-z]", "b"));
        // Unclosed classes, as in Redis.
        assert!(m("a[bc", "ab"));
        assert!(!m("a[", "ab"));
        assert!(m("a[^", "ab"));
        // A class needs a character.
        assert!(!m("[a]", ""));
    }

    #[test]
    fn escapes() {
        assert!(m("\\*", "*"));
        assert!(!m("\\*", "a"));
        assert!(m("a\\", "a\\"));
        assert!(m("\\?x", "?x"));
    }

    #[test]
    fn case_folding() {
        assert!(glob_match(b"MAXMEM*", b"maxmemory", true));
        assert!(!glob_match(b"MAXMEM*", b"maxmemory", false));
        assert!(glob_match(b"[A-C]x", b"bX", true));
        // An escaped byte inside a class is compared exactly even with nocase (as Redis does).
        assert!(!glob_match(b"[\\A]", b"a", true));
    }

    #[test]
    fn signed_char_ranges() {
        // [a-\xff]: as signed chars the range is [-1, 97].
        assert!(glob_match(b"[a-\xff]", b"\xff", false));
        assert!(glob_match(b"[a-\xff]", b"0", false));
        assert!(!glob_match(b"[a-\xff]", b"b", false));
        assert!(!glob_match(b"[a-\xff]", b"\x80", false));
    }

    #[test]
    fn pathological_pattern_finishes() {
        let s = "a".repeat(60);
        assert!(!m("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", &s));
    }
}
