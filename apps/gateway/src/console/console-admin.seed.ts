// The first console admin: created at boot from HERALD_CONSOLE_ADMIN_EMAIL and
// HERALD_CONSOLE_ADMIN_PASSWORD when no operator has that email yet (an existing account is
// never changed, so a restart does not reset a password changed since).
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { OperatorRepository } from '@herald/persistence';
import { GatewayConfig } from '../gateway.config.js';
import { PasswordHasher } from './password.hasher.js';

@Injectable()
export class ConsoleAdminSeed implements OnApplicationBootstrap {
  private readonly logger = new Logger('Console');

  constructor(
    private readonly config: GatewayConfig,
    private readonly operators: OperatorRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const email = this.config.HERALD_CONSOLE_ADMIN_EMAIL?.trim().toLowerCase();
    const password = this.config.HERALD_CONSOLE_ADMIN_PASSWORD;
    if (!email || !password) return;
    if (await this.operators.credentialsOf(email)) return;
    const created = await this.operators.create({
      email,
      passwordHash: await this.hasher.hash(password),
      role: 'admin',
      botIds: [],
    });
    if (created) this.logger.log(`Console admin ${email} created from HERALD_CONSOLE_ADMIN_EMAIL.`);
  }
}
