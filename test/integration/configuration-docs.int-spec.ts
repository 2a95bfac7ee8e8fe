// The README's configuration table is the operator's reference: it must list exactly the
// variables the config classes read, no more and no fewer.
import { readFileSync } from 'node:fs';
import { AudienceConfig } from '../../apps/audience/src/audience.config.js';
import { ContactConfig } from '../../apps/contact/src/contact.config.js';
import { GatewayConfig } from '../../apps/gateway/src/gateway.config.js';
import { WebhookConfig } from '../../apps/gateway/src/webhooks/webhook.config.js';
import { ENV_NAMES as SANDBOX_ENV_NAMES } from '../../apps/provider-sandbox/src/sandbox.config.js';
import { DeliveryConfig } from '@herald/delivery-core';
import { WhatsAppDeliveryConfig } from '../../apps/delivery-whatsapp/src/whatsapp-delivery.config.js';
import { BaseConfig } from '@herald/runtime';

function documented(): Set<string> {
  const readme = readFileSync('README.md', 'utf8');
  const table =
    readme.split('<!-- config-table:start -->')[1]?.split('<!-- config-table:end -->')[0] ?? '';
  return new Set([...table.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]));
}

function read(): Set<string> {
  const classes = [
    BaseConfig,
    GatewayConfig,
    WebhookConfig,
    AudienceConfig,
    ContactConfig,
    DeliveryConfig,
    WhatsAppDeliveryConfig,
  ];
  const names = classes.flatMap((cls) => Object.keys(new cls()));
  return new Set([...names, ...Object.values(SANDBOX_ENV_NAMES)]);
}

describe('README configuration table', () => {
  it('lists every variable the config classes read', () => {
    const missing = [...read()].filter((name) => !documented().has(name));
    expect(missing).toEqual([]);
  });

  it('lists nothing the config classes do not read', () => {
    const stale = [...documented()].filter((name) => !read().has(name));
    expect(stale).toEqual([]);
  });
});
