//! Region as a breakdown: its groups, their suppression (the same rules as level and
//! function), the segment test across regions, and a database from before region groups
//! getting them on start — through the CLI on both backends.

use serde_json::Value;

use crate::both_backends;
use crate::common::{write_file, TestApp};

/// One wave: the customer has 12 people in EU, 6 in US and 3 in APAC; the supplier 10 in
/// EU (answering 4s and 5s) and 10 in US (answering 2s and 3s). Minimum group 5.
fn import(app: &TestApp) -> String {
    let out = app.cli(&[
        "partnership",
        "create",
        "--name",
        "Regions",
        "--customer",
        "C",
        "--supplier",
        "S",
    ]);
    out.assert_ok();
    let id = out.last_line().to_owned();
    let mut csv = String::from("wave,firm,respondent,level,function,item,value,region\n");
    let mut person = 0;
    let items = ["trust", "dependable_people", "holds_up_end"];
    for (firm, region, count, low) in [
        ("customer", "EU", 12, 3),
        ("customer", "US", 6, 3),
        ("customer", "APAC", 3, 3),
        ("supplier", "EU", 10, 4),
        ("supplier", "US", 10, 2),
    ] {
        for i in 0..count {
            person += 1;
            for item in items {
                let value = low + i % 2;
                csv.push_str(&format!(
                    "1,{firm},p{person},staff,sales,{item},{value},{region}\n"
                ));
            }
        }
    }
    let file = write_file(&app.db, "regions.csv", csv.as_bytes());
    app.cli(&[
        "responses",
        "import",
        "--partnership",
        &id,
        file.to_str().unwrap(),
    ])
    .assert_ok();
    id
}

fn report(app: &TestApp, id: &str, segment: Option<&str>) -> Value {
    let mut args = vec!["report", "--partnership", id, "--json"];
    if let Some(s) = segment {
        args.extend(["--segment", s]);
    }
    let out = app.cli(&args);
    out.assert_ok();
    serde_json::from_str(&out.stdout).unwrap()
}

fn region_groups(report: &Value, side: &str) -> Vec<(String, bool)> {
    let mut groups: Vec<(String, bool)> = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["side"] == side && g["segment_kind"] == "region")
        .map(|g| {
            (
                g["segment"].as_str().unwrap().to_owned(),
                g["suppressed"].is_null(),
            )
        })
        .collect();
    groups.sort();
    groups
}

both_backends!(
    regions_are_a_breakdown_with_the_same_suppression_rules,
    |app| {
        let id = import(&app);
        let r = report(&app, &id, None);
        assert_eq!(
            r["breakdowns"],
            serde_json::json!(["level", "function", "region"])
        );
        // APAC (3) is below the minimum; alone it could be recovered from the total, so the
        // next smallest (US, 6) is withheld with it.
        assert_eq!(
            region_groups(&r, "customer"),
            vec![
                ("APAC".to_owned(), false),
                ("EU".to_owned(), true),
                ("US".to_owned(), false)
            ]
        );
        assert_eq!(
            region_groups(&r, "supplier"),
            vec![("EU".to_owned(), true), ("US".to_owned(), true)]
        );
        let test = |side: &str| {
            r["segment_tests"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| {
                    t["side"] == side && t["attribute"] == "region" && t["dimension"] == "trust"
                })
                .unwrap()
                .clone()
        };
        let customer = test("customer");
        assert_eq!(customer["k"], 1, "only EU is shown: {customer}");
        assert!(customer["welch_p"].is_null());
        let supplier = test("supplier");
        assert_eq!(supplier["k"], 2);
        assert_eq!(supplier["n"], 20);
        assert!(supplier["welch_p"].as_f64().unwrap() < 0.001, "{supplier}");
        let only = report(&app, &id, Some("region"));
        assert_eq!(only["breakdowns"], serde_json::json!(["region"]));
    }
);

both_backends!(
    a_database_from_before_region_groups_gets_them_on_start,
    |app| {
        let id = import(&app);
        // The state of a database made before region was a breakdown: no region groups,
        // and the migration that adds them not yet applied.
        let pool = app.db.pool();
        tokio::task::spawn_blocking(move || {
            use diesel::RunQueryDsl;
            let mut conn = pool.get().unwrap();
            for sql in [
                "DELETE FROM agg_groups WHERE segment_kind = 'region'",
                // nor the cell counts that came later
                "ALTER TABLE agg_groups DROP COLUMN smallest_cell",
                "ALTER TABLE agg_groups DROP COLUMN cell_counts",
                "DELETE FROM __diesel_schema_migrations WHERE version = '20261204000001'",
                "DELETE FROM __diesel_schema_migrations WHERE version = '20261211000001'",
                // nor the scale points of the histograms
                "ALTER TABLE agg_items DROP COLUMN points",
                "ALTER TABLE agg_items DROP COLUMN n6",
                "ALTER TABLE agg_items DROP COLUMN n7",
                "ALTER TABLE agg_items DROP COLUMN n8",
                "ALTER TABLE agg_items DROP COLUMN n9",
                "ALTER TABLE agg_items DROP COLUMN n10",
                "ALTER TABLE agg_items DROP COLUMN n11",
                "ALTER TABLE agg_dimension_items DROP COLUMN points",
                "ALTER TABLE agg_dimension_items DROP COLUMN n6",
                "ALTER TABLE agg_dimension_items DROP COLUMN n7",
                "ALTER TABLE agg_dimension_items DROP COLUMN n8",
                "ALTER TABLE agg_dimension_items DROP COLUMN n9",
                "ALTER TABLE agg_dimension_items DROP COLUMN n10",
                "ALTER TABLE agg_dimension_items DROP COLUMN n11",
                "DELETE FROM __diesel_schema_migrations WHERE version = '20261219000001'",
            ] {
                diesel::sql_query(sql).execute(&mut conn).unwrap();
            }
        })
        .await
        .unwrap();
        assert_eq!(app.db.count("agg_groups WHERE segment_kind = 'region'"), 0);

        let out = app.cli(&["migrate"]);
        out.assert_ok();
        assert!(
            out.stdout.contains("applied 20261204000001"),
            "{}",
            out.stdout
        );
        assert_eq!(
            app.db.count("agg_groups WHERE segment_kind = 'region'"),
            5,
            "3 customer and 2 supplier regions, rebuilt from the answers"
        );
        assert_eq!(region_groups(&report(&app, &id, None), "supplier").len(), 2);
    }
);
