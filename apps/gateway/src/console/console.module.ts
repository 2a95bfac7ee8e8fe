// The operator console's server side: sign-in, operator accounts, per-route access checks for
// signed-in operators, and the lists the console pages need.
import { Module, type DynamicModule } from '@nestjs/common';
import { AdminContactSearchController } from '../admin/admin-contact-search.controller.js';
import { AdminRunListsController } from '../admin/admin-run-lists.controller.js';
import { AudiencePreviewController } from '../admin/audience-preview.controller.js';
import { AdminGuard } from '../admin/admin.guard.js';
import { GatewayConfig } from '../gateway.config.js';
import { ConsoleAccessService } from './console-access.service.js';
import { ConsoleAdminSeed } from './console-admin.seed.js';
import { ConsoleSessionController } from './console-session.controller.js';
import { ConsoleSessionService } from './console-session.service.js';
import { OperatorsController } from './operators.controller.js';
import { PasswordHasher } from './password.hasher.js';

@Module({})
export class ConsoleModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: ConsoleModule,
      controllers: [
        ConsoleSessionController,
        OperatorsController,
        AdminRunListsController,
        AudiencePreviewController,
        AdminContactSearchController,
      ],
      providers: [
        { provide: GatewayConfig, useValue: config },
        PasswordHasher,
        ConsoleSessionService,
        ConsoleAccessService,
        ConsoleAdminSeed,
        AdminGuard,
      ],
      exports: [ConsoleAccessService],
    };
  }
}
