// Per-channel fault settings and the decision each send gets from them. A channel without
// faults has no entry at all, so the hot path pays one property lookup.
import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { CHANNELS, type Channel } from '../channel.js';
import type { CatalogEntry } from './provider-error.catalog.js';

export interface RejectRule {
  entry: CatalogEntry;
  /** Accept the send and fail it later in a status callback, as providers often do. */
  async: boolean;
}

export interface ChannelFaults {
  errorRate: number;
  latencyMs: number;
  outage: boolean;
  /**
   * Provider accounts (WhatsApp phone number id, Twilio AccountSid, Messenger Page id) that are
   * down while the channel's other accounts work: one account's outage, for provider failover.
   */
  outageAccounts: ReadonlySet<string>;
  /**
   * Provider accounts whose credentials the provider refuses, as if their token were revoked or
   * the account suspended (Twilio 20003, Graph 190): nothing is sent through them.
   */
  refusedAccounts: ReadonlySet<string>;
  /** Keyed by normalized recipient. */
  rejectRecipients: Map<string, RejectRule>;
}

export type FaultPatch = Partial<ChannelFaults>;

export interface ChannelFaultsView {
  errorRate: number;
  latencyMs: number;
  outage: boolean;
  outageAccounts: string[];
  refusedAccounts: string[];
  rejectRecipients: Record<string, { code: number; subcode?: number; async: boolean }>;
}

@Injectable()
export class FaultInjectorService {
  private faults: Partial<Record<Channel, ChannelFaults>> = {};

  /** The channel's faults, or undefined when it has none. */
  active(channel: Channel): ChannelFaults | undefined {
    return this.faults[channel];
  }

  /** Replaces the given fields of the channel's faults, keeping the others. */
  apply(channel: Channel, patch: FaultPatch): void {
    const next: ChannelFaults = { ...(this.faults[channel] ?? noFaults()), ...patch };
    if (isNone(next)) delete this.faults[channel];
    else this.faults[channel] = next;
  }

  /** Whether the channel's sends through `account` answer with the outage error. */
  down(faults: ChannelFaults, account: string | undefined): boolean {
    return faults.outage || (account !== undefined && faults.outageAccounts.has(account));
  }

  /** Whether the provider refuses the credentials of `account` (refusedAccounts). */
  refused(faults: ChannelFaults | undefined, account: string | undefined): boolean {
    return faults !== undefined && account !== undefined && faults.refusedAccounts.has(account);
  }

  clear(): void {
    this.faults = {};
  }

  /** Waits out the channel's latency, which delays every answer, errors included. */
  async delay(faults: ChannelFaults): Promise<void> {
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
  }

  /**
   * For a request that passed auth and validation: the recipient's forced error, a random
   * transient error ('transient'), or nothing. `windowExempt` is true for sends a closed
   * 24-hour window does not block (a WhatsApp template, a Messenger MESSAGE_TAG with a tag).
   */
  judge(
    faults: ChannelFaults,
    recipient: string,
    windowExempt: boolean,
  ): RejectRule | 'transient' | undefined {
    const rule = faults.rejectRecipients.get(recipient);
    if (rule !== undefined && !(rule.entry.windowed === true && windowExempt)) return rule;
    if (faults.errorRate > 0 && Math.random() < faults.errorRate) return 'transient';
    return undefined;
  }

  view(): Record<Channel, ChannelFaultsView> {
    const view = {} as Record<Channel, ChannelFaultsView>;
    for (const channel of CHANNELS) {
      const faults = this.faults[channel] ?? noFaults();
      const rejectRecipients: ChannelFaultsView['rejectRecipients'] = {};
      for (const [recipient, rule] of faults.rejectRecipients) {
        rejectRecipients[recipient] = {
          code: rule.entry.code,
          ...(rule.entry.subcode === undefined ? {} : { subcode: rule.entry.subcode }),
          async: rule.async,
        };
      }
      view[channel] = {
        errorRate: faults.errorRate,
        latencyMs: faults.latencyMs,
        outage: faults.outage,
        outageAccounts: [...faults.outageAccounts],
        refusedAccounts: [...faults.refusedAccounts],
        rejectRecipients,
      };
    }
    return view;
  }
}

function noFaults(): ChannelFaults {
  return {
    errorRate: 0,
    latencyMs: 0,
    outage: false,
    outageAccounts: new Set(),
    refusedAccounts: new Set(),
    rejectRecipients: new Map(),
  };
}

function isNone(faults: ChannelFaults): boolean {
  return (
    faults.errorRate === 0 &&
    faults.latencyMs === 0 &&
    !faults.outage &&
    faults.outageAccounts.size === 0 &&
    faults.refusedAccounts.size === 0 &&
    faults.rejectRecipients.size === 0
  );
}
