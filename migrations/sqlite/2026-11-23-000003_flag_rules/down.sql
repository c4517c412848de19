DROP TABLE flag_rule_configs;
