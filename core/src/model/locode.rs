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

/// Every ISO 3166-1 alpha-2 country code (249, as ISO publishes them; sorted).
pub const ISO_3166_ALPHA_2: [&str; 249] = [
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

/// Normalises and checks an ISO 3166-1 alpha-2 country code ("gh" becomes "GH").
pub fn parse_country(input: &str) -> Result<String> {
    let code = input.trim().to_ascii_uppercase();
    if ISO_3166_ALPHA_2.binary_search(&code.as_str()).is_ok() {
        Ok(code)
    } else {
        Err(Error::Invalid(format!(
            "unknown country {input:?}: expected an ISO 3166-1 alpha-2 code such as GH or NL"
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
        assert!(ISO_3166_ALPHA_2.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(parse_country(" gh").unwrap(), "GH");
        for bad in ["XX", "G", "GHA", "", "ZZ", "EU"] {
            assert!(parse_country(bad).is_err(), "{bad}");
        }
    }
}
