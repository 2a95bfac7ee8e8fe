import type { DeliveryRequested } from '@herald/contracts';
import { fallbackEvent, fallbackTarget } from './fallback.js';

/** "Not here" codes as the WhatsApp and SMS apps name them (whatsapp.channel.ts, sms.channel.ts). */
const whatsappNotHere = new Set(['131026', 'WINDOW_CLOSED']);
const smsNotHere = new Set(['21614']);

const request = (over: Partial<DeliveryRequested> = {}): DeliveryRequested => ({
  runId: '00000000-0000-4000-8000-000000000001',
  botId: '00000000-0000-4000-8000-000000000002',
  contactId: '00000000-0000-4000-8000-000000000003',
  channel: 'whatsapp',
  to: '15551234567',
  messages: [{ text: 'Hi' }],
  variables: { first_name: 'Ada' },
  attempt: 0,
  fallback: ['sms'],
  ...over,
});

describe('channel fallback', () => {
  const both = new Set(['whatsapp', 'sms'] as const);

  it('hands on a person the channel cannot reach ("not here"), to a next channel the bot has', () => {
    expect(fallbackTarget(request(), '131026', 0, both, whatsappNotHere)).toBe('sms');
    expect(fallbackTarget(request(), 'WINDOW_CLOSED', 0, both, whatsappNotHere)).toBe('sms');
    expect(
      fallbackTarget(
        request({ channel: 'sms', to: '+15551234567', fallback: ['whatsapp'] }),
        '21614',
        0,
        both,
        smsNotHere,
      ),
    ).toBe('whatsapp');
  });

  it('never falls back twice, after a partial send, for other failures, or to a channel the bot lacks', () => {
    const from = {
      channel: 'whatsapp' as const,
      contactId: request().contactId,
      code: '131026',
      reason: 'x',
    };
    expect(
      fallbackTarget(
        request({ channel: 'sms', fallbackFrom: from, fallback: undefined }),
        '21614',
        0,
        both,
        smsNotHere,
      ),
    ).toBeUndefined();
    expect(
      fallbackTarget(request({ fallbackFrom: from }), '131026', 0, both, whatsappNotHere),
    ).toBeUndefined();
    expect(fallbackTarget(request(), '131026', 1, both, whatsappNotHere)).toBeUndefined();
    expect(fallbackTarget(request(), '132001', 0, both, whatsappNotHere)).toBeUndefined(); // a template problem: the message, not the person
    expect(
      fallbackTarget(request(), '131026', 0, new Set(['whatsapp'] as const), whatsappNotHere),
    ).toBeUndefined();
    expect(
      fallbackTarget(request({ fallback: undefined }), '131026', 0, both, whatsappNotHere),
    ).toBeUndefined();
  });

  it('names the person by their E.164 number and carries why the first channel failed', () => {
    expect(
      fallbackEvent(request(), 'sms', '131026', 'not on WhatsApp', '2026-12-06T05:00:00.000Z'),
    ).toMatchObject({
      contactId: request().contactId,
      channel: 'whatsapp',
      next: 'sms',
      phone: '+15551234567',
      code: '131026',
      reason: 'not on WhatsApp',
      variables: { first_name: 'Ada' },
    });
  });
});
