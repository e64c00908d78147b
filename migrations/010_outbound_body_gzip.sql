-- Outbound messages stored compressed, and no per-batch snapshot (contract 9.3, issue 10's build cost).
-- body_gzip: the exact message bytes, gzip-compressed (a FULL of 100 000 enterprises is ≈ 28 MB of
-- JSON, ≈ 4.5 MB compressed: what the database writes per FULL). Batches stored before keep `body`.
-- The state a partner holds after a batch is rebuilt from the messages themselves (its last FULL,
-- then the DELTAs after it; src/outbound/snapshot.ts), so snapshot_gzip goes.
ALTER TABLE outbound_batches ADD COLUMN body_gzip bytea;
ALTER TABLE outbound_batches ALTER COLUMN body_gzip SET STORAGE EXTERNAL;
ALTER TABLE outbound_batches DROP COLUMN snapshot_gzip;
