// Every repository, for the persistence module to provide. Each names the service that uses it
// and the tables it writes; docs/architecture.md lists who writes what.
import { AccountBudgetRepository } from './account-budget.repository.js';
import { AudiencePreviewRepository } from './audience-preview.repository.js';
import { BlockLookupRepository } from './block-lookup.repository.js';
import { BlockRepository } from './block.repository.js';
import { BotLookupRepository } from './bot-lookup.repository.js';
import { BotRepository } from './bot.repository.js';
import { BroadcastListRepository } from './broadcast-list.repository.js';
import { BroadcastLookupRepository } from './broadcast-lookup.repository.js';
import { BroadcastRepository } from './broadcast.repository.js';
import { ChannelAccountRepository } from './channel-account.repository.js';
import { ChannelRepository } from './channel.repository.js';
import { ContactScanRepository } from './contact-scan.repository.js';
import { ContactSearchRepository } from './contact-search.repository.js';
import { ContactRepository } from './contact.repository.js';
import { DeadLetterAdminRepository } from './dead-letter-admin.repository.js';
import { DeadLetterRepository } from './dead-letter.repository.js';
import { DeliveryReportRepository } from './delivery-report.repository.js';
import { DeliveryRepository } from './delivery.repository.js';
import { FrequencyLedgerRepository } from './frequency-ledger.repository.js';
import { GatewayContactRepository } from './gateway-contact.repository.js';
import { HeldDeliveryReportRepository } from './held-delivery-report.repository.js';
import { HeldDeliveryRepository } from './held-delivery.repository.js';
import { IdempotencyRepository } from './idempotency.repository.js';
import { InboundReceiptRepository } from './inbound-receipt.repository.js';
import { OperatorRepository } from './operator.repository.js';
import { PacedDeliveryRepository } from './paced-delivery.repository.js';
import { RunAdminRepository } from './run-admin.repository.js';
import { RunLedgerRepository } from './run-ledger.repository.js';
import { RunListRepository } from './run-list.repository.js';
import { RunListingRepository } from './run-listing.repository.js';
import { RunResolutionRepository } from './run-resolution.repository.js';
import { RunSkipReportRepository } from './run-skip-report.repository.js';
import { RunSkipRepository } from './run-skip.repository.js';
import { RunStatusRepository } from './run-status.repository.js';

export const REPOSITORIES = [
  AccountBudgetRepository,
  AudiencePreviewRepository,
  BlockLookupRepository,
  BlockRepository,
  BotLookupRepository,
  BotRepository,
  BroadcastListRepository,
  BroadcastLookupRepository,
  BroadcastRepository,
  ChannelAccountRepository,
  ChannelRepository,
  ContactScanRepository,
  ContactSearchRepository,
  ContactRepository,
  DeadLetterAdminRepository,
  DeadLetterRepository,
  DeliveryReportRepository,
  DeliveryRepository,
  FrequencyLedgerRepository,
  GatewayContactRepository,
  HeldDeliveryReportRepository,
  HeldDeliveryRepository,
  IdempotencyRepository,
  InboundReceiptRepository,
  OperatorRepository,
  PacedDeliveryRepository,
  RunAdminRepository,
  RunLedgerRepository,
  RunListRepository,
  RunListingRepository,
  RunResolutionRepository,
  RunSkipReportRepository,
  RunSkipRepository,
  RunStatusRepository,
];
