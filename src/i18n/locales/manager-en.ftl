# Managers' pages and mails, English only for now: the strings moved here page by page
# (sign-in, set-password, the admin, dashboard and inbox navigation, the users list, the
# password-reset mail so far).
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
