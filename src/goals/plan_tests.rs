//! Unit tests of `plan`, kept beside it in their own file.

use super::*;

fn ctx() -> PlanContext {
    PlanContext {
        roster: BTreeMap::from([(1, Side::Customer), (2, Side::Supplier)]),
        goals: BTreeSet::from([10]),
        dimensions: BTreeSet::from(["trust".to_owned(), "win_win".to_owned()]),
    }
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn good() -> ObjectiveInput {
    ObjectiveInput {
        title: " Joint forecast ".into(),
        customer_owner: Some(1),
        supplier_owner: Some(2),
        goals: vec![10, 10],
        dimensions: vec!["trust".into()],
        milestones: vec![MilestoneInput {
            title: "Draft".into(),
            due_on: "2027-01-31".into(),
            done_on: None,
            owner: Some(2),
        }],
        ..ObjectiveInput::default()
    }
}

fn fields(e: Vec<FieldProblem>) -> Vec<String> {
    e.into_iter().map(|p| p.field).collect()
}

#[test]
fn a_good_objective_is_trimmed_deduplicated_and_planned() {
    let o = validate(&good(), &ctx(), day("2026-12-04")).unwrap();
    assert_eq!(o.title, "Joint forecast");
    assert_eq!(o.status, Status::Planned);
    assert_eq!(o.goals, vec![10]);
    assert_eq!(o.milestones[0].due_on, day("2027-01-31"));
    assert_eq!(o.milestones[0].owner, 2);
}

#[test]
fn every_wrong_reference_is_named_by_its_field() {
    let mut input = good();
    input.customer_owner = Some(2);
    input.supplier_owner = Some(99);
    input.goals = vec![11];
    input.dimensions = vec!["speed".into()];
    input.status = Some("finished".into());
    input.milestones[0].owner = None;
    input.milestones[0].done_on = Some("2027-01-01".into());
    let e = fields(validate(&input, &ctx(), day("2026-12-04")).unwrap_err());
    assert_eq!(
        e,
        vec![
            "customer_owner",
            "supplier_owner",
            "status",
            "goals",
            "dimensions",
            "milestones[0].done_on",
            "milestones[0].owner"
        ]
    );
}

#[test]
fn the_milestone_state_says_overdue_due_today_open_or_done() {
    let today = day("2026-12-04");
    assert_eq!(
        milestone_state(day("2026-11-30"), None, today),
        ("overdue", "overdue since 2026-11-30 (4 days)".to_owned())
    );
    assert_eq!(milestone_state(today, None, today).0, "due today");
    assert_eq!(
        milestone_state(day("2026-12-05"), None, today).1,
        "due 2026-12-05 (in 1 day)"
    );
    assert_eq!(
        milestone_state(day("2026-11-30"), Some(day("2026-12-01")), today).1,
        "done 2026-12-01"
    );
}

#[test]
fn one_side_managers_mark_only_their_own_firms_milestones() {
    let r = PlanRight::of(Role::Manager, Visibility::Only(Side::Customer));
    assert!(r.marks(Side::Customer) && !r.marks(Side::Supplier) && !r.edits_everything());
    assert!(PlanRight::of(Role::Manager, Visibility::Both).edits_everything());
    assert!(PlanRight::of(Role::Admin, Visibility::Both).edits_everything());
    assert_eq!(
        PlanRight::of(Role::Ombudsman, Visibility::Both),
        PlanRight::ReadOnly
    );
}

#[test]
fn done_absent_is_today_and_null_reopens() {
    let today = day("2026-12-04");
    assert_eq!(
        validate_done(&DoneInput { done_on: None }, today).unwrap(),
        Some(today)
    );
    assert_eq!(
        validate_done(
            &DoneInput {
                done_on: Some(None)
            },
            today
        )
        .unwrap(),
        None
    );
    assert!(validate_done(
        &DoneInput {
            done_on: Some(Some("2026-12-05".into()))
        },
        today
    )
    .is_err());
}
