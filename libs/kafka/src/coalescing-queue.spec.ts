import { CoalescingQueue } from './coalescing-queue.js';

interface Deferred {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** A fake send that records each call and settles only when told to. */
function controlledSend<M>() {
  const calls: M[][] = [];
  const pending: Deferred[] = [];
  const send = (messages: M[]) =>
    new Promise<void>((resolve, reject) => {
      calls.push(messages);
      pending.push({ resolve, reject });
    });
  return { send, calls, pending };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('CoalescingQueue', () => {
  it('sends what accumulated while a send was in flight in one next send', async () => {
    const { send, calls, pending } = controlledSend<number>();
    const queue = new CoalescingQueue<number>(send, () => 1, { maxMessages: 5_000, maxBytes: 1e9 });

    const first = queue.push([0]);
    await tick();
    expect(calls).toEqual([[0]]);

    const rest = Array.from({ length: 100 }, (_, i) => queue.push([i + 1]));
    await tick();
    expect(calls).toHaveLength(1); // nothing else goes while the first send is in flight

    pending[0].resolve();
    await expect(first).resolves.toBeUndefined();
    await tick();
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));

    pending[1].resolve();
    await expect(Promise.all(rest)).resolves.toHaveLength(100);
    expect(queue.metrics()).toEqual({ sends: 2, messages: 101, queued: 0 });
  });

  it('bounds a send by message count and bytes, keeping a caller whole when it fits', async () => {
    const { send, calls, pending } = controlledSend<string>();
    const queue = new CoalescingQueue<string>(send, (m) => m.length, {
      maxMessages: 10,
      maxBytes: 12,
    });

    const blocker = queue.push(['x']);
    await tick();
    const callers = [
      queue.push(['a', 'b', 'c', 'd']), // 4 msgs, 4 bytes
      queue.push(['e', 'f', 'g', 'h', 'i']), // 9 msgs, 9 bytes
      queue.push(['j', 'k']), // 11 msgs > 10: next send
      queue.push(['0123456789abcdef']), // 16 bytes > 12: alone
      queue.push(['z']),
    ];
    pending[0].resolve();
    await blocker;
    for (let i = 1; i <= 4; i++) {
      await tick();
      pending[i].resolve();
    }
    await Promise.all(callers);
    expect(calls).toEqual([
      ['x'],
      ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'],
      ['j', 'k'],
      ['0123456789abcdef'],
      ['z'],
    ]);
  });

  it('spreads one caller bigger than a send over several sends, settling when all are done', async () => {
    const { send, calls, pending } = controlledSend<number>();
    const queue = new CoalescingQueue<number>(send, () => 10, { maxMessages: 4, maxBytes: 1_000 });
    let settled = false;
    const big = queue.push(Array.from({ length: 10 }, (_, i) => i)).then(() => (settled = true));
    for (let i = 0; i < 3; i++) {
      await tick();
      expect(settled).toBe(false);
      pending[i].resolve();
    }
    await big;
    expect(calls).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);

    const failing = queue.push([1, 2, 3, 4, 5]);
    await tick();
    pending[3].reject(new Error('too large'));
    await expect(failing).rejects.toThrow('too large');
    await tick();
    pending[4].resolve();
    await queue.drain();
  });

  it('rejects exactly the callers whose send failed, and goes on with the next', async () => {
    const { send, pending } = controlledSend<number>();
    const queue = new CoalescingQueue<number>(send, () => 1, { maxMessages: 5_000, maxBytes: 1e9 });

    const a = queue.push([1]);
    await tick();
    const b = queue.push([2]);
    const c = queue.push([3]);
    const failure = new Error('broker gone');
    pending[0].reject(failure);
    await expect(a).rejects.toBe(failure);
    await tick();
    pending[1].resolve();
    await expect(Promise.all([b, c])).resolves.toEqual([undefined, undefined]);
  });

  it('turns a send that throws synchronously into rejections', async () => {
    const queue = new CoalescingQueue<number>(
      () => {
        throw new Error('boom');
      },
      () => 1,
      { maxMessages: 10, maxBytes: 100 },
    );
    await expect(queue.push([1])).rejects.toThrow('boom');
  });

  it('resolves an empty push at once and drains only when everything is sent', async () => {
    const { send, pending } = controlledSend<number>();
    const queue = new CoalescingQueue<number>(send, () => 1, { maxMessages: 10, maxBytes: 100 });
    await expect(queue.push([])).resolves.toBeUndefined();
    await expect(queue.drain()).resolves.toBeUndefined();

    const sent = queue.push([1]);
    let drained = false;
    const drain = queue.drain().then(() => (drained = true));
    await tick();
    expect(drained).toBe(false);
    pending[0].resolve();
    await sent;
    await drain;
    expect(drained).toBe(true);
  });
});
