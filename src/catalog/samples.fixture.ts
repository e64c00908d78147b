// Contract 6.3 sample messages, as builders the catalog tests vary (record counts, bad fields).
// Test support only: nothing in the gateway imports this file.
import { fileURLToPath } from 'node:url';

export interface EuOperatorXml {
  EORI: string;
  AuthorisationNumber: string;
  AuthorisationType: string;
  Status: string;
  StatusDate: string;
  EffectiveDate: string;
  Name: string;
  Street: string;
  PostalCode: string;
  City: string;
  Country: string;
}

export const EU_SAMPLE_OPERATOR: EuOperatorXml = {
  EORI: 'DE123456789012345',
  AuthorisationNumber: 'DEAEOF00025/08',
  AuthorisationType: 'AEOF',
  Status: 'VALID',
  StatusDate: '2019-03-01',
  EffectiveDate: '2019-03-01',
  Name: 'Beispiel Logistik GmbH',
  Street: 'Hauptstr. 1',
  PostalCode: '10115',
  City: 'Berlin',
  Country: 'DE',
};

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function euOperatorXml(op: EuOperatorXml): string {
  return `  <Operator>
    <EORI>${escapeXml(op.EORI)}</EORI>
    <AuthorisationNumber>${escapeXml(op.AuthorisationNumber)}</AuthorisationNumber>
    <AuthorisationType>${escapeXml(op.AuthorisationType)}</AuthorisationType>      <!-- AEOC | AEOS | AEOF -->
    <Status>${escapeXml(op.Status)}</Status>                             <!-- VALID | SUSPENDED | REVOKED | ANNULLED -->
    <StatusDate>${op.StatusDate}</StatusDate>
    <EffectiveDate>${op.EffectiveDate}</EffectiveDate>
    <Name>${escapeXml(op.Name)}</Name>
    <Address>
      <Street>${escapeXml(op.Street)}</Street><PostalCode>${escapeXml(op.PostalCode)}</PostalCode><City>${escapeXml(op.City)}</City><Country>${escapeXml(op.Country)}</Country>
    </Address>
  </Operator>
`;
}

/** The EU message of contract 6.3; `recordCount` defaults to the number of operators. */
export function euXml(operators: readonly EuOperatorXml[] = [EU_SAMPLE_OPERATOR], recordCount: number = operators.length): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<AEOList xmlns="urn:aeo-mra:eu:aeo-list:1" sender="EU" receiver="CN" sequence="1042"
         kind="FULL" generatedAt="2026-11-20T02:00:00Z" recordCount="${recordCount}">
${operators.map(euOperatorXml).join('')}</AEOList>
`;
}

/** What parsePayload returns for euXml(operators): builds big lists without paying for XML parsing. */
export function euParsed(operators: readonly EuOperatorXml[], recordCount: number = operators.length): Record<string, unknown> {
  return {
    sender: 'EU',
    receiver: 'CN',
    sequence: '1042',
    kind: 'FULL',
    generatedAt: '2026-11-20T02:00:00Z',
    recordCount: String(recordCount),
    Operator: operators.map(({ Street, PostalCode, City, Country, ...rest }) => ({ ...rest, Address: { Street, PostalCode, City, Country } })),
  };
}

/** `n` distinct valid EU operators (DE EORIs), for volume tests. */
export function euOperators(n: number): EuOperatorXml[] {
  return Array.from({ length: n }, (_, i) => ({
    ...EU_SAMPLE_OPERATOR,
    EORI: `DE${String(100000000 + i)}`,
    AuthorisationNumber: `DEAEOS${String(i).padStart(6, '0')}`,
    AuthorisationType: 'AEOS',
  }));
}

export interface HkRecord {
  aeoNumber: string;
  tier: number;
  status: string;
  companyName: { en: string; zh?: string };
  address: string;
  certifiedOn: string;
  statusChangedOn: string;
}

export const HK_SAMPLE_RECORD: HkRecord = {
  aeoNumber: '100000000000001',
  tier: 2,
  status: 'ACTIVE',
  companyName: { en: 'Harbour Freight Ltd', zh: '海港貨運有限公司' },
  address: '1 Harbour Road, Wan Chai, Hong Kong',
  certifiedOn: '2016-04-01',
  statusChangedOn: '2016-04-01',
};

export function hkMessage(aeos: readonly HkRecord[] = [HK_SAMPLE_RECORD]): { header: Record<string, unknown>; aeos: HkRecord[] } {
  return {
    header: { sender: 'HK', receiver: 'CN', sequence: 77, kind: 'FULL', generatedAt: '2026-11-20T01:00:00+08:00', recordCount: aeos.length },
    aeos: [...aeos],
  };
}

export interface MoRecord {
  numeroAEO: string;
  grau: string;
  estado: string;
  denominacao: { pt: string; zh?: string };
  validoDesde: string;
  validoAte: string;
  estadoDesde: string;
}

export const MO_SAMPLE_RECORD: MoRecord = {
  numeroAEO: '100000001',
  grau: 'A',
  estado: 'VALIDO',
  denominacao: { pt: 'Exemplo Comercial Lda', zh: '範例貿易有限公司' },
  validoDesde: '2023-06-01',
  validoAte: '2026-05-31',
  estadoDesde: '2023-06-01',
};

export function moMessage(operadores: readonly MoRecord[] = [MO_SAMPLE_RECORD]): Record<string, unknown> {
  return {
    remetente: 'MO',
    destinatario: 'CN',
    sequencia: 12,
    tipo: 'COMPLETA',
    geradoEm: '2026-11-20T03:00:00+08:00',
    numeroRegistos: operadores.length,
    operadores: [...operadores],
  };
}

export const bytesOf = (text: string): Buffer => Buffer.from(text, 'utf8');
export const jsonBytes = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');

/** The repository's own partners/ and schemas/ directories. */
export const REPO_PARTNERS_DIR = fileURLToPath(new URL('../../partners/', import.meta.url));
export const REPO_SCHEMAS_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));
