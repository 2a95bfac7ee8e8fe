import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Topics, type ContactInbound } from '@herald/contracts';
import { OnEvent, type EventBatch } from '@herald/kafka';
import { RecordInboundService } from './record-inbound.service.js';

@Controller()
export class ContactInboundHandler {
  constructor(private readonly inbound: RecordInboundService) {}

  @OnEvent(Topics.ContactInbound, { batchSize: 1000 })
  async handle(@Payload() batch: EventBatch<ContactInbound>): Promise<void> {
    await this.inbound.record(batch.events.map((e) => e.data));
  }
}
