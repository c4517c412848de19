# Managers' pages and mails, English only for now: every page and mail of the managers,
# ombudsmen and administrators. The words of the dashboard's charts, and the sentences and
# figures the dashboard's view code computes (src/web/dashboard/), are still written in Rust;
# tests/foundation/catalog.rs keeps the list of templates.
# Not yet translated, so not held to the respondent files' key parity.

error-prefix = Error:

## Sign in (pages/login.html)

login-title = Sign in
login-heading = Sign in to Tandem
login-lead = For relationship managers, ombudsmen and administrators. Survey respondents do not need an account: use the link from your invitation.
login-email = Email
login-password = Password
login-submit = Sign in
login-forgot = Forgot your password, or never set one? Ask an administrator for a new set-password link.

## Set password (pages/set_password.html)

set-password-title = Choose your password
set-password-lead = For { $email }. This link works once, for a limited time (48 hours for a new account, 24 hours for a password reset). Setting the password signs you out everywhere else.
set-password-new = New password
set-password-hint = At least { $min } characters. A few unrelated words make a strong password that is easy to type.
set-password-confirm = The same password again
set-password-submit = Save my password

## Password reset mail (mail/password_reset)

reset-subject = Set a new password for Tandem
reset-hello = Hello,
reset-intro = An administrator of Tandem asked for a new password to be set for { $email }. Open this link to choose it. It works once, until { $expires }.
reset-intro-text = An administrator of Tandem asked for a new password to be set for { $email }.
reset-open-text = Open this link to choose it. It works once, until { $expires }:
reset-button = Set a new password
reset-or-open = Or open this link:
reset-note = Setting the password signs you out everywhere else. Until then your current password still works. If you did not expect this mail, tell your administrator.
reset-footer = You receive this because you have a Tandem account.

## Administration: navigation (pages/admin_nav.html) and users (pages/admin_users.html)

admin-nav-label = Account
admin-nav-partnerships = Partnerships
admin-nav-users = Users
admin-nav-audit = Audit log
admin-nav-signed-in = Signed in as
admin-nav-sign-out = Sign out
admin-users-title = Users
admin-users-lead = Everyone who can sign in, with their role and the partnerships they see. Open a user to disable or enable them, change their role and scope, or send them a password reset.
admin-users-add = Add users with
admin-users-email = Email
admin-users-role = Role
admin-users-status = Status
admin-users-sees = Sees

## Dashboard and inbox navigation (pages/dashboard_nav.html, pages/inbox_nav.html)

nav-all-partnerships = ← All partnerships
nav-you-see = you see { $scope }
nav-api-tokens = API tokens
nav-flag-inbox = Flag inbox
nav-portfolio = Portfolio
nav-lead-lag = Lead–lag

## Page frame (pages/layout.html) and the brand line of each family of pages

brand-survey = Tandem · partnership survey
brand-inbox = Tandem · ombudsman's inbox
brand-portfolio = Tandem · portfolio

## Home (pages/home.html)

home-title = Your partnerships
home-overview = every partnership you see side by side, the most at risk first.
home-inbox = { $count ->
    [0] nothing needs attention.
    [one] { $count } open or acknowledged flag.
   *[other] { $count } open or acknowledged flags.
}
home-everything = As { $role } you can see every partnership.
home-none-yet = There are no partnerships yet. Create one with
home-none-shared = No partnership is shared with you yet. Ask an administrator to add one to your account.
home-firms = { $customer } (customer) and { $supplier } (supplier)
home-roster = roster

## Flag inbox (pages/inbox.html)

inbox-title = Flag inbox
inbox-title-resolved = Resolved flags
inbox-lead-open = Open and acknowledged flags: those with an overdue action first, then the most severe, then the most recently changed.
inbox-lead-resolved = Flags that were resolved, most recently changed first.
inbox-lead-across = Across the { $count } { $count ->
    [one] partnership
   *[other] partnerships
} you can see.
inbox-raise = Raise a flag by hand
inbox-tabs-label = Which flags
inbox-tab-open = Open and acknowledged
inbox-tab-resolved = Resolved
inbox-empty-open = Nothing needs attention: no open or acknowledged flags.
inbox-empty-resolved = No resolved flags.
inbox-count = { $count } { $count ->
    [one] flag
   *[other] flags
}
inbox-severity = Severity
inbox-what-fired = What fired
inbox-partnership = Partnership
inbox-wave = Wave
inbox-measured = Measured
inbox-state = State
inbox-assigned-to = Assigned to
inbox-actions = Actions
inbox-last-change = Last change
inbox-nobody = nobody
inbox-no-actions = none
# The actions column of a row: open actions, and how many of them are overdue.
inbox-actions-count = { $count } { $count ->
    [one] action
   *[other] actions
}, { $overdue } overdue
inbox-measured-threshold = { $measured } (threshold { $threshold })

## One flag (pages/flag.html)

flag-title = Flag { $id }: { $rule }
flag-back = ← Flag inbox
flag-raised-by-hand = raised by hand
flag-on-wave = wave { $wave }
flag-assigned-to-name = assigned to { $name }
flag-outcome-is = outcome: { $outcome }
flag-outcome-measured = { $outcome } (measured { $measured } when resolved)
flag-what-raised = What was raised
flag-why-fired = Why it fired
flag-measured-value = Measured { $value }
flag-open-chart = Open the chart that shows it
flag-waves-fired = Waves it fired on
flag-no-history = No history recorded.
flag-follow-up = Follow-up
flag-follow-up-none = No wave has closed since it last fired.
flag-follow-up-caption = What the rule measures on this scope in each later closed wave, against the value the flag carried then.
flag-follow-up-before = Before
flag-follow-up-now = Now
flag-follow-up-fired = Fired
flag-follow-up-not-shown = not shown
flag-follow-up-yes = yes
flag-follow-up-no = no
flag-actions-none = No actions yet.
flag-action-what = What
flag-action-owner = Owner
flag-action-due = Due
flag-action-status = Status
flag-action-change = Change
flag-action-done = done
flag-action-overdue = overdue
flag-action-open = open
flag-action-mark-done = Done
flag-action-mark-not-done = Not done
flag-action-what-label = What is to be done
flag-action-choose = Choose…
flag-action-due-on = Due on
flag-action-add = Add the action
flag-act = Act on it
flag-change-note = Note with the change (optional)
flag-outcome-label = Outcome, when resolving (optional)
flag-outcome-not-recorded = Not recorded
flag-acknowledge = Acknowledge
flag-resolve = Resolve
flag-reopen = Reopen
flag-note-label = Add a note
flag-note-add = Add the note
flag-assign-nobody = Nobody
flag-assign = Assign
flag-history = History
flag-history-none = Nothing happened yet.
flag-event-by = by { $who }

## Raise a flag by hand (pages/flag_new.html)

flag-new-title = Raise a flag
flag-new-lead = Misalignment the rules cannot see — a complaint, a meeting, a hunch worth following. The flag goes to the inbox and to every ombudsman of the partnership, and lives like the rules' flags.
flag-new-no-partnership = No partnership is shared with you.
flag-new-title-label = Title
flag-new-note = Note
flag-new-about = What it is about (optional)
flag-new-firm = Firm
flag-new-firm-both = Both
flag-new-firm-customer = customer
flag-new-firm-supplier = supplier
flag-new-dimension = Dimension
flag-new-item = Item
flag-new-group-by = Group by
flag-new-group-nobody = Nobody in particular
flag-new-group-level = level
flag-new-group-function = function
flag-new-group-region = region
flag-new-group-business-unit = business_unit
flag-new-group-language = language
flag-new-group = Group
flag-new-severity-low = low
flag-new-severity-medium = medium
flag-new-severity-high = high
flag-new-submit = Raise the flag

## Pages of the inbox, the portfolio and the account when something stops them (web::inbox, web::account, web::admin)

page-not-found = Not found
page-not-allowed = Not allowed
page-not-changed = Nothing was changed
page-failed = Something went wrong
page-failed-text = The page could not be built. The error has been logged.
page-no-flag = There is no such flag, or it is not shared with you.
page-no-partnership = There is no such partnership, or it is not shared with you.
page-no-token = You have no such API token. It may have been revoked already.
page-busy = The service is busy
page-busy-text = Nothing was changed; try again in a moment.

## API tokens (pages/account_tokens.html)

tokens-title = API tokens
tokens-lead-script = A personal API token lets a script use the JSON API
tokens-lead-as-you = as you: it sees exactly the partnerships you see, and may do only what you may do.
tokens-lead-send = Send it as
tokens-lead-revoke = Revoke a token you no longer need.
tokens-new = Your new token “{ $name }”
tokens-new-copy = Copy it now: it is shown only this once and cannot be recovered.
tokens-problems = No token was made: see the { $count ->
    [one] problem
   *[other] problems
} below.
tokens-yours = Your tokens
tokens-none = You have no API tokens.
tokens-name = Name
tokens-starts-with = Starts with
tokens-created = Created
tokens-last-used = Last used
tokens-expires = Expires
tokens-revoke = Revoke
tokens-revoke-name = Revoke { $name }
tokens-expired = (expired)
tokens-make = Make a token
tokens-name-help = What the token is for, so you recognise it later (at most { $max } characters).
tokens-valid-through = Valid through (optional)
tokens-valid-help = The last day (UTC) the token works; leave empty for no expiry.
tokens-submit = Make the token
tokens-never = never

## Administration: one user (pages/admin_user.html)

admin-user-sees = sees { $reach }
admin-user-problems = Nothing was changed: see the { $count ->
    [one] problem
   *[other] problems
} below.
admin-user-sign-in = Sign-in
admin-user-disabled = This user is disabled: they cannot sign in, and no session or API token of theirs works.
admin-user-enable = Enable { $email }
admin-user-disabling = Disabling ends every session of this user at once and revokes their API tokens. Enabling later lets them sign in again.
admin-user-not-yourself = You cannot disable your own account.
admin-user-disable = Disable { $email }
admin-user-reset = Password reset
admin-user-reset-lead = Mails { $email } a link to set a new password. It works once, for 24 hours, and voids earlier links; their current password works until then. Setting the new password ends their other sessions.
admin-user-reset-send = Send a password reset
admin-user-access = Role and scope
admin-user-role-manager = relationship manager
admin-user-role-ombudsman = ombudsman
admin-user-role-admin = administrator
admin-user-partnerships-hint = An administrator sees every partnership; a relationship manager the ones ticked; an ombudsman every partnership or the ones ticked.
admin-user-every-partnership = Every partnership, present and future (ombudsmen)
admin-user-partnership-id = (id { $id })
admin-user-side = Side (relationship managers)
admin-user-side-both = both firms
admin-user-side-customer = the customer only
admin-user-side-supplier = the supplier only
admin-user-save = Save role and scope
# The confirmation after a change (web::admin), and a user's status (also on the users list).
admin-user-done-disabled = The user is disabled: their sessions have ended and their API tokens are revoked.
admin-user-done-enabled = The user is enabled: they can sign in again.
admin-user-done-access = The role and scope are changed; they apply from the user's next request.
admin-user-done-reset = A password reset link is on its way (valid 24 hours, usable once).
admin-user-done-unchanged = Nothing needed changing.
admin-status-disabled = disabled
admin-status-active = active
admin-status-invited = invited (no password yet)

## Administration: audit log (pages/admin_audit.html)

audit-lead-family = Who did what, newest first. Dates are UTC days; an action can be a family such as
audit-lead-user = a user is matched as the one who acted or the one acted upon.
audit-problems = The filters could not be used: see the { $count ->
    [one] problem
   *[other] problems
} below.
audit-partnership = Partnership id
audit-user = User (email or actor)
audit-action = Action
audit-from = From (day)
audit-to = To (day, included)
audit-show = Show
audit-none = No entries match.
audit-entries = Entries { $first }–{ $last } of { $total }.
audit-csv = Download every matching entry as CSV
audit-when = When
audit-who = Who
audit-about = About
audit-details = Details
audit-newer = Newer entries
audit-older = Older entries

## Administration: a partnership's roster (pages/admin_roster.html)

roster-title = Roster
roster-heading = Roster of partnership { $id }
roster-lead-bounced = Everyone on the partnership's roster. An address that bounced hard is
roster-undeliverable = undeliverable
roster-lead-no-more-mail = Tandem sends it no more mail (each refused mail is kept in the outbox with the reason).
roster-lead-replace = Replace the roster with
roster-undeliverable-count = { $count } undeliverable { $count ->
    [one] address
   *[other] addresses
}.
roster-name = Name
roster-side = Side
roster-segment = Level · function · region
roster-bounce = Bounce

## Portfolio overview (pages/overview.html, pages/overview_table.html)

overview-title = Portfolio overview
overview-heading = Every partnership, side by side
overview-lead = The latest closed wave of each partnership you see, the most at risk first. Risk adds up open flags (3 high, 2 medium, 1 low), a health index under 50, a fall of the index, a significant gap, low agreement, a firm answering under 40 % and complacency — the reasons are listed in each row.
overview-download = Download:
overview-none = No partnership is shared with you yet.
overview-caption = { $count } { $count ->
    [one] partnership
   *[other] partnerships
}, sorted by { $sort }
overview-last-wave = Last wave
overview-complacency = complacency?
overview-complacency-title = Scores flat and high while fewer people answer
overview-you-see = you see { $sees }
overview-spark-label = Health index by wave: { $values }
overview-significant = (significant)
overview-customer-supplier = customer / supplier
# The sortable column headings (web::overview)
overview-sort-risk = Risk
overview-sort-name = Partnership
overview-sort-health = Health
overview-sort-gap = Biggest gap
overview-sort-agreement = Lowest agreement
overview-sort-response = Response
overview-sort-flags = Open flags
overview-trend-flat = ▶ flat
overview-no-closed-wave = no closed wave yet
overview-firms = { $customer } (customer) · { $supplier } (supplier)
overview-flags-none = none
overview-flags = { $count } ({ $high } high, { $medium } medium, { $low } low)

## Portfolio lead–lag (pages/portfolio.html)

leadlag-title = Portfolio lead–lag
leadlag-heading = Do perceptions lead a KPI across the portfolio?
leadlag-lead = Wave-to-wave changes of each partnership's perceptions and of the KPI, pooled over every partnership you see in full that has the KPI. The p-value shuffles whole partnerships' KPI series among them, so one partnership's waves are never counted as independent evidence.
leadlag-kpi = KPI
leadlag-no-kpi = No partnership you see has KPI values yet.
leadlag-partnerships = { $count } { $count ->
    [one] partnership
   *[other] partnerships
}
leadlag-kpi-waves = { $count } { $count ->
    [one] wave
   *[other] waves
} of the KPI
leadlag-no-records = No partnership you see has this KPI beside closed waves.
leadlag-lags = Lags
leadlag-k = k (waves)
leadlag-pairs = Pairs
leadlag-permutation-p = Permutation p
leadlag-adjusted-p = Adjusted p
leadlag-caption = k > 0: the perception changed k waves before the KPI; k < 0: the KPI changed first. Adjusted p: Holm over every lag shown on this page.

## Mails to managers and ombudsmen: shared lines (their greeting, mail-hello, and the
## tagline, mail-tagline, are the respondent file's English)

mail-measured = measured { $value }
# The heading of a group of flags of one severity (flags::digest::severity_heading)
mail-group-high = High ({ $count })
mail-group-medium = Medium ({ $count })
mail-group-low = Low ({ $count })

## Flag alert mail (mail/flag_alert)

mail-alert-subject = Flag on { $partnership }: { $rule } ({ $severity })
mail-alert-title = Flag on { $partnership }: { $rule }
mail-alert-intro-manual = { $who } raised a flag by hand on the partnership { $partnership }.
mail-alert-intro-wave = A flag fired on the partnership { $partnership }, wave { $seq }.
mail-alert-intro = A flag was raised on the partnership { $partnership }.
mail-alert-title-label = Title
mail-alert-rule = Rule
mail-alert-scope = Scope
mail-alert-measured = Measured
mail-alert-threshold = Threshold
mail-alert-severity = Severity
mail-alert-note = Note
mail-alert-button = Review the flag
mail-alert-open-text = Review, acknowledge or resolve it:
mail-alert-footer = You receive this as an ombudsman of { $partnership }.

## Weekly flags digest mail (mail/flag_digest)

mail-digest-subject = Weekly flags digest: { $flags } open { $flags ->
    [one] flag
   *[other] flags
}, { $overdue } overdue { $overdue ->
    [one] action
   *[other] actions
}
mail-digest-title = Weekly flags digest
# Built by flags::digest
mail-digest-intro = { $flags } open { $flags ->
    [one] flag
   *[other] flags
} in the partnerships you see, { $new } new since { $since }; { $overdue } overdue { $overdue ->
    [one] action
   *[other] actions
}.
mail-digest-new = new
mail-digest-overdue = Overdue actions ({ $count })
mail-digest-due = due { $date }
mail-digest-button = Open the inbox
mail-digest-inbox-text = The inbox: { $link }
mail-digest-footer = You receive this weekly as an ombudsman. To stop it, turn the digest off in
mail-digest-footer-inbox = the inbox
mail-digest-footer-text = You receive this weekly as an ombudsman. To stop it, turn the digest off at { $link }

## Wave summary mail (mail/wave_summary)

mail-summary-subject = { $partnership }: wave { $seq } closed, summary
mail-summary-title = { $partnership }: wave { $seq } closed
mail-summary-closed = Wave { $seq } of { $partnership } is closed ({ $dates }).
mail-summary-you-see = You see { $sees }.
mail-summary-responses = Responses
mail-summary-moved = What moved
mail-summary-gap = Biggest gap between the firms
mail-summary-flags = Open flags
mail-summary-button = Open the dashboard
mail-summary-dashboard-text = The dashboard: { $link }
mail-summary-footer = You receive this after every wave as a relationship manager of { $partnership }. To stop it, ask an administrator to turn your wave summary off.
# The lines of the summary, built by services::summary from the wave's report
mail-summary-dates = opened { $opened }, closed { $closed }
mail-summary-sees-both = both firms
mail-summary-sees-one = { $firm } only
mail-summary-response = { $firm } ({ $side }): { $counts }{ $withheld }
mail-summary-answered = { $responded } of { $invited } answered ({ $rate } %)
mail-summary-nobody-invited = nobody was invited
mail-summary-no-invitations = no invitations recorded
mail-summary-figures = ; figures { $withheld }
mail-summary-withheld = withheld: { $reason }
mail-summary-health-withheld = Health index: { $withheld }.
mail-summary-health-unanswered = Health index: none this wave (no dimension both firms answered).
mail-summary-health-none = Health index: none this wave.
mail-summary-health-first = Health index { $index } (of 100); the first wave, nothing to compare yet.
mail-summary-health-unchanged = Health index { $index } (of 100), unchanged from { $previous } in wave { $wave }.
mail-summary-health-up = Health index { $index } (of 100), up { $change } points from { $previous } in wave { $wave }.
mail-summary-health-down = Health index { $index } (of 100), down { $change } points from { $previous } in wave { $wave }.
mail-summary-health-no-previous = Health index { $index } (of 100); wave { $wave } has no index to compare with.
mail-summary-first-wave = Wave { $seq } is the first: there is nothing to compare yet.
mail-summary-nothing-to-compare = Nothing to compare.
mail-summary-nothing-moved = Nothing moved significantly since the previous wave (Welch's t test at 5 % on each dimension).
mail-summary-changes = Significant changes since the previous wave (Welch's t test at 5 %).
mail-summary-not-compared-withheld = { $firm } is not compared: its figures are withheld this wave.
mail-summary-not-compared-first = { $firm } is not compared: no earlier wave shows its figures.
mail-summary-move-rose = { $firm } on { $dimension }: rose from { $from } in wave { $wave } to { $to } ({ $diff } points, Welch { $p })
mail-summary-move-fell = { $firm } on { $dimension }: fell from { $from } in wave { $wave } to { $to } ({ $diff } points, Welch { $p })
mail-summary-gap-line = { $dimension }: { $higher } { $hi }, { $lower } { $lo }, a gap of { $gap } points ({ $test }).
mail-summary-gap-significant = significant, Welch { $p }
mail-summary-gap-not-significant = not significant, Welch { $p }
mail-summary-gap-no-test = no test
mail-summary-gap-unanswered = No dimension both firms answered.
mail-summary-no-flags = No open flags.
mail-summary-flag-counts = { $count } open { $count ->
    [one] flag
   *[other] flags
}: { $high } high, { $medium } medium, { $low } low.
mail-summary-flags-listed-to-both = They are listed to those who see both firms.

## Notices of the sign-in, set-password and form checks (web::auth_pages, web::extract, web::security)

login-wrong = The email or password is wrong.
login-throttled = Too many failed sign-ins for this email or from your network. Wait up to { $minutes } minutes, then try again, or ask an administrator for a new set-password link.
set-password-mismatch = The two passwords are not the same.
set-password-saved-title = Your password is saved
set-password-saved = You can now sign in with your email and this password.
notice-form-expired-title = The form has expired
notice-form-expired = The form's security token was missing or out of date, so nothing was changed. Go back, reload the page and try again.
notice-busy-sign-in-title = Too many sign-ins at once
notice-busy-sign-in = The service is checking many passwords right now. Nothing was changed; wait a few seconds and send the form again.
notice-link-unusable-title = This link cannot be used
notice-link-unusable = Set-password links work once and for a limited time: 48 hours for a new account, 24 hours for a password reset. This one is unknown, already used, replaced by a newer link, or expired. Ask an administrator for a new one.
notice-page-closed-title = This page is not open to you
notice-form-unreadable-title = The form could not be read
notice-form-unreadable = Nothing was saved. { $detail }. Go back, correct it and send the form again.
# a page or API call open to some roles only
notice-only-for-admins = this is only for administrators
notice-only-for-flag-handlers = this is only for ombudsmen and administrators
# the details of a refused form ({ $name } is the field's name, quoted)
notice-what-query = query parameter
notice-what-form-field = form field
notice-not-utf8 = the { $what } { $name } is not valid UTF-8 text (send the form from a page in UTF-8)
notice-body-too-large = the body is over the { $bytes }-byte limit

## Relationship dashboard family: words shared by its pages (pages/dashboard*.html,
## goal_form.html, plan*.html)

brand-dashboard = Tandem · relationship dashboard
brand-review = Tandem · review pack
dash-withheld-rule = { $min ->
    [one] groups with fewer than { $min } response are withheld
   *[other] groups with fewer than { $min } responses are withheld
}
dash-chart-svg = Chart as SVG
dash-data-table = Data table
dash-wave = Wave
dash-firm = Firm
dash-dimension = Dimension
dash-group = Group
dash-gap = Gap
dash-test = Test
dash-change = Change
dash-item = Item
dash-agreement = Agreement
dash-welch = Welch's t test
dash-owner = Owner
dash-due = Due
dash-and = and
dash-goals = Goals
dash-no-open-flags = No open flags.
dash-response-rate = Response rate
dash-health = Relationship health
dash-health-index = health index, wave { $wave } (0–100)
dash-meta-guessing = Guessing firm
dash-meta-actual = The other firm's own mean
dash-meta-error = Meta-error
dash-meta-reading = Reading
dash-perceptions-kpis = Perceptions and KPIs

## Comments of a wave (pages/dashboard_comments.html)

comments-caption = Answers to the open questions of wave { $wave }, for each firm as a whole, in alphabetical order. A firm's comments are shown only when enough of its people answered; they are never broken down by level or function.
comments-from = Comments from { $firm }
comments-not-shown = Not shown: { $reason }.
comments-none = No comments in this wave.

## Goals (pages/dashboard_goals.html, pages/goal_form.html)

goal-on-main = Goals are set on the main survey: see
goal-on-main-link = its dashboard
goal-none = No goals set.
goal-none-can-set = No goals set: set a target on a dimension's mean, the gap, agreement, the response rate or a KPI, with a date.
goal-progress-label = { $percent } % of the way
goal-owner = owner { $name } ({ $side })
goal-set-by = set by { $who }
goal-remove-label = Remove the goal: { $goal }
goal-remove = Remove
goal-set = Set a goal
goal-form-lead = A target on one measure of this partnership, to reach by a date. The dashboard and the review pack then show how far it has come and whether the trend of the last waves gets there in time.
goal-form-not-saved = { $count ->
    [one] The goal was not saved: see the problem below.
   *[other] The goal was not saved: see the problems below.
}
goal-form-measure = Measure
goal-form-target = Target
goal-form-target-help = The value to reach: a mean on the survey’s own scale (1 to its number of points, e.g. 1–5 or 1–4), agreement from 0 to 1, a response rate in per cent, a KPI in its unit. For a gap, the largest gap you accept.
goal-form-by = By
goal-form-no-owner = No owner named
goal-form-save = Save the goal

## One question (pages/dashboard_item.html; question-label also heads the questions on the dashboard)

question-label = Question
question-dimension = dimension { $dimension }
question-wording = { $firm } staff read: “{ $wording }”
question-answers = Answers by wave
question-caption = Counts of each answer, the mean with its 95 % confidence interval, the favourable share (4 or 5) and agreement (rwg).
question-mean-ci = Mean (95 % CI)
question-favourable = Favourable
question-gap = Gap between the firms
question-segments = Levels and functions, wave { $wave }
question-breakdown = Breakdown
question-mean-favourable = Mean · favourable

## Relationship plan (pages/dashboard_plan.html, plan.html, plan_objective.html, plan_fields.html)

plan-title = Relationship plan
plan-none = No joint objectives yet.
plan-owners = Owners:
plan-next-milestone = Next milestone: { $milestone }
plan-no-open-milestone = No open milestone.
plan-none-overdue = No milestone overdue.
# followed by the overdue milestones, separated by semicolons
plan-overdue-list = { $count } overdue:
plan-goals = Goals:
plan-dimensions-move = Dimensions it should move
plan-dimensions-label = Dimensions it should move:
plan-latest-mean = Latest mean
plan-link = The plan: objectives and milestones
plan-objective = Objective
plan-description = Description
plan-owner-in = Owner in { $firm }
plan-status = Status
plan-goals-serves = Goals it serves
plan-of = The plan of { $name }
plan-not-saved = Not saved:
plan-save = Save the objective
plan-milestones = Milestones
plan-milestone = Milestone
plan-milestone-n = Milestone { $n }
plan-done-on = Done on (empty while not done)
plan-milestone-save = Save the milestone
plan-milestone-add-heading = Add a milestone
plan-milestone-add = Add the milestone
plan-lead = What the two firms do together, who owns it in each firm, and by when. Owners are people of the roster.
plan-objective-not-saved = The objective was not saved:
plan-milestones-overdue = { $count ->
    [one] { $count } milestone overdue.
   *[other] { $count } milestones overdue.
}
plan-no-milestones = No milestones.
plan-state = State
plan-mark-done-label = Mark done: { $milestone }
plan-mark-done = Mark done
plan-reopen-label = Reopen: { $milestone }
plan-reopen = Reopen
plan-edit = Edit the objective and its milestones
plan-new = A new objective
plan-today = Today is { $today }. Empty rows are left out.

## Review pack (pages/dashboard_review.html)

review-title = Review pack, wave { $wave }
review-back = Dashboard
review-for-wave = Review pack for wave
review-show = Show
review-pdf = To make a PDF, use your browser's Print command and choose “Save as PDF”.
review-heading = { $name }: review of wave { $wave }
review-closed = wave closed { $date }
review-compared = compared with wave { $wave }
review-questions = Questions for the review meeting
review-changed-since = What changed since wave { $wave }
review-changed-since-last = What changed since the last wave
review-first-wave = This is the first wave with results: nothing to compare with yet.
review-before = Before
review-wave-n = Wave { $wave }
review-gaps = Gaps between the firms
review-effect-size = Effect size
review-meta = How well each firm reads the other
review-meta-guess = Its guess of the other firm's mean
review-agreement = Agreement within each firm
review-agreement-caption = rwg(j) runs from 0 (answers as spread as chance) to 1 (everyone answered alike); words after LeBreton & Senter (2008). "Beyond chance": above the 95th percentile of rwg(j) when as many people answer at random.
review-joint = Both firms together
review-leads-caption = Correlations of wave-to-wave changes, Holm-adjusted over every lead–lag test of the report.
review-trends = Trends by dimension
review-scale = Means are on { $scale }; don't-know answers are counted but never averaged.

## The relationship dashboard (pages/dashboard.html)

dash-title = dashboard
dash-results-up-to = results up to wave { $wave }
dash-series-label = Survey series
dash-on-this-page = On this page
dash-tab-health = Health
dash-tab-dimensions = Dimensions
dash-tab-response = Response rates
dash-tab-segments = Levels, functions, regions
dash-tab-questions = Questions
dash-tab-kpis = KPIs
dash-tab-plan = Plan
dash-flags = Flags
dash-comments = Comments
dash-review-pack = Review pack (wave { $wave })
dash-download-csv = Download CSV
dash-health-caption = The index weighs how positive both firms are (60 %), how much each firm agrees within itself (20 %) and how close the two firms are (20 %).
dash-index = Index
dash-level = Level
dash-dimensions-both = Dimensions: both firms over time
dash-dimensions-yours = Dimensions: your firm over time
dash-dimensions-caption = Each line is a firm's mean on the { $points }-point scale, with its 95 % confidence band.
dash-dimensions-gap-bar = A grey bar joining the two firms marks a wave where the difference between them is statistically significant (p < 0.05).
dash-dimensions-agreement = Agreement within a firm is rwg(j): 1 means everyone answered alike.
dash-agreement-label = Agreement within each firm, wave { $wave }
dash-firm-mean-ci = { $firm }: mean (95 % CI)
dash-raise-flag-on = Raise a flag on { $what }
dash-raise-flag-on-cell = Raise a flag on { $group }, { $column }
dash-meta = How well each firm reads the other, wave { $wave }
dash-meta-caption = Each firm was asked how it thinks the other firm answers. The meta-error is its guess minus the other firm's own mean; Welch's t test says whether the difference is more than chance.
dash-meta-guess = Its guess
dash-segments = Groups within each firm, wave { $wave }
dash-segments-caption = { $min ->
    [one] Each cell is a group's mean. Hatched cells are withheld: the group had fewer than { $min } response, or showing it would let a small group be worked out by subtraction.
   *[other] Each cell is a group's mean. Hatched cells are withheld: the group had fewer than { $min } responses, or showing it would let a small group be worked out by subtraction.
}
dash-segments-none = No group within either firm is shown for this wave.
dash-questions = Questions, wave { $wave }
dash-firm-mean-favourable = { $firm }: mean · favourable
dash-questions-caption = Favourable: the share answering 4 or 5. Open a question for its answer distribution in every wave.
dash-lead-lag-table = Lead–lag table: { $perception } against { $kpi }
dash-lead-lag-caption = Correlations of wave-to-wave changes (first differences). k > 0: the perception changed k waves before the KPI; k < 0: the KPI changed first. Adjusted p: Holm over every lead–lag test of this report.
# the p-value column of the lead–lag table
dash-p = p
dash-open-flags = Open flags
dash-flags-caption = Raised by the ombudsman's rules or by hand; open or acknowledged, newest wave first.
dash-raise-flag-partnership = Raise a flag on this partnership
dash-comments-wave = Comments, wave { $wave }

## Words the dashboard's view code computes (src/web/dashboard/view, src/charts)
# a heatmap row of people whose roster gives no value for the breakdown
dash-segment-not-given = not given
# a firm and its side in a chart's legend: "Acme (customer)"
dash-firm-side = { $firm } ({ $side })
# a dimension's table cell: mean, its 95 % CI (dash-cell-ci or nothing), agreement and n
dash-cell-mean = { $mean }{ $ci } · rwg(j) { $rwg } · n { $n }
dash-cell-ci = {" "}({ $lo }–{ $hi })
dash-no-answers = no answers
dash-significance-p = { $significance } ({ $p })
dash-rwg-j = rwg(j) { $value }
dash-band-chance = { $band }; { $chance }
dash-not-enough-complete = not enough complete answers
dash-trend-title = { $dimension }: mean by wave, { $firms }
dash-two-firms = { $first } and { $second }
dash-agreement-beyond-chance = agreement beyond chance
dash-agreement-not-beyond-chance = no more agreement than chance
dash-joint-withheld = Both firms together: { $reason }
dash-joint-rwg = Both firms together: rwg(j) { $value }
dash-joint-between = { $share } of the spread lies between the firms (η², ICC(1) { $icc })
dash-summary-wave = Wave { $wave }:
dash-summary-mean = mean { $mean }
dash-summary-firm = { $firm } { $text };
dash-summary-gap = gap { $gap } ({ $significance }).
dash-summary-shift = { $firm } shifted from { $before } (waves { $from }–{ $to }) to { $after } from wave { $since }.
dash-significant = significant
dash-not-significant = not significant
dash-summary-trend = Trend at { $firm }: { $slope } per wave ({ $significance }, { $p }).
dash-dont-know = don't know
dash-withheld = withheld: { $reason }
# a withheld value in a list of values
dash-withheld-word = withheld
dash-health-since = since wave { $wave } ({ $before } → { $now })
dash-health-desc = Health index (0–100) by wave: { $values }.
dash-health-wave-value = wave { $wave } { $value }
dash-health-title = Relationship health index by wave
dash-health-axis = Health index (0–100)
dash-health-series = health index
dash-rate-cell = { $responded } of { $invited } ({ $rate })
dash-nobody-invited = nobody invited
dash-rate-desc-wave = wave { $wave }: { $rates }
dash-firm-value = { $firm } { $value }
dash-rate-title = Response rate by wave and firm
dash-groups-differ = the groups differ
dash-groups-no-difference = no significant difference
dash-welch-f = { $verdict }: Welch F({ $df1 }, { $df2 }) = { $f }, { $p }
dash-kruskal = Kruskal–Wallis { $p }
dash-test-too-few-groups = fewer than two { $kind } groups shown: no test
dash-test-no-variation = no test (too little variation)
dash-icc-withheld = ICC withheld (a group is withheld)
dash-test-summary = { $tests } ({ $groups } groups, n { $n }).
dash-kind-level = level
dash-kind-function = function
dash-kind-region = region
dash-kind-business-unit = business unit
dash-kind-language = language
dash-withheld-complete = withheld: fewer than { $min } complete answers
dash-heat-cell = { $mean } · rwg(j) { $rwg } · n { $n }
dash-heat-title = { $firm } ({ $side }): { $kind } × dimension, wave { $wave }
dash-heat-desc = Mean of each { $kind } on each dimension, wave { $wave }. { $segments } segments; { $withheld } cells withheld because the group is too small to report.
dash-item-row = Wave { $wave } · { $firm }
dash-item-other-scale = asked on a { $points }-point scale: its counts are in the table
dash-item-dont-know-count = don't know: { $n }
dash-item-other-scale-counts = { $points }-point scale — { $counts }
dash-item-title = Answers to “{ $question }” by wave and firm
dash-item-desc = Share of each answer, { $rows } rows; withheld groups are hatched and show no numbers.
dash-item-cell = { $mean } · { $favourable } favourable
# "Trust at Acme": a dimension at a firm
dash-kpi-who = { $dimension } at { $firm }
dash-kpi-numbers = r = { $r }, adjusted { $p }, { $pairs } pairs of changes
dash-kpi-evidence = { $k ->
    [one] { $who } moved { $k } wave before { $kpi } ({ $numbers }).
   *[other] { $who } moved { $k } waves before { $kpi } ({ $numbers }).
}
dash-kpi-too-few-waves = too few waves (a lead needs { $needed } pairs of wave-to-wave changes; the best lag has { $pairs })
dash-kpi-reason-numbers = { $reason } ({ $numbers }, k = { $k })
dash-kpi-no-evidence-because = No evidence yet that { $who } leads { $kpi }: { $detail }.
dash-kpi-no-evidence = No evidence yet that { $who } leads { $kpi }.
dash-kpi-right-axis = { $kpi } (right axis)
dash-kpi-title = { $who } and { $kpi } by wave
dash-mean-n = { $mean } (n = { $n })
dash-meta-significance = { $significance } ({ $p }, t = { $t }, df = { $df })
dash-meta-no-test = too little spread in the answers for a test
review-q-falling = { $dimension } at { $firm } has been falling by { $slope } points per wave over { $waves } waves (significant, { $p }). What is wearing it down?
review-q-fell = { $dimension } at { $firm } fell by { $diff } since wave { $wave } ({ $from } → { $to }). What happened in the joint work since then, and what would turn it around?
review-q-rose = { $dimension } at { $firm } rose by { $diff } since wave { $wave } ({ $from } → { $to }). What went well that both firms should keep doing?
review-from-wave = { $mean } (wave { $wave })
review-effect = { $band } (Hedges' g { $g })
review-q-gap = { $higher } rates { $dimension } { $gap } points higher than { $lower } does (significant). What does each firm see that the other does not?
review-q-disagree = People at { $firm } do not see { $dimension } the same way (rwg(j) { $rwg }, { $band }). Which levels or functions differ, and why?
review-q-low-response = Only { $rate } of the people invited at { $firm } answered. How do we hear from more of them next wave?
review-q-none = No significant gap, change or disagreement this wave. Which priorities should the next wave look at?
review-q-meta = { $words } (significant). What has each firm not told the other?
review-scale-words = the { $points }-point scale from 1 = { $lowest } to { $points } = { $highest }
dash-flag-wave = wave { $wave }
dash-page-not-found-text = There is no such partnership, survey series, wave or item, or it is not shared with you.
dash-page-no-results = No results yet
dash-page-no-results-text = { $reason }. The dashboard fills in when the first survey wave of this partnership closes.
dash-page-busy = Busy
dash-page-busy-text = The service is busy; try again in a moment.
goal-hint-mean = 1 to 5
goal-hint-gap = points, e.g. 0.3
goal-hint-agreement = 0 to 1, e.g. 0.7
goal-hint-response-rate = per cent
goal-hint-kpi = in the KPI's unit
goal-refused-setter = Only administrators and relationship managers set goals.
plan-figure-withheld = withheld (wave { $wave }: { $reason })
plan-figure-mean = { $mean } (wave { $wave })
plan-figure-change = { $change } since wave { $wave }
plan-figure-none = no result yet
plan-field-not-an-id = { $value } is not a person or goal id
plan-refused-editor = Only administrators and managers of both firms change the plan; a manager of one firm marks that firm's milestones done.
plan-refused-marker = Only administrators and relationship managers mark milestones done.
plan-refused-other-firm = A manager of one firm marks only that firm's milestones.
plan-page-not-saved = Not saved
chart-withheld = withheld
chart-wave = Wave
chart-response-rate = Response rate
chart-no-answers = no answers
chart-heat-tip = { $row }, { $column }: mean { $mean }, n { $n }
chart-heat-rwg-n = rwg(j) { $rwg } · n { $n }
chart-heat-n = n { $n }
chart-heat-key-mean = Mean
chart-heat-key-withheld = withheld (too few responses)
chart-mean-axis = Mean (1–{ $points } scale)
chart-legend-band = 95 % confidence band
chart-legend-gap = gap between the firms, significant (p < 0.05)
chart-legend-steps = level between shifts (change points)
chart-tip-ci = {" "}(95 % CI { $lo } to { $hi })
chart-line-tip = { $series }, wave { $wave }: { $value }{ $ci }
goal-error-side = { $value } is not a side: use customer or supplier
goal-error-side-dimension = { $key } needs a side and a dimension, like { $kind }:customer:trust
goal-error-no-dimension = { $key } names no dimension
goal-error-gap = { $key } needs one dimension, like gap:trust
goal-error-no-kpi = { $key } names no KPI
goal-error-metric = { $key } is not a metric: use mean:<side>:<dimension>, gap:<dimension>, agreement:<side>:<dimension>, response_rate:<customer|supplier|both> or kpi:<name>
goal-range-mean = points on the five-point scale, 1 to 5
goal-range-gap = points between the firms' means, 0 to 4
goal-range-agreement = rwg(j), 0 to 1
goal-range-response-rate = per cent, 0 to 100
goal-metric-mean = { $dimension }: { $firm }'s mean
goal-metric-gap = { $dimension }: gap between the firms
goal-metric-agreement = { $dimension }: agreement within { $firm } (rwg(j))
goal-metric-rate-both = Response rate, both firms
goal-metric-rate = Response rate, { $firm }
goal-metric-kpi = KPI: { $kpi }
goal-status-met = met
goal-status-on-track = on track
goal-status-off-track = not on track
goal-status-missed = missed
goal-status-too-early = too early to tell
goal-status-no-data = no data yet
goal-error-not-visible = you can set goals only on results you can see
goal-error-unknown-dimension = { $dimension } is not a dimension of this partnership's survey
goal-error-unknown-kpi = this partnership has no KPI of that name
goal-error-out-of-range = { $target } is out of range: the target is in { $unit }
goal-error-not-a-number = { $value } is not a number
goal-error-not-future = { $date } is not in the future
goal-error-not-a-date = { $value } is not a date (YYYY-MM-DD)
# "Trust: Acme's mean ≥ 4.00 by 2027-06-30"
goal-text = { $metric } { $direction } { $target } by { $due }
goal-progress-none = no result to compare yet
goal-progress-now = now { $value } (wave { $wave })
goal-progress-share = , { $share } % of the way from { $from }
goal-progress-projected = ; the trend of the last waves gives { $value } by the date
plan-status-planned = planned
plan-status-in-progress = in progress
plan-status-done = done
plan-status-dropped = dropped
plan-error-status = { $value } is not a status: use planned, in_progress, done or dropped
plan-milestone-done = done { $date }
plan-milestone-due-today = due today, { $date }
plan-milestone-overdue = { $days ->
    [one] overdue since { $date } ({ $days } day)
   *[other] overdue since { $date } ({ $days } days)
}
plan-milestone-due = { $days ->
    [one] due { $date } (in { $days } day)
   *[other] due { $date } (in { $days } days)
}
plan-error-empty = is empty: write a few words
plan-error-too-long = is longer than { $max } characters
plan-error-no-owner = is missing: choose a person of the roster
plan-error-not-on-roster = person { $person } is not on this partnership's roster
plan-error-wrong-firm = person { $person } belongs to the { $actual } firm; the owner here is a person of the { $wanted } firm
plan-error-done-later = { $date } is after today: a milestone is done when it is done
plan-error-unknown-goal = goal { $goal } is not a goal of this partnership
plan-error-unknown-dimension = { $dimension } is not a dimension of this partnership's survey (it has: { $known })
## Words that come with the data: flag rules, their scopes and details, states, severities,
## outcomes and the notes the flags' history keeps (flags::rules, flags::store, web::inbox)

rule-name-inter-firm-gap = significant gap between the firms
rule-name-low-agreement = low agreement within a firm
rule-name-decline = declining perception
rule-name-level-gap = gap between levels within a firm
rule-name-segment-gap = gap between groups within a firm
rule-name-shift = a perception shifted down
rule-name-low-response = low response rate
rule-name-response-imbalance = one firm answering far less than the other
rule-name-blind-spot = a firm misreads how the other firm sees an item
severity-low = low
severity-medium = medium
severity-high = high
flag-state-open = open
flag-state-acknowledged = acknowledged
flag-state-resolved = resolved
# two states a step may start from: "open or acknowledged"
flag-states-either = { $first } or { $second }
outcome-settled = settled
outcome-no-action-needed = no action needed
outcome-escalated = escalated
# What a rule's finding is about (Finding::scope_words, in the alert mail)
scope-dimension-both = dimension { $dimension }, both firms
scope-dimension-side = dimension { $dimension }, { $side }
scope-dimension-levels = dimension { $dimension }, { $side }, levels { $upper } vs { $lower }
scope-dimension-by = dimension { $dimension }, { $side }, by { $attribute }
scope-side = { $side } respondents
scope-sides = both firms' response rates
scope-meta = item { $item }, { $side }'s guess of the other firm
# What a flag raised by hand is about, its parts joined by commas
scope-manual-dimension = dimension { $dimension }
scope-manual-item = item { $item }
scope-manual-whole = the whole partnership
# A flag of another series than the partnership's main one, in the inbox
inbox-scope-series = series { $series } · { $scope }
flag-partnership-series = { $partnership }, series { $series }
# An action's owner whose person or user is gone
flag-owner-person = person { $id }
flag-owner-user = user { $id }
# What happened to a flag, as its history lists it (flags::store::event_words)
flag-event-opened = opened
flag-event-still-firing = still firing
flag-event-reopened = reopened
flag-event-acknowledged = acknowledged
flag-event-resolved = resolved
flag-event-closed-itself = closed itself
flag-event-note = note
flag-event-assigned = assigned
flag-event-action-added = action added
flag-event-action-done = action done
flag-event-action-reopened = action reopened
# The notes the history keeps (written once, when the event happens)
flag-note-opened = wave { $seq }: { $rule } { $scope } — measured { $measured }, threshold { $threshold }, severity { $severity }
flag-note-still-fires = wave { $seq } still fires: measured { $measured } (was { $was }), threshold { $threshold }, severity { $severity }
flag-note-not-measured = not measured
flag-note-raised = raised by hand: { $title } ({ $scope }, severity { $severity })
flag-note-raised-with-note = raised by hand: { $title } ({ $scope }, severity { $severity }) — { $note }
flag-note-outcome = outcome: { $outcome }
flag-note-outcome-with-note = outcome: { $outcome } — { $note }
flag-note-assigned = assigned to { $email }
flag-note-unassigned = unassigned
flag-note-action-added = action { $id }: { $what } — { $owner }, due { $due }
flag-note-action-done = action { $id } done: { $what }
flag-note-action-reopened = action { $id } not done after all: { $what }
flag-note-closed = closed by the rules: it has not fired on { $quiet ->
    [one] wave { $seq } (1 quiet wave)
   *[other] waves { $first }–{ $seq } ({ $quiet } quiet waves in a row)
}; { $latest }
flag-note-latest-measured = measured { $measured } on wave { $seq }
flag-note-latest-not-measurable = not measurable on wave { $seq }
# Why a change to a flag was refused
flag-problem-no-flag = there is no flag with id { $id }
flag-problem-illegal-transition = flag { $id } is { $state }: only a flag that is { $allowed } can be { $done }
flag-problem-note-too-long = a note is at most { $max } characters
flag-problem-note-empty = the note is empty
flag-problem-outcome-not-resolving = an outcome is recorded only when a flag is resolved
flag-problem-unknown-outcome = the outcome is not { $settled }, { $none } or { $escalated }
flag-problem-not-a-user-id = { $raw } is not a user id
flag-problem-no-user = there is no user with id { $id }
flag-problem-assignee-out-of-scope = user { $id } cannot see this flag's partnership: assign an ombudsman whose scope includes it
flag-problem-assignee-cannot-take = user { $id } cannot take flags: only an active ombudsman or administrator can
flag-action-already-done = action { $id } is already done
flag-action-already-not-done = action { $id } is already not done
# The names of the numbers of a finding, on the flag page (web::inbox::detail_key)
flag-detail-dimension = Dimension
flag-detail-customer-mean = Customer mean
flag-detail-supplier-mean = Supplier mean
flag-detail-n-customer = Respondents, customer
flag-detail-n-supplier = Respondents, supplier
flag-detail-mean-diff = Mean diff
flag-detail-higher = Higher
flag-detail-welch-t = Welch t
flag-detail-welch-df = Welch df
flag-detail-welch-p = Welch p
flag-detail-alpha = Alpha
flag-detail-diff-ci95 = Diff ci95
flag-detail-hedges-g = Hedges g
flag-detail-cliffs-delta = Cliffs delta
flag-detail-side = Side
flag-detail-rwg-j = Rwg(j)
flag-detail-band = Band
flag-detail-ad-m = AD M
flag-detail-n-complete = Respondents, complete
flag-detail-mean = Mean
flag-detail-from-wave = From wave
flag-detail-mean-from = Mean from
flag-detail-mean-to = Mean to
flag-detail-drop = Drop
flag-detail-drop-p = Drop p
flag-detail-drop-p-adjusted = Drop p adjusted
flag-detail-by-drop = By drop
flag-detail-slope = Slope
flag-detail-slope-p = Slope p
flag-detail-slope-p-adjusted = Slope p adjusted
flag-detail-family = Family
flag-detail-by-slope = By slope
flag-detail-waves = Waves
flag-detail-means = Means
flag-detail-attribute = Attribute
flag-detail-highest = Highest
flag-detail-highest-mean = Highest mean
flag-detail-lowest = Lowest
flag-detail-lowest-mean = Lowest mean
flag-detail-gap = Gap
flag-detail-segments = Segments
flag-detail-welch-f = Welch f
flag-detail-welch-p-adjusted = Welch p adjusted
flag-detail-kruskal-p = Kruskal p
flag-detail-epsilon2 = Epsilon2
flag-detail-before-mean = Before mean
flag-detail-before-waves = Before waves
flag-detail-after-mean = After mean
flag-detail-penalty = Penalty
flag-detail-change-waves = Change waves
flag-detail-invited = Invited
flag-detail-responded = Responded
flag-detail-response-rate = Response rate
flag-detail-lower-side = Lower side
flag-detail-lower-rate = Lower rate
flag-detail-lower-invited = Lower invited
flag-detail-lower-responded = Lower responded
flag-detail-higher-side = Higher side
flag-detail-higher-rate = Higher rate
flag-detail-ratio = Ratio
flag-detail-item = Item
flag-detail-meta-item = Meta item
flag-detail-guess-mean = Guess mean
flag-detail-n-guess = Respondents, guess
flag-detail-actual-mean = Actual mean
flag-detail-n-actual = Respondents, actual
flag-detail-meta-error = Meta error
flag-detail-sentence = Sentence
flag-detail-leads = Leads
flag-detail-segment-attribute = Segment attribute
flag-detail-segment-value = Segment value
flag-detail-note = Note
flag-detail-lower-dimension = Lower dimension
flag-detail-upper-dimension = Upper dimension

## Words that come with the data: roles (the keys are auth::Role::label_key), roster
## statuses, dates (web::admin, web::account, web::inbox, web::overview, web::roster,
## i18n::en_date)

role-admin = administrator
role-manager = relationship manager
role-ombudsman = ombudsman
roster-status-undeliverable = undeliverable
roster-status-inactive = inactive
roster-status-opted-out = opted out
roster-status-active = active
# an address that bounced hard, on the roster page
roster-bounce-since = since { $since } UTC: { $reason }
admin-problem-no-user = there is no user with id { $raw }
admin-problem-not-a-partnership-id = { $raw } is not a partnership id
# A day in the managers' mails: "4 December 2026" (the month's name is the respondent file's month-1 … month-12)
date-day-month-year = { $day } { $month } { $year }

## Words that come with the data: the portfolio's risk reasons and what a viewer sees of a
## partnership (services::overview; also in the JSON of /api/portfolio), the portfolio's
## lead–lag sentences (services::portfolio)

overview-reason-flags = { $count } open { $count ->
    [one] flag
   *[other] flags
}
overview-reason-health = health index { $health }
overview-reason-health-fell = health index fell { $points } points
overview-reason-gap = { $dimension } gap of { $gap } points
overview-reason-disagrees = { $side } disagrees within on { $dimension }
overview-reason-answered = { $side } answered { $rate } %
overview-reason-complacent = scores flat and high while fewer answer
overview-sees-both = both firms
overview-sees-only = { $firm } only
# who a pooled lead–lag sentence speaks of: "across the portfolio, customer"
portfolio-across = across the portfolio, { $side }
portfolio-problem-no-kpi = name the KPI (as imported, e.g. on_time_delivery_pct)

## Words that come with the data: the statistics' bands and the lead–lag verdict (their keys
## are stats' words_key), and why a figure of the report is withheld, the meta-perception
## readings (reports::report, reports::confidentiality; the report's JSON carries these words)

# Within-group agreement, rwg(j) (LeBreton & Senter 2008)
band-lack-of-agreement = lack of agreement
band-weak-agreement = weak agreement
band-moderate-agreement = moderate agreement
band-strong-agreement = strong agreement
band-very-strong-agreement = very strong agreement
# Size of a standardized effect (Hedges' g, Cliff's delta)
band-effect-negligible = negligible
band-effect-small = small
band-effect-medium = medium
band-effect-large = large
# A two-sided test at 5 %
band-significant = significant at 5 %
band-not-significant = not significant at 5 %
lead-lag-finding-evidence = evidence
lead-lag-finding-none-yet = no evidence yet
lead-lag-reason-too-few-waves = too few waves
lead-lag-reason-kpi-first = the KPI moves first
lead-lag-reason-together = they move in the same wave
lead-lag-reason-not-significant = not significant after correction
# whose perception a lead–lag sentence speaks of: "supplier trust"
lead-lag-perception = { $side } { $dimension }
lead-lag-waves = { $k ->
    [one] 1 wave
   *[other] { $k } waves
}
# r or p when the lag has none
lead-lag-undefined = undefined
# { $p } comes with its sign: "= 0.010", "< 0.001"
lead-lag-figures = r = { $r }, adjusted p { $p }, { $pairs ->
    [one] 1 pair
   *[other] { $pairs } pairs
}
lead-lag-evidence = { $perception } moved { $waves } before { $kpi } ({ $figures })
lead-lag-too-few-waves = no evidence yet that { $perception } leads { $kpi }: too few waves (at most { $pairs } pairs of changes per lead, { $needed } needed)
lead-lag-kpi-first = no evidence yet that { $perception } leads { $kpi }: { $kpi } moved { $waves } before { $perception } ({ $figures })
lead-lag-together = no evidence yet that { $perception } leads { $kpi }: they moved in the same wave ({ $figures })
# { $closest } is lead-lag-closest, or nothing when no lead was tested
lead-lag-not-significant = no evidence yet that { $perception } leads { $kpi }: no lead is significant after correction for { $tests } tests{ $closest }
lead-lag-closest = ; the closest is { $waves } ({ $figures })
# Why a figure is withheld (confidentiality: { $min } is the partnership's minimum reporting size)
withheld-below-minimum = fewer than { $min } responses
withheld-complementary = withheld so that a group of fewer than { $min } responses cannot be recovered by subtraction
withheld-fewer-answers = fewer than { $min } answers
withheld-complementary-answers = withheld so that fewer than { $min } answers cannot be recovered by subtraction
withheld-fewer-complete = fewer than { $min } complete answers
withheld-complementary-complete = withheld so that fewer than { $min } complete answers cannot be recovered by subtraction
withheld-cells-missing = breakdowns withheld: this wave's aggregates predate the disclosure control; rebuild them
# { $reason } is one of the reasons above
withheld-item = an item is withheld ({ $reason })
# { $kind } is the breakdown as the API names it: level, function, region, site…
withheld-segment = a { $kind } segment is withheld ({ $reason })
withheld-no-complete-side = no complete answers on a side
# { $side } is customer or supplier
withheld-guesses = the { $side } guesses are withheld ({ $reason })
withheld-answers = the { $side } answers are withheld ({ $reason })
withheld-comments-open = comments are shown once the wave has closed
withheld-comments-few = fewer than { $min } people of this firm answered the wave, so their comments are not shown
# The meta-perception readings: { $guesser } and { $other } are customer or supplier, { $item } the item
meta-reads-accurately = { $guesser } reads { $other }'s view of { $item } accurately (no significant difference)
meta-believes-higher = { $guesser } believes { $other } rates { $item } higher than { $other } does
meta-believes-lower = { $guesser } believes { $other } rates { $item } lower than { $other } does
# A report's refusals (the API's 404 and 409; { $series } is the series key as given)
report-no-series = partnership { $partnership } has no survey series "{ $series }"
report-no-closed-wave = partnership { $partnership } has no closed wave yet; a report needs at least one
report-series-no-closed-wave = series { $series } of partnership { $partnership } has no closed wave yet; a report needs at least one
report-no-wave = partnership { $partnership } has no wave { $seq }
report-series-no-wave = series { $series } of partnership { $partnership } has no wave { $seq }
# { $state } is the wave's state as stored: planned, open, cancelled
report-wave-not-closed = wave { $seq } is { $state }; a report covers closed waves only
# the don't-know label of a report built without its template
report-dont-know = don't know
# Declaring a custom attribute ({ $key } is quoted)
attribute-problem-key-shape = attribute key { $key } must be 1 to 32 characters: a lowercase letter, then lowercase letters, digits or _
attribute-problem-key-taken = attribute key { $key } is taken by a built-in column or breakdown

## Words that come with the data: why an action or a flag raised by hand is refused
## (flags::store::actions, flags::store::manual; also in the API's 422 bodies)

flag-problem-no-action = flag { $flag } has no action { $action }
flag-problem-action-nul = the action contains a NUL character
flag-problem-action-empty = say what is to be done
flag-problem-action-too-long = an action is at most { $max } characters
flag-problem-action-one-line = an action is one line of text
flag-problem-owner-missing = name an owner: owner_person_id (either firm's roster) or owner_user_id
flag-problem-owner-twice = name one owner: owner_person_id or owner_user_id, not both
flag-problem-owner-none = name an owner
flag-problem-owner-no-person = there is no person { $id } on either firm's roster of this partnership
flag-problem-owner-no-user = there is no active user { $id } who can see this partnership
flag-problem-due-nul = the due date contains a NUL character
flag-problem-due-missing = the due date is missing (YYYY-MM-DD)
flag-problem-due-not-a-date = { $raw } is not a date (YYYY-MM-DD)
# { $field } is the form field's name: title, note, side, dimension, item…
flag-problem-field-nul = the { $field } contains a NUL character
flag-problem-field-control = the { $field } contains a control character
flag-problem-title-empty = the title is empty
flag-problem-title-too-long = the title is at most { $max } characters
flag-problem-title-one-line = the title is one line
flag-problem-unknown-dimension = { $raw } is not a dimension of this partnership's survey (it has { $dimensions })
flag-problem-unknown-item = { $raw } is not an item of this partnership's survey
flag-problem-item-elsewhere = item { $item } belongs to dimension { $of }, not { $dimension }
flag-problem-segment-no-value = a segment attribute needs the segment's value
# { $known } lists the built-in attributes and the partnership's own: "level, function, region, business_unit, language, site"
flag-problem-segment-no-attribute = a segment value needs its attribute ({ $known })
flag-problem-segment-attribute = { $raw } is not an attribute of this partnership: { $known }
flag-problem-segment-value = a segment value is one line of at most { $max } characters
flag-problem-severity = severity { $raw } is not { $low }, { $medium } or { $high }
flag-problem-no-partnership = there is no partnership with id { $id }
flag-problem-no-closed-wave = partnership { $partnership } has no closed wave yet; the rules run on closed waves
flag-problem-no-wave = partnership { $partnership } has no wave { $seq }
flag-problem-no-wave-id = partnership { $partnership } has no wave with id { $id }
# { $state } is the wave's state as stored: planned, open…
flag-problem-wave-not-closed = wave { $seq } is { $state }; the rules run on closed waves
# turning the weekly digest or the wave summary on or off for an unknown address
mail-problem-no-user = there is no user { $email }
# a threshold of the flag rules' configuration out of its range: "0 is not in (0, 4]"
flag-problem-config-range = { $value } is not in ({ $lo }, { $hi }]
flag-problem-config-quiet = { $value } is not in [0, { $max }]

## Words that come with the data: accounts, sign-in, passwords and API tokens as pages show
## them (auth, services::accounts, services::api_tokens, services::users)

# what a user sees of a partnership (the keys are auth::Visibility::label_key)
visibility-both = both firms
visibility-customer = customer side only
visibility-supplier = supplier side only
# a role as typed that is none of the three; { $raw } is quoted; the roles are codes, typed as written
role-problem-unknown = role { $raw } is not one of admin, manager, ombudsman
access-problem-no-partnership = there is no partnership with id { $id }
# what a user reaches (services::users::describe_reach): "all partnerships", "partnerships 1 (customer side), 3"
reach-all = all partnerships
# { $list } is the partnerships' ids, each alone or as reach-one-customer / reach-one-supplier, joined by ", "
reach-partnerships = partnerships { $list }
reach-one-customer = { $id } (customer side)
reach-one-supplier = { $id } (supplier side)
# an administrator's changes to an account refused (services::accounts: the user page and the API's 422, 404 and 409 bodies)
account-problem-no-user-email = there is no user with email { $email }
account-problem-disable-yourself = you cannot disable your own account; ask another administrator
account-problem-demote-yourself = you cannot take the administrator role from yourself; ask another administrator
# { $raw } is the side as typed, quoted; customer and supplier are typed as written
account-problem-side = side { $raw } is neither "customer" nor "supplier"
account-problem-admin-named = an administrator sees every partnership: name none
account-problem-admin-all = an administrator sees every partnership already: leave this off
account-problem-manager-all = a relationship manager sees only the partnerships named
account-problem-manager-none = a relationship manager needs at least one partnership
account-problem-ombudsman-both = an ombudsman sees every partnership or the ones named: choose one of the two
account-problem-side-not-manager = only a relationship manager can be limited to one side
account-problem-partnership-twice = partnership { $id } is named twice
account-problem-reset-disabled = { $email } is disabled: enable the account before sending a password reset
# the audit log's filters refused; { $raw } is the value as typed, quoted
# { $error } is the date parser's own reason (English, from the chrono library)
audit-problem-date = { $raw } is not a date (YYYY-MM-DD) or an RFC 3339 time: { $error }
audit-problem-whole-number = { $raw } is not a whole number from 1 to { $max }
# user.disabled and flag.* are typed as written in the filter
audit-problem-action = { $raw } is not an action such as user.disabled, or a family such as flag.*
audit-problem-range = the range ends before it starts
audit-problem-too-many = { $total } rows match; a CSV export holds at most { $max }: narrow the filters
# a personal API token refused (services::api_tokens, auth::api_tokens: the API tokens page, the API and the CLI)
token-problem-no-name = give the token a name
token-problem-name-control = the name must be one line without control characters
token-problem-name-too-long = the name is longer than { $max } characters
# { $name } is the name as typed, quoted
token-problem-name-taken = you already have a token named { $name }
token-problem-expiry-past = the expiry date { $date } is in the past
# { $raw } is the date as typed, quoted
token-problem-expiry-not-a-date = { $raw } is not a date (YYYY-MM-DD)
token-problem-user-disabled = the user { $email } is disabled
# { $name } is the name as typed, quoted
token-problem-no-such-name = { $email } has no API token named { $name }
token-problem-no-such-id = you have no API token with id { $id }
# a password refused (auth::passwords: the set-password page and the CLI)
password-problem-blank = the password cannot be blank or only spaces
password-problem-nul = the password cannot contain a NUL character
password-problem-too-short = the password must have at least { $min } characters
password-problem-too-long = the password must have at most { $max } characters
password-problem-repeated = the password cannot be one character repeated
password-problem-common = this password is one of the most common ones and is guessed first; choose another
# a new user refused (auth::users: the CLI's tandem user add)
account-problem-named-twice = a partnership is named twice
account-problem-email-taken = a user with email { $email } already exists
