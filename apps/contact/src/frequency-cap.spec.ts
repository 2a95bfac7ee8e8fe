import type { TargetResolved } from '@herald/contracts';
import type { ContactEntity, FrequencyLedgerRepository } from '@herald/persistence';
import { capApplies, FrequencyCapService, type BotSettingsCache } from './frequency-cap.js';

const page = {
  runId: 'r1',
  botId: 'b1',
  page: 0,
  targets: [{ userId: 'x' }],
  messages: [{ text: 'hi' }],
} as TargetResolved;
const person = (id: string) => ({ contact: { id } as ContactEntity, who: id });

function service(
  cap: { max: number; hours: number; singleSends?: boolean } | undefined,
  source: string,
  counts: Record<string, number>,
) {
  const recorded: string[][] = [];
  const ledger = {
    runSource: async () => source,
    recentCounts: async () => new Map(Object.entries(counts)),
    record: async (_bot: string, _run: string, ids: string[]) => void recorded.push(ids),
  } as unknown as FrequencyLedgerRepository;
  const settings = {
    get: async () => (cap ? { frequencyCap: cap } : {}),
  } as unknown as BotSettingsCache;
  return { recorded, caps: new FrequencyCapService(settings, ledger) };
}

describe('frequency cap', () => {
  it('exempts single-person APIs unless the cap says singleSends', () => {
    expect(capApplies({ max: 3, hours: 24 }, 'hook')).toBe(true);
    expect(capApplies({ max: 3, hours: 24 }, 'chatfuel-v2')).toBe(false);
    expect(capApplies({ max: 3, hours: 24 }, 'csml')).toBe(false);
    expect(capApplies({ max: 3, hours: 24, singleSends: true }, 'chatfuel-v1')).toBe(true);
    expect(capApplies(undefined, 'hook')).toBe(false);
  });

  it('skips people who reached the cap, with the reason, and records the others', async () => {
    const { caps, recorded } = service({ max: 3, hours: 24 }, 'hook', { a: 3, b: 2 });
    const { allowed, capped } = await caps.apply(
      page,
      [person('a'), person('b'), person('c')],
      (p) => p.who,
    );
    expect(allowed.map((p) => p.who)).toEqual(['b', 'c']);
    expect(capped).toEqual([
      expect.objectContaining({
        who: 'a',
        reason:
          'frequency cap: a already received 3 broadcast messages from this bot in the last 24 hours (the bot allows 3)',
      }),
    ]);
    expect(recorded).toEqual([['b', 'c']]);
  });

  it('lets everyone through, recording nothing, without a cap or for an exempt run', async () => {
    for (const { caps, recorded } of [
      service(undefined, 'hook', { a: 9 }),
      service({ max: 1, hours: 1 }, 'csml', { a: 9 }),
    ]) {
      const { allowed, capped } = await caps.apply(page, [person('a')], (p) => p.who);
      expect([allowed.length, capped.length, recorded.length]).toEqual([1, 0, 0]);
    }
  });
});
