// Small typed helpers over forge.asn1 for reading and building the (small) CMS and certificate
// structures. Large payloads never pass through here: forge works on binary strings.
import forge from 'node-forge';

export type Asn1 = forge.asn1.Asn1;
export const { Class, Type } = forge.asn1;

/** Thrown for any structural problem; callers map it to their own error code. */
export class DerError extends Error {}

interface FromDerOptions {
  strict: boolean;
  parseAllBytes: boolean;
  decodeBitStrings: boolean;
  maxDepth: number;
}
// The typings only declare the boolean form; the options form lets us turn off BIT STRING
// guessing (it would make re-encoding less predictable) and bound the recursion depth.
const fromDer = forge.asn1.fromDer as unknown as (bytes: string, options: FromDerOptions) => Asn1;

export function parseDer(der: Buffer): Asn1 {
  try {
    return fromDer(der.toString('binary'), { strict: true, parseAllBytes: true, decodeBitStrings: false, maxDepth: 32 });
  } catch {
    throw new DerError('not valid DER');
  }
}

export function toDer(node: Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
}

export function children(node: Asn1 | undefined, what: string): Asn1[] {
  if (!node || !Array.isArray(node.value)) throw new DerError(`${what} is not a constructed value`);
  return node.value;
}

export function isTag(node: Asn1 | undefined, tagClass: forge.asn1.Class, type: number): node is Asn1 {
  return node !== undefined && node.tagClass === tagClass && (node.type as number) === type;
}

export function expectUniversal(node: Asn1 | undefined, type: forge.asn1.Type, what: string): Asn1 {
  if (!isTag(node, Class.UNIVERSAL, type)) throw new DerError(`${what} has an unexpected type`);
  return node;
}

/** Raw bytes of a primitive value (binary string). */
export function primitive(node: Asn1 | undefined, what: string): string {
  if (!node || typeof node.value !== 'string') throw new DerError(`${what} is not a primitive value`);
  return node.value;
}

/** OCTET STRING contents; BER producers may split it into constructed chunks. */
export function octets(node: Asn1 | undefined, what: string): string {
  if (!node) throw new DerError(`${what} is missing`);
  if (typeof node.value === 'string') return node.value;
  return node.value.map((c) => octets(c, what)).join('');
}

export function oid(node: Asn1 | undefined, what: string): string {
  return forge.asn1.derToOid(primitive(expectUniversal(node, Type.OID, what), what));
}

/** The OID of an AlgorithmIdentifier and its (optional) parameters. */
export function algorithm(node: Asn1 | undefined, what: string): { oid: string; params: Asn1 | undefined } {
  const [id, params] = children(expectUniversal(node, Type.SEQUENCE, what), what);
  return { oid: oid(id, what), params };
}

/** UTCTime or GeneralizedTime to a Date. */
export function time(node: Asn1 | undefined, what: string): Date {
  let date: Date;
  if (isTag(node, Class.UNIVERSAL, Type.UTCTIME)) date = forge.asn1.utcTimeToDate(primitive(node, what));
  else if (isTag(node, Class.UNIVERSAL, Type.GENERALIZEDTIME)) date = forge.asn1.generalizedTimeToDate(primitive(node, what));
  else throw new DerError(`${what} is not a time`);
  if (Number.isNaN(date.getTime())) throw new DerError(`${what} is not a valid time`);
  return date;
}

// Builders, for the signer and the tests.
export const seq = (items: Asn1[]): Asn1 => forge.asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, items);
export const set = (items: Asn1[]): Asn1 => forge.asn1.create(Class.UNIVERSAL, Type.SET, true, items);
export const oidNode = (id: string): Asn1 =>
  forge.asn1.create(Class.UNIVERSAL, Type.OID, false, forge.asn1.oidToDer(id).getBytes());
export const octetNode = (bytes: Buffer): Asn1 =>
  forge.asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, bytes.toString('binary'));
export const intNode = (n: number): Asn1 =>
  forge.asn1.create(Class.UNIVERSAL, Type.INTEGER, false, forge.asn1.integerToDer(n).getBytes());
export const nullNode = (): Asn1 => forge.asn1.create(Class.UNIVERSAL, Type.NULL, false, '');
export const explicit = (tag: number, items: Asn1[]): Asn1 => forge.asn1.create(Class.CONTEXT_SPECIFIC, tag, true, items);

/** UTCTime for 1950..2049 as DER requires, GeneralizedTime otherwise. */
export function timeNode(date: Date): Asn1 {
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050
    ? forge.asn1.create(Class.UNIVERSAL, Type.UTCTIME, false, forge.asn1.dateToUtcTime(date))
    : forge.asn1.create(Class.UNIVERSAL, Type.GENERALIZEDTIME, false, forge.asn1.dateToGeneralizedTime(date));
}
