//! The dispatch benchmark as a test binary (also `tandem bench mail --mails N`):
//! `cargo test --release --test mail -- --ignored --nocapture dispatch_benchmark`
//! (`TANDEM_BENCH_MAILS`, default 100000; `TANDEM_BENCH_BACKEND=postgres` for PostgreSQL).

use super::*;
use tandem::bench::mail::bench_dispatch;

#[tokio::test(flavor = "current_thread")]
#[ignore = "a benchmark: run it alone, in release, with --ignored"]
async fn dispatch_benchmark() {
    let n: usize = std::env::var("TANDEM_BENCH_MAILS")
        .map(|v| v.parse().expect("TANDEM_BENCH_MAILS is a number"))
        .unwrap_or(100_000);
    let backend = match std::env::var("TANDEM_BENCH_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    let db = TestDb::fresh(backend).expect("a benchmark database");

    let report = bench_dispatch(pool(&db, 4), n, 0).await.unwrap();

    println!("{backend:?}: {report}");
    assert_eq!((report.sent, report.failed), (n, 0));
    assert_eq!(report.received, n as u64);
}
