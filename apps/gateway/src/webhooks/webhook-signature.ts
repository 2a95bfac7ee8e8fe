// The signatures providers put on their webhooks, checked against the exact bytes received.
import { createHmac, timingSafeEqual } from 'node:crypto';

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** X-Hub-Signature-256 (Meta: WhatsApp, Messenger): "sha256=" + hex HMAC-SHA256(app secret, raw body). */
export function metaSignatureValid(
  secrets: readonly string[],
  rawBody: Buffer,
  header: string | undefined,
): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const given = header.slice('sha256='.length).toLowerCase();
  return secrets.some((secret) =>
    equal(createHmac('sha256', secret).update(rawBody).digest('hex'), given),
  );
}

/**
 * X-Twilio-Signature: Base64 HMAC-SHA1(auth token, the URL Twilio called + every POST parameter
 * name, sorted, each followed by its value(s)).
 */
export function twilioSignature(
  authToken: string,
  url: string,
  params: ReadonlyArray<[string, string]>,
): string {
  const byName = new Map<string, string[]>();
  for (const [name, value] of params) byName.set(name, [...(byName.get(name) ?? []), value]);
  let data = url;
  for (const name of [...byName.keys()].sort())
    for (const value of byName.get(name)!) data += name + value;
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

export function twilioSignatureValid(
  tokens: readonly string[],
  urls: readonly string[],
  params: ReadonlyArray<[string, string]>,
  header: string | undefined,
): boolean {
  if (!header) return false;
  return tokens.some((token) =>
    urls.some((url) => equal(twilioSignature(token, url, params), header)),
  );
}
