//! The relationship plan as pages, the API and the demo change it: objectives with an owner
//! in each firm, linked goals and dimensions, milestones. Each use case checks what it is
//! given against the partnership (roster, goals, the dimensions of its template) and writes
//! with its audit entries in one transaction; who may call which is decided by
//! [`PlanRight`] in the adapters.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::schema::partnerships;
use crate::db::Conn;
use crate::error::ServiceError;
use crate::goals::plan::{self, DoneInput, ObjectiveView, PlanContext};
use crate::survey_templates::Catalog;

pub use crate::goals::plan::{
    dimension_figures, DimensionFigure, DoneInput as MilestoneDone, MilestoneInput, MilestoneView,
    ObjectiveInput, ObjectiveView as Objective, PersonRef, PlanRight, Status,
};

/// The dimensions an objective may name, id → name: those of the partnership's template as
/// the catalogue has it now, and of the template of its latest closed wave.
pub fn dimensions(
    conn: &mut Conn,
    catalog: &Catalog,
    partnership: i64,
) -> Result<Vec<(String, String)>, ServiceError> {
    let template_id: String = partnerships::table
        .find(partnership)
        .select(partnerships::template_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| ServiceError::NotFound(format!("there is no partnership {partnership}")))?;
    let mut out: Vec<(String, String)> = Vec::new();
    let mut add = |id: &str, name: &str| {
        if !out.iter().any(|(i, _)| i == id) {
            out.push((id.to_owned(), name.to_owned()));
        }
    };
    if let Some(t) = catalog.get(&template_id) {
        for d in t.dimensions() {
            add(d.id(), d.name());
        }
    }
    if let Some(t) = super::dashboard::latest_closed_template(conn, partnership)? {
        for d in t.dimensions() {
            add(d.id(), d.name());
        }
    }
    Ok(out)
}

fn context(
    conn: &mut Conn,
    catalog: &Catalog,
    partnership: i64,
) -> Result<PlanContext, ServiceError> {
    let dims: BTreeSet<String> = dimensions(conn, catalog, partnership)?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    PlanContext::load(conn, partnership, dims)
}

fn today() -> NaiveDate {
    crate::db::now().date()
}

/// Checks and stores a new objective (with its milestones). Every problem at once as
/// `Invalid`, nothing written.
pub fn create(
    conn: &mut Conn,
    catalog: &Catalog,
    partnership: i64,
    input: &ObjectiveInput,
    actor: &str,
) -> Result<i64, ServiceError> {
    let ctx = context(conn, catalog, partnership)?;
    let o = plan::validate(input, &ctx, today()).map_err(ServiceError::Invalid)?;
    Ok(plan::create(conn, partnership, &o, actor)?)
}

/// Checks and replaces an objective's fields and links. Milestones in `input` are refused:
/// they are added and changed one by one.
pub fn update(
    conn: &mut Conn,
    catalog: &Catalog,
    partnership: i64,
    objective: i64,
    input: &ObjectiveInput,
    actor: &str,
) -> Result<(), ServiceError> {
    let ctx = context(conn, catalog, partnership)?;
    if !input.milestones.is_empty() {
        return Err(ServiceError::Invalid(vec![crate::domain::FieldProblem {
            field: "milestones".into(),
            message: "milestones are added and changed on their own, not with the objective".into(),
        }]));
    }
    let o = plan::validate(input, &ctx, today()).map_err(ServiceError::Invalid)?;
    plan::update(conn, partnership, objective, &o, actor)
}

/// Checks and adds a milestone to an objective of the partnership.
pub fn add_milestone(
    conn: &mut Conn,
    catalog: &Catalog,
    partnership: i64,
    objective: i64,
    input: &MilestoneInput,
    actor: &str,
) -> Result<i64, ServiceError> {
    let ctx = context(conn, catalog, partnership)?;
    let m = plan::validate_milestone(input, &ctx, today()).map_err(ServiceError::Invalid)?;
    plan::add_milestone(conn, partnership, objective, &m, actor)
}

/// Checks and replaces a milestone's fields.
pub fn update_milestone(
    conn: &mut Conn,
    catalog: &Catalog,
    partnership: i64,
    milestone: i64,
    input: &MilestoneInput,
    actor: &str,
) -> Result<(), ServiceError> {
    plan::milestone_owner(conn, partnership, milestone)?;
    let ctx = context(conn, catalog, partnership)?;
    let m = plan::validate_milestone(input, &ctx, today()).map_err(ServiceError::Invalid)?;
    plan::update_milestone(conn, partnership, milestone, &m, actor)
}

/// Marks a milestone done (or not). `Ok(false)`, nothing written, when `right` does not
/// reach the milestone's owner's firm.
pub fn mark_milestone(
    conn: &mut Conn,
    partnership: i64,
    milestone: i64,
    input: &DoneInput,
    right: PlanRight,
    actor: &str,
) -> Result<bool, ServiceError> {
    plan::milestone_owner(conn, partnership, milestone)?;
    let done = plan::validate_done(input, today()).map_err(ServiceError::Invalid)?;
    plan::mark_milestone(conn, partnership, milestone, done, right, actor)
}

/// The partnership's plan on today's date.
pub fn for_partnership(
    conn: &mut Conn,
    partnership: i64,
) -> Result<Vec<ObjectiveView>, ServiceError> {
    plan::for_partnership(conn, partnership, today())
}

/// The objective `objective` of the partnership.
pub fn objective(
    conn: &mut Conn,
    partnership: i64,
    objective: i64,
) -> Result<ObjectiveView, ServiceError> {
    for_partnership(conn, partnership)?
        .into_iter()
        .find(|o| o.id == objective)
        .ok_or_else(|| {
            ServiceError::NotFound(format!(
                "there is no objective {objective} in this partnership"
            ))
        })
}

/// The roster people an owner may be chosen from: (id, name, side), by side then name.
pub fn roster(conn: &mut Conn, partnership: i64) -> Result<Vec<PersonRef>, ServiceError> {
    use crate::db::schema::people;
    let rows: Vec<(i64, String, String)> = people::table
        .filter(people::partnership_id.eq(partnership))
        .order((people::side.asc(), people::name.asc(), people::id.asc()))
        .select((people::id, people::name, people::side))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, name, side)| {
            let side = side
                .parse::<crate::domain::Side>()
                .map_err(|e| ServiceError::Internal(anyhow::anyhow!("person {id}: {e}")))?;
            Ok(PersonRef {
                id,
                name,
                side: side.as_str(),
            })
        })
        .collect()
}

/// Checks a goal's owner: a roster person of the partnership (either firm).
pub fn check_goal_owner(
    conn: &mut Conn,
    partnership: i64,
    owner: Option<i64>,
) -> Result<Vec<crate::domain::FieldProblem>, ServiceError> {
    let Some(person) = owner else {
        return Ok(Vec::new());
    };
    let on_roster = roster(conn, partnership)?.iter().any(|p| p.id == person);
    Ok(if on_roster {
        Vec::new()
    } else {
        vec![crate::domain::FieldProblem {
            field: "owner".into(),
            message: format!("person {person} is not on this partnership's roster"),
        }]
    })
}

/// The objective a milestone of the partnership belongs to.
pub fn milestone_objective(
    conn: &mut Conn,
    partnership: i64,
    milestone: i64,
) -> Result<i64, ServiceError> {
    Ok(plan::milestone_owner(conn, partnership, milestone)?.0)
}

/// The partnership's goals as (id, metric key and due date), for forms shown before any wave
/// has closed (when goals cannot yet be worded from the report).
pub fn goal_ids(conn: &mut Conn, partnership: i64) -> Result<Vec<(i64, String)>, ServiceError> {
    use crate::db::schema::goals;
    let rows: Vec<(i64, String, String, NaiveDate)> = goals::table
        .filter(goals::partnership_id.eq(partnership))
        .order(goals::id.asc())
        .select((goals::id, goals::metric, goals::target_scope, goals::due_on))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, metric, scope, due)| (id, format!("{metric}:{scope} by {due}")))
        .collect())
}
