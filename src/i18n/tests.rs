use chrono::NaiveDate;

use super::*;

fn keys(source: &str) -> Vec<String> {
    let mut keys: Vec<String> = source
        .lines()
        .filter(|line| line.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
        .filter_map(|line| line.split_once(" =").map(|(key, _)| key.trim().to_owned()))
        .collect();
    keys.sort();
    keys
}

#[test]
fn every_language_has_exactly_the_english_keys() {
    let english = keys(SOURCES[0].1);
    assert!(english.len() > 60, "{english:?}");
    for (language, source) in SOURCES {
        assert_eq!(keys(source), english, "locales/{language}.ftl");
    }
}

#[test]
fn every_catalog_parses_and_formats_every_message_without_errors() {
    for (language, source) in SOURCES {
        let bundle = &BUNDLES[&language];
        for key in keys(source) {
            let message = bundle.get_message(&key).expect("parsed");
            let pattern = message.value().expect("has a value");
            let mut args = FluentArgs::new();
            for name in [
                "partner",
                "own",
                "seq",
                "deadline",
                "min",
                "dont_know",
                "count",
                "id",
                "max",
                "points",
                "when",
                "name",
                "minutes",
                "weekday",
                "day",
                "month",
                "year",
                "time",
                "zone",
            ] {
                args.set(name, FluentValue::from(2));
            }
            let mut errors = Vec::new();
            bundle.format_pattern(pattern, Some(&args), &mut errors);
            assert!(errors.is_empty(), "{language} {key}: {errors:?}");
        }
    }
}

#[test]
fn the_managers_english_messages_are_in_the_english_bundle_only() {
    let managers = keys(MANAGER_EN);
    assert!(managers.contains(&"login-heading".to_owned()));
    for key in &managers {
        assert!(
            !keys(SOURCES[0].1).contains(key),
            "{key} is both a respondent and a manager message"
        );
        assert!(BUNDLES[&Language::En].has_message(key), "{key}");
    }
    assert_eq!(en("login-heading"), "Sign in to Tandem");
    assert_eq!(
        en1("set-password-hint", "min", 12),
        "At least 12 characters. A few unrelated words make a strong password that is easy to type."
    );
}

#[test]
fn arguments_are_filled_in_without_direction_marks() {
    assert_eq!(
        text(Language::Fr, "form-heading", &[("partner", &"Acme")]),
        "Comment se passe le partenariat avec Acme ?"
    );
    assert_eq!(
        Tr::new(Language::De).t1("form-title", "partner", "Acme"),
        "Befragung zu Acme"
    );
}

#[test]
fn plural_forms_select_on_the_count() {
    let tr = Tr::new(Language::En);
    assert_eq!(tr.t1("form-problems", "count", 1), "Please check 1 answer");
    assert_eq!(tr.t1("form-problems", "count", 3), "Please check 3 answers");
    assert_eq!(
        Tr::new(Language::Fr).t1("form-problems", "count", 2),
        "Veuillez vérifier 2 réponses"
    );
}

#[test]
fn dates_are_written_in_the_language_and_the_timezone() {
    let at = NaiveDate::from_ymd_opt(2026, 12, 4)
        .unwrap()
        .and_hms_opt(16, 0, 0)
        .unwrap();
    let paris: chrono_tz::Tz = "Europe/Paris".parse().unwrap();

    assert_eq!(
        local_time(Language::En, at, paris, DateStyle::Mail),
        "Friday 4 December 2026 at 17:00 CET"
    );
    assert_eq!(
        local_time(Language::En, at, paris, DateStyle::Page),
        "Friday 4 December 2026, 17:00 (Europe/Paris)"
    );
    assert_eq!(
        local_time(Language::Fr, at, paris, DateStyle::Mail),
        "vendredi 4 décembre 2026 à 17:00 CET"
    );
    assert_eq!(
        local_time(Language::De, at, paris, DateStyle::Page),
        "Freitag, 4. Dezember 2026, 17:00 (Europe/Paris)"
    );
    assert_eq!(
        local_time(Language::Es, at, paris, DateStyle::Mail),
        "viernes 4 de diciembre de 2026 a las 17:00 CET"
    );
}

#[test]
fn the_best_offered_language_is_negotiated_from_accept_language() {
    assert_eq!(negotiate("fr-CH, fr;q=0.9, en;q=0.8"), Some(Language::Fr));
    assert_eq!(negotiate("it, de;q=0.5, en;q=0.7"), Some(Language::En));
    assert_eq!(negotiate("es-419"), Some(Language::Es));
    assert_eq!(negotiate("it, ja"), None);
    assert_eq!(negotiate(""), None);
}

#[test]
fn every_managers_message_formats_without_errors() {
    let bundle = &BUNDLES[&Language::En];
    for key in keys(MANAGER_EN) {
        let pattern = bundle
            .get_message(&key)
            .and_then(|m| m.value())
            .unwrap_or_else(|| panic!("{key} has no value"));
        // every `{ $name }` of the file, so that each message finds its own
        let mut args = FluentArgs::new();
        for name in MANAGER_EN.split("{ $").skip(1).filter_map(|s| {
            s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .next()
        }) {
            args.set(name.to_owned(), FluentValue::from(2));
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
        assert!(errors.is_empty(), "{key}: {errors:?}");
        assert!(!text.trim().is_empty(), "{key} is empty");
    }
}

#[test]
fn the_managers_plurals_select_on_the_count() {
    assert_eq!(en1("inbox-count", "count", 1), "1 flag");
    assert_eq!(en1("inbox-count", "count", 12), "12 flags");
    assert_eq!(
        en1("inbox-lead-across", "count", 1),
        "Across the 1 partnership you can see."
    );
    assert_eq!(en1("home-inbox", "count", 0), "nothing needs attention.");
    assert_eq!(
        en1("home-inbox", "count", 3),
        "3 open or acknowledged flags."
    );
    assert_eq!(
        en2("mail-digest-subject", "flags", 1, "overdue", 0),
        "Weekly flags digest: 1 open flag, 0 overdue actions"
    );
}

#[test]
fn a_value_of_digits_is_a_number_only_when_it_reads_back_the_same() {
    // a flag titled "007" keeps its zeros; "7" selects a plural form
    assert_eq!(en2("flag-title", "id", 7, "rule", "007"), "Flag 7: 007");
    assert_eq!(
        en1("roster-undeliverable-count", "count", "01"),
        "01 undeliverable addresses."
    );
}

#[test]
fn a_whole_number_beyond_what_fluent_holds_exactly_is_written_as_given() {
    // Fluent numbers are f64: 2^53 + 1 would be written rounded
    assert_eq!(
        en1("token-problem-no-such-id", "id", 9_007_199_254_740_993_i64),
        "you have no API token with id 9007199254740993"
    );
    assert_eq!(
        en1("token-problem-no-such-id", "id", i64::MAX / 500),
        "you have no API token with id 18446744073709551"
    );
    assert_eq!(
        en1("token-problem-no-such-id", "id", 100_000),
        "you have no API token with id 100000"
    );
}
