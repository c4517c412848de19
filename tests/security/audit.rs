//! The audit trail names who did it: a signed-in administrator's API calls are theirs, not
//! the admin token's; creating a partnership, every import, opening and closing a wave and
//! API CSV exports each write a row.

use serde_json::json;
use tandem::auth::Role;

use crate::common::{csrf_of, fixture, TestApp};
use crate::{both_backends, world_test};

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

/// The audit rows with this action, as (actor, target).
fn rows(app: &TestApp, action: &str) -> Vec<(String, String)> {
    use diesel::prelude::*;
    use tandem::db::schema::audit_log;
    let pool = app.db.pool();
    let mut conn = pool.get().unwrap();
    audit_log::table
        .filter(audit_log::action.eq(action))
        .order(audit_log::id.asc())
        .select((audit_log::actor, audit_log::target))
        .load(&mut conn)
        .unwrap()
}

both_backends!(
    a_signed_in_administrators_api_calls_are_attributed_to_them,
    |app| {
        let admin = app.signed_in("root@tandem.test", Role::Admin, vec![]).await;
        let home = admin.get(app.url("/")).send().await.unwrap();
        let csrf = csrf_of(&home.text().await.unwrap());

        let r = admin
            .post(app.url("/api/partnerships"))
            .header("X-CSRF-Token", &csrf)
            .json(&json!({"name": "Signed", "customer": "A", "supplier": "B"}))
            .send()
            .await
            .unwrap();

        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let created = rows(&app, "partnership.created");
        assert_eq!(created.len(), 1);
        assert_eq!(created[0].0, "root@tandem.test");
        assert_eq!(app.db.count("audit_log WHERE actor = 'admin-token'"), 0);
    }
);

world_test!(imports_waves_and_api_csv_exports_write_audit_rows, |w| {
    let target = format!("partnership {}", w.partnership);
    w.open_wave().await;
    let closed = w.close_wave().await;
    assert_eq!(closed.status(), 200);
    let kpis = w
        .app
        .post(&format!("/api/partnerships/{}/kpis", w.partnership))
        .header("content-type", "text/csv")
        .body("wave,kpi,value\n1,on time,90\n")
        .send()
        .await
        .unwrap();
    assert_eq!(kpis.status(), 200, "{}", kpis.text().await.unwrap());
    let export = w
        .app
        .get(&format!(
            "/api/partnerships/{}/report?format=csv",
            w.partnership
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    let other = w.app.create_partnership("History").await;
    let history = w
        .app
        .post(&format!("/api/partnerships/{other}/history"))
        .header("content-type", "text/csv")
        .body("wave,firm,respondent,level,function,item,value\n1,customer,r1,staff,ops,trust,4\n")
        .send()
        .await
        .unwrap();
    assert_eq!(history.status(), 200, "{}", history.text().await.unwrap());

    let token = "admin-token".to_owned();
    assert_eq!(
        rows(&w.app, "partnership.created"),
        [
            (token.clone(), target.clone()),
            (token.clone(), format!("partnership {other}"))
        ]
    );
    for action in [
        "import.roster",
        "wave.opened",
        "wave.closed",
        "import.kpis",
        "export.csv",
    ] {
        assert_eq!(
            rows(&w.app, action),
            [(token.clone(), target.clone())],
            "{action}"
        );
    }
    assert_eq!(
        rows(&w.app, "import.history"),
        [(token.clone(), format!("partnership {other}"))]
    );
});
