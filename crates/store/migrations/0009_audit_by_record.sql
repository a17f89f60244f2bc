-- The newest change of one record (the last schedule run of an event) without scanning
-- the whole log.
CREATE INDEX audit_log_record ON audit_log(entity, entity_id);
