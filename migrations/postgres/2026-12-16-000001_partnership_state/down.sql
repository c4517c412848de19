DROP TABLE partnership_states;
