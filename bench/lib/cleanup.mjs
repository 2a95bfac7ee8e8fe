// Cleanup registry for a benchmark or fault run: every resource started registers how to
// release it, and the run releases them in reverse order on success, on failure, on Ctrl-C and
// on SIGTERM, so nothing it started outlives it. (A SIGKILLed run still leaves no process behind:
// children run under the scripts' supervisor, which stops them when its parent is gone.)
const actions = [];
let running = null;

/** Registers `fn` (sync or async) to run at cleanup; returns a function that unregisters it. */
export function onCleanup(what, fn) {
  const entry = { what, fn };
  actions.push(entry);
  return () => {
    const i = actions.indexOf(entry);
    if (i >= 0) actions.splice(i, 1);
  };
}

/** True once cleanup has begun: nothing new should be started. */
export function isStopping() {
  return running !== null;
}

/** Runs every registered action once, last registered first; failures are reported, not thrown. */
export function cleanup(log = (m) => process.stderr.write(`${m}\n`)) {
  running ??= (async () => {
    while (actions.length) {
      const { what, fn } = actions.pop();
      try {
        await fn();
      } catch (err) {
        log(`cleanup: ${what} failed: ${err?.message ?? err}`);
      }
    }
  })();
  return running;
}

/** Cleans up and exits on SIGINT/SIGTERM/SIGHUP (exit code 130/143/129). */
export function cleanupOnSignals(log) {
  const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  for (const [signal, code] of Object.entries(codes)) {
    process.once(signal, () => {
      log?.(`${signal}: stopping everything this run started`);
      // A second signal while cleaning up exits at once (the supervisors still stop the children).
      process.once(signal, () => process.exit(code));
      void cleanup(log).then(() => process.exit(code));
    });
  }
}
