//! Survey waves: when they open (the schedule), what opening does (invitations and their
//! mail, in one transaction with the outbox), reminders to those who have not answered,
//! and closing. Every step is idempotent: the database's unique constraints decide, so two
//! scheduler instances or a re-run after downtime never open a wave or send a reminder twice.

pub mod lifecycle;
pub mod schedule;
