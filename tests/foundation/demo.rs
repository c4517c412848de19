use crate::both_backends;

both_backends!(
    the_demo_seeds_two_stories_once_with_users_and_flags,
    |app| {
        let pool = app.db.pool();
        let catalog = tandem::survey_templates::Catalog::load(None).unwrap();
        let links = tandem::mail::Links {
            base_url: app.address.clone(),
        };
        let mut conn = pool.get().unwrap();
        let first = tandem::services::demo::seed(&mut conn, &catalog, &links).unwrap();
        assert_eq!(first.created.len(), 2);
        assert_eq!(first.users.len(), 4, "one user per role");
        assert_eq!(
            app.db.count("waves WHERE state = 'closed'"),
            18,
            "two years, quarterly, twice; and two half-yearly practices waves"
        );
        assert_eq!(
            app.db.count(
                "waves WHERE state = 'closed' AND series_id IN \
                 (SELECT id FROM survey_series WHERE key = 'practices' \
                  AND template_id = 'partnership-practices' AND cadence = 'half-yearly')"
            ),
            2,
            "the first partnership's second series"
        );
        assert_eq!(app.db.count("waves WHERE state = 'open'"), 2);
        assert_eq!(
            app.db
                .count("flags WHERE rule = 'decline' AND scope = 'dimension:trust:supplier'"),
            1
        );
        assert!(
            app.db
                .count("flags WHERE rule = 'segment_gap' AND scope LIKE '%:customer:%'")
                >= 1
        );
        assert!(app.db.count("kpi_values") >= 16);
        assert_eq!(app.db.count("goals"), 6);
        assert!(app.db.count("comments") > 100);

        let admin = app
            .signed_in("look@example.com", tandem::auth::Role::Admin, vec![])
            .await;
        let html = admin
            .get(app.url(&format!("/partnerships/{}", first.created[0].0)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("Trust: Bolt Components&#39;s mean ≥ 3.50 by"),
            "{html}"
        );
        assert!(html.contains("KPI: on time delivery (%) ≥ 97 by"));
        assert!(html.contains("Comments, wave 8"));
        // The first story declares a custom attribute, site: a heatmap per firm, and a report
        // breakdown where Hamburg (two people a side) is withheld and Lyon is shown.
        assert_eq!(app.db.count("partnership_attributes WHERE key = 'site'"), 1);
        assert!(html.contains("heatmap-customer-site"), "{html}");
        assert!(html.contains("heatmap-supplier-site"), "{html}");
        let report: serde_json::Value = admin
            .get(app.url(&format!(
                "/api/partnerships/{}/report?segment=site&wave=8",
                first.created[0].0
            )))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let groups = report["groups"].as_array().unwrap();
        let site = |name: &str| {
            groups
                .iter()
                .filter(|g| g["segment_kind"] == "site" && g["segment"] == name)
                .collect::<Vec<_>>()
        };
        assert_eq!(site("Lyon").len(), 2, "Lyon of each firm: {report}");
        assert!(site("Lyon").iter().all(|g| g["suppressed"].is_null()));
        assert!(!site("Hamburg").is_empty(), "{report}");
        assert!(site("Hamburg")
            .iter()
            .all(|g| g["suppressed"].is_string() && g["responded"].is_null()));
        assert!(html.matches("<q>").count() >= 10, "comments of both firms");
        // Everything the demo's reports publish passes the exhaustive disclosure audit.
        for (id, _) in &first.created {
            let reports = crate::common::disclosure::api_reports(&app, *id).await;
            let coverage = crate::common::disclosure::audit_reports(&app.db, *id, &reports);
            assert!(coverage.published > 100, "{coverage:?}");
        }
        let again = tandem::services::demo::seed(&mut conn, &catalog, &links).unwrap();
        assert!(again.created.is_empty() && again.users.is_empty() && again.already_there);
        assert_eq!(app.db.count("partnerships"), 2);
    }
);
