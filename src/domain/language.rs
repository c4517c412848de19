//! The languages respondents can read Tandem in. Closed, so that a roster or a partnership can
//! only name a language every shipped template and the message catalog actually speak.

use std::fmt;
use std::str::FromStr;

/// A language of the respondent pages, the mails and the shipped templates. English is the
/// language templates are written in and the last fallback.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Fr,
    De,
    Es,
}

impl Language {
    pub const ALL: [Language; 4] = [Language::En, Language::Fr, Language::De, Language::Es];

    /// The ISO 639-1 code, as written in rosters, templates and `lang` attributes.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Fr => "fr",
            Language::De => "de",
            Language::Es => "es",
        }
    }

    /// The codes accepted, for error messages: "en, fr, de, es".
    pub fn known_codes() -> String {
        Language::ALL.map(Language::code).join(", ")
    }

    /// The language a respondent reads: their own, else the partnership's default (which is
    /// English unless set).
    pub fn for_respondent(own: Option<Language>, partnership_default: Language) -> Language {
        own.unwrap_or(partnership_default)
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Language {
    type Err = String;

    /// Accepts a known code, trimmed, in any case.
    fn from_str(raw: &str) -> Result<Self, String> {
        let wanted = raw.trim().to_ascii_lowercase();
        Language::ALL
            .into_iter()
            .find(|language| language.code() == wanted)
            .ok_or_else(|| {
                format!(
                    "language {:?} is not offered (known: {})",
                    raw.trim(),
                    Language::known_codes()
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_back_to_their_language_in_any_case() {
        for language in Language::ALL {
            assert_eq!(language.code().parse::<Language>(), Ok(language));
            assert_eq!(
                format!(" {} ", language.code().to_uppercase()).parse::<Language>(),
                Ok(language)
            );
        }
    }

    #[test]
    fn an_unknown_code_names_the_known_ones() {
        assert_eq!(
            "it".parse::<Language>(),
            Err("language \"it\" is not offered (known: en, fr, de, es)".to_owned())
        );
    }

    #[test]
    fn a_respondent_without_a_language_reads_the_partnership_default() {
        assert_eq!(Language::for_respondent(None, Language::De), Language::De);
        assert_eq!(
            Language::for_respondent(Some(Language::Fr), Language::De),
            Language::Fr
        );
    }
}
