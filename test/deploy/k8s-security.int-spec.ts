// The trust boundary the manifests draw (issue 11): each app's KafkaUser allows exactly the
// topics it consumes and produces (from the contract catalog and the consumers the app really
// starts) and its own consumer groups; an internal producer may write broadcast.requested.v1
// only; the public Ingress routes the public API and the provider webhooks only, admin, docs and
// metrics stay on an internal Service; only the ingress controller reaches the gateway; trusted
// proxies name it alone; and production refuses to boot on a sandbox default.
import { ALL_TOPICS, CATALOG, dlqTopicOf, Topics } from '@herald/contracts';
import { loadConfig, type ServiceName } from './support/herald-apps.js';
import { byKind, named, overlayNames, selects, type K8sObject } from './support/kustomize.js';
import { loadOverlay, type Overlay } from './support/overlay.js';

interface Acl {
  resource: { type: string; name: string; patternType?: 'literal' | 'prefix' };
  operations: string[];
}
interface KafkaUser extends K8sObject {
  spec: { authentication: { type: string }; authorization: { type: string; acls: Acl[] } };
}
interface Ingress extends K8sObject {
  spec: {
    rules: Array<{
      host: string;
      http: { paths: Array<{ path: string; pathType: string; backend: { service: { name: string; port: { name?: string } } } }> };
    }>;
  };
}
interface Service extends K8sObject {
  spec: { selector: Record<string, string>; ports: Array<{ name?: string; port: number }> };
}
interface NetworkPolicy extends K8sObject {
  spec: {
    podSelector: { matchLabels?: Record<string, string> };
    policyTypes: string[];
    ingress?: Array<{ from?: Array<Record<string, { matchLabels?: Record<string, string> }>>; ports?: unknown[] }>;
  };
}

/** The public paths of the gateway: its public APIs and the provider webhooks. */
const PUBLIC_PATHS = ['/hooks', '/bots', '/v2', '/v1/api/broadcasts', '/webhooks'];
const INTERNAL_ONLY = ['/admin/bots', '/admin/runs', '/console/api/session', '/docs', '/docs-json', '/metrics'];
const RFC1918 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

const matches = (acl: Acl, type: string, name: string) =>
  acl.resource.type === type &&
  (acl.resource.patternType === 'prefix' ? name.startsWith(acl.resource.name) : acl.resource.name === name || acl.resource.name === '*');

/**
 * Topics an app puts its own events back on, besides their retry twins (EventPublisher.publishRetry
 * onto the topic itself): each delivery service releases the people it parked behind their
 * account's pacing onto the one-person topic it reads.
 */
const PUTS_BACK: Partial<Record<ServiceName, string[]>> = {
  'delivery-whatsapp': [Topics.DeliveryRequestedWhatsapp],
  'delivery-sms': [Topics.DeliveryRequestedSms],
  'delivery-messenger': [Topics.DeliveryRequestedMessenger],
};

/** What an app must be allowed to do on Kafka: derived from the catalog and the consumers it starts. */
function requiredOf(service: ServiceName, consumed: Array<{ physicalTopic: string; group: string }>, prefix: string) {
  const read = new Set(consumed.map((c) => c.physicalTopic));
  const write = new Set<string>();
  for (const contract of Object.values(CATALOG)) {
    if (contract.producers.includes(service)) write.add(prefix + contract.topic);
  }
  for (const topic of read) {
    const logical = topic.slice(prefix.length);
    // A consumer dead-letters what it cannot process; a retry topic is written by its reader.
    if ((ALL_TOPICS as readonly string[]).includes(logical)) write.add(prefix + dlqTopicOf(logical));
    if (/\.retry\.[^.]+$/.test(logical)) write.add(topic);
  }
  for (const topic of PUTS_BACK[service] ?? []) write.add(prefix + topic);
  // The gateway's dead-letter replay puts a record back on its contract topic, whichever it is.
  if (service === 'gateway') for (const topic of ALL_TOPICS) write.add(prefix + topic);
  return { read, write, groups: new Set(consumed.map((c) => c.group)) };
}

describe.each(overlayNames())('overlay %s: the trust boundary', (overlay) => {
  let o: Overlay;
  let users: KafkaUser[];

  beforeAll(async () => {
    o = await loadOverlay(overlay);
    users = byKind<KafkaUser>(o.objects, 'KafkaUser');
  });

  it('gives each app its own SCRAM KafkaUser, whose password it reads from the Secret Strimzi writes', () => {
    for (const [service, { resolved, app }] of o.apps) {
      const user = users.find((u) => u.metadata.name === resolved.env.KAFKA_SASL_USERNAME);
      expect({ service, user: user?.metadata.name, auth: user?.spec.authentication.type, cluster: user?.metadata.labels?.['strimzi.io/cluster'] }).toEqual({
        service,
        user: `herald-${service}`,
        auth: 'scram-sha-512',
        cluster: o.kafkaName,
      });
      expect({ service, password: resolved.secretRefs.find((r) => r.variable === 'KAFKA_SASL_PASSWORD') }).toEqual({
        service,
        password: expect.objectContaining({ secret: `herald-${service}`, key: 'password', rendered: false }),
      });
      expect({ service, ca: resolved.secretRefs.find((r) => r.variable === 'KAFKA_SSL_CA')?.secret }).toEqual({
        service,
        ca: `${o.kafkaName}-cluster-ca-cert`,
      });
      expect({ service, ssl: app.config.KAFKA_SSL, mechanism: app.config.KAFKA_SASL_MECHANISM }).toEqual({
        service,
        ssl: 'true',
        mechanism: 'scram-sha-512',
      });
    }
  });

  it("allows each app exactly the topics it consumes and produces, and its own consumer groups", () => {
    for (const [service, { resolved, app }] of o.apps) {
      const prefix = resolved.env.HERALD_TOPIC_PREFIX ?? '';
      const acls = users.find((u) => u.metadata.name === `herald-${service}`)!.spec.authorization.acls;
      const required = requiredOf(service, app.consumers, prefix);
      const allowed = (op: string, type: string, name: string) => acls.some((a) => a.operations.includes(op) && matches(a, type, name));
      const missing = [
        ...[...required.read].filter((t) => !allowed('Read', 'topic', t)).map((t) => `Read ${t}`),
        ...[...required.write].filter((t) => !allowed('Write', 'topic', t)).map((t) => `Write ${t}`),
        ...[...required.read, ...required.write].filter((t) => !allowed('Describe', 'topic', t)).map((t) => `Describe ${t}`),
        ...[...required.groups].filter((g) => !allowed('Read', 'group', g)).map((g) => `Read group ${g}`),
      ];
      expect({ service, missing }).toEqual({ service, missing: [] });
      // Nothing beyond: every ACL serves a required topic or group, with no other operation.
      const topics = [...required.read, ...required.write];
      const extra = acls.flatMap((a) =>
        a.operations
          .filter((op) => {
            if (a.resource.type === 'group') return op !== 'Read' || ![...required.groups].some((g) => matches(a, 'group', g));
            if (a.resource.type !== 'topic') return true;
            const pool = op === 'Read' ? [...required.read] : op === 'Write' ? [...required.write] : op === 'Describe' ? topics : [];
            return !pool.some((t) => matches(a, 'topic', t));
          })
          .map((op) => `${op} ${a.resource.type} ${a.resource.name}`),
      );
      expect({ service, extra }).toEqual({ service, extra: [] });
      // A prefix never reaches past the app's own names: its groups, or its own topics' retry twins.
      for (const a of acls.filter((x) => x.resource.patternType === 'prefix')) {
        const ok = a.resource.type === 'group' ? a.resource.name === `herald-${service}.` : /\.retry\.$/.test(a.resource.name);
        expect({ service, prefix: a.resource.name, ok }).toEqual({ service, prefix: a.resource.name, ok: true });
      }
    }
  });

  it('documents a KafkaUser for internal producers that may write broadcast.requested.v1 only', () => {
    const producer = named<KafkaUser>(o.objects, 'KafkaUser', 'herald-internal-producer');
    expect(producer.spec.authentication.type).toBe('scram-sha-512');
    expect(producer.spec.authorization.acls).toEqual([
      { resource: { type: 'topic', name: Topics.BroadcastRequested, patternType: 'literal' }, operations: ['Write', 'Describe'] },
    ]);
    expect(CATALOG[Topics.BroadcastRequested].producers).toContain('any internal service');
    // KEDA reads lag and may do nothing else.
    const keda = named<KafkaUser>(o.objects, 'KafkaUser', 'herald-keda');
    expect(keda.spec.authorization.acls.flatMap((a) => a.operations)).toEqual(keda.spec.authorization.acls.map(() => 'Describe'));
  });

  it('routes only the public API and the provider webhooks through the Ingress; admin, docs and metrics stay internal', () => {
    const ingresses = byKind<Ingress>(o.objects, 'Ingress');
    expect(ingresses).toHaveLength(1);
    const paths = ingresses[0].spec.rules.flatMap((r) => r.http.paths);
    expect(paths.map((p) => p.path).sort()).toEqual([...PUBLIC_PATHS].sort());
    expect(new Set(paths.map((p) => `${p.pathType} ${p.backend.service.name}:${p.backend.service.port.name}`))).toEqual(
      new Set(['Prefix herald-gateway:http']),
    );
    // Prefix matches whole segments: no internal path falls under a public one.
    const routed = (url: string) => paths.some((p) => url === p.path || url.startsWith(`${p.path}/`));
    expect(INTERNAL_ONLY.filter(routed)).toEqual([]);
    expect(['/hooks/abc', '/bots/1/users/2/send', '/v2/1/send', '/v1/api/broadcasts', '/webhooks/twilio'].every(routed)).toBe(true);
    // Every public path is a route the gateway really serves.
    const gateway = o.apps.get('gateway')!.app;
    expect(gateway.getRoutes.has('/webhooks/whatsapp')).toBe(true);
    const internal = named<Service>(o.objects, 'Service', 'herald-gateway-internal');
    const publicService = named<Service>(o.objects, 'Service', 'herald-gateway');
    expect(internal.spec.selector).toEqual(publicService.spec.selector);
    expect(internal.metadata.labels?.['herald.dev/metrics']).toBe('true');
    expect(publicService.metadata.labels?.['herald.dev/metrics']).toBeUndefined();
  });

  it('admits only the ingress controller, labelled admin tools and the metrics scraper to the gateway', () => {
    const gatewayLabels = o.apps.get('gateway')!.deployment.spec.template.metadata.labels;
    const policies = byKind<NetworkPolicy>(o.objects, 'NetworkPolicy').filter(
      (p) => p.spec.policyTypes.includes('Ingress') && selects(p.spec.podSelector as never, gatewayLabels),
    );
    const peers = policies.flatMap((p) => (p.spec.ingress ?? []).map((rule) => ({ policy: p.metadata.name, from: rule.from })));
    // A rule without `from` admits every pod and namespace.
    expect(peers.filter((p) => !p.from || p.from.length === 0)).toEqual([]);
    const described = peers.flatMap((p) =>
      p.from!.map((peer) => {
        const ns = peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];
        const pod = peer.podSelector?.matchLabels ?? {};
        if (ns === 'ingress-nginx' && pod['app.kubernetes.io/name'] === 'ingress-nginx') return 'ingress controller';
        if (ns === 'monitoring' && !peer.podSelector) return 'metrics scraper';
        if (!peer.namespaceSelector && pod['herald.dev/gateway-admin'] === 'true') return 'admin tools';
        if (!peer.namespaceSelector && pod['app.kubernetes.io/component'] === 'provider-sandbox') return 'provider sandbox';
        return `unexpected peer in ${p.policy}: ${JSON.stringify(peer)}`;
      }),
    );
    const expected = ['ingress controller', 'metrics scraper', 'admin tools', ...(overlay === 'dev' ? ['provider sandbox'] : [])];
    expect(new Set(described)).toEqual(new Set(expected));
  });

  it("trusts X-Forwarded-For from the ingress controller's addresses only, not the private networks", () => {
    const proxies = o.apps.get('gateway')!.resolved.env.HERALD_TRUSTED_PROXIES ?? '';
    const entries = proxies.split(',').map((e) => e.trim()).filter(Boolean);
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) {
      const [, bits = '32'] = entry.split('/');
      expect({ entry, rfc1918: RFC1918.includes(entry), narrow: Number(bits) >= 20 }).toEqual({ entry, rfc1918: false, narrow: true });
    }
  });

  it('production refuses to boot on a sandbox default, naming it', () => {
    const { resolved, app } = o.apps.get('gateway')!;
    const GatewayConfig = app.configClass;
    if (resolved.env.NODE_ENV !== 'production') return;
    expect(() => loadConfig(GatewayConfig, resolved.env)).not.toThrow();
    for (const [variable, value, why] of [
      ['PROVIDER_DEFAULT_BASE_URL', 'http://127.0.0.1:3999', /PROVIDER_DEFAULT_BASE_URL .* loopback/],
      ['PROVIDER_BASE_URL_SMS', 'http://herald-provider-sandbox:3999', /PROVIDER_BASE_URL_SMS .* plain http/],
      ['HERALD_ENCRYPTION_KEY', 'herald-local-development-key-not-for-production', /HERALD_ENCRYPTION_KEY/],
      ['KAFKA_SSL', 'false', /KAFKA_SSL must be "true"/],
    ] as const) {
      expect(() => loadConfig(GatewayConfig, { ...resolved.env, [variable]: value })).toThrow(why);
    }
  });
});
