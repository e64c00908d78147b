// Declared-code normalisation and parsing (pure).

import type { Agreement } from './types.js';

const LEGACY_REMARKS = /^AEO<(.*)>$/;
const NON_ASCII = /\P{ASCII}/u;
const ASCII_LOWER = /[a-z]+/g;

/** Contract 4.1: two letters, then 1–30 of `A–Z 0–9 /`. */
export const GENERIC_CODE = /^[A-Z]{2}[A-Z0-9/]{1,30}$/;

/** Raw input longer than this is refused before any work (hostile input). */
export const MAX_RAW_CODE_LENGTH = 200;
/** How much of an over-long input is echoed back as its `code`. */
const ECHO_LENGTH = 32;

/**
 * Trim, upper-case, drop spaces and `-`, unwrap the legacy remarks form `AEO<NZ1234>`.
 * Only ASCII letters are upper-cased: full Unicode upper-casing would turn `ſ` into `S`, `ı` into `I`
 * or `ß` into `SS` and make a non-ASCII input look like a valid code. Non-ASCII letters stay as they
 * are, so they fail every code pattern.
 */
export function normaliseCode(input: string): string {
  const upper = NON_ASCII.test(input) ? input.replace(ASCII_LOWER, (s) => s.toUpperCase()) : input.toUpperCase();
  const compact = upper.replace(/[\s-]+/g, '');
  const legacy = LEGACY_REMARKS.exec(compact);
  return legacy ? (legacy[1] ?? '') : compact;
}

/** An agreement with its declared-code rules compiled once. */
export interface CompiledAgreement {
  agreement: Agreement;
  /** The declared-code pattern, anchored. */
  pattern: RegExp;
  /** Other accepted identifiers (EU AEO authorisation numbers), anchored. */
  aliasPatterns: RegExp[];
  /** Code prefix → economy, for every economy and every alias prefix (`EL` → `GR`). */
  economyOfPrefix: ReadonlyMap<string, string>;
  /** Code prefix → the other prefixes of its economy (`EL` → [`GR`], `GR` → [`EL`]); only where there are some. */
  otherPrefixes: ReadonlyMap<string, readonly string[]>;
}

export interface CompiledAgreements {
  byId: Map<string, CompiledAgreement>;
  /** Keyed by economy code and by alias prefix (`GR` and `EL` both give CN-EU). */
  byEconomy: Map<string, CompiledAgreement>;
}

export type InvalidCodeReason = 'too-long' | 'shape' | 'pattern';

export type ParsedCode =
  | { kind: 'invalid'; code: string; reason: InvalidCodeReason }
  | { kind: 'no-agreement'; code: string; economy: string }
  | {
      kind: 'ok';
      code: string;
      economy: string;
      agreement: CompiledAgreement;
      isAlias: boolean;
      /**
       * Every spelling of this identifier, the code as given first: the same number under each
       * prefix of its economy (`EL845600870` and `GR845600870`). A partner lists one of them; the
       * operator is found whichever the declaration uses.
       */
      spellings: string[];
    };

function compileAnchored(source: string, agreementId: string): RegExp {
  try {
    // Wrapped so a pattern that forgot `^` or `$` still has to match the whole code.
    return new RegExp(`^(?:${source})$`);
  } catch (err) {
    throw new Error(`agreement ${agreementId}: invalid declared-code pattern ${JSON.stringify(source)}`, { cause: err });
  }
}

function compileOne(agreement: Agreement): CompiledAgreement {
  const { id, declaredCode, economies, economyAliases } = agreement;
  const economyOfPrefix = new Map<string, string>(economies.map((e) => [e, e]));
  for (const [prefix, economy] of Object.entries(economyAliases)) {
    if (!economies.includes(economy)) {
      throw new Error(`agreement ${id}: economy alias ${prefix} points to ${economy}, which it does not cover`);
    }
    economyOfPrefix.set(prefix, economy);
  }
  const otherPrefixes = new Map<string, string[]>();
  for (const [prefix, economy] of economyOfPrefix) {
    const others = [...economyOfPrefix].filter(([p, e]) => e === economy && p !== prefix).map(([p]) => p);
    if (others.length > 0) otherPrefixes.set(prefix, others);
  }
  return {
    agreement,
    otherPrefixes,
    pattern: compileAnchored(declaredCode.pattern, id),
    aliasPatterns: declaredCode.aliasPatterns.map((p) => compileAnchored(p, id)),
    economyOfPrefix,
  };
}

/**
 * Compile every agreement's patterns once and index them. Throws an Error naming the agreement on a
 * pattern that does not compile, a duplicate id, or an economy (or alias prefix) claimed twice.
 */
export function compileAgreements(agreements: readonly Agreement[]): CompiledAgreements {
  const byId = new Map<string, CompiledAgreement>();
  const byEconomy = new Map<string, CompiledAgreement>();
  for (const agreement of agreements) {
    if (byId.has(agreement.id)) throw new Error(`agreement ${agreement.id}: duplicate id`);
    const compiled = compileOne(agreement);
    byId.set(agreement.id, compiled);
    for (const prefix of compiled.economyOfPrefix.keys()) {
      const other = byEconomy.get(prefix);
      if (other) throw new Error(`agreement ${agreement.id}: economy ${prefix} is already covered by ${other.agreement.id}`);
      byEconomy.set(prefix, compiled);
    }
  }
  return { byId, byEconomy };
}

/** Normalise a declared code and find the agreement whose rules it fits (contract 4.1, first two rows). */
export function parseDeclaredCode(raw: string, agreementsByEconomy: ReadonlyMap<string, CompiledAgreement>): ParsedCode {
  if (raw.length > MAX_RAW_CODE_LENGTH) {
    return { kind: 'invalid', code: normaliseCode(raw.slice(0, ECHO_LENGTH)), reason: 'too-long' };
  }
  const code = normaliseCode(raw);
  if (!GENERIC_CODE.test(code)) return { kind: 'invalid', code, reason: 'shape' };
  const prefix = code.slice(0, 2);
  const agreement = agreementsByEconomy.get(prefix);
  if (!agreement) return { kind: 'no-agreement', code, economy: prefix };
  const economy = agreement.economyOfPrefix.get(prefix) ?? prefix;
  const spellings = [code, ...(agreement.otherPrefixes.get(prefix) ?? []).map((p) => p + code.slice(2))];
  if (agreement.pattern.test(code)) return { kind: 'ok', code, economy, agreement, isAlias: false, spellings };
  for (const alias of agreement.aliasPatterns) {
    if (alias.test(code)) return { kind: 'ok', code, economy, agreement, isAlias: true, spellings };
  }
  return { kind: 'invalid', code, reason: 'pattern' };
}

