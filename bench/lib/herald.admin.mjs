// Herald's admin API as the harness uses it: a bot with a token, channels on the sandbox, a
// broadcast (its hook key, its execute endpoint), and run status.
import { requestJson } from './http.mjs';

export const SMS_ACCOUNT_SID = `AC${'0'.repeat(32)}`;
export const SMS_FROM = '+15550006666';
export const WHATSAPP_PHONE_NUMBER_ID = '1065550001';
export const MESSENGER_PAGE_ID = '100000000000000';

/**
 * Provider account config of each channel, pointing at the sandbox (the gateway's default base
 * URL); the bench messages people who never wrote in, so the 24-hour window is off.
 */
export const CHANNEL_CONFIGS = {
  whatsapp: {
    phoneNumberId: WHATSAPP_PHONE_NUMBER_ID,
    accessToken: 'bench-access-token',
    enforceCustomerServiceWindow: false,
  },
  sms: { accountSid: SMS_ACCOUNT_SID, authToken: 'bench-auth-token', from: SMS_FROM },
  messenger: {
    pageId: MESSENGER_PAGE_ID,
    pageAccessToken: 'bench-page-token',
    enforceCustomerServiceWindow: false,
  },
};

export function adminClient(stack) {
  const call = async (method, path, body, options = {}) =>
    (
      await requestJson(method, `${stack.gatewayUrl}${path}`, {
        body,
        headers: { authorization: `Bearer ${stack.adminKey}` },
        ...options,
      })
    ).body;

  return {
    call,
    /**
     * A bot (its per-bot API rate at the maximum), a token, one channel per name in `channels`
     * and a broadcast with `content`. `messagesPerSecond` lifts the channels' send pacing so the
     * sandbox, not a configured limit, is what the run meets; when the API refuses the field,
     * the channel is created without it (and `paced: false` says so).
     */
    async setupBot({
      name = 'Bench bot',
      channels = ['whatsapp'],
      messagesPerSecond = 1_000_000,
      content,
    } = {}) {
      const bot = await call('POST', '/admin/bots', { name, rateLimitRps: 1000 });
      const { token } = await call('POST', `/admin/bots/${bot.id}/tokens`, { name: 'bench' });
      const pacing = {};
      for (const channel of channels) {
        const config = { ...CHANNEL_CONFIGS[channel] };
        try {
          await call('POST', `/admin/bots/${bot.id}/channels`, {
            type: channel,
            config: { ...config, messagesPerSecond },
          });
          pacing[channel] = messagesPerSecond;
        } catch (err) {
          if (err.status !== 400 || !/messagesPerSecond/.test(JSON.stringify(err.body))) throw err;
          await call('POST', `/admin/bots/${bot.id}/channels`, { type: channel, config });
          pacing[channel] = 'default';
        }
      }
      const broadcast = await call('POST', `/admin/bots/${bot.id}/broadcasts`, {
        name: `${name} broadcast`,
        content: content ?? { messages: [{ text: 'Hello {{first_name}}, your code is {{code}}' }] },
      });
      return {
        botId: bot.id,
        token,
        broadcastId: broadcast.id,
        hookKey: broadcast.hookKey,
        hookUrl: `${stack.gatewayUrl}/hooks/${broadcast.hookKey}`,
        pacing,
      };
    },
    /** The console's execute button: the broadcast to its saved audience (all the bot's contacts). */
    async runBroadcast(broadcastId) {
      const accepted = await call('POST', `/admin/broadcasts/${broadcastId}/run`);
      return { runId: accepted.run_id, scheduledFor: accepted.scheduled_for };
    },
    /** The run's status and counts, or null while the audience service has not recorded it yet. */
    async getRun(runId) {
      const answer = await requestJson('GET', `${stack.gatewayUrl}/admin/runs/${runId}`, {
        headers: { authorization: `Bearer ${stack.adminKey}` },
        allow: [404],
      });
      return answer.status === 404 ? null : answer.body;
    },
  };
}
