DROP INDEX audit_log_missed_once;
