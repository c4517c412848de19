//! What people do about a flag: actions with an owner (a person of either firm's roster, or a
//! user who sees the partnership), a due date, and done or not. Every change is one
//! transaction with the flag's event and the audit row.

use chrono::NaiveDate;

use super::*;
use crate::db::schema::{flag_actions, people};
use crate::domain::FieldProblem;
use crate::i18n::{en, en1, en2, en_with};

/// Longest action text, in characters.
pub const MAX_ACTION: usize = 500;

/// An action as asked for: raw values, checked by [`add_action`].
#[derive(Debug, Clone, Default)]
pub struct ActionInput {
    pub what: String,
    /// A person of either firm's roster (`people`) of the flag's partnership …
    pub owner_person_id: Option<i64>,
    /// … or a user who can see the partnership; exactly one of the two.
    pub owner_user_id: Option<i64>,
    /// `YYYY-MM-DD`.
    pub due_on: String,
}

/// One action of a flag.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ActionView {
    pub id: i64,
    pub what: String,
    pub owner_person_id: Option<i64>,
    pub owner_user_id: Option<i64>,
    /// The owner in words: a person's name and firm side, or a user's e-mail.
    pub owner: String,
    #[schema(value_type = String, format = Date)]
    pub due_on: NaiveDate,
    pub done: bool,
    #[schema(value_type = Option<String>, format = DateTime)]
    #[serde(serialize_with = "crate::domain::utc::rfc3339_option")]
    pub done_at: Option<NaiveDateTime>,
    /// Not done and its due date has passed (UTC).
    pub overdue: bool,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = flag_actions)]
struct ActionRow {
    id: i64,
    flag_id: i64,
    what: String,
    owner_person_id: Option<i64>,
    owner_user_id: Option<i64>,
    due_on: NaiveDate,
    done_at: Option<NaiveDateTime>,
}

fn problem(field: &str, message: impl Into<String>) -> FieldProblem {
    FieldProblem {
        field: field.into(),
        message: message.into(),
    }
}

/// Today, as overdue is judged (UTC).
pub fn today() -> NaiveDate {
    now().date()
}

/// Open and overdue action counts of each flag in `flag_ids`.
pub(super) fn action_counts(
    conn: &mut Conn,
    flag_ids: &[i64],
) -> Result<HashMap<i64, (i64, i64)>, FlagError> {
    let today = today();
    let open: Vec<(i64, NaiveDate)> = flag_actions::table
        .filter(flag_actions::flag_id.eq_any(flag_ids))
        .filter(flag_actions::done_at.is_null())
        .select((flag_actions::flag_id, flag_actions::due_on))
        .load(conn)?;
    let mut counts: HashMap<i64, (i64, i64)> = HashMap::new();
    for (flag, due) in open {
        let c = counts.entry(flag).or_default();
        c.0 += 1;
        if due < today {
            c.1 += 1;
        }
    }
    Ok(counts)
}

/// A flag's actions: overdue first, then the open ones by due date, then the done ones.
pub(super) fn actions_of(conn: &mut Conn, flag_id: i64) -> Result<Vec<ActionView>, FlagError> {
    let rows: Vec<ActionRow> = flag_actions::table
        .filter(flag_actions::flag_id.eq(flag_id))
        .select(ActionRow::as_select())
        .load(conn)?;
    let person_ids: Vec<i64> = rows.iter().filter_map(|r| r.owner_person_id).collect();
    let user_ids: Vec<i64> = rows.iter().filter_map(|r| r.owner_user_id).collect();
    let persons: HashMap<i64, (String, String)> = people::table
        .filter(people::id.eq_any(&person_ids))
        .select((people::id, people::name, people::side))
        .load::<(i64, String, String)>(conn)?
        .into_iter()
        .map(|(id, name, side)| (id, (name, side)))
        .collect();
    let emails: HashMap<i64, String> = users::table
        .filter(users::id.eq_any(&user_ids))
        .select((users::id, users::email))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let today = today();
    let mut out: Vec<ActionView> = rows
        .into_iter()
        .map(|r| {
            let owner = match (r.owner_person_id, r.owner_user_id) {
                (Some(p), _) => persons
                    .get(&p)
                    .map(|(name, side)| format!("{name} ({side})"))
                    .unwrap_or_else(|| en1("flag-owner-person", "id", p)),
                (None, Some(u)) => emails
                    .get(&u)
                    .cloned()
                    .unwrap_or_else(|| en1("flag-owner-user", "id", u)),
                (None, None) => String::new(),
            };
            ActionView {
                id: r.id,
                what: r.what,
                owner_person_id: r.owner_person_id,
                owner_user_id: r.owner_user_id,
                owner,
                due_on: r.due_on,
                done: r.done_at.is_some(),
                done_at: r.done_at,
                overdue: r.done_at.is_none() && r.due_on < today,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then(a.done.cmp(&b.done))
            .then(a.due_on.cmp(&b.due_on))
            .then(a.id.cmp(&b.id))
    });
    Ok(out)
}

/// Every problem of an action that can be seen without the database.
fn check_fields(input: &ActionInput) -> (String, Option<NaiveDate>, Vec<FieldProblem>) {
    let mut problems = Vec::new();
    let what = input.what.trim().to_owned();
    if what.contains('\0') {
        problems.push(problem("what", en("flag-problem-action-nul")));
    } else if what.is_empty() {
        problems.push(problem("what", en("flag-problem-action-empty")));
    } else if what.chars().count() > MAX_ACTION {
        problems.push(problem(
            "what",
            en1("flag-problem-action-too-long", "max", MAX_ACTION),
        ));
    } else if what.chars().any(char::is_control) {
        problems.push(problem("what", en("flag-problem-action-one-line")));
    }
    match (input.owner_person_id, input.owner_user_id) {
        (None, None) => problems.push(problem("owner", en("flag-problem-owner-missing"))),
        (Some(_), Some(_)) => problems.push(problem("owner", en("flag-problem-owner-twice"))),
        _ => {}
    }
    let raw = input.due_on.trim();
    let due = if raw.contains('\0') {
        problems.push(problem("due_on", en("flag-problem-due-nul")));
        None
    } else if raw.is_empty() {
        problems.push(problem("due_on", en("flag-problem-due-missing")));
        None
    } else {
        match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                problems.push(problem(
                    "due_on",
                    en1("flag-problem-due-not-a-date", "raw", format!("{raw:?}")),
                ));
                None
            }
        }
    };
    (what, due, problems)
}

/// Whether `owner` may own an action on a flag of `partnership`: `Ok(words)` or the problem.
fn check_owner(
    conn: &mut Conn,
    partnership: i64,
    input: &ActionInput,
) -> Result<Result<String, FieldProblem>, FlagError> {
    if let Some(person) = input.owner_person_id {
        let found: Option<(i64, String, String)> = people::table
            .find(person)
            .select((people::partnership_id, people::name, people::side))
            .first(conn)
            .optional()?;
        return Ok(match found {
            Some((p, name, side)) if p == partnership => Ok(format!("{name} ({side})")),
            _ => Err(problem(
                "owner_person_id",
                en1("flag-problem-owner-no-person", "id", person),
            )),
        });
    }
    if let Some(user) = input.owner_user_id {
        let scoped = user_scopes::table
            .filter(user_scopes::partnership_id.eq(partnership))
            .select(user_scopes::user_id);
        let found: Option<String> = users::table
            .filter(users::id.eq(user))
            .filter(users::disabled.eq(false))
            .filter(
                users::role
                    .eq("admin")
                    .or(users::all_partnerships.eq(true))
                    .or(users::id.eq_any(scoped)),
            )
            .select(users::email)
            .first(conn)
            .optional()?;
        return Ok(found.ok_or_else(|| {
            problem(
                "owner_user_id",
                en1("flag-problem-owner-no-user", "id", user),
            )
        }));
    }
    Ok(Err(problem("owner", en("flag-problem-owner-none"))))
}

/// Adds an action to a flag (in any state); every field problem is reported at once.
pub fn add_action(
    conn: &mut Conn,
    flag_id: i64,
    input: &ActionInput,
    actor: &Actor,
) -> Result<FlagDetail, FlagError> {
    conn.write_transaction(|conn| {
        lock_flag(conn, flag_id)?;
        let flag = get_row(conn, flag_id)?;
        let (what, due, mut problems) = check_fields(input);
        let owner = if input.owner_person_id.is_some() != input.owner_user_id.is_some() {
            match check_owner(conn, flag.partnership_id, input)? {
                Ok(words) => Some(words),
                Err(p) => {
                    problems.push(p);
                    None
                }
            }
        } else {
            None
        };
        let (Some(due), Some(owner), true) = (due, owner, problems.is_empty()) else {
            return Err(FlagError::Invalid(problems));
        };
        let at = now();
        let id: i64 = diesel::insert_into(flag_actions::table)
            .values((
                flag_actions::flag_id.eq(flag_id),
                flag_actions::what.eq(&what),
                flag_actions::owner_person_id.eq(input.owner_person_id),
                flag_actions::owner_user_id.eq(input.owner_user_id),
                flag_actions::due_on.eq(due),
                flag_actions::done_at.eq(None::<NaiveDateTime>),
                flag_actions::created_at.eq(at),
                flag_actions::updated_at.eq(at),
            ))
            .returning(flag_actions::id)
            .get_result(conn)?;
        diesel::update(flags::table.find(flag_id))
            .set(flags::updated_at.eq(at))
            .execute(conn)?;
        let note = en_with(
            "flag-note-action-added",
            &[
                ("id", &id),
                ("what", &what),
                ("owner", &owner),
                ("due", &due),
            ],
        );
        record(conn, flag_id, actor, "action added", &note, at)?;
        show(conn, flag_id)
    })
}

/// Marks an action of a flag done (`done = true`) or not done again; a mark it already
/// carries is refused with 409.
pub fn set_action_done(
    conn: &mut Conn,
    flag_id: i64,
    action_id: i64,
    done: bool,
    actor: &Actor,
) -> Result<FlagDetail, FlagError> {
    conn.write_transaction(|conn| {
        lock_flag(conn, flag_id)?;
        let row: ActionRow = flag_actions::table
            .filter(flag_actions::id.eq(action_id))
            .filter(flag_actions::flag_id.eq(flag_id))
            .select(ActionRow::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| {
                FlagError::NotFound(en2(
                    "flag-problem-no-action",
                    "flag",
                    flag_id,
                    "action",
                    action_id,
                ))
            })?;
        debug_assert_eq!(row.flag_id, flag_id);
        if row.done_at.is_some() == done {
            return Err(FlagError::Conflict(en1(
                if done {
                    "flag-action-already-done"
                } else {
                    "flag-action-already-not-done"
                },
                "id",
                action_id,
            )));
        }
        let at = now();
        diesel::update(flag_actions::table.find(action_id))
            .set((
                flag_actions::done_at.eq(done.then_some(at)),
                flag_actions::updated_at.eq(at),
            ))
            .execute(conn)?;
        diesel::update(flags::table.find(flag_id))
            .set(flags::updated_at.eq(at))
            .execute(conn)?;
        let (action, note) = if done {
            (
                "action done",
                en2("flag-note-action-done", "id", action_id, "what", &row.what),
            )
        } else {
            (
                "action reopened",
                en2(
                    "flag-note-action-reopened",
                    "id",
                    action_id,
                    "what",
                    &row.what,
                ),
            )
        };
        record(conn, flag_id, actor, action, &note, at)?;
        show(conn, flag_id)
    })
}

/// Who may own an action of a flag of one partnership.
#[derive(Debug, Clone, Default)]
pub struct ActionOwners {
    /// The active people of both firms' rosters, (id, "name (side)"), customer first.
    pub people: Vec<(i64, String)>,
    /// The active users who see the partnership, (id, e-mail).
    pub users: Vec<(i64, String)>,
}

/// [`ActionOwners`] of `partnership`.
pub fn action_owners(conn: &mut Conn, partnership: i64) -> Result<ActionOwners, FlagError> {
    let persons: Vec<(i64, String, String)> = people::table
        .filter(people::partnership_id.eq(partnership))
        .filter(people::active.eq(true))
        .order((people::side.asc(), people::name.asc(), people::id.asc()))
        .select((people::id, people::name, people::side))
        .load(conn)?;
    let scoped = user_scopes::table
        .filter(user_scopes::partnership_id.eq(partnership))
        .select(user_scopes::user_id);
    let users: Vec<(i64, String)> = users::table
        .filter(users::disabled.eq(false))
        .filter(
            users::role
                .eq("admin")
                .or(users::all_partnerships.eq(true))
                .or(users::id.eq_any(scoped)),
        )
        .order(users::id.asc())
        .select((users::id, users::email))
        .load(conn)?;
    Ok(ActionOwners {
        people: persons
            .into_iter()
            .map(|(id, name, side)| (id, format!("{name} ({side})")))
            .collect(),
        users,
    })
}
