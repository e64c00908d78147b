-- The audit log (contract 12.3): one row per admin action, done or refused. Append-only and
-- hash-chained: each row holds the SHA-256 of the previous row (prev_hash) and of its own content
-- with prev_hash (hash), so a row changed or removed by hand breaks the chain (`aeo-gateway audit verify`).
CREATE TABLE audit_log (
  id          bigint PRIMARY KEY,
  at          timestamptz NOT NULL,
  actor       text NOT NULL,
  scopes      jsonb NOT NULL,
  action      text NOT NULL,
  target      text,
  outcome     text NOT NULL CHECK (outcome IN ('DONE', 'REFUSED', 'FAILED')),
  note        text,
  before      jsonb,
  after       jsonb,
  request_id  text,
  prev_hash   text NOT NULL,
  hash        text NOT NULL
);
CREATE SEQUENCE audit_log_id_seq OWNED BY audit_log.id;
CREATE INDEX audit_log_by_actor ON audit_log (actor, id);
CREATE INDEX audit_log_by_action ON audit_log (action, id);
CREATE INDEX audit_log_by_at ON audit_log (at);

-- Nothing updates or deletes an audit row; a DBA who must can disable the trigger, and verify will tell.
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
