//! The shipped reference an officer checks goods against: controlled substances, refrigerant blends,
//! HS 2022 and Basel codes, compiled in from the CSV files in `core/reference-data/`, each value with its source.
//!
//! The data files are the single place where facts live; this module parses them once, lazily, on
//! first use ([`OnceLock`]), checks them (unique names, known blend components, percentages summing
//! to 100, HS codes present in the HS table) and answers lookups. Nothing here is typed twice:
//!
//! * a blend's ODP and GWP are mass-fraction-weighted sums over its components, computed at load;
//! * a blend's HS subheading is derived from its composition by the ordered subheading texts of
//!   HS 2022 heading 38.27 ([`Substance::hs_code`]); hydrocarbons only are 2711.19, other
//!   mixtures without a halogenated methane, ethane or propane 3824.99;
//! * names are matched ignoring case, whitespace, hyphens, dots and commas, so `"R-22"`, `"r22"`,
//!   `"R 22"`, `"HCFC22"` and `"Chlorodifluoromethane"` all find HCFC-22.
//!
//! The compiled-in data is part of the build: if it is malformed, the first lookup panics with a
//! message naming the file and row (a unit test parses all of it, so a bad edit fails `cargo test`).
//!
//! ```
//! use quayside_core::reference;
//!
//! let r22 = reference::substance("R 22").unwrap();
//! assert_eq!(r22.id, "HCFC-22");
//! assert_eq!(r22.odp, 0.055);
//! assert_eq!(reference::hs_consistent(r22, "2903.71.00"), Some(true));
//! assert_eq!(reference::substance("r-404a").unwrap().hs_code, "3827.61");
//! assert!(reference::basel_code("y48").is_some());
//! ```

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

const SUBSTANCES_CSV: &str = include_str!("../../reference-data/substances.csv");
const BLENDS_CSV: &str = include_str!("../../reference-data/blends.csv");
const HS_CODES_CSV: &str = include_str!("../../reference-data/hs_codes.csv");
const BASEL_CODES_CSV: &str = include_str!("../../reference-data/basel_codes.csv");

/// Groups a pure substance may belong to in `substances.csv`: the controlled families, then the
/// substitutes officers meet (HFOs and HCFOs, hydrocarbons, PFCs, others such as R-744 and
/// R-717), and pre-blended polyols carrying an HCFC.
const PURE_GROUPS: [&str; 11] = [
    "CFC",
    "halon",
    "other ODS",
    "HCFC",
    "HBFC",
    "HFC",
    "HFO",
    "HC",
    "PFC",
    "other",
    "polyol",
];
/// Groups whose members are halogenated derivatives of methane, ethane or propane: a mixture
/// containing one falls under HS 2022 heading 38.27.
const HEADING_3827_GROUPS: [&str; 7] = ["CFC", "halon", "other ODS", "HCFC", "HBFC", "HFC", "PFC"];
/// Lists a Basel code may belong to in `basel_codes.csv`.
const BASEL_LISTS: [&str; 4] = [
    "Annex I (Y)",
    "Annex II (Y)",
    "Annex VIII (List A)",
    "Annex IX (List B)",
];
/// Blend percentages must sum to 100 within this tolerance.
const PCT_TOLERANCE: f64 = 0.01;

/// Whether a reference substance is a single compound or a mixture of compounds.
#[derive(Debug, Clone, PartialEq)]
pub enum SubstanceKind {
    /// A single controlled compound (a row of `substances.csv`).
    Pure,
    /// A mixture of pure substances (rows of `blends.csv`), e.g. R-404A.
    Blend,
}

/// One component of a blend.
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    /// Id of the pure substance (e.g. `"HFC-125"`).
    pub substance_id: String,
    /// Share of the blend by mass, in percent (0-100).
    pub mass_pct: f64,
}

/// A controlled substance or refrigerant blend, with ODP, GWP and HS subheading and their sources.
#[derive(Debug, Clone, PartialEq)]
pub struct Substance {
    /// Canonical id, e.g. `"HCFC-22"`, `"Halon-1301"`, `"methyl bromide"`, `"R-404A"`.
    pub id: String,
    /// Other names it goes by: refrigerant numbers, trade names, systematic names, formulas.
    pub aliases: Vec<String>,
    /// Chemical name (for a blend, a description of its composition).
    pub chemical_name: String,
    /// Molecular formula as the Montreal Protocol annexes write it; `None` for blends.
    pub formula: Option<String>,
    /// `"CFC"`, `"HCFC"`, `"HFC"`, `"halon"`, `"other ODS"` or `"blend"`.
    pub group: String,
    /// Whether this is a pure substance or a blend.
    pub kind: SubstanceKind,
    /// Montreal Protocol annex and group, e.g. `"C/I"`; for a blend the distinct annex groups of its
    /// components in component order, joined with `", "` (e.g. `"C/I, A/I"` for R-502).
    pub annex_group: Option<String>,
    /// Ozone-depleting potential; for a blend the mass-weighted sum over its components. 0 for
    /// substances the Montreal Protocol does not control as ozone-depleting.
    pub odp: f64,
    /// The range the Protocol gives (Annex C lists ranges for isomer groups), as (low, high).
    pub odp_range: Option<(f64, f64)>,
    /// Where [`Substance::odp`] comes from (for a blend: how it was computed, from which values).
    pub odp_source: String,
    /// 100-year global warming potential (IPCC AR4 for controlled substances); for a blend the
    /// mass-weighted sum. None where no value is published in the source used: CO2-eq is then
    /// unknown, never zero.
    pub gwp: Option<f64>,
    /// Where [`Substance::gwp`] comes from, e.g. `"IPCC AR4 WG1 Table 2.14, 100-year"`.
    pub gwp_source: String,
    /// Components of a blend; empty for pure substances.
    pub components: Vec<Component>,
    /// HS 2022 subheading, `"NNNN.NN"` (e.g. `"2903.71"`, `"3827.61"`).
    pub hs_code: String,
    /// Where [`Substance::hs_code`] comes from (for a blend: derived from the composition).
    pub hs_source: String,
}

impl Substance {
    /// ODP-tonnes of `net_kg` kilograms of this substance: metric tonnes x ODP.
    pub fn odp_tonnes(&self, net_kg: f64) -> f64 {
        net_kg / 1000.0 * self.odp
    }

    /// CO2-equivalent tonnes of `net_kg` kilograms of this substance: metric tonnes x GWP (None
    /// when the GWP is not known).
    pub fn co2e_tonnes(&self, net_kg: f64) -> Option<f64> {
        self.gwp.map(|gwp| net_kg / 1000.0 * gwp)
    }

    /// Whether the Montreal Protocol controls it (it has an annex group; for a blend, some
    /// component has).
    pub fn controlled(&self) -> bool {
        self.annex_group.is_some()
    }

    /// A pre-blended polyol: its controlled content is a mass fraction entered per finding.
    pub fn is_polyol(&self) -> bool {
        self.group == "polyol"
    }
}

/// An HS 2022 subheading relevant to controlled substances.
#[derive(Debug, Clone, PartialEq)]
pub struct HsCode {
    /// The 6-digit subheading, `"NNNN.NN"`.
    pub code: String,
    /// The subheading text (lightly shortened).
    pub description: String,
    /// Which substances or mixtures it covers, in plain words.
    pub covers: String,
    /// Where the entry comes from.
    pub source: String,
    /// Cautions for officers and HS 2017 predecessors, if any.
    pub note: Option<String>,
}

/// A Basel Convention waste code (Annex I/II Y codes, Annex VIII List A, Annex IX List B).
#[derive(Debug, Clone, PartialEq)]
pub struct BaselCode {
    /// The code, e.g. `"Y48"`, `"A3210"`, `"B3011"`.
    pub code: String,
    /// `"Annex I (Y)"`, `"Annex II (Y)"`, `"Annex VIII (List A)"` or `"Annex IX (List B)"`.
    pub list: String,
    /// The entry's text (shortened where it ends in "..."); says so if the entry was deleted.
    pub description: String,
    /// Where the entry comes from, including the amending decision where there is one.
    pub source: String,
}

/// One result of [`lookup`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ReferenceHit {
    /// A pure substance or blend.
    Substance(&'static Substance),
    /// An HS subheading.
    Hs(&'static HsCode),
    /// A Basel code.
    Basel(&'static BaselCode),
}

/// All substances: the pure ones in file order, then the blends in file order.
pub fn substances() -> &'static [Substance] {
    &reference().substances
}

/// The substance with this id, alias, chemical name or formula, matched ignoring case, whitespace,
/// hyphens, dots and commas (`"r22"`, `"R 22"`, `"HCFC22"`, `"Freon 22"` all find HCFC-22).
pub fn substance(name: &str) -> Option<&'static Substance> {
    let reference = reference();
    let key = normalize(name);
    reference
        .names
        .get(&key)
        .map(|&index| &reference.substances[index])
}

/// All HS subheadings in the shipped table, in code order as listed in the file.
pub fn hs_codes() -> &'static [HsCode] {
    &reference().hs_codes
}

/// The HS subheading for a code as typed: `"2903.71"`, `"290371"` and `"2903.71.00"` (national
/// digits) all give 2903.71. `None` for fewer than 6 digits, other characters, or an unlisted code.
pub fn hs_code(code: &str) -> Option<&'static HsCode> {
    let digits = hs_digits(code)?;
    let subheading = format!("{}.{}", &digits[..4], &digits[4..6]);
    hs_codes().iter().find(|hs| hs.code == subheading)
}

/// All Basel codes: Y1-Y49, then the List A and List B entries shipped.
pub fn basel_codes() -> &'static [BaselCode] {
    &reference().basel_codes
}

/// The Basel code, matched ignoring case and whitespace (`"y48"`, `"Y 48"`, `"a1180"`).
pub fn basel_code(code: &str) -> Option<&'static BaselCode> {
    let wanted: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    basel_codes()
        .iter()
        .find(|basel| basel.code.eq_ignore_ascii_case(&wanted))
}

/// Whether an observed/declared HS code is consistent with the substance: compare the first 6 digits
/// (dots/spaces stripped) with the substance's subheading. None if the code has fewer than 6 digits.
///
/// Also `None` if the code contains anything other than digits and the separators `.`, `-` and
/// whitespace, since such a code cannot be compared.
pub fn hs_consistent(substance: &Substance, code: &str) -> Option<bool> {
    hs_matches(&substance.hs_code, code)
}

/// Whether `code` (as typed) is the subheading `expected` (`"NNNN.NN"`): [`hs_consistent`] for a
/// subheading worked out some other way, such as [`mixture_hs_code`].
pub fn hs_matches(expected: &str, code: &str) -> Option<bool> {
    let digits = hs_digits(code)?;
    let expected: String = expected.chars().filter(char::is_ascii_digit).collect();
    Some(digits[..6] == expected)
}

/// The HS 2022 subheading of a mixture of reference substances with their mass percentages,
/// such as a composition an identifier measured: blends among them count as their components.
/// A single substance keeps its own subheading.
pub fn mixture_hs_code(parts: &[(&Substance, f64)]) -> String {
    let mut pure: Vec<(&Substance, f64)> = Vec::new();
    for (s, pct) in parts {
        if s.components.is_empty() {
            pure.push((s, *pct));
        } else {
            for c in &s.components {
                if let Some(cs) = substance(&c.substance_id) {
                    pure.push((cs, pct * c.mass_pct / 100.0));
                }
            }
        }
    }
    match pure.as_slice() {
        [] => String::new(),
        [(only, _)] => only.hs_code.clone(),
        _ if pure.iter().all(|(s, _)| s.id == pure[0].0.id) => pure[0].0.hs_code.clone(),
        _ => mixture_subheading(&pure).to_string(),
    }
}

/// Free-text lookup for the CLI `reference` command: exact name/code matches first, then substring matches over ids, aliases, chemical names and descriptions. Deterministic order.
///
/// Exact matches come in the order substance, HS code, Basel code. Substring matches (ignoring case,
/// whitespace, hyphens, dots and commas) follow in data order: substances (ids, aliases, chemical
/// names, formulas, HS subheading), then HS codes (code, description, what it covers, note), then
/// Basel codes (code, description). No hit appears twice; an empty query finds nothing.
pub fn lookup(query: &str) -> Vec<ReferenceHit> {
    let reference = reference();
    let needle = Needle::new(query);
    if needle.name.is_empty() {
        return Vec::new();
    }
    let mut hits: Vec<ReferenceHit> = Vec::new();
    let mut push = |hit: ReferenceHit| {
        if !hits.iter().any(|seen| same_hit(seen, &hit)) {
            hits.push(hit);
        }
    };

    if let Some(found) = substance(query) {
        push(ReferenceHit::Substance(found));
    }
    if let Some(found) = hs_code(query) {
        push(ReferenceHit::Hs(found));
    }
    if let Some(found) = basel_code(query) {
        push(ReferenceHit::Basel(found));
    }

    for (substance, keys) in reference.substances.iter().zip(&reference.substance_keys) {
        if keys.matches(&needle) {
            push(ReferenceHit::Substance(substance));
        }
    }
    for (hs, keys) in reference.hs_codes.iter().zip(&reference.hs_keys) {
        if keys.matches(&needle) {
            push(ReferenceHit::Hs(hs));
        }
    }
    for (basel, keys) in reference.basel_codes.iter().zip(&reference.basel_keys) {
        if keys.matches(&needle) {
            push(ReferenceHit::Basel(basel));
        }
    }
    hits
}

/// Whether two hits refer to the same entry (entries are unique 'static items, so identity suffices).
fn same_hit(a: &ReferenceHit, b: &ReferenceHit) -> bool {
    match (a, b) {
        (ReferenceHit::Substance(x), ReferenceHit::Substance(y)) => std::ptr::eq(*x, *y),
        (ReferenceHit::Hs(x), ReferenceHit::Hs(y)) => std::ptr::eq(*x, *y),
        (ReferenceHit::Basel(x), ReferenceHit::Basel(y)) => std::ptr::eq(*x, *y),
        _ => false,
    }
}

/// A [`lookup`] query in the two forms it is matched in.
struct Needle {
    /// The whole query as a name key ([`normalize`]).
    name: String,
    /// The query as a text key ([`normalize_text`]).
    text: String,
}

impl Needle {
    fn new(query: &str) -> Self {
        Self {
            name: normalize(query),
            text: normalize_text(query),
        }
    }
}

/// What [`lookup`] matches one entry by: whole names and codes, and free text.
struct SearchKeys {
    /// Name keys of ids, aliases, formulas and codes: the normalized query must occur in one.
    names: Vec<String>,
    /// Text key of chemical names, descriptions and notes: the text-normalized query must occur in it.
    text: String,
}

impl SearchKeys {
    fn new<'a>(
        names: impl IntoIterator<Item = &'a str>,
        text: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let mut name_keys: Vec<String> = Vec::new();
        for key in names.into_iter().map(normalize) {
            if !key.is_empty() && !name_keys.contains(&key) {
                name_keys.push(key);
            }
        }
        let text = text
            .into_iter()
            .map(normalize_text)
            .collect::<Vec<_>>()
            .join(" | ");
        Self {
            names: name_keys,
            text,
        }
    }

    fn matches(&self, needle: &Needle) -> bool {
        self.names.iter().any(|key| key.contains(&needle.name))
            || (!needle.text.is_empty() && self.text.contains(&needle.text))
    }
}

/// The name key used for matching: lowercase, without whitespace, hyphens (including Unicode
/// dashes), dots or commas.
fn normalize(text: &str) -> String {
    text.chars()
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(c, '-' | '.' | ',' | '\u{2010}'..='\u{2015}' | '\u{2212}')
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The key used to search free text: each whitespace-separated word [`normalize`]d, words joined
/// by single spaces, so a query can match inside a word or across whole words but never glue the end
/// of one word to the start of the next ("or 225" does not contain "r22").
fn normalize_text(text: &str) -> String {
    text.split_whitespace()
        .map(normalize)
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The digits of an HS code as typed, if it has at least 6 and nothing but digits and separators.
fn hs_digits(code: &str) -> Option<String> {
    let mut digits = String::new();
    for c in code.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '.' | '-' => {}
            c if c.is_whitespace() => {}
            _ => return None,
        }
    }
    (digits.len() >= 6).then_some(digits)
}

/// The parsed, checked reference with its lookup indexes.
struct Reference {
    substances: Vec<Substance>,
    /// Normalized name -> index into `substances`.
    names: HashMap<String, usize>,
    /// Per substance: id, aliases, formula and HS code as names; chemical name as text.
    substance_keys: Vec<SearchKeys>,
    hs_codes: Vec<HsCode>,
    /// Per HS code: the code as a name; description, covers and note as text.
    hs_keys: Vec<SearchKeys>,
    basel_codes: Vec<BaselCode>,
    /// Per Basel code: the code as a name; description as text.
    basel_keys: Vec<SearchKeys>,
}

/// The compiled-in reference, parsed on first use.
fn reference() -> &'static Reference {
    static REFERENCE: OnceLock<Reference> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        Reference::parse(SUBSTANCES_CSV, BLENDS_CSV, HS_CODES_CSV, BASEL_CODES_CSV)
            .unwrap_or_else(|e| panic!("compiled-in reference data is malformed: {e}"))
    })
}

#[derive(Deserialize)]
struct SubstanceRow {
    id: String,
    aliases: String,
    chemical_name: String,
    formula: String,
    group: String,
    annex_group: String,
    odp: f64,
    /// `LOW-HIGH` where the Protocol gives a range; empty otherwise.
    #[serde(default)]
    odp_range: String,
    odp_source: String,
    /// Empty where no value is published in the source used.
    gwp: Option<f64>,
    gwp_source: String,
    hs_code: String,
    hs_source: String,
}

#[derive(Deserialize)]
struct BlendRow {
    blend_id: String,
    aliases: String,
    name: String,
    component_id: String,
    mass_pct: f64,
    source: String,
}

#[derive(Deserialize)]
struct HsRow {
    code: String,
    description: String,
    covers: String,
    source: String,
    note: String,
}

#[derive(Deserialize)]
struct BaselRow {
    code: String,
    list: String,
    description: String,
    source: String,
}

/// Reads every record of a compiled-in CSV file (lines starting with `#` are comments).
fn read_rows<T: for<'de> Deserialize<'de>>(file: &str, text: &str) -> Result<Vec<T>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    reader
        .deserialize()
        .enumerate()
        .map(|(index, row)| row.map_err(|e| format!("{file}: record {}: {e}", index + 1)))
        .collect()
}

/// `None` for an empty field.
fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

/// Splits a `|`-separated alias field.
fn split_aliases(field: &str) -> Vec<String> {
    field
        .split('|')
        .map(str::trim)
        .filter(|alias| !alias.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Whether `code` is written `NNNN.NN`.
fn is_subheading(code: &str) -> bool {
    let bytes = code.as_bytes();
    bytes.len() == 7
        && bytes[4] == b'.'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || b.is_ascii_digit())
}

/// Whether `code` is a Basel code: `Y` plus 1-2 digits, or `A`/`B` plus 4 digits.
fn is_basel_code(code: &str) -> bool {
    let (letter, digits) = code.split_at(code.len().min(1));
    let all_digits = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    match letter {
        "Y" => all_digits && digits.len() <= 2,
        "A" | "B" => all_digits && digits.len() == 4,
        _ => false,
    }
}

/// Formats a number for a source text without trailing zeros (`0.055`, `44`, `48.8`).
fn fmt_num(value: f64) -> String {
    let text = format!("{value:.6}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Distinct values in first-seen order.
fn distinct<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for value in values {
        if !out.contains(&value) {
            out.push(value);
        }
    }
    out
}

/// The HS 2022 subheading of heading 38.27 for a mixture, from its components (pure substances with
/// their mass percentages).
///
/// Heading 38.27 covers mixtures containing halogenated derivatives of methane, ethane or propane.
/// Its subheadings are read in numerical order and the first whose text the mixture matches wins,
/// following the "other, not included in the subheadings above" structure of the heading; groups
/// with no shipped substances (HBFCs, PFCs, HFOs, bromochloromethane) are recognised by group name.
fn mixture_subheading(parts: &[(&Substance, f64)]) -> &'static str {
    let has = |pred: &dyn Fn(&Substance) -> bool| parts.iter().any(|(s, _)| pred(s));
    // Hydrocarbons only (R-436A, R-433A): liquefied gaseous hydrocarbons, heading 27.11.
    if parts.iter().all(|(s, _)| s.group == "HC") {
        return "2711.19";
    }
    // Heading 38.27 takes mixtures containing halogenated derivatives of methane, ethane or
    // propane; one of HFOs and the like (R-514A) is another chemical product.
    if !has(&|s| HEADING_3827_GROUPS.contains(&s.group.as_str())) {
        return "3824.99";
    }
    let pct = |id: &str| -> f64 {
        parts
            .iter()
            .filter(|(s, _)| s.id == id)
            .map(|(_, p)| *p)
            .sum()
    };
    let in_range =
        |s: &Substance, low: &str, high: &str| (low..=high).contains(&s.hs_code.as_str());
    let group = |name: &'static str| move |s: &Substance| s.group == name;
    let id = |name: &'static str| move |s: &Substance| s.id == name;

    if has(&group("CFC")) {
        return "3827.11";
    }
    if has(&group("HBFC")) {
        return "3827.12";
    }
    if has(&id("carbon tetrachloride")) {
        return "3827.13";
    }
    if has(&id("methyl chloroform")) {
        return "3827.14";
    }
    if has(&group("halon")) {
        return "3827.20";
    }
    if has(&group("HCFC")) {
        if has(&|s| in_range(s, "2903.41", "2903.48")) {
            return "3827.31";
        }
        if has(&|s| in_range(s, "2903.71", "2903.75")) {
            return "3827.32";
        }
        return "3827.39";
    }
    if has(&id("methyl bromide")) || has(&id("bromochloromethane")) {
        return "3827.40";
    }
    if has(&id("HFC-23")) {
        return "3827.51";
    }
    if has(&group("PFC")) {
        return "3827.59";
    }
    if has(&group("HFC")) {
        let hfo = has(&group("HFO"));
        if pct("HFC-143a") >= 15.0 {
            return "3827.61";
        }
        if pct("HFC-125") >= 55.0 && !hfo {
            return "3827.62";
        }
        if pct("HFC-125") >= 40.0 {
            return "3827.63";
        }
        if pct("HFC-134a") >= 30.0 && !hfo {
            return "3827.64";
        }
        if pct("HFC-32") >= 20.0 && pct("HFC-125") >= 20.0 {
            return "3827.65";
        }
        if has(&|s| in_range(s, "2903.41", "2903.48")) {
            return "3827.68";
        }
        return "3827.69";
    }
    "3827.90"
}

impl Reference {
    /// Parses and checks the four data files.
    fn parse(substances: &str, blends: &str, hs: &str, basel: &str) -> Result<Self, String> {
        let hs_codes = Self::parse_hs(hs)?;
        let basel_codes = Self::parse_basel(basel)?;
        let mut all = Self::parse_pure(substances, &hs_codes)?;
        let blends = Self::parse_blends(blends, &all)?;
        all.extend(blends);
        for substance in &all {
            if !hs_codes.iter().any(|hs| hs.code == substance.hs_code) {
                return Err(format!(
                    "{}: HS code {} is not in hs_codes.csv",
                    substance.id, substance.hs_code
                ));
            }
        }

        let mut names: HashMap<String, usize> = HashMap::new();
        for (index, substance) in all.iter().enumerate() {
            let labels = std::iter::once(&substance.id)
                .chain(&substance.aliases)
                .chain(std::iter::once(&substance.chemical_name))
                .chain(&substance.formula);
            for label in labels {
                let key = normalize(label);
                if key.is_empty() {
                    return Err(format!("{}: empty name {label:?}", substance.id));
                }
                if let Some(&other) = names.get(&key)
                    && other != index
                {
                    return Err(format!(
                        "name {label:?} belongs to both {} and {}",
                        all[other].id, substance.id
                    ));
                }
                names.insert(key, index);
            }
        }

        let substance_keys = all
            .iter()
            .map(|s| {
                let names = std::iter::once(s.id.as_str())
                    .chain(s.aliases.iter().map(String::as_str))
                    .chain(s.formula.as_deref())
                    .chain(std::iter::once(s.hs_code.as_str()));
                SearchKeys::new(names, [s.chemical_name.as_str()])
            })
            .collect();
        let hs_keys = hs_codes
            .iter()
            .map(|hs| {
                let note = hs.note.as_deref().unwrap_or("");
                SearchKeys::new(
                    [hs.code.as_str()],
                    [hs.description.as_str(), hs.covers.as_str(), note],
                )
            })
            .collect();
        let basel_keys = basel_codes
            .iter()
            .map(|b| SearchKeys::new([b.code.as_str()], [b.description.as_str()]))
            .collect();

        Ok(Self {
            substances: all,
            names,
            substance_keys,
            hs_codes,
            hs_keys,
            basel_codes,
            basel_keys,
        })
    }

    fn parse_hs(text: &str) -> Result<Vec<HsCode>, String> {
        let mut out: Vec<HsCode> = Vec::new();
        for row in read_rows::<HsRow>("hs_codes.csv", text)? {
            if !is_subheading(&row.code) {
                return Err(format!("hs_codes.csv: code {:?} is not NNNN.NN", row.code));
            }
            if out.iter().any(|hs| hs.code == row.code) {
                return Err(format!("hs_codes.csv: code {} listed twice", row.code));
            }
            if row.description.is_empty() || row.covers.is_empty() || row.source.is_empty() {
                return Err(format!(
                    "hs_codes.csv: {}: description, covers and source are required",
                    row.code
                ));
            }
            out.push(HsCode {
                code: row.code,
                description: row.description,
                covers: row.covers,
                source: row.source,
                note: non_empty(row.note),
            });
        }
        Ok(out)
    }

    fn parse_basel(text: &str) -> Result<Vec<BaselCode>, String> {
        let mut out: Vec<BaselCode> = Vec::new();
        for row in read_rows::<BaselRow>("basel_codes.csv", text)? {
            if !is_basel_code(&row.code) {
                return Err(format!(
                    "basel_codes.csv: code {:?} is not a Basel code",
                    row.code
                ));
            }
            if out.iter().any(|b| b.code == row.code) {
                return Err(format!("basel_codes.csv: code {} listed twice", row.code));
            }
            if !BASEL_LISTS.contains(&row.list.as_str()) {
                return Err(format!(
                    "basel_codes.csv: {}: unknown list {:?}",
                    row.code, row.list
                ));
            }
            if row.description.is_empty() || row.source.is_empty() {
                return Err(format!(
                    "basel_codes.csv: {}: description and source are required",
                    row.code
                ));
            }
            out.push(BaselCode {
                code: row.code,
                list: row.list,
                description: row.description,
                source: row.source,
            });
        }
        Ok(out)
    }

    fn parse_pure(text: &str, hs_codes: &[HsCode]) -> Result<Vec<Substance>, String> {
        let mut out: Vec<Substance> = Vec::new();
        for row in read_rows::<SubstanceRow>("substances.csv", text)? {
            let at = format!("substances.csv: {}", row.id);
            if row.id.is_empty() || out.iter().any(|s| s.id == row.id) {
                return Err(format!("{at}: id empty or listed twice"));
            }
            if !PURE_GROUPS.contains(&row.group.as_str()) {
                return Err(format!("{at}: unknown group {:?}", row.group));
            }
            if row.chemical_name.is_empty() {
                return Err(format!("{at}: chemical_name is required"));
            }
            for (value, name) in [(Some(row.odp), "odp"), (row.gwp, "gwp")] {
                if let Some(value) = value
                    && (!value.is_finite() || value < 0.0)
                {
                    return Err(format!("{at}: {name} {value} must be a number >= 0"));
                }
            }
            let odp_range = match row.odp_range.split_once('-') {
                _ if row.odp_range.is_empty() => None,
                Some((low, high)) => {
                    let (low, high) = (low.trim().parse::<f64>(), high.trim().parse::<f64>());
                    match (low, high) {
                        (Ok(l), Ok(h)) if l <= row.odp && row.odp <= h => Some((l, h)),
                        _ => {
                            return Err(format!(
                                "{at}: odp_range {:?} must be LOW-HIGH around odp {}",
                                row.odp_range, row.odp
                            ));
                        }
                    }
                }
                None => {
                    return Err(format!(
                        "{at}: odp_range {:?} must be LOW-HIGH",
                        row.odp_range
                    ));
                }
            };
            if row.odp_source.is_empty() || row.gwp_source.is_empty() || row.hs_source.is_empty() {
                return Err(format!(
                    "{at}: odp_source, gwp_source and hs_source are required"
                ));
            }
            if !hs_codes.iter().any(|hs| hs.code == row.hs_code) {
                return Err(format!(
                    "{at}: HS code {:?} is not in hs_codes.csv",
                    row.hs_code
                ));
            }
            out.push(Substance {
                id: row.id,
                aliases: split_aliases(&row.aliases),
                chemical_name: row.chemical_name,
                formula: non_empty(row.formula),
                group: row.group,
                kind: SubstanceKind::Pure,
                annex_group: non_empty(row.annex_group),
                odp: row.odp,
                odp_range,
                odp_source: row.odp_source,
                gwp: row.gwp,
                gwp_source: row.gwp_source,
                components: Vec::new(),
                hs_code: row.hs_code,
                hs_source: row.hs_source,
            });
        }
        Ok(out)
    }

    fn parse_blends(text: &str, pure: &[Substance]) -> Result<Vec<Substance>, String> {
        // Group rows by blend id, keeping file order; a blend's rows must be contiguous.
        let mut groups: Vec<Vec<BlendRow>> = Vec::new();
        for row in read_rows::<BlendRow>("blends.csv", text)? {
            match groups.last_mut() {
                Some(group) if group[0].blend_id == row.blend_id => {
                    if !row.aliases.is_empty() || !row.name.is_empty() {
                        return Err(format!(
                            "blends.csv: {}: aliases and name belong on the blend's first row only",
                            row.blend_id
                        ));
                    }
                    group.push(row);
                }
                _ => {
                    if groups.iter().any(|g| g[0].blend_id == row.blend_id) {
                        return Err(format!(
                            "blends.csv: {}: rows of a blend must be contiguous",
                            row.blend_id
                        ));
                    }
                    groups.push(vec![row]);
                }
            }
        }
        groups
            .into_iter()
            .map(|rows| Self::blend(rows, pure))
            .collect()
    }

    /// Builds one blend from its rows, computing ODP, GWP, annex groups and HS subheading.
    fn blend(rows: Vec<BlendRow>, pure: &[Substance]) -> Result<Substance, String> {
        let id = rows[0].blend_id.clone();
        let at = format!("blends.csv: {id}");
        if id.is_empty() || pure.iter().any(|s| s.id == id) {
            return Err(format!("{at}: blend id empty or already a pure substance"));
        }
        if rows[0].name.is_empty() {
            return Err(format!("{at}: name is required on the first row"));
        }
        let mut parts: Vec<(&Substance, f64)> = Vec::new();
        for row in &rows {
            let component = pure
                .iter()
                .find(|s| s.id == row.component_id)
                .ok_or_else(|| format!("{at}: unknown component {:?}", row.component_id))?;
            if component.is_polyol() {
                return Err(format!(
                    "{at}: a pre-blended polyol cannot be a blend component"
                ));
            }
            if parts.iter().any(|(s, _)| s.id == component.id) {
                return Err(format!("{at}: component {} listed twice", component.id));
            }
            if !(row.mass_pct > 0.0 && row.mass_pct <= 100.0) {
                return Err(format!(
                    "{at}: {} mass_pct {} must be in (0, 100]",
                    component.id, row.mass_pct
                ));
            }
            if row.source.is_empty() {
                return Err(format!("{at}: {} source is required", component.id));
            }
            parts.push((component, row.mass_pct));
        }
        let total: f64 = parts.iter().map(|(_, pct)| pct).sum();
        if (total - 100.0).abs() > PCT_TOLERANCE {
            return Err(format!(
                "{at}: component mass percentages sum to {total}, not 100"
            ));
        }

        let odp = parts.iter().map(|(s, pct)| pct / 100.0 * s.odp).sum();
        // Known only if every component's GWP is.
        let gwp = parts
            .iter()
            .map(|(s, pct)| s.gwp.map(|g| pct / 100.0 * g))
            .sum::<Option<f64>>();
        let composition_source = distinct(rows.iter().map(|r| r.source.as_str())).join("; ");
        let weighted = |value: fn(&Substance) -> Option<f64>, name: &str| {
            parts
                .iter()
                .map(|(s, pct)| {
                    format!(
                        "{} % {} ({name} {})",
                        fmt_num(*pct),
                        s.id,
                        value(s).map_or("unknown".to_string(), fmt_num)
                    )
                })
                .collect::<Vec<_>>()
                .join(" + ")
        };
        let odp_source = format!(
            "computed, mass-weighted over components: {}; component ODPs: {}; composition: {composition_source}",
            weighted(|s| Some(s.odp), "ODP"),
            distinct(parts.iter().map(|(s, _)| s.odp_source.as_str())).join("; "),
        );
        let gwp_source = format!(
            "{}, mass-weighted over components: {}; component GWPs: {}; composition: {composition_source}",
            if gwp.is_some() {
                "computed"
            } else {
                "unknown: a component has no published GWP"
            },
            weighted(|s| s.gwp, "GWP"),
            distinct(parts.iter().map(|(s, _)| s.gwp_source.as_str())).join("; "),
        );
        let annex_groups = distinct(parts.iter().filter_map(|(s, _)| s.annex_group.as_deref()));
        let annex_group = (!annex_groups.is_empty()).then(|| annex_groups.join(", "));
        let hs_code = mixture_subheading(&parts).to_owned();
        let components = parts
            .iter()
            .map(|(s, pct)| Component {
                substance_id: s.id.clone(),
                mass_pct: *pct,
            })
            .collect();

        let mut rows = rows.into_iter();
        let first = rows.next().expect("a blend group has at least one row");
        Ok(Substance {
            id,
            aliases: split_aliases(&first.aliases),
            chemical_name: first.name,
            formula: None,
            group: "blend".to_owned(),
            kind: SubstanceKind::Blend,
            annex_group,
            odp,
            odp_range: None,
            odp_source,
            gwp,
            gwp_source,
            components,
            hs_code,
            hs_source:
                "derived from the composition: the first subheading of HS 2022 heading 38.27 \
                        (WCO) whose text the mixture matches, in numerical order"
                    .to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(name: &str) -> &'static Substance {
        substance(name).unwrap_or_else(|| panic!("{name} should resolve"))
    }

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn compiled_in_data_parses() {
        let parsed = Reference::parse(SUBSTANCES_CSV, BLENDS_CSV, HS_CODES_CSV, BASEL_CODES_CSV);
        let parsed = parsed.unwrap_or_else(|e| panic!("{e}"));
        let count =
            |kind: SubstanceKind| parsed.substances.iter().filter(|s| s.kind == kind).count();
        assert_eq!(count(SubstanceKind::Pure), 129);
        assert_eq!(count(SubstanceKind::Blend), 72);
        assert!(parsed.hs_codes.len() >= 50);
        assert!(parsed.basel_codes.len() >= 62);
    }

    /// Every annex group of the Montreal Protocol, with substances the annexes name in it.
    const ANNEX_GROUPS: [(&str, &[&str]); 11] = [
        (
            "A/I",
            &["CFC-11", "CFC-12", "CFC-113", "CFC-114", "CFC-115"],
        ),
        ("A/II", &["Halon-1211", "Halon-1301", "Halon-2402"]),
        (
            "B/I",
            &["CFC-13", "CFC-111", "CFC-112", "CFC-211", "CFC-217"],
        ),
        ("B/II", &["carbon tetrachloride"]),
        ("B/III", &["methyl chloroform"]),
        (
            "C/I",
            &[
                "HCFC-22",
                "HCFC-123",
                "HCFC-124",
                "HCFC-141b",
                "HCFC-142b",
                "HCFC-225ca",
            ],
        ),
        ("C/II", &["HBFC-22B1"]),
        ("C/III", &["bromochloromethane"]),
        ("E/I", &["methyl bromide"]),
        (
            "F/I",
            &[
                "HFC-32",
                "HFC-125",
                "HFC-134a",
                "HFC-143a",
                "HFC-152a",
                "HFC-227ea",
            ],
        ),
        ("F/II", &["HFC-23"]),
    ];

    #[test]
    fn every_annex_group_of_the_protocol_is_shipped() {
        for (group, named) in ANNEX_GROUPS {
            for id in named {
                let s = get(id);
                assert_eq!(s.kind, SubstanceKind::Pure, "{id}");
                assert_eq!(s.annex_group.as_deref(), Some(group), "{id}");
                assert!(s.controlled(), "{id}");
                assert!(s.components.is_empty());
            }
        }
        // Annex C group I lists 34 HCFCs (and isomers); C/II 34 HBFCs; B/I ten CFCs.
        let in_group = |g: &str| {
            substances()
                .iter()
                .filter(|s| s.kind == SubstanceKind::Pure && !s.is_polyol())
                .filter(|s| s.annex_group.as_deref() == Some(g))
                .count()
        };
        assert!(in_group("C/I") >= 34, "{}", in_group("C/I"));
        assert_eq!(in_group("C/II"), 34);
        assert_eq!(in_group("B/I"), 10);
        assert_eq!(in_group("F/I") + in_group("F/II"), 18);
    }

    #[test]
    fn uncontrolled_substitutes_are_marked_so_with_their_gwp() {
        let expected = [
            ("R-1234yf", "HFO-1234yf", 4.0),
            ("R-1234ze(E)", "HFO-1234ze(E)", 7.0),
            ("R-1233zd(E)", "HCFO-1233zd(E)", 4.5),
            ("R-1336mzz(Z)", "HFO-1336mzz(Z)", 9.0),
            ("R-290", "R-290", 3.0),
            ("R-600a", "R-600a", 3.0),
            ("R-1270", "R-1270", 2.0),
            ("R-600", "R-600", 4.0),
            ("R-744", "R-744", 1.0),
            ("R-717", "R-717", 0.0),
        ];
        for (name, id, gwp) in expected {
            let s = get(name);
            assert_eq!(s.id, id, "{name}");
            assert!(!s.controlled(), "{name}");
            assert_eq!(s.annex_group, None, "{name}");
            assert_eq!((s.odp, s.gwp), (0.0, Some(gwp)), "{name}");
            assert!(!s.gwp_source.is_empty(), "{name}");
        }
        assert_eq!(get("R-290").hs_code, "2711.12");
        assert_eq!(get("R-744").hs_code, "2811.21");
        assert_eq!(get("R-717").hs_code, "2814.10");
    }

    #[test]
    fn every_blend_the_issue_lists_resolves_with_a_sourced_composition() {
        let listed = [
            "R-401A", "R-401B", "R-402A", "R-402B", "R-403B", "R-404A", "R-406A", "R-407A",
            "R-407C", "R-407F", "R-408A", "R-409A", "R-410A", "R-413A", "R-417A", "R-421A",
            "R-422A", "R-422D", "R-424A", "R-427A", "R-434A", "R-437A", "R-438A", "R-442A",
            "R-448A", "R-449A", "R-450A", "R-452A", "R-452B", "R-454A", "R-454B", "R-454C",
            "R-455A", "R-500", "R-502", "R-503", "R-507A", "R-508A", "R-508B", "R-513A", "R-514A",
            "R-515B",
        ];
        for id in listed {
            let blend = get(id);
            assert_eq!(blend.id, id);
            assert_eq!(blend.kind, SubstanceKind::Blend, "{id}");
            assert!(blend.components.len() >= 2, "{id}");
            assert!(
                blend.hs_source.contains("derived"),
                "{id}: {}",
                blend.hs_source
            );
            assert!(blend.odp_source.contains("mass-weighted"), "{id}");
            // Spelled the way officers write them too.
            assert_eq!(get(&id.replace('-', "")).id, id);
            assert_eq!(get(&id.to_lowercase()).id, id);
        }
    }

    #[test]
    fn officers_names_find_the_substance_they_mean() {
        let cases = [
            ("R-13", "CFC-13"),
            ("Halon 1301", "Halon-1301"),
            ("H-1301", "Halon-1301"),
            ("propane", "R-290"),
            ("Propane", "R-290"),
            ("isobutane", "R-600a"),
            ("propylene", "R-1270"),
            ("carbon dioxide", "R-744"),
            ("ammonia", "R-717"),
            ("R-1234yf", "HFO-1234yf"),
            ("Opteon XP10", "R-513A"),
            ("MO29", "R-422D"),
            ("Solstice N40", "R-448A"),
            ("pre-blended polyol", "HCFC-141b in pre-blended polyol"),
        ];
        for (name, id) in cases {
            assert_eq!(get(name).id, id, "{name}");
        }
        assert_ne!(get("R-13").id, get("Halon-1301").id);
    }

    #[test]
    fn odp_lies_within_the_range_the_protocol_gives() {
        let ranged: Vec<_> = substances()
            .iter()
            .filter(|s| s.odp_range.is_some())
            .collect();
        assert!(ranged.len() >= 30, "{}", ranged.len());
        for s in ranged {
            let (low, high) = s.odp_range.unwrap();
            assert!(
                low <= s.odp && s.odp <= high,
                "{}: {} not in {low}-{high}",
                s.id,
                s.odp
            );
        }
        assert_eq!(get("HCFC-123").odp_range, Some((0.02, 0.06)));
    }

    #[test]
    fn an_unknown_gwp_stays_unknown() {
        let hbfc = get("HBFC-22B1");
        assert_eq!(hbfc.gwp, None);
        assert_eq!(hbfc.co2e_tonnes(100.0), None);
        assert!(close(hbfc.odp_tonnes(100.0), 0.074, 1e-12));
    }

    #[test]
    fn the_polyol_carries_hcfc_141b_and_cannot_be_a_blend_component() {
        let polyol = get("HCFC-141b in pre-blended polyol");
        assert!(polyol.is_polyol());
        let hcfc = get("HCFC-141b");
        assert_eq!((polyol.odp, polyol.gwp), (hcfc.odp, hcfc.gwp));
        assert_eq!(polyol.annex_group.as_deref(), Some("C/I"));
        assert_eq!(polyol.hs_code, "3907.29");

        let bad = BLENDS_CSV.replace(
            "R-502,,,CFC-115,51.2",
            "R-502,,,HCFC-141b in pre-blended polyol,51.2",
        );
        let err = Reference::parse(SUBSTANCES_CSV, &bad, HS_CODES_CSV, BASEL_CODES_CSV)
            .err()
            .expect("a polyol in a blend must be rejected");
        assert!(err.contains("polyol"), "{err}");
    }

    #[test]
    fn r22_values() {
        let r22 = get("R-22");
        assert_eq!(r22.id, "HCFC-22");
        assert_eq!(r22.odp, 0.055);
        assert_eq!(r22.gwp, Some(1810.0));
        assert_eq!(r22.annex_group.as_deref(), Some("C/I"));
        assert_eq!(r22.hs_code, "2903.71");
        assert_eq!(r22.formula.as_deref(), Some("CHF2Cl"));
    }

    #[test]
    fn spot_check_odp_and_gwp_against_the_annexes() {
        let expected = [
            ("CFC-11", 1.0, 4750.0),
            ("CFC-12", 1.0, 10900.0),
            ("CFC-115", 0.6, 7370.0),
            ("Halon-1301", 10.0, 7140.0),
            ("carbon tetrachloride", 1.1, 1400.0),
            ("methyl chloroform", 0.1, 146.0),
            ("methyl bromide", 0.6, 5.0),
            ("HCFC-141b", 0.11, 725.0),
            ("HFC-23", 0.0, 14800.0),
            ("HFC-134a", 0.0, 1430.0),
        ];
        for (id, odp, gwp) in expected {
            let s = get(id);
            assert_eq!((s.odp, s.gwp), (odp, Some(gwp)), "{id}");
        }
    }

    #[test]
    fn names_resolve_in_the_forms_officers_type() {
        for name in [
            "r22",
            "R 22",
            "R-22",
            "HCFC22",
            "hcfc-22",
            "Chlorodifluoromethane",
            "chlorodifluoromethane",
            "Freon 22",
            "CHClF2",
            "R\u{2011}22",
        ] {
            assert_eq!(get(name).id, "HCFC-22", "{name}");
        }
        assert_eq!(get("r-404a").id, "R-404A");
        assert_eq!(get("R404A").id, "R-404A");
        assert_eq!(get("1,1,1,2-tetrafluoroethane").id, "HFC-134a");
        assert_eq!(get("1,1,1-trichloroethane").id, "methyl chloroform");
        assert_eq!(get("CCl4").id, "carbon tetrachloride");
        assert_eq!(get("H-1301").id, "Halon-1301");
        assert_eq!(get("bromomethane").id, "methyl bromide");
        assert!(substance("").is_none());
        assert!(substance("R-999").is_none());
    }

    #[test]
    fn every_name_resolves_to_exactly_its_own_substance() {
        // Parse rejects a name shared by two substances; this checks the index agrees with the data.
        for s in substances() {
            let names = std::iter::once(&s.id)
                .chain(&s.aliases)
                .chain(std::iter::once(&s.chemical_name))
                .chain(&s.formula);
            for name in names {
                assert_eq!(get(name).id, s.id, "{name:?}");
            }
            let others = substances().iter().filter(|o| o.id != s.id);
            for other in others {
                for alias in &s.aliases {
                    let key = normalize(alias);
                    assert!(
                        !other.aliases.iter().any(|a| normalize(a) == key)
                            && normalize(&other.id) != key,
                        "alias {alias:?} of {} is shared with {}",
                        s.id,
                        other.id
                    );
                }
            }
        }
    }

    #[test]
    fn a_shared_alias_is_rejected() {
        let bad = SUBSTANCES_CSV.replace("R-12|Freon 12", "R-12|Freon 12|R-22");
        let err = Reference::parse(&bad, BLENDS_CSV, HS_CODES_CSV, BASEL_CODES_CSV)
            .err()
            .expect("shared alias must be rejected");
        assert!(err.contains("CFC-12") && err.contains("HCFC-22"), "{err}");
    }

    #[test]
    fn every_value_has_a_source() {
        for s in substances() {
            assert!(!s.odp_source.trim().is_empty(), "{}", s.id);
            assert!(!s.gwp_source.trim().is_empty(), "{}", s.id);
            assert!(!s.hs_source.trim().is_empty(), "{}", s.id);
        }
        for hs in hs_codes() {
            assert!(!hs.source.trim().is_empty(), "{}", hs.code);
        }
        for basel in basel_codes() {
            assert!(!basel.source.trim().is_empty(), "{}", basel.code);
        }
    }

    #[test]
    fn blend_percentages_sum_to_100_and_components_are_known_pure_substances() {
        let blends: Vec<_> = substances()
            .iter()
            .filter(|s| s.kind == SubstanceKind::Blend)
            .collect();
        assert_eq!(blends.len(), 72);
        for blend in blends {
            assert_eq!(blend.group, "blend");
            assert!(blend.formula.is_none());
            let total: f64 = blend.components.iter().map(|c| c.mass_pct).sum();
            assert!(close(total, 100.0, 0.01), "{} sums to {total}", blend.id);
            for component in &blend.components {
                let pure = get(&component.substance_id);
                assert_eq!(pure.id, component.substance_id);
                assert_eq!(pure.kind, SubstanceKind::Pure, "{}", blend.id);
            }
        }
    }

    #[test]
    fn malformed_blends_are_rejected() {
        let short = BLENDS_CSV.replace("R-410A,,,HFC-125,50", "R-410A,,,HFC-125,49");
        let err = Reference::parse(SUBSTANCES_CSV, &short, HS_CODES_CSV, BASEL_CODES_CSV)
            .err()
            .expect("a blend summing to 99 must be rejected");
        assert!(err.contains("R-410A") && err.contains("99"), "{err}");

        let unknown = BLENDS_CSV.replace("R-502,,,CFC-115", "R-502,,,CFC-999");
        let err = Reference::parse(SUBSTANCES_CSV, &unknown, HS_CODES_CSV, BASEL_CODES_CSV)
            .err()
            .expect("an unknown component must be rejected");
        assert!(err.contains("CFC-999"), "{err}");
    }

    #[test]
    fn blend_odp_and_gwp_are_mass_weighted() {
        let r404a = get("R-404A");
        assert!(close(r404a.gwp.unwrap(), 3921.6, 1e-6), "{:?}", r404a.gwp);
        assert!(close(r404a.gwp.unwrap(), 3922.0, 0.5));
        assert_eq!(r404a.odp, 0.0);

        assert!(close(get("R-410A").gwp.unwrap(), 2087.5, 1e-6));

        let r502 = get("R-502");
        assert!(close(r502.odp, 0.33404, 1e-9), "{}", r502.odp);
        assert!(close(r502.gwp.unwrap(), 4656.72, 1e-6), "{:?}", r502.gwp);
        assert_eq!(r502.annex_group.as_deref(), Some("C/I, A/I"));
        assert!(r502.odp_source.contains("mass-weighted"));
        assert!(
            r502.odp_source.contains("48.8 % HCFC-22 (ODP 0.055)"),
            "{}",
            r502.odp_source
        );
        assert!(r502.gwp_source.contains("IPCC AR4"));

        assert_eq!(get("R-407C").annex_group.as_deref(), Some("F/I"));
    }

    /// Figures worked by hand from the published component values (ODP: Montreal Protocol
    /// annexes; GWP: IPCC AR4, and Regulation (EU) No 517/2014 for HFOs and hydrocarbons), set
    /// against the blends' published GWPs.
    #[test]
    fn blends_with_hfo_and_hydrocarbon_components_by_hand() {
        // R-513A: 56 % HFO-1234yf (GWP 4) + 44 % HFC-134a (1430) = 2.24 + 629.2; published 631.
        let r513a = get("R-513A");
        assert!(close(r513a.gwp.unwrap(), 631.44, 1e-9), "{:?}", r513a.gwp);
        assert_eq!(r513a.odp, 0.0);
        assert_eq!(r513a.annex_group.as_deref(), Some("F/I"));
        assert_eq!(r513a.hs_code, "3827.68");

        // R-448A: 26 % HFC-32 (675), 26 % HFC-125 (3500), 20 % HFO-1234yf (4), 21 % HFC-134a
        // (1430), 7 % HFO-1234ze(E) (7) = 175.5 + 910 + 0.8 + 300.3 + 0.49; published 1387.
        let r448a = get("R-448A");
        assert!(close(r448a.gwp.unwrap(), 1387.09, 1e-9), "{:?}", r448a.gwp);
        assert_eq!(r448a.hs_code, "3827.65");

        // R-406A: 55 % HCFC-22 (0.055; 1810), 4 % R-600a (0; 3), 41 % HCFC-142b (0.065; 2310).
        let r406a = get("R-406A");
        assert!(close(r406a.odp, 0.55 * 0.055 + 0.41 * 0.065, 1e-12));
        assert!(close(r406a.odp, 0.0569, 1e-12), "{}", r406a.odp);
        assert!(close(r406a.gwp.unwrap(), 995.5 + 0.12 + 947.1, 1e-9));
        assert_eq!(r406a.annex_group.as_deref(), Some("C/I"));
        assert_eq!(r406a.hs_code, "3827.32");

        // R-422D: 65.1 % HFC-125, 31.5 % HFC-134a, 3.4 % R-600a = 2278.5 + 450.45 + 0.102;
        // published 2729.
        let r422d = get("R-422D");
        assert!(close(r422d.gwp.unwrap(), 2729.052, 1e-9), "{:?}", r422d.gwp);
        assert_eq!(r422d.hs_code, "3827.62");

        // R-514A: HFO-1336mzz(Z) and trans-dichloroethylene, neither controlled: no annex group,
        // and not a mixture of halogenated methanes, ethanes or propanes.
        let r514a = get("R-514A");
        assert!(!r514a.controlled());
        assert_eq!(r514a.hs_code, "3824.99");

        // R-436A: 56 % R-290 (GWP 3) and 44 % R-600a (3); hydrocarbons only, heading 27.11.
        let r436a = get("R-436A");
        assert!(close(r436a.gwp.unwrap(), 3.0, 1e-9));
        assert!(!r436a.controlled());
        assert_eq!(r436a.hs_code, "2711.19");
        assert_eq!(get("R-433A").hs_code, "2711.19");
    }

    #[test]
    fn worked_example_seizure_of_r22() {
        let net_kg = 1139.0 * 13.6;
        assert!(close(net_kg, 15_490.4, 1e-6));
        let r22 = get("R-22");
        let odp_t = r22.odp_tonnes(net_kg);
        assert_eq!(format!("{odp_t:.3}"), "0.852");
        let co2e_t = r22.co2e_tonnes(net_kg);
        assert_eq!(co2e_t.unwrap().round(), 28_038.0);
    }

    #[test]
    fn blend_hs_codes_follow_heading_3827() {
        assert_eq!(get("R-404A").hs_code, "3827.61");
        assert_eq!(get("R-507A").hs_code, "3827.61");
        assert_eq!(get("R-410A").hs_code, "3827.63");
        assert_eq!(get("R-407C").hs_code, "3827.64");
        assert_eq!(get("R-502").hs_code, "3827.11");
    }

    #[test]
    fn mixture_rules_in_subheading_order() {
        let mix = |parts: &[(&str, f64)]| {
            let parts: Vec<(&Substance, f64)> =
                parts.iter().map(|(id, pct)| (get(id), *pct)).collect();
            mixture_subheading(&parts)
        };
        assert_eq!(
            mix(&[("Halon-1211", 50.0), ("Halon-1301", 50.0)]),
            "3827.20"
        );
        assert_eq!(mix(&[("CFC-12", 10.0), ("Halon-1211", 90.0)]), "3827.11");
        assert_eq!(
            mix(&[("carbon tetrachloride", 50.0), ("HCFC-22", 50.0)]),
            "3827.13"
        );
        assert_eq!(mix(&[("methyl chloroform", 100.0)]), "3827.14");
        assert_eq!(mix(&[("HCFC-22", 60.0), ("HFC-125", 40.0)]), "3827.31");
        assert_eq!(mix(&[("HCFC-22", 60.0), ("HCFC-142b", 40.0)]), "3827.32");
        assert_eq!(mix(&[("HCFC-124", 100.0)]), "3827.39");
        assert_eq!(
            mix(&[("methyl bromide", 98.0), ("HFC-134a", 2.0)]),
            "3827.40"
        );
        assert_eq!(mix(&[("HFC-23", 40.0), ("HFC-143a", 60.0)]), "3827.51");
        assert_eq!(mix(&[("HFC-125", 60.0), ("HFC-134a", 40.0)]), "3827.62");
        assert_eq!(
            mix(&[("HFC-32", 25.0), ("HFC-125", 25.0), ("HFC-152a", 50.0)]),
            "3827.65"
        );
        assert_eq!(mix(&[("HFC-152a", 50.0), ("HFC-227ea", 50.0)]), "3827.68");
    }

    #[test]
    fn every_substance_hs_code_is_in_the_table() {
        for s in substances() {
            let hs = hs_code(&s.hs_code).unwrap_or_else(|| panic!("{}: {}", s.id, s.hs_code));
            assert_eq!(hs.code, s.hs_code);
        }
    }

    #[test]
    fn hs_code_accepts_national_digits_and_separators() {
        assert_eq!(hs_code("2903.71").unwrap().code, "2903.71");
        assert_eq!(hs_code("290371").unwrap().code, "2903.71");
        assert_eq!(hs_code("2903.71.00").unwrap().code, "2903.71");
        assert_eq!(hs_code(" 3827 61 00 10 ").unwrap().code, "3827.61");
        assert!(hs_code("2903").is_none());
        assert!(hs_code("2903.7x").is_none());
        assert!(hs_code("0101.21").is_none());
    }

    #[test]
    fn hs_consistency_compares_six_digits() {
        let r22 = get("HCFC-22");
        assert_eq!(hs_consistent(r22, "2903.71.00"), Some(true));
        assert_eq!(hs_consistent(r22, "290371"), Some(true));
        assert_eq!(hs_consistent(r22, "2903.72"), Some(false));
        assert_eq!(hs_consistent(r22, "3827.61"), Some(false));
        assert_eq!(hs_consistent(r22, "29"), None);
        assert_eq!(hs_consistent(r22, "2903.7"), None);
        assert_eq!(hs_consistent(get("R-404A"), "3827.61.10"), Some(true));
    }

    #[test]
    fn basel_codes_are_complete_and_case_insensitive() {
        for n in 1..=48 {
            let code = format!("Y{n}");
            let entry = basel_code(&code).unwrap_or_else(|| panic!("{code} missing"));
            let list = if n <= 45 {
                "Annex I (Y)"
            } else {
                "Annex II (Y)"
            };
            assert_eq!(entry.list, list, "{code}");
        }
        assert_eq!(basel_code("y48").unwrap().code, "Y48");
        assert_eq!(basel_code(" a3210 ").unwrap().list, "Annex VIII (List A)");
        for code in [
            "A1010", "A1160", "A1170", "A1180", "A1190", "A2050", "A3210", "A4030", "B1010",
            "B1110", "B3011", "B3020", "B3140",
        ] {
            assert!(basel_code(code).is_some(), "{code} missing");
        }
        assert!(basel_code("B3011").unwrap().list.contains("List B"));
        assert!(basel_code("A1180").unwrap().description.contains("DELETED"));
        assert!(basel_code("Y50").is_none());
    }

    #[test]
    fn lookup_puts_exact_matches_first_and_is_deterministic() {
        let hits = lookup("R-22");
        assert!(matches!(hits.first(), Some(ReferenceHit::Substance(s)) if s.id == "HCFC-22"));

        let hits = lookup("2903.71");
        assert!(matches!(hits[0], ReferenceHit::Hs(hs) if hs.code == "2903.71"));
        assert!(
            hits.iter()
                .any(|h| matches!(h, ReferenceHit::Substance(s) if s.id == "HCFC-22"))
        );

        let hits = lookup("y48");
        assert!(matches!(hits[0], ReferenceHit::Basel(b) if b.code == "Y48"));

        let plastic = lookup("plastic");
        for code in ["Y48", "A3210", "B3011"] {
            assert!(
                plastic
                    .iter()
                    .any(|h| matches!(h, ReferenceHit::Basel(b) if b.code == code)),
                "{code}"
            );
        }
        assert_eq!(plastic, lookup("plastic"));

        let hfc125 = lookup("HFC-125");
        assert!(matches!(hfc125[0], ReferenceHit::Substance(s) if s.id == "HFC-125"));
        for blend in ["R-404A", "R-410A"] {
            assert!(
                hfc125
                    .iter()
                    .any(|h| matches!(h, ReferenceHit::Substance(s) if s.id == blend)),
                "{blend}"
            );
        }
        let mut seen = Vec::new();
        for hit in &hfc125 {
            assert!(
                !seen.iter().any(|s| same_hit(s, hit)),
                "duplicate hit {hit:?}"
            );
            seen.push(*hit);
        }

        // Free text is matched word-wise: "or 225" in 3827.32 must not match "r22".
        assert!(
            !lookup("R-22")
                .iter()
                .any(|h| matches!(h, ReferenceHit::Hs(hs) if hs.code == "3827.32"))
        );
        let bromide = lookup("methyl bromide");
        assert!(matches!(bromide[0], ReferenceHit::Substance(s) if s.id == "methyl bromide"));
        for code in ["2903.61", "3827.40"] {
            assert!(
                bromide
                    .iter()
                    .any(|h| matches!(h, ReferenceHit::Hs(hs) if hs.code == code)),
                "{code}"
            );
        }
        // An HS 2017 code finds its HS 2022 successors through the notes.
        assert!(
            lookup("3824.78")
                .iter()
                .any(|h| matches!(h, ReferenceHit::Hs(hs) if hs.code == "3827.61"))
        );

        assert!(lookup("").is_empty());
        assert!(lookup(" - ").is_empty());
        assert!(lookup("no such thing anywhere").is_empty());
    }
}
