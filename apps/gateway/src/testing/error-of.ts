import { HeraldError } from '@herald/errors';

/** The HeraldError `fn` throws; fails the test when it throws nothing or something else. */
export function errorOf(fn: () => unknown): HeraldError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  if (thrown === undefined) throw new Error('expected a HeraldError, nothing was thrown');
  if (!(thrown instanceof HeraldError))
    throw new Error(`expected a HeraldError, got ${String(thrown)}`);
  return thrown;
}
