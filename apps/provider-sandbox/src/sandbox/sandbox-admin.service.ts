// The inspection and control operations behind /sandbox, spanning the log, faults and callbacks.
import { Injectable } from '@nestjs/common';
import type { Channel } from '../channel.js';
import {
  StatusCallbackService,
  type CallbackStats,
  type CallbackTarget,
} from '../callbacks/status-callback.service.js';
import { FaultInjectorService, type ChannelFaultsView } from '../faults/fault-injector.service.js';
import {
  MessageLogService,
  type LogStats,
  type MessageQuery,
  type MessageView,
} from '../log/message-log.service.js';
import type { CallbacksInput, FaultsInput } from './sandbox-input.js';

@Injectable()
export class SandboxAdminService {
  constructor(
    private readonly log: MessageLogService,
    private readonly faults: FaultInjectorService,
    private readonly callbacks: StatusCallbackService,
  ) {}

  messages(query: MessageQuery): { messages: MessageView[]; next: number | null } {
    return this.log.query(query);
  }

  stats(): LogStats & { callbacks: CallbackStats } {
    return { ...this.log.stats(), callbacks: this.callbacks.stats() };
  }

  /** Forgets all messages, and the webhooks still queued for them. */
  clearMessages(): void {
    this.log.clear();
    this.callbacks.clearPending();
  }

  setFaults(input: FaultsInput): Record<Channel, ChannelFaultsView> {
    if (input.clear) this.faults.clear();
    else this.faults.apply(input.channel, input.patch);
    return this.faults.view();
  }

  faultsView(): Record<Channel, ChannelFaultsView> {
    return this.faults.view();
  }

  setCallbacks(input: CallbacksInput): Record<Channel, CallbackTarget | null> {
    this.callbacks.configure(input.channel, input.target);
    return this.callbacks.targetsView();
  }

  callbacksView(): Record<Channel, CallbackTarget | null> {
    return this.callbacks.targetsView();
  }

  /** Back to a fresh sandbox: no messages, no faults, no callbacks. */
  reset(): void {
    this.log.clear();
    this.faults.clear();
    this.callbacks.reset();
  }
}
