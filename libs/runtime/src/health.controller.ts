import { Controller, Get, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { TopicAdmin } from '@herald/kafka';

/** Turns readiness false as soon as shutdown begins, so the load balancer stops sending work. */
@Injectable()
export class ShutdownState implements BeforeApplicationShutdown {
  draining = false;

  beforeApplicationShutdown(): void {
    this.draining = true;
  }
}

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly kafka: TopicAdmin,
    private readonly shutdown: ShutdownState,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => {
        const session = this.indicators.check('process');
        return this.shutdown.draining ? session.down('shutting down') : session.up();
      },
      () => this.db.pingCheck('postgres', { timeout: 2000 }),
      async () => {
        const session = this.indicators.check('kafka');
        try {
          await this.kafka.ping();
          return session.up();
        } catch (error) {
          return session.down((error as Error).message);
        }
      },
    ]);
  }
}
