import { afterEach, jest } from '@jest/globals';
import type { SendOutcome } from '../channel-sender.js';
import { ConsumptionGate } from './consumption-gate.js';
import { ProviderBreakers, REFUSED } from './provider-breakers.js';

const ok: SendOutcome = { ok: true, providerMessageId: 'm1' };
const outage: SendOutcome = {
  ok: false,
  failure: 'account',
  code: '2',
  reason: 'Service temporarily unavailable',
};
const badNumber: SendOutcome = {
  ok: false,
  failure: 'permanent',
  code: '131026',
  reason: 'Message undeliverable',
};

const revoked: SendOutcome = {
  ok: false,
  failure: 'account',
  code: '190',
  reason: 'Invalid OAuth access token',
  refused: true,
};

function setup() {
  const calls: string[] = [];
  const gate = new ConsumptionGate(
    { pause: (t) => calls.push(`pause ${t}`), resume: (t) => calls.push(`resume ${t}`) },
    ['topic', 'topic.retry.5s'],
  );
  const breakers = new ProviderBreakers(
    {
      errorThresholdPercentage: 50,
      volumeThreshold: 3,
      rollingCountTimeout: 10_000,
      resetTimeout: 100,
    },
    gate,
  );
  return { calls, gate, breakers };
}

describe('ProviderBreakers', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('passes outcomes through, and per-recipient failures never open it', async () => {
    const { breakers, calls } = setup();
    for (let i = 0; i < 10; i++)
      expect(await breakers.call('wa:1', async () => badNumber)).toBe(badNumber);
    expect(await breakers.call('wa:1', async () => ok)).toBe(ok);
    expect(breakers.isOpen('wa:1')).toBe(false);
    expect(calls).toEqual([]);
    breakers.shutdown();
  });

  it('never opens for an account refusing for its own reasons (a revoked token): no other bot is paused', async () => {
    const { breakers, calls } = setup();
    for (let i = 0; i < 10; i++)
      expect(await breakers.call('wa:1', async () => revoked)).toBe(revoked);
    expect(breakers.isOpen('wa:1')).toBe(false);
    expect(calls).toEqual([]);
    breakers.shutdown();
  });

  it('opens on provider failures, pauses the topics, refuses calls without making them, and resumes after a good probe', async () => {
    // The reset timeout is what is tested: the clock is the test's.
    jest.useFakeTimers();
    const { breakers, calls, gate } = setup();
    for (let i = 0; i < 3; i++)
      expect(await breakers.call('wa:1', async () => outage)).toBe(outage);
    expect(breakers.isOpen('wa:1')).toBe(true);
    expect(calls).toEqual(['pause topic', 'pause topic.retry.5s']);
    let made = 0;
    expect(await breakers.call('wa:1', async () => (made++, ok))).toBe(REFUSED);
    expect(made).toBe(0);
    // Other accounts have breakers of their own.
    expect(await breakers.call('wa:2', async () => ok)).toBe(ok);

    jest.advanceTimersByTime(99);
    expect(gate.blocking).toBe(true);
    jest.advanceTimersByTime(1);
    expect(gate.blocking).toBe(false);
    expect(calls.slice(2)).toEqual(['resume topic', 'resume topic.retry.5s']);
    expect(await breakers.call('wa:1', async () => ok)).toBe(ok);
    expect(breakers.isOpen('wa:1')).toBe(false);
    breakers.shutdown();
  });

  it('pauses once when every account called is open, and resumes as soon as one lets calls through', () => {
    const { gate, calls } = setup();
    gate.called('a');
    gate.called('b');
    gate.opened('a');
    gate.opened('b');
    expect(calls).toEqual(['pause topic', 'pause topic.retry.5s']);
    // a is half-open: its probe needs consumption back; b's people are parked meanwhile.
    gate.released('a');
    expect(calls.slice(2)).toEqual(['resume topic', 'resume topic.retry.5s']);
    gate.released('b');
    expect(calls).toHaveLength(4);
  });

  it("does not pause for one account's breaker while other accounts send: the provider is not down for everyone", () => {
    let now = 0;
    const calls: string[] = [];
    const gate = new ConsumptionGate(
      { pause: (t) => calls.push(`pause ${t}`), resume: (t) => calls.push(`resume ${t}`) },
      ['topic'],
      10_000,
      () => now,
    );
    gate.group('bot-a', ['a']);
    gate.group('bot-b', ['b']);
    gate.called('a');
    gate.called('b');
    // Bot A's only account fails while bot B's sends: A's people are parked, B's go on.
    gate.opened('a');
    expect(gate.blocking).toBe(false);
    // B's account fails too: the provider looks down for everyone, and the channel pauses.
    gate.opened('b');
    expect(calls).toEqual(['pause topic']);
    gate.released('a');
    gate.released('b');
    expect(calls).toEqual(['pause topic', 'resume topic']);
    // An account that last sent longer ago than the window does not count as sending.
    now = 20_000;
    gate.called('a');
    gate.opened('a');
    expect(calls.slice(2)).toEqual(['pause topic']);
    gate.released('a');
    // A breaker another replica opened, in a process that called nobody lately: no evidence
    // the provider is down for everyone, so no pause (its people are parked instead).
    now = 40_000;
    gate.opened('b');
    expect(gate.blocking).toBe(false);
  });

  it('tells how long an open breaker stays open', async () => {
    jest.useFakeTimers({ now: 1_000 });
    const { breakers } = setup();
    expect(breakers.reopensIn('wa:1')).toBe(0);
    for (let i = 0; i < 3; i++) await breakers.call('wa:1', async () => outage);
    expect(breakers.reopensIn('wa:1')).toBe(100);
    expect(breakers.reopensIn('wa:1', Date.now() + 40)).toBe(60);
    jest.advanceTimersByTime(100);
    expect(breakers.reopensIn('wa:1')).toBe(0);
    breakers.shutdown();
  });
});
