-- Partner definitions as immutable versions (contract section 11). A version's bundle never changes;
-- which version is active is the newest row of partner_activations (append-only), so drafts,
-- activations and rollbacks are all kept with who did them.
ALTER TABLE exchanges DROP CONSTRAINT exchanges_trigger_check;
ALTER TABLE exchanges ADD CONSTRAINT exchanges_trigger_check
  CHECK (trigger IN ('schedule', 'manual', 'push', 'startup', 'import', 'activation'));
-- Who started a run when a person did (activation runs); null for partner pushes and schedules.
ALTER TABLE exchanges ADD COLUMN actor text;

CREATE TABLE partner_versions (
  partner        text NOT NULL,
  version        integer NOT NULL CHECK (version >= 1),
  content_sha256 text NOT NULL,
  -- { manifest, payloadSchema, trustAnchors: [PEM], crls: [PEM] }: certificates only, never a key
  bundle         jsonb NOT NULL,
  note           text NOT NULL,
  created_by     text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (partner, version)
);

-- Dry runs of a version on a sample list: the report only, never the sample's operators.
CREATE TABLE partner_dry_runs (
  id             bigserial PRIMARY KEY,
  partner        text NOT NULL,
  version        integer NOT NULL,
  outcome        text NOT NULL CHECK (outcome IN ('WOULD_APPLY', 'WOULD_QUARANTINE', 'WOULD_REJECT')),
  payload_sha256 text NOT NULL,
  report         jsonb NOT NULL,
  created_by     text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (partner, version) REFERENCES partner_versions (partner, version)
);
CREATE INDEX partner_dry_runs_by_version ON partner_dry_runs (partner, version, id);

-- Each activation (a rollback is an activation of an older version); the newest row per partner wins.
CREATE TABLE partner_activations (
  id           bigserial PRIMARY KEY,
  partner      text NOT NULL,
  version      integer NOT NULL,
  note         text NOT NULL,
  activated_by text NOT NULL,
  activated_at timestamptz NOT NULL DEFAULT now(),
  -- the run that read the partner's last applied message again with this version (none for a seed)
  exchange_id  uuid,
  FOREIGN KEY (partner, version) REFERENCES partner_versions (partner, version)
);
CREATE INDEX partner_activations_by_partner ON partner_activations (partner, id);
