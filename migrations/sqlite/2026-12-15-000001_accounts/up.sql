-- The audit log is read back by administrators (`/admin/audit`, `GET /api/audit`),
-- filtered by who acted or was acted upon, by what it is about and by action.
CREATE INDEX audit_log_actor ON audit_log (actor);
CREATE INDEX audit_log_target ON audit_log (target);
CREATE INDEX audit_log_action ON audit_log (action);
