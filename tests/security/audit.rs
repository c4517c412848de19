//! The audit trail names who did it: a signed-in administrator's API calls are theirs, not
//! the admin token's; creating a partnership, every import, opening and closing a wave and
//! API CSV exports each write a row.

use crate::common::{fixture, TestApp};

/// Creates a partnership with the CLI and imports the fixture's answers and KPIs with it.
pub fn import_fixture(app: &TestApp, name: &str) -> i64 {
    let out = app.cli(&[
        "partnership",
        "create",
        "--name",
        name,
        "--customer",
        &format!("{name} Customer"),
        "--supplier",
        &format!("{name} Supplier"),
    ]);
    out.assert_ok();
    let id: i64 = out.last_line().parse().unwrap();
    let pid = id.to_string();
    for (command, file) in [("responses", "responses.csv"), ("kpi", "kpi.csv")] {
        app.cli(&[
            command,
            "import",
            "--partnership",
            &pid,
            fixture(file).to_str().unwrap(),
        ])
        .assert_ok();
    }
    id
}
