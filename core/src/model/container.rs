//! ISO 6346 container numbers: parsing, normalising and the check digit.

use crate::error::{Error, Result};

/// A syntactically valid ISO 6346 container number, normalised to 11 upper-case characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerNumber {
    normalized: String,
}

impl ContainerNumber {
    /// Parses a container number typed by an officer: spaces, hyphens and case are ignored
    /// ("cSQU 305438-3"). A malformed number is an error; a wrong check digit is not (see
    /// [`ContainerNumber::check_digit_ok`]), since a typo and a fictitious container look alike.
    pub fn parse(input: &str) -> Result<Self> {
        let normalized: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-' && *c != '/')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let chars: Vec<char> = normalized.chars().collect();
        let malformed = |why: &str| {
            Error::Invalid(format!(
                "malformed container number {input:?}: {why} (ISO 6346: 3-letter owner code, category U, J or Z, 6-digit serial, check digit, e.g. CSQU3054383)"
            ))
        };
        if chars.len() != 11 {
            return Err(malformed(&format!(
                "{} characters, expected 11",
                chars.len()
            )));
        }
        if !chars[..3].iter().all(|c| c.is_ascii_uppercase()) {
            return Err(malformed("the owner code must be 3 letters"));
        }
        if !matches!(chars[3], 'U' | 'J' | 'Z') {
            return Err(malformed("the category letter must be U, J or Z"));
        }
        if !chars[4..].iter().all(|c| c.is_ascii_digit()) {
            return Err(malformed("serial number and check digit must be 7 digits"));
        }
        Ok(Self { normalized })
    }

    /// The normalised number, e.g. `CSQU3054383`.
    pub fn as_str(&self) -> &str {
        &self.normalized
    }

    /// The check digit written in the number.
    pub fn check_digit(&self) -> u32 {
        self.normalized.as_bytes()[10] as u32 - b'0' as u32
    }

    /// The check digit computed from the first ten characters.
    pub fn expected_check_digit(&self) -> u32 {
        let sum: u32 = self.normalized[..10]
            .chars()
            .enumerate()
            .map(|(i, c)| letter_or_digit_value(c) << i)
            .sum();
        (sum % 11) % 10
    }

    /// Whether the written check digit matches the computed one.
    pub fn check_digit_ok(&self) -> bool {
        self.check_digit() == self.expected_check_digit()
    }

    /// Errors with [`Error::CheckDigit`] unless the check digit is right or `allow_invalid`.
    pub fn require_check_digit(&self, allow_invalid: bool) -> Result<()> {
        if allow_invalid || self.check_digit_ok() {
            Ok(())
        } else {
            Err(Error::CheckDigit {
                number: self.normalized.clone(),
                found: self.check_digit(),
                expected: self.expected_check_digit(),
            })
        }
    }
}

/// ISO 6346 character values: digits keep their value; letters count from A=10 upwards,
/// skipping multiples of 11.
fn letter_or_digit_value(c: char) -> u32 {
    if let Some(d) = c.to_digit(10) {
        return d;
    }
    let mut value = 10;
    for letter in 'A'..c {
        let _ = letter;
        value += 1;
        if value % 11 == 0 {
            value += 1;
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letter_values_skip_multiples_of_eleven() {
        assert_eq!(letter_or_digit_value('A'), 10);
        assert_eq!(letter_or_digit_value('B'), 12);
        assert_eq!(letter_or_digit_value('K'), 21);
        assert_eq!(letter_or_digit_value('L'), 23);
        assert_eq!(letter_or_digit_value('U'), 32);
        assert_eq!(letter_or_digit_value('V'), 34);
        assert_eq!(letter_or_digit_value('Z'), 38);
    }

    #[test]
    fn published_examples_are_valid() {
        for n in ["CSQU3054383", "ZEPU0037255", "MSKU9070323", "csqu 305438-3"] {
            let c = ContainerNumber::parse(n).unwrap();
            assert!(c.check_digit_ok(), "{n}");
        }
        assert_eq!(
            ContainerNumber::parse("csqu 305438-3").unwrap().as_str(),
            "CSQU3054383"
        );
    }

    #[test]
    fn wrong_check_digit_is_a_warning_not_a_parse_error() {
        let c = ContainerNumber::parse("CSQU3054384").unwrap();
        assert!(!c.check_digit_ok());
        assert_eq!(c.expected_check_digit(), 3);
        assert!(matches!(
            c.require_check_digit(false),
            Err(Error::CheckDigit {
                expected: 3,
                found: 4,
                ..
            })
        ));
        assert!(c.require_check_digit(true).is_ok());
    }

    #[test]
    fn malformed_numbers_are_errors() {
        for n in [
            "",
            "CSQU305438",
            "CSQX3054383",
            "C5QU3054383",
            "CSQU30543A3",
            "CSQU30543833",
        ] {
            assert!(
                matches!(ContainerNumber::parse(n), Err(Error::Invalid(_))),
                "{n}"
            );
        }
    }
}
