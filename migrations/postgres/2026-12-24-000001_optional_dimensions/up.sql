-- The optional dimensions of its template a partnership asks (e.g. joint_future of the
-- perception template). No row: none. A side table because `partnerships` is at diesel's
-- column limit. Waves record what they asked in their template version (`<sha>+joint_future`).
CREATE TABLE partnership_optional_dimensions (
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id),
    dimension_id TEXT NOT NULL,
    PRIMARY KEY (partnership_id, dimension_id)
);
