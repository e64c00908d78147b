// List messages as bytes, exactly in the built-in partner formats of contract section 6.3.
// Big EU lists are encoded in batches and concatenated once (see renderEuList).

import type { IsoDate, ListKind } from '../domain/types.js';
import {
  sandboxPopulation,
  type EuOperator,
  type HkOperator,
  type MoOperator,
  type SandboxOperatorByPartner,
  type SandboxPartner,
} from './population.js';

export const EU_NAMESPACE = 'urn:aeo-mra:eu:aeo-list:1';

/** First sequence of each simulated partner; generation g is sent with sequence base + g. */
export const SANDBOX_SEQUENCE_BASE: Readonly<Record<SandboxPartner, number>> = { EU: 1000, HK: 70, MO: 10 };

/** A message header as it is written; nothing is checked, so tests can build wrong messages. */
export interface ListMessageHeader {
  sender: string;
  receiver: string;
  sequence: number;
  kind: ListKind;
  /** RFC 3339, written as given. */
  generatedAt: string;
  /** Defaults to the number of operators; set it to build a message whose count is wrong. */
  recordCount?: number;
}

export interface SandboxRenderOptions {
  /** Default {@link SANDBOX_SEQUENCE_BASE}; the message's sequence is base + generation. */
  sequenceBase?: number;
  /** Operators in generation 0; see PopulationOptions.size. */
  size?: number;
  /** The message's generatedAt (the caller owns the clock). Same instant → same bytes. */
  generatedAt: Date;
  /** The simulated partners send FULL lists only. */
  kind?: 'FULL';
  /** See PopulationOptions.generationDate. */
  generationDate?: (generation: number) => IsoDate;
}

/** The full list a simulated partner sends for `generation`, as message bytes. */
export function renderSandboxList<P extends SandboxPartner>(partner: P, generation: number, opts: SandboxRenderOptions): Buffer {
  const operators = sandboxPopulation(partner, generation, { size: opts.size, generationDate: opts.generationDate });
  const header: ListMessageHeader = {
    sender: partner,
    receiver: 'CN',
    sequence: (opts.sequenceBase ?? SANDBOX_SEQUENCE_BASE[partner]) + generation,
    kind: opts.kind ?? 'FULL',
    generatedAt: formatGeneratedAt(partner, opts.generatedAt),
  };
  return renderList(partner, header, operators);
}

/**
 * Any list message in a built-in partner's format: the header is written as given (a wrong sender,
 * a DELTA kind, a false recordCount are all fine) and the records in the contract's field order.
 * To build an invalid record, cast: a field set to `undefined` is left out, a wrong value is
 * written as is; HK/MO records keep extra fields after the contract's ones.
 */
export function renderList<P extends SandboxPartner>(
  partner: P,
  header: ListMessageHeader,
  operators: readonly SandboxOperatorByPartner[P][],
): Buffer {
  return RENDERERS[partner](header, operators);
}

/** RFC 3339 without fractions: UTC `Z` for EU, Hong Kong/Macao local time `+08:00` for HK and MO. */
export function formatGeneratedAt(partner: SandboxPartner, at: Date): string {
  if (partner === 'EU') return `${at.toISOString().slice(0, 19)}Z`;
  return `${new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
}

export function sandboxContentType(partner: SandboxPartner): 'application/xml' | 'application/json' {
  return partner === 'EU' ? 'application/xml' : 'application/json';
}

// ---------------------------------------------------------------------------------------------
// EU — XML

export function renderEuList(header: ListMessageHeader, operators: readonly EuOperator[]): Buffer {
  const buffers: Buffer[] = [
    Buffer.from(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<AEOList xmlns="${EU_NAMESPACE}" sender="${xml(header.sender)}" receiver="${xml(header.receiver)}"` +
        ` sequence="${xml(String(header.sequence))}" kind="${xml(header.kind)}" generatedAt="${xml(header.generatedAt)}"` +
        ` recordCount="${xml(String(header.recordCount ?? operators.length))}">\n`,
      'utf8',
    ),
  ];
  // Encode in batches: one 40 MB string costs far more (rope flattening, GC) than many small ones.
  for (let start = 0; start < operators.length; start += BATCH) {
    let text = '';
    for (const op of operators.slice(start, start + BATCH)) text += euOperatorXml(op);
    buffers.push(Buffer.from(text, 'utf8'));
  }
  buffers.push(Buffer.from('</AEOList>\n', 'utf8'));
  return Buffer.concat(buffers);
}

const BATCH = 500;

function euOperatorXml(op: EuOperator): string {
  // `Partial` because callers may leave fields out on purpose (see renderList)
  const address = op.Address as Partial<EuOperator['Address']> | undefined;
  const addressXml =
    address === undefined
      ? ''
      : `    <Address>\n      ${inline('Street', address.Street)}${inline('PostalCode', address.PostalCode)}` +
        `${inline('City', address.City)}${inline('Country', address.Country)}\n    </Address>\n`;
  return (
    '  <Operator>\n' +
    line('EORI', op.EORI) +
    line('AuthorisationNumber', op.AuthorisationNumber) +
    line('AuthorisationType', op.AuthorisationType) +
    line('Status', op.Status) +
    line('StatusDate', op.StatusDate) +
    line('EffectiveDate', op.EffectiveDate) +
    line('Name', op.Name) +
    addressXml +
    '  </Operator>\n'
  );
}

function line(name: string, value: string | undefined): string {
  return value === undefined ? '' : `    ${inline(name, value)}\n`;
}

function inline(name: string, value: string | undefined): string {
  return value === undefined ? '' : `<${name}>${xml(value)}</${name}>`;
}

const XML_SPECIAL = /[&<>"]/;
const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** Escape for text and double-quoted attributes. */
function xml(value: string): string {
  return XML_SPECIAL.test(value) ? value.replace(/[&<>"]/g, (ch) => XML_ESCAPES[ch] ?? ch) : value;
}

// ---------------------------------------------------------------------------------------------
// HK and MO — JSON (2-space indented, UTF-8, trailing newline)

export function renderHkList(header: ListMessageHeader, operators: readonly HkOperator[]): Buffer {
  return json({
    header: {
      sender: header.sender,
      receiver: header.receiver,
      sequence: header.sequence,
      kind: header.kind,
      generatedAt: header.generatedAt,
      recordCount: header.recordCount ?? operators.length,
    },
    aeos: operators.map((op) => ({
      ...inOrder(op, HK_FIELDS),
      ...(isObject(op.companyName) ? { companyName: inOrder(op.companyName, ['en', 'zh']) } : {}),
    })),
  });
}

export function renderMoList(header: ListMessageHeader, operators: readonly MoOperator[]): Buffer {
  return json({
    remetente: header.sender,
    destinatario: header.receiver,
    sequencia: header.sequence,
    tipo: header.kind === 'FULL' ? 'COMPLETA' : 'PARCIAL',
    geradoEm: header.generatedAt,
    numeroRegistos: header.recordCount ?? operators.length,
    operadores: operators.map((op) => ({
      ...inOrder(op, MO_FIELDS),
      ...(isObject(op.denominacao) ? { denominacao: inOrder(op.denominacao, ['pt', 'zh']) } : {}),
    })),
  });
}

const HK_FIELDS = ['aeoNumber', 'tier', 'status', 'companyName', 'address', 'certifiedOn', 'statusChangedOn'] as const;
const MO_FIELDS = ['numeroAEO', 'grau', 'estado', 'denominacao', 'validoDesde', 'validoAte', 'estadoDesde'] as const;

/** The contract's keys first, in its order, then any extra keys; absent keys stay absent. */
function inOrder(value: object, keys: readonly string[]): Record<string, unknown> {
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of keys) if (key in source) out[key] = source[key];
  for (const key of Object.keys(source)) if (!(key in out)) out[key] = source[key];
  return out;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function json(message: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(message, null, 2)}\n`, 'utf8');
}

const RENDERERS: {
  [P in SandboxPartner]: (header: ListMessageHeader, operators: readonly SandboxOperatorByPartner[P][]) => Buffer;
} = { EU: renderEuList, HK: renderHkList, MO: renderMoList };
