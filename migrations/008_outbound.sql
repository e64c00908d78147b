-- Outbound exchange (contract 9): China's domestic register and the batches sent to each partner.

-- Register imports: one row per import run (admin route, CLI, pull), whatever its outcome.
CREATE TABLE domestic_imports (
  id           uuid PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('FULL', 'DELTA')),
  trigger      text NOT NULL,
  actor        text NOT NULL,
  started_at   timestamptz NOT NULL,
  finished_at  timestamptz,
  outcome      text CHECK (outcome IN ('APPLIED', 'NO_CHANGE', 'QUARANTINED', 'REJECTED', 'FAILED')),
  reason       text,
  counts       jsonb,
  problems     jsonb,
  -- a held import keeps its parsed records until approved or rejected
  pending      jsonb,
  review       jsonb
);
CREATE INDEX domestic_imports_by_start ON domestic_imports (started_at DESC);

-- Register history: append-only statements "from status_since on, the enterprise is like this",
-- recorded by an import at recorded_at (valid time x transaction time). Never updated or deleted.
CREATE TABLE domestic_events (
  id                  bigserial PRIMARY KEY,
  customs_code        text NOT NULL,
  uscc                text NOT NULL,
  name_zh             text NOT NULL,
  name_en             text NOT NULL,
  address_zh          text NOT NULL,
  address_en          text NOT NULL,
  level               text NOT NULL,
  status              text NOT NULL,
  status_since        date NOT NULL,
  level_since         date NOT NULL,
  rectification_until date,
  registering_customs text,
  -- true: a FULL import no longer listed the enterprise; it left the register
  removed             boolean NOT NULL DEFAULT false,
  import_id           uuid NOT NULL REFERENCES domestic_imports (id),
  recorded_at         timestamptz NOT NULL
);
CREATE INDEX domestic_events_by_code ON domestic_events (customs_code, id);

-- One outbound message per row. sequence is NULL for NO_CHANGE; body/signature are the exact bytes
-- sent every time; snapshot is what the partner holds once this batch is applied (the next DELTA's base).
CREATE TABLE outbound_batches (
  id                uuid PRIMARY KEY,
  partner           text NOT NULL,
  sequence          bigint,
  previous_sequence bigint,
  kind              text NOT NULL CHECK (kind IN ('FULL', 'DELTA')),
  format            text NOT NULL,
  content_type      text NOT NULL,
  state             text NOT NULL,
  trigger           text NOT NULL,
  built_at          timestamptz NOT NULL,
  generated_at      timestamptz NOT NULL,
  content_sha256    text,
  body              bytea,
  signature         bytea,
  signer            jsonb,
  counts            jsonb NOT NULL,
  problems          jsonb NOT NULL DEFAULT '[]',
  snapshot_gzip     bytea,
  attempt_count     integer NOT NULL DEFAULT 0,
  first_attempt_at  timestamptz,
  next_attempt_at   timestamptz,
  delivered_at      timestamptz,
  acknowledged_at   timestamptz,
  receipt           jsonb,
  partner_answer    text,
  UNIQUE (partner, sequence)
);
CREATE INDEX outbound_batches_by_partner ON outbound_batches (partner, built_at DESC);
ALTER TABLE outbound_batches ALTER COLUMN snapshot_gzip SET STORAGE EXTERNAL;

-- Evidence: every state change, delivery attempt, download and receipt, append-only.
CREATE TABLE outbound_transitions (
  id       bigserial PRIMARY KEY,
  batch_id uuid NOT NULL REFERENCES outbound_batches (id),
  state    text NOT NULL,
  at       timestamptz NOT NULL,
  note     text
);
CREATE INDEX outbound_transitions_by_batch ON outbound_transitions (batch_id, id);

CREATE TABLE outbound_attempts (
  id          bigserial PRIMARY KEY,
  batch_id    uuid NOT NULL REFERENCES outbound_batches (id),
  at          timestamptz NOT NULL,
  http_status integer,
  error       text,
  duration_ms integer NOT NULL,
  answer      text
);
CREATE INDEX outbound_attempts_by_batch ON outbound_attempts (batch_id, id);

CREATE TABLE outbound_downloads (
  id       bigserial PRIMARY KEY,
  batch_id uuid NOT NULL REFERENCES outbound_batches (id),
  actor    text NOT NULL,
  at       timestamptz NOT NULL,
  sequence bigint NOT NULL,
  sha256   text NOT NULL,
  bytes    integer NOT NULL
);
CREATE INDEX outbound_downloads_by_batch ON outbound_downloads (batch_id, id);

CREATE TABLE outbound_receipts (
  id        bigserial PRIMARY KEY,
  partner   text NOT NULL,
  batch_id  uuid REFERENCES outbound_batches (id),
  at        timestamptz NOT NULL,
  body      bytea NOT NULL,
  signature bytea,
  verified  boolean NOT NULL,
  error     text,
  signer    jsonb,
  receipt   jsonb
);
CREATE INDEX outbound_receipts_by_batch ON outbound_receipts (batch_id, id);
