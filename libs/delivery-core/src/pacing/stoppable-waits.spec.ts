import { jest } from '@jest/globals';
import { StoppableWaits } from './stoppable-waits.js';

describe('StoppableWaits', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('resolves true once its time has passed, and forgets the wait', async () => {
    const waits = new StoppableWaits();
    let ended: boolean | undefined;
    void waits.wait(100).then((slept) => (ended = slept));
    await jest.advanceTimersByTimeAsync(99);
    expect(ended).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    expect(ended).toBe(true);
    expect(waits.size).toBe(0);
  });

  it('ends every wait with false when stopped, leaving no timer, and refuses later ones', async () => {
    const waits = new StoppableWaits();
    const pending = [waits.wait(1_000), waits.wait(60_000), waits.wait(5)];
    expect(waits.size).toBe(3);
    waits.stop();
    await expect(Promise.all(pending)).resolves.toEqual([false, false, false]);
    expect(jest.getTimerCount()).toBe(0);
    expect(waits.size).toBe(0);
    await expect(waits.wait(10)).resolves.toBe(false);
    expect(jest.getTimerCount()).toBe(0);
  });
});
