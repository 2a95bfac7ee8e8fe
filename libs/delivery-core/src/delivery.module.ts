import { Module, type DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { deliveryBatchTopicFor, deliveryTopicFor } from '@herald/contracts';
import { baseUrlRules } from '@herald/custom-api';
import { HeraldKafkaServer } from '@herald/kafka';
import { coreImports, startService } from '@herald/runtime';
import { ConsumptionGate } from './breakers/consumption-gate.js';
import { ProviderBreakers } from './breakers/provider-breakers.js';
import { SharedBreakerSync } from './breakers/shared-breakers.js';
import { AccountBudgetRepository } from '@herald/persistence';
import { DeliveryMetrics } from './delivery.metrics.js';
import { MetricsRegistry } from '@herald/observability';
import { CHANNEL_POLICY } from './channel-policy.js';
import { CHANNEL_SENDER } from './channel-sender.js';
import { DeliverService } from './deliver.service.js';
import { DELIVERY_CHANNEL, type DeliveryChannelDefinition } from './delivery-channel.js';
import { DeliveryConfig } from './delivery.config.js';
import { deliveryHandlerFor, deliveryStatusHandlerFor } from './delivery-handler.factory.js';
import { DeliveryStatusService, statusRetryTopic } from './delivery-status.service.js';
import { PacedDeliveryReleaser } from './paced-delivery.releaser.js';
import { RetrySchedule, parseRetryStages } from './retry-schedule.js';
import { guardProviderAddresses } from './senders/http.js';

export type { DeliveryChannelDefinition } from './delivery-channel.js';

@Module({})
export class DeliveryModule {
  static forRoot<C extends DeliveryConfig>(
    definition: DeliveryChannelDefinition<C>,
    config: C,
  ): DynamicModule {
    // Read once, at module creation: the handler patterns (retry topics) depend on it.
    const retries = new RetrySchedule(parseRetryStages(config.DELIVERY_RETRY_DELAYS));
    const topic = deliveryTopicFor(definition.channel);
    return {
      module: DeliveryModule,
      imports: coreImports(`delivery-${definition.channel}`, config),
      controllers: [
        deliveryHandlerFor(definition.channel, retries.stages),
        deliveryStatusHandlerFor(definition.channel, statusRetryTopic(definition.channel, config)),
      ],
      providers: [
        { provide: DeliveryConfig, useValue: config },
        { provide: DELIVERY_CHANNEL, useValue: definition },
        {
          provide: CHANNEL_SENDER,
          inject: [DeliveryMetrics],
          useFactory: (metrics: DeliveryMetrics) => definition.sender(config, metrics),
        },
        { provide: CHANNEL_POLICY, useValue: definition.policy },
        { provide: RetrySchedule, useValue: retries },
        {
          // An open breaker pauses the channel's delivery topics (batched first tries, one-person
          // requests) and the retry twins (not its statuses).
          provide: ProviderBreakers,
          inject: [HeraldKafkaServer, DeliveryMetrics, SharedBreakerSync],
          useFactory: (
            server: HeraldKafkaServer,
            metrics: DeliveryMetrics,
            sync: SharedBreakerSync,
          ) => {
            const breakers = new ProviderBreakers(
              {
                errorThresholdPercentage: config.BREAKER_ERROR_PERCENT,
                volumeThreshold: config.BREAKER_MIN_CALLS,
                rollingCountTimeout: config.BREAKER_WINDOW_MS,
                resetTimeout: config.BREAKER_RESET_MS,
              },
              new ConsumptionGate(
                server,
                [deliveryBatchTopicFor(definition.channel), topic, ...retries.topicsOf(topic)],
                config.BREAKER_WINDOW_MS,
              ),
              (account, state) => metrics.breakerState(account, state),
              (account) => sync.tripped(account),
            );
            sync.attach(breakers);
            return breakers;
          },
        },
        {
          // Breakers that open on every replica when one finds an account down.
          provide: SharedBreakerSync,
          inject: [AccountBudgetRepository],
          useFactory: (budgets: AccountBudgetRepository) =>
            new SharedBreakerSync(
              config.DELIVERY_SHARED_LIMITS === 'true' ? budgets : null,
              `${config.HERALD_TOPIC_PREFIX}breaker:${definition.channel}:`,
              config.BREAKER_RESET_MS,
            ),
        },
        {
          provide: DeliveryMetrics,
          inject: [MetricsRegistry],
          useFactory: (registry: MetricsRegistry) =>
            new DeliveryMetrics(definition.channel, registry),
        },
        DeliverService,
        DeliveryStatusService,
        PacedDeliveryReleaser,
      ],
    };
  }
}

export function startDelivery<C extends DeliveryConfig>(
  definition: DeliveryChannelDefinition<C>,
  config: C,
): Promise<NestFastifyApplication> {
  // The same SSRF rules as the admin API's check of a channel's baseUrl, again at send time.
  const loopbackAllowed = config.NODE_ENV !== 'production' || config.allowLoopbackInProduction;
  guardProviderAddresses(
    baseUrlRules({
      production: !loopbackAllowed,
      allowedHosts: config.PROVIDER_ALLOWED_HOSTS.split(',')
        .map((h) => h.trim())
        .filter(Boolean),
      allowPrivate: false,
      configuredBaseUrls: [],
    }).policy,
  );
  return startService({
    service: `delivery-${definition.channel}`,
    module: DeliveryModule.forRoot(definition, config),
    config,
    port: config.PORT,
    consumes: true,
  });
}
