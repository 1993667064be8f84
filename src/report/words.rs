//! Numbers in sentences, written as the page writes them (`www/format.js`): at most one decimal,
//! thousands grouped with commas, as `Intl.NumberFormat("en-US", { maximumFractionDigits: 1 })`.

use crate::decimal::{Fixed, Shortest};

/// `x` with at most one decimal, its whole part grouped by threes: "12,345.6", "3", "0.2".
/// Rounds the number's shortest decimal form half away from zero, as Intl does (0.15 is 0.2).
pub fn number(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    let abs = x.abs();
    if abs.is_infinite() {
        return format!("{sign}∞");
    }
    let (mut whole, mut tenths) = (String::from("0"), '0');
    if abs >= 1e-6 {
        // Rust writes an f64's shortest round-trip digits, never in exponent form.
        let text = Shortest(abs).to_string();
        let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
        let mut frac = frac.chars();
        let mut digits = format!("{int}{}", frac.next().unwrap_or('0'));
        if frac.next().is_some_and(|d| d >= '5') {
            digits = increment(&digits);
        }
        let digits = format!("{digits:0>2}");
        let (w, t) = digits.split_at(digits.len() - 1);
        whole = w.trim_start_matches('0').to_string();
        if whole.is_empty() {
            whole.push('0');
        }
        tenths = t.chars().next().unwrap_or('0');
    }
    let grouped = group(&whole);
    if tenths == '0' { format!("{sign}{grouped}") } else { format!("{sign}{grouped}.{tenths}") }
}

/// Like [`number`], but with two significant digits from 0.001 to 1 ("0.091", not "0.1"), where
/// one decimal would round a small cost down to 0.
pub fn precise(x: f64) -> String {
    let abs = x.abs();
    if !(0.001..1.0).contains(&abs) {
        return number(x);
    }
    let decimals = (1 - abs.log10().floor() as i32).max(0) as usize;
    // The rounded digits without trailing zeros: what parsing them and writing the shortest
    // form gave ("0.10" is "0.1", "1.00" is "1"), without the float parser.
    let rounded = Fixed(x, decimals).to_string();
    rounded.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A count in words: "1 task", "3 tasks", "1,000 tasks".
pub fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{} {}", number(f64::from(n)), if n == 1 { one } else { many })
}

/// Ms as the sentences say them: "1,000 ms".
pub fn ms(x: f64) -> String {
    format!("{} ms", number(x))
}

/// A factor with two decimals: "1.93×".
pub fn times(x: f64) -> String {
    format!("{}×", Fixed(x, 2))
}

/// Adds one to a string of decimal digits.
fn increment(digits: &str) -> String {
    let mut out: Vec<u8> = digits.bytes().collect();
    for d in out.iter_mut().rev() {
        if *d == b'9' {
            *d = b'0';
        } else {
            *d += 1;
            return String::from_utf8(out).expect("ASCII digits");
        }
    }
    format!("1{}", String::from_utf8(out).expect("ASCII digits"))
}

/// Digits grouped by threes with commas.
fn group(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_the_page_writes_them() {
        let cases = [
            (0.0, "0"),
            (-0.0, "-0"),
            (3.0, "3"),
            (0.15, "0.2"),
            (0.05, "0.1"),
            (0.04, "0"),
            (1234.56, "1,234.6"),
            (999.96, "1,000"),
            (9.95, "10"),
            (1e-7, "0"),
            (12_345_678.0, "12,345,678"),
            (-2.25, "-2.3"),
            (1.5e22, "15,000,000,000,000,000,000,000"),
            (f64::INFINITY, "∞"),
            (f64::NAN, "NaN"),
        ];
        for (x, want) in cases {
            assert_eq!(number(x), want, "{x}");
        }
    }

    #[test]
    fn counts_and_factors() {
        assert_eq!(plural(1, "task", "tasks"), "1 task");
        assert_eq!(plural(1000, "task", "tasks"), "1,000 tasks");
        assert_eq!(ms(1000.4), "1,000.4 ms");
        assert_eq!(times(1.936), "1.94×");
        assert_eq!(precise(0.0912), "0.091");
        assert_eq!(precise(0.5), "0.5");
        assert_eq!(precise(0.0999), "0.1");
        assert_eq!(precise(-0.0912), "-0.091");
        assert_eq!(precise(0.996), "1");
        assert_eq!(precise(12.34), "12.3");
    }
}
