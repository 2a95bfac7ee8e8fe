// Coalesces concurrent publish calls into few produce requests. With an idempotent producer
// (maxInFlightRequests 1) one awaited send per caller serializes everything (~2k msg/s); here,
// while one send is in flight, callers queue up, and the next send carries all of them (up to
// the bounds). Each caller's promise settles with the send that carried its messages (the sends,
// when one caller alone brings more than a send may carry).

export interface QueueBounds {
  /** Most messages in one send. */
  maxMessages: number;
  /** Most estimated bytes in one send. */
  maxBytes: number;
}

interface Entry<M> {
  items: M[];
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface QueueMetrics {
  /** Sends started since creation. */
  sends: number;
  /** Messages handed to those sends. */
  messages: number;
  /** Messages waiting for a send. */
  queued: number;
}

export class CoalescingQueue<M> {
  private pending: Entry<M>[] = [];
  private queuedMessages = 0;
  private inFlight = false;
  private scheduled = false;
  private waiters: Array<() => void> = [];
  private sends = 0;
  private sent = 0;

  constructor(
    private readonly send: (messages: M[]) => Promise<void>,
    private readonly sizeOf: (message: M) => number,
    private readonly bounds: QueueBounds,
  ) {}

  /** Resolves when the send(s) that carried all of `items` succeeded; rejects when one failed. */
  push(items: M[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    const pieces = this.split(items);
    const sent = pieces.map(
      (piece) =>
        new Promise<void>((resolve, reject) => {
          this.pending.push({ ...piece, resolve, reject });
          this.queuedMessages += piece.items.length;
        }),
    );
    this.schedule();
    return sent.length === 1 ? sent[0] : Promise.all(sent).then(() => undefined);
  }

  /** Resolves once nothing is queued or in flight. */
  drain(): Promise<void> {
    if (!this.inFlight && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  metrics(): QueueMetrics {
    return { sends: this.sends, messages: this.sent, queued: this.queuedMessages };
  }

  // The first send waits one turn of the event loop (setImmediate), so calls arriving in the
  // same I/O phase (many HTTP requests parsed together) share it; later ones wait for the send in flight.
  private schedule(): void {
    if (this.inFlight || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.inFlight) return;
    if (this.pending.length === 0) {
      const waiters = this.waiters;
      this.waiters = [];
      waiters.forEach((w) => w());
      return;
    }
    const batch = this.take();
    const messages = batch.flatMap((e) => e.items);
    this.queuedMessages -= messages.length;
    this.inFlight = true;
    this.sends += 1;
    this.sent += messages.length;
    const settle = (error?: unknown, failed = false) => {
      this.inFlight = false;
      for (const entry of batch) {
        if (failed) entry.reject(error);
        else entry.resolve();
      }
      this.pump();
    };
    Promise.resolve()
      .then(() => this.send(messages))
      .then(
        () => settle(),
        (error: unknown) => settle(error, true),
      );
  }

  /** Cuts one caller's items into pieces that each fit in a send (a single oversized item stays alone). */
  private split(items: M[]): Array<{ items: M[]; bytes: number }> {
    const pieces: Array<{ items: M[]; bytes: number }> = [];
    let current: { items: M[]; bytes: number } = { items: [], bytes: 0 };
    for (const item of items) {
      const size = this.sizeOf(item);
      const full =
        current.items.length + 1 > this.bounds.maxMessages ||
        current.bytes + size > this.bounds.maxBytes;
      if (current.items.length > 0 && full) {
        pieces.push(current);
        current = { items: [], bytes: 0 };
      }
      current.items.push(item);
      current.bytes += size;
    }
    pieces.push(current);
    return pieces;
  }

  /** Whole entries in arrival order while within bounds; the first one always (even alone over the bounds). */
  private take(): Entry<M>[] {
    let count = 0;
    let bytes = 0;
    let taken = 0;
    for (const entry of this.pending) {
      const fits =
        count + entry.items.length <= this.bounds.maxMessages &&
        bytes + entry.bytes <= this.bounds.maxBytes;
      if (taken > 0 && !fits) break;
      count += entry.items.length;
      bytes += entry.bytes;
      taken += 1;
    }
    return this.pending.splice(0, taken);
  }
}
