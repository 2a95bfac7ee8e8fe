// The signatures providers put on their webhooks, computed over the exact bytes sent.
import { createHmac } from 'node:crypto';

/**
 * JSON the way Meta sends it: non-ASCII as lowercase \uXXXX and "/", "<", "%", "@" escaped too.
 * Meta signs these bytes, so receivers that re-serialize parsed JSON fail to verify; emitting
 * the escaped form keeps the sandbox honest about that.
 */
export function metaJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u0080-\uffff/<%@]/g, (char) =>
    char === '/' ? '\\/' : `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** X-Hub-Signature-256 value: "sha256=" + hex HMAC-SHA256(app secret, raw body). */
export function metaSignature(appSecret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody, 'utf8').digest('hex')}`;
}

/**
 * X-Twilio-Signature value: Base64 HMAC-SHA1(auth token, URL + each POST parameter name,
 * sorted, immediately followed by its value).
 */
export function twilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string>,
): string {
  let data = url;
  for (const name of Object.keys(params).sort()) data += name + params[name];
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}
