DROP TABLE report_versions;
