// The partner's state after a batch, as rebuilt from the messages (snapshot.ts): our XML read back,
// and "last FULL + DELTAs applied" equal to the state each build computed, by property.
import { describe, expect, it } from 'vitest';
import type { Enterprise } from '../domestic/types.js';
import { createRandom } from '../sandbox/random.js';
import { sandboxRegister } from '../sandbox/domestic.js';
import { serialise, type MessageHeader } from './message.js';
import { planBatch } from './plan.js';
import { selectForPartner, type OutboundRecord } from './project.js';
import { MESSAGE_FIELDS, type OutboundSettings } from './settings.js';
import { applyDelta, recordsOf } from './snapshot.js';

const settings = (over: Partial<OutboundSettings> = {}): OutboundSettings => ({
  enabled: true, format: 'json', schedule: '30 2 * * *', acceptedLevels: ['ADVANCED_CERTIFIED'], fields: [...MESSAGE_FIELDS], requireEnglishName: false,
  fullEvery: 'P7D', delivery: { mode: 'pull', receipt: 'none', receiptTimeoutMinutes: 1560, timeoutSeconds: 60 }, maxRemovalRatio: 0.2, retentionDays: 30, ...over,
});
const header = (kind: 'FULL' | 'DELTA', recordCount: number): MessageHeader => ({
  sender: 'CN', receiver: 'EU', sequence: 1, previousSequence: null, kind, generatedAt: '2026-11-20T18:30:00Z', recordCount, batchId: '3f6c2a50-0d4e-4f0e-9a57-2f4f4f0d1c11',
});
const byCode = (m: ReadonlyMap<string, OutboundRecord>): OutboundRecord[] => [...m.values()].sort((a, b) => (a.aeoCode < b.aeoCode ? -1 : 1));

describe('records read back from our own messages', () => {
  it('XML and JSON give the records that were written, escaped text included', () => {
    const records: OutboundRecord[] = [
      { aeoCode: 'AEOCN1234567890', nameZh: '上海示例进出口有限公司', nameEn: `A & B <Co> "x" 'y'`, addressEn: '1 Road &amp; more', level: 'ADVANCED_CERTIFIED', status: 'VALID', statusSince: '2024-03-01' },
      { aeoCode: 'AEOCN2200000009', status: 'REVOKED', statusSince: '2026-11-19' },
    ];
    for (const format of ['xml', 'json'] as const) {
      const { body } = serialise(format, header('DELTA', 2), records);
      expect(recordsOf(body, format), format).toEqual(records);
    }
  });
});

describe('a state rebuilt from the last FULL and the DELTAs after it', () => {
  it('by property: equals the state each build computed, over 30 random register changes, JSON and XML', () => {
    const rnd = createRandom(7);
    for (const format of ['json', 'xml'] as const) {
      const s = settings({ format, fields: format === 'xml' ? ['aeoCode', 'nameEn', 'status', 'statusSince'] : [...MESSAGE_FIELDS] });
      const register = new Map<string, Enterprise>(sandboxRegister(400).map((e) => [e.customsCode, e]));
      let computed = selectForPartner(register.values(), s).records;
      const full = planBatch({ now: computed, previous: null, fullDue: true, heldBack: 0, removedSince: () => '2026-01-01', maxRemovalRatio: 1 });
      const rebuilt = new Map<string, OutboundRecord>();
      applyDelta(rebuilt, recordsOf(serialise(format, header('FULL', full.records!.length), full.records!).body, format));
      expect(byCode(rebuilt)).toEqual(byCode(computed));
      for (let round = 0; round < 30; round++) {
        const codes = [...register.keys()];
        for (let k = 0; k < 15; k++) {
          const code = codes[rnd.int(0, codes.length - 1)]!;
          const e = register.get(code)!;
          const what = rnd.int(0, 3);
          if (what === 0) register.set(code, { ...e, nameEn: `Renamed ${round}-${k} & Co` });
          else if (what === 1) register.set(code, { ...e, status: 'SUSPENDED', statusSince: '2026-11-30' });
          else if (what === 2) register.set(code, { ...e, level: 'ADVANCED_CERTIFIED', status: 'VALID' });
          else register.delete(code);
        }
        const now = selectForPartner(register.values(), s).records;
        const p = planBatch({ now, previous: computed, fullDue: false, heldBack: 0, removedSince: () => '2026-11-30', maxRemovalRatio: 1 });
        if (p.records !== null) applyDelta(rebuilt, recordsOf(serialise(format, header('DELTA', p.records.length), p.records).body, format));
        computed = now;
        expect(byCode(rebuilt), `${format} round ${round}`).toEqual(byCode(computed));
      }
    }
  });
});
