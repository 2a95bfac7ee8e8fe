// The provider sandbox as one Nest module. Settings come from SANDBOX_* variables; a host
// process can lay its own on top with ProviderSandboxModule.forRoot({...}).
import { type DynamicModule, Module } from '@nestjs/common';
import { StatusCallbackService } from './callbacks/status-callback.service.js';
import { FaultInjectorService } from './faults/fault-injector.service.js';
import { HealthController } from './health/health.controller.js';
import { MessageLogService } from './log/message-log.service.js';
import { GraphBatchController } from './messenger/graph-batch.controller.js';
import { MessengerSendController } from './messenger/messenger-send.controller.js';
import { MessengerSendService } from './messenger/messenger-send.service.js';
import { SandboxAdminService } from './sandbox/sandbox-admin.service.js';
import { SandboxController } from './sandbox/sandbox.controller.js';
import { SandboxConfig, type SandboxSettings } from './sandbox.config.js';
import { TwilioMessagesController } from './twilio/twilio-messages.controller.js';
import { TwilioMessagesService } from './twilio/twilio-messages.service.js';
import { WhatsAppCloudController } from './whatsapp/whatsapp-cloud.controller.js';
import { WhatsAppCloudService } from './whatsapp/whatsapp-cloud.service.js';

export const SANDBOX_SETTINGS = Symbol('SANDBOX_SETTINGS');

@Module({
  controllers: [
    MessengerSendController,
    WhatsAppCloudController,
    TwilioMessagesController,
    SandboxController,
    HealthController,
    GraphBatchController,
  ],
  providers: [
    {
      provide: SandboxConfig,
      useFactory: (settings?: Partial<SandboxSettings>) =>
        SandboxConfig.load(process.env, settings),
      inject: [{ token: SANDBOX_SETTINGS, optional: true }],
    },
    MessageLogService,
    FaultInjectorService,
    StatusCallbackService,
    WhatsAppCloudService,
    TwilioMessagesService,
    MessengerSendService,
    SandboxAdminService,
  ],
  exports: [SandboxConfig],
})
export class ProviderSandboxModule {
  static forRoot(settings: Partial<SandboxSettings> = {}): DynamicModule {
    return {
      module: ProviderSandboxModule,
      providers: [{ provide: SANDBOX_SETTINGS, useValue: settings }],
    };
  }
}
