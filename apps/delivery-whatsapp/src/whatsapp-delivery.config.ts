import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { DeliveryConfig } from '@herald/delivery-core';

/** delivery-whatsapp's configuration: every delivery app's, and WhatsApp's pair limit. */
export class WhatsAppDeliveryConfig extends DeliveryConfig {
  /** WhatsApp pair limit: one message to the same person per this interval… */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(600_000)
  WHATSAPP_PAIR_INTERVAL_MS: number = 6_000;

  /** …after a burst of this many (Meta lets bursts borrow from later quota). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  WHATSAPP_PAIR_BURST: number = 10;
}
