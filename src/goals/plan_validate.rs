//! Checking a plan's objectives and milestones against the partnership: every problem at
//! once, each naming its field.

use super::*;
use crate::i18n::{en, en1, en2, en3};

/// An objective checked against the partnership, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidObjective {
    pub title: String,
    pub description: String,
    pub customer_owner: i64,
    pub supplier_owner: i64,
    pub status: Status,
    pub goals: Vec<i64>,
    pub dimensions: Vec<String>,
    pub milestones: Vec<ValidMilestone>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValidMilestone {
    pub title: String,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
    pub owner: i64,
}

const TITLE_MAX: usize = 200;
const DESCRIPTION_MAX: usize = 4000;

struct Problems(Vec<FieldProblem>);

impl Problems {
    fn add(&mut self, field: &str, message: String) {
        self.0.push(FieldProblem {
            field: field.into(),
            message,
        });
    }
}

fn text(p: &mut Problems, field: &str, raw: &str, max: usize, required: bool) -> String {
    let t = raw.trim();
    if required && t.is_empty() {
        p.add(field, en("plan-error-empty"));
    } else if t.chars().count() > max {
        p.add(field, en1("plan-error-too-long", "max", max));
    }
    t.to_owned()
}

fn owner(
    p: &mut Problems,
    ctx: &PlanContext,
    field: &str,
    id: Option<i64>,
    side: Option<Side>,
) -> i64 {
    let Some(id) = id else {
        p.add(field, en("plan-error-no-owner"));
        return 0;
    };
    match (ctx.roster.get(&id), side) {
        (None, _) => p.add(field, en1("plan-error-not-on-roster", "person", id)),
        (Some(&actual), Some(wanted)) if actual != wanted => p.add(
            field,
            en3(
                "plan-error-wrong-firm",
                "person",
                id,
                "actual",
                actual.as_str(),
                "wanted",
                wanted.as_str(),
            ),
        ),
        _ => {}
    }
    id
}

fn date(p: &mut Problems, field: &str, raw: &str) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            p.add(
                field,
                en1(
                    "goal-error-not-a-date",
                    "value",
                    format!("{:?}", raw.trim()),
                ),
            );
            None
        }
    }
}

fn done_date(
    p: &mut Problems,
    field: &str,
    raw: Option<&str>,
    today: NaiveDate,
) -> Option<NaiveDate> {
    let raw = raw.map(str::trim).filter(|r| !r.is_empty())?;
    let d = date(p, field, raw)?;
    if d > today {
        p.add(field, en1("plan-error-done-later", "date", d));
    }
    Some(d)
}

fn milestone_into(
    p: &mut Problems,
    ctx: &PlanContext,
    prefix: &str,
    m: &MilestoneInput,
    today: NaiveDate,
) -> ValidMilestone {
    let title = text(p, &format!("{prefix}title"), &m.title, TITLE_MAX, true);
    let due_on = date(p, &format!("{prefix}due_on"), &m.due_on);
    let done_on = done_date(p, &format!("{prefix}done_on"), m.done_on.as_deref(), today);
    let owner = owner(p, ctx, &format!("{prefix}owner"), m.owner, None);
    ValidMilestone {
        title,
        due_on: due_on.unwrap_or_default(),
        done_on,
        owner,
    }
}

/// Checks an objective against the partnership: both owners on its roster and of their side,
/// goals of this partnership, dimensions of its template, milestones with dates and owners.
/// Every problem at once, each naming its field (`milestones[1].owner`).
pub fn validate(
    input: &ObjectiveInput,
    ctx: &PlanContext,
    today: NaiveDate,
) -> Result<ValidObjective, Vec<FieldProblem>> {
    let mut p = Problems(Vec::new());
    let title = text(&mut p, "title", &input.title, TITLE_MAX, true);
    let description = text(
        &mut p,
        "description",
        &input.description,
        DESCRIPTION_MAX,
        false,
    );
    let customer_owner = owner(
        &mut p,
        ctx,
        "customer_owner",
        input.customer_owner,
        Some(Side::Customer),
    );
    let supplier_owner = owner(
        &mut p,
        ctx,
        "supplier_owner",
        input.supplier_owner,
        Some(Side::Supplier),
    );
    let status = match input.status.as_deref().map(str::trim) {
        None | Some("") => Status::Planned,
        Some(raw) => Status::parse(raw).unwrap_or_else(|e| {
            p.add("status", e);
            Status::Planned
        }),
    };
    let mut goals = Vec::new();
    for &g in &input.goals {
        if !ctx.goals.contains(&g) {
            p.add("goals", en1("plan-error-unknown-goal", "goal", g));
        } else if !goals.contains(&g) {
            goals.push(g);
        }
    }
    let mut dimensions = Vec::new();
    for d in &input.dimensions {
        let d = d.trim();
        if !ctx.dimensions.contains(d) {
            let known: Vec<&str> = ctx.dimensions.iter().map(String::as_str).collect();
            p.add(
                "dimensions",
                en2(
                    "plan-error-unknown-dimension",
                    "dimension",
                    format!("{d:?}"),
                    "known",
                    known.join(", "),
                ),
            );
        } else if !dimensions.iter().any(|x| x == d) {
            dimensions.push(d.to_owned());
        }
    }
    let milestones = input
        .milestones
        .iter()
        .enumerate()
        .map(|(i, m)| milestone_into(&mut p, ctx, &format!("milestones[{i}]."), m, today))
        .collect();
    if !p.0.is_empty() {
        return Err(p.0);
    }
    Ok(ValidObjective {
        title,
        description,
        customer_owner,
        supplier_owner,
        status,
        goals,
        dimensions,
        milestones,
    })
}

/// Checks one milestone (added or edited on its own: fields without a prefix).
pub fn validate_milestone(
    input: &MilestoneInput,
    ctx: &PlanContext,
    today: NaiveDate,
) -> Result<ValidMilestone, Vec<FieldProblem>> {
    let mut p = Problems(Vec::new());
    let m = milestone_into(&mut p, ctx, "", input, today);
    if p.0.is_empty() {
        Ok(m)
    } else {
        Err(p.0)
    }
}

/// Checks a done date: absent → today, `null`/empty → not done.
pub fn validate_done(
    input: &DoneInput,
    today: NaiveDate,
) -> Result<Option<NaiveDate>, Vec<FieldProblem>> {
    let mut p = Problems(Vec::new());
    let done = match &input.done_on {
        None => Some(today),
        Some(raw) => done_date(&mut p, "done_on", raw.as_deref(), today),
    };
    if p.0.is_empty() {
        Ok(done)
    } else {
        Err(p.0)
    }
}
