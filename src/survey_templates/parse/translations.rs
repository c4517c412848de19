//! The `[translations.<code>]` tables: the same template in another language, keyed by the ids
//! the English text declares. A translation must cover everything a respondent reads (scale
//! labels and don't-know, every dimension, item and open question) and name nothing the
//! template does not declare, so that a respondent never meets a half-translated form and a
//! renamed item is never left behind in one language.

use std::collections::BTreeMap;

use super::*;
use crate::domain::Language;
use crate::survey_templates::error::singular;

const TRANSLATION_KEYS: &[&str] = &[
    "title",
    "description",
    "scale",
    "dimensions",
    "items",
    "open_questions",
];
const TRANSLATED_SCALE_KEYS: &[&str] = &["labels", "dont_know"];
const TRANSLATED_DIMENSION_KEYS: &[&str] = &["name", "description"];
const TRANSLATED_WORDING_KEYS: &[&str] = &["customer", "supplier"];

/// What the English text declares, as the translations are checked against it.
pub(super) struct English<'a> {
    /// How many points the scale has.
    pub(super) scale_points: Option<usize>,
    pub(super) has_description: bool,
    /// Dimension id → whether it has a description.
    pub(super) dimensions: Vec<(&'a str, bool)>,
    pub(super) items: Vec<(&'a str, Option<&'a Wording>)>,
    pub(super) open_questions: Vec<(&'a str, Option<&'a Wording>)>,
}

impl Reader<'_> {
    /// Every `[translations.<code>]` table, in the order of [`Language::ALL`]; `None` when one has a problem.
    pub(super) fn translations(
        &mut self,
        root: &DeTable<'_>,
        english: &English<'_>,
    ) -> Option<Vec<Translation>> {
        let Some((table, _)) = self.table(root, "translations", &Subject::Template) else {
            return Some(Vec::new());
        };
        let mut translations = Vec::new();
        let mut sound = true;
        for (key, value) in table.iter() {
            let code = key.get_ref().to_string();
            let subject = Subject::Translation {
                language: code.clone(),
                part: None,
            };
            let language = match code.parse::<Language>() {
                Ok(Language::En) => {
                    self.report(Some(&key.span()), &subject, ProblemKind::EnglishTranslation);
                    None
                }
                Ok(language) => Some(language),
                Err(_) => {
                    self.report(
                        Some(&key.span()),
                        &subject,
                        ProblemKind::UnknownLanguage(code.clone()),
                    );
                    None
                }
            };
            let DeValue::Table(body) = value.get_ref() else {
                self.wrong_type(&value.span(), &subject, &code, "a table", value.get_ref());
                sound = false;
                continue;
            };
            // Where a missing key is reported: the table's header when it has one, else the
            // language's key in a dotted header.
            let at = if value.span().is_empty() {
                key.span()
            } else {
                value.span()
            };
            let translation = self.translation(body, &at, &code, english);
            match (language, translation) {
                (Some(language), Some(parts)) => {
                    translations.push(parts.into_translation(language))
                }
                _ => sound = false,
            }
        }
        translations.sort_by_key(|translation| translation.language);
        sound.then_some(translations)
    }

    fn translation(
        &mut self,
        table: &DeTable<'_>,
        at: &Span,
        code: &str,
        english: &English<'_>,
    ) -> Option<TranslationParts> {
        let subject = |part: Option<String>| Subject::Translation {
            language: code.to_owned(),
            part,
        };
        let whole = subject(None);
        self.unknown_keys(table, TRANSLATION_KEYS, &whole);
        let title = self.required_string(table, Some(at), "title", &whole);
        let description = if english.has_description {
            self.required_string(table, Some(at), "description", &whole)
                .map(|(text, _)| text)
        } else {
            Some(
                self.optional_string(table, "description", &whole)
                    .unwrap_or_default(),
            )
        };

        let scale_subject = subject(Some("scale".to_owned()));
        let scale = match self.section(table, at, "scale", &scale_subject) {
            Some((scale, scale_at)) => {
                self.unknown_keys(scale, TRANSLATED_SCALE_KEYS, &scale_subject);
                let labels = self.translated_labels(scale, &scale_at, &scale_subject, english);
                let dont_know = self
                    .required_string(scale, Some(&scale_at), "dont_know", &scale_subject)
                    .map(|(text, _)| text);
                labels.zip(dont_know)
            }
            None => None,
        };

        let dimension_ids: Vec<&str> = english.dimensions.iter().map(|(id, _)| *id).collect();
        let dimensions = self.keyed(
            table,
            at,
            code,
            "dimensions",
            &dimension_ids,
            |reader, entry, entry_at, subject, id| {
                reader.unknown_keys(entry, TRANSLATED_DIMENSION_KEYS, subject);
                let name = reader.required_string(entry, Some(entry_at), "name", subject);
                let has_description = english
                    .dimensions
                    .iter()
                    .any(|(declared, described)| *declared == id && *described);
                let description = if has_description {
                    reader
                        .required_string(entry, Some(entry_at), "description", subject)
                        .map(|(text, _)| text)
                } else {
                    Some(
                        reader
                            .optional_string(entry, "description", subject)
                            .unwrap_or_default(),
                    )
                };
                Some((name?.0, description?))
            },
        );

        let item_ids: Vec<&str> = english.items.iter().map(|(id, _)| *id).collect();
        let items = self.keyed(
            table,
            at,
            code,
            "items",
            &item_ids,
            |reader, entry, entry_at, subject, id| {
                let original = english.items.iter().find(|(declared, _)| *declared == id);
                reader.translated_wording(entry, entry_at, subject, original.and_then(|(_, w)| *w))
            },
        );
        let question_ids: Vec<&str> = english.open_questions.iter().map(|(id, _)| *id).collect();
        let open_questions =
            if english.open_questions.is_empty() && table.get("open_questions").is_none() {
                Some(BTreeMap::new())
            } else {
                self.keyed(
                    table,
                    at,
                    code,
                    "open_questions",
                    &question_ids,
                    |reader, entry, entry_at, subject, id| {
                        let original = english
                            .open_questions
                            .iter()
                            .find(|(declared, _)| *declared == id);
                        reader.translated_wording(
                            entry,
                            entry_at,
                            subject,
                            original.and_then(|(_, w)| *w),
                        )
                    },
                )
            };

        let (scale_labels, dont_know) = scale?;
        Some(TranslationParts {
            title: title?.0,
            description: description?,
            scale_labels,
            dont_know,
            dimensions: dimensions?,
            items: items?,
            open_questions: open_questions?,
        })
    }

    /// A required sub-table of a translation; its absence is reported at the translation.
    fn section<'a, 'i>(
        &mut self,
        table: &'a DeTable<'i>,
        at: &Span,
        key: &'static str,
        subject: &Subject,
    ) -> Option<(&'a DeTable<'i>, Span)> {
        if table.get(key).is_none() {
            self.report(Some(at), subject, ProblemKind::MissingKey(key));
            return None;
        }
        let (found, span) = self.table(table, key, subject)?;
        let span = if span.is_empty() { at.clone() } else { span };
        Some((found, span))
    }

    /// A table keyed by the ids of one section (`items`, `dimensions`, `open_questions`):
    /// every declared id once, no other.
    #[allow(clippy::type_complexity)]
    fn keyed<T>(
        &mut self,
        table: &DeTable<'_>,
        at: &Span,
        code: &str,
        section: &'static str,
        declared: &[&str],
        mut read: impl FnMut(&mut Self, &DeTable<'_>, &Span, &Subject, &str) -> Option<T>,
    ) -> Option<BTreeMap<String, T>> {
        let whole = Subject::Translation {
            language: code.to_owned(),
            part: Some(section.to_owned()),
        };
        let (entries, entries_at) = self.section(table, at, section, &whole)?;
        let mut found = BTreeMap::new();
        let mut sound = true;
        for (key, value) in entries.iter() {
            let id = key.get_ref().to_string();
            let subject = Subject::Translation {
                language: code.to_owned(),
                part: Some(format!("{} \"{id}\"", singular(section))),
            };
            if !declared.contains(&id.as_str()) {
                self.report(
                    Some(&key.span()),
                    &subject,
                    ProblemKind::TranslationUnknownEntry {
                        section,
                        id,
                        declared: declared.iter().map(|id| (*id).to_owned()).collect(),
                    },
                );
                sound = false;
                continue;
            }
            let DeValue::Table(entry) = value.get_ref() else {
                self.wrong_type(&value.span(), &subject, &id, "a table", value.get_ref());
                sound = false;
                continue;
            };
            let entry_at = if value.span().is_empty() {
                key.span()
            } else {
                value.span()
            };
            match read(self, entry, &entry_at, &subject, &id) {
                Some(text) => {
                    found.insert(id, text);
                }
                None => sound = false,
            }
        }
        for id in declared {
            if !entries.contains_key(*id) {
                self.report(
                    Some(&entries_at),
                    &whole,
                    ProblemKind::TranslationMissingEntry {
                        section,
                        id: (*id).to_owned(),
                    },
                );
                sound = false;
            }
        }
        sound.then_some(found)
    }

    fn translated_labels(
        &mut self,
        table: &DeTable<'_>,
        at: &Span,
        subject: &Subject,
        english: &English<'_>,
    ) -> Option<Vec<String>> {
        let Some(value) = table.get("labels") else {
            self.report(Some(at), subject, ProblemKind::MissingKey("labels"));
            return None;
        };
        let DeValue::Array(array) = value.get_ref() else {
            self.wrong_type(
                &value.span(),
                subject,
                "labels",
                "an array of strings",
                value.get_ref(),
            );
            return None;
        };
        let mut sound = true;
        if let Some(expected) = english.scale_points {
            if array.len() != expected {
                self.report(
                    Some(&value.span()),
                    subject,
                    ProblemKind::TranslationLabelCount {
                        expected,
                        found: array.len(),
                    },
                );
                sound = false;
            }
        }
        let mut labels: Vec<String> = Vec::with_capacity(array.len());
        for (index, label) in array.iter().enumerate() {
            let point = index + 1;
            let DeValue::String(text) = label.get_ref() else {
                self.wrong_type(
                    &label.span(),
                    subject,
                    &format!("labels[{point}]"),
                    "a string",
                    label.get_ref(),
                );
                sound = false;
                continue;
            };
            let text = text.trim();
            if text.is_empty() {
                self.report(
                    Some(&label.span()),
                    subject,
                    ProblemKind::BlankScaleLabel(point),
                );
                sound = false;
                continue;
            }
            if let Some(first) = labels.iter().position(|other| other == text) {
                self.report(
                    Some(&label.span()),
                    subject,
                    ProblemKind::RepeatedScaleLabel {
                        point,
                        first: first + 1,
                        label: text.to_owned(),
                    },
                );
                sound = false;
                continue;
            }
            labels.push(text.to_owned());
        }
        sound.then_some(labels)
    }

    /// Both sides' wording, each checked like the English one, and keeping `{partner}` where
    /// the English has it (a translation that drops it would ask about nobody).
    fn translated_wording(
        &mut self,
        table: &DeTable<'_>,
        at: &Span,
        subject: &Subject,
        original: Option<&Wording>,
    ) -> Option<Wording> {
        self.unknown_keys(table, TRANSLATED_WORDING_KEYS, subject);
        let [customer, supplier] = TemplateSide::BOTH.map(|side| {
            let text = self.side_wording(table, at, subject, side)?;
            let names_partner =
                original.is_some_and(|w| w.text(side).contains(PARTNER_PLACEHOLDER));
            if names_partner && !text.contains(PARTNER_PLACEHOLDER) {
                let value_at = table.get(side.key()).map(|value| value.span());
                self.report(
                    value_at.as_ref(),
                    subject,
                    ProblemKind::TranslationDropsPartner { side },
                );
                return None;
            }
            Some(text)
        });
        Some(Wording {
            customer: customer?,
            supplier: supplier?,
        })
    }
}

struct TranslationParts {
    title: String,
    description: String,
    scale_labels: Vec<String>,
    dont_know: String,
    dimensions: BTreeMap<String, (String, String)>,
    items: BTreeMap<String, Wording>,
    open_questions: BTreeMap<String, Wording>,
}

impl TranslationParts {
    fn into_translation(self, language: Language) -> Translation {
        Translation {
            language,
            title: self.title,
            description: self.description,
            scale_labels: self.scale_labels,
            dont_know: self.dont_know,
            dimensions: self.dimensions,
            items: self.items,
            open_questions: self.open_questions,
        }
    }
}
