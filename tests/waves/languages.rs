//! Respondents read their own language: invitations, the form, the thanks and opt-out pages
//! follow the roster's `language` column, else the partnership's default, else English; the
//! report pools every language; a bad code in the roster is refused and nothing is imported.

use serde_json::{json, Value};

use crate::common::{Backend, ADMIN_TOKEN};
use crate::{all_answers, World};

/// Three people a side, so that each firm's results show with a minimum group of three:
/// French, German, Spanish and people without a language.
const ROSTER: &str = "email,name,side,level,function,region,language\n\
ann@acme.com,Ann Lee,customer,executive,procurement,EU,fr\n\
bob@acme.com,Bob Roe,customer,staff,engineering,EU,\n\
eve@acme.com,Eve Ruiz,customer,staff,sales,EU,ES\n\
cy@bolt.com,Cy Poe,supplier,manager,sales,US,de\n\
di@bolt.com,Di Fox,supplier,staff,operations,US,fr\n\
fay@bolt.com,Fay Ng,supplier,staff,operations,US,\n";

async fn world(backend: Backend, language: Option<&str>) -> Option<World> {
    let mut definition = json!({"name": "Acme / Bolt", "customer": "Acme",
        "supplier": "Bolt", "min_reporting_size": 3, "min_comment_size": 3});
    if let Some(language) = language {
        definition["language"] = json!(language);
    }
    World::with(backend, Some(definition), ROSTER).await
}

/// Runs `$body` with a `World` of [`ROSTER`] on SQLite and PostgreSQL; `$language` is the
/// partnership's default language (`None`: not set).
macro_rules! language_test {
    ($name:ident, $language:expr, |$w:ident| $body:block) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let Some($w) = world(Backend::Sqlite, $language).await else {
                    return;
                };
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(tandem_skip_pg, ignore = "TANDEM_SKIP_PG=1: PostgreSQL skipped")]
            async fn postgres() {
                let Some($w) = world(Backend::Postgres, $language).await else {
                    return;
                };
                $body
            }
        }
    };
}

/// The Subject header of a received mail with its RFC 2047 encoded words (`=?utf-8?b?…?=`,
/// as lettre writes non-ASCII subjects) decoded; the space between two encoded words is
/// dropped, as the RFC says.
fn subject(mail: &crate::sink::Received) -> String {
    use base64::Engine;
    let raw = mail.header("Subject").expect("a subject");
    let mut out = String::new();
    let mut previous_encoded = false;
    for (index, word) in raw.split(' ').enumerate() {
        let decoded = word
            .strip_prefix("=?")
            .and_then(|w| w.strip_suffix("?="))
            .and_then(|w| {
                let mut parts = w.splitn(3, '?');
                let (_charset, encoding, text) = (parts.next()?, parts.next()?, parts.next()?);
                assert!(
                    encoding.eq_ignore_ascii_case("b"),
                    "lettre writes base64: {raw}"
                );
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .expect("valid base64");
                Some(String::from_utf8(bytes).expect("UTF-8"))
            });
        if index > 0 && !(previous_encoded && decoded.is_some()) {
            out.push(' ');
        }
        previous_encoded = decoded.is_some();
        out.push_str(decoded.as_deref().unwrap_or(word));
    }
    out
}

fn mail_to<'a>(mails: &'a [crate::sink::Received], to: &str) -> &'a crate::sink::Received {
    mails
        .iter()
        .find(|m| m.to.iter().any(|t| t.contains(to)))
        .unwrap_or_else(|| panic!("no mail to {to}"))
}

async fn page(w: &World, path: &str) -> (u16, Option<String>, String) {
    let r = w.app.client.get(w.app.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    let language = r
        .headers()
        .get("content-language")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, language, r.text().await.unwrap())
}

language_test!(
    invitations_the_form_and_the_thanks_page_speak_each_respondents_language,
    None,
    |w| {
        w.open_wave().await;
        let mails = w.mail(6).await;

        // French (Ann), German (Cy) and English for Bob, who has no language and whose
        // partnership has no default.
        let ann = mail_to(&mails, "ann@acme.com");
        assert_eq!(
            subject(ann),
            "Votre avis sur le partenariat avec Bolt (2 minutes, confidentiel)"
        );
        let text = ann.part("text/plain").unwrap();
        assert!(text.contains("Bonjour Ann Lee,"), "{text}");
        assert!(
            text.contains("Acme et Bolt demandent régulièrement"),
            "{text}"
        );
        assert!(text.contains("jusqu’au "), "a French deadline: {text}");
        let html = ann.part("text/html").unwrap();
        assert!(html.contains("<html lang=\"fr\">"), "{html}");
        assert!(html.contains("Répondre à l’enquête"), "{html}");

        let cy = mail_to(&mails, "cy@bolt.com");
        assert_eq!(
            subject(cy),
            "Ihre Sicht auf die Partnerschaft mit Acme (2 Minuten, vertraulich)"
        );
        let text = cy.part("text/plain").unwrap();
        assert!(text.contains("Hallo Cy Poe,"), "{text}");
        assert!(cy.part("text/html").unwrap().contains("<html lang=\"de\">"));

        let bob = mail_to(&mails, "bob@acme.com");
        assert_eq!(
            subject(bob),
            "Your view of the partnership with Bolt (2 minutes, confidential)"
        );
        assert!(bob.part("text/plain").unwrap().contains("Hello Bob Roe,"));
        assert!(bob
            .part("text/html")
            .unwrap()
            .contains("<html lang=\"en\">"));

        let eve = mail_to(&mails, "eve@acme.com");
        assert!(subject(eve).starts_with("Su opinión sobre la alianza con Bolt"));

        // Ann's form: French question text, scale labels, buttons and lang.
        let token = w.token_for("ann@acme.com");
        let (status, language, form) = page(&w, &format!("/s/{token}")).await;
        assert_eq!(status, 200);
        assert_eq!(language.as_deref(), Some("fr"));
        assert!(form.contains("<html lang=\"fr\">"), "{form}");
        assert!(
            form.contains("Tandem · enquête sur le partenariat"),
            "the brand line speaks French too: {form}"
        );
        assert!(!form.contains("partnership survey"), "{form}");
        assert!(
            form.contains("Nous pouvons faire confiance à Bolt."),
            "{form}"
        );
        assert!(
            form.contains("Comment se passe le partenariat avec Bolt ?"),
            "{form}"
        );
        for label in [
            "Pas du tout d’accord",
            "Tout à fait d’accord",
            "Je ne sais pas",
            "Envoyer mes réponses",
        ] {
            assert!(form.contains(label), "missing {label:?}: {form}");
        }
        assert!(
            !form.contains("Strongly agree"),
            "no English label left: {form}"
        );

        // A refused submission is explained in French.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let partial: Vec<(String, String)> = all_answers(4).into_iter().skip(1).collect();
        let r = client
            .post(w.app.url(&format!("/s/{token}")))
            .form(&partial)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let refused = r.text().await.unwrap();
        assert!(refused.contains("Veuillez vérifier 1 réponse"), "{refused}");
        assert!(
            refused.contains("Veuillez choisir une réponse, ou « Je ne sais pas »."),
            "{refused}"
        );

        // Submitting works and the thanks page is French.
        let r = client
            .post(w.app.url(&format!("/s/{token}")))
            .form(&all_answers(4))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(w.app.db.count("responses"), 1);
        let (status, language, thanks) = page(&w, &format!("/s/{token}/thanks")).await;
        assert_eq!(status, 200);
        assert_eq!(language.as_deref(), Some("fr"));
        assert!(
            thanks.contains("Merci — vos réponses sont enregistrées"),
            "{thanks}"
        );
        assert!(thanks.contains("<html lang=\"fr\">"), "{thanks}");
        assert!(thanks.contains("Tandem · enquête sur le partenariat"));

        // Cy's opt-out page is German; Bob's English.
        let cy_token = w.token_for("cy@bolt.com");
        let (status, language, opt_out) = page(&w, &format!("/s/{cy_token}/opt-out")).await;
        assert_eq!(status, 200);
        assert_eq!(language.as_deref(), Some("de"));
        assert!(
            opt_out.contains("Diese Befragungen nicht mehr erhalten?"),
            "{opt_out}"
        );
        let r = client
            .post(w.app.url(&format!("/s/{cy_token}/opt-out")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let done = r.text().await.unwrap();
        assert!(
            done.contains("Sie erhalten keine weiteren Einladungen"),
            "{done}"
        );
        let bob_token = w.token_for("bob@acme.com");
        let (_, language, english) = page(&w, &format!("/s/{bob_token}/opt-out")).await;
        assert_eq!(language.as_deref(), Some("en"));
        assert!(
            english.contains("Stop receiving these surveys?"),
            "{english}"
        );
    }
);

language_test!(
    the_report_pools_the_answers_of_every_language_and_the_closed_page_is_localized,
    None,
    |w| {
        w.open_wave().await;
        w.mail(6).await;
        for (email, value) in [
            ("ann@acme.com", 5),
            ("bob@acme.com", 4),
            ("eve@acme.com", 3),
            ("cy@bolt.com", 2),
            ("di@bolt.com", 4),
            ("fay@bolt.com", 5),
        ] {
            let token = w.token_for(email);
            let answers: serde_json::Map<String, Value> = crate::ITEMS
                .iter()
                .map(|item| (item.to_string(), json!(value)))
                .collect();
            let r = w
                .app
                .client
                .post(w.app.url(&format!("/api/responses/{token}")))
                .json(&json!({ "answers": answers }))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{email}");
        }
        let r = w
            .app
            .post(&format!("/api/partnerships/{}/waves/close", w.partnership))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);

        // After the close, Ann's link says so in French, with a French date.
        let token = w.token_for("ann@acme.com");
        let (status, language, closed) = page(&w, &format!("/s/{token}")).await;
        assert_eq!(status, 410);
        assert_eq!(language.as_deref(), Some("fr"));
        assert!(closed.contains("Cette enquête a été close le "), "{closed}");
        assert!(
            ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
                .iter()
                .any(|day| closed.contains(&format!("close le {day} "))),
            "{closed}"
        );

        let r = w
            .app
            .get(&format!("/api/partnerships/{}/report", w.partnership))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let report: Value = r.json().await.unwrap();
        let trust: Vec<&Value> = report["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["item"] == "trust" && r["segment_kind"] == "all")
            .collect();
        assert_eq!(trust.len(), 2, "one record a side: {trust:?}");
        for record in &trust {
            assert_eq!(
                record["n"], 3,
                "three answers a side, whatever their language: {record}"
            );
        }
        let customer = trust.iter().find(|r| r["side"] == "customer").unwrap();
        assert_eq!(customer["mean"], 4.0, "(5 + 4 + 3) / 3: {customer}");
        let kinds: Vec<&str> = report["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["segment_kind"].as_str())
            .collect();
        assert!(!kinds.contains(&"language"), "no silent split by language");
    }
);

language_test!(
    people_without_a_language_read_the_partnership_default_set_at_creation_or_by_an_edit,
    Some("es"),
    |w| {
        let base = format!("/api/partnerships/{}", w.partnership);
        let view: Value = w.app.get(&base).send().await.unwrap().json().await.unwrap();
        assert_eq!(view["language"], "es");

        let r = w
            .app
            .client
            .patch(w.app.url(&base))
            .bearer_auth(ADMIN_TOKEN)
            .json(&json!({"language": "klingon"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let refused = r.text().await.unwrap();
        assert!(refused.contains("language"), "{refused}");
        assert!(refused.contains("not offered"), "{refused}");

        let r = w
            .app
            .client
            .patch(w.app.url(&base))
            .bearer_auth(ADMIN_TOKEN)
            .json(&json!({"language": "de"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let edited: Value = r.json().await.unwrap();
        assert_eq!(edited["language"], "de");

        w.open_wave().await;
        let mails = w.mail(6).await;
        let bob = mail_to(&mails, "bob@acme.com");
        assert!(
            subject(bob).starts_with("Ihre Sicht auf die Partnerschaft mit Bolt"),
            "Bob has no language: the partnership's German"
        );
        let ann = mail_to(&mails, "ann@acme.com");
        assert!(
            subject(ann).starts_with("Votre avis"),
            "Ann's own French wins over the default"
        );
        let token = w.token_for("fay@bolt.com");
        let (_, language, form) = page(&w, &format!("/s/{token}")).await;
        assert_eq!(language.as_deref(), Some("de"));
        assert!(form.contains("Wir können Acme vertrauen."), "{form}");
    }
);

language_test!(
    a_roster_with_an_unknown_language_is_refused_with_its_place_and_nothing_is_imported,
    None,
    |w| {
        let before = w.app.db.count("people");
        let bad = format!("{ROSTER}gil@bolt.com,Gil Hu,supplier,staff,sales,US,klingon\n")
            .replace("Bob Roe", "Bob Renamed");
        let r = w
            .app
            .post(&format!("/api/partnerships/{}/roster", w.partnership))
            .header("content-type", "text/csv")
            .body(bad)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        let text = body.to_string();
        assert!(text.contains("klingon"), "{text}");
        assert!(
            text.contains("not offered (known: en, fr, de, es)"),
            "{text}"
        );
        let problem = body["problems"]
            .as_array()
            .and_then(|p| p.first())
            .unwrap_or_else(|| panic!("a problem list: {text}"));
        assert_eq!(problem["line"], 8, "{text}");
        assert_eq!(problem["column"], 7, "{text}");
        assert_eq!(w.app.db.count("people"), before, "nothing imported");
        assert_eq!(w.app.db.count("people WHERE name = 'Bob Renamed'"), 0);
        assert_eq!(w.app.db.count("people WHERE language = 'fr'"), 2);
    }
);
