//! Reading raw values (from a URL, a form field or a `run()` argument) into options, against the
//! schema. Every refusal names the option and the allowed range, because the page shows the
//! message next to the field and `run()` rejects with it.

use std::fmt;

use super::schema::{Kind, OPTIONS, Opt, group};
use crate::decimal::{Sci, Shortest};

/// A raw value as it arrives from a URL, a form field or a `run()` argument.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Raw<'a> {
    /// Not given (undefined or null).
    Missing,
    /// A JS number (may be NaN, infinite or fractional).
    Number(f64),
    /// A string, as typed or as in a URL.
    Text(&'a str),
    /// A JS boolean.
    Bool(bool),
    /// Anything else (an object...).
    Other,
}

/// One refused option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The option's name (see [`Opt::name`]); for an unknown option, the name it was given as.
    pub field: String,
    /// A sentence naming the option and the allowed range.
    pub message: String,
}

impl FieldError {
    /// A refusal of option `o`.
    pub fn new(o: Opt, message: String) -> FieldError {
        FieldError { field: o.name().to_string(), message }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A run request as it arrives: one raw value per option, checked by [`super::check`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Request<'a> {
    values: [Raw<'a>; Opt::COUNT],
}

impl Default for Request<'_> {
    fn default() -> Self {
        Request { values: [Raw::Missing; Opt::COUNT] }
    }
}

impl<'a> Request<'a> {
    /// The raw value of `o`.
    pub fn get(&self, o: Opt) -> Raw<'a> {
        self.values[o as usize]
    }

    /// Sets `o`.
    pub fn set(&mut self, o: Opt, raw: Raw<'a>) {
        self.values[o as usize] = raw;
    }

    /// This request with `o` set.
    pub fn with(mut self, o: Opt, raw: Raw<'a>) -> Self {
        self.set(o, raw);
        self
    }

    /// A request from `(name, value)` pairs, as a `run()` options object or a URL gives them.
    /// Old names (aliases) are accepted; where both an old and the current name are given, the
    /// current one wins. Unknown names are refused, each with the nearest known name.
    pub fn from_entries(
        entries: impl IntoIterator<Item = (&'a str, Raw<'a>)>,
    ) -> (Request<'a>, Vec<FieldError>) {
        let mut req = Request::default();
        let mut by_alias = Vec::new();
        let mut errors = Vec::new();
        for (key, raw) in entries {
            match Opt::find(key) {
                Some(o) if o.name() == key => req.set(o, raw),
                Some(o) => by_alias.push((o, raw)),
                None => errors.push(unknown(key)),
            }
        }
        for (o, raw) in by_alias {
            if req.get(o) == Raw::Missing {
                req.set(o, raw);
            }
        }
        (req, errors)
    }
}

/// Levenshtein distance, on lower-case letters and digits only (so `delay_ms` meets `delayMs`).
/// ASCII is folded and filtered; any other character stays as it is (no option name has one, so
/// it never matches): Unicode's case and letter tables would be static data in the module for
/// names that are all ASCII.
fn distance(a: &str, b: &str) -> usize {
    let norm = |s: &str| -> Vec<char> {
        s.chars()
            .filter(|c| !c.is_ascii() || c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let (a, b) = (norm(a), norm(b));
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1).min(row[j] + 1).min(diag + usize::from(ca != cb));
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// The refusal of an unknown option name, with the nearest known one when it is close.
pub fn unknown(key: &str) -> FieldError {
    let candidates =
        OPTIONS.iter().flat_map(|s| s.aliases.iter().map(move |a| (*a, s.name)).chain([(s.name, s.name)]));
    let nearest = candidates.map(|(n, canon)| (distance(key, n), canon)).min_by_key(|(d, _)| *d);
    let limit = (key.chars().count() / 3).max(2);
    let field: String = key.chars().take(24).collect();
    let message = match nearest {
        Some((d, name)) if d <= limit => {
            format!("{} is not an option; did you mean {name}?", shown(Raw::Text(key)))
        }
        _ => {
            let names: Vec<&str> = OPTIONS.iter().map(|s| s.name).collect();
            format!("{} is not an option; the options are {}.", shown(Raw::Text(key)), names.join(", "))
        }
    };
    FieldError { field, message }
}

/// Shows a refused value in a message: quoted, shortened, and never longer than 24 characters,
/// so a pasted essay or markup does not flood the page (the page writes it as text, not HTML).
pub fn shown(raw: Raw) -> String {
    match raw {
        Raw::Missing => "nothing".into(),
        Raw::Number(n) => {
            let plain = Shortest(n).to_string();
            if plain.len() <= 24 { plain } else { Sci(n, 3).to_string() }
        }
        Raw::Text(s) if s.trim().is_empty() => "an empty value".into(),
        Raw::Text(s) => {
            let short: String = s.chars().take(24).collect();
            let more = if s.chars().count() > 24 { "…" } else { "" };
            format!("\"{short}{more}\"")
        }
        Raw::Bool(b) => format!("{b}"),
        Raw::Other => "a value that is not a number".into(),
    }
}

/// Parses a whole number of option `o` in `min..=max`. Text must be plain decimal digits (spaces
/// around are trimmed); numbers must be finite and whole.
pub fn whole(o: Opt, raw: Raw, min: u32, max: u32) -> Result<u32, FieldError> {
    let refuse = || {
        FieldError::new(
            o,
            format!(
                "{} must be a whole number from {} to {}; got {}.",
                o.spec().what,
                group(min.into()),
                group(max.into()),
                shown(raw)
            ),
        )
    };
    let value: u64 = match raw {
        Raw::Number(n) if n.is_finite() && n.fract() == 0.0 && n >= 0.0 && n <= u64::MAX as f64 => n as u64,
        Raw::Text(s) => {
            let s = s.trim();
            if s.is_empty() || s.len() > 20 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(refuse());
            }
            s.parse().map_err(|_| refuse())?
        }
        _ => return Err(refuse()),
    };
    if value < min.into() || value > max.into() {
        return Err(refuse());
    }
    Ok(value as u32)
}

/// Parses a number of option `o` in `min..=max` thousandths (see [`Kind::Decimal`]), giving
/// thousandths: 0.1 is 100. Text must be plain decimal digits with at most one point; more than
/// three decimals are rounded.
pub fn decimal(o: Opt, raw: Raw, min: u32, max: u32) -> Result<u32, FieldError> {
    let Kind::Decimal { unit, .. } = o.spec().kind else { unreachable!("{} is not decimal", o.name()) };
    let refuse = || {
        FieldError::new(
            o,
            format!(
                "{} must be a number from {} to {} {unit}; got {}.",
                o.spec().what,
                super::schema::thousandths(min),
                super::schema::thousandths(max),
                shown(raw)
            ),
        )
    };
    let value: f64 = match raw {
        Raw::Number(n) if n.is_finite() => n,
        Raw::Text(s) => {
            let s = s.trim();
            let digits = s.bytes().filter(u8::is_ascii_digit).count();
            let points = s.bytes().filter(|&b| b == b'.').count();
            if digits == 0 || s.len() > 20 || points > 1 || digits + points != s.len() {
                return Err(refuse());
            }
            super::number::parse_f64(s).ok_or_else(refuse)?
        }
        _ => return Err(refuse()),
    };
    let thousandths = (value * 1000.0).round();
    if thousandths < f64::from(min) || thousandths > f64::from(max) {
        return Err(refuse());
    }
    Ok(thousandths as u32)
}

/// Parses a choice of option `o`: the chosen name (missing means the first, the default).
pub fn choice(o: Opt, raw: Raw) -> Result<&'static str, FieldError> {
    let Kind::Choice(choices) = o.spec().kind else { unreachable!("{} is not a choice", o.name()) };
    match raw {
        Raw::Missing => return Ok(choices[0].0),
        Raw::Text(s) => {
            if let Some((name, _)) = choices.iter().find(|(n, _)| *n == s.trim()) {
                return Ok(name);
            }
        }
        _ => {}
    }
    let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
    let list = match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.join(""),
    };
    let one_of = if names.len() > 3 { "one of " } else { "" };
    Err(FieldError::new(o, format!("{} must be {one_of}{list}; got {}.", o.spec().what, shown(raw))))
}

/// Parses a switch: 0/1, true/false (as booleans, numbers or text); missing means off.
pub fn switch(o: Opt, raw: Raw) -> Result<bool, FieldError> {
    match raw {
        Raw::Missing => Ok(false),
        Raw::Bool(b) => Ok(b),
        Raw::Number(n) if n == 0.0 || n == 1.0 => Ok(n == 1.0),
        Raw::Text(s) if matches!(s.trim(), "0" | "false" | "") => Ok(false),
        Raw::Text(s) if matches!(s.trim(), "1" | "true") => Ok(true),
        _ => Err(FieldError::new(o, format!("{} must be 0 or 1; got {}.", o.spec().what, shown(raw)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_options_name_the_nearest() {
        let (_, e) = Request::from_entries([("delay_ms", Raw::Number(1.0)), ("speed", Raw::Number(3.0))]);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].field, "delay_ms");
        assert!(e[0].message.contains("did you mean delay?"), "{}", e[0].message);
        assert!(e[1].message.contains("the options are model, tasks, delay"), "{}", e[1].message);
        let (_, e) = Request::from_entries([("taks", Raw::Number(1.0))]);
        assert!(e[0].message.contains("did you mean tasks?"), "{}", e[0].message);
        // A letter outside ASCII is one more character that differs.
        let (_, e) = Request::from_entries([("Tâsks", Raw::Number(1.0)), ("délay", Raw::Number(1.0))]);
        assert!(e[0].message.contains("did you mean tasks?"), "{}", e[0].message);
        assert!(e[1].message.contains("did you mean delay?"), "{}", e[1].message);
    }

    #[test]
    fn aliases_are_accepted_and_the_current_name_wins() {
        let (r, e) = Request::from_entries([("delayMs", Raw::Number(5.0))]);
        assert!(e.is_empty());
        assert_eq!(r.get(Opt::Delay), Raw::Number(5.0));
        let (r, _) = Request::from_entries([("delay", Raw::Number(7.0)), ("delayMs", Raw::Number(5.0))]);
        assert_eq!(r.get(Opt::Delay), Raw::Number(7.0));
    }

    #[test]
    fn long_names_are_cut_in_messages() {
        let long = "x".repeat(500);
        let e = unknown(&long);
        assert!(e.message.len() < 300 && e.field.len() == 24, "{}", e.message);
    }
}
