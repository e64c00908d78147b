// The sandbox's domestic register (contract 9.7): 6,876 deterministic enterprises (the end-2025 count),
// with the four fixed ones the contract names, and `advance`: the next register change.
import { aeoCodeOf, type Enterprise, type Level, type DomesticStatus } from '../domestic/types.js';
import { usccCheckCharacter } from '../domestic/uscc.js';
import { createRandom, hashSeed, type Random } from './random.js';

export const SANDBOX_REGISTER_SIZE = 6876;

const OFFICES = [
  { code: '2200', city: '上海', cityEn: 'Shanghai', region: '310115' },
  { code: '5300', city: '深圳', cityEn: 'Shenzhen', region: '440300' },
  { code: '0100', city: '北京', cityEn: 'Beijing', region: '110105' },
  { code: '5100', city: '广州', cityEn: 'Guangzhou', region: '440106' },
  { code: '2900', city: '宁波', cityEn: 'Ningbo', region: '330206' },
  { code: '4200', city: '青岛', cityEn: 'Qingdao', region: '370212' },
  { code: '0200', city: '天津', cityEn: 'Tianjin', region: '120116' },
  { code: '2300', city: '南京', cityEn: 'Nanjing', region: '320105' },
] as const;
const WORDS = [
  ['华', 'Hua'], ['盛', 'Sheng'], ['泰', 'Tai'], ['远', 'Yuan'], ['恒', 'Heng'], ['达', 'Da'], ['新', 'Xin'], ['宏', 'Hong'], ['通', 'Tong'], ['嘉', 'Jia'],
] as const;
const TRADES = [
  ['进出口', 'Import & Export'], ['电子科技', 'Electronic Technology'], ['国际物流', 'International Logistics'], ['机械制造', 'Machinery Manufacturing'],
  ['化工', 'Chemical'], ['纺织品', 'Textiles'], ['食品', 'Foods'], ['汽车零部件', 'Auto Parts'],
] as const;
const ORG_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

const LEVEL_WEIGHTS: readonly { value: Level; weight: number }[] = [
  { value: 'ADVANCED_CERTIFIED', weight: 85 }, { value: 'CERTIFIED', weight: 5 }, { value: 'REGULAR', weight: 8 },
  { value: 'DISHONEST', weight: 1 }, { value: 'SERIOUSLY_DISHONEST', weight: 1 },
];
const STATUS_WEIGHTS: readonly { value: DomesticStatus; weight: number }[] = [
  { value: 'VALID', weight: 95 }, { value: 'RECTIFICATION', weight: 2 }, { value: 'SUSPENDED', weight: 2 }, { value: 'REVOKED', weight: 1 },
];

/** A valid USCC (check character per GB 32100-2015) for a region and a seeded organisation code. */
export function sandboxUscc(region: string, rnd: Random): string {
  let org = '';
  for (let i = 0; i < 9; i++) org += rnd.pick([...ORG_ALPHABET]);
  const first17 = `91${region}${org}`;
  return first17 + usccCheckCharacter(first17)!;
}

function date(rnd: Random, fromYear: number, toYear: number): string {
  const y = rnd.int(fromYear, toYear);
  return `${y}-${String(rnd.int(1, 12)).padStart(2, '0')}-${String(rnd.int(1, 28)).padStart(2, '0')}`;
}

const fixed = (customsCode: string, region: string, first17Seed: string, e: Partial<Enterprise>): Enterprise => {
  const rnd = createRandom(hashSeed('fixed', first17Seed));
  return {
    customsCode,
    uscc: sandboxUscc(region, rnd),
    aeoCode: aeoCodeOf(customsCode),
    nameZh: '上海示例进出口有限公司',
    nameEn: 'Shanghai Example Import & Export Co., Ltd.',
    addressZh: '上海市浦东新区示例路1号',
    addressEn: '1 Example Road, Pudong New Area, Shanghai',
    level: 'ADVANCED_CERTIFIED',
    status: 'VALID',
    statusSince: '2024-03-01',
    levelSince: '2024-03-01',
    rectificationUntil: null,
    registeringCustoms: '2200',
    ...e,
  };
};

/** The four enterprises of the contract's table (9.7). */
export const FIXED_ENTERPRISES: readonly Enterprise[] = [
  fixed('1234567890', '310115', 'a', {}),
  fixed('2200000002', '310115', 'b', { nameZh: '上海认证示例贸易有限公司', nameEn: 'Shanghai Certified Example Trading Co., Ltd.', level: 'CERTIFIED', statusSince: '2026-04-01', levelSince: '2026-04-01' }),
  fixed('2200000003', '310115', 'c', {
    nameZh: '上海整改示例物流有限公司', nameEn: 'Shanghai Rectification Example Logistics Co., Ltd.', status: 'RECTIFICATION', statusSince: '2026-04-15', rectificationUntil: '2027-03-31',
  }),
  fixed('2200000004', '310115', 'd', { nameZh: '上海无英文名示例制造有限公司', nameEn: '', addressEn: '' }),
];

/** Enterprise i (0-based) of the generated part: same i, same enterprise, on every run. */
export function sandboxEnterprise(i: number): Enterprise {
  const rnd = createRandom(hashSeed('domestic', i));
  const office = rnd.pick(OFFICES);
  const [w1, w1en] = rnd.pick(WORDS);
  const [w2, w2en] = rnd.pick(WORDS);
  const [trade, tradeEn] = rnd.pick(TRADES);
  const customsCode = `${office.code}${String(100000 + i).padStart(6, '0')}`;
  const level = rnd.weighted(LEVEL_WEIGHTS).value;
  const status = rnd.weighted(STATUS_WEIGHTS).value;
  const levelSince = date(rnd, 2016, 2025);
  const hasEnglish = rnd.chance(0.9);
  return {
    customsCode,
    uscc: sandboxUscc(office.region, rnd),
    aeoCode: aeoCodeOf(customsCode),
    nameZh: `${office.city}${w1}${w2}${trade}有限公司`,
    nameEn: hasEnglish ? `${office.cityEn} ${w1en}${w2en.toLowerCase()} ${tradeEn} Co., Ltd. ${i}` : '',
    addressZh: `${office.city}市${w1}${w2}路${rnd.int(1, 999)}号`,
    addressEn: hasEnglish ? `${rnd.int(1, 999)} ${w1en}${w2en.toLowerCase()} Road, ${office.cityEn}` : '',
    level,
    status,
    statusSince: status === 'VALID' ? levelSince : date(rnd, 2026, 2026),
    levelSince,
    rectificationUntil: status === 'RECTIFICATION' ? '2027-06-30' : null,
    registeringCustoms: office.code,
  };
}

/** The whole sandbox register, or its first `size` enterprises (tests, benchmarks). */
export function sandboxRegister(size = SANDBOX_REGISTER_SIZE): Enterprise[] {
  const generated = Array.from({ length: Math.max(0, size - FIXED_ENTERPRISES.length) }, (_, i) => sandboxEnterprise(i));
  return [...FIXED_ENTERPRISES.slice(0, size), ...generated];
}

const FIXED_CODES = new Set(FIXED_ENTERPRISES.map((e) => e.customsCode));

/**
 * The next change of the register, as DELTA records dated `today`: one enterprise newly advanced
 * certified, one advanced certified downgraded to REGULAR, one advanced certified revoked (never
 * the fixed four). Chosen from the current register, so advancing twice changes different ones.
 */
export function sandboxAdvance(current: Iterable<Enterprise>, today: string): Enterprise[] {
  const all = [...current].filter((e) => !FIXED_CODES.has(e.customsCode)).sort((a, b) => (a.customsCode < b.customsCode ? -1 : 1));
  const rnd = createRandom(hashSeed('advance', all.length, today, all.filter((e) => e.level === 'ADVANCED_CERTIFIED').length));
  const eligible = all.filter((e) => e.level === 'ADVANCED_CERTIFIED' && e.status === 'VALID');
  const promotable = all.filter((e) => e.level === 'REGULAR' || e.level === 'CERTIFIED').filter((e) => e.status === 'VALID');
  const changes: Enterprise[] = [];
  const take = (from: Enterprise[]): Enterprise | undefined => from.splice(rnd.int(0, from.length - 1), 1)[0];
  const up = take(promotable);
  if (up) changes.push({ ...up, level: 'ADVANCED_CERTIFIED', levelSince: today, statusSince: today });
  const down = take(eligible);
  if (down) changes.push({ ...down, level: 'REGULAR', levelSince: today, statusSince: today });
  const revoked = take(eligible);
  if (revoked) changes.push({ ...revoked, status: 'REVOKED', statusSince: today });
  return changes;
}
