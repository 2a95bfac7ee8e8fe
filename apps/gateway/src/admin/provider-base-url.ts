// The SSRF rules for a channel's provider base URL, from the gateway's settings: the From-API
// allow-list (CUSTOM_API_*), the operator's own PROVIDER_*_BASE_URL hosts, https only in production.
import {
  CustomApiConfig,
  baseUrlRules,
  customApiOptions,
  type BaseUrlRules,
} from '@herald/custom-api';
import { loadConfig } from '@herald/runtime';
import type { GatewayConfig } from '../gateway.config.js';

export function providerBaseUrlRules(config: GatewayConfig): BaseUrlRules {
  const { allowedHosts, allowPrivate } = customApiOptions(loadConfig(CustomApiConfig));
  return baseUrlRules({
    production: config.NODE_ENV === 'production',
    allowedHosts,
    allowPrivate,
    configuredBaseUrls: [
      config.PROVIDER_DEFAULT_BASE_URL,
      config.PROVIDER_BASE_URL_WHATSAPP,
      config.PROVIDER_BASE_URL_SMS,
      config.PROVIDER_BASE_URL_MESSENGER,
    ].filter(Boolean),
  });
}
