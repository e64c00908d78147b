// Message bytes as stored (migration 013): Brotli-compressed at quality 0 (a FULL of 100 000
// enterprises, ≈ 28 MB, becomes ≈ 4.7 MB for the database to write), on libuv's pool so the event
// loop goes on; batches stored earlier hold gzip (migration 010) or plain bytes. The bytes sent and
// hashed are always the uncompressed ones.
import { promisify } from 'node:util';
import { brotliCompress, brotliDecompress, constants, gunzip } from 'node:zlib';
import type { Queryable } from '../store/db.js';
import { storedBodies, type StoredBody } from './repo.js';

const brotliAsync = promisify(brotliCompress);
const unbrotliAsync = promisify(brotliDecompress);
const gunzipAsync = promisify(gunzip);
/** Output in 1 MiB steps: each step is a round trip to the event loop, and 16 KiB steps make ~300 of them. */
const CHUNK = 1 << 20;

export const compressBody = (body: Buffer): Promise<Buffer> =>
  brotliAsync(body, { chunkSize: CHUNK, params: { [constants.BROTLI_PARAM_QUALITY]: 0, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } });

/** The exact message bytes of a stored batch, whichever way it was stored. */
export async function bodyOf(row: Pick<StoredBody, 'brotli' | 'gzip' | 'plain'>): Promise<Buffer | null> {
  if (row.brotli !== null) return unbrotliAsync(Buffer.from(row.brotli, 'base64'), { chunkSize: CHUNK });
  if (row.gzip !== null) return gunzipAsync(Buffer.from(row.gzip, 'base64'), { chunkSize: CHUNK });
  return row.plain === null ? null : Buffer.from(row.plain, 'base64');
}

/** The exact bytes and signature of a batch. */
export async function batchBytes(q: Queryable, id: string): Promise<{ body: Buffer; signature: Buffer } | null> {
  const [row] = await storedBodies(q, 'id = $1', [id]);
  const body = row ? await bodyOf(row) : null;
  if (!row || !body || row.signature === null) return null;
  return { body, signature: Buffer.from(row.signature, 'base64') };
}
