// InFlightLimiter: a slot per holder up to the limit; the next waits, hurrying the holders once.
import { InFlightLimiter } from './in-flight-limiter.js';

/** Whether `promise` has settled once the microtasks queued so far have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('InFlightLimiter', () => {
  it('gives slots up to its limit; the next waits, calling onFull, until a slot is released', async () => {
    const limiter = new InFlightLimiter(2);
    let full = 0;
    const onFull = () => (full += 1);
    const first = await limiter.acquire(onFull);
    await limiter.acquire(onFull);
    expect(full).toBe(0);

    const third = limiter.acquire(onFull);
    expect(await settled(third)).toBe(false);
    expect(full).toBe(1);
    expect(limiter.taken).toBe(2);

    first();
    expect(await settled(third)).toBe(true);
    // The freed slot went to the waiter: still two taken.
    expect(limiter.taken).toBe(2);
  });

  it('frees a slot once however often its release is called', async () => {
    const limiter = new InFlightLimiter(1);
    const release = await limiter.acquire();
    const [second, third] = [limiter.acquire(), limiter.acquire()];
    release();
    release();
    expect(await settled(second)).toBe(true);
    expect(await settled(third)).toBe(false);
    (await second)();
    expect(await settled(third)).toBe(true);
    (await third)();
    expect(limiter.taken).toBe(0);
  });

  it('runs work within a slot and frees it when the work throws', async () => {
    const limiter = new InFlightLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(limiter.taken).toBe(0);
    expect(await limiter.run(() => Promise.resolve(7))).toBe(7);
  });
});
