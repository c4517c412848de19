DELETE FROM outbox WHERE status = 'undeliverable';
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'sent', 'failed'));
DROP TABLE undeliverable_addresses;
DROP TABLE mail_bounces;
