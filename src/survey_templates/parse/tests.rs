//! The parser's tests: valid files, every kind of problem with its place, and every
//! truncation of a valid file.

use super::*;

const FILE: &str = "survey-templates/x.toml";

const VALID: &str = r#"# A small but complete template.
id = "x"
title = "Example"
description = "Two dimensions, three items."

[scale]
kind = "agreement"
labels = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
dont_know = "Don't know"

[[dimensions]]
id = "trust"
name = "Trust"

[[dimensions]]
id = "win_win"
name = "Win–win"
description = "Both gain."

[[items]]
id = "trust"
dimension = "trust"
customer = "We can trust {partner}."
supplier = "We can trust {partner}."

[[items]]
id = "dependable_people"
dimension = "trust"
customer = "We can depend on {partner}'s people."
supplier = "We can depend on {partner}'s people."

[[items]]
id = "win_win"
dimension = "win_win"
customer = "This joint effort with {partner} is a win–win."
supplier = "This joint effort with {partner} is a win–win."

[[open_questions]]
id = "changes"
customer = "What has changed?"
supplier = "What has changed?"
"#;

/// `VALID` with exactly one occurrence of `from` replaced.
fn with(from: &str, to: &str) -> String {
    assert_eq!(VALID.matches(from).count(), 1, "{from:?} must occur once");
    VALID.replacen(from, to, 1)
}

fn error_of(body: &str) -> TemplateError {
    parse(FILE, body).expect_err("the template has a problem")
}

fn lines_of(body: &str) -> Vec<String> {
    error_of(body)
        .to_string()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// `file:line:col` of the first occurrence of `needle` in `body`.
fn at(body: &str, needle: &str) -> String {
    let offset = body.find(needle).expect("needle in body");
    format!("{FILE}:{}", Location::of_offset(body, offset))
}

#[test]
fn the_valid_template_parses_with_everything_in_file_order() {
    let template = parse(FILE, VALID).expect("valid");

    assert_eq!(template.id(), "x");
    assert_eq!(template.title(), "Example");
    assert_eq!(template.description(), "Two dimensions, three items.");
    let dimensions: Vec<&str> = template.dimensions().iter().map(Dimension::id).collect();
    assert_eq!(dimensions, ["trust", "win_win"]);
    let items: Vec<(&str, &str)> = template
        .items()
        .iter()
        .map(|item| (item.id(), item.dimension()))
        .collect();
    assert_eq!(
        items,
        [
            ("trust", "trust"),
            ("dependable_people", "trust"),
            ("win_win", "win_win")
        ]
    );
    assert_eq!(template.dimensions()[0].description(), "");
    assert_eq!(template.open_questions()[0].id(), "changes");
}

#[test]
fn the_body_is_kept_byte_for_byte() {
    let body = format!("{VALID}\n# trailing comment   \n");

    let template = parse(FILE, &body).expect("valid");

    assert_eq!(template.body(), body);
}

#[test]
fn the_version_is_the_lowercase_hex_sha256_of_the_bytes() {
    assert_eq!(
        version_of(""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    let template = parse(FILE, VALID).expect("valid");
    assert_eq!(template.version(), version_of(VALID));
    assert_eq!(template.version().len(), 64);
    assert_eq!(template.short_version(), &template.version()[..12]);
}

#[test]
fn the_version_changes_when_one_byte_changes_even_in_a_comment() {
    let original = parse(FILE, VALID).expect("valid");
    let edited = parse(FILE, &with("# A small", "# a small")).expect("valid");

    assert_ne!(original.version(), edited.version());
}

#[test]
fn the_version_is_stable_for_the_same_bytes_whatever_the_file_name() {
    let first = parse(FILE, VALID).expect("valid");
    let second = parse("elsewhere/y.toml", VALID).expect("valid");

    assert_eq!(first.version(), second.version());
}

#[test]
fn parsing_is_deterministic() {
    let broken = with("dimension = \"win_win\"", "dimension = \"nope\"\nextra = 1");

    assert_eq!(parse(FILE, VALID), parse(FILE, VALID));
    assert_eq!(error_of(&broken), error_of(&broken));
    assert_eq!(error_of(&broken).to_string(), error_of(&broken).to_string());
}

#[test]
fn a_syntax_error_gives_its_line_and_column() {
    let body = with("title = \"Example\"", "title = \"Example");

    let lines = lines_of(&body);

    // The string runs to the end of line 3, where the closing quote was expected.
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with(&format!("{FILE}:3:17: TOML syntax: ")),
        "{lines:?}"
    );
}

#[test]
fn every_syntax_error_is_listed_in_file_order() {
    let body = with("title = \"Example\"", "title = \"Example").replacen(
        "name = \"Trust\"",
        "name = = \"Trust\"",
        1,
    );

    let error = error_of(&body);

    let locations: Vec<Location> = error
        .problems()
        .iter()
        .map(|problem| problem.location().expect("syntax errors have a place"))
        .collect();
    assert!(locations.len() >= 2, "{error}");
    assert_eq!(locations[0].line, 3, "{error}");
    assert!(
        locations.iter().any(|location| location.line == 13),
        "{error}"
    );
    assert!(
        locations.windows(2).all(|pair| pair[0] <= pair[1]),
        "{error}"
    );
}

#[test]
fn a_key_given_twice_is_a_syntax_error_at_the_second() {
    let body = with(
        "name = \"Trust\"",
        "name = \"Trust\"\nname = \"Trust again\"",
    );

    let lines = lines_of(&body);

    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with(&format!(
            "{}: TOML syntax: duplicate key",
            at(&body, "name = \"Trust again")
        )),
        "{lines:?}"
    );
}

#[test]
fn an_unknown_key_in_an_item_is_named_with_the_item() {
    let body = with(
        "customer = \"We can trust {partner}.\"",
        "customer = \"We can trust {partner}.\"\nwordng = \"typo\"",
    );

    let lines = lines_of(&body);

    assert_eq!(
        lines,
        [format!(
            "{}: item \"trust\": unknown key \"wordng\" (allowed here: id, dimension, customer, supplier, meta_of)",
            at(&body, "wordng")
        )]
    );
}

#[test]
fn an_unknown_top_level_key_is_refused() {
    let body = format!("versoin = 2\n{VALID}");

    let lines = lines_of(&body);

    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with(&format!("{FILE}:1:1: unknown key \"versoin\"")),
        "{lines:?}"
    );
}

#[test]
fn a_duplicate_item_id_names_the_item_and_the_first_line() {
    let body = with("id = \"dependable_people\"", "id = \"trust\"");

    let lines = lines_of(&body);

    assert_eq!(
        lines,
        [format!(
            "{}: item \"trust\": duplicate item id \"trust\" (first declared on line 21)",
            at(
                &body,
                "\"trust\"\ndimension = \"trust\"\ncustomer = \"We can depend"
            )
        )]
    );
}

#[test]
fn a_duplicate_dimension_id_names_the_dimension() {
    let body = with("id = \"win_win\"\nname", "id = \"trust\"\nname")
        .replace("dimension = \"win_win\"", "dimension = \"trust\"");

    let lines = lines_of(&body);

    assert_eq!(
        lines,
        [format!(
            "{}: dimension \"trust\": duplicate dimension id \"trust\" (first declared on line 12)",
            at(&body, "\"trust\"\nname = \"Win")
        )]
    );
}

#[test]
fn an_item_in_an_undeclared_dimension_names_the_item_and_the_dimension() {
    let body = with(
        "id = \"trust\"\ndimension = \"trust\"",
        "id = \"trust\"\ndimension = \"trsut\"",
    );

    let lines = lines_of(&body);

    assert_eq!(
        lines,
        [format!(
            "{}: item \"trust\": dimension \"trsut\" is not declared (declared: trust, win_win)",
            at(&body, "\"trsut\"")
        )]
    );
}

#[test]
fn a_dimension_without_items_is_refused() {
    let body = with(
        "id = \"win_win\"\ndimension = \"win_win\"",
        "id = \"win_win\"\ndimension = \"trust\"",
    );

    let lines = lines_of(&body);

    assert_eq!(
        lines,
        [format!(
            "{}: dimension \"win_win\": no item belongs to this dimension",
            at(&body, "\"win_win\"\nname")
        )]
    );
}

#[test]
fn a_scale_of_one_label_is_refused() {
    let body = with(
        "[\"Strongly disagree\", \"Disagree\", \"Neither agree nor disagree\", \"Agree\", \"Strongly agree\"]",
        "[\"Agree\"]",
    );

    let lines = lines_of(&body);

    assert_eq!(
        lines,
        [format!(
            "{}: scale: the scale needs 2 to 11 labels, for points 1 to A in order (higher = better); found 1",
            at(&body, "[\"Agree\"]")
        )]
    );
}

#[test]
fn a_scale_of_twelve_labels_is_refused() {
    let twelve: Vec<String> = (1..=12).map(|p| format!("\"P{p}\"")).collect();
    let body = with(
        "[\"Strongly disagree\", \"Disagree\", \"Neither agree nor disagree\", \"Agree\", \"Strongly agree\"]",
        &format!("[{}]", twelve.join(", ")),
    );

    let lines = lines_of(&body);

    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].ends_with("found 12"), "{lines:?}");
}

#[test]
fn a_four_point_scale_with_favourable_top_points_is_read() {
    let body = with(
        "[\"Strongly disagree\", \"Disagree\", \"Neither agree nor disagree\", \"Agree\", \"Strongly agree\"]",
        "[\"Never\", \"Sometimes\", \"Often\", \"Always\"]\nfavourable = 1",
    );

    let template = parse("t.toml", &body).expect("a four-point scale is valid");

    assert_eq!(template.scale().points(), 4);
    assert_eq!(template.scale().favourable(), 1);
    assert_eq!(template.scale().label(4), Some("Always"));
    assert_eq!(template.scale().label(5), None);
}

#[test]
fn a_seven_point_scale_defaults_to_its_top_three_as_favourable() {
    let seven: Vec<String> = (1..=7).map(|p| format!("\"P{p}\"")).collect();
    let body = with(
        "[\"Strongly disagree\", \"Disagree\", \"Neither agree nor disagree\", \"Agree\", \"Strongly agree\"]",
        &format!("[{}]", seven.join(", ")),
    );

    let template = parse("t.toml", &body).expect("a seven-point scale is valid");

    assert_eq!(
        (template.scale().points(), template.scale().favourable()),
        (7, 3)
    );
}

#[test]
fn favourable_beyond_the_scale_is_refused_with_its_place() {
    let body = with("\"Strongly agree\"]", "\"Strongly agree\"]\nfavourable = 6");

    let lines = lines_of(&body);

    assert_eq!(
        lines,
        [format!(
            "{}: scale: favourable must be a whole number of top points from 1 to 5; found 6",
            at(&body, "6\n")
        )]
    );
}

#[test]
fn a_blank_scale_label_names_its_point() {
    let body = with("\"Agree\"", "\"  \"");

    let lines = lines_of(&body);

    assert_eq!(
        lines,
        [format!(
            "{}: scale: label of point 4 is blank",
            at(&body, "\"  \"")
        )]
    );
}

#[test]
fn a_repeated_scale_label_is_refused() {
    let body = with("\"Neither agree nor disagree\"", "\"Disagree\"");

    let lines = lines_of(&body);

    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].ends_with("scale: label of point 3 repeats point 2: \"Disagree\""),
        "{lines:?}"
    );
}

#[test]
fn a_scale_without_a_dont_know_label_is_refused() {
    let body = with("dont_know = \"Don't know\"\n", "");

    let lines = lines_of(&body);

    assert_eq!(
        lines,
        [format!(
            "{}: scale: missing don't-know label (key \"dont_know\"): every scale offers don't know",
            at(&body, "[scale]")
        )]
    );
}

#[test]
fn a_blank_dont_know_label_is_refused() {
    let body = with("dont_know = \"Don't know\"", "dont_know = \"\"");

    let lines = lines_of(&body);

    assert_eq!(
        lines,
        [format!(
            "{}: scale: \"dont_know\" is blank",
            at(&body, "\"\"")
        )]
    );
}

#[test]
fn an_unknown_scale_kind_is_refused() {
    let body = with("kind = \"agreement\"", "kind = \"agreeement\"");

    let lines = lines_of(&body);

    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].ends_with(
            "scale: unknown scale kind \"agreeement\" (known: agreement, frequency, extent, \
             quality)"
        ),
        "{lines:?}"
    );
}

#[test]
fn missing_wording_for_a_side_names_the_item_and_the_side() {
    let body = with("supplier = \"We can trust {partner}.\"\n", "");

    let lines = lines_of(&body);

    assert_eq!(
        lines,
        [format!(
            "{}: item \"trust\": wording for supplier staff is missing (key \"supplier\")",
            at(&body, "[[items]]")
        )]
    );
}

#[test]
fn blank_wording_for_a_side_names_the_open_question() {
    let body = with("customer = \"What has changed?\"", "customer = \"   \"");

    let lines = lines_of(&body);

    assert_eq!(
        lines,
        [format!(
            "{}: open question \"changes\": wording for customer staff is blank",
            at(&body, "\"   \"")
        )]
    );
}

#[test]
fn a_misspelt_placeholder_is_refused() {
    let body = with(
        "customer = \"We can depend on {partner}'s people.\"",
        "customer = \"We can depend on {parnter}'s people.\"",
    );

    let lines = lines_of(&body);

    assert_eq!(
        lines,
        [format!(
            "{}: item \"dependable_people\": wording for customer staff has unknown placeholder \"{{parnter}}\" (only {{partner}} is replaced)",
            at(&body, "\"We can depend on {parnter}")
        )]
    );
}

#[test]
fn a_stray_brace_is_refused() {
    let problems = placeholder_problems("a {partner b} c {", TemplateSide::Supplier);

    assert_eq!(
        problems,
        [
            ProblemKind::UnknownPlaceholder {
                side: TemplateSide::Supplier,
                found: "{partner b}".to_owned()
            },
            ProblemKind::UnmatchedBrace {
                side: TemplateSide::Supplier,
                brace: '{'
            },
        ]
    );
    assert_eq!(
        placeholder_problems("} {partner}", TemplateSide::Customer),
        [ProblemKind::UnmatchedBrace {
            side: TemplateSide::Customer,
            brace: '}'
        }]
    );
    assert!(placeholder_problems("{partner} and {partner}", TemplateSide::Customer).is_empty());
}

#[test]
fn an_item_id_outside_lowercase_digits_and_underscore_is_refused() {
    let body = with("id = \"dependable_people\"", "id = \"Dependable-People\"");

    let lines = lines_of(&body);

    assert_eq!(
        lines,
        [format!(
            "{}: item \"Dependable-People\": id \"Dependable-People\" is not allowed: use only a-z, 0-9 and _ (ids appear in CSV headers and URLs)",
            at(&body, "\"Dependable-People\"")
        )]
    );
}

#[test]
fn a_bad_dimension_id_is_refused_and_its_items_are_not_blamed_twice() {
    let body = with("id = \"win_win\"\nname", "id = \"win win\"\nname")
        .replace("dimension = \"win_win\"", "dimension = \"win win\"");

    let lines = lines_of(&body);

    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].contains("dimension \"win win\": id \"win win\" is not allowed"),
        "{lines:?}"
    );
    assert!(
        lines[1].contains("item \"win_win\": dimension \"win win\" is not declared"),
        "{lines:?}"
    );
}

#[test]
fn a_bad_template_id_is_refused() {
    let body = with("id = \"x\"", "id = \"-X\"");

    let lines = lines_of(&body);

    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with(&format!(
            "{}: template id \"-X\" is not allowed",
            at(&body, "\"-X\"")
        )),
        "{lines:?}"
    );
}

#[test]
fn an_open_question_may_not_reuse_an_item_id() {
    let body = with("id = \"changes\"", "id = \"win_win\"");

    let lines = lines_of(&body);

    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with(&format!(
            "{}: open question \"win_win\": id \"win_win\" is already an item id (line 33)",
            at(&body, "\"win_win\"\ncustomer = \"What")
        )),
        "{lines:?}"
    );
}

#[test]
fn a_duplicate_open_question_id_is_refused() {
    let body = format!(
        "{VALID}\n[[open_questions]]\nid = \"changes\"\ncustomer = \"Again?\"\nsupplier = \"Again?\"\n"
    );

    let lines = lines_of(&body);

    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].ends_with("open question \"changes\": duplicate open question id \"changes\" (first declared on line 39)"),
        "{lines:?}"
    );
}

#[test]
fn an_entry_without_an_id_is_named_by_its_position() {
    let body = with("id = \"dependable_people\"\n", "");

    let lines = lines_of(&body);

    assert_eq!(
        lines,
        [format!(
            "{}: item #2: missing key \"id\"",
            at(&body, "[[items]]\ndimension")
        )]
    );
}

#[test]
fn a_value_of_the_wrong_type_says_what_was_expected() {
    let body = with("id = \"changes\"", "id = \"changes\"\noptional = \"yes\"");

    let lines = lines_of(&body);

    assert_eq!(
        lines,
        [format!(
            "{}: open question \"changes\": \"optional\" must be true or false, not string",
            at(&body, "\"yes\"")
        )]
    );
}

#[test]
fn an_empty_file_lists_every_missing_key() {
    let lines = lines_of("");

    assert_eq!(
        lines,
        [
            format!("{FILE}: missing key \"id\""),
            format!("{FILE}: missing key \"title\""),
            format!("{FILE}: missing key \"scale\""),
            format!("{FILE}: missing key \"dimensions\""),
            format!("{FILE}: missing key \"items\""),
        ]
    );
}

#[test]
fn a_template_without_items_is_refused() {
    let start = VALID.find("[[items]]").expect("items");
    let end = VALID.find("[[open_questions]]").expect("open questions");
    let body = format!("items = []\n{}{}", &VALID[..start], &VALID[end..]);

    let error = error_of(&body);

    assert!(error
        .problems()
        .iter()
        .any(|problem| *problem.kind() == ProblemKind::Empty("items")));
    assert!(
        error
            .to_string()
            .contains(&format!("{FILE}:1:9: \"items\" is empty")),
        "{error}"
    );
}

#[test]
fn every_problem_of_a_file_is_listed_not_just_the_first() {
    let body = with("kind = \"agreement\"", "kind = \"agreement\"\nsteps = 5")
        .replacen("dimension = \"trust\"", "dimension = \"trsut\"", 1)
        .replace("supplier = \"What has changed?\"\n", "");

    let error = error_of(&body);
    let lines: Vec<String> = error.to_string().lines().map(str::to_owned).collect();

    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(
        lines[0].contains("scale: unknown key \"steps\""),
        "{lines:?}"
    );
    assert!(
        lines[1].contains("item \"trust\": dimension \"trsut\""),
        "{lines:?}"
    );
    assert!(
        lines[2].contains("open question \"changes\": wording for supplier staff is missing"),
        "{lines:?}"
    );
    assert!(lines.iter().all(|line| line.starts_with(FILE)), "{lines:?}");
}

#[test]
fn every_truncation_of_a_valid_file_is_either_a_template_or_a_list_of_named_problems() {
    let cuts = (0..=VALID.len()).filter(|&cut| VALID.is_char_boundary(cut));

    for cut in cuts {
        let body = &VALID[..cut];
        if let Err(error) = parse(FILE, body) {
            assert!(!error.problems().is_empty(), "cut at {cut}");
            assert!(
                error.to_string().lines().all(|line| line.starts_with(FILE)),
                "cut at {cut}: {error}"
            );
        }
    }
}

const META_BASE: &str = r#"id = "meta"
title = "Meta"

[scale]
kind = "agreement"
labels = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
dont_know = "Don't know"

[[dimensions]]
id = "trust"
name = "Trust"

[[items]]
id = "trust"
dimension = "trust"
customer = "We can trust {partner}."
supplier = "We can trust {partner}."

[[items]]
id = "trust_meta"
dimension = "trust"
meta_of = "TARGET"
customer = "How do you think {partner} would answer: we can trust our customer?"
supplier = "How do you think {partner} would answer: we can trust our supplier?"
"#;

#[test]
fn a_meta_item_pairs_with_its_item_and_stays_out_of_the_dimension() {
    let body = META_BASE.replace("TARGET", "trust");

    let template = parse("meta.toml", &body).expect("a sound meta template");

    let pairs = template.meta_pairs();
    assert_eq!(pairs.len(), 1);
    assert_eq!((pairs[0].0.id(), pairs[0].1.id()), ("trust", "trust_meta"));
    assert_eq!(
        template.item("trust_meta").and_then(Item::meta_of),
        Some("trust")
    );
    let in_dimension: Vec<&str> = template
        .dimension_items("trust")
        .iter()
        .map(|item| item.id())
        .collect();
    assert_eq!(in_dimension, ["trust"]);
}

#[test]
fn a_meta_item_naming_an_unknown_item_is_refused_with_its_place() {
    let body = META_BASE.replace("TARGET", "trsut");

    let error = parse("meta.toml", &body).expect_err("unknown target");

    assert_eq!(
        error.to_string(),
        "meta.toml:22:11: item \"trust_meta\": meta_of \"trsut\" is not an item of this \
         template (items: trust)"
    );
}

#[test]
fn a_meta_item_of_a_meta_item_is_refused() {
    let body = format!(
        "{}\n[[items]]\nid = \"trust_meta_meta\"\ndimension = \"trust\"\nmeta_of = \"trust_meta\"\n\
         customer = \"x {{partner}}\"\nsupplier = \"y {{partner}}\"\n",
        META_BASE.replace("TARGET", "trust")
    );

    let error = parse("meta.toml", &body).expect_err("meta of meta");

    assert!(
        matches!(error.problems()[0].kind(), ProblemKind::MetaOfMeta { target } if target == "trust_meta"),
        "{error}"
    );
    assert_eq!(
        error.problems()[0].location().map(|l| l.line),
        Some(29),
        "{error}"
    );
}

#[test]
fn two_meta_items_for_one_item_are_refused() {
    let body = format!(
        "{}\n[[items]]\nid = \"trust_meta_again\"\ndimension = \"trust\"\nmeta_of = \"trust\"\n\
         customer = \"x {{partner}}\"\nsupplier = \"y {{partner}}\"\n",
        META_BASE.replace("TARGET", "trust")
    );

    let error = parse("meta.toml", &body).expect_err("two meta items");

    assert_eq!(
        error.problems()[0].kind(),
        &ProblemKind::DuplicateMeta {
            target: "trust".to_owned(),
            first_line: 22
        },
        "{error}"
    );
}
