-- The outbox keeps its wider CHECK (rebuilding it back would lose nothing but time).
UPDATE outbox SET status = 'failed' WHERE status = 'undeliverable';
DROP TABLE undeliverable_addresses;
DROP TABLE mail_bounces;
