// Message bytes as stored (migration 010): gzip-compressed (level 1: a FULL of 100 000 enterprises,
// ≈ 28 MB, becomes ≈ 4.5 MB for the database to write), on libuv's pool so the event loop goes on.
// The bytes sent and hashed are always the uncompressed ones.
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { Queryable } from '../store/db.js';
import { storedBodies, type StoredBody } from './repo.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export const compressBody = (body: Buffer): Promise<Buffer> => gzipAsync(body, { level: 1 });

/** The exact message bytes of a stored batch (compressed since migration 010, plain before). */
export async function bodyOf(row: Pick<StoredBody, 'gzip' | 'plain'>): Promise<Buffer | null> {
  if (row.gzip !== null) return gunzipAsync(Buffer.from(row.gzip, 'base64'));
  return row.plain === null ? null : Buffer.from(row.plain, 'base64');
}

/** The exact bytes and signature of a batch. */
export async function batchBytes(q: Queryable, id: string): Promise<{ body: Buffer; signature: Buffer } | null> {
  const [row] = await storedBodies(q, 'id = $1', [id]);
  const body = row ? await bodyOf(row) : null;
  if (!row || !body || row.signature === null) return null;
  return { body, signature: Buffer.from(row.signature, 'base64') };
}
