-- Agreement registry corrections entered by admins; the newest revision of an id wins over the file.
CREATE TABLE agreement_revisions (
  revision    bigserial PRIMARY KEY,
  agreement_id text NOT NULL,
  body        jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  recorded_by text NOT NULL
);
CREATE INDEX agreement_revisions_by_id ON agreement_revisions (agreement_id, revision);

-- One row per exchange run (inbound or outbound), whatever its outcome. outcome NULL = running.
CREATE TABLE exchanges (
  id             uuid PRIMARY KEY,
  partner        text NOT NULL,
  direction      text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  trigger        text NOT NULL CHECK (trigger IN ('schedule', 'manual', 'push', 'startup', 'import')),
  started_at     timestamptz NOT NULL,
  finished_at    timestamptz,
  outcome        text CHECK (outcome IN ('APPLIED', 'NO_CHANGE', 'QUARANTINED', 'REJECTED', 'FAILED')),
  reason         text,
  reason_message text,
  sequence       bigint,
  kind           text,
  generated_at   timestamptz,
  payload_sha256 text,
  payload_bytes  bigint,
  signer         jsonb,
  counts         jsonb,
  problems       jsonb,
  -- set when the list was published: the transaction time of its operator events
  applied_at     timestamptz,
  -- quarantined runs: what an admin decided
  review         jsonb
);
CREATE INDEX exchanges_by_partner ON exchanges (partner, started_at DESC);
CREATE INDEX exchanges_by_start ON exchanges (started_at DESC);

-- The exact bytes received, kept (gzip-compressed, once per distinct payload) before anything else
-- is done with them. A nightly list that did not change adds only its signature.
CREATE TABLE payloads (
  sha256    text PRIMARY KEY,
  bytes     bigint NOT NULL,
  body_gzip bytea NOT NULL
);
-- Already gzip-compressed: storing it out of line without another compression attempt is cheaper.
ALTER TABLE payloads ALTER COLUMN body_gzip SET STORAGE EXTERNAL;

CREATE TABLE exchange_messages (
  exchange_id    uuid PRIMARY KEY REFERENCES exchanges (id),
  payload_sha256 text NOT NULL REFERENCES payloads (sha256),
  signature      bytea
);

-- Operator history: append-only statements "from status_since on, the operator is like this",
-- recorded by an exchange at recorded_at. Never updated or deleted.
CREATE TABLE operator_events (
  id             bigserial PRIMARY KEY,
  partner        text NOT NULL,
  partner_id     text NOT NULL,
  declared_code  text NOT NULL,
  aliases        text[] NOT NULL DEFAULT '{}',
  name           text NOT NULL,
  tier           text NOT NULL,
  status         text NOT NULL CHECK (status IN ('VALID', 'SUSPENDED', 'REVOKED')),
  partner_status text NOT NULL,
  status_since   date NOT NULL,
  valid_until    date,
  exchange_id    uuid NOT NULL REFERENCES exchanges (id),
  recorded_at    timestamptz NOT NULL
);
CREATE INDEX operator_events_by_operator ON operator_events (partner, partner_id, id);

-- Where each partner's applied lists stand; the row lock serialises publishes per partner.
CREATE TABLE partner_state (
  partner            text PRIMARY KEY,
  last_sequence      bigint,
  last_sha256        text,
  last_exchange_id   uuid REFERENCES exchanges (id),
  last_applied_at    timestamptz,
  last_generated_at  timestamptz,
  last_success_at    timestamptz,
  operator_count     integer NOT NULL DEFAULT 0
);
