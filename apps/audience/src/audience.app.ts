import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startService } from '@herald/runtime';
import { AudienceConfig } from './audience.config.js';
import { AudienceModule } from './audience.module.js';

export function startAudience(config: AudienceConfig): Promise<NestFastifyApplication> {
  return startService({
    service: 'audience',
    module: AudienceModule.forRoot(config),
    config,
    port: config.PORT,
    consumes: true,
  });
}
