//! CSV formula injection: roster levels and functions and KPI names a spreadsheet would run
//! as formulas reach every CSV the service writes with a leading `'`.

use tandem::auth::Role;

use crate::both_backends;
use crate::common::TestApp;

const LEVEL: &str = "=cmd|' /C calc'!A0";
const FUNCTION: &str = "@SUM(1+1)";
const SUPPLIER_LEVEL: &str = "+HYPERLINK(\"http://evil.example\")";
const SUPPLIER_FUNCTION: &str = "-2+3";
const KPI: &str = "=1+2";

/// Eight waves of history (enough for a lead–lag table), six respondents per firm, every attribute formula-like.
fn history() -> String {
    let mut csv = String::from("wave,firm,respondent,level,function,item,value\n");
    for wave in 1..=8 {
        for (firm, level, function) in [
            ("customer", LEVEL, FUNCTION),
            ("supplier", SUPPLIER_LEVEL, SUPPLIER_FUNCTION),
        ] {
            for r in 0..6 {
                for item in crate::ITEMS {
                    let value = 1 + (r + wave) % 5;
                    csv.push_str(&format!(
                        "{wave},{firm},{firm}{r},\"{}\",\"{}\",{item},{value}\n",
                        level.replace('"', "\"\""),
                        function.replace('"', "\"\"")
                    ));
                }
            }
        }
    }
    csv
}

/// Every cell of a CSV text that a spreadsheet would evaluate.
fn formula_cells(text: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .flat_map(|r| r.unwrap().iter().map(str::to_owned).collect::<Vec<_>>())
        .filter(|cell| {
            cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && cell.parse::<f64>().is_err()
        })
        .collect()
}

async fn import(app: &TestApp, partnership: i64, what: &str, body: String) {
    let r = app
        .post(&format!("/api/partnerships/{partnership}/{what}"))
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{what}: {}", r.text().await.unwrap());
}

both_backends!(
    formula_like_attributes_and_kpi_names_are_neutralised_in_every_csv,
    |app| {
        let partnership = app.create_partnership("Formulas").await;
        import(&app, partnership, "history", history()).await;
        import(
            &app,
            partnership,
            "kpis",
            (1..=8).fold(String::from("wave,kpi,value\n"), |csv, w| {
                csv + &format!("{w},{KPI},{}\n", 90 + w * w % 7)
            }),
        )
        .await;
        let admin = app.signed_in("root@tandem.test", Role::Admin, vec![]).await;

        let api = app
            .get(&format!(
                "/api/partnerships/{partnership}/report?format=csv"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(api.status(), 200);
        let api = api.text().await.unwrap();
        let page = admin
            .get(app.url(&format!("/partnerships/{partnership}/export.csv")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let page = page.text().await.unwrap();

        for (name, text) in [("API export", &api), ("dashboard export", &page)] {
            assert_eq!(formula_cells(text), Vec::<String>::new(), "{name}");
            for shown in [LEVEL, FUNCTION, SUPPLIER_LEVEL, SUPPLIER_FUNCTION] {
                assert!(
                    text.contains(&format!("'{}", shown.replace('"', "\"\""))),
                    "{name} shows {shown:?} as text"
                );
            }
        }
        // The KPI is named inside the subject cell ("win_win/=1+2"), never at a cell's start.
        assert!(
            api.contains(&format!("/{KPI},")),
            "the KPI is in the export"
        );
    }
);
