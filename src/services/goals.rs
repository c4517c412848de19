//! Goals as managers set them on pages and administrators through the API: create one
//! (checked against the report the setter sees and the partnership's KPIs), remove one, and
//! list them judged against the report.

use std::sync::Arc;

use chrono::NaiveDate;

use crate::auth::Visibility;
use crate::db::Conn;
use crate::error::ServiceError;
use crate::goals::store::{self, GoalContext, GoalInput, GoalView};
use crate::goals::Names;
use crate::reports::Report;

/// Checks `input` against `report` (as the setter sees it) and the partnership's KPIs, and
/// stores the goal (with its owner, a roster person of the partnership) and its audit entry. Every problem at once as `Invalid`.
pub fn create(
    conn: &mut Conn,
    partnership: i64,
    input: &GoalInput,
    report: &Report,
    v: Visibility,
    created_by: Option<i64>,
    actor: &str,
) -> Result<i64, ServiceError> {
    let kpis = super::dashboard::kpi_names(conn, partnership)?;
    let owner_problems = super::plan::check_goal_owner(conn, partnership, input.owner)?;
    let goal = match store::validate(input, report, &kpis, v, crate::db::now().date()) {
        Ok(goal) if owner_problems.is_empty() => goal,
        Ok(_) => return Err(ServiceError::Invalid(owner_problems)),
        Err(mut problems) => {
            problems.extend(owner_problems);
            return Err(ServiceError::Invalid(problems));
        }
    };
    Ok(store::create(
        conn,
        partnership,
        &goal,
        input.owner,
        created_by,
        actor,
    )?)
}

/// Removes a goal the setter may see, with its audit entry.
pub fn remove(
    conn: &mut Conn,
    partnership: i64,
    goal: i64,
    v: Visibility,
    actor: &str,
) -> Result<(), ServiceError> {
    store::remove(conn, partnership, goal, v, actor)
}

/// The partnership's goals judged against `report` on `today`.
pub fn for_partnership(
    conn: &mut Conn,
    partnership: i64,
    report: &Report,
    names: &Names,
    v: Visibility,
    today: NaiveDate,
    context: &dyn Fn(&mut Conn) -> Result<Arc<GoalContext>, ServiceError>,
) -> Result<Vec<GoalView>, ServiceError> {
    store::for_partnership(conn, partnership, report, names, v, today, context)
}
