// The simulated partners' operator populations (plain data, contract sections 6.3 and 7).
// Generation 0 comes from a fixed seed; generation g replays g-1 with a per-generation seed, so a list
// is a pure function of (partner, generation, size, generationDate). Replaying is cheap: O(g·size).

import type { IsoDate } from '../domain/types.js';
import { createRandom, hashSeed, type Random } from './random.js';

export type SandboxPartner = 'EU' | 'HK' | 'MO';
export const SANDBOX_PARTNERS: readonly SandboxPartner[] = ['EU', 'HK', 'MO'];

// Field names are the wire names of contract 6.3, so rendering is a direct mapping.
export interface EuOperator {
  EORI: string;
  AuthorisationNumber: string;
  AuthorisationType: 'AEOC' | 'AEOS' | 'AEOF';
  Status: 'VALID' | 'SUSPENDED' | 'REVOKED' | 'ANNULLED';
  StatusDate: IsoDate;
  EffectiveDate: IsoDate;
  Name: string;
  Address: { Street: string; PostalCode: string; City: string; Country: string };
}

export interface HkOperator {
  aeoNumber: string;
  tier: 1 | 2;
  status: 'ACTIVE' | 'SUSPENDED' | 'CANCELLED';
  companyName: { en: string; zh: string };
  address: string;
  certifiedOn: IsoDate;
  statusChangedOn: IsoDate;
}

export interface MoOperator {
  numeroAEO: string;
  grau: 'A' | 'B';
  estado: 'VALIDO' | 'SUSPENSO' | 'CANCELADO';
  denominacao: { pt: string; zh: string };
  validoDesde: IsoDate;
  validoAte: IsoDate;
  estadoDesde: IsoDate;
}

export interface SandboxOperatorByPartner {
  EU: EuOperator;
  HK: HkOperator;
  MO: MoOperator;
}
export type SandboxOperator = SandboxOperatorByPartner[SandboxPartner];

export interface PopulationOptions {
  /** Operators in generation 0, the fixed ones included. Default EU 16 000, HK 90, MO 60. */
  size?: number;
  /**
   * The date of generation g ≥ 1: status date of its changes, start date of its additions.
   * Must not decrease with g. Default: {@link sandboxGenerationDate}.
   */
  generationDate?: (generation: number) => IsoDate;
}

/** Per-generation event rates (of the current list size); at least one event of each kind. */
export const GENERATION_RATES = { addition: 0.005, statusChange: 0.003, removal: 0.002 } as const;

/** Generation 0 is dated 2026-02-01 (after every fixed date); generation g is g days later. */
export function sandboxGenerationDate(generation: number): IsoDate {
  return isoDate(GENERATION_ZERO_DAY + generation);
}

/**
 * The operators a simulated partner lists in `generation` (0 = its first list). Fixed operators
 * (contract section 7) come first and never change; the others follow in order of creation.
 * Every call builds fresh objects, so callers may mutate the result.
 */
export function sandboxPopulation<P extends SandboxPartner>(
  partner: P,
  generation: number,
  opts: PopulationOptions = {},
): SandboxOperatorByPartner[P][] {
  return simulate(MODELS[partner], partner, generation, opts);
}

/** The fixed operators of contract section 7, exactly as every generation lists them. */
export function sandboxFixedOperators<P extends SandboxPartner>(partner: P): SandboxOperatorByPartner[P][] {
  return MODELS[partner].fixed();
}

/** The partner's own identifier of an operator (EORI, HK aeoNumber, MO numeroAEO). */
export function sandboxOperatorId<P extends SandboxPartner>(partner: P, operator: SandboxOperatorByPartner[P]): string {
  const model: PopulationModel<SandboxOperatorByPartner[P]> = MODELS[partner];
  return model.keys(operator)[0] ?? '';
}

// ---------------------------------------------------------------------------------------------
// Simulation

interface PopulationModel<T> {
  defaultSize: number;
  fixed(): T[];
  /** Identifiers that must stay unique across all generations; the first is the operator's id. */
  keys(op: T): string[];
  /** A new operator; `bornOn` is null for generation 0 (historical dates), else the generation's day. */
  generate(rng: Random, serial: number, used: Set<string>, bornOn: number | null): T;
  /** The operator after a status change on `day`, or null when its status is final. */
  changeStatus(op: T, rng: Random, day: number): T | null;
}

function simulate<T>(model: PopulationModel<T>, partner: string, generation: number, opts: PopulationOptions): T[] {
  const fixed = model.fixed();
  const size = opts.size ?? model.defaultSize;
  if (!Number.isSafeInteger(generation) || generation < 0) {
    throw new RangeError(`generation must be a non-negative integer, got ${generation}`);
  }
  if (!Number.isSafeInteger(size) || size < fixed.length) {
    throw new RangeError(`size must be an integer ≥ ${fixed.length} for ${partner}, got ${size}`);
  }
  const dateOf = opts.generationDate ?? sandboxGenerationDate;
  const used = new Set(fixed.flatMap((op) => model.keys(op)));

  const genesis = createRandom(hashSeed('aeo-sandbox', partner, 'genesis'));
  let serial = 0;
  const first = fixed.length; // fixed operators stay in front and are never picked
  let ops: T[] = [...fixed];
  while (ops.length < size) ops.push(model.generate(genesis, serial++, used, null));

  for (let g = 1; g <= generation; g++) {
    const rng = createRandom(hashSeed('aeo-sandbox', partner, 'generation', g));
    const day = dayNumber(dateOf(g));
    const n = ops.length;

    const removed = new Set<number>();
    const removals = Math.min(eventCount(n, GENERATION_RATES.removal), n - first);
    for (let tries = 0; removed.size < removals && tries < removals * 50; tries++) {
      removed.add(rng.int(first, n - 1));
    }

    const changed = new Set<number>();
    const changes = eventCount(n, GENERATION_RATES.statusChange);
    for (let tries = 0; changed.size < changes && tries < changes * 50 && first < n; tries++) {
      const i = rng.int(first, n - 1);
      if (removed.has(i) || changed.has(i)) continue;
      const next = model.changeStatus(ops[i] as T, rng, day);
      if (next === null) continue;
      ops[i] = next;
      changed.add(i);
    }

    ops = ops.filter((_, i) => !removed.has(i));
    const additions = eventCount(n, GENERATION_RATES.addition);
    for (let a = 0; a < additions; a++) ops.push(model.generate(rng, serial++, used, day));
  }
  return ops;
}

function eventCount(listSize: number, rate: number): number {
  return Math.max(1, Math.round(listSize * rate));
}

/** A fresh value from `make` not yet in `used` (then recorded there). */
function unique(used: Set<string>, make: () => string): string {
  for (let tries = 0; tries < 1000; tries++) {
    const value = make();
    if (!used.has(value)) {
      used.add(value);
      return value;
    }
  }
  throw new Error('sandbox identifier space exhausted');
}

const DIGITS = '0123456789';
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Fill a template: `#` digit, `^` digit 1–9, `@` letter A–Z; anything else is literal. */
function fill(rng: Random, template: string): string {
  let out = '';
  for (const ch of template) {
    if (ch === '#') out += DIGITS[rng.int(0, 9)] ?? '0';
    else if (ch === '^') out += DIGITS[rng.int(1, 9)] ?? '1';
    else if (ch === '@') out += LETTERS[rng.int(0, 25)] ?? 'A';
    else out += ch;
  }
  return out;
}

// Dates as day numbers since 1970-01-01 (UTC); no clock is read.
const DAY_MS = 86_400_000;

function dayNumber(date: IsoDate): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
}

/** Day number → `YYYY-MM-DD` by integer arithmetic (H. Hinnant's civil_from_days): toISOString was the hot spot. */
function isoDate(day: number): IsoDate {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${y}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

/** Last day of a 3-year certificate starting on `day` (validoDesde + 3 years − 1 day). */
function certificateEnd(day: number): number {
  const start = new Date(day * DAY_MS);
  return Date.UTC(start.getUTCFullYear() + 3, start.getUTCMonth(), start.getUTCDate() - 1) / DAY_MS;
}

const GENERATION_ZERO_DAY = dayNumber('2026-02-01');
const HISTORY_END_DAY = dayNumber('2025-12-31'); // generation-0 dates lie before generation 0

/** A generation-0 status and its date: mostly the valid status since the start date. */
function historicalStatus<S extends string>(
  rng: Random,
  start: number,
  statuses: readonly { status: S; weight: number }[],
): { status: S; day: number } {
  const { status } = rng.weighted(statuses);
  const first = statuses[0]?.status;
  return { status, day: status === first ? start : rng.int(start, HISTORY_END_DAY) };
}

// ---------------------------------------------------------------------------------------------
// EU

interface NameStyle {
  /** Word order of a company name: root (family or place name), trade, legal form. */
  order: 'root-trade-form' | 'trade-root-form' | 'form-root-trade';
  roots: readonly string[];
  trades: readonly string[];
  forms: readonly string[];
  streets: readonly string[];
  numberFirst?: boolean;
}

const STYLES = {
  de: { order: 'root-trade-form', roots: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Becker', 'Hoffmann', 'Rhein', 'Hansa', 'Nordsee'], trades: ['Spedition', 'Logistik', 'Handel', 'Maschinenbau', 'Transporte', 'Elektronik', 'Chemie'], forms: ['GmbH', 'GmbH & Co. KG', 'AG', 'KG', 'e.K.'], streets: ['Hauptstraße', 'Bahnhofstraße', 'Industriestraße', 'Hafenstraße', 'Schillerstraße', 'Gewerbepark'] },
  fr: { order: 'trade-root-form', roots: ['Dupont', 'Martin', 'Lefèvre', 'Moreau', 'Girard', 'Rhône', 'Atlantique', 'Provence'], trades: ['Transports', 'Logistique', 'Négoce', 'Industries', 'Expéditions'], forms: ['SAS', 'SARL', 'SA', 'EURL'], streets: ['rue de la République', 'avenue Jean Jaurès', 'boulevard Victor Hugo', 'rue du Port', 'chemin des Écoliers'], numberFirst: true },
  nl: { order: 'root-trade-form', roots: ['De Vries', 'Jansen', 'Van den Berg', 'Bakker', 'Visser', 'Maas', 'Schelde', 'Holland'], trades: ['Transport', 'Logistiek', 'Expeditie', 'Handelsonderneming', 'Distributie'], forms: ['B.V.', 'N.V.', 'V.O.F.'], streets: ['Havenweg', 'Kerkstraat', 'Industrieweg', 'Stationsplein', 'Molenstraat'] },
  it: { order: 'trade-root-form', roots: ['Rossi', 'Bianchi', 'Ferrari', 'Esposito', 'Romano', 'Adriatica', 'Padana', 'Tirrena'], trades: ['Trasporti', 'Logistica', 'Spedizioni', 'Commercio', 'Meccanica', 'Tessile'], forms: ['S.r.l.', 'S.p.A.', 'S.a.s.'], streets: ['Via Roma', 'Via Garibaldi', 'Corso Italia', 'Via dell’Industria', 'Viale Europa'] },
  es: { order: 'trade-root-form', roots: ['García', 'Fernández', 'López', 'Martínez', 'Ibérica', 'Cantábrica', 'Levante'], trades: ['Transportes', 'Logística', 'Comercial', 'Importaciones', 'Industrias'], forms: ['S.L.', 'S.A.', 'S.L.U.'], streets: ['Calle Mayor', 'Avenida de la Constitución', 'Calle del Puerto', 'Paseo de Gracia', 'Polígono Industrial Sur'] },
  pt: { order: 'trade-root-form', roots: ['Silva', 'Santos', 'Ferreira', 'Oliveira', 'Atlântico', 'Lusitana', 'Douro'], trades: ['Transportes', 'Logística', 'Comércio', 'Indústrias', 'Exportadora'], forms: ['Lda.', 'S.A.', 'Unipessoal Lda.'], streets: ['Rua Augusta', 'Avenida da Liberdade', 'Rua do Porto', 'Estrada Nacional 10'] },
  pl: { order: 'trade-root-form', roots: ['Kowalski', 'Nowak', 'Wiśniewski', 'Wójcik', 'Bałtyk', 'Wisła', 'Mazowsze'], trades: ['Transport', 'Logistyka', 'Handel', 'Spedycja', 'Zakład Przewozowy'], forms: ['Sp. z o.o.', 'S.A.', 'Sp.j.'], streets: ['ul. Piotrkowska', 'ul. Marszałkowska', 'ul. Portowa', 'ul. Przemysłowa', 'al. Jana Pawła II'] },
  sv: { order: 'root-trade-form', roots: ['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Norrland', 'Göta'], trades: ['Transport', 'Logistik', 'Handel', 'Spedition', 'Industri'], forms: ['AB', 'HB'], streets: ['Storgatan', 'Hamngatan', 'Industrivägen', 'Kungsgatan', 'Järnvägsgatan'] },
  da: { order: 'root-trade-form', roots: ['Jensen', 'Nielsen', 'Hansen', 'Pedersen', 'Øresund', 'Jylland'], trades: ['Transport', 'Logistik', 'Handel', 'Spedition'], forms: ['A/S', 'ApS', 'I/S'], streets: ['Havnegade', 'Vestergade', 'Industrivej', 'Strandvejen'] },
  fi: { order: 'root-trade-form', roots: ['Virtanen', 'Korhonen', 'Mäkinen', 'Nieminen', 'Pohjola', 'Saimaa'], trades: ['Kuljetus', 'Logistiikka', 'Kauppa', 'Huolinta'], forms: ['Oy', 'Oyj', 'Ky'], streets: ['Satamakatu', 'Teollisuustie', 'Hämeenkatu', 'Mannerheimintie'] },
  el: { order: 'root-trade-form', roots: ['Papadopoulos', 'Georgiou', 'Aigaio', 'Olympos', 'Ionios'], trades: ['Metafores', 'Logistics', 'Emporiki', 'Viomichania'], forms: ['A.E.', 'E.P.E.', 'I.K.E.'], streets: ['Odos Ermou', 'Leoforos Syngrou', 'Odos Piraios', 'Leoforos Kifisias'] },
  cy: { order: 'root-trade-form', roots: ['Georgiou', 'Christodoulou', 'Kyrenia', 'Troodos'], trades: ['Shipping', 'Trading', 'Logistics'], forms: ['Ltd', 'Limited'], streets: ['Makariou III Avenue', 'Archiepiskopou Kyprianou', 'Franklin Roosevelt Avenue'] },
  cs: { order: 'root-trade-form', roots: ['Novák', 'Svoboda', 'Dvořák', 'Černý', 'Vltava', 'Morava'], trades: ['Doprava', 'Logistika', 'Obchod', 'Spedice', 'Strojírny'], forms: ['s.r.o.', 'a.s.'], streets: ['Nádražní', 'Průmyslová', 'Hlavní', 'Masarykova'] },
  sk: { order: 'root-trade-form', roots: ['Horváth', 'Kováč', 'Varga', 'Tatra', 'Dunaj'], trades: ['Doprava', 'Logistika', 'Obchod', 'Strojárne'], forms: ['s.r.o.', 'a.s.'], streets: ['Hlavná', 'Priemyselná', 'Štúrova', 'Námestie SNP'] },
  hu: { order: 'root-trade-form', roots: ['Nagy', 'Kovács', 'Tóth', 'Szabó', 'Duna', 'Tisza'], trades: ['Szállítmányozási', 'Logisztikai', 'Kereskedelmi', 'Fuvarozó'], forms: ['Kft.', 'Zrt.', 'Bt.'], streets: ['Fő utca', 'Kossuth Lajos utca', 'Ipari út', 'Petőfi Sándor utca'] },
  ro: { order: 'root-trade-form', roots: ['Popescu', 'Ionescu', 'Dunărea', 'Carpați', 'Transilvania'], trades: ['Transport', 'Logistică', 'Comerț', 'Expediții'], forms: ['S.R.L.', 'S.A.'], streets: ['Strada Victoriei', 'Bulevardul Unirii', 'Strada Portului', 'Calea Industriilor'] },
  bg: { order: 'root-trade-form', roots: ['Ivanov', 'Petrov', 'Dimitrov', 'Balkan', 'Dunav'], trades: ['Transport', 'Logistika', 'Targovia'], forms: ['EOOD', 'OOD', 'AD'], streets: ['ul. Vitosha', 'bul. Tsar Osvoboditel', 'ul. Pristanishtna'] },
  hr: { order: 'root-trade-form', roots: ['Horvat', 'Kovačević', 'Babić', 'Jadran', 'Sava'], trades: ['Prijevoz', 'Logistika', 'Trgovina', 'Špedicija'], forms: ['d.o.o.', 'd.d.'], streets: ['Ilica', 'Ulica grada Vukovara', 'Lučka ulica', 'Industrijska ulica'] },
  sl: { order: 'root-trade-form', roots: ['Novak', 'Krajnc', 'Zupančič', 'Triglav', 'Soča'], trades: ['Transport', 'Logistika', 'Trgovina', 'Špedicija'], forms: ['d.o.o.', 'd.d.'], streets: ['Slovenska cesta', 'Tržaška cesta', 'Industrijska cesta'] },
  lt: { order: 'form-root-trade', roots: ['Kazlauskas', 'Petrauskas', 'Baltija', 'Nemunas'], trades: ['Transportas', 'Logistika', 'Prekyba', 'Ekspedijavimas'], forms: ['UAB', 'AB'], streets: ['Gedimino pr.', 'Uosto g.', 'Pramonės g.'] },
  lv: { order: 'form-root-trade', roots: ['Bērziņš', 'Kalniņš', 'Daugava', 'Rīgas'], trades: ['Transports', 'Loģistika', 'Tirdzniecība'], forms: ['SIA', 'AS'], streets: ['Brīvības iela', 'Krasta iela', 'Rūpniecības iela'] },
  et: { order: 'root-trade-form', roots: ['Tamm', 'Saar', 'Sepp', 'Läänemere', 'Tallinna'], trades: ['Transport', 'Logistika', 'Kaubandus', 'Ekspedeerimine'], forms: ['OÜ', 'AS'], streets: ['Narva mnt', 'Sadama tn', 'Tööstuse tn', 'Pärnu mnt'] },
  en: { order: 'root-trade-form', roots: ['Murphy', 'Kelly', 'O’Brien', 'Walsh', 'Shannon', 'Liffey'], trades: ['Freight', 'Logistics', 'Trading', 'Distribution', 'Shipping'], forms: ['Ltd', 'DAC', 'Limited'], streets: ['Main Street', 'Dock Road', 'Harbour Road', 'Business Park'], numberFirst: true },
  mt: { order: 'root-trade-form', roots: ['Borg', 'Camilleri', 'Vella', 'Farrugia', 'Grand Harbour'], trades: ['Freight', 'Logistics', 'Trading', 'Shipping'], forms: ['Ltd', 'p.l.c.'], streets: ['Triq il-Port', 'Triq ir-Repubblika', 'Triq l-Industrija'], numberFirst: true },
  lb: { order: 'trade-root-form', roots: ['Schmit', 'Weber', 'Moselle', 'Alzette'], trades: ['Transports', 'Logistique', 'Trading'], forms: ['S.à r.l.', 'S.A.'], streets: ['rue de Hollerich', 'route d’Arlon', 'boulevard Royal'], numberFirst: true },
} satisfies Record<string, NameStyle>;

type StyleKey = keyof typeof STYLES;

interface MemberState {
  country: string; // ISO 3166 (Greece: GR)
  eori: string; // template, its first two letters the EORI prefix (Greece: EL)
  weight: number; // share of the list, roughly like the real EU AEO database
  style: StyleKey;
  cities: readonly (readonly [city: string, postalCode: string, style?: StyleKey])[];
}

const MEMBER_STATES: readonly MemberState[] = [
  { country: 'AT', eori: 'ATEOS##########', weight: 4, style: 'de', cities: [['Wien', '1###'], ['Linz', '40##'], ['Graz', '80##'], ['Salzburg', '50##']] },
  { country: 'BE', eori: 'BE0#########', weight: 4, style: 'nl', cities: [['Antwerpen', '20##'], ['Gent', '90##'], ['Bruxelles', '10##', 'fr'], ['Liège', '40##', 'fr']] },
  { country: 'BG', eori: 'BG#########', weight: 1, style: 'bg', cities: [['Sofia', '1###'], ['Plovdiv', '4###'], ['Varna', '9###']] },
  { country: 'CY', eori: 'CY########@', weight: 1, style: 'cy', cities: [['Limassol', '3###'], ['Nicosia', '1###'], ['Larnaca', '6###']] },
  { country: 'CZ', eori: 'CZ########', weight: 2, style: 'cs', cities: [['Praha', '1## ##'], ['Brno', '6## ##'], ['Ostrava', '7## ##'], ['Plzeň', '3## ##']] },
  { country: 'DE', eori: 'DE#############', weight: 30, style: 'de', cities: [['Berlin', '10###'], ['Hamburg', '20###'], ['München', '80###'], ['Köln', '50###'], ['Frankfurt am Main', '60###'], ['Duisburg', '47###'], ['Bremen', '28###'], ['Stuttgart', '70###']] },
  { country: 'DK', eori: 'DK########', weight: 2, style: 'da', cities: [['København', '1###'], ['Aarhus', '8###'], ['Odense', '5###'], ['Esbjerg', '67##']] },
  { country: 'EE', eori: 'EE########', weight: 1, style: 'et', cities: [['Tallinn', '1####'], ['Tartu', '5####'], ['Pärnu', '8####']] },
  { country: 'ES', eori: 'ES@########', weight: 6, style: 'es', cities: [['Madrid', '28###'], ['Barcelona', '08###'], ['Valencia', '46###'], ['Bilbao', '48###'], ['Algeciras', '11###']] },
  { country: 'FI', eori: 'FI########', weight: 2, style: 'fi', cities: [['Helsinki', '00###'], ['Vantaa', '01###'], ['Turku', '20###'], ['Kotka', '48###']] },
  { country: 'FR', eori: 'FR##############', weight: 9, style: 'fr', cities: [['Paris', '75###'], ['Lyon', '69###'], ['Marseille', '13###'], ['Le Havre', '76###'], ['Lille', '59###'], ['Strasbourg', '67###']] },
  { country: 'GR', eori: 'EL#########', weight: 2, style: 'el', cities: [['Athina', '1## ##'], ['Peiraias', '185 ##'], ['Thessaloniki', '5## ##']] },
  { country: 'HR', eori: 'HR###########', weight: 1, style: 'hr', cities: [['Zagreb', '10###'], ['Rijeka', '51###'], ['Split', '21###']] },
  { country: 'HU', eori: 'HU##########', weight: 2, style: 'hu', cities: [['Budapest', '1###'], ['Győr', '9###'], ['Debrecen', '4###']] },
  { country: 'IE', eori: 'IE#######@', weight: 2, style: 'en', cities: [['Dublin', 'D## @###'], ['Cork', 'T## @###'], ['Shannon', 'V## @###']] },
  { country: 'IT', eori: 'IT###########', weight: 9, style: 'it', cities: [['Milano', '201##'], ['Roma', '001##'], ['Genova', '161##'], ['Torino', '101##'], ['Napoli', '801##'], ['Trieste', '341##']] },
  { country: 'LT', eori: 'LT#########', weight: 1, style: 'lt', cities: [['Vilnius', 'LT-0####'], ['Kaunas', 'LT-4####'], ['Klaipėda', 'LT-9####']] },
  { country: 'LU', eori: 'LU########', weight: 1, style: 'lb', cities: [['Luxembourg', 'L-1###'], ['Bettembourg', 'L-3###'], ['Esch-sur-Alzette', 'L-4###']] },
  { country: 'LV', eori: 'LV###########', weight: 1, style: 'lv', cities: [['Rīga', 'LV-10##'], ['Liepāja', 'LV-34##'], ['Ventspils', 'LV-36##']] },
  { country: 'MT', eori: 'MT########', weight: 1, style: 'mt', cities: [['Valletta', 'VLT ####'], ['Marsaxlokk', 'MXK ####'], ['Birkirkara', 'BKR ####']] },
  { country: 'NL', eori: 'NL#########', weight: 10, style: 'nl', cities: [['Rotterdam', '30## @@'], ['Amsterdam', '10## @@'], ['Venlo', '59## @@'], ['Tilburg', '50## @@'], ['Eindhoven', '56## @@']] },
  { country: 'PL', eori: 'PL##########00000', weight: 5, style: 'pl', cities: [['Warszawa', '0#-###'], ['Łódź', '9#-###'], ['Gdańsk', '80-###'], ['Poznań', '6#-###'], ['Kraków', '3#-###']] },
  { country: 'PT', eori: 'PT#########', weight: 2, style: 'pt', cities: [['Lisboa', '1###-###'], ['Porto', '4###-###'], ['Sines', '7520-###'], ['Aveiro', '38##-###']] },
  { country: 'RO', eori: 'RO########', weight: 2, style: 'ro', cities: [['București', '0#####'], ['Constanța', '9#####'], ['Cluj-Napoca', '400###'], ['Timișoara', '300###']] },
  { country: 'SE', eori: 'SE##########', weight: 3, style: 'sv', cities: [['Göteborg', '4## ##'], ['Stockholm', '1## ##'], ['Malmö', '2## ##'], ['Helsingborg', '25# ##']] },
  { country: 'SI', eori: 'SI########', weight: 1, style: 'sl', cities: [['Ljubljana', '1000'], ['Koper', '6000'], ['Maribor', '2000']] },
  { country: 'SK', eori: 'SK##########', weight: 1, style: 'sk', cities: [['Bratislava', '8## ##'], ['Košice', '04# ##'], ['Žilina', '010 ##']] },
];

/** The first generated EU operators of generation 0: non-ASCII names and one that needs XML escaping. */
const EU_SHOWCASE: readonly { country: string; name: string; city?: string }[] = [
  { country: 'DE', name: 'Müller Spedition GmbH', city: 'Hamburg' },
  { country: 'IT', name: 'Società Trasporti S.r.l.', city: 'Genova' },
  { country: 'PL', name: 'Zakład Przewozowy Łódź Sp. z o.o.', city: 'Łódź' },
  { country: 'FR', name: 'Dupont & Fils <Export> SARL', city: 'Le Havre' },
];

const EU_TYPES = [
  { type: 'AEOC', weight: 45 },
  { type: 'AEOF', weight: 35 },
  { type: 'AEOS', weight: 20 },
] as const;

const EU_HISTORY = [
  { status: 'VALID', weight: 93 },
  { status: 'SUSPENDED', weight: 4 },
  { status: 'REVOKED', weight: 2 },
  { status: 'ANNULLED', weight: 1 },
] as const;

const EU_FIRST_DAY = dayNumber('2008-01-01'); // AEO authorisations began in 2008

const euModel: PopulationModel<EuOperator> = {
  defaultSize: 16_000,
  fixed: () => [
    { EORI: 'DE123456789012345', AuthorisationNumber: 'DEAEOF00025/08', AuthorisationType: 'AEOF', Status: 'VALID', StatusDate: '2019-03-01', EffectiveDate: '2019-03-01', Name: 'Beispiel Logistik GmbH', Address: { Street: 'Hauptstr. 1', PostalCode: '10115', City: 'Berlin', Country: 'DE' } },
    { EORI: 'NL857117683', AuthorisationNumber: 'NLAEOC00117/12', AuthorisationType: 'AEOC', Status: 'VALID', StatusDate: '2012-05-14', EffectiveDate: '2012-05-14', Name: 'Voorbeeld Expeditie B.V.', Address: { Street: 'Waalhaven Zuidzijde 21', PostalCode: '3089 JH', City: 'Rotterdam', Country: 'NL' } },
    { EORI: 'IT01234567890', AuthorisationNumber: 'ITAEOS00042/15', AuthorisationType: 'AEOS', Status: 'SUSPENDED', StatusDate: '2026-01-15', EffectiveDate: '2015-09-01', Name: 'Esempio Spedizioni S.p.A.', Address: { Street: 'Via Roma 10', PostalCode: '20121', City: 'Milano', Country: 'IT' } },
  ],
  keys: (op) => [op.EORI, op.AuthorisationNumber],

  generate(rng, serial, used, bornOn) {
    const showcase = bornOn === null ? EU_SHOWCASE[serial] : undefined;
    const state = MEMBER_STATES.find((s) => s.country === showcase?.country) ?? rng.weighted(MEMBER_STATES);
    const [city, postalTemplate, cityStyle] = state.cities.find(([c]) => c === showcase?.city) ?? rng.pick(state.cities);
    const style: NameStyle = STYLES[cityStyle ?? state.style];
    const { type } = rng.weighted(EU_TYPES);
    const effective = bornOn ?? rng.int(EU_FIRST_DAY, HISTORY_END_DAY);
    const { status, day } = bornOn === null ? historicalStatus(rng, effective, EU_HISTORY) : { status: 'VALID' as const, day: bornOn };
    const eori = unique(used, () => fill(rng, state.eori));
    const year = isoDate(effective).slice(2, 4);
    const name = showcase?.name ?? companyName(rng, style);
    const streetName = rng.pick(style.streets);
    const number = rng.int(1, 240);
    return {
      EORI: eori,
      AuthorisationNumber: unique(used, () => fill(rng, `${eori.slice(0, 2)}${type}#####/${year}`)),
      AuthorisationType: type,
      Status: status,
      StatusDate: isoDate(day),
      EffectiveDate: isoDate(effective),
      Name: name,
      Address: {
        Street: style.numberFirst ? `${number} ${streetName}` : `${streetName} ${number}`,
        PostalCode: fill(rng, postalTemplate),
        City: city,
        Country: state.country,
      },
    };
  },

  changeStatus(op, rng, day) {
    let Status: EuOperator['Status'];
    if (op.Status === 'VALID') {
      const roll = rng.next();
      Status = roll < 0.55 ? 'SUSPENDED' : roll < 0.9 ? 'REVOKED' : 'ANNULLED';
    } else if (op.Status === 'SUSPENDED') {
      Status = rng.chance(0.6) ? 'VALID' : 'REVOKED';
    } else {
      return null;
    }
    return { ...op, Status, StatusDate: isoDate(day) };
  },
};

function companyName(rng: Random, style: NameStyle): string {
  const root = rng.pick(style.roots);
  const trade = rng.pick(style.trades);
  const form = rng.pick(style.forms);
  if (style.order === 'trade-root-form') return `${trade} ${root} ${form}`;
  if (style.order === 'form-root-trade') return `${form} ${root} ${trade}`;
  return `${root} ${trade} ${form}`;
}

// ---------------------------------------------------------------------------------------------
// HK

type Bilingual = readonly [en: string, zh: string];

const HK_ROOTS: readonly Bilingual[] = [
  ['Pearl River', '珠江'], ['Kowloon', '九龍'], ['Victoria', '維多利亞'], ['Golden Dragon', '金龍'],
  ['Oriental', '東方'], ['Pacific', '太平洋'], ['Jade', '翡翠'], ['Tsing Yi', '青衣'], ['Lantau', '大嶼山'],
  ['Wing Hing', '永興'], ['Kwai Chung', '葵涌'], ['Sun Lee', '新利'],
];
const HK_TRADES: readonly Bilingual[] = [
  ['Freight', '貨運'], ['Logistics', '物流'], ['Trading', '貿易'], ['Shipping', '航運'], ['Electronics', '電子'],
  ['Garment', '製衣'], ['Supply Chain', '供應鏈'], ['Air Cargo', '空運'],
];
const HK_FORMS: readonly Bilingual[] = [['Limited', '有限公司'], ['Ltd', '有限公司'], ['(Holdings) Limited', '(控股)有限公司']];
const HK_STREETS: readonly (readonly [street: string, district: string, region: string])[] = [
  ['Connaught Road Central', 'Central', 'Hong Kong'], ['Hennessy Road', 'Wan Chai', 'Hong Kong'],
  ['Nathan Road', 'Tsim Sha Tsui', 'Kowloon'], ['Hoi Bun Road', 'Kwun Tong', 'Kowloon'],
  ['Cheung Sha Wan Road', 'Sham Shui Po', 'Kowloon'], ['Container Port Road', 'Kwai Chung', 'New Territories'],
  ['Castle Peak Road', 'Tsuen Wan', 'New Territories'], ['Chun Choi Street', 'Tseung Kwan O', 'New Territories'],
];
const HK_HISTORY = [
  { status: 'ACTIVE', weight: 92 },
  { status: 'SUSPENDED', weight: 5 },
  { status: 'CANCELLED', weight: 3 },
] as const;
const HK_FIRST_DAY = dayNumber('2013-01-01');

const hkModel: PopulationModel<HkOperator> = {
  defaultSize: 90,
  fixed: () => [
    { aeoNumber: '100000000000001', tier: 2, status: 'ACTIVE', companyName: { en: 'Harbour Freight Ltd', zh: '海港貨運有限公司' }, address: '1 Harbour Road, Wan Chai, Hong Kong', certifiedOn: '2016-04-01', statusChangedOn: '2016-04-01' },
  ],
  keys: (op) => [op.aeoNumber],

  generate(rng, _serial, used, bornOn) {
    const certified = bornOn ?? rng.int(HK_FIRST_DAY, HISTORY_END_DAY);
    const { status, day } = bornOn === null ? historicalStatus(rng, certified, HK_HISTORY) : { status: 'ACTIVE' as const, day: bornOn };
    const [rootEn, rootZh] = rng.pick(HK_ROOTS);
    const [tradeEn, tradeZh] = rng.pick(HK_TRADES);
    const [formEn, formZh] = rng.pick(HK_FORMS);
    const [street, district, region] = rng.pick(HK_STREETS);
    return {
      aeoNumber: unique(used, () => fill(rng, '^##############')),
      tier: rng.chance(0.6) ? 2 : 1,
      status,
      companyName: { en: `${rootEn} ${tradeEn} ${formEn}`, zh: `${rootZh}${tradeZh}${formZh}` },
      address: `${rng.int(1, 388)} ${street}, ${district}, ${region}`,
      certifiedOn: isoDate(certified),
      statusChangedOn: isoDate(day),
    };
  },

  changeStatus(op, rng, day) {
    if (op.status === 'CANCELLED') return null;
    const status = op.status === 'ACTIVE' ? (rng.chance(0.6) ? 'SUSPENDED' : 'CANCELLED') : rng.chance(0.6) ? 'ACTIVE' : 'CANCELLED';
    return { ...op, status, statusChangedOn: isoDate(day) };
  },
};

// ---------------------------------------------------------------------------------------------
// MO

const MO_ROOTS: readonly Bilingual[] = [
  ['Lótus', '蓮花'], ['Pérola do Oriente', '東方明珠'], ['Taipa', '氹仔'], ['Coloane', '路環'], ['Penha', '西望洋'],
  ['Barra', '媽閣'], ['Cotai', '路氹'], ['Porto Interior', '內港'],
];
const MO_TRADES: readonly Bilingual[] = [
  ['Comercial', '貿易'], ['Importação e Exportação', '進出口'], ['Logística', '物流'], ['Transportes', '運輸'],
  ['Indústria Alimentar', '食品工業'],
];
const MO_FORMS: readonly Bilingual[] = [['Limitada', '有限公司'], ['Lda', '有限公司'], ['S.A.', '股份有限公司']];
const MO_HISTORY = [
  { status: 'VALIDO', weight: 92 },
  { status: 'SUSPENSO', weight: 5 },
  { status: 'CANCELADO', weight: 3 },
] as const;
// Certificates last 3 years: most started recently; ~12 % started early enough to have expired.
const MO_RECENT = [dayNumber('2023-03-01'), HISTORY_END_DAY] as const;
const MO_OLD = [dayNumber('2019-01-01'), dayNumber('2022-12-31')] as const;

const moModel: PopulationModel<MoOperator> = {
  defaultSize: 60,
  fixed: () => [
    { numeroAEO: '100000001', grau: 'A', estado: 'VALIDO', denominacao: { pt: 'Exemplo Comercial Lda', zh: '範例貿易有限公司' }, validoDesde: '2023-06-01', validoAte: '2099-12-31', estadoDesde: '2023-06-01' },
    { numeroAEO: '100000002', grau: 'B', estado: 'VALIDO', denominacao: { pt: 'Exemplo Industrial Lda', zh: '範例工業有限公司' }, validoDesde: '2024-01-02', validoAte: '2099-12-31', estadoDesde: '2024-01-02' },
    { numeroAEO: '100000003', grau: 'A', estado: 'VALIDO', denominacao: { pt: 'Exemplo Antigo Comércio Lda', zh: '舊範例商行有限公司' }, validoDesde: '2021-06-01', validoAte: '2024-05-31', estadoDesde: '2021-06-01' },
  ],
  keys: (op) => [op.numeroAEO],

  generate(rng, _serial, used, bornOn) {
    const [from, to] = rng.chance(0.12) ? MO_OLD : MO_RECENT;
    const start = bornOn ?? rng.int(from, to);
    const { status, day } = bornOn === null ? historicalStatus(rng, start, MO_HISTORY) : { status: 'VALIDO' as const, day: bornOn };
    const [rootPt, rootZh] = rng.pick(MO_ROOTS);
    const [tradePt, tradeZh] = rng.pick(MO_TRADES);
    const [formPt, formZh] = rng.pick(MO_FORMS);
    return {
      numeroAEO: unique(used, () => fill(rng, '^########')),
      grau: rng.chance(0.7) ? 'A' : 'B',
      estado: status,
      denominacao: { pt: `${tradePt} ${rootPt} ${formPt}`, zh: `${rootZh}${tradeZh}${formZh}` },
      validoDesde: isoDate(start),
      validoAte: isoDate(certificateEnd(start)),
      estadoDesde: isoDate(day),
    };
  },

  changeStatus(op, rng, day) {
    if (op.estado === 'CANCELADO') return null;
    const estado = op.estado === 'VALIDO' ? (rng.chance(0.6) ? 'SUSPENSO' : 'CANCELADO') : rng.chance(0.6) ? 'VALIDO' : 'CANCELADO';
    return { ...op, estado, estadoDesde: isoDate(day) };
  },
};

const MODELS: { [P in SandboxPartner]: PopulationModel<SandboxOperatorByPartner[P]> } = {
  EU: euModel,
  HK: hkModel,
  MO: moModel,
};
