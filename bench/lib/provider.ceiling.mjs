// The provider-HTTP ceiling: how fast the sandbox accepts sends from a bare undici loop with
// nothing else in the way — the same requests Herald's senders make (libs/delivery-core/src/
// senders), the same keep-alive agent settings, a fixed number in flight.
import { URLSearchParams } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import {
  CHANNEL_CONFIGS,
  SMS_ACCOUNT_SID,
  SMS_FROM,
  WHATSAPP_PHONE_NUMBER_ID,
} from './herald.admin.mjs';
import { round, summary } from './stats.mjs';

/** The HTTP request a delivery service sends for recipient i on `channel`. */
export function providerRequest(baseUrl, channel, i) {
  if (channel === 'whatsapp') {
    return {
      url: `${baseUrl}/v21.0/${WHATSAPP_PHONE_NUMBER_ID}/messages`,
      headers: {
        authorization: `Bearer ${CHANNEL_CONFIGS.whatsapp.accessToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: `1666${String(i).padStart(8, '0')}`,
        type: 'text',
        text: { preview_url: false, body: `Hello Person${i}, your code is ${i}` },
      }),
    };
  }
  if (channel === 'sms') {
    const auth = Buffer.from(`${SMS_ACCOUNT_SID}:${CHANNEL_CONFIGS.sms.authToken}`).toString(
      'base64',
    );
    return {
      url: `${baseUrl}/2010-04-01/Accounts/${SMS_ACCOUNT_SID}/Messages.json`,
      headers: {
        authorization: `Basic ${auth}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        To: `+1667${String(i).padStart(8, '0')}`,
        Body: `Hello Person${i}, your code is ${i}`,
        From: SMS_FROM,
      }).toString(),
    };
  }
  return {
    url: `${baseUrl}/v21.0/me/messages?access_token=${CHANNEL_CONFIGS.messenger.pageAccessToken}`,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      recipient: { id: `8${String(i).padStart(15, '0')}` },
      messaging_type: 'UPDATE',
      message: { text: `Hello Person${i}, your code is ${i}` },
    }),
  };
}

/**
 * Sends round-robin over `channels` with `concurrency` in flight for `durationS` seconds or
 * `maxRequests` sends, whichever ends first. Resolves to { requests, ok, errors, perSec, latencyMs }.
 */
export async function providerCeiling({
  sandboxUrl,
  channels,
  concurrency = 64,
  durationS = 10,
  maxRequests = Infinity,
}) {
  const agent = new Agent({ connections: 256, keepAliveTimeout: 30_000, pipelining: 1 });
  const latencies = [];
  let next = 0;
  let ok = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationS * 1000;
  const worker = async () => {
    while (performance.now() < deadline && next < maxRequests) {
      const i = next++;
      const { url, headers, body } = providerRequest(sandboxUrl, channels[i % channels.length], i);
      const t = performance.now();
      try {
        const response = await request(url, { method: 'POST', headers, body, dispatcher: agent });
        await response.body.text();
        if (response.statusCode === 200 || response.statusCode === 201) ok++;
        else errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  await agent.close();
  const lat = summary(latencies);
  return {
    tool: 'undici request loop',
    channels,
    concurrency,
    seconds: round(seconds, 2),
    requests: next,
    ok,
    errors,
    perSec: round(ok / seconds),
    latencyMs: { p50: round(lat.p50, 2), p99: round(lat.p99, 2), max: round(lat.max, 2) },
  };
}
