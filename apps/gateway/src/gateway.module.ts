import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { coreImports } from '@herald/runtime';
import { AdminBroadcastsController } from './admin/admin-broadcasts.controller.js';
import { AdminContactsController } from './admin/admin-contacts.controller.js';
import { AdminDeadLettersController } from './admin/admin-dead-letters.controller.js';
import { DeadLetterAdminService } from './admin/dead-letter-admin.service.js';
import { AdminRunsController } from './admin/admin-runs.controller.js';
import { AdminBotsController } from './admin/admin-bots.controller.js';
import { AdminChannelsController } from './admin/admin-channels.controller.js';
import { AdminBlocksController } from './admin/admin-blocks.controller.js';
import { AdminHeldController } from './admin/admin-held.controller.js';
import { BotSettingsController } from './admin/bot-settings.controller.js';
import { AdminGuard } from './admin/admin.guard.js';
import { BotAdminService } from './admin/bot-admin.service.js';
import { ChannelAdminService } from './admin/channel-admin.service.js';
import { BlockAdminService } from './admin/block-admin.service.js';
import { BroadcastAdminService } from './admin/broadcast-admin.service.js';
import { CustomApiController } from './admin/custom-api.controller.js';
import { ContactAdminService } from './admin/contact-admin.service.js';
import { RunAdminService } from './admin/run-admin.service.js';
import { AuthFailureThrottle } from './auth/auth-failure.throttle.js';
import { BotTokenService } from './auth/bot-token.service.js';
import { RequestBroadcastService } from './broadcast/request-broadcast.service.js';
import { ConsoleModule } from './console/console.module.js';
import { ChatfuelV1Controller } from './chatfuel/chatfuel-v1.controller.js';
import { ChatfuelV1Service } from './chatfuel/chatfuel-v1.service.js';
import { ChatfuelV2Controller } from './chatfuel/chatfuel-v2.controller.js';
import { ChatfuelV2Service } from './chatfuel/chatfuel-v2.service.js';
import { CsmlBroadcastController } from './csml/csml-broadcast.controller.js';
import { CsmlBroadcastService } from './csml/csml-broadcast.service.js';
import { HttpErrorFilter } from './errors/http-error.filter.js';
import { GatewayConfig } from './gateway.config.js';
import { AcceptHookService } from './hooks/accept-hook.service.js';
import { HookController } from './hooks/hook.controller.js';
import { JsonBodyParserInstaller } from './http/json-body.parser.js';
import { TrustedProxies } from './http/trusted-proxies.js';
import { gatewayValidationPipe } from './http/validation.pipe.js';
import { IdempotencySweeperService } from './idempotency/idempotency-sweeper.service.js';
import { IdempotencyService } from './idempotency/idempotency.service.js';
import { BotLookupService } from './lookups/bot-lookup.service.js';
import { NotificationsModule } from './lookups/pg-notifications.service.js';
import { GatewayPeers } from './quotas/gateway-peers.service.js';
import { QuotaService } from './quotas/quota.service.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        ...coreImports('gateway', config),
        NotificationsModule.forRoot(config.DATABASE_URL),
        WebhooksModule,
        ConsoleModule.forRoot(config),
      ],
      controllers: [
        HookController,
        ChatfuelV1Controller,
        ChatfuelV2Controller,
        CsmlBroadcastController,
        AdminBotsController,
        AdminChannelsController,
        AdminBlocksController,
        AdminBroadcastsController,
        AdminContactsController,
        AdminRunsController,
        AdminDeadLettersController,
        CustomApiController,
        BotSettingsController,
        AdminHeldController,
      ],
      providers: [
        { provide: GatewayConfig, useValue: config },
        AdminGuard,
        BotAdminService,
        ChannelAdminService,
        BlockAdminService,
        BroadcastAdminService,
        ContactAdminService,
        RunAdminService,
        DeadLetterAdminService,
        BotTokenService,
        BotLookupService,
        GatewayPeers,
        QuotaService,
        AuthFailureThrottle,
        IdempotencyService,
        IdempotencySweeperService,
        TrustedProxies,
        JsonBodyParserInstaller,
        AcceptHookService,
        ChatfuelV1Service,
        ChatfuelV2Service,
        CsmlBroadcastService,
        RequestBroadcastService,
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        { provide: APP_PIPE, useValue: gatewayValidationPipe() },
      ],
    };
  }
}
