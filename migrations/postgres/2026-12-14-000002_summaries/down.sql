ALTER TABLE users DROP COLUMN summary_opt_out;
