// The pacing waits of a delivery service, all ended at once when it stops. Thousands of sends
// can be waiting for their slot at a time: with an AbortSignal per wait they would all listen
// on one signal, and Node's EventTarget walks its listeners on every add (about 5 % of a paced
// delivery service's CPU). Here a wait is one timer and one entry in a set.

export class StoppableWaits {
  private readonly waiting = new Set<() => void>();
  private stopped = false;

  /** Resolves to true after `ms`, or to false as soon as the service stops (at once if it has). */
  wait(ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const cancel = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.waiting.delete(cancel);
        resolve(true);
      }, ms);
      this.waiting.add(cancel);
    });
  }

  /** Ends every wait (each resolves to false) and every later one. */
  stop(): void {
    this.stopped = true;
    const waiting = [...this.waiting];
    this.waiting.clear();
    for (const cancel of waiting) cancel();
  }

  /** Waits not yet ended. */
  get size(): number {
    return this.waiting.size;
  }
}
