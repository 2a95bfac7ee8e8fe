import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startService } from '@herald/runtime';
import { ContactConfig } from './contact.config.js';
import { ContactModule } from './contact.module.js';

export function startContact(config: ContactConfig): Promise<NestFastifyApplication> {
  return startService({
    service: 'contact',
    module: ContactModule.forRoot(config),
    config,
    port: config.PORT,
    consumes: true,
  });
}
