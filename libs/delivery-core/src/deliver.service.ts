import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { Channel, DeliveryRequested } from '@herald/contracts';
import { ErrorCode, HeraldError, classifyFailure, decide, describeError } from '@herald/errors';
import { EventPublisher } from '@herald/kafka';
import { PromiseCache } from '@herald/runtime';
import {
  AccountBudgetRepository,
  ChannelAccountRepository,
  DeliveryRepository,
  LEASE_CLOCK_TICK_MS,
  RunStatusRepository,
  deliveryKey,
  type ChannelAccount,
  type DeliveryKey,
} from '@herald/persistence';
import { ProviderBreakers, REFUSED } from './breakers/provider-breakers.js';
import { CHANNEL_POLICY, type ChannelPolicy } from './channel-policy.js';
import { CHANNEL_SENDER, type ChannelSender, type SendOutcome } from './channel-sender.js';
import { DELIVERY_CHANNEL, type DeliveryChannelDefinition } from './delivery-channel.js';
import { DeliveryConfig } from './delivery.config.js';
import { DeliveryRecorder, type Outcome } from './delivery-recorder.js';
import { InFlightLimiter } from './in-flight-limiter.js';
import { DeliveryMetrics } from './delivery.metrics.js';
import { failsOver, nextAccount } from './failover.js';
import { fallbackTarget } from './fallback.js';
import { PacedDeliveryReleaser } from './paced-delivery.releaser.js';
import { PaceQueues, type Park } from './pacing/pace-queues.js';
import { Refusals } from './breakers/refusals.js';
import { SharedPacer } from './pacing/shared-pacer.js';
import { StoppableWaits } from './pacing/stoppable-waits.js';
import { render } from './render.js';
import { RetrySchedule } from './retry-schedule.js';

const RUN_STATUS_CACHE_MS = 2_000;
/** A person parked behind a breaker that is half-open (its probe out) looks again after this. */
const BREAKER_PARK_MIN_MS = 1_000;
/** Rows being sent keep their lease while the batch waits on pacing (the lease is 60 s). */
const LEASE_RENEW_MS = 20_000;
/** How often a batch being sent heartbeats its consumer (kafkajs' own heartbeat interval). */
const HEARTBEAT_MS = 3_000;
const STOPPED = Symbol('stopped');
/** Why people not yet sent are given back when the consumer group rebalances. */
const REBALANCING = 'the consumer group is rebalancing';

/**
 * The delivery core every channel shares. Per batch: claim each (run, contact) row, then for
 * each claimed person check the channel's rules, render, wait for the pacing of every scope (or,
 * when its queue is longer than DELIVERY_PARK_AFTER_MS, park the person until their turn), send
 * through the account's breaker with a process-wide bound on calls in flight, and record
 * outcomes as they come. A redelivered event whose row is already final is not sent again (its
 * result is announced again, and counted once); one whose row is being sent elsewhere waits on
 * the first retry topic. On shutdown or an open breaker, people not yet sent are given back and
 * the batch is redelivered; nothing is sent twice and no attempt is spent. The same happens when
 * the consumer group rebalances (a replica joined or left): the batch's people not yet sent go
 * back at once, so the group need not wait for paced sends before it hands partitions over.
 */
@Injectable()
export class DeliverService
  implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown
{
  private readonly logger = new Logger(DeliverService.name);
  /** A batch's workers share one lookup of their account, and one read of their run's status. */
  private readonly accounts: PromiseCache<ChannelAccount[]>;
  private readonly runStatus = new PromiseCache<string | null>(RUN_STATUS_CACHE_MS);
  /** Per bot: its enabled channel types (channel fallback goes only to one it has). */
  private readonly enabledTypes: PromiseCache<ReadonlySet<Channel>>;
  private readonly limiter: InFlightLimiter;
  /** People whose send started and whose row is not yet written (DELIVERY_MAX_UNRECORDED). */
  private readonly unrecorded: InFlightLimiter;
  private readonly pacer: SharedPacer;
  /** Who waits in each pacing queue: a long one parks newcomers (DELIVERY_PARK_AFTER_MS). */
  private readonly queues: PaceQueues;
  /** Accounts their provider refused moments ago (a revoked token): not asked again yet. */
  private readonly refusals = new Refusals();
  private readonly stop = new AbortController();
  /** The pacing waits of each batch being sent: ended on shutdown, or when its batch is handed back. */
  private readonly batchWaits = new Set<StoppableWaits>();
  private leaseClock?: NodeJS.Timeout;

  constructor(
    private readonly config: DeliveryConfig,
    private readonly deliveries: DeliveryRepository,
    private readonly channels: ChannelAccountRepository,
    private readonly runs: RunStatusRepository,
    private readonly publisher: EventPublisher,
    private readonly retries: RetrySchedule,
    private readonly breakers: ProviderBreakers,
    @Inject(DELIVERY_CHANNEL) private readonly channel: DeliveryChannelDefinition,
    @Inject(CHANNEL_SENDER) private readonly sender: ChannelSender,
    @Inject(CHANNEL_POLICY) private readonly policy: ChannelPolicy,
    private readonly metrics: DeliveryMetrics,
    private readonly releaser: PacedDeliveryReleaser,
    budgets: AccountBudgetRepository,
  ) {
    this.accounts = new PromiseCache(config.DELIVERY_ACCOUNT_CACHE_MS);
    this.enabledTypes = new PromiseCache(config.DELIVERY_ACCOUNT_CACHE_MS);
    this.limiter = new InFlightLimiter(config.DELIVERY_CONCURRENCY);
    this.unrecorded = new InFlightLimiter(config.DELIVERY_MAX_UNRECORDED);
    this.queues = new PaceQueues(config.DELIVERY_PARK_AFTER_MS);
    this.pacer = new SharedPacer(
      config.DELIVERY_SHARED_LIMITS === 'true' ? budgets : null,
      `${config.HERALD_TOPIC_PREFIX}pace:`,
    );
  }

  /**
   * Ticks the lease clock while the process runs: a `sending` row is taken over only once the
   * clock has ticked for a whole lease (DeliveryRepository.claim), so an outage of the database
   * never lets a consumer send again people a live sender has yet to record.
   */
  onApplicationBootstrap(): void {
    const tick = () =>
      void this.deliveries.tickLeaseClock().catch((error: unknown) => {
        this.logger.debug(`Could not tick the lease clock: ${describeError(error)}`);
      });
    tick();
    this.leaseClock = setInterval(tick, LEASE_CLOCK_TICK_MS).unref();
  }

  /** Shutdown begins: start no more sends; the batches in flight finish what is in flight and record. */
  onModuleDestroy(): void {
    clearInterval(this.leaseClock);
    this.stop.abort();
    for (const waits of this.batchWaits) waits.stop();
  }

  /** After the transport drained: nothing calls the breakers any more. */
  onApplicationShutdown(): void {
    this.breakers.shutdown();
  }

  /**
   * Delivers a batch. `consumer` is the batch's (EventBatch): it is heartbeaten while the batch
   * is sent, and once its `handBack` is aborted (the group rebalances) the batch starts no more
   * sends, gives back the people not yet sent, and throws.
   */
  async deliver(
    requests: DeliveryRequested[],
    consumer: BatchConsumer = UNCONSUMED,
  ): Promise<void> {
    const { handBack } = consumer;
    if (this.stop.signal.aborted)
      throw HeraldError.outage(
        ErrorCode.DependencyUnavailable,
        'the delivery service is shutting down',
      );
    if (handBack?.aborted) throw HeraldError.outage(ErrorCode.DependencyUnavailable, REBALANCING);
    const live: DeliveryRequested[] = [];
    // A stopped run's events are dropped, except people released from parking: their row waits
    // as pending, and is ended as cancelled below.
    for (const request of requests)
      if (request.pacedUntil !== undefined || !(await this.stopped(request.runId)))
        live.push(request);
    const claimed = await this.deliveries.claim(
      live.map((r) => ({
        runId: r.runId,
        contactId: r.contactId,
        botId: r.botId,
        channel: r.channel,
      })),
    );
    const work: DeliveryRequested[] = [];
    const refused: DeliveryRequested[] = [];
    for (const request of live)
      (claimed.delete(deliveryKey(request)) ? work : refused).push(request);
    // Fallback deliveries say on their row where the person came from and why (issue 13).
    const fallbacks = work.filter((r) => r.fallbackFrom);
    if (fallbacks.length > 0)
      await this.deliveries
        .markFallbackFrom(
          fallbacks.map((r) => ({
            runId: r.runId,
            contactId: r.contactId,
            from: `${r.fallbackFrom!.channel} could not reach them (${r.fallbackFrom!.code}: ${r.fallbackFrom!.reason})`.slice(
              0,
              1024,
            ),
          })),
        )
        .catch(async (error: unknown) => {
          // Nothing was sent yet: give the claimed rows back rather than leave them to their lease.
          await this.deliveries.release(work).catch(() => undefined);
          throw error;
        });

    const outstanding = new Map(
      work.map((r) => [deliveryKey(r), { runId: r.runId, contactId: r.contactId }]),
    );
    const recorder = new DeliveryRecorder(
      this.deliveries,
      this.publisher,
      this.retries,
      (keys) => {
        for (const key of keys) outstanding.delete(deliveryKey(key));
      },
      this.metrics,
      this.stop.signal,
    );
    try {
      await this.settleRefused(refused, recorder);
    } catch (error) {
      // Nothing was sent yet: give the claimed rows back rather than leave them to their lease.
      await this.deliveries.release(work).catch(() => undefined);
      throw error;
    }

    const timers = [
      setInterval(() => void this.renewLeases([...outstanding.values()]), LEASE_RENEW_MS),
      setInterval(() => void consumer.heartbeat().catch(() => undefined), HEARTBEAT_MS),
    ];
    const waits = new StoppableWaits();
    this.batchWaits.add(waits);
    const endWaits = () => waits.stop();
    handBack?.addEventListener('abort', endWaits, { once: true });
    // Shutdown or the rebalance may have begun while the batch was being claimed.
    if (this.notNow(handBack) !== undefined) endWaits();
    try {
      await this.sendAll(work, recorder, waits, handBack);
    } finally {
      handBack?.removeEventListener('abort', endWaits);
      this.batchWaits.delete(waits);
      try {
        // Recording may wait out a database outage: the batch keeps its partition (heartbeats)
        // and its rows' lease until what was sent is recorded.
        await recorder.close();
      } finally {
        for (const timer of timers) clearInterval(timer);
      }
    }
    if (recorder.released > 0) {
      // Not attempted because the breaker is open or the service stops: an outage, no attempt spent.
      throw HeraldError.outage(
        ErrorCode.ProviderUnavailable,
        `${recorder.released} of ${requests.length} deliveries were not attempted (${recorder.releasedReason}); their events come again`,
      );
    }
  }

  /** Why the batch must start no more sends (shutdown, or its consumer handing it back), if so. */
  private notNow(handBack: AbortSignal | undefined): string | undefined {
    if (this.stop.signal.aborted) return 'shutting down';
    return handBack?.aborted ? REBALANCING : undefined;
  }

  private async sendAll(
    work: DeliveryRequested[],
    recorder: DeliveryRecorder,
    waits: StoppableWaits,
    handBack: AbortSignal | undefined,
  ): Promise<void> {
    let next = 0;
    // Every slot of the batch waits the same way: counted, and the batch's recorder hurried.
    const hurry = () => {
      this.metrics.unrecordedWait();
      recorder.hurry();
    };
    const worker = async () => {
      for (;;) {
        const request = work[next];
        if (request === undefined) return;
        next += 1;
        const notNow = this.notNow(handBack);
        if (notNow !== undefined) {
          recorder.add(held(request, 0, notNow));
          continue;
        }
        const slot: UnrecordedSlot = { hurry };
        recorder.add(
          await this.deliverOne(request, waits, handBack, slot)
            .then((outcome) => this.orFallback(outcome))
            .catch((error: unknown) => this.unprepared(request, error)),
          slot.release,
        );
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(this.config.DELIVERY_CONCURRENCY, work.length) }, worker),
    );
  }

  private async deliverOne(
    request: DeliveryRequested,
    waits: StoppableWaits,
    handBack: AbortSignal | undefined,
    slot: UnrecordedSlot,
  ): Promise<Outcome> {
    const accounts = await this.accountsFor(request.botId, request.channel);
    if (accounts.length === 0) {
      return {
        kind: 'failed',
        request,
        code: 'NO_CHANNEL',
        reason: `the bot has no enabled ${request.channel} channel; add one in the admin API`,
      };
    }
    const keys = accounts.map((account) => this.channel.accountKey(account));
    const isOpen = (key: string) => this.breakers.isOpen(key);
    const { messages, missing } = render(request.messages, request.variables, request.payload);
    const already = request.sentMessages ?? 0;
    if (already === 0) this.metrics.missing(missing);
    let providerMessageId: string | null = null;
    let segments: number | undefined;
    let sentBy: ChannelAccount | undefined;
    /** Why accounts before the one that sent did not (provider failover), in order. */
    const failover: string[] = [];
    for (const [index, message] of messages.entries()) {
      if (index < already) continue;
      const sentSoFar = index;
      // Each message starts from the first account: traffic returns to it once it recovers.
      let at = nextAccount(keys, isOpen);
      // Accounts passed over because their breaker is open: the person was failed over too.
      for (let skipped = 0; skipped < at; skipped += 1)
        failover.push(
          `account ${accountName(accounts[skipped], skipped)} did not send (its breaker is open)`,
        );
      let outcome: SendOutcome | typeof REFUSED | typeof STOPPED | undefined;
      for (;;) {
        if (at === -1) return this.breakerOpen(request, sentSoFar, accounts, keys);
        const account = accounts[at];
        const refusal = this.policy.check(request, message, account, Date.now());
        if (refusal) {
          const reason =
            sentSoFar > 0
              ? `${refusal.reason} (after ${sentSoFar} of ${messages.length} messages were sent)`
              : refusal.reason;
          return { kind: 'failed', request, code: refusal.code, reason, sentMessages: sentSoFar };
        }
        // A run cancelled while this batch was sending (pacing can hold it for minutes) sends
        // nothing more and books no slot of the account for it: the run's status (read at most
        // every RUN_STATUS_CACHE_MS) is asked before the slot and while waiting for it.
        if (await this.cancelled(request.runId))
          return runCancelled(request, sentSoFar, messages.length);
        // An account its provider refused moments ago is not asked again yet: the person takes
        // the same answer without a call or a slot of the account (Refusals).
        const remembered = this.refusals.of(account);
        if (remembered === undefined) {
          const notNow = await this.takeTurn(
            request,
            account,
            sentSoFar,
            messages.length,
            waits,
            handBack,
          );
          if (notNow) return notNow;
          outcome = await this.sendThrough(account, keys[at], request, message, slot);
          if (outcome === STOPPED) return held(request, sentSoFar, 'shutting down');
          if (outcome !== REFUSED) this.refusals.saw(account, outcome);
        } else outcome = remembered;
        // The breaker refused (it opened meanwhile, or its half-open probe is out), or the
        // account refused for its own reasons and the provider sent nothing: the same message
        // goes through the next account whose breaker is not open, at once.
        const passOn =
          outcome === REFUSED
            ? 'its breaker is open'
            : !outcome.ok && failsOver(outcome)
              ? `${outcome.code}: ${outcome.reason}`
              : undefined;
        if (passOn === undefined) {
          sentBy = account;
          break;
        }
        const next = nextAccount(keys, isOpen, at + 1);
        if (next === -1) break;
        failover.push(`account ${accountName(account, at)} did not send (${passOn})`);
        at = next;
      }
      if (outcome === REFUSED) return this.breakerOpen(request, sentSoFar, accounts, keys);
      if (!outcome.ok) {
        const decision = decide(outcome.failure, {
          site: 'delivery',
          attempts: request.attempt + 1,
          maxAttempts: this.retries.attempts,
        });
        const tried = failover.length > 0 ? ` (after failover: ${failover.join('; ')})` : '';
        // Retries and the DLQ copy after the last one are the recorder's (the retry topics).
        return decision.action === 'retry-later' ||
          (decision.action === 'fail' && decision.deadLetter)
          ? {
              kind: 'retry',
              request,
              code: outcome.code,
              reason: `${outcome.reason}${tried}`,
              sentMessages: sentSoFar,
            }
          : {
              kind: 'failed',
              request,
              code: outcome.code,
              sentMessages: sentSoFar,
              reason:
                (sentSoFar > 0
                  ? `${outcome.reason} (after ${sentSoFar} of ${messages.length} messages were sent)`
                  : outcome.reason) + tried,
            };
      }
      providerMessageId ??= outcome.providerMessageId;
      if (outcome.segments !== undefined) segments = (segments ?? 0) + outcome.segments;
    }
    return {
      kind: 'sent',
      request,
      providerMessageId,
      ...(segments !== undefined ? { segments } : {}),
      ...(sentBy ? { accountId: sentBy.id } : {}),
      ...(failover.length > 0 ? { failover: [...new Set(failover)].join('; ') } : {}),
    };
  }

  /**
   * The person's turn in the account's pacing: undefined once it came, else how the person ends
   * here (parked behind a long queue, the run cancelled, held on shutdown or hand-back).
   */
  private async takeTurn(
    request: DeliveryRequested,
    account: ChannelAccount,
    sentSoFar: number,
    total: number,
    waits: StoppableWaits,
    handBack: AbortSignal | undefined,
  ): Promise<Outcome | undefined> {
    const scopes = this.channel.pacing(account, request.to, this.config);
    // A long queue parks the person rather than holding the batch (and its partition); a
    // person released from parking takes their turn here unless the queue is itself too long.
    const released = request.pacedUntil !== undefined;
    const park = this.queues.parkIn(scopes, released);
    // Parked people's turns follow their account's pace when it changes (follow's job).
    if (park !== null || released) this.releaser.follow(scopes);
    if (park !== null) return this.parked(request, sentSoFar, park);
    const asked = Date.now();
    // Both waits, for the account's schedule to free up and then for the slot, end early on
    // shutdown, when the batch is handed back, or when the run is cancelled.
    const pace = (ms: number) => this.waitForSlot(ms, waits, request.runId);
    const leave = this.queues.enter(scopes);
    let waited: boolean;
    try {
      const wait = await this.pacer.reserve(scopes, pace);
      if (wait !== null) this.metrics.paced(Date.now() - asked + wait);
      waited = wait !== null && (wait === 0 || (await pace(wait)));
    } finally {
      leave();
    }
    if (waited) return undefined;
    return (await this.cancelled(request.runId))
      ? runCancelled(request, sentSoFar, total)
      : held(request, sentSoFar, this.notNow(handBack) ?? 'shutting down');
  }

  /** A person parked in an account's queue: sent by the releaser when their turn comes. */
  private parked(
    request: DeliveryRequested,
    sentMessages: number,
    park: Park,
    code = 'PACED',
    reason = `parked: the account's pacing queue is longer than ${this.config.DELIVERY_PARK_AFTER_MS / 1000} s; sent when its turn comes`,
  ): Outcome {
    this.metrics.parked();
    return {
      kind: 'parked',
      request,
      sentMessages,
      park: {
        topicPrefix: this.config.HERALD_TOPIC_PREFIX,
        paceKey: park.key,
        intervalMs: park.intervalMs,
        waitMs: park.waitMs,
        code,
        reason,
      },
    };
  }

  /**
   * Every account of the person's bot has its breaker open. When the provider looks down for
   * everyone (the breakers paused the channel's topics), the person is held: given back, no
   * attempt spent, until consumption resumes. When it is this bot's accounts only (other
   * accounts of the channel send), the person is parked in the first account's queue until its
   * breaker lets a probe through, so the batch goes on and one bot's failing account holds
   * nobody else's people on the partition. With parking off (DELIVERY_PARK_AFTER_MS 0), held.
   */
  private breakerOpen(
    request: DeliveryRequested,
    sentSoFar: number,
    accounts: readonly ChannelAccount[],
    keys: readonly string[],
  ): Outcome {
    const reason = `the ${request.channel} provider's breaker is open`;
    if (this.breakers.pausing || this.config.DELIVERY_PARK_AFTER_MS <= 0)
      return held(request, sentSoFar, reason);
    const scopes = this.channel.pacing(accounts[0], request.to, this.config);
    const scope = scopes.find((s) => s.shared) ?? scopes[0];
    const now = Date.now();
    const waitMs = Math.max(
      BREAKER_PARK_MIN_MS,
      Math.min(...keys.map((key) => this.breakers.reopensIn(key, now))),
    );
    return this.parked(
      request,
      sentSoFar,
      { key: scope.key, intervalMs: 1000 / scope.rate.perSecond, waitMs },
      'BREAKER_OPEN',
      `parked: ${reason} (the account keeps failing while others send); sent when it lets calls through again`,
    );
  }

  /**
   * Channel fallback: a person this channel cannot reach ("not here") whose broadcast lists a
   * next channel the bot has is handed on to it instead of failing (fallback.ts decides).
   */
  private async orFallback(outcome: Outcome): Promise<Outcome> {
    if (outcome.kind !== 'failed' || !outcome.request.fallback?.length) return outcome;
    const { request } = outcome;
    const enabled = await this.enabledTypes.get(
      request.botId,
      async () => new Set(await this.channels.enabledTypes(request.botId)),
    );
    const next = fallbackTarget(
      request,
      outcome.code,
      outcome.sentMessages ?? 0,
      enabled,
      this.channel.notHere,
    );
    return next
      ? { kind: 'fallback', request, code: outcome.code, reason: outcome.reason, next }
      : outcome;
  }

  /**
   * One provider call through the account's breaker, bounded by the in-flight limit; the person's
   * first call also takes their slot of DELIVERY_MAX_UNRECORDED.
   */
  private async sendThrough(
    account: ChannelAccount,
    key: string,
    request: DeliveryRequested,
    message: ReturnType<typeof render>['messages'][number],
    slot: UnrecordedSlot,
  ): Promise<SendOutcome | typeof REFUSED | typeof STOPPED> {
    const outbound = {
      to: request.to,
      message,
      messagingTag: request.messagingTag,
      notificationMessagesToken: request.notificationMessagesToken,
      oneTimeNotifToken: request.oneTimeNotifToken,
    };
    try {
      // Shutdown may have begun while this send waited for a slot: then it is not made.
      return await this.limiter.run(async () => {
        // A crash repeats only people sent and not yet recorded: while too many are, the call
        // waits for their rows.
        // tryAcquire first: a free slot then costs no promise.
        slot.release ??=
          this.unrecorded.tryAcquire() ?? (await this.unrecorded.acquire(slot.hurry));
        return this.stop.signal.aborted
          ? STOPPED
          : this.breakers.call(key, () => this.sender.send(account, outbound));
      });
    } catch (error) {
      // The adapter threw: whether the provider saw the request is unknown, so no failover
      // (SEND_ERROR is retried later on the retry topics instead).
      return {
        ok: false,
        failure: 'account',
        code: 'SEND_ERROR',
        reason: (error as Error).message,
      };
    }
  }

  /**
   * Preparing the send threw (the account lookup, reading the run): nothing was sent. A database
   * that is down holds the person, spending nothing; anything else spends an attempt (retry
   * topics, then failed with a DLQ copy) or fails at once when retrying cannot help.
   */
  private unprepared(request: DeliveryRequested, error: unknown): Outcome {
    const reason = `could not prepare the send: ${describeError(error)}`;
    const decision = decide(classifyFailure(error), {
      site: 'delivery',
      attempts: request.attempt + 1,
      maxAttempts: this.retries.attempts,
    });
    if (decision.action === 'pause') return held(request, 0, reason);
    if (decision.action === 'fail' && !decision.deadLetter)
      return { kind: 'failed', request, code: 'UNPREPARED', reason };
    // Retries, and the DLQ copy after the last one, are the recorder's (the retry topics).
    const sentMessages = request.sentMessages ?? 0;
    return { kind: 'retry', request, code: 'UNPREPARED', reason, sentMessages };
  }

  /** Events whose row the claim refused: final rows are announced again, rows in progress wait. */
  private async settleRefused(
    refused: DeliveryRequested[],
    recorder: DeliveryRecorder,
  ): Promise<void> {
    if (refused.length === 0) return;
    const states = new Map(
      (await this.deliveries.statesOf(refused)).map((s) => [deliveryKey(s), s]),
    );
    const seen = new Set<string>();
    for (const request of refused) {
      const key = deliveryKey(request);
      const state = states.get(key);
      if (!state) continue;
      if (state.status === 'sending' || state.status === 'pending') {
        recorder.add({ kind: 'busy', request });
      } else if (!seen.has(key)) {
        seen.add(key);
        recorder.add({ kind: 'settled', request, state });
      }
    }
  }

  private async renewLeases(keys: DeliveryKey[]): Promise<void> {
    try {
      await this.deliveries.renewLease(keys);
    } catch (error) {
      this.logger.warn(
        `Could not renew the lease of ${keys.length} deliveries: ${(error as Error).message}`,
      );
    }
  }

  /** The bot's accounts of the channel in failover order (cached); told to the breakers' gate. */
  private accountsFor(botId: string, channel: Channel): Promise<ChannelAccount[]> {
    return this.accounts.get(`${botId}/${channel}`, async () => {
      const accounts = await this.channels.accountsFor(botId, channel);
      if (accounts.length > 0)
        this.breakers.group(
          botId,
          accounts.map((a) => this.channel.accountKey(a)),
        );
      return accounts;
    });
  }

  /**
   * Waits `ms` for pacing, a status read's worth (RUN_STATUS_CACHE_MS) at a time, and asks after
   * each step whether the run was cancelled: a cancelled run's people stop waiting within seconds
   * instead of holding their batch (and its partition) until their slots would have come round.
   * False when the wait ended early (shutdown, hand-back, or the run cancelled).
   */
  private async waitForSlot(ms: number, waits: StoppableWaits, runId: string): Promise<boolean> {
    for (let left = ms; left > 0; left -= RUN_STATUS_CACHE_MS) {
      if (!(await waits.wait(Math.min(left, RUN_STATUS_CACHE_MS)))) return false;
      if (await this.cancelled(runId)) return false;
    }
    return true;
  }

  /**
   * Whether a person about to be sent belongs to a stopped run. A failed read does not stop the
   * send: the run was live when the batch claimed the person.
   */
  private cancelled(runId: string): Promise<boolean> {
    return this.stopped(runId).catch(() => false);
  }

  /** Whether the run was cancelled or failed: its people are sent nothing more. */
  private async stopped(runId: string): Promise<boolean> {
    const status = await this.statusOf(runId);
    return status === 'cancelled' || status === 'failed';
  }

  private statusOf(runId: string): Promise<string | null> {
    return this.runStatus.get(runId, () => this.runs.statusOf(runId));
  }
}

/** How a failover reason names an account: its priority position and row id. */
function accountName(account: ChannelAccount, position: number): string {
  return `#${position + 1} (${account.id})`;
}

/**
 * A person's place among the sends not yet recorded (DELIVERY_MAX_UNRECORDED): taken before their
 * first provider call, released by the recorder once their row is written.
 */
interface UnrecordedSlot {
  release?: () => void;
  /** The slots are all taken: counted, and the batch's recorder asked to write sooner. */
  readonly hurry: () => void;
}

/** What deliver() needs of the batch's consumer (EventBatch has both). */
export interface BatchConsumer {
  heartbeat(): Promise<void>;
  readonly handBack?: AbortSignal;
}

/** A batch no consumer hands over (callers outside Kafka): nothing to heartbeat, never handed back. */
const UNCONSUMED: BatchConsumer = { heartbeat: async () => undefined };

/** A person of a run stopped before their message `sentSoFar + 1` of `total` went out. */
function runCancelled(request: DeliveryRequested, sentSoFar: number, total: number): Outcome {
  const reason =
    sentSoFar > 0
      ? `the run was cancelled before this message was sent (after ${sentSoFar} of ${total} messages were sent)`
      : 'the run was cancelled before this message was sent';
  return { kind: 'failed', request, code: 'RUN_CANCELLED', reason };
}

function held(request: DeliveryRequested, sentMessages: number, reason: string): Outcome {
  return { kind: 'held', request, sentMessages, reason };
}
