//! Group commit for SQLite: one thread owns the write path of the busiest writes (form
//! submissions), takes every unit of work waiting for it, and runs them all in ONE
//! transaction, each inside its own savepoint, then answers each caller once that
//! transaction has committed.
//!
//! Why: SQLite has a single writer, so concurrent submissions queue anyway. Committing them
//! one by one pays, per submission, a transaction (lock, WAL frames for every touched page,
//! and the fsync when `synchronous=FULL`), plus a hand-over of the lock between threads.
//! Grouping turns N of those into one, while a unit that fails (validation, a constraint)
//! is rolled back to its savepoint alone and the others still commit.
//!
//! What it must never do: answer a caller before the transaction holding its writes has
//! committed, or report success for work that was rolled back. A unit that panics loses
//! only its own caller's answer (the caller sees an error) and the batch it was in is rolled
//! back whole: the other callers of that batch are told it failed, none is told it succeeded.
//!
//! Not used on PostgreSQL, where concurrent transactions commit side by side and the server
//! already groups their WAL flushes.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;

use diesel::connection::TransactionManager;
use diesel::Connection;

use super::{Conn, Pool, PooledConn};

/// Most units in one transaction: bounds the time a caller of the first unit waits for the
/// last one and the size of one WAL append.
const MAX_GROUP: usize = 256;

/// Why a unit's outcome is not available.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The writer is gone (the service is stopping), or the unit panicked.
    #[error("the database writer stopped before answering")]
    Stopped,
    /// The group transaction could not commit: nothing of this unit was stored.
    #[error("the grouped transaction failed, nothing was stored: {0}")]
    Commit(String),
}

/// What running a unit left to do once its transaction has ended: answer its caller with
/// `Ok` (its own outcome stands) or with why the group failed.
type Reply = Box<dyn FnOnce(Result<(), WriteError>) + Send>;

/// A unit of work and whether its writes are to be kept (its work returned `Ok`).
struct Staged {
    keep: bool,
    reply: Reply,
}

type Unit = Box<dyn FnOnce(&mut Conn) -> Staged + Send>;

/// A handle on the writer thread; cheap to clone. The thread stops when the last handle is
/// dropped.
#[derive(Clone)]
pub struct GroupWriter {
    units: mpsc::Sender<Unit>,
}

impl GroupWriter {
    /// Starts the writer on a connection of its own, taken from `pool` for its lifetime.
    pub fn spawn(pool: &Pool) -> Result<GroupWriter, r2d2::Error> {
        let conn = pool.get()?;
        let (units, queue) = mpsc::channel::<Unit>();
        std::thread::Builder::new()
            .name("sqlite-group-writer".into())
            .spawn(move || run(conn, queue))
            .expect("the OS refused to start the database writer thread");
        Ok(GroupWriter { units })
    }

    /// Runs `work` inside the next group transaction. `Ok(Ok(_))` is only returned once its
    /// writes have committed; `Ok(Err(e))` means `work` failed and its writes were undone.
    pub async fn run<T, E, F>(&self, work: F) -> Result<Result<T, E>, WriteError>
    where
        F: FnOnce(&mut Conn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let unit: Unit = Box::new(move |conn: &mut Conn| {
            let outcome = work(conn);
            Staged {
                keep: outcome.is_ok(),
                reply: Box::new(move |group: Result<(), WriteError>| {
                    // The caller may have gone away (client disconnected): nothing to tell.
                    let _ = tx.send(group.map(|()| outcome));
                }),
            }
        });
        self.units.send(unit).map_err(|_| WriteError::Stopped)?;
        rx.await.map_err(|_| WriteError::Stopped)?
    }
}

fn run(mut conn: PooledConn, queue: mpsc::Receiver<Unit>) {
    while let Ok(first) = queue.recv() {
        let mut units = Vec::with_capacity(16);
        units.push(first);
        units.extend(queue.try_iter().take(MAX_GROUP - 1));
        if let Err(e) = run_group(&mut conn, units) {
            // The connection's transaction state is unknown after a failed rollback: stop
            // rather than write through it. Callers then get `Stopped` (503/500).
            tracing::error!(error = %e, "the SQLite group writer stopped");
            return;
        }
    }
}

/// Runs one group. Returns an error only when the connection can no longer be trusted.
fn run_group(conn: &mut Conn, units: Vec<Unit>) -> diesel::QueryResult<()> {
    // The write lock up front (waiting on busy_timeout if another process writes), so no
    // statement of the group can fail a lock upgrade half-way.
    let begun = conn.begin_write();
    if let Err(e) = begun {
        // Nothing ran. Dropping the units drops their answer channels: each caller sees
        // `Stopped` and the next group tries again.
        drop(units);
        tracing::warn!(error = %e, "could not begin a group transaction");
        return Ok(());
    }
    let mut replies: Vec<(bool, Reply)> = Vec::with_capacity(units.len());
    let mut panicked = false;
    for unit in units {
        if panicked {
            // Dropping a unit drops its answer channel: its caller sees `Stopped`.
            drop(unit);
            continue;
        }
        // Each unit in its own savepoint: diesel nests `transaction` inside the open one.
        let ran = catch_unwind(AssertUnwindSafe(|| {
            conn.transaction::<Staged, Discard, _>(|c| {
                let staged = unit(c);
                if staged.keep {
                    Ok(staged)
                } else {
                    Err(Discard::Unit(staged))
                }
            })
        }));
        match ran {
            Ok(Ok(staged)) => replies.push((true, staged.reply)),
            Ok(Err(Discard::Unit(staged))) => replies.push((false, staged.reply)),
            Ok(Err(Discard::Db(e))) => {
                // The savepoint itself failed: treat the group as failed.
                tracing::warn!(error = %e, "a savepoint of the group transaction failed");
                panicked = true;
            }
            Err(_) => panicked = true,
        }
    }
    let committed = if panicked {
        Err(WriteError::Stopped)
    } else {
        <Conn as Connection>::TransactionManager::commit_transaction(conn)
            .map_err(|e| WriteError::Commit(e.to_string()))
    };
    if committed.is_err() {
        // Undo whatever is still open (a panic can leave savepoints behind).
        while <Conn as Connection>::TransactionManager::transaction_manager_status_mut(conn)
            .transaction_depth()?
            .is_some()
        {
            <Conn as Connection>::TransactionManager::rollback_transaction(conn)?;
        }
    }
    for (keep, reply) in replies {
        match (&committed, keep) {
            // A unit whose work failed was rolled back either way: its own outcome stands.
            (_, false) | (Ok(()), true) => reply(Ok(())),
            (Err(WriteError::Commit(why)), true) => reply(Err(WriteError::Commit(why.clone()))),
            (Err(_), true) => reply(Err(WriteError::Commit(
                "another write in the same group failed".into(),
            ))),
        }
    }
    Ok(())
}

/// Why a unit's savepoint is rolled back.
enum Discard {
    Unit(Staged),
    Db(diesel::result::Error),
}

impl From<diesel::result::Error> for Discard {
    fn from(e: diesel::result::Error) -> Self {
        Discard::Db(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use diesel::sql_types::BigInt;

    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    fn insert(conn: &mut Conn, v: i64) -> QueryResult<usize> {
        diesel::sql_query("INSERT INTO t (v) VALUES (?)")
            .bind::<BigInt, _>(v)
            .execute(conn)
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_failing_unit_is_undone_alone_and_the_rest_of_its_group_commits() {
        let dir = tempfile::tempdir().unwrap();
        let url = crate::db::DatabaseUrl::Sqlite(dir.path().join("w.db"));
        let pool = crate::db::connect(&url, 2).unwrap();
        pool.get()
            .unwrap()
            .batch_execute("CREATE TABLE t (v BIGINT NOT NULL)")
            .unwrap();
        let writer = GroupWriter::spawn(&pool).unwrap();

        // The first unit holds the writer until the others are queued, so they form the
        // next group together.
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let w = writer.clone();
        let first = tokio::spawn(async move {
            w.run(move |c| {
                hold.recv().unwrap();
                insert(c, 0)
            })
            .await
        });
        tokio::task::yield_now().await;
        let mut rest = Vec::new();
        for v in 1..=4_i64 {
            let w = writer.clone();
            rest.push(tokio::spawn(async move {
                w.run(move |c| {
                    insert(c, v)?;
                    if v == 2 {
                        // Wrote, then failed: its row must not survive.
                        return Err(diesel::result::Error::RollbackTransaction);
                    }
                    Ok(v)
                })
                .await
            }));
        }
        tokio::task::yield_now().await;
        release.send(()).unwrap();

        assert!(matches!(first.await.unwrap(), Ok(Ok(1))));
        let mut outcomes = Vec::new();
        for h in rest {
            outcomes.push(h.await.unwrap().unwrap().ok());
        }
        assert_eq!(outcomes, vec![Some(1), None, Some(3), Some(4)]);
        let stored: Vec<N> = diesel::sql_query("SELECT v AS n FROM t ORDER BY v")
            .load(&mut pool.get().unwrap())
            .unwrap();
        assert_eq!(
            stored.iter().map(|r| r.n).collect::<Vec<_>>(),
            vec![0, 1, 3, 4]
        );
    }
}
