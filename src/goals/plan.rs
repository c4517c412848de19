//! The relationship plan: joint objectives of the two firms (what — who — when). Each
//! objective has an owner in the customer firm and one in the supplier firm (roster people of
//! the partnership, of that side), a status, links to the partnership's goals and to the
//! template dimensions it should move, and milestones (due date, done date, an owner of
//! either firm).
//!
//! Owners are named from the roster: the plan says who owns what, never what anyone
//! answered. The figures shown beside a linked dimension come from the restricted report
//! ([`dimension_figures`]), so a withheld group gives the word "withheld", never a number.
//! Every change is written with its audit entry in one transaction.

use crate::i18n::{en, en1, en2};
use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::{Role, Visibility};
use crate::db::schema::{
    goal_owners, goals, people, plan_milestones, plan_objective_dimensions, plan_objective_goals,
    plan_objectives,
};
use crate::db::Conn;
use crate::domain::{FieldProblem, Side};
use crate::error::ServiceError;
use crate::reports::report::Report;

/// Where an objective stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = ObjectiveStatus)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Planned,
    InProgress,
    Done,
    Dropped,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Planned,
        Status::InProgress,
        Status::Done,
        Status::Dropped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Planned => "planned",
            Status::InProgress => "in_progress",
            Status::Done => "done",
            Status::Dropped => "dropped",
        }
    }

    /// In words, for pages.
    pub fn label(self) -> String {
        en(match self {
            Status::Planned => "plan-status-planned",
            Status::InProgress => "plan-status-in-progress",
            Status::Done => "plan-status-done",
            Status::Dropped => "plan-status-dropped",
        })
    }

    pub fn parse(raw: &str) -> Result<Status, String> {
        let t = raw.trim();
        Status::ALL
            .into_iter()
            .find(|s| s.as_str() == t || s.label() == t)
            .ok_or_else(|| en1("plan-error-status", "value", format!("{t:?}")))
    }
}

/// What may a caller change in a partnership's plan. Administrators and managers of both
/// firms change everything; a manager of one firm may only mark their own firm's milestones
/// done (or not done); ombudsmen read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanRight {
    Everything,
    OwnSideMilestones(Side),
    ReadOnly,
}

impl PlanRight {
    pub fn of(role: Role, v: Visibility) -> PlanRight {
        match (role, v) {
            (Role::Admin, _) | (Role::Manager, Visibility::Both) => PlanRight::Everything,
            (Role::Manager, Visibility::Only(side)) => PlanRight::OwnSideMilestones(side),
            _ => PlanRight::ReadOnly,
        }
    }

    pub fn edits_everything(self) -> bool {
        self == PlanRight::Everything
    }

    /// May mark done a milestone whose owner is on `owner_side`.
    pub fn marks(self, owner_side: Side) -> bool {
        match self {
            PlanRight::Everything => true,
            PlanRight::OwnSideMilestones(s) => s == owner_side,
            PlanRight::ReadOnly => false,
        }
    }
}

/// An objective as asked for (the form and the API). Milestones are taken on creation only;
/// later ones are added one by one.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveInput {
    #[schema(example = "Joint forecast for the 2027 volumes")]
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Roster person id: a person of the customer firm in this partnership.
    pub customer_owner: Option<i64>,
    /// Roster person id: a person of the supplier firm in this partnership.
    pub supplier_owner: Option<i64>,
    /// `planned` (default), `in_progress`, `done` or `dropped`.
    #[serde(default)]
    #[schema(example = "planned")]
    pub status: Option<String>,
    /// Ids of goals of this partnership the objective serves.
    #[serde(default)]
    pub goals: Vec<i64>,
    /// Dimension ids of the partnership's survey template it should move.
    #[serde(default)]
    #[schema(example = json!(["trust"]))]
    pub dimensions: Vec<String>,
    #[serde(default)]
    pub milestones: Vec<MilestoneInput>,
}

/// A milestone as asked for.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneInput {
    pub title: String,
    /// `YYYY-MM-DD`.
    #[schema(format = Date, example = "2027-03-31")]
    pub due_on: String,
    /// `YYYY-MM-DD`, not after today; absent or empty while not done.
    #[serde(default)]
    #[schema(format = Date)]
    pub done_on: Option<String>,
    /// Roster person id: a person of either firm in this partnership.
    pub owner: Option<i64>,
}

/// Marking a milestone done (a date, default today) or not done (`null`).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DoneInput {
    /// `YYYY-MM-DD`, not after today; `null` reopens the milestone. Absent: today.
    #[serde(default, deserialize_with = "present")]
    #[schema(format = Date, nullable)]
    pub done_on: Option<Option<String>>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// What the partnership has that an objective may name: its roster (id → side), goals and
/// the dimensions of its template.
pub struct PlanContext {
    pub roster: BTreeMap<i64, Side>,
    pub goals: BTreeSet<i64>,
    pub dimensions: BTreeSet<String>,
}

impl PlanContext {
    pub fn load(
        conn: &mut Conn,
        partnership_id: i64,
        dimensions: BTreeSet<String>,
    ) -> Result<PlanContext, ServiceError> {
        let rows: Vec<(i64, String)> = people::table
            .filter(people::partnership_id.eq(partnership_id))
            .select((people::id, people::side))
            .load(conn)?;
        let mut roster = BTreeMap::new();
        for (id, side) in rows {
            let side = side
                .parse::<Side>()
                .map_err(|e| ServiceError::Internal(anyhow::anyhow!("person {id}: {e}")))?;
            roster.insert(id, side);
        }
        let goals = goals::table
            .filter(goals::partnership_id.eq(partnership_id))
            .select(goals::id)
            .load::<i64>(conn)?
            .into_iter()
            .collect();
        Ok(PlanContext {
            roster,
            goals,
            dimensions,
        })
    }
}

#[path = "plan_validate.rs"]
mod validate;
pub use validate::{validate, validate_done, validate_milestone, ValidMilestone, ValidObjective};

fn not_found(what: &str, id: i64) -> ServiceError {
    ServiceError::NotFound(format!("there is no {what} {id} in this partnership"))
}

fn insert_links(conn: &mut Conn, id: i64, o: &ValidObjective) -> QueryResult<()> {
    for &g in &o.goals {
        diesel::insert_into(plan_objective_goals::table)
            .values((
                plan_objective_goals::objective_id.eq(id),
                plan_objective_goals::goal_id.eq(g),
            ))
            .execute(conn)?;
    }
    for d in &o.dimensions {
        diesel::insert_into(plan_objective_dimensions::table)
            .values((
                plan_objective_dimensions::objective_id.eq(id),
                plan_objective_dimensions::dimension.eq(d),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn insert_milestone(
    conn: &mut Conn,
    objective: i64,
    m: &ValidMilestone,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(plan_milestones::table)
        .values((
            plan_milestones::objective_id.eq(objective),
            plan_milestones::title.eq(&m.title),
            plan_milestones::due_on.eq(m.due_on),
            plan_milestones::done_on.eq(m.done_on),
            plan_milestones::owner_id.eq(m.owner),
            plan_milestones::created_at.eq(now),
            plan_milestones::updated_at.eq(now),
        ))
        .returning(plan_milestones::id)
        .get_result(conn)
}

fn objective_details(o: &ValidObjective) -> String {
    format!(
        "{:?}, status {}, owners person {} (customer) and person {} (supplier), goals {:?}, dimensions {:?}",
        o.title,
        o.status.as_str(),
        o.customer_owner,
        o.supplier_owner,
        o.goals,
        o.dimensions
    )
}

fn milestone_details(m: &ValidMilestone) -> String {
    format!(
        "{:?} due {}, owner person {}, {}",
        m.title,
        m.due_on,
        m.owner,
        m.done_on
            .map_or_else(|| "not done".to_owned(), |d| format!("done {d}"))
    )
}

/// Stores an objective, its links and milestones, with the audit entries
/// (`plan.objective_created`, `plan.milestone_added` each), in one transaction.
pub fn create(
    conn: &mut Conn,
    partnership_id: i64,
    o: &ValidObjective,
    actor: &str,
) -> QueryResult<i64> {
    conn.write_transaction(|conn| {
        let now = crate::db::now();
        let id: i64 = diesel::insert_into(plan_objectives::table)
            .values((
                plan_objectives::partnership_id.eq(partnership_id),
                plan_objectives::title.eq(&o.title),
                plan_objectives::description.eq(&o.description),
                plan_objectives::customer_owner_id.eq(o.customer_owner),
                plan_objectives::supplier_owner_id.eq(o.supplier_owner),
                plan_objectives::status.eq(o.status.as_str()),
                plan_objectives::created_at.eq(now),
                plan_objectives::updated_at.eq(now),
            ))
            .returning(plan_objectives::id)
            .get_result(conn)?;
        insert_links(conn, id, o)?;
        let target = format!("partnership {partnership_id}");
        crate::auth::audit(
            conn,
            actor,
            "plan.objective_created",
            &target,
            &format!("objective {id}: {}", objective_details(o)),
        )?;
        for m in &o.milestones {
            let mid = insert_milestone(conn, id, m, now)?;
            crate::auth::audit(
                conn,
                actor,
                "plan.milestone_added",
                &target,
                &format!("objective {id}, milestone {mid}: {}", milestone_details(m)),
            )?;
        }
        Ok(id)
    })
}

fn objective_exists(conn: &mut Conn, partnership_id: i64, id: i64) -> Result<(), ServiceError> {
    let found: Option<i64> = plan_objectives::table
        .filter(plan_objectives::id.eq(id))
        .filter(plan_objectives::partnership_id.eq(partnership_id))
        .select(plan_objectives::id)
        .first(conn)
        .optional()?;
    found.map(|_| ()).ok_or_else(|| not_found("objective", id))
}

/// Replaces an objective's fields and links (not its milestones), with its audit entry
/// (`plan.objective_updated`), in one transaction.
pub fn update(
    conn: &mut Conn,
    partnership_id: i64,
    id: i64,
    o: &ValidObjective,
    actor: &str,
) -> Result<(), ServiceError> {
    conn.write_transaction(|conn| {
        objective_exists(conn, partnership_id, id)?;
        diesel::update(plan_objectives::table.find(id))
            .set((
                plan_objectives::title.eq(&o.title),
                plan_objectives::description.eq(&o.description),
                plan_objectives::customer_owner_id.eq(o.customer_owner),
                plan_objectives::supplier_owner_id.eq(o.supplier_owner),
                plan_objectives::status.eq(o.status.as_str()),
                plan_objectives::updated_at.eq(crate::db::now()),
            ))
            .execute(conn)?;
        diesel::delete(
            plan_objective_goals::table.filter(plan_objective_goals::objective_id.eq(id)),
        )
        .execute(conn)?;
        diesel::delete(
            plan_objective_dimensions::table.filter(plan_objective_dimensions::objective_id.eq(id)),
        )
        .execute(conn)?;
        insert_links(conn, id, o)?;
        crate::auth::audit(
            conn,
            actor,
            "plan.objective_updated",
            &format!("partnership {partnership_id}"),
            &format!("objective {id}: {}", objective_details(o)),
        )?;
        Ok(())
    })
}

/// Adds a milestone to an objective, with its audit entry (`plan.milestone_added`).
pub fn add_milestone(
    conn: &mut Conn,
    partnership_id: i64,
    objective: i64,
    m: &ValidMilestone,
    actor: &str,
) -> Result<i64, ServiceError> {
    conn.write_transaction(|conn| {
        objective_exists(conn, partnership_id, objective)?;
        let mid = insert_milestone(conn, objective, m, crate::db::now())?;
        crate::auth::audit(
            conn,
            actor,
            "plan.milestone_added",
            &format!("partnership {partnership_id}"),
            &format!(
                "objective {objective}, milestone {mid}: {}",
                milestone_details(m)
            ),
        )?;
        Ok(mid)
    })
}

/// The objective of a milestone of the partnership and its owner's side.
pub fn milestone_owner(
    conn: &mut Conn,
    partnership_id: i64,
    milestone: i64,
) -> Result<(i64, Side), ServiceError> {
    let (objective, side): (i64, String) = plan_milestones::table
        .inner_join(plan_objectives::table)
        .inner_join(people::table)
        .filter(plan_milestones::id.eq(milestone))
        .filter(plan_objectives::partnership_id.eq(partnership_id))
        .select((plan_milestones::objective_id, people::side))
        .first(conn)
        .optional()?
        .ok_or_else(|| not_found("milestone", milestone))?;
    let side = side
        .parse::<Side>()
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("milestone {milestone}: {e}")))?;
    Ok((objective, side))
}

/// Replaces a milestone's fields, with its audit entry (`plan.milestone_updated`).
pub fn update_milestone(
    conn: &mut Conn,
    partnership_id: i64,
    milestone: i64,
    m: &ValidMilestone,
    actor: &str,
) -> Result<(), ServiceError> {
    conn.write_transaction(|conn| {
        let (objective, _) = milestone_owner(conn, partnership_id, milestone)?;
        diesel::update(plan_milestones::table.find(milestone))
            .set((
                plan_milestones::title.eq(&m.title),
                plan_milestones::due_on.eq(m.due_on),
                plan_milestones::done_on.eq(m.done_on),
                plan_milestones::owner_id.eq(m.owner),
                plan_milestones::updated_at.eq(crate::db::now()),
            ))
            .execute(conn)?;
        crate::auth::audit(
            conn,
            actor,
            "plan.milestone_updated",
            &format!("partnership {partnership_id}"),
            &format!(
                "objective {objective}, milestone {milestone}: {}",
                milestone_details(m)
            ),
        )?;
        Ok(())
    })
}

/// Marks a milestone done on `done_on` (or not done), with its audit entry
/// (`plan.milestone_done` or `plan.milestone_reopened`). `Ok(false)`, changing nothing, when
/// `right` may not mark this milestone (its owner is of the other firm).
pub fn mark_milestone(
    conn: &mut Conn,
    partnership_id: i64,
    milestone: i64,
    done_on: Option<NaiveDate>,
    right: PlanRight,
    actor: &str,
) -> Result<bool, ServiceError> {
    conn.write_transaction(|conn| {
        let (objective, side) = milestone_owner(conn, partnership_id, milestone)?;
        if !right.marks(side) {
            return Ok(false);
        }
        diesel::update(plan_milestones::table.find(milestone))
            .set((
                plan_milestones::done_on.eq(done_on),
                plan_milestones::updated_at.eq(crate::db::now()),
            ))
            .execute(conn)?;
        let (action, words) = match done_on {
            Some(d) => ("plan.milestone_done", format!("done {d}")),
            None => ("plan.milestone_reopened", "not done".to_owned()),
        };
        crate::auth::audit(
            conn,
            actor,
            action,
            &format!("partnership {partnership_id}"),
            &format!("objective {objective}, milestone {milestone}: {words}"),
        )?;
        Ok(true)
    })
}

/// A roster person as the plan names them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PersonRef {
    pub id: i64,
    pub name: String,
    /// `customer` or `supplier`.
    pub side: &'static str,
}

/// A milestone with its state in words.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MilestoneView {
    pub id: i64,
    pub title: String,
    #[schema(value_type = String, format = Date)]
    pub due_on: NaiveDate,
    #[schema(value_type = Option<String>, format = Date)]
    pub done_on: Option<NaiveDate>,
    pub owner: PersonRef,
    /// `done`, `overdue`, `due today` or `open`.
    pub state: &'static str,
    /// "overdue since 2026-11-30 (4 days)", "due 2027-01-15 (in 42 days)", "done 2026-10-02".
    pub state_text: String,
}

/// An objective with its owners, links and milestones (soonest due first).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ObjectiveView {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub customer_owner: PersonRef,
    pub supplier_owner: PersonRef,
    pub status: Status,
    pub status_label: String,
    pub goals: Vec<i64>,
    pub dimensions: Vec<String>,
    pub milestones: Vec<MilestoneView>,
    /// Milestones past their due date and not done.
    pub overdue: usize,
    #[schema(value_type = String, format = DateTime)]
    #[serde(serialize_with = "crate::domain::utc::rfc3339")]
    pub updated_at: NaiveDateTime,
}

impl ObjectiveView {
    /// The first milestone not done, by due date.
    pub fn next_milestone(&self) -> Option<&MilestoneView> {
        self.milestones.iter().find(|m| m.done_on.is_none())
    }
}

/// The state of a milestone on `today`, as a word and a sentence.
pub fn milestone_state(
    due_on: NaiveDate,
    done_on: Option<NaiveDate>,
    today: NaiveDate,
) -> (&'static str, String) {
    if let Some(d) = done_on {
        return ("done", en1("plan-milestone-done", "date", d));
    }
    let days = (due_on - today).num_days();
    match days {
        0 => ("due today", en1("plan-milestone-due-today", "date", due_on)),
        d if d < 0 => (
            "overdue",
            en2("plan-milestone-overdue", "date", due_on, "days", -d),
        ),
        d => ("open", en2("plan-milestone-due", "date", due_on, "days", d)),
    }
}

type ObjectiveRow = (i64, String, String, i64, i64, String, NaiveDateTime);

/// The partnership's plan, objectives in the order they were made, judged on `today`.
pub fn for_partnership(
    conn: &mut Conn,
    partnership_id: i64,
    today: NaiveDate,
) -> Result<Vec<ObjectiveView>, ServiceError> {
    let rows: Vec<ObjectiveRow> = plan_objectives::table
        .filter(plan_objectives::partnership_id.eq(partnership_id))
        .order(plan_objectives::id.asc())
        .select((
            plan_objectives::id,
            plan_objectives::title,
            plan_objectives::description,
            plan_objectives::customer_owner_id,
            plan_objectives::supplier_owner_id,
            plan_objectives::status,
            plan_objectives::updated_at,
        ))
        .load(conn)?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let roster: BTreeMap<i64, (String, String)> = people::table
        .filter(people::partnership_id.eq(partnership_id))
        .select((people::id, people::name, people::side))
        .load::<(i64, String, String)>(conn)?
        .into_iter()
        .map(|(id, name, side)| (id, (name, side)))
        .collect();
    let person = |id: i64| -> Result<PersonRef, ServiceError> {
        let (name, side) = roster.get(&id).ok_or_else(|| {
            ServiceError::Internal(anyhow::anyhow!("plan owner {id} is not on the roster"))
        })?;
        let side = side
            .parse::<Side>()
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!("person {id}: {e}")))?;
        Ok(PersonRef {
            id,
            name: name.clone(),
            side: side.as_str(),
        })
    };
    let mut goal_links: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (o, g) in plan_objective_goals::table
        .filter(plan_objective_goals::objective_id.eq_any(&ids))
        .order(plan_objective_goals::goal_id.asc())
        .select((
            plan_objective_goals::objective_id,
            plan_objective_goals::goal_id,
        ))
        .load::<(i64, i64)>(conn)?
    {
        goal_links.entry(o).or_default().push(g);
    }
    let mut dimension_links: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for (o, d) in plan_objective_dimensions::table
        .filter(plan_objective_dimensions::objective_id.eq_any(&ids))
        .order(plan_objective_dimensions::dimension.asc())
        .select((
            plan_objective_dimensions::objective_id,
            plan_objective_dimensions::dimension,
        ))
        .load::<(i64, String)>(conn)?
    {
        dimension_links.entry(o).or_default().push(d);
    }
    let mut milestones: BTreeMap<i64, Vec<MilestoneView>> = BTreeMap::new();
    for (id, o, title, due_on, done_on, owner) in plan_milestones::table
        .filter(plan_milestones::objective_id.eq_any(&ids))
        .order((plan_milestones::due_on.asc(), plan_milestones::id.asc()))
        .select((
            plan_milestones::id,
            plan_milestones::objective_id,
            plan_milestones::title,
            plan_milestones::due_on,
            plan_milestones::done_on,
            plan_milestones::owner_id,
        ))
        .load::<(i64, i64, String, NaiveDate, Option<NaiveDate>, i64)>(conn)?
    {
        let (state, state_text) = milestone_state(due_on, done_on, today);
        milestones.entry(o).or_default().push(MilestoneView {
            id,
            title,
            due_on,
            done_on,
            owner: person(owner)?,
            state,
            state_text,
        });
    }
    let mut out = Vec::new();
    for (id, title, description, customer, supplier, status, updated_at) in rows {
        let status = Status::parse(&status)
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!("objective {id}: {e}")))?;
        let milestones = milestones.remove(&id).unwrap_or_default();
        out.push(ObjectiveView {
            id,
            title,
            description,
            customer_owner: person(customer)?,
            supplier_owner: person(supplier)?,
            status,
            status_label: status.label(),
            goals: goal_links.remove(&id).unwrap_or_default(),
            dimensions: dimension_links.remove(&id).unwrap_or_default(),
            overdue: milestones.iter().filter(|m| m.state == "overdue").count(),
            milestones,
            updated_at,
        });
    }
    Ok(out)
}

/// The owner of each goal of the partnership that names one: goal id → person.
pub fn goal_owners(
    conn: &mut Conn,
    partnership_id: i64,
) -> Result<BTreeMap<i64, PersonRef>, ServiceError> {
    let rows: Vec<(i64, i64, String, String)> = goal_owners::table
        .inner_join(goals::table)
        .inner_join(people::table)
        .filter(goals::partnership_id.eq(partnership_id))
        .select((goal_owners::goal_id, people::id, people::name, people::side))
        .load(conn)?;
    let mut out = BTreeMap::new();
    for (goal, id, name, side) in rows {
        let side = side
            .parse::<Side>()
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!("person {id}: {e}")))?;
        out.insert(
            goal,
            PersonRef {
                id,
                name,
                side: side.as_str(),
            },
        );
    }
    Ok(out)
}

/// Names `person` the owner of goal `goal` (inside the caller's transaction).
pub fn set_goal_owner(conn: &mut Conn, goal: i64, person: i64) -> QueryResult<()> {
    diesel::delete(goal_owners::table.filter(goal_owners::goal_id.eq(goal))).execute(conn)?;
    diesel::insert_into(goal_owners::table)
        .values((
            goal_owners::goal_id.eq(goal),
            goal_owners::person_id.eq(person),
        ))
        .execute(conn)
        .map(|_| ())
}

/// One firm's latest figure on a linked dimension, from the restricted report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DimensionFigure {
    pub side: &'static str,
    /// The wave the figure is of.
    pub wave: Option<i64>,
    /// The firm's mean on the dimension; `null` when withheld or not asked.
    pub mean: Option<f64>,
    /// Change from the wave before (both shown); `null` otherwise.
    pub change: Option<f64>,
    /// Why the figure is withheld (below the minimum reporting size); `null` when shown.
    pub withheld: Option<String>,
}

/// For each side in `sides`, the dimension's whole-side mean at the latest wave up to
/// `up_to` (all waves when `None`) and its change from the wave before. A withheld group
/// gives `withheld` and no number; a withheld previous wave gives no change.
pub fn dimension_figures(
    report: &Report,
    dimension: &str,
    sides: &[Side],
    up_to: Option<i64>,
) -> Vec<DimensionFigure> {
    let waves: Vec<i64> = report
        .waves
        .iter()
        .map(|w| w.wave)
        .filter(|w| up_to.is_none_or(|u| *w <= u))
        .collect();
    let record = |wave: i64, side: Side| {
        report.dimensions.iter().find(|d| {
            d.id.wave == wave
                && d.id.side == side
                && d.id.segment_kind == "all"
                && d.id.segment.is_none()
                && d.dimension == dimension
        })
    };
    let mean_of = |wave: i64, side: Side| {
        record(wave, side)
            .filter(|r| r.id.suppressed.is_none())
            .and_then(|r| r.stats.as_ref()?.summary.mean)
    };
    sides
        .iter()
        .map(|&side| {
            let latest = waves.iter().rev().find(|&&w| record(w, side).is_some());
            let Some(&wave) = latest else {
                return DimensionFigure {
                    side: side.as_str(),
                    wave: None,
                    mean: None,
                    change: None,
                    withheld: None,
                };
            };
            let rec = record(wave, side);
            let withheld = rec.and_then(|r| r.id.suppressed.clone());
            let mean = if withheld.is_some() {
                None
            } else {
                mean_of(wave, side)
            };
            let previous = waves.iter().rev().find(|&&w| w < wave).copied();
            let change = match (mean, previous.and_then(|w| mean_of(w, side))) {
                (Some(now), Some(before)) => Some(now - before),
                _ => None,
            };
            DimensionFigure {
                side: side.as_str(),
                wave: Some(wave),
                mean,
                change,
                withheld,
            }
        })
        .collect()
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
