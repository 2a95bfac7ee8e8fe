import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Topics, type BroadcastRequested } from '@herald/contracts';
import { OnEvent, type EventBatch } from '@herald/kafka';
import { AcceptRunService } from './accept-run.service.js';
import { RunSchedulerService } from './run-scheduler.service.js';

/** Requests from the gateway and from any other service alike (the transport validated them; invalid ones are in the DLQ). */
@Controller()
export class BroadcastRequestedHandler {
  constructor(
    private readonly intake: AcceptRunService,
    private readonly scheduler: RunSchedulerService,
  ) {}

  @OnEvent(Topics.BroadcastRequested, { batchSize: 100 })
  async handle(@Payload() batch: EventBatch<BroadcastRequested>): Promise<void> {
    for (const event of batch.events)
      await this.intake.accept(event.data, event.attributes.traceparent);
    this.scheduler.kick();
  }
}
