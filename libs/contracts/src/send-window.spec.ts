import fc from 'fast-check';
import {
  insideWindow,
  nextOpening,
  parseSendWindow,
  WEEKDAYS,
  type SendWindow,
} from './send-window.js';

const at = (iso: string) => Date.parse(iso);

describe('send windows', () => {
  const day: SendWindow = { from: '09:00', to: '20:00' };

  it('is open inside the local hours and opens next at the local start', () => {
    // 08:30 in Paris (UTC+1 in winter) → opens at 09:00 Paris, 08:00 UTC.
    expect(nextOpening(day, 'Europe/Paris', at('2026-01-15T07:30:00Z'))).toBe(
      at('2026-01-15T08:00:00Z'),
    );
    expect(nextOpening(day, 'Europe/Paris', at('2026-01-15T12:00:00Z'))).toBe(
      at('2026-01-15T12:00:00Z'),
    );
    // 21:00 in New York → tomorrow 09:00 New York.
    expect(nextOpening(day, 'America/New_York', at('2026-01-16T02:00:00Z'))).toBe(
      at('2026-01-16T14:00:00Z'),
    );
  });

  it('keeps to the days given, and runs past midnight when to is before from', () => {
    const weekdays: SendWindow = {
      from: '09:00',
      to: '17:00',
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
    };
    // Saturday 2026-01-17 noon UTC → Monday 09:00 UTC.
    expect(nextOpening(weekdays, 'UTC', at('2026-01-17T12:00:00Z'))).toBe(
      at('2026-01-19T09:00:00Z'),
    );
    const night: SendWindow = { from: '22:00', to: '02:00', days: ['fri'] };
    expect(insideWindow(night, 'UTC', at('2026-01-17T01:00:00Z'))).toBe(true); // Saturday 01:00, Friday's window
    expect(insideWindow(night, 'UTC', at('2026-01-18T01:00:00Z'))).toBe(false); // Sunday 01:00
  });

  it('opens at the end of a DST gap when the start does not exist that day', () => {
    // New York springs forward 2026-03-08: 02:00 → 03:00 EDT (07:00 UTC).
    expect(
      nextOpening({ from: '02:30', to: '05:00' }, 'America/New_York', at('2026-03-08T05:00:00Z')),
    ).toBe(at('2026-03-08T07:00:00Z'));
    // Falls back 2026-11-01: 09:00 is EST (UTC-5).
    expect(nextOpening(day, 'America/New_York', at('2026-11-01T05:00:00Z'))).toBe(
      at('2026-11-01T14:00:00Z'),
    );
  });

  it('validates the setting, naming the field', () => {
    expect(parseSendWindow({ from: '09:00', to: '20:00', days: ['Monday', 'tue'] })).toEqual({
      window: { from: '09:00', to: '20:00', days: ['mon', 'tue'] },
    });
    expect(parseSendWindow({ from: '9am', to: '20:00' })).toMatchObject({
      field: 'sendWindow.from',
    });
    expect(parseSendWindow({ from: '09:00', to: '09:00' })).toMatchObject({
      field: 'sendWindow.to',
    });
    expect(parseSendWindow({ from: '09:00', to: '20:00', days: ['funday'] })).toMatchObject({
      field: 'sendWindow.days',
    });
    expect(parseSendWindow({ from: '09:00', to: '20:00', tz: 'x' })).toMatchObject({
      field: 'sendWindow.tz',
    });
  });

  // Zones with DST both ways, half- and quarter-hour offsets, and none.
  const ZONES = [
    'UTC',
    'Europe/London',
    'Europe/Paris',
    'America/New_York',
    'America/Los_Angeles',
    'America/Sao_Paulo',
    'Australia/Sydney',
    'Australia/Lord_Howe',
    'Asia/Kolkata',
    'Asia/Kathmandu',
    'Pacific/Chatham',
    'Africa/Casablanca',
    'America/St_Johns',
  ];
  const hhmm = fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
    .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
  const windows = fc
    .record({
      from: hhmm,
      to: hhmm,
      days: fc.option(fc.subarray([...WEEKDAYS], { minLength: 1 }), { nil: undefined }),
    })
    .filter((w) => w.from !== w.to)
    .map((w) => (w.days ? w : { from: w.from, to: w.to }) as SendWindow);
  // Instants through 2026, biased towards the days clocks change.
  const DST_DAYS = [
    '2026-03-08',
    '2026-03-29',
    '2026-04-05',
    '2026-10-04',
    '2026-10-25',
    '2026-11-01',
    '2026-02-15',
  ].map((d) => at(`${d}T00:00:00Z`));
  const instants = fc.oneof(
    fc.integer({ min: at('2026-01-01T00:00:00Z'), max: at('2026-12-31T00:00:00Z') }),
    fc
      .tuple(
        fc.constantFrom(...DST_DAYS),
        fc.integer({ min: -36 * 3_600_000, max: 36 * 3_600_000 }),
      )
      .map(([d, off]) => d + off),
  );

  it('property: the next opening is open, not before now, and nothing before it is open', () => {
    fc.assert(
      fc.property(
        windows,
        fc.constantFrom(...ZONES),
        instants,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 20, maxLength: 20 }),
        (window, zone, now, samples) => {
          const next = nextOpening(window, zone, now);
          expect(next).toBeGreaterThanOrEqual(now);
          expect(next - now).toBeLessThanOrEqual(8 * 86_400_000);
          expect(insideWindow(window, zone, next)).toBe(true);
          // No instant between now and the opening is open (sampled, plus the minute before it).
          for (const s of samples) {
            const t = now + Math.floor(s * (next - now));
            if (t < next) expect(insideWindow(window, zone, t)).toBe(false);
          }
          if (next - 60_000 >= now) expect(insideWindow(window, zone, next - 1_000)).toBe(false);
        },
      ),
      {
        numRuns: 400,
        // Found by this property: a window opening inside London's spring-forward gap opened at
        // 01:00:00.000 UTC, while the search stopped 234 ms later (it searched to the second).
        examples: [
          [
            { from: '01:01', to: '00:00' },
            'Europe/London',
            1774742400000,
            [...Array(19).fill(0), 0.9999350042247254],
          ],
        ],
      },
    );
  });
});
