//! Goals in the database, and a partnership's goals with their progress.

use crate::i18n::{en, en1, en2, en_with};
use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::{evaluate, series, Metric, Names, Progress};
use crate::auth::Visibility;
use crate::db::schema::{goals, kpis, users};
use crate::db::Conn;
use crate::domain::FieldProblem;
use crate::error::ServiceError;
use crate::reports::report::Report;

/// What a person asks for when setting a goal (the form and the API).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalInput {
    /// `mean:<side>:<dimension>`, `gap:<dimension>`, `agreement:<side>:<dimension>`,
    /// `response_rate:<customer|supplier|both>` or `kpi:<name>`.
    #[schema(
        pattern = "^(mean:(customer|supplier):.+|gap:.+|agreement:(customer|supplier):.+|response_rate:(customer|supplier|both)|kpi:.+)$",
        example = "mean:supplier:trust"
    )]
    pub metric: String,
    /// In the metric's unit: scale points, rwg(j), per cent, or the KPI's unit.
    #[schema(pattern = r"^-?[0-9]+(\.[0-9]+)?$", example = "3.5")]
    pub target: String,
    /// `YYYY-MM-DD`, after today.
    #[schema(format = Date, example = "2027-06-30")]
    pub due_on: String,
    /// Roster person id of the goal's owner, a person of either firm in this partnership;
    /// absent for none.
    #[serde(default)]
    pub owner: Option<i64>,
}

/// A goal with its progress, as pages and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GoalView {
    pub id: i64,
    pub metric: String,
    /// The metric in words.
    pub label: String,
    pub target: f64,
    /// `≥` or `≤`.
    pub direction: &'static str,
    #[schema(value_type = String, format = Date)]
    pub due_on: NaiveDate,
    pub set_by: Option<String>,
    /// The roster person who owns the goal, if one is named.
    pub owner: Option<super::plan::PersonRef>,
    #[schema(value_type = String, format = DateTime)]
    #[serde(serialize_with = "crate::domain::utc::rfc3339")]
    pub created_at: NaiveDateTime,
    pub progress: Progress,
    /// The whole sentence: "Trust: Contoso's mean ≥ 3.80 by 2027-06-30".
    pub text: String,
    /// Where it stands, in words: "now 3.52 (wave 8), 40 % of the way from 3.40; …".
    pub progress_text: String,
}

/// A goal checked against what the partnership has, ready to store.
pub struct ValidGoal {
    pub metric: Metric,
    pub target: f64,
    pub due_on: NaiveDate,
}

/// Checks a goal: the metric exists in this partnership (its dimensions, its KPIs), the
/// viewer may see it, the target is a number in range, the date is after `today`. Every
/// problem at once, each naming its field.
pub fn validate(
    input: &GoalInput,
    report: &Report,
    kpi_names: &[String],
    v: Visibility,
    today: NaiveDate,
) -> Result<ValidGoal, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let mut problem = |field: &str, message: String| {
        problems.push(FieldProblem {
            field: field.into(),
            message,
        })
    };
    let metric = match Metric::parse_key(input.metric.trim()) {
        Ok(m) => {
            let known_dimension = m.dimension().is_none_or(|d| {
                report.dimensions.iter().any(|r| r.dimension == d)
                    || report
                        .inter_firm
                        .dimensions
                        .iter()
                        .any(|r| r.dimension.as_deref() == Some(d))
            });
            if !m.visible_to(v) {
                problem("metric", en("goal-error-not-visible"));
                None
            } else if !known_dimension {
                problem(
                    "metric",
                    en1(
                        "goal-error-unknown-dimension",
                        "dimension",
                        format!("{:?}", m.dimension().unwrap_or_default()),
                    ),
                );
                None
            } else if matches!(&m, Metric::Kpi { name } if !kpi_names.contains(name)) {
                problem("metric", en("goal-error-unknown-kpi"));
                None
            } else {
                Some(m)
            }
        }
        Err(e) => {
            problem("metric", e);
            None
        }
    };
    let target = match input.target.trim().replace(',', ".").parse::<f64>() {
        Ok(t) if t.is_finite() => match metric.as_ref().and_then(Metric::target_range) {
            Some((lo, hi, unit)) if !(lo..=hi).contains(&t) => {
                problem(
                    "target",
                    en2("goal-error-out-of-range", "target", t, "unit", unit),
                );
                None
            }
            _ => Some(t),
        },
        _ => {
            problem(
                "target",
                en1(
                    "goal-error-not-a-number",
                    "value",
                    format!("{:?}", input.target.trim()),
                ),
            );
            None
        }
    };
    let due_on = match NaiveDate::parse_from_str(input.due_on.trim(), "%Y-%m-%d") {
        Ok(d) if d > today => Some(d),
        Ok(d) => {
            problem("due_on", en1("goal-error-not-future", "date", d));
            None
        }
        Err(_) => {
            problem(
                "due_on",
                en1(
                    "goal-error-not-a-date",
                    "value",
                    format!("{:?}", input.due_on.trim()),
                ),
            );
            None
        }
    };
    match (metric, target, due_on) {
        (Some(metric), Some(target), Some(due_on)) if problems.is_empty() => Ok(ValidGoal {
            metric,
            target,
            due_on,
        }),
        _ => Err(problems),
    }
}

/// Stores a goal, its owner (a roster person already checked to be of the partnership) and
/// its audit entry (`goal.create`, by `actor`) in one transaction.
pub fn create(
    conn: &mut Conn,
    partnership_id: i64,
    goal: &ValidGoal,
    owner: Option<i64>,
    created_by: Option<i64>,
    actor: &str,
) -> QueryResult<i64> {
    conn.write_transaction(|conn| {
        let gid = insert(conn, partnership_id, goal, created_by, crate::db::now())?;
        if let Some(person) = owner {
            super::plan::set_goal_owner(conn, gid, person)?;
        }
        crate::auth::audit(
            conn,
            actor,
            "goal.create",
            &format!("partnership {partnership_id}"),
            &format!(
                "goal {gid}: {} target {} due {}{}",
                goal.metric.key(),
                goal.target,
                goal.due_on,
                owner.map_or_else(String::new, |p| format!(", owner person {p}"))
            ),
        )?;
        Ok(gid)
    })
}

/// Removes a goal the viewer may see, with its audit entry (`goal.delete`), in one
/// transaction; a goal of another partnership, or one the viewer cannot see, is not found.
pub fn remove(
    conn: &mut Conn,
    partnership_id: i64,
    id: i64,
    v: Visibility,
    actor: &str,
) -> Result<(), ServiceError> {
    conn.write_transaction(|conn| {
        let metric = metric_of(conn, partnership_id, id)?;
        if !metric.visible_to(v) {
            return Err(ServiceError::NotFound(format!(
                "there is no goal {id} in this partnership"
            )));
        }
        delete(conn, partnership_id, id)?;
        crate::auth::audit(
            conn,
            actor,
            "goal.delete",
            &format!("partnership {partnership_id}"),
            &format!("goal {id}: {}", metric.key()),
        )?;
        Ok(())
    })
}

pub fn insert(
    conn: &mut Conn,
    partnership_id: i64,
    goal: &ValidGoal,
    created_by: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let (metric, scope) = goal.metric.stored();
    diesel::insert_into(goals::table)
        .values((
            goals::partnership_id.eq(partnership_id),
            goals::metric.eq(metric),
            goals::target_scope.eq(scope),
            goals::target.eq(goal.target),
            goals::due_on.eq(goal.due_on),
            goals::created_by.eq(created_by),
            goals::created_at.eq(now),
        ))
        .returning(goals::id)
        .get_result(conn)
}

/// The goal's metric, if the goal belongs to the partnership.
pub fn metric_of(conn: &mut Conn, partnership_id: i64, id: i64) -> Result<Metric, ServiceError> {
    let (metric, scope): (String, String) = goals::table
        .filter(goals::id.eq(id))
        .filter(goals::partnership_id.eq(partnership_id))
        .select((goals::metric, goals::target_scope))
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            ServiceError::NotFound(format!("there is no goal {id} in this partnership"))
        })?;
    Metric::from_stored(&metric, &scope)
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("stored goal {id}: {e}")))
}

pub fn delete(conn: &mut Conn, partnership_id: i64, id: i64) -> QueryResult<usize> {
    diesel::delete(
        goals::table
            .filter(goals::id.eq(id))
            .filter(goals::partnership_id.eq(partnership_id)),
    )
    .execute(conn)
}

/// What judging goals needs besides the report: KPI directions and values by wave, and the
/// days between waves the cadence implies. Changes only with the report version (KPI
/// imports raise it), so the dashboard keeps it in its cache.
#[derive(Debug, Clone, Default)]
pub struct GoalContext {
    pub kpi_better: BTreeMap<String, String>,
    pub kpi_values: BTreeMap<String, BTreeMap<u32, f64>>,
    pub cadence_days: f64,
}

impl GoalContext {
    pub fn load(conn: &mut Conn, partnership_id: i64) -> Result<GoalContext, ServiceError> {
        let kpi_better: BTreeMap<String, String> = kpis::table
            .filter(kpis::partnership_id.eq(partnership_id))
            .select((kpis::name, kpis::better))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect();
        let kpi_values = crate::reports::kpi::aligned_for_partnership(conn, partnership_id)?
            .into_iter()
            .map(|k| (k.name, k.by_wave))
            .collect();
        let cadence: String = crate::db::schema::partnerships::table
            .find(partnership_id)
            .select(crate::db::schema::partnerships::cadence)
            .first(conn)?;
        let cadence_days = match cadence.parse::<crate::domain::Cadence>() {
            Ok(crate::domain::Cadence::Monthly) => 365.25 / 12.0,
            Ok(crate::domain::Cadence::Quarterly) | Err(_) => 365.25 / 4.0,
            Ok(crate::domain::Cadence::HalfYearly) => 365.25 / 2.0,
            Ok(crate::domain::Cadence::EveryDays(n)) => f64::from(n),
        };
        Ok(GoalContext {
            kpi_better,
            kpi_values,
            cadence_days,
        })
    }
}

type GoalRow = (
    i64,
    String,
    String,
    f64,
    NaiveDate,
    Option<String>,
    NaiveDateTime,
);

/// The partnership's goals the viewer may see, with progress judged on `today`, soonest due
/// first. `report` is the report already restricted to the viewer.
pub fn for_partnership(
    conn: &mut Conn,
    partnership_id: i64,
    report: &Report,
    names: &Names,
    v: Visibility,
    today: NaiveDate,
    context: &dyn Fn(&mut Conn) -> Result<std::sync::Arc<GoalContext>, ServiceError>,
) -> Result<Vec<GoalView>, ServiceError> {
    let rows: Vec<GoalRow> = goals::table
        .left_join(users::table.on(users::id.nullable().eq(goals::created_by)))
        .filter(goals::partnership_id.eq(partnership_id))
        .order((goals::due_on.asc(), goals::id.asc()))
        .select((
            goals::id,
            goals::metric,
            goals::target_scope,
            goals::target,
            goals::due_on,
            users::email.nullable(),
            goals::created_at,
        ))
        .load(conn)?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ctx = context(conn)?;
    let mut owners = super::plan::goal_owners(conn, partnership_id)?;
    let GoalContext {
        kpi_better,
        kpi_values,
        cadence_days,
    } = &*ctx;
    let mut out = Vec::new();
    for (id, metric, scope, target, due_on, set_by, created_at) in rows {
        let metric = Metric::from_stored(&metric, &scope)
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!("stored goal {id}: {e}")))?;
        if !metric.visible_to(v) {
            continue;
        }
        let better = match &metric {
            Metric::Kpi { name } => kpi_better.get(name).map(String::as_str),
            _ => None,
        };
        let direction = metric.direction(better);
        let points = series(&metric, report, kpi_values);
        let spacing = super::wave_spacing(&points, *cadence_days);
        let progress = evaluate(
            &points,
            target,
            direction,
            created_at.date(),
            due_on,
            today,
            spacing,
        );
        let label = metric.describe(names);
        let text = en_with(
            "goal-text",
            &[
                ("metric", &label),
                ("direction", &direction.symbol()),
                ("target", &metric.format(target)),
                ("due", &due_on),
            ],
        );
        let progress_text = progress_words(&metric, &progress);
        out.push(GoalView {
            id,
            metric: metric.key(),
            label,
            target,
            direction: direction.symbol(),
            due_on,
            set_by,
            owner: owners.remove(&id),
            created_at,
            progress,
            text,
            progress_text,
        });
    }
    Ok(out)
}

fn progress_words(metric: &Metric, p: &Progress) -> String {
    let (Some(current), Some(wave)) = (p.current, p.current_wave) else {
        return en("goal-progress-none");
    };
    let mut words = en2(
        "goal-progress-now",
        "value",
        metric.format(current),
        "wave",
        wave,
    );
    if let (Some(b), Some(f)) = (p.baseline, p.fraction) {
        // Nothing to say when the goal was set on the latest wave.
        if f < 1.0 && (b - current).abs() > 1e-9 {
            words.push_str(&en2(
                "goal-progress-share",
                "share",
                format!("{:.0}", 100.0 * f),
                "from",
                metric.format(b),
            ));
        }
    }
    if let Some(projected) = p.projected {
        if p.status != super::Status::Met && p.status != super::Status::Missed {
            words.push_str(&en1(
                "goal-progress-projected",
                "value",
                metric.format(projected),
            ));
        }
    }
    words
}
