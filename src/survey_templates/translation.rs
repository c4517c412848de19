//! A template in other languages: the `[translations.<code>]` tables as parsed, and the
//! template as a respondent reading one of them sees it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{SurveyTemplate, Wording};
use crate::domain::Language;

impl SurveyTemplate {
    /// English and every language the template is translated into, in the order of
    /// [`Language::ALL`].
    pub fn languages(&self) -> Vec<Language> {
        std::iter::once(Language::En)
            .chain(self.translations.iter().map(|t| t.language))
            .collect()
    }

    pub fn translation(&self, language: Language) -> Option<&Translation> {
        self.translations.iter().find(|t| t.language == language)
    }

    /// The template as respondents reading `language` see it: the same ids, version and body,
    /// every text a respondent reads taken from the translation. A language the template is
    /// not translated into (a custom template, or a body stored before translations) gives
    /// the English text, and says so (`false`).
    pub fn localized(&self, language: Language) -> (SurveyTemplate, bool) {
        let Some(translation) = self.translation(language) else {
            return (self.clone(), language == Language::En);
        };
        let mut localized = self.clone();
        localized.title = translation.title.clone();
        localized.description = translation.description.clone();
        localized
            .scale
            .relabel(&translation.scale_labels, &translation.dont_know);
        for dimension in &mut localized.dimensions {
            if let Some((name, description)) = translation.dimensions.get(&dimension.id) {
                dimension.name = name.clone();
                dimension.description = description.clone();
            }
        }
        for item in &mut localized.items {
            if let Some(wording) = translation.items.get(&item.id) {
                item.wording = wording.clone();
            }
        }
        for question in &mut localized.open_questions {
            if let Some(wording) = translation.open_questions.get(&question.id) {
                question.wording = wording.clone();
            }
        }
        (localized, true)
    }
}

/// One `[translations.<code>]` table: every text a respondent reads, keyed by the ids of the
/// English text. The parser guarantees it covers every id and names no other, and that its
/// scale has as many labels as the English one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Translation {
    pub(super) language: Language,
    pub(super) title: String,
    pub(super) description: String,
    pub(super) scale_labels: Vec<String>,
    pub(super) dont_know: String,
    /// Dimension id → (name, description).
    pub(super) dimensions: BTreeMap<String, (String, String)>,
    pub(super) items: BTreeMap<String, Wording>,
    pub(super) open_questions: BTreeMap<String, Wording>,
}

impl Translation {
    pub fn language(&self) -> Language {
        self.language
    }
}
