import { jest } from '@jest/globals';
import { kafkajsRequestQueueClass, mendKafkajsRequestQueue } from './kafkajs-request-queue.js';

type Queue = ReturnType<typeof newQueue>;

function newQueue() {
  const RequestQueue = kafkajsRequestQueueClass() as unknown as new (options: object) => {
    pending: unknown[];
    throttledUntil: number;
    throttleCheckTimeoutId: NodeJS.Timeout | null;
    checkPendingRequests(): void;
    sendSocketRequest(request: unknown): void;
    destroy(): void;
  };
  const logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  return new RequestQueue({ clientId: 'spec', broker: 'localhost:9092', logger });
}

describe("kafkajs's request queue, mended", () => {
  let queue: Queue;
  beforeAll(() => mendKafkajsRequestQueue());
  beforeEach(() => {
    jest.useFakeTimers();
    queue = newQueue();
  });
  afterEach(() => {
    queue.destroy();
    jest.useRealTimers();
  });

  it('arms no timer when nothing waits (kafkajs re-armed one every millisecond, for ever)', () => {
    queue.checkPendingRequests();
    expect(queue.throttleCheckTimeoutId).toBeNull();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('sends a request kept back by a throttle when the throttle ends, then disarms', () => {
    const sent: unknown[] = [];
    queue.sendSocketRequest = (request) => sent.push(request);
    queue.throttledUntil = Date.now() + 50;
    queue.pending.push('request');
    queue.checkPendingRequests();
    expect(sent).toEqual([]);

    jest.advanceTimersByTime(49);
    expect(sent).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(sent).toEqual(['request']);
    expect(queue.throttleCheckTimeoutId).toBeNull();
    expect(jest.getTimerCount()).toBe(0);
  });
});
