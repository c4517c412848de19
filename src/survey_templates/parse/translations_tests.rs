//! Tests of the `[translations.<code>]` tables: a complete translation parses and localises
//! the template; a translation naming an unknown id, or missing one, is refused with its place.

use super::*;
use crate::domain::Language;

const FILE: &str = "survey-templates/t.toml";

const ENGLISH: &str = r#"id = "t"
title = "Example"

[scale]
kind = "agreement"
labels = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
dont_know = "Don't know"

[[dimensions]]
id = "trust"
name = "Trust"
description = "Relied on."

[[items]]
id = "trust"
dimension = "trust"
customer = "We can trust {partner}."
supplier = "{partner} can trust us."

[[open_questions]]
id = "changes"
customer = "What has changed?"
supplier = "What has changed?"
"#;

const FRENCH: &str = r#"
[translations.fr]
title = "Exemple"

[translations.fr.scale]
labels = ["Pas du tout d'accord", "Pas d'accord", "Ni d'accord ni pas d'accord", "D'accord", "Tout à fait d'accord"]
dont_know = "Je ne sais pas"

[translations.fr.dimensions]
trust = { name = "Confiance", description = "On peut compter sur lui." }

[translations.fr.items]
trust = { customer = "Nous pouvons faire confiance à {partner}.", supplier = "{partner} peut nous faire confiance." }

[translations.fr.open_questions]
changes = { customer = "Qu'est-ce qui a changé ?", supplier = "Qu'est-ce qui a changé ?" }
"#;

fn french() -> String {
    format!("{ENGLISH}{FRENCH}")
}

/// `file:line:col` of the first occurrence of `needle` in `body`.
fn at(body: &str, needle: &str) -> String {
    let offset = body.find(needle).expect("needle in body");
    format!("{FILE}:{}", Location::of_offset(body, offset))
}

fn lines_of(body: &str) -> Vec<String> {
    parse(FILE, body)
        .expect_err("the translation has a problem")
        .to_string()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_template_without_translations_is_english_only() {
    let template = parse(FILE, ENGLISH).expect("valid");

    assert_eq!(template.languages(), [Language::En]);
    let (localized, translated) = template.localized(Language::Fr);
    assert!(!translated, "there is no French text");
    assert_eq!(localized, template);
}

#[test]
fn a_complete_translation_localises_every_text_a_respondent_reads() {
    let template = parse(FILE, &french()).expect("valid");

    assert_eq!(template.languages(), [Language::En, Language::Fr]);
    let (fr, translated) = template.localized(Language::Fr);
    assert!(translated);
    assert_eq!(fr.title(), "Exemple");
    assert_eq!(fr.scale().label(1), Some("Pas du tout d'accord"));
    assert_eq!(fr.scale().label(5), Some("Tout à fait d'accord"));
    assert_eq!(fr.scale().dont_know(), "Je ne sais pas");
    assert_eq!(
        fr.dimension("trust").map(Dimension::name),
        Some("Confiance")
    );
    assert_eq!(
        fr.item("trust")
            .expect("item")
            .wording_for(TemplateSide::Supplier, "Acme"),
        "Acme peut nous faire confiance."
    );
    assert_eq!(
        fr.open_question("changes")
            .expect("question")
            .wording_for(TemplateSide::Customer, "Acme"),
        "Qu'est-ce qui a changé ?"
    );
    // Same ids, version and body: answers in French are answers to the same items.
    assert_eq!(fr.version(), template.version());
    assert_eq!(fr.body(), template.body());
    let ids = |t: &SurveyTemplate| {
        t.items()
            .iter()
            .map(|i| i.id().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&fr), ids(&template));
    // The English stays where it is.
    assert_eq!(template.scale().label(1), Some("Strongly disagree"));
}

#[test]
fn a_translation_naming_an_unknown_item_is_refused_at_its_key() {
    let body = french().replace("\ntrust = { customer", "\ntrsut = { customer");

    let lines = lines_of(&body);

    assert_eq!(
        lines,
        [
            format!(
                "{}: translation \"fr\", items: item \"trust\" is not translated",
                at(&body, "[translations.fr.items]")
            ),
            format!(
                "{}: translation \"fr\", item \"trsut\": item \"trsut\" is not declared by the template (declared: trust)",
                at(&body, "trsut")
            ),
        ]
    );
}

#[test]
fn a_translation_missing_an_item_is_refused_at_its_section() {
    let body = format!(
        "{ENGLISH}{}",
        FRENCH.replace(
            "trust = { customer = \"Nous pouvons faire confiance à {partner}.\", supplier = \"{partner} peut nous faire confiance.\" }\n",
            ""
        )
    );

    let lines = lines_of(&body);

    assert_eq!(
        lines,
        [format!(
            "{}: translation \"fr\", items: item \"trust\" is not translated",
            at(&body, "[translations.fr.items]")
        )]
    );
}

#[test]
fn a_translation_without_its_open_questions_is_refused() {
    let cut = FRENCH
        .find("\n[translations.fr.open_questions]")
        .expect("section");
    let body = format!("{ENGLISH}{}", &FRENCH[..cut]);

    let lines = lines_of(&body);

    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].ends_with("translation \"fr\", open_questions: missing key \"open_questions\""),
        "{lines:?}"
    );
}

#[test]
fn translated_scale_labels_must_match_the_number_of_points() {
    let body = french()
        .replace("\"Tout à fait d'accord\"]", "]")
        .replace("\"D'accord\", ]", "\"D'accord\"]");

    let lines = lines_of(&body);

    assert_eq!(
        lines,
        [format!(
            "{}: translation \"fr\", scale: the scale has 5 points but 4 labels are translated",
            at(&body, "[\"Pas du tout")
        )]
    );
}

#[test]
fn a_translated_wording_that_drops_the_partner_is_refused() {
    let body = french().replace(
        "Nous pouvons faire confiance à {partner}.",
        "Nous pouvons faire confiance.",
    );

    let lines = lines_of(&body);

    assert_eq!(
        lines,
        [format!(
            "{}: translation \"fr\", item \"trust\": wording for customer staff drops {{partner}}, which the English wording has",
            at(&body, "\"Nous pouvons")
        )]
    );
}

#[test]
fn an_unknown_language_and_english_as_a_translation_are_refused() {
    let italian = french().replace("translations.fr", "translations.it");
    let english = french().replace("translations.fr", "translations.en");

    let italian_lines = lines_of(&italian);
    let english_lines = lines_of(&english);

    assert_eq!(
        italian_lines,
        [format!(
            "{}: translation \"it\": language \"it\" is not offered (known: en, fr, de, es)",
            at(&italian, "it]")
        )]
    );
    assert!(
        english_lines[0].contains("translation \"en\": English is the template's own language"),
        "{english_lines:?}"
    );
}

#[test]
fn a_translated_wording_is_checked_like_the_english_one() {
    let body = french().replace("{partner} peut nous", "{partenaire} peut nous");

    let lines = lines_of(&body);

    assert!(
        lines.iter().any(|line| line.contains(
            "translation \"fr\", item \"trust\": wording for supplier staff has unknown placeholder \"{partenaire}\""
        )),
        "{lines:?}"
    );
}

#[test]
fn an_unknown_key_in_a_translation_is_refused() {
    let body = french().replace(
        "title = \"Exemple\"",
        "title = \"Exemple\"\ntitel = \"Beispiel\"",
    );

    let lines = lines_of(&body);

    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with(&at(&body, "titel")), "{lines:?}");
    assert!(lines[0].contains("unknown key \"titel\""), "{lines:?}");
}

#[test]
fn every_shipped_template_is_translated_into_every_language() {
    let catalog =
        crate::survey_templates::Catalog::load(None).expect("the shipped templates parse");
    for template in catalog.iter() {
        assert_eq!(
            template.languages(),
            Language::ALL,
            "{} must speak every offered language",
            template.id()
        );
    }
}
