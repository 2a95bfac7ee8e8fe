// `node dist/apps/herald/src/main.js [service ...|all|migrate]`: the container's one entry point.
// One name runs that service alone (deployable on its own); several, or `all`, host them in
// one process for local use; `migrate` applies the database migrations and exits.
import 'reflect-metadata';
import { setupTracing } from '@herald/observability';
import { runMigrations } from '@herald/persistence';
import { BaseConfig, loadConfig } from '@herald/runtime';
import { SERVICE_NAMES, startServices, stopServices, type ServiceName } from './services.js';

const args = process.argv.slice(2);
if (args[0] === 'migrate') {
  const applied = await runMigrations(loadConfig(BaseConfig).DATABASE_URL);
  console.log(
    applied.length > 0
      ? `Applied migrations: ${applied.join(', ')}`
      : 'The database schema is up to date.',
  );
  process.exit(0);
}
const names = (args.length === 0 || args.includes('all') ? SERVICE_NAMES : args) as ServiceName[];
const unknown = names.filter((n) => !SERVICE_NAMES.includes(n));
if (unknown.length > 0) {
  console.error(
    `Unknown service(s): ${unknown.join(', ')}. Known: ${SERVICE_NAMES.join(', ')}, all.`,
  );
  process.exit(2);
}

const single = names.length === 1;
setupTracing(single ? `herald-${names[0]}` : 'herald');
const apps = await startServices(names, single ? process.env : { ...process.env });
if (!single) {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: draining ${names.join(', ')}`);
    void stopServices(apps).then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
