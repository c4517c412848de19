DROP TABLE goal_owners;
DROP TABLE plan_milestones;
DROP TABLE plan_objective_dimensions;
DROP TABLE plan_objective_goals;
DROP TABLE plan_objectives;
