// Phone numbers through the real stack (issue 13): every common way of writing one number reaches
// the same E.164 contact, once; national numbers use the bot's defaultCountry; a number that
// cannot be made valid is a 400 naming the target on the public APIs and on the admin import.
import { eventually, json, startStack, type Stack } from '@herald/testing';
import { createBot, finishedRun, sandboxTexts } from '../integration/gateway/gateway-harness.js';

interface Contact {
  channel: string;
  userId: string;
  phone: string | null;
  variables: Record<string, string>;
}

describe('policy: phone numbers in E.164', () => {
  let stack: Stack;
  let bot: Awaited<ReturnType<typeof createBot>>;
  let hookKey: string;

  const hook = (body: unknown) =>
    fetch(`${stack.gatewayUrl}/hooks/${hookKey}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bot.token}` },
      body: JSON.stringify(body),
    });
  const v2 = (body: unknown) =>
    fetch(`${stack.gatewayUrl}/v2/${bot.botId}/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bot.token}` },
      body: JSON.stringify(body),
    });
  const contacts = async () =>
    (
      await stack.admin<{ contacts: Contact[] }>(
        'GET',
        `/admin/bots/${bot.botId}/contacts?limit=1000`,
      )
    ).body.contacts;

  beforeAll(async () => {
    stack = await startStack();
    bot = await createBot(stack, {
      name: 'Phones bot',
      channels: ['sms', 'whatsapp'],
      blocks: { greet: [{ text: 'CSML hi {{first_name}}' }] },
    });
    const created = await stack.admin<{ hookKey: string }>(
      'POST',
      `/admin/bots/${bot.botId}/broadcasts`,
      {
        name: 'phones',
        content: { messages: [{ text: 'Hello {{first_name}} at {{user_phone_number}}' }] },
      },
    );
    hookKey = created.body.hookKey;
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('reaches one E.164 person once, whichever way the number is written', async () => {
    const forms = ['15551234567', '+1 (555) 123-4567', '+1.555.123.4567', '001 555 123 4567'];
    const accepted = await json<{ run_id: string }>(
      await hook({
        targets: [
          ...forms.map((user_id) => ({ user_id, bot_channel: 'sms', first_name: 'Ada' })),
          { user_phone_number: '+1-555-123-4567', bot_channel: 'sms' },
        ],
      }),
    );
    expect(accepted.status).toBe(200);
    const run = await finishedRun(stack.admin, accepted.body.run_id);
    expect(run).toMatchObject({ status: 'completed', counts: { sent: 1, failed: 0 } });
    expect(await sandboxTexts(stack.sandboxUrl, 'sms', '+15551234567')).toEqual([
      'Hello Ada at +15551234567',
    ]);

    // A later call in yet another form reaches the same contact, not a new one.
    const again = await json<{ run_id: string }>(
      await hook({ targets: [{ user_id: '(+1) 555 123 4567', bot_channel: 'sms', plan: 'gold' }] }),
    );
    expect(again.status).toBe(200);
    expect(await finishedRun(stack.admin, again.body.run_id)).toMatchObject({
      status: 'completed',
      counts: { targeted: 1, sent: 1 },
    });
    const sms = (await contacts()).filter((c) => c.channel === 'sms');
    expect(sms).toEqual([
      expect.objectContaining({
        userId: '+15551234567',
        phone: '+15551234567',
        variables: { first_name: 'Ada', plan: 'gold' },
      }),
    ]);
  });

  it('derives the WhatsApp id from the E.164 number', async () => {
    const accepted = await json<{ run_id: string }>(
      await hook({
        targets: [{ user_id: '+44 7700 900123', bot_channel: 'whatsapp', first_name: 'Grace' }],
      }),
    );
    expect(accepted.status).toBe(200);
    await eventually(
      async () =>
        (await sandboxTexts(stack.sandboxUrl, 'whatsapp', '447700900123')).includes(
          'Hello Grace at +447700900123',
        ),
      'the WhatsApp message',
    );
    expect((await contacts()).filter((c) => c.channel === 'whatsapp')).toEqual([
      expect.objectContaining({ userId: '447700900123', phone: '+447700900123' }),
    ]);

    // CSML finds the channel the person is known on by their number in any form.
    const csml = await json<{ request_id: string; client: { channel_id: string } }>(
      await fetch(`${stack.gatewayUrl}/v1/api/broadcasts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': bot.token },
        body: JSON.stringify({
          payload: { content_type: 'flow_trigger', content: { flow_id: 'greet' } },
          client: { user_id: '+44 7700 900123' },
        }),
      }),
    );
    expect(csml).toMatchObject({
      status: 200,
      body: { client: { channel_id: bot.channelIds.whatsapp } },
    });
    expect(await finishedRun(stack.admin, csml.body.request_id)).toMatchObject({
      status: 'completed',
      counts: { sent: 1 },
    });
    expect(await sandboxTexts(stack.sandboxUrl, 'whatsapp', '447700900123')).toContain(
      'CSML hi Grace',
    );
  });

  it("reads national numbers in the bot's defaultCountry (Chatfuel V2 and the admin import)", async () => {
    const refused = await json<{ success: boolean; result: string }>(
      await v2({
        customer_phone: '(555) 123-4567',
        messages: [{ text: 'V2 {{plan}}' }],
        priority: ['phone'],
      }),
    );
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      success: false,
      result: expect.stringContaining('customer_phone'),
    });

    const set = await stack.admin('PATCH', `/admin/bots/${bot.botId}/settings`, {
      defaultCountry: 'US',
    });
    expect(set).toEqual({ status: 200, body: { defaultCountry: 'US' } });
    const accepted = await eventually(async () => {
      const answer = await json<{ success: boolean; run_id: string }>(
        await v2({
          customer_phone: '(555) 123-4567',
          messages: [{ text: 'V2 {{plan}}' }],
          priority: ['phone'],
        }),
      );
      return answer.status === 200 ? answer : undefined;
    }, 'V2 to accept the national number once the setting is read');
    expect(await finishedRun(stack.admin, accepted.body.run_id)).toMatchObject({
      status: 'completed',
      counts: { sent: 1 },
    });
    // The bot has both channels; the person is known on SMS only, so SMS carries it.
    expect(await sandboxTexts(stack.sandboxUrl, 'sms', '+15551234567')).toContain('V2 gold');

    const imported = await stack.admin('POST', `/admin/bots/${bot.botId}/contacts`, [
      { channel: 'sms', user_id: '555.123.4567', variables: { city: 'Oslo' } },
    ]);
    expect(imported).toEqual({ status: 200, body: { created: 0, updated: 1 } });
    expect((await contacts()).filter((c) => c.channel === 'sms')).toHaveLength(1);
  });

  it('refuses a number that cannot be made valid with a 400 naming the target', async () => {
    const hookAnswer = await json<{
      error: { code: string; field: string; message: string; fix: string };
    }>(
      await hook({
        targets: [
          { user_id: '15551234567', bot_channel: 'sms' },
          { user_id: 'call-me-maybe', bot_channel: 'sms' },
        ],
      }),
    );
    expect(hookAnswer.status).toBe(400);
    expect(hookAnswer.body.error).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'targets[1].user_id',
      message: expect.stringContaining('not a phone number'),
      fix: expect.any(String),
    });

    const short = await json<{ error: { field: string } }>(
      await hook({ targets: [{ user_phone_number: '+1 555', bot_channel: 'whatsapp' }] }),
    );
    expect(short).toMatchObject({
      status: 400,
      body: { error: { field: 'targets[0].user_phone_number' } },
    });

    const importAnswer = await stack.admin<{ error: { field: string; message: string } }>(
      'POST',
      `/admin/bots/${bot.botId}/contacts`,
      [
        { channel: 'sms', user_id: '+15551234567' },
        { channel: 'whatsapp', user_id: 'nope' },
      ],
    );
    expect(importAnswer).toMatchObject({
      status: 400,
      body: { error: { field: '[1].user_id', message: expect.stringContaining('nope') } },
    });
  });
});
