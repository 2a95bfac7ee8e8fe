// Runs the provider sandbox on SANDBOX_HOST:SANDBOX_PORT (default 127.0.0.1:3999).
import { Logger } from '@nestjs/common';
import { createSandboxApp } from './bootstrap.js';
import { SandboxConfig } from './sandbox.config.js';

async function main(): Promise<void> {
  const app = await createSandboxApp();
  app.enableShutdownHooks();
  const config = app.get(SandboxConfig);
  await app.listen(config.port, config.host);
  Logger.log(`Provider sandbox listening on ${await app.getUrl()}`, 'ProviderSandbox');
}

main().catch((error: unknown) => {
  Logger.error(
    error instanceof Error ? error.message : String(error),
    undefined,
    'ProviderSandbox',
  );
  process.exitCode = 1;
});
