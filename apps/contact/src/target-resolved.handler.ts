import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Topics, type TargetResolved } from '@herald/contracts';
import { OnEvent, type EventBatch } from '@herald/kafka';
import { ResolveContactsService } from './resolve-contacts.service.js';
import { RunOwnerCheck } from './run-owner.check.js';

@Controller()
export class TargetResolvedHandler {
  constructor(
    private readonly contacts: ResolveContactsService,
    private readonly owners: RunOwnerCheck,
  ) {}

  @OnEvent(Topics.TargetResolved, { batchSize: 10 })
  async handle(@Payload() batch: EventBatch<TargetResolved>): Promise<void> {
    for (const event of batch.events) {
      await this.owners.check(event.data);
      await this.contacts.handlePage(event.data);
      await batch.heartbeat();
    }
  }
}
