-- The relationship plan: joint objectives, each with an owner in each firm (roster people
-- of the partnership), linked to goals and to the template dimensions they should move,
-- and their milestones. A goal may name its owner (a roster person) in a side table, so
-- the goals table keeps its columns.
CREATE TABLE plan_objectives (
    id INTEGER PRIMARY KEY,
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    customer_owner_id BIGINT NOT NULL REFERENCES people (id),
    supplier_owner_id BIGINT NOT NULL REFERENCES people (id),
    status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'done', 'dropped')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX plan_objectives_partnership ON plan_objectives (partnership_id);

CREATE TABLE plan_objective_goals (
    objective_id BIGINT NOT NULL REFERENCES plan_objectives (id) ON DELETE CASCADE,
    goal_id BIGINT NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    PRIMARY KEY (objective_id, goal_id)
);

CREATE TABLE plan_objective_dimensions (
    objective_id BIGINT NOT NULL REFERENCES plan_objectives (id) ON DELETE CASCADE,
    dimension TEXT NOT NULL,
    PRIMARY KEY (objective_id, dimension)
);

CREATE TABLE plan_milestones (
    id INTEGER PRIMARY KEY,
    objective_id BIGINT NOT NULL REFERENCES plan_objectives (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    due_on DATE NOT NULL,
    done_on DATE,
    owner_id BIGINT NOT NULL REFERENCES people (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX plan_milestones_objective ON plan_milestones (objective_id);

CREATE TABLE goal_owners (
    goal_id BIGINT PRIMARY KEY REFERENCES goals (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people (id)
);
