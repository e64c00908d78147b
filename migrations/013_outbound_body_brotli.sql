-- Outbound messages stored Brotli-compressed (quality 0) instead of gzip: for a FULL of 100 000
-- enterprises (≈ 28 MB of JSON) Brotli at quality 0 takes about a third of gzip level 1's CPU for the
-- same size (≈ 4.7 MB), and the compression is on the path of every build (issue 10's build cost).
-- Batches stored before keep body_gzip (or body); src/outbound/body.ts reads all three.
ALTER TABLE outbound_batches ADD COLUMN body_brotli bytea;
ALTER TABLE outbound_batches ALTER COLUMN body_brotli SET STORAGE EXTERNAL;
