-- A missed wave slot is reported once, even by two instances that notice it in the same
-- instant: the database refuses the second `wave.missed` row (the scheduler then knows an
-- earlier pass reported it). Rows two racing instances may already have written twice are
-- exact duplicates (same target and details); keep the first of each.
DELETE FROM audit_log
WHERE action = 'wave.missed'
  AND id NOT IN (
    SELECT MIN(id) FROM audit_log WHERE action = 'wave.missed' GROUP BY target, details
  );
CREATE UNIQUE INDEX audit_log_missed_once ON audit_log (target, details) WHERE action = 'wave.missed';
