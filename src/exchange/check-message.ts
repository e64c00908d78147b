// Stages 2–5 for one message: verify the signature, then parse, validate and map the verified bytes.
// CPU-bound, so the gateway runs it in a worker thread (message-checker.ts); pure of any I/O here.
import { readListMessage } from '../catalog/read-message.js';
import { verifyDetachedCms } from '../crypto/index.js';
import { dateInZone, parseInstant } from '../domain/dates.js';
import type { ListHeader, OperatorRecord } from '../domain/types.js';
import { AppError } from '../errors.js';
import type { PartnerRuntime } from './partners.js';
import { assessRevocation, type CrlInput, type RevocationRecord } from './revocation.js';
import type { Signer } from './types.js';

export interface DecodedList {
  header: ListHeader;
  records: OperatorRecord[];
  /** The calendar date of generatedAt in the gateway's zone: removals and undated statuses take it. */
  listDate: string;
}

export interface CheckContext {
  now: number;
  timeZone: string;
  economyAliases: Readonly<Record<string, string>>;
  /** CRLs from outside the CMS: the partner's definition and distribution points. */
  crls?: readonly CrlInput[];
}

export interface CheckedMessage {
  signer: Signer;
  list: DecodedList;
  revocation: RevocationRecord;
}

/** Throws the catalogue error of the first failed check; `signer` is attached to later errors' details. */
export async function checkMessage(
  partner: PartnerRuntime,
  body: Uint8Array,
  signature: Uint8Array | null,
  ctx: CheckContext,
): Promise<CheckedMessage> {
  if (signature === null || signature.length === 0) {
    throw new AppError('SIGNATURE_INVALID', 'The message has no signature (X-AEO-Signature).');
  }
  const verified = verifyDetachedCms(Buffer.from(body.buffer, body.byteOffset, body.byteLength), Buffer.from(signature), partner.anchors, new Date(ctx.now));
  const signer: Signer = { subject: verified.subject, sha256Fingerprint: verified.sha256Fingerprint };
  try {
    const crls = [...(ctx.crls ?? []), ...verified.embeddedCrls.map((der): CrlInput => ({ der, source: 'cms' }))];
    const revocation = assessRevocation(verified.chain, crls, new Date(ctx.now), partner.def.manifest.revocation);
    // The schema checked generatedAt's format; its date (in our zone) stands in for missing status dates.
    const dateOf = (generatedAt: string): string => dateInZone(parseInstant(generatedAt) ?? Number.NaN, ctx.timeZone);
    const { header, records } = await readListMessage(body, partner.def, { fallbackDate: dateOf, economyAliases: ctx.economyAliases });
    return { signer, revocation, list: { header, records, listDate: dateOf(header.generatedAt) } };
  } catch (err) {
    if (err instanceof AppError) throw new AppError(err.code, err.message, { ...(err.details as object | undefined), signer });
    throw err;
  }
}
