//! Quantities as officers type them ("1,234.5", "1.234,5", "15'490", "12 kg") and as they are
//! shown back: one set of rules for every shell, so a phone in Jakarta and one in Rotterdam read
//! the same number from the same keystrokes.

/// Why a typed quantity was not accepted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QuantityError {
    #[error("enter a quantity")]
    Empty,
    #[error("{0:?} is not a number")]
    NotANumber(String),
    #[error("a quantity cannot be negative")]
    Negative,
    #[error("{0} kg is more than any single finding could hold")]
    TooLarge(f64),
    #[error("{0:?} is not a whole number")]
    NotWhole(String),
}

/// The largest quantity accepted, in kg (a full bulk tanker is far below it).
pub const MAX_KG: f64 = 1.0e9;

/// Characters people use to group thousands, besides the separator that is not the decimal one.
const GROUPING: [char; 5] = [' ', '\u{a0}', '\u{202f}', '\'', '\u{2019}'];

/// Reads a quantity as typed. `decimal` is the decimal separator of the officer's locale (`.`
/// or `,`): it decides only the one ambiguous case, a single separator followed by exactly three
/// digits ("1,234" is 1234 where the decimal separator is `.`, 1.234 where it is `,`). With both
/// separators the last one is decimal; a separator repeated is grouping; a trailing unit `kg` is
/// allowed; negative values are refused.
pub fn parse(text: &str, decimal: char) -> Result<f64, QuantityError> {
    let trimmed = text.trim();
    let without_unit = trimmed
        .strip_suffix("kg")
        .or_else(|| trimmed.strip_suffix("KG"))
        .or_else(|| trimmed.strip_suffix("Kg"))
        .unwrap_or(trimmed)
        .trim();
    let compact: String = without_unit
        .chars()
        .filter(|c| !GROUPING.contains(c))
        .collect();
    if compact.is_empty() {
        return Err(QuantityError::Empty);
    }
    let not_a_number = || QuantityError::NotANumber(trimmed.to_string());
    let digits = match compact.strip_prefix(['-', '\u{2212}']) {
        Some(rest) if !rest.is_empty() => {
            // Say "negative" only for something that would otherwise be a number.
            normalise(rest, decimal).ok_or_else(not_a_number)?;
            return Err(QuantityError::Negative);
        }
        Some(_) => return Err(not_a_number()),
        None => compact.strip_prefix('+').unwrap_or(&compact),
    };
    let plain = normalise(digits, decimal).ok_or_else(not_a_number)?;
    let value: f64 = plain.parse().map_err(|_| not_a_number())?;
    if !value.is_finite() {
        return Err(not_a_number());
    }
    if value > MAX_KG {
        return Err(QuantityError::TooLarge(value));
    }
    Ok(value)
}

/// Rewrites digits with `.`/`,` separators as a plain `1234.5`, or None if they are not a number.
fn normalise(s: &str, decimal: char) -> Option<String> {
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    let dots = s.matches('.').count();
    let commas = s.matches(',').count();
    let (decimal_sep, grouping_sep) = match (dots, commas) {
        (0, 0) => return Some(s.to_string()),
        (_, 0) | (0, _) => {
            let sep = if dots > 0 { '.' } else { ',' };
            let count = dots + commas;
            let (head, tail) = s.rsplit_once(sep)?;
            let three_after = tail.len() == 3 && !head.is_empty();
            if count > 1 || (sep != decimal && three_after) {
                (None, Some(sep))
            } else {
                (Some(sep), None)
            }
        }
        _ => {
            let last_dot = s.rfind('.')?;
            let last_comma = s.rfind(',')?;
            if last_dot > last_comma {
                (Some('.'), Some(','))
            } else {
                (Some(','), Some('.'))
            }
        }
    };
    let (int_part, frac_part) = match decimal_sep {
        Some(d) => {
            let (i, f) = s.rsplit_once(d)?;
            if f.contains(d) || f.contains(grouping_sep.unwrap_or(d)) {
                return None;
            }
            (i, Some(f))
        }
        None => (s, None),
    };
    let int_digits = match grouping_sep {
        Some(g) if int_part.contains(g) => {
            let groups: Vec<&str> = int_part.split(g).collect();
            let first_ok = (1..=3).contains(&groups[0].len());
            if !first_ok || groups[1..].iter().any(|x| x.len() != 3) {
                return None;
            }
            groups.concat()
        }
        _ => int_part.to_string(),
    };
    if int_digits.contains(['.', ',']) {
        return None;
    }
    match frac_part {
        Some(f) if f.is_empty() && int_digits.is_empty() => None,
        Some(f) => Some(format!(
            "{}.{}",
            if int_digits.is_empty() {
                "0"
            } else {
                &int_digits
            },
            if f.is_empty() { "0" } else { f }
        )),
        None if int_digits.is_empty() => None,
        None => Some(int_digits),
    }
}

/// Reads a count as typed ("1139", "1 139", "1,139"); None for an empty field.
pub fn parse_count(text: &str) -> Result<Option<u32>, QuantityError> {
    let compact: String = text
        .trim()
        .chars()
        .filter(|c| !GROUPING.contains(c) && *c != ',' && *c != '.')
        .collect();
    if compact.is_empty() && text.trim().is_empty() {
        return Ok(None);
    }
    compact
        .parse::<u32>()
        .ok()
        .filter(|_| compact.chars().all(|c| c.is_ascii_digit()))
        .filter(|_| grouped_in_threes(text.trim()))
        .map(Some)
        .ok_or_else(|| QuantityError::NotWhole(text.trim().to_string()))
}

/// Whether separators in a typed count fall between groups of three digits.
fn grouped_in_threes(text: &str) -> bool {
    let groups: Vec<&str> = text
        .split(|c: char| GROUPING.contains(&c) || c == ',' || c == '.')
        .collect();
    groups.len() == 1
        || ((1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3))
}

/// A finding's net mass from the form: the net mass as typed, else the cylinders counted times
/// the net kilograms printed on one (1139 × 13.6 kg is 15490.4 kg, rounded to grams), else None.
pub fn net_mass(
    typed: &str,
    cylinders: &str,
    kg_per_cylinder: &str,
    decimal: char,
) -> Result<Option<f64>, QuantityError> {
    if !typed.trim().is_empty() {
        return parse(typed, decimal).map(Some);
    }
    let (Some(n), false) = (parse_count(cylinders)?, kg_per_cylinder.trim().is_empty()) else {
        return Ok(None);
    };
    let each = parse(kg_per_cylinder, decimal)?;
    let total = (f64::from(n) * each * 1000.0).round() / 1000.0;
    if total > MAX_KG {
        return Err(QuantityError::TooLarge(total));
    }
    Ok(Some(total))
}

/// Shows a quantity with up to three decimals (grams), no trailing zeros, and the locale's
/// decimal separator; what [`parse`] reads back to the same value.
pub fn format(value: f64, decimal: char) -> String {
    let rounded = (value * 1000.0).round() / 1000.0;
    let mut s = format!("{rounded:.3}");
    while s.ends_with('0') {
        s.pop();
    }
    if s.ends_with('.') {
        s.pop();
    }
    if s == "-0" {
        s = "0".into();
    }
    if decimal == ',' {
        s = s.replace('.', ",");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_what_officers_type_in_either_convention() {
        for (typed, decimal, want) in [
            ("12", '.', 12.0),
            ("12.5", '.', 12.5),
            ("12,5", '.', 12.5),
            ("12,5", ',', 12.5),
            ("1,234.5", '.', 1234.5),
            ("1.234,5", ',', 1234.5),
            ("1.234,5", '.', 1234.5),
            ("15'490", '.', 15490.0),
            ("15 490,4", ',', 15490.4),
            ("15\u{a0}490.4", '.', 15490.4),
            ("1,234", '.', 1234.0),
            ("1,234", ',', 1.234),
            ("1.234", ',', 1234.0),
            ("1.234", '.', 1.234),
            ("1,234,567", ',', 1_234_567.0),
            (" 13.6 kg ", '.', 13.6),
            ("0,25", '.', 0.25),
            (".5", '.', 0.5),
            ("+3", '.', 3.0),
        ] {
            assert_eq!(
                parse(typed, decimal),
                Ok(want),
                "{typed:?} with {decimal:?}"
            );
        }
    }

    #[test]
    fn refuses_what_is_not_a_quantity() {
        assert_eq!(parse("  ", '.'), Err(QuantityError::Empty));
        assert_eq!(parse("kg", '.'), Err(QuantityError::Empty));
        assert_eq!(parse("-3", '.'), Err(QuantityError::Negative));
        assert_eq!(parse("\u{2212}1,5", ','), Err(QuantityError::Negative));
        assert_eq!(
            parse("2e9", '.'),
            Err(QuantityError::NotANumber("2e9".into()))
        );
        assert_eq!(
            parse("2000000000", '.'),
            Err(QuantityError::TooLarge(2.0e9))
        );
        for bad in [
            "abc",
            "1.2.3,4,5",
            "1,23,456",
            "12,34.5.6",
            "1..2",
            "-",
            "NaN",
            "inf",
            "1,2345.6",
            ".",
        ] {
            assert!(
                matches!(parse(bad, '.'), Err(QuantityError::NotANumber(_))),
                "{bad:?} was read as {:?}",
                parse(bad, '.')
            );
        }
    }

    #[test]
    fn formats_for_the_locale() {
        assert_eq!(format(15490.4, '.'), "15490.4");
        assert_eq!(format(15490.4, ','), "15490,4");
        assert_eq!(format(13.6, '.'), "13.6");
        assert_eq!(format(2.0, ','), "2");
        assert_eq!(format(0.0004, '.'), "0");
        assert_eq!(format(1.2345, '.'), "1.235");
    }

    #[test]
    fn counts_and_net_mass_follow_one_rule() {
        assert_eq!(parse_count(" "), Ok(None));
        assert_eq!(parse_count("1139"), Ok(Some(1139)));
        assert_eq!(parse_count("1 139"), Ok(Some(1139)));
        assert_eq!(parse_count("1,139"), Ok(Some(1139)));
        for bad in ["-2", "2.5", "12,34", "x", "99999999999"] {
            assert!(parse_count(bad).is_err(), "{bad:?}");
        }
        assert_eq!(net_mass("", "1139", "13,6", ','), Ok(Some(15490.4)));
        assert_eq!(net_mass("", "1139", "13.6", '.'), Ok(Some(15490.4)));
        assert_eq!(
            net_mass("15 000", "1139", "13.6", '.'),
            Ok(Some(15000.0)),
            "typed wins"
        );
        assert_eq!(net_mass("", "1139", "", '.'), Ok(None));
        assert_eq!(net_mass("", "", "13.6", '.'), Ok(None));
        assert!(net_mass("", "12", "-1", '.').is_err());
    }

    proptest! {
        /// What is shown reads back as the same grams, in both conventions.
        #[test]
        fn formatting_reads_back(grams in 0u64..1_000_000_000_000u64, comma in any::<bool>()) {
            let kg = grams as f64 / 1000.0;
            let decimal = if comma { ',' } else { '.' };
            let shown = format(kg, decimal);
            let back = parse(&shown, decimal).unwrap();
            prop_assert!((back - kg).abs() < 0.0005, "{kg} shown as {shown} read as {back}");
        }
    }
}
