// deploy/compose/docker-compose.yml cannot run here (no Docker), so it is read and each of its
// Herald services is booted through the real launcher with the environment compose would give
// it (the image's ENV, then the service's environment), as the Kubernetes manifests are.
import {
  composeEnv,
  composeServices,
  publishedPorts,
  type ComposeService,
} from './support/compose.js';
import {
  BaseConfig,
  configVariables,
  directlyReadVariables,
  launch,
  loadConfig,
  sandboxSettingOf,
  SandboxConfig,
  SERVICE_NAMES,
  type HeraldApp,
} from './support/herald-apps.js';
import { LAUNCHER, SANDBOX_MAIN } from './support/overlay.js';

const services = composeServices();
const envOf = composeEnv;
const setBy = (s: ComposeService) => Object.keys(s.environment ?? {});

describe('deploy/compose/docker-compose.yml', () => {
  const launched = new Map<string, HeraldApp>();

  beforeAll(async () => {
    for (const name of SERVICE_NAMES) {
      const service = services[name];
      if (service) launched.set(name, await launch(name, envOf(service)));
    }
  });

  it('runs every Herald app from the one image built from the Dockerfile, each by its command', () => {
    expect([...launched.keys()].sort()).toEqual([...SERVICE_NAMES].sort());
    const herald = Object.entries(services).filter(([, s]) => s.command?.[1]?.startsWith('dist/'));
    for (const [name, s] of herald) {
      expect({ name, image: s.image, build: s.build }).toEqual({
        name,
        image: 'herald:local',
        build: { context: '../..', dockerfile: 'Dockerfile' },
      });
      expect(s.read_only).toBe(true);
    }
    for (const name of SERVICE_NAMES)
      expect(services[name].command).toEqual(['node', LAUNCHER, name]);
    expect(services['provider-sandbox'].command).toEqual(['node', SANDBOX_MAIN]);
  });

  it("sets only variables each app's config class reads, and the apps boot with them", () => {
    for (const [name, app] of launched) {
      const known = [...configVariables(app.configClass), ...directlyReadVariables()];
      expect({ name, unknown: setBy(services[name]).filter((v) => !known.includes(v)) }).toEqual({
        name,
        unknown: [],
      });
    }
  });

  it('publishes each app on its own port, health-checks its readiness route, and starts it after the migrations', () => {
    for (const [name, app] of launched) {
      const s = services[name];
      expect({ name, ports: publishedPorts(s) }).toEqual({ name, ports: [app.port] });
      const url = /http:\/\/127\.0\.0\.1:(\d+)(\/[^')]+)/.exec(s.healthcheck?.test.join(' ') ?? '');
      expect({ name, port: Number(url?.[1]), route: app.getRoutes.has(url?.[2] ?? '') }).toEqual({
        name,
        port: app.port,
        route: true,
      });
      expect({ name, dependsOn: s.depends_on }).toEqual({
        name,
        dependsOn: {
          kafka: { condition: 'service_healthy' },
          postgres: { condition: 'service_healthy' },
          migrate: { condition: 'service_completed_successfully' },
        },
      });
    }
  });

  it('runs the migrations once, as soon as PostgreSQL is healthy, with a valid config', () => {
    const migrate = services.migrate;
    expect(migrate.command).toEqual(['node', LAUNCHER, 'migrate']);
    expect(migrate.restart).toBe('no');
    expect(migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(setBy(migrate).filter((v) => !configVariables(BaseConfig).includes(v))).toEqual([]);
    expect(() => loadConfig(BaseConfig, envOf(migrate))).not.toThrow();
  });

  it('wires the apps to the compose Kafka (KRaft) and PostgreSQL 15', () => {
    const kafka = services.kafka;
    const kafkaEnv = kafka.environment as Record<string, string>;
    expect(kafka.image).toMatch(/^apache\/kafka:3\.9\./);
    expect(String(kafkaEnv.KAFKA_PROCESS_ROLES).split(',').sort()).toEqual([
      'broker',
      'controller',
    ]);
    const internal = /INTERNAL:\/\/([^,]+)/.exec(String(kafkaEnv.KAFKA_ADVERTISED_LISTENERS))?.[1];
    const postgres = services.postgres;
    const pg = postgres.environment as Record<string, string>;
    expect(postgres.image).toBe('postgres:15');
    for (const [name, app] of launched) {
      expect({ name, brokers: app.config.KAFKA_BROKERS }).toEqual({ name, brokers: internal });
      expect({ name, db: app.config.DATABASE_URL }).toEqual({
        name,
        db: `postgres://${pg.POSTGRES_USER}:${pg.POSTGRES_PASSWORD}@postgres:5432/${pg.POSTGRES_DB}`,
      });
      // One broker: topics an app creates must fit on it.
      expect({ name, replication: app.config.KAFKA_REPLICATION_FACTOR }).toEqual({
        name,
        replication: 1,
      });
    }
  });

  it('runs the provider sandbox reachable from the other containers, and points the gateway at it', () => {
    const sandbox = services['provider-sandbox'];
    expect(setBy(sandbox).filter((v) => sandboxSettingOf(v) === undefined)).toEqual([]);
    const settings = SandboxConfig.load(envOf(sandbox));
    expect(settings.host).toBe('0.0.0.0');
    expect(publishedPorts(sandbox)).toEqual([settings.port]);
    expect(sandbox.healthcheck?.test.join(' ')).toContain(
      `http://127.0.0.1:${settings.port}/health/ready`,
    );
    expect(
      (launched.get('gateway')!.config as unknown as { PROVIDER_DEFAULT_BASE_URL: string })
        .PROVIDER_DEFAULT_BASE_URL,
    ).toBe(`http://provider-sandbox:${settings.port}`);
  });
});
