import { HeraldError } from '@herald/errors';
import { applyBotSettingsPatch } from './bot-settings.parser.js';

function refusal(patch: unknown): HeraldError {
  try {
    applyBotSettingsPatch({}, patch);
  } catch (error) {
    if (error instanceof HeraldError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('applyBotSettingsPatch', () => {
  it('sets, replaces and removes settings (a merge patch)', () => {
    const first = applyBotSettingsPatch(
      {},
      { defaultCountry: 'us', timezone: 'America/New_York', frequencyCap: { max: 3, hours: 24 } },
    );
    expect(first).toEqual({
      defaultCountry: 'US',
      timezone: 'America/New_York',
      frequencyCap: { max: 3, hours: 24 },
    });
    expect(
      applyBotSettingsPatch(first, {
        timezone: null,
        frequencyCap: { max: 1, hours: 0.5, singleSends: true },
      }),
    ).toEqual({
      defaultCountry: 'US',
      frequencyCap: { max: 1, hours: 0.5, singleSends: true },
    });
    expect(
      applyBotSettingsPatch({}, { sendWindow: { from: '09:00', to: '20:00', days: ['sat'] } }),
    ).toEqual({ sendWindow: { from: '09:00', to: '20:00', days: ['sat'] } });
  });

  it.each([
    [{ defaultCountry: 'XX' }, 'defaultCountry'],
    [{ timezone: 'Mars/Olympus' }, 'timezone'],
    [{ frequencyCap: { max: 0, hours: 24 } }, 'frequencyCap.max'],
    [{ frequencyCap: { max: 3 } }, 'frequencyCap.hours'],
    [{ frequencyCap: { max: 3, hours: 1, every: 2 } }, 'frequencyCap.every'],
    [{ colour: 'red' }, 'colour'],
    [{ sendWindow: { from: '09:00', to: '25:00' } }, 'sendWindow.to'],
    [[], 'body'],
  ])('refuses %p naming %p', (patch, field) => {
    const error = refusal(patch);
    expect(error.field).toBe(field);
    expect(error.fix).toBeTruthy();
  });
});
