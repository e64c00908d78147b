// The X-AEO-Signature header: base64 of the DER CMS. Not-base64 becomes an empty signature,
// which the pipeline rejects as SIGNATURE_INVALID.
export const SIGNATURE_HEADER = 'x-aeo-signature';

export function decodeSignatureHeader(value: string | string[] | undefined): Buffer | null {
  if (typeof value !== 'string' || value === '') return null;
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) return Buffer.alloc(0);
  return Buffer.from(compact, 'base64');
}
