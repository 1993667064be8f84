//! Decimal text to `f64` as `str::parse` reads it, without core's float parser: that parser
//! brings a table of powers of five into the wasm module (about 10 KB of static data that brotli
//! barely shrinks, see BENCHMARKS.md) for the few numbers the engine reads from text (a decimal
//! option, a refused thread count, a timestamp in a response header). Pure Rust, tested natively
//! against `str::parse`.

/// `s` as `s.parse::<f64>()` reads it: the same grammar (a sign, digits with at most one point,
/// an exponent, `inf`, `infinity` or `nan` in any case; no spaces), `None` where it refuses. The
/// value is the same, correctly rounded, for up to 19 significant digits whose number is exact
/// in an `f64` (below 2^53) with a power of ten up to 22; past that it can be an ulp off, which
/// no caller notices (they round to thousandths or compare with a count).
pub fn parse_f64(s: &str) -> Option<f64> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let value = special(body).or_else(|| decimal(body.as_bytes()))?;
    Some(if negative { -value } else { value })
}

/// `inf`, `infinity` and `nan`, in any case.
fn special(body: &str) -> Option<f64> {
    if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
        Some(f64::INFINITY)
    } else if body.eq_ignore_ascii_case("nan") {
        Some(f64::NAN)
    } else {
        None
    }
}

/// `digits [. digits] [e [sign] digits]`, with a digit on at least one side of the point.
fn decimal(bytes: &[u8]) -> Option<f64> {
    let mut i = 0;
    let (mut mantissa, mut exponent, mut digits, mut significant) = (0u64, 0i64, 0usize, 0u32);
    let mut seen_point = false;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'0'..=b'9' => {
                digits += 1;
                // The first 19 significant digits fit in a u64; later ones only scale.
                if significant < 19 {
                    mantissa = mantissa * 10 + u64::from(b - b'0');
                    if mantissa > 0 {
                        significant += 1;
                    }
                    if seen_point {
                        exponent -= 1;
                    }
                } else if !seen_point {
                    exponent += 1;
                }
            }
            b'.' if !seen_point => seen_point = true,
            _ => break,
        }
        i += 1;
    }
    if digits == 0 {
        return None;
    }
    if let Some(&(b'e' | b'E')) = bytes.get(i) {
        exponent = exponent.saturating_add(exponent_part(&bytes[i + 1..])?);
    } else if i != bytes.len() {
        return None;
    }
    Some(scale(mantissa, exponent))
}

/// The exponent after the `e`: a sign and at least one digit, to the end of the text.
fn exponent_part(bytes: &[u8]) -> Option<i64> {
    let (negative, digits) = match bytes.first() {
        Some(b'-') => (true, &bytes[1..]),
        Some(b'+') => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = digits.iter().fold(0i64, |n, d| n.saturating_mul(10).saturating_add(i64::from(d - b'0')));
    Some(if negative { -value } else { value })
}

/// `mantissa × 10^exponent`. Both factors are exact below 2^53 and 10^22, and one product or
/// quotient of exact factors is correctly rounded (Clinger's fast path, which core takes too).
fn scale(mantissa: u64, exponent: i64) -> f64 {
    if mantissa == 0 {
        return 0.0;
    }
    let m = mantissa as f64;
    if exponent.unsigned_abs() <= 22 {
        let power = pow10(exponent.unsigned_abs() as u32);
        return if exponent < 0 { m / power } else { m * power };
    }
    // Far outside anything the engine reads: beyond f64's range in one step, or in two steps
    // that stay in range.
    let e = exponent.clamp(-400, 400) as i32;
    if e < 0 { m / pow10(22) / 10f64.powi(-e - 22) } else { m * pow10(22) * 10f64.powi(e - 22) }
}

/// 10^n for n up to 22, exactly (every factor of ten up to 10^22 is exact in an f64).
fn pow10(n: u32) -> f64 {
    (0..n).fold(1.0, |p, _| p * 10.0)
}

#[cfg(test)]
mod tests {
    use super::parse_f64;

    /// `parse_f64` and `str::parse` agree, bit for bit (NaN with NaN).
    fn same(s: &str) {
        let ours = parse_f64(s);
        let core = s.parse::<f64>().ok();
        match (ours, core) {
            (Some(a), Some(b)) if a.is_nan() && b.is_nan() => {}
            (Some(a), Some(b)) => assert_eq!(a.to_bits(), b.to_bits(), "{s:?}: {a} vs {b}"),
            (a, b) => assert_eq!(a, b, "{s:?}"),
        }
    }

    #[test]
    fn reads_what_str_parse_reads() {
        for s in [
            "0",
            "-0",
            "+0",
            "1",
            "0.1",
            "0.2",
            "0.3",
            ".5",
            "5.",
            "1.5",
            "-2.25",
            "0.0005",
            "1.0005",
            "100",
            "1000",
            "0.001",
            "12345.678",
            "1e3",
            "1E3",
            "1e-3",
            "2.5e+2",
            "-1.5e-7",
            "1e22",
            "1e23",
            "1e-22",
            "1e400",
            "1e-400",
            "0e999",
            "1733600000123.456",
            "9007199254740992",
            "123456789012345678",
            "inf",
            "-Infinity",
            "NaN",
            "nan",
            "INF",
            "",
            ".",
            "-",
            "+",
            "e5",
            "1e",
            "1e+",
            "1.2.3",
            " 1",
            "1 ",
            "1x",
            "0x10",
            "--1",
            "1_000",
            "١",
            "infinit",
            "1.5e3.5",
            "1ee3",
            "..5",
        ] {
            same(s);
        }
    }

    #[test]
    fn reads_decimals_as_str_parse_does() {
        // A spread of decimals of 1 to 15 significant digits, with 0 to 6 places.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let digits = (x % 999_999_999_999_999) >> (x % 50);
            let places = (x >> 8) % 7;
            let text = digits.to_string();
            let text = if places as usize >= text.len() {
                format!("0.{text:0>width$}", width = places as usize)
            } else {
                let (whole, frac) = text.split_at(text.len() - places as usize);
                if frac.is_empty() { whole.to_string() } else { format!("{whole}.{frac}") }
            };
            same(&text);
        }
    }
}
