//! rwg, rwg(j), awg and AD_M on scales other than five points (A = 2, 4, 7) against reference
//! values computed independently from R `multilevel`'s formulas by
//! `tests/fixtures/scales/reference.py` (exact fractions, no Rust involved).

use serde_json::Value;

use super::sample::ItemHistogram;
use super::{ad_m, awg, dimension_agreement, rwg};

const REFERENCE: &str = include_str!("../../tests/fixtures/scales/reference.json");

fn histogram(points: u8, answers: &Value) -> ItemHistogram {
    let mut h = ItemHistogram::empty(points);
    for v in answers.as_array().expect("answers") {
        let v = u8::try_from(v.as_u64().expect("a whole answer")).expect("small");
        assert!(h.record(v), "{v} is on the {points}-point scale");
    }
    h
}

fn close(ours: Option<f64>, reference: &Value, what: &str) {
    match (ours, reference.as_f64()) {
        (None, None) => {}
        (Some(a), Some(b)) => assert!((a - b).abs() < 1e-12, "{what}: ours {a}, reference {b}"),
        (a, _) => panic!("{what}: ours {a:?}, reference {reference}"),
    }
}

#[test]
fn single_item_agreement_matches_the_reference_on_two_four_and_seven_points() {
    let reference: Value = serde_json::from_str(REFERENCE).expect("reference JSON");
    let items = reference["items"].as_array().expect("items");
    for points in [2, 4, 7] {
        assert!(
            items.iter().any(|c| c["points"] == points),
            "the reference covers A = {points}"
        );
    }
    for case in items {
        let points = u8::try_from(case["points"].as_u64().expect("points")).expect("small");
        let h = histogram(points, &case["answers"]);
        let what = |s: &str| format!("{s} of {} on A = {points}", case["answers"]);
        close(rwg(&h), &case["rwg"], &what("rwg"));
        close(awg(&h), &case["awg"], &what("awg"));
        close(ad_m(&h), &case["ad_m"], &what("ad_m"));
    }
}

#[test]
fn rwg_j_matches_the_reference_on_two_four_and_seven_points() {
    let reference: Value = serde_json::from_str(REFERENCE).expect("reference JSON");
    for case in reference["dimensions"].as_array().expect("dimensions") {
        let points = u8::try_from(case["points"].as_u64().expect("points")).expect("small");
        let items: Vec<ItemHistogram> = case["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|answers| histogram(points, answers))
            .collect();
        close(
            dimension_agreement(&items).rwg_j,
            &case["rwg_j"],
            &format!("rwg_j of {} on A = {points}", case["items"]),
        );
    }
}

#[test]
fn the_same_answers_agree_more_on_a_wider_scale() {
    // 3, 4, 4, 2: s² = 0.9167; σ²_EU = 1.25 on four points, 2.0 on five.
    let four = ItemHistogram::from_counts(&[0, 1, 1, 2], 0);
    let five = ItemHistogram::from_counts(&[0, 1, 1, 2, 0], 0);
    let s2 = 11.0 / 12.0;
    assert!((rwg(&four).unwrap() - (1.0 - s2 / 1.25)).abs() < 1e-15);
    assert!((rwg(&five).unwrap() - (1.0 - s2 / 2.0)).abs() < 1e-15);
    // awg's upper bound is A: everyone at 4 is the top of four points, not of five.
    let all_four = ItemHistogram::from_counts(&[0, 0, 0, 3], 0);
    assert_eq!(awg(&all_four), Some(1.0));
    let all_four_of_five = ItemHistogram::from_counts(&[0, 0, 0, 3, 0], 0);
    assert_eq!(
        awg(&all_four_of_five),
        None,
        "mean 4 of 3 answers is too close to 5"
    );
}

#[test]
fn critical_values_are_those_of_the_scales_own_number_of_points() {
    let four = super::precompute_critical_values([(8, 1), (8, 3)], 4);
    assert_eq!(four[&(8, 1)], super::rwg_crit95(8, 4).unwrap());
    assert_eq!(four[&(8, 3)], super::rwg_j_crit95(8, 3, 4).unwrap());
    assert_ne!(four[&(8, 1)], super::rwg_crit95(8, 5).unwrap());
}

#[test]
fn an_answer_off_the_scale_is_not_recorded() {
    let mut h = ItemHistogram::empty(4);
    assert!(!h.record(5));
    assert!(!h.record(0));
    assert!(h.record(4));
    assert_eq!(h.answer_counts(), [0, 0, 0, 1]);
}
