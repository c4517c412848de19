# Respondent pages and mails, English: the reference every other language must match key for key.

## Dates

deadline-mail = { $weekday } { $day } { $month } { $year } at { $time } { $zone }
deadline-page = { $weekday } { $day } { $month } { $year }, { $time } ({ $zone })
weekday-1 = Monday
weekday-2 = Tuesday
weekday-3 = Wednesday
weekday-4 = Thursday
weekday-5 = Friday
weekday-6 = Saturday
weekday-7 = Sunday
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

## The survey form

respondent-brand = Tandem · partnership survey
form-title = Survey about { $partner }
form-title-error = Error:
form-heading = How is the partnership with { $partner } going?
form-lead = Wave { $seq } · about 2 minutes · open until { $deadline }. You can come back with the same link and change your answers until then.
form-confidential-label = Confidential.
form-confidential = Nobody at { $own } or { $partner } sees your individual answers. Results are only shown for groups of at least { $min } people. Choose “{ $dont_know }” when you cannot judge.
form-problems = Please check { $count } { $count ->
        [one] answer
       *[other] answers
    }
form-optional = (optional)
form-send = Send my answers
form-update = Update my answers
form-opt-out-question = Don’t want these surveys?
form-opt-out-link = Stop receiving invitations

## Refused answers

answer-missing = Please choose an answer, or “{ $dont_know }”.
answer-unknown-item = “{ $id }” is not a question of this survey.
answer-unknown-question = “{ $id }” is not an open question of this survey.
answer-twice = “{ $id }” is answered twice.
answer-nul = This answer contains a NUL character (\u0000), which is not allowed in text.
answer-too-long = Please shorten this answer to at most { $max } characters.
answer-off-scale = Please choose one of the { $points } answers, or “{ $dont_know }”.

## Pages around the form

thanks-title = Thank you — your answers are saved
thanks-change = You can change them with the same link until { $deadline }.
thanks-private = Your individual answers are never shown to anyone; they only count in results for groups of several people.
thanks-review = Review or change my answers
opt-out-title = Stop receiving these surveys?
opt-out-body = You will get no further invitations or reminders for this partnership's surveys. Answers you already gave stay counted, anonymously, in group results.
opt-out-button = Yes, stop my invitations
opted-out-title = You will not receive further invitations
opted-out-body = Your choice is saved. If you change your mind, ask your partnership's point person to invite you again.
not-found-title = This link does not lead to a survey
not-found-body = Check that the whole link from your invitation was copied. Each person has their own link; if it still does not work, ask your partnership's point person for a new invitation.
closed-title = This survey has closed
closed-body = This survey closed on { $when }. Answers can no longer be given or changed.
closed-next = You will receive a new link when the next survey opens.
foreign-title = This form was sent from another site
unreadable-title = The form could not be read
unreadable-again = Go back to your survey link and send it again.

## Mails to respondents

mail-tagline = Tandem: periodic surveys of a customer–supplier partnership.
mail-hello = Hello { $name },
mail-take-survey = Take the survey
mail-or-open = Or open this link:
mail-stop = Stop receiving these surveys
invitation-subject = Your view of the partnership with { $partner } ({ $minutes } minutes, confidential)
invitation-title = Your view of the partnership with { $partner }
invitation-intro = { $own } and { $partner } regularly ask people in both firms how their joint work is going. How people feel about a partnership changes before delivery, quality or cost figures do, so your view helps both firms act early.
invitation-duration = The survey takes about { $minutes } minutes.
invitation-duration-link = The survey takes about { $minutes } minutes. Open it with your personal link:
invitation-until = You can answer, and change your answers, until { $deadline }.
invitation-candid-label = Why you can be candid:
invitation-candid = no one, in either firm, ever sees your individual answers. Results are shown only as totals for groups of at least { $min } people; a smaller group is never shown.
invitation-personal = The link is yours alone: please do not forward this mail.
invitation-footer = You receive this because { $own } invited you to its partnership survey with { $partner }.
reminder-subject = Reminder: your view of the partnership with { $partner } (until { $deadline })
reminder-title = Reminder: your view of the partnership with { $partner }
reminder-open = A reminder: the survey on the partnership between { $own } and { $partner } is open until { $deadline }. It takes about { $minutes } minutes.
reminder-open-link = A reminder: the survey on the partnership between { $own } and { $partner } is open until { $deadline }. It takes about { $minutes } minutes:
reminder-private = No one sees your individual answers; results are shown only for groups of at least { $min } people.
