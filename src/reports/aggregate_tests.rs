//! Unit tests of `aggregate`, kept beside it in their own file.

use super::*;

#[test]
fn sums_round_trip_through_their_text_form() {
    let sums: BTreeMap<u32, u64> = [(7, 2), (9, 1), (15, 30)].into_iter().collect();
    assert_eq!(encode_sums(&sums), "7:2 9:1 15:30");
    assert_eq!(decode_sums(&encode_sums(&sums)).unwrap(), sums);
    assert!(decode_sums("7-2").is_err());
    assert!(decode_sums("").unwrap().is_empty());
}

fn invitee(side: Side, business_unit: &str, language: &str, answer: Option<u8>) -> Invitee {
    let catalog = crate::survey_templates::Catalog::load(None).expect("shipped templates");
    Invitee {
        attributes: Default::default(),
        side,
        level: "staff".into(),
        function: "sales".into(),
        region: String::new(),
        business_unit: business_unit.into(),
        language: language.into(),
        answers: answer.map(|v| {
            catalog
                .default_template()
                .items()
                .iter()
                .map(|i| (i.id().to_owned(), Some(v)))
                .collect()
        }),
    }
}

fn groups_of(kind: SegmentKind, invitees: &[Invitee]) -> Vec<(String, u64, u64)> {
    let catalog = crate::survey_templates::Catalog::load(None).expect("shipped templates");
    compute(1, catalog.default_template(), invitees)
        .into_iter()
        .filter(|g| g.kind == kind)
        .map(|g| (g.label, g.invited, g.responded))
        .collect()
}

#[test]
fn business_units_are_a_breakdown_once_someone_has_one() {
    let without = [
        invitee(Side::Customer, "", "en", Some(4)),
        invitee(Side::Supplier, "", "en", Some(2)),
    ];
    assert!(groups_of(SegmentKind::BusinessUnit, &without).is_empty());
    let with = [
        invitee(Side::Customer, "Retail", "en", Some(4)),
        invitee(Side::Customer, " retail ", "en", None),
        invitee(Side::Customer, "", "en", Some(3)),
        invitee(Side::Supplier, "", "en", Some(2)),
    ];
    assert_eq!(
        groups_of(SegmentKind::BusinessUnit, &with),
        [
            ("Retail".to_owned(), 2, 1),
            (NO_REGION.to_owned(), 1, 1),
            (NO_REGION.to_owned(), 1, 1)
        ]
    );
}

#[test]
fn languages_are_a_breakdown_only_when_answers_came_in_two() {
    // Someone invited in French who did not answer splits nothing.
    let one = [
        invitee(Side::Customer, "", "en", Some(4)),
        invitee(Side::Customer, "", "fr", None),
        // responses stored before languages were kept say none
        invitee(Side::Supplier, "", "", Some(2)),
    ];
    assert!(groups_of(SegmentKind::Language, &one).is_empty());
    let two = [
        invitee(Side::Customer, "", "en", Some(4)),
        invitee(Side::Customer, "", "fr", None),
        invitee(Side::Supplier, "", "fr", Some(2)),
    ];
    assert_eq!(
        groups_of(SegmentKind::Language, &two),
        [
            ("en".to_owned(), 1, 1),
            ("fr".to_owned(), 1, 0),
            ("fr".to_owned(), 1, 1)
        ]
    );
}

#[test]
fn cells_carry_business_unit_and_language_and_old_cells_read_them_as_not_given() {
    let catalog = crate::survey_templates::Catalog::load(None).expect("shipped templates");
    let groups = compute(
        1,
        catalog.default_template(),
        &[
            invitee(Side::Customer, "Retail", "fr", Some(4)),
            invitee(Side::Customer, "Retail", "en", Some(4)),
        ],
    );
    let whole = groups
        .iter()
        .find(|g| g.kind == SegmentKind::All && g.side == Side::Customer)
        .unwrap();
    let keys: Vec<(&str, &str)> = whole
        .cells
        .iter()
        .map(|c| (c.business_unit.as_str(), c.language.as_str()))
        .collect();
    assert_eq!(keys, [("retail", "en"), ("retail", "fr")]);
    assert_eq!(
        decode_cells(&encode_cells(&whole.cells)).unwrap(),
        whole.cells
    );

    let before = r#"[{"level":"staff","function":"sales","region":"","responded":6,"items":[6],"dimensions":[5]}]"#;
    let cells = decode_cells(before).unwrap();
    assert_eq!(
        (cells[0].business_unit.as_str(), cells[0].language.as_str()),
        ("", "")
    );
    assert_eq!(cells[0].responded, 6);
}

#[test]
fn segment_kinds_parse_without_case() {
    assert_eq!("Level".parse::<SegmentKind>(), Ok(SegmentKind::Level));
    assert_eq!(" Region ".parse::<SegmentKind>(), Ok(SegmentKind::Region));
    assert_eq!(
        "Business_Unit".parse::<SegmentKind>(),
        Ok(SegmentKind::BusinessUnit)
    );
    assert_eq!("language".parse::<SegmentKind>(), Ok(SegmentKind::Language));
    assert!("site".parse::<SegmentKind>().is_err());
}

#[test]
fn custom_attribute_keys_are_checked_and_stored_apart_from_built_in_kinds() {
    let site = SegmentKind::attribute("site").unwrap();
    assert_eq!(site.as_str(), "site");
    assert_eq!(site.stored(), "attribute:site");
    assert_eq!(site.attribute_key(), Some("site"));
    assert_eq!(SegmentKind::from_stored("attribute:site"), Ok(site));
    assert_eq!(SegmentKind::from_stored("region"), Ok(SegmentKind::Region));
    assert_eq!(SegmentKind::attribute("site"), Ok(site), "interned once");
    assert_eq!(SegmentKind::Region.attribute_key(), None);
    for bad in ["", "Site", "1site", "site name", "sité", &"s".repeat(33)] {
        let e = SegmentKind::attribute(bad).unwrap_err();
        assert!(e.contains("must be 1 to 32 characters"), "{bad:?}: {e}");
    }
    for taken in ["region", "business_unit", "email", "roles", "language"] {
        let e = SegmentKind::attribute(taken).unwrap_err();
        assert!(e.contains("built-in"), "{taken}: {e}");
    }
    assert!(SegmentKind::from_stored("attribute:Bad").is_err());
}

#[test]
fn a_custom_attribute_is_a_breakdown_only_when_someone_has_a_value() {
    let catalog = crate::survey_templates::Catalog::load(None).expect("shipped templates");
    let template = catalog.default_template();
    let mut people: Vec<Invitee> = (0..4)
        .map(|i| invitee(Side::Customer, "", "", Some(if i < 2 { 2 } else { 4 })))
        .collect();
    let none = compute(1, template, &people);
    assert!(none
        .iter()
        .all(|g| !matches!(g.kind, SegmentKind::Attribute(_))));
    assert!(none[0].cells.iter().all(|c| c.attributes.is_empty()));
    people[0].attributes.insert("site".into(), "Lyon".into());
    people[1].attributes.insert("site".into(), "LYON ".into());
    people[2].attributes.insert("site".into(), "Paris".into());
    let groups = compute(1, template, &people);
    let site = SegmentKind::attribute("site").unwrap();
    let by_site: Vec<(&str, &str, u64)> = groups
        .iter()
        .filter(|g| g.kind == site)
        .map(|g| (g.key.as_str(), g.label.as_str(), g.responded))
        .collect();
    assert_eq!(
        by_site,
        [
            ("lyon", "Lyon", 2),
            ("paris", "Paris", 1),
            ("", NO_REGION, 1)
        ]
    );
    // Every cell of the side names the attribute, "" when not given.
    let whole = groups
        .iter()
        .find(|g| g.kind == SegmentKind::All && g.side == Side::Customer)
        .unwrap();
    let cells: Vec<(&str, u64)> = whole
        .cells
        .iter()
        .map(|c| (c.attributes["site"].as_str(), c.responded))
        .collect();
    assert_eq!(cells, [("", 1), ("lyon", 2), ("paris", 1)]);
    let stored = encode_cells(&whole.cells);
    assert_eq!(decode_cells(&stored).unwrap(), whole.cells);
}
