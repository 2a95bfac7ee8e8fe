// kafkajs 2.2.4's request queue re-arms its throttle check after every check, even with nothing
// waiting, and arms it with `throttledUntil - Date.now()`: negative when nothing is throttled
// (throttledUntil = -1), which Node runs after 1 ms. So every broker connection of every client
// runs a timer a millisecond, for ever, once its first request was answered: in the benchmark
// about 5 % of a core per idle service, and more under load (tulios/kafkajs#1704, #1751). Node 24
// also prints a TimeoutNegativeWarning each time.
//
// The check is only needed while requests wait: `push` arms it when it queues one, and an
// answered request runs the check itself. So it is armed only then, at the throttle's end or
// after kafkajs's own 10 ms interval, never with a negative delay.
import { createRequire } from 'node:module';

/** The part of kafkajs's RequestQueue this touches (kafkajs/src/network/requestQueue). */
export interface KafkajsRequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's CHECK_PENDING_REQUESTS_INTERVAL: how soon a queue kept back by in-flight requests looks again. */
const CHECK_PENDING_MS = 10;

const require = createRequire(import.meta.url);

/** kafkajs's RequestQueue class. */
export function kafkajsRequestQueueClass(): new (...args: never[]) => KafkajsRequestQueue {
  return require('kafkajs/src/network/requestQueue/index.js') as new (
    ...args: never[]
  ) => KafkajsRequestQueue;
}

let mended = false;

/** Arms kafkajs's pending-request check only while requests wait. Once per process. */
export function mendKafkajsRequestQueue(): void {
  if (mended) return;
  mended = true;
  kafkajsRequestQueueClass().prototype.scheduleCheckPendingRequests =
    function scheduleCheckPendingRequests(this: KafkajsRequestQueue): void {
      if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
      const untilUnthrottled = this.throttledUntil - Date.now();
      this.throttleCheckTimeoutId = setTimeout(
        () => {
          this.throttleCheckTimeoutId = null;
          this.checkPendingRequests();
        },
        untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_MS,
      );
    };
}
