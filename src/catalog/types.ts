// What a partner is, as data: the manifest (partners/<code>.partner.json, after defaults) and the
// definition the pipeline uses (manifest + compiled payload validator + compiled mapping).
// The shape is pinned by schemas/partner-manifest.schema.json; docs/partners/mapping.md explains it.
import type { ListKind, OperatorStatus } from '../domain/types.js';
import type { OutboundSettings } from '../outbound/settings.js';
import type { CompiledMapping } from './map.js';
import type { JsonPointer } from './pointer.js';
import type { PayloadValidator } from './validate.js';

/** `"HK{/aeoNumber}"`: literal text with `{pointer}` placeholders, each replaced by the text found there. */
export type Template = string;

export interface TemplateField {
  template: Template;
}

/** The value at `from` (numbers stringified) looked up in `map`; a value not in the map is a problem. */
export interface ValueMapField<T extends string = string> {
  from: JsonPointer;
  map: Record<string, T>;
}

/** A record field: a pointer (relative to the record), a template, or a value map. */
export type FieldSpec = JsonPointer | TemplateField | ValueMapField;

/** "The value at `pointer` must be the economy of the record's declared code" (EU: Address/Country vs EORI prefix). */
export interface EconomyOfCheck {
  kind: 'economyOf';
  pointer: JsonPointer;
}

export type RecordCheck = EconomyOfCheck;

export interface HeaderMapping {
  sender: JsonPointer;
  receiver: JsonPointer;
  sequence: JsonPointer;
  kind: JsonPointer;
  generatedAt: JsonPointer;
  recordCount: JsonPointer;
}

export interface RecordMapping {
  partnerId: FieldSpec;
  declaredCode: FieldSpec;
  /** Templates of other codes for the same operator; empty results are skipped. */
  aliases: Template[];
  name: FieldSpec;
  tier: FieldSpec;
  status: ValueMapField<OperatorStatus>;
  partnerStatus: FieldSpec;
  /** Absent, or no value in the record → the date of the header's generatedAt (passed in by the caller). */
  statusSince?: FieldSpec;
  /** The first day of the certificate's validity period. Absent, null or no value in the record → null (not stated). */
  validFrom?: FieldSpec | null;
  /** Absent, null or no value in the record → null (no end date). */
  validUntil?: FieldSpec | null;
}

export interface MappingSpec {
  header: HeaderMapping;
  /** The partner's words for FULL/DELTA, e.g. `{ "COMPLETA": "FULL", "PARCIAL": "DELTA" }`. */
  kindValues: Record<string, ListKind>;
  /** Pointer to the records array. */
  records: JsonPointer;
  record: RecordMapping;
  checks: RecordCheck[];
}

export interface XmlSettings {
  /** The namespace URI the root element must be in. */
  namespace: string;
  /** The root element's local name. */
  root: string;
  /** Pointers (from the root element) of elements that must always be arrays after parsing, e.g. `/Operator`. */
  arrays: JsonPointer[];
}

export type PayloadFormat = 'json' | 'xml';
export type OnStale = 'serve' | 'fail-closed';

/** A manifest with every default applied. */
export interface PartnerManifest {
  code: string;
  agreementId: string;
  enabled: boolean;
  format: PayloadFormat;
  contentType: string;
  /** Present exactly when `format` is `xml`. */
  xml?: XmlSettings;
  /** Relative to the schemas directory, e.g. `partners/eu/aeo-list.v1.schema.json`. */
  payloadSchema: string;
  mapping: MappingSpec;
  /** node-cron expression, in AEO_TIMEZONE. */
  schedule: string;
  pullUrl: string | null;
  sandbox?: { pullPath: string };
  freshnessHours: number;
  onStale: OnStale;
  maxRemovalRatio: number;
  maxBytes: number;
  /** Whether a current CRL must cover the signer (contract 6.2). */
  revocation: 'required' | 'best-effort';
  /** What China sends this partner (contract 9.2); absent: nothing is sent. */
  outbound?: OutboundSettings;
}

/** A partner ready for the pipeline. Trust anchors are joined in by the caller. */
export interface PartnerDefinition {
  readonly code: string;
  readonly manifest: Readonly<PartnerManifest>;
  /** The manifest file it came from (for messages). */
  readonly source: string;
  readonly validatePayload: PayloadValidator;
  readonly mapping: CompiledMapping;
}
