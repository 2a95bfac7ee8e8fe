import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions, type PersistenceOptions } from './data-source.js';
import { AccountBudgetRepository } from './repositories/account-budget.repository.js';
import { BlockRepository } from './repositories/block.repository.js';
import { AudiencePreviewRepository } from './repositories/audience-preview.repository.js';
import { BotRepository } from './repositories/bot.repository.js';
import { BroadcastListRepository } from './repositories/broadcast-list.repository.js';
import { BroadcastRepository } from './repositories/broadcast.repository.js';
import { ChannelRepository } from './repositories/channel.repository.js';
import { ContactRepository } from './repositories/contact.repository.js';
import { ContactSearchRepository } from './repositories/contact-search.repository.js';
import { DeadLetterRepository } from './repositories/dead-letter.repository.js';
import { DeliveryRepository } from './repositories/delivery.repository.js';
import { IdempotencyRepository } from './repositories/idempotency.repository.js';
import { InboundReceiptRepository } from './repositories/inbound-receipt.repository.js';
import { OperatorRepository } from './repositories/operator.repository.js';
import { FrequencyLedgerRepository } from './repositories/frequency-ledger.repository.js';
import { HeldDeliveryRepository } from './repositories/held-delivery.repository.js';
import { RunListRepository } from './repositories/run-list.repository.js';
import { RunSkipRepository } from './repositories/run-skip.repository.js';
import { RunRepository } from './repositories/run.repository.js';
import { SecretBox } from './secret-box.js';

const REPOSITORIES = [
  BotRepository,
  ChannelRepository,
  BlockRepository,
  BroadcastRepository,
  ContactRepository,
  RunRepository,
  DeliveryRepository,
  IdempotencyRepository,
  OperatorRepository,
  RunListRepository,
  RunSkipRepository,
  DeadLetterRepository,
  BroadcastListRepository,
  AudiencePreviewRepository,
  ContactSearchRepository,
  InboundReceiptRepository,
  FrequencyLedgerRepository,
  HeldDeliveryRepository,
  AccountBudgetRepository,
];

export interface PersistenceModuleOptions extends PersistenceOptions {
  encryptionKey: string;
}

@Global()
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceModuleOptions): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(options),
          retryAttempts: 3,
          retryDelay: 1000,
        }),
      ],
      providers: [
        ...REPOSITORIES,
        { provide: SecretBox, useValue: new SecretBox(options.encryptionKey) },
      ],
      exports: [...REPOSITORIES, SecretBox],
    };
  }
}
