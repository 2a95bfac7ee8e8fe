import { Module, type DynamicModule } from '@nestjs/common';
import { CustomApiClient, customApiOptions } from '@herald/custom-api';
import { coreImports } from '@herald/runtime';
import { AcceptRunService } from './accept-run.service.js';
import { AudienceConfig } from './audience.config.js';
import { BroadcastRequestedHandler } from './broadcast-requested.handler.js';
import { DeadLetterLedgerService } from './dead-letter-ledger.service.js';
import { DeadLettersHandler } from './dead-letters.handler.js';
import { PageEmitterService } from './page-emitter.service.js';
import { PublishedPageProbe } from './published-page.probe.js';
import { ResolveAudienceService } from './resolve-audience.service.js';
import { ResolveContentService } from './resolve-content.service.js';
import { RunProgressHandler } from './run-progress.handler.js';
import { RunSchedulerService } from './run-scheduler.service.js';

@Module({})
export class AudienceModule {
  static forRoot(config: AudienceConfig): DynamicModule {
    return {
      module: AudienceModule,
      imports: coreImports('audience', config),
      controllers: [BroadcastRequestedHandler, RunProgressHandler, DeadLettersHandler],
      providers: [
        { provide: AudienceConfig, useValue: config },
        // Closed by its onApplicationShutdown (breaker timers, keep-alive sockets).
        {
          provide: CustomApiClient,
          useFactory: () => new CustomApiClient(customApiOptions(config)),
        },
        AcceptRunService,
        ResolveAudienceService,
        ResolveContentService,
        PageEmitterService,
        PublishedPageProbe,
        RunSchedulerService,
        DeadLetterLedgerService,
      ],
    };
  }
}
