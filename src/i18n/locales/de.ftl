# Seiten und Mails für Befragte, auf Deutsch.

## Daten

deadline-mail = { $weekday }, { $day }. { $month } { $year } um { $time } { $zone }
deadline-page = { $weekday }, { $day }. { $month } { $year }, { $time } ({ $zone })
weekday-1 = Montag
weekday-2 = Dienstag
weekday-3 = Mittwoch
weekday-4 = Donnerstag
weekday-5 = Freitag
weekday-6 = Samstag
weekday-7 = Sonntag
month-1 = Januar
month-2 = Februar
month-3 = März
month-4 = April
month-5 = Mai
month-6 = Juni
month-7 = Juli
month-8 = August
month-9 = September
month-10 = Oktober
month-11 = November
month-12 = Dezember

## Der Fragebogen

respondent-brand = Tandem · Befragung zur Partnerschaft
form-title = Befragung zu { $partner }
form-title-error = Fehler:
form-heading = Wie läuft die Partnerschaft mit { $partner }?
form-lead = Welle { $seq } · etwa 2 Minuten · offen bis { $deadline }. Bis dahin können Sie mit demselben Link zurückkommen und Ihre Antworten ändern.
form-confidential-label = Vertraulich.
form-confidential = Niemand bei { $own } oder { $partner } sieht Ihre einzelnen Antworten. Ergebnisse werden nur für Gruppen von mindestens { $min } Personen gezeigt. Wählen Sie „{ $dont_know }“, wenn Sie etwas nicht beurteilen können.
form-problems = Bitte prüfen Sie { $count } { $count ->
        [one] Antwort
       *[other] Antworten
    }
form-optional = (optional)
form-send = Antworten senden
form-update = Antworten aktualisieren
form-opt-out-question = Sie möchten diese Befragungen nicht mehr erhalten?
form-opt-out-link = Keine Einladungen mehr erhalten

## Abgelehnte Antworten

answer-missing = Bitte wählen Sie eine Antwort oder „{ $dont_know }“.
answer-unknown-item = „{ $id }“ ist keine Frage dieser Befragung.
answer-unknown-question = „{ $id }“ ist keine offene Frage dieser Befragung.
answer-twice = „{ $id }“ wurde zweimal beantwortet.
answer-nul = Diese Antwort enthält ein NUL-Zeichen, das nicht gespeichert werden kann.
answer-too-long = Bitte kürzen Sie diese Antwort auf höchstens { $max } Zeichen.
answer-off-scale = Bitte wählen Sie eine der { $points } Antworten oder „{ $dont_know }“.

## Seiten rund um den Fragebogen

thanks-title = Vielen Dank — Ihre Antworten sind gespeichert
thanks-change = Sie können sie mit demselben Link bis { $deadline } ändern.
thanks-private = Ihre einzelnen Antworten werden niemandem gezeigt; sie zählen nur in Ergebnissen für Gruppen mehrerer Personen.
thanks-review = Meine Antworten ansehen oder ändern
opt-out-title = Diese Befragungen nicht mehr erhalten?
opt-out-body = Sie erhalten keine weiteren Einladungen oder Erinnerungen zu den Befragungen dieser Partnerschaft. Bereits gegebene Antworten zählen weiterhin, anonym, in den Gruppenergebnissen.
opt-out-button = Ja, keine Einladungen mehr
opted-out-title = Sie erhalten keine weiteren Einladungen
opted-out-body = Ihre Wahl ist gespeichert. Wenn Sie es sich anders überlegen, bitten Sie die Ansprechperson Ihrer Partnerschaft, Sie erneut einzuladen.
not-found-title = Dieser Link führt zu keiner Befragung
not-found-body = Prüfen Sie, ob der Link aus Ihrer Einladung vollständig kopiert wurde. Jede Person hat ihren eigenen Link; wenn er weiterhin nicht funktioniert, bitten Sie die Ansprechperson Ihrer Partnerschaft um eine neue Einladung.
closed-title = Diese Befragung ist geschlossen
closed-body = Diese Befragung wurde am { $when } geschlossen. Antworten können nicht mehr gegeben oder geändert werden.
closed-next = Sie erhalten einen neuen Link, wenn die nächste Befragung beginnt.
foreign-title = Dieses Formular wurde von einer anderen Website gesendet
unreadable-title = Das Formular konnte nicht gelesen werden
unreadable-again = Öffnen Sie erneut Ihren Befragungslink und senden Sie es noch einmal.

## Mails an Befragte

mail-tagline = Tandem: regelmäßige Befragungen einer Kunden-Lieferanten-Partnerschaft.
mail-hello = Hallo { $name },
mail-take-survey = Zur Befragung
mail-or-open = Oder öffnen Sie diesen Link:
mail-stop = Diese Befragungen nicht mehr erhalten
invitation-subject = Ihre Sicht auf die Partnerschaft mit { $partner } ({ $minutes } Minuten, vertraulich)
invitation-title = Ihre Sicht auf die Partnerschaft mit { $partner }
invitation-intro = { $own } und { $partner } fragen regelmäßig Menschen in beiden Unternehmen, wie ihre Zusammenarbeit läuft. Wie Menschen eine Partnerschaft erleben, ändert sich früher als Liefer-, Qualitäts- oder Kostenzahlen; Ihre Sicht hilft beiden Unternehmen, früh zu handeln.
invitation-duration = Die Befragung dauert etwa { $minutes } Minuten.
invitation-duration-link = Die Befragung dauert etwa { $minutes } Minuten. Öffnen Sie sie mit Ihrem persönlichen Link:
invitation-until = Sie können bis { $deadline } antworten und Ihre Antworten ändern.
invitation-candid-label = Warum Sie offen antworten können:
invitation-candid = Niemand, in keinem der beiden Unternehmen, sieht jemals Ihre einzelnen Antworten. Ergebnisse werden nur als Summen für Gruppen von mindestens { $min } Personen gezeigt; eine kleinere Gruppe wird nie gezeigt.
invitation-personal = Der Link gehört nur Ihnen: Bitte leiten Sie diese Mail nicht weiter.
invitation-footer = Sie erhalten diese Mail, weil { $own } Sie zu seiner Partnerschaftsbefragung mit { $partner } eingeladen hat.
reminder-subject = Erinnerung: Ihre Sicht auf die Partnerschaft mit { $partner } (bis { $deadline })
reminder-title = Erinnerung: Ihre Sicht auf die Partnerschaft mit { $partner }
reminder-open = Zur Erinnerung: Die Befragung zur Partnerschaft zwischen { $own } und { $partner } ist bis { $deadline } offen. Sie dauert etwa { $minutes } Minuten.
reminder-open-link = Zur Erinnerung: Die Befragung zur Partnerschaft zwischen { $own } und { $partner } ist bis { $deadline } offen. Sie dauert etwa { $minutes } Minuten:
reminder-private = Niemand sieht Ihre einzelnen Antworten; Ergebnisse werden nur für Gruppen von mindestens { $min } Personen gezeigt.
