//! UN/LOCODE station codes (country + location, e.g. `NLRTM` for Rotterdam).

use crate::error::{Error, Result};

/// Normalises and checks a UN/LOCODE: 2-letter ISO 3166 country code and a 3-character
/// location code of letters and digits 2-9. "nl rtm" becomes "NLRTM".
pub fn parse_locode(input: &str) -> Result<String> {
    let code: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let ok = code.len() == 5
        && code[..2].chars().all(|c| c.is_ascii_uppercase())
        && code[2..]
            .chars()
            .all(|c| c.is_ascii_uppercase() || ('2'..='9').contains(&c));
    if ok {
        Ok(code)
    } else {
        Err(Error::Invalid(format!(
            "malformed UN/LOCODE {input:?}: expected a 2-letter country and a 3-character location, e.g. NLRTM"
        )))
    }
}

/// The country part of a UN/LOCODE.
pub fn country_of(locode: &str) -> &str {
    locode.get(..2).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_rejects() {
        assert_eq!(parse_locode("nl rtm").unwrap(), "NLRTM");
        assert_eq!(parse_locode("GHTEM").unwrap(), "GHTEM");
        assert_eq!(country_of("GHTEM"), "GH");
        for bad in ["NLRT", "N1RTM", "NLRT1", "NLRTMX", ""] {
            assert!(parse_locode(bad).is_err(), "{bad}");
        }
    }
}
