// kafkajs 2.2.4's request queue arms its throttle check with `throttledUntil - Date.now()` while
// nothing is throttled (throttledUntil = -1): a negative delay, on every broker connection. Node
// 24 runs such a timer after 1 ms, as kafkajs intends, but also prints a TimeoutNegativeWarning
// each time, which buries real warnings in every service's output.

const KAFKAJS_FRAME = /[\\/]node_modules[\\/]kafkajs[\\/]/;

/** Whether `warning` is that kafkajs timer warning (and not any other code's negative timeout). */
export function isKafkajsTimerWarning(warning: Error): boolean {
  return warning.name === 'TimeoutNegativeWarning' && KAFKAJS_FRAME.test(warning.stack ?? '');
}

let installed = false;

/**
 * Drops kafkajs's negative-timer warnings and hands every other warning to the listeners that
 * were there (Node's own, which prints it). Once per process; for entry points, not libraries.
 */
export function silenceKafkajsTimerWarnings(): void {
  if (installed) return;
  installed = true;
  const previous = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (isKafkajsTimerWarning(warning)) return;
    for (const listener of previous) listener(warning);
  });
}
