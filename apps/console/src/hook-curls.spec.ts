import type { Broadcast } from './api.js';
import { hookCurls } from './hook-curls.js';

const broadcast = (settings: Partial<Broadcast['settings']>): Broadcast =>
  ({
    hookUrl: 'https://herald.example/hooks/abc',
    settings: { directMode: false, allowGet: true, allowPost: true, ...settings },
  }) as Broadcast;

describe('hookCurls', () => {
  it('gives one curl per payload mode, with the bot token unless direct mode is on', () => {
    const curls = hookCurls(broadcast({}));
    expect(curls.map((c) => c.mode)).toEqual([
      'Saved audience (GET)',
      'Audience and values',
      'Targets',
      'Legacy set_conversation',
      'Delayed (5 minutes)',
    ]);
    expect(curls.every((c) => c.curl.includes('authorization: Bearer $BOT_TOKEN'))).toBe(true);
    expect(JSON.parse(/-d '(.*)'$/.exec(curls[2].curl)![1])).toEqual({
      targets: [{ user_id: '15551234567', bot_channel: 'whatsapp', first_name: 'Ada' }],
    });
    expect(
      hookCurls(broadcast({ directMode: true })).some((c) => c.curl.includes('authorization')),
    ).toBe(false);
  });

  it('leaves out the verbs the broadcast refuses', () => {
    expect(hookCurls(broadcast({ allowPost: false })).map((c) => c.mode)).toEqual([
      'Saved audience (GET)',
    ]);
    expect(hookCurls(broadcast({ allowGet: false })).map((c) => c.mode)).not.toContain(
      'Saved audience (GET)',
    );
  });
});
