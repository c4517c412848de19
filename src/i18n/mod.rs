//! The message catalog: every sentence of the respondent pages and mails, in each offered
//! [`Language`], as Fluent files (`src/i18n/locales/<code>.ftl`) compiled into the binary.
//!
//! English is the reference: every other file must hold exactly its keys (a unit test checks),
//! so a lookup falls back to English only for a key a translator has not reached yet, which the
//! tests forbid. Values are plain text: escaping is the page's job, as for template wordings.
//!
//! What this module must never do: read locale files from the working directory at run time,
//! reach the database or the web, or return markup.

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::LazyLock;

use chrono::{DateTime, Datelike, NaiveDateTime};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::domain::Language;

/// The source of each language's catalog, English first.
const SOURCES: [(Language, &str); 4] = [
    (Language::En, include_str!("locales/en.ftl")),
    (Language::Fr, include_str!("locales/fr.ftl")),
    (Language::De, include_str!("locales/de.ftl")),
    (Language::Es, include_str!("locales/es.ftl")),
];

/// The managers' pages, English only so far: added to the English bundle, outside the
/// key-parity rule of the respondent files until they are translated.
const MANAGER_EN: &str = include_str!("locales/manager-en.ftl");

type Bundle = FluentBundle<FluentResource>;

/// Built once: the sources are part of the binary, so a broken file is a bug that the unit
/// tests catch, not a configuration a running service could meet.
static BUNDLES: LazyLock<HashMap<Language, Bundle>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|(language, source)| {
            let mut bundle = bundle(*language, source);
            if *language == Language::En {
                add(&mut bundle, *language, MANAGER_EN);
            }
            (*language, bundle)
        })
        .collect()
});

fn bundle(language: Language, source: &str) -> Bundle {
    let id = language
        .code()
        .parse()
        .unwrap_or_else(|e| panic!("{language} is not a language identifier: {e}"));
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Direction marks around arguments would end up in subjects and plain-text mail.
    bundle.set_use_isolating(false);
    add(&mut bundle, language, source);
    bundle
}

fn add(bundle: &mut Bundle, language: Language, source: &str) {
    let resource = FluentResource::try_new(source.to_owned())
        .unwrap_or_else(|(_, errors)| panic!("a {language} catalog does not parse: {errors:?}"));
    bundle
        .add_resource(resource)
        .unwrap_or_else(|errors| panic!("a {language} catalog: {errors:?}"));
}

/// An English message of the managers' pages: `{{ crate::i18n::en("login-title") }}`.
pub fn en(id: &str) -> String {
    text(Language::En, id, &[])
}

/// [`en`] for a message without arguments named by a `&'static str` key, as a `&'static
/// str`: for the words of a closed set of values (a band, a reason), which reports carry as
/// `&'static str`. Each key's words are made once and kept for the life of the process, so
/// pass only keys written in the code, never one made at run time.
pub fn en_static(id: &'static str) -> &'static str {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};
    static WORDS: LazyLock<Mutex<HashMap<&'static str, &'static str>>> =
        LazyLock::new(Mutex::default);
    let mut words = WORDS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    words
        .entry(id)
        .or_insert_with(|| Box::leak(en(id).into_boxed_str()))
}

/// For unit tests of the words that come with the data: the managers' English of `key`,
/// failing when the catalog lacks it (a missing message comes back as its key) or it is empty.
#[cfg(test)]
pub(crate) fn en_present(key: &str) -> String {
    let words = en(key);
    assert!(
        !words.trim().is_empty() && words != key,
        "{key} is missing from manager-en.ftl (got {words:?})"
    );
    words
}

/// [`en`] with one argument.
pub fn en1(id: &str, key: &str, value: impl Display) -> String {
    text(Language::En, id, &[(key, &value)])
}

/// [`en`] with two arguments.
pub fn en2(id: &str, k1: &str, v1: impl Display, k2: &str, v2: impl Display) -> String {
    text(Language::En, id, &[(k1, &v1), (k2, &v2)])
}

/// [`en`] with three arguments.
pub fn en3(
    id: &str,
    k1: &str,
    v1: impl Display,
    k2: &str,
    v2: impl Display,
    k3: &str,
    v3: impl Display,
) -> String {
    text(Language::En, id, &[(k1, &v1), (k2, &v2), (k3, &v3)])
}

/// [`en`] with any number of arguments.
pub fn en_with(id: &str, args: &[(&str, &dyn Display)]) -> String {
    text(Language::En, id, args)
}

/// One message in one language, its `{ $name }` arguments filled in. A value that reads as a
/// whole number is passed as a number, so that plural forms (`[one]`, `*[other]`) select on it.
pub fn text(language: Language, id: &str, args: &[(&str, &dyn Display)]) -> String {
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        let value = value.to_string();
        // Only a value that reads back the same ("7", not "007" or "+7") is a number: a name
        // or title made of digits stays as written. Fluent holds numbers as f64, so one
        // beyond 2^53 stays text rather than be written rounded.
        match value.parse::<i64>() {
            Ok(number) if number.to_string() == value && number.unsigned_abs() <= 1 << 53 => {
                fluent_args.set(*name, FluentValue::from(number))
            }
            _ => fluent_args.set(*name, FluentValue::from(value)),
        }
    }
    [language, Language::En]
        .into_iter()
        .find_map(|language| format(language, id, &fluent_args))
        .unwrap_or_else(|| {
            tracing::error!(id, "message missing from the English catalog");
            id.to_owned()
        })
}

fn format(language: Language, id: &str, args: &FluentArgs<'_>) -> Option<String> {
    let bundle = BUNDLES.get(&language)?;
    let pattern = bundle.get_message(id)?.value()?;
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(args), &mut errors);
    if !errors.is_empty() {
        tracing::error!(id, %language, ?errors, "message formatted with errors");
    }
    Some(text.into_owned())
}

/// Message lookups for one language, for templates: `{{ tr.t("form-send") }}`,
/// `{{ tr.t1("form-title", "partner", partner_firm) }}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr {
    language: Language,
}

impl Tr {
    pub fn new(language: Language) -> Tr {
        Tr { language }
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// The `lang` attribute and Content-Language value.
    pub fn code(&self) -> &'static str {
        self.language.code()
    }

    pub fn t(&self, id: &str) -> String {
        text(self.language, id, &[])
    }

    pub fn t1(&self, id: &str, k1: &str, v1: impl Display) -> String {
        text(self.language, id, &[(k1, &v1)])
    }

    pub fn t2(&self, id: &str, k1: &str, v1: impl Display, k2: &str, v2: impl Display) -> String {
        text(self.language, id, &[(k1, &v1), (k2, &v2)])
    }

    #[allow(clippy::too_many_arguments)]
    pub fn t3(
        &self,
        id: &str,
        k1: &str,
        v1: impl Display,
        k2: &str,
        v2: impl Display,
        k3: &str,
        v3: impl Display,
    ) -> String {
        text(self.language, id, &[(k1, &v1), (k2, &v2), (k3, &v3)])
    }

    #[allow(clippy::too_many_arguments)]
    pub fn t4(
        &self,
        id: &str,
        k1: &str,
        v1: impl Display,
        k2: &str,
        v2: impl Display,
        k3: &str,
        v3: impl Display,
        k4: &str,
        v4: impl Display,
    ) -> String {
        text(
            self.language,
            id,
            &[(k1, &v1), (k2, &v2), (k3, &v3), (k4, &v4)],
        )
    }
}

/// How a moment is written: in a mail ("Friday 4 December 2026 at 17:00 CET") or on a page
/// ("Friday 4 December 2026, 17:00 (Europe/Paris)").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateStyle {
    Mail,
    Page,
}

/// A stored UTC moment as people in `tz` read it, in `language`.
pub fn local_time(
    language: Language,
    at_utc: NaiveDateTime,
    tz: chrono_tz::Tz,
    style: DateStyle,
) -> String {
    let local: DateTime<chrono_tz::Tz> = at_utc.and_utc().with_timezone(&tz);
    let weekday = text(
        language,
        &format!("weekday-{}", local.weekday().number_from_monday()),
        &[],
    );
    let month = text(language, &format!("month-{}", local.month()), &[]);
    let (id, zone) = match style {
        DateStyle::Mail => ("deadline-mail", local.format("%Z").to_string()),
        DateStyle::Page => ("deadline-page", tz.name().to_owned()),
    };
    let day = local.day();
    let year = local.year();
    let time = local.format("%H:%M").to_string();
    text(
        language,
        id,
        &[
            ("weekday", &weekday),
            ("day", &day),
            ("month", &month),
            ("year", &year),
            ("time", &time),
            ("zone", &zone),
        ],
    )
}

/// A day as the managers' pages and mails write it ("4 December 2026"): the month's name is
/// the catalog's (`month-1` … `month-12`), the order the managers' `date-day-month-year`.
pub fn en_date(date: impl Datelike) -> String {
    let month = text(Language::En, &format!("month-{}", date.month()), &[]);
    let (day, year) = (date.day(), date.year());
    text(
        Language::En,
        "date-day-month-year",
        &[("day", &day), ("month", &month), ("year", &year)],
    )
}

/// Picks the best offered language from an `Accept-Language` header (RFC 9110 §12.5.4): the
/// highest-weighted tag whose primary subtag is offered; `None` when none is.
pub fn negotiate(accept_language: &str) -> Option<Language> {
    let mut best: Option<(f32, Language)> = None;
    for range in accept_language.split(',') {
        let mut parts = range.split(';');
        let tag = parts.next().unwrap_or("").trim();
        let weight = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or("");
        let Ok(language) = primary.parse::<Language>() else {
            continue;
        };
        if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
            best = Some((weight, language));
        }
    }
    best.map(|(_, language)| language)
}

#[cfg(test)]
mod tests;
