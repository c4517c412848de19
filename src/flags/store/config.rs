//! The per-partnership rule thresholds and the locks every flag write takes first.

use super::*;

/// The partnership's rule thresholds (the defaults when none are stored).
pub fn config(conn: &mut Conn, partnership_id: i64) -> Result<RuleConfig, FlagError> {
    let stored: Option<String> = flag_rule_configs::table
        .filter(flag_rule_configs::partnership_id.eq(partnership_id))
        .select(flag_rule_configs::config)
        .first(conn)
        .optional()?;
    match stored {
        None => Ok(RuleConfig::default()),
        Some(text) => serde_json::from_str(&text).map_err(|e| {
            FlagError::Internal(anyhow::anyhow!(
                "the stored rule configuration of partnership {partnership_id} is not valid: {e}"
            ))
        }),
    }
}

/// Stores the partnership's thresholds after checking them; audited.
pub fn set_config(
    conn: &mut Conn,
    partnership_id: i64,
    config: &RuleConfig,
    actor: &Actor,
) -> Result<RuleConfig, FlagError> {
    let problems = config.problems();
    if !problems.is_empty() {
        return Err(FlagError::Invalid(problems));
    }
    let text = serde_json::to_string(config).map_err(|e| FlagError::Internal(e.into()))?;
    conn.write_transaction(|conn| {
        lock_partnership(conn, partnership_id)?;
        let at = now();
        let updated = diesel::update(
            flag_rule_configs::table.filter(flag_rule_configs::partnership_id.eq(partnership_id)),
        )
        .set((
            flag_rule_configs::config.eq(&text),
            flag_rule_configs::updated_at.eq(at),
        ))
        .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(flag_rule_configs::table)
                .values((
                    flag_rule_configs::partnership_id.eq(partnership_id),
                    flag_rule_configs::config.eq(&text),
                    flag_rule_configs::updated_at.eq(at),
                ))
                .execute(conn)?;
        }
        audit(
            conn,
            &actor.name,
            "flag_rules.configured",
            &format!("partnership {partnership_id}"),
            &text,
        )?;
        Ok(config.clone())
    })
}

/// Takes the write lock before anything is read, so a transaction never has to upgrade a
/// read snapshot to a write (SQLite refuses that at once, without waiting, when another
/// connection — the mail worker, say — wrote in between), and so two runs on the same
/// partnership (two instances, or a close and an on-demand run) queue one behind the other
/// on PostgreSQL.
pub(super) fn lock_partnership(conn: &mut Conn, id: i64) -> Result<(), FlagError> {
    let locked = diesel::update(partnerships::table.find(id))
        .set(partnerships::name.eq(partnerships::name))
        .execute(conn)?;
    if locked == 0 {
        return Err(FlagError::NotFound(crate::i18n::en1(
            "flag-problem-no-partnership",
            "id",
            id,
        )));
    }
    Ok(())
}

/// [`lock_partnership`] for one flag.
pub(super) fn lock_flag(conn: &mut Conn, id: i64) -> Result<(), FlagError> {
    let locked = diesel::update(flags::table.find(id))
        .set(flags::updated_at.eq(flags::updated_at))
        .execute(conn)?;
    if locked == 0 {
        return Err(FlagError::NotFound(crate::i18n::en1(
            "flag-problem-no-flag",
            "id",
            id,
        )));
    }
    Ok(())
}

/// The partnership's name, or not found.
pub fn require_partnership(conn: &mut Conn, id: i64) -> Result<String, FlagError> {
    partnerships::table
        .find(id)
        .select(partnerships::name)
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            FlagError::NotFound(crate::i18n::en1("flag-problem-no-partnership", "id", id))
        })
}
