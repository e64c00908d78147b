-- Revocation (contract 6.2): which CRL a run's signer check used, and the CRLs fetched from
-- distribution points, shared by every process on this database.
ALTER TABLE exchanges ADD COLUMN revocation jsonb;

CREATE TABLE crl_cache (
  url          text PRIMARY KEY,
  der          bytea NOT NULL,
  issuer       text NOT NULL,
  this_update  timestamptz NOT NULL,
  next_update  timestamptz,
  fetched_at   timestamptz NOT NULL
);
