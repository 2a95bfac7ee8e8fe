// Command-line flags of `npm run bench`, validated: a bad flag stops the run with a message
// naming it, before anything starts.
/** The services' V8 heap (MB) in both harnesses, as deploy/k8s/base/config sets it (NODE_OPTIONS). */
export const SERVICE_HEAP_MB = 256;

export const SCENARIOS = [
  'hook-accept',
  'fan-out',
  'latency',
  'memory',
  'delivery',
  'scale-out',
  'audience',
];
const CHANNELS = ['whatsapp', 'sms', 'messenger'];

export const USAGE = `Usage: npm run bench -- [flags]

  --scenario LIST        comma-separated: ${SCENARIOS.join(', ')} (default: all)
  --contacts N           fan-out audience, the memory scenario's large size, and the audience
                         scenario's saved audience (default 1000000)
  --memory-small N       the memory scenario's small size (default a tenth of --contacts)
  --channels LIST        fan-out and audience contacts' channels, round-robin (default sms,messenger; whatsapp is
                         paced at most 1,000/s per phone number)
  --delivery-contacts N  delivery: people queued for the one delivery instance (default 50000)
  --paced-rate R         delivery, scale-out: the paced account's messagesPerSecond (default 500)
  --paced-seconds S      delivery, scale-out: how long a paced case lasts at that rate (default 20)
  --duration S           hook-accept: seconds of load (default 10)
  --connections C        hook-accept: concurrent connections (default 32)
  --hook-pipeline        hook-accept: run the whole pipeline during the load, not only the gateway
  --latency-rate R       latency: hook calls per second (default 20)
  --latency-duration S   latency: seconds (default 20)
  --ceiling-duration S   fan-out: seconds of the bare undici loop against the sandbox (default 10)
  --fanout-timeout S     fan-out: give up after S seconds (default 120 + contacts/500, at most 1800)
  --stall S              fan-out: give up when nothing new reaches the sandbox for S seconds (default 90)
  --skip-ceilings        skip the limits (ProducerPerformance, undici loop, EndToEndLatency)
  --max-minutes M        stop the whole run after M minutes (default 90)
  --out DIR              where the JSON, report and charts go (default bench/results)
  --label TEXT           added to the file names
  --no-build             run the dist/ already built instead of building first
  --keep-db              keep the run's database (for a look afterwards)
  --heap-mb N            run every Herald service with --max-old-space-size=N, as deploy/k8s does
                         (default 256, the manifests' value; 0: Node's own limit, sized from this
                         machine's memory)
  --cpu-profile DIR      write a V8 CPU profile of every Herald process into DIR (open it in
                         Chrome DevTools or summarise it with bench/lib/cpu-profile.mjs), and
                         beside each, when the run ends, its flame graph (<profile>.flame.svg)
  --help`;

export const positiveInt = (name, raw, min = 1, max = 100_000_000) => {
  if (!/^\d+$/.test(raw ?? '')) throw new Error(`${name} needs a whole number, got "${raw ?? ''}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new Error(`${name} must be from ${min} to ${max}, got ${n}`);
  return n;
};
export const positiveNumber = (name, raw, min, max) => {
  const n = Number(raw);
  if (raw === undefined || raw === '' || !Number.isFinite(n) || n < min || n > max)
    throw new Error(`${name} must be a number from ${min} to ${max}, got "${raw ?? ''}"`);
  return n;
};
export const list = (name, raw, allowed) => {
  const items = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0)
    throw new Error(`${name} needs a comma-separated list of ${allowed.join(', ')}`);
  const bad = items.filter((s) => !allowed.includes(s));
  if (bad.length)
    throw new Error(`${name}: unknown ${bad.join(', ')}; known: ${allowed.join(', ')}`);
  return [...new Set(items)];
};

/** Flags both harnesses (bench and faults) take; false when `flag` is not one of them. */
export function commonFlag(flag, take, options) {
  switch (flag) {
    case '--max-minutes':
      options.maxMinutes = positiveNumber(flag, take(), 1, 24 * 60);
      return true;
    case '--out': {
      const out = take();
      if (!out) throw new Error('--out needs a directory');
      options.out = out;
      return true;
    }
    case '--label': {
      const label = take() ?? '';
      if (!/^[a-z0-9][a-z0-9-]{0,39}$/i.test(label))
        throw new Error('--label must be letters, digits and dashes (at most 40)');
      options.label = label.toLowerCase();
      return true;
    }
    case '--no-build':
      options.build = false;
      return true;
    case '--keep-db':
      options.keepDb = true;
      return true;
    case '--heap-mb': {
      const mb = positiveInt(flag, take(), 0, 16_384);
      if (mb > 0 && mb < 64) throw new Error(`--heap-mb must be 0 or from 64 to 16384, got ${mb}`);
      options.heapMb = mb || null;
      return true;
    }
    case '--cpu-profile': {
      const dir = take();
      if (!dir) throw new Error('--cpu-profile needs a directory');
      options.cpuProfile = dir;
      return true;
    }
    case '--help':
    case '-h':
      options.help = true;
      return true;
    default:
      return false;
  }
}

/** Parses argv (without node and the script) into options; throws an Error naming the bad flag. */
export function parseArgs(argv) {
  const options = {
    scenarios: [...SCENARIOS],
    contacts: 1_000_000,
    /** Unset: a tenth of --contacts (100,000 at the default million, as issue 14 compares). */
    memorySmall: undefined,
    // WhatsApp's Cloud API allows one phone number at most 1,000 messages/s (delivery-whatsapp
    // enforces it), so a one-bot WhatsApp fan-out measures that cap, not Herald: see docs/benchmark.md.
    channels: ['sms', 'messenger'],
    duration: 10,
    connections: 32,
    hookPipeline: false,
    deliveryContacts: 50_000,
    pacedRate: 500,
    pacedSeconds: 20,
    latencyRate: 20,
    latencyDuration: 20,
    ceilingDuration: 10,
    fanoutTimeout: undefined,
    stall: 90,
    skipCeilings: false,
    maxMinutes: 90,
    out: 'bench/results',
    label: '',
    build: true,
    keepDb: false,
    heapMb: SERVICE_HEAP_MB,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    let flag = argv[i];
    let value;
    const eq = flag.indexOf('=');
    if (flag.startsWith('--') && eq > 0) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    const take = () => (value !== undefined ? value : argv[++i]);
    switch (flag) {
      case '--scenario':
      case '--scenarios':
        options.scenarios = list(flag, take(), SCENARIOS);
        break;
      case '--contacts':
        options.contacts = positiveInt(flag, take(), 1, 10_000_000);
        break;
      case '--memory-small':
        options.memorySmall = positiveInt(flag, take(), 1, 10_000_000);
        break;
      case '--channels':
        options.channels = list(flag, take(), CHANNELS);
        break;
      case '--duration':
        options.duration = positiveInt(flag, take(), 1, 600);
        break;
      case '--connections':
        options.connections = positiveInt(flag, take(), 1, 1000);
        break;
      case '--delivery-contacts':
        options.deliveryContacts = positiveInt(flag, take(), 100, 10_000_000);
        break;
      case '--paced-rate':
        options.pacedRate = positiveInt(flag, take(), 10, 100_000);
        break;
      case '--paced-seconds':
        options.pacedSeconds = positiveInt(flag, take(), 2, 600);
        break;
      case '--hook-pipeline':
        options.hookPipeline = true;
        break;
      case '--latency-rate':
        options.latencyRate = positiveNumber(flag, take(), 0.1, 1000);
        break;
      case '--latency-duration':
        options.latencyDuration = positiveInt(flag, take(), 1, 600);
        break;
      case '--ceiling-duration':
        options.ceilingDuration = positiveInt(flag, take(), 1, 600);
        break;
      case '--fanout-timeout':
        options.fanoutTimeout = positiveInt(flag, take(), 10, 7200);
        break;
      case '--stall':
        options.stall = positiveInt(flag, take(), 5, 3600);
        break;
      case '--skip-ceilings':
        options.skipCeilings = true;
        break;
      default:
        if (!commonFlag(flag, take, options)) throw new Error(`unknown flag "${argv[i]}"`);
    }
  }
  options.memorySmall ??= Math.max(1, Math.floor(options.contacts / 10));
  if (options.scenarios.includes('memory') && options.memorySmall >= options.contacts) {
    throw new Error(
      `--memory-small (${options.memorySmall}) must be below --contacts (${options.contacts}): the memory scenario compares the two`,
    );
  }
  return options;
}
