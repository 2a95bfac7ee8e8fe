import { RetrySchedule, parseDuration, parseRetryStages } from './retry-schedule.js';

describe('retry schedule', () => {
  it('parses durations', () => {
    expect(['250ms', '5s', '5m', '1h'].map(parseDuration)).toEqual([
      250, 5_000, 300_000, 3_600_000,
    ]);
    expect(() => parseDuration('5 minutes')).toThrow(/not a duration/);
  });

  it('names one retry topic per stage, then gives up', () => {
    const schedule = new RetrySchedule(parseRetryStages('5s, 30s,5m'));
    expect(schedule.attempts).toBe(4);
    expect(
      [0, 1, 2, 3].map((attempt) => schedule.nextTopic('delivery.requested.sms.v1', attempt)),
    ).toEqual([
      'delivery.requested.sms.v1.retry.5s',
      'delivery.requested.sms.v1.retry.30s',
      'delivery.requested.sms.v1.retry.5m',
      null,
    ]);
  });

  it('refuses the same delay twice (two stages cannot share a topic)', () => {
    expect(() => parseRetryStages('5s,5s')).toThrow(/differ/);
  });
});
