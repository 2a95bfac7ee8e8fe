import { Module, type DynamicModule } from '@nestjs/common';
import { coreImports } from '@herald/runtime';
import { ContactConfig } from './contact.config.js';
import { ContactInboundHandler } from './contact-inbound.handler.js';
import { BotSettingsCache, FrequencyCapService } from './frequency-cap.js';
import { HeldDeliveryReleaser } from './held-delivery.releaser.js';
import { InboundReplayGuard } from './inbound-replay.guard.js';
import { RecordInboundService } from './record-inbound.service.js';
import { RunOwnerCheck } from './run-owner.check.js';
import { ResolveContactsService } from './resolve-contacts.service.js';
import { SendWindowPolicy } from './send-window.policy.js';
import { DeliveryFallbackHandler } from './delivery-fallback.handler.js';
import { TargetResolvedHandler } from './target-resolved.handler.js';

@Module({})
export class ContactModule {
  static forRoot(config: ContactConfig): DynamicModule {
    return {
      module: ContactModule,
      imports: coreImports('contact', config),
      controllers: [TargetResolvedHandler, ContactInboundHandler, DeliveryFallbackHandler],
      providers: [
        { provide: ContactConfig, useValue: config },
        ResolveContactsService,
        RunOwnerCheck,
        RecordInboundService,
        InboundReplayGuard,
        BotSettingsCache,
        FrequencyCapService,
        SendWindowPolicy,
        HeldDeliveryReleaser,
      ],
    };
  }
}
