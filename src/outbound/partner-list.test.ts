// The incremental partner list against the pure definitions it stands in for: after any sequence of
// register changes it holds what selectForPartner gives, in aeoCode order, with each record's bytes
// equal to serialise's; the plan over its changed codes equals the plan over every code.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RegisterChanges, RegisterMark } from '../domestic/register-cache.js';
import type { Enterprise } from '../domestic/types.js';
import { sandboxEnterprise, sandboxRegister } from '../sandbox/domestic.js';
import { createRandom, type Random } from '../sandbox/random.js';
import { messageBytes, serialise, type MessageHeader } from './message.js';
import { PartnerList, SortedRecords } from './partner-list.js';
import { byCode, planBatch, type PlanInput } from './plan.js';
import { selectForPartner } from './project.js';
import { MESSAGE_FIELDS, type OutboundSettings } from './settings.js';

const settings = (over: Partial<OutboundSettings> = {}): OutboundSettings => ({
  enabled: true, format: 'json', schedule: '30 2 * * *', acceptedLevels: ['ADVANCED_CERTIFIED'], fields: [...MESSAGE_FIELDS], requireEnglishName: false,
  fullEvery: 'P7D', delivery: { mode: 'pull', receipt: 'none', receiptTimeoutMinutes: 1560, timeoutSeconds: 60 }, maxRemovalRatio: 1, retentionDays: 30, ...over,
});
const header = (kind: 'FULL' | 'DELTA', recordCount: number): MessageHeader => ({
  sender: 'CN', receiver: 'EU', sequence: 2, previousSequence: 1, kind, generatedAt: '2026-12-02T02:30:00Z', recordCount, batchId: '3f6c2a50-0d4e-4f0e-9a57-2f4f4f0d1c11',
});
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** A register with its change log, as RegisterCache keeps one (the real one is tested on both engines). */
class Register implements RegisterChanges {
  readonly map: Map<string, Enterprise>;
  private load = 1;
  private log: string[] = [];

  constructor(enterprises: readonly Enterprise[]) {
    this.map = new Map(enterprises.map((e) => [e.customsCode, e]));
  }

  set(e: Enterprise): void {
    this.map.set(e.customsCode, e);
    this.log.push(e.customsCode);
  }

  delete(code: string): void {
    this.map.delete(code);
    this.log.push(code);
  }

  /** Replaced wholesale (a first load, or a reload): followers' marks are void. */
  reload(): void {
    this.load++;
    this.log = [];
  }

  mark(): RegisterMark {
    return { load: this.load, at: this.log.length };
  }

  changedSince(mark: RegisterMark): readonly string[] | null {
    return mark.load === this.load ? this.log.slice(mark.at) : null;
  }
}

/** One random register change of any kind the list must follow. */
function randomChange(register: Register, rnd: Random, round: number, k: number): void {
  const codes = [...register.map.keys()];
  const code = codes[rnd.int(0, codes.length - 1)]!;
  const e = register.map.get(code)!;
  switch (rnd.int(0, 6)) {
    case 0: return register.set({ ...e, nameEn: `Renamed ${round}-${k} & <Co>` });
    case 1: return register.set({ ...e, status: 'SUSPENDED', statusSince: '2026-11-30' });
    case 2: return register.set({ ...e, level: 'ADVANCED_CERTIFIED', status: 'VALID' });
    case 3: return register.set({ ...e, level: 'CERTIFIED' });
    case 4: return register.set({ ...e, nameEn: '' });
    case 5: return register.delete(code);
    default: {
      // a new enterprise, or one that left coming back
      const fresh = sandboxEnterprise(10_000 + round * 100 + k);
      return register.set({ ...fresh, level: 'ADVANCED_CERTIFIED', status: 'VALID' });
    }
  }
}

describe('a partner list kept up to date from the register change log', () => {
  for (const s of [
    settings(),
    settings({ format: 'xml', fields: ['aeoCode', 'nameEn', 'status', 'statusSince'], requireEnglishName: true }),
    settings({ acceptedLevels: ['ADVANCED_CERTIFIED', 'CERTIFIED'], fields: ['aeoCode', 'nameZh', 'level', 'status'] }),
  ]) {
    it(`by property: equals selectForPartner after 40 rounds of random changes (${s.format}, ${s.fields.join(',')})`, () => {
      const rnd = createRandom(11);
      const register = new Register(sandboxRegister(500));
      const list = new PartnerList(s);
      let previous: ReturnType<typeof selectForPartner>['records'] | null = null;
      let mark = null as ReturnType<PartnerList['mark']> | null;
      for (let round = 0; round < 40; round++) {
        const changes = round === 0 ? 0 : rnd.int(0, 25);
        for (let k = 0; k < changes; k++) randomChange(register, rnd, round, k);
        if (round === 20) register.reload();
        list.catchUp(register, register.map);

        const expected = selectForPartner(register.map.values(), s);
        expect(new Map(list.records), `round ${round}`).toEqual(expected.records);
        const sorted = [...expected.records.values()].sort(byCode);
        expect(list.inOrder()).toEqual(sorted);
        expect(list.problems().map((p) => p.path).sort()).toEqual(expected.problems.map((p) => p.path).sort());
        expect(list.heldBack).toBe(expected.problems.length);
        // a FULL from the kept bytes is byte for byte the FULL from the records
        const h = header('FULL', sorted.length);
        expect(sha(messageBytes(s.format, h, list.bytesInOrder()).body)).toBe(sha(serialise(s.format, h, sorted).body));

        if (previous && mark) {
          // every code whose record differs from the last state is in the changed log
          const changed = list.changedSince(mark);
          const differs = new Set([...expected.records.keys(), ...previous.keys()].filter((c) => JSON.stringify(expected.records.get(c)) !== JSON.stringify(previous!.get(c))));
          if (changed === null) expect(round).toBe(20);
          else for (const c of differs) expect(changed, `round ${round}: ${c}`).toContain(c);
        }
        previous = expected.records;
        mark = list.mark();
      }
    });
  }

  it('a mark from another list, or from before a reload of the list, is not trusted', () => {
    const register = new Register(sandboxRegister(20));
    const a = new PartnerList(settings());
    const b = new PartnerList(settings());
    a.catchUp(register, register.map);
    b.catchUp(register, register.map);
    expect(a.changedSince(a.mark())).toEqual([]);
    expect(a.changedSince(b.mark())).toBeNull();
    const before = a.mark();
    register.reload();
    a.catchUp(register, register.map);
    expect(a.changedSince(before)).toBeNull();
  });

  it('an array it gave out is never changed by later changes (a batch state keeps it)', () => {
    const register = new Register(sandboxRegister(50));
    const list = new PartnerList(settings());
    list.catchUp(register, register.map);
    const kept = list.inOrder();
    const copy = [...kept];
    const snapshot = list.snapshot();
    const first = register.map.values().next().value!;
    register.delete(first.customsCode);
    register.set({ ...sandboxEnterprise(99_999), level: 'ADVANCED_CERTIFIED', status: 'VALID' });
    list.catchUp(register, register.map);
    expect(list.inOrder()).not.toBe(kept);
    expect(kept).toEqual(copy);
    expect([...snapshot.keys()]).toEqual(copy.map((r) => r.aeoCode));
  });
});

describe("the memory a list's bytes hold", () => {
  it('stays under twice what is in use plus a block, however much changes', () => {
    const rnd = createRandom(3);
    const register = new Register(sandboxRegister(6000).map((e) => ({ ...e, level: 'ADVANCED_CERTIFIED' as const, status: 'VALID' as const })));
    const list = new PartnerList(settings());
    list.catchUp(register, register.map);
    const enterprises = [...register.map.values()];
    for (let round = 0; round < 40; round++) {
      // a fifth of the list, at random, changes every round: old blocks keep a few records each
      for (let k = 0; k < enterprises.length / 5; k++) {
        const e = enterprises[rnd.int(0, enterprises.length - 1)]!;
        register.set({ ...e, nameEn: `${e.nameEn} r${round}` });
      }
      list.catchUp(register, register.map);
      const bytes = list.bytesInOrder();
      const live = bytes.reduce((n, b) => n + b.length, 0);
      const held = [...new Set(bytes.map((b) => b.buffer))].reduce((n, b) => n + b.byteLength, 0);
      expect(held, `round ${round}: ${held} bytes held for ${live} in use`).toBeLessThanOrEqual(2 * live + 2 * (1 << 20));
    }
  });
});

describe('records in aeoCode order as a state', () => {
  it('answers get, size and keys as the Map of the same records', () => {
    const records = selectForPartner(sandboxRegister(300), settings()).records;
    const sorted = new SortedRecords([...records.values()].sort(byCode));
    expect(sorted.size).toBe(records.size);
    expect([...sorted.keys()]).toEqual([...records.keys()].sort());
    for (const [code, r] of records) expect(sorted.get(code)).toBe(r);
    for (const code of ['AEOCN0000000000', 'AEOCN9999999999', 'AEOCN', '']) expect(sorted.get(code)).toBeUndefined();
  });
});

describe('the plan over the changed codes only', () => {
  it('by property: equals the plan that compares every code, for DELTAs and FULLs, over 60 rounds', () => {
    const rnd = createRandom(5);
    const s = settings();
    const register = new Register(sandboxRegister(400));
    const list = new PartnerList(s);
    list.catchUp(register, register.map);
    let state = list.snapshot();
    let mark = list.mark();
    const strip = (p: ReturnType<typeof planBatch>) => ({ kind: p.kind, counts: p.counts, guard: p.guard, records: p.records && [...p.records] });
    for (let round = 0; round < 60; round++) {
      const changes = rnd.int(0, 30);
      for (let k = 0; k < changes; k++) randomChange(register, rnd, round, k);
      list.catchUp(register, register.map);
      const fullDue = round % 7 === 6;
      const input: PlanInput = { now: list.records, previous: state, fullDue, heldBack: list.heldBack, removedSince: () => '2026-12-01', maxRemovalRatio: 0.2 };
      const everyCode = planBatch(input);
      const changedOnly = planBatch({ ...input, changed: list.changedSince(mark), inOrder: () => list.inOrder() });
      expect(strip(changedOnly), `round ${round}`).toEqual(strip(everyCode));
      if (everyCode.records !== null) {
        state = list.snapshot();
        mark = list.mark();
      }
    }
  });
});
