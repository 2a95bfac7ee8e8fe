// Command-line flags of `npm run faults`, validated before anything starts.
import { SERVICE_HEAP_MB, commonFlag, list, positiveInt } from '../lib/args.mjs';
import { SERVICE_NAMES } from '../lib/herald.stack.mjs';

export const FAULT_SCENARIOS = [
  'kill-9',
  'kill-broker',
  'restart-postgres',
  'sandbox',
  'rolling-restart',
  'scale',
  'poison',
];
const DELIVERY_SERVICES = SERVICE_NAMES.filter((s) => s.startsWith('delivery-'));
const CHANNELS = ['sms', 'messenger'];

export const USAGE = `Usage: npm run faults -- [flags]

  --scenario LIST      comma-separated: ${FAULT_SCENARIOS.join(', ')} (default: all)
  --kill LIST          services kill -9'd by the kill-9 scenario, one broadcast each
                       (default: all: ${SERVICE_NAMES.join(', ')})
  --scale LIST         delivery services the scale scenario takes from 1 to 3 replicas and back
                       to 1, all at once (default: those of --channels)
  --reduced            the CI size: 3,000 contacts, 10 s outage, 10 s error and slow phases
  --contacts N         audience of each broadcast (default 20000; --reduced 3000)
  --rate R             messages/s each channel account is paced at, so a broadcast lasts long
                       enough to be hit mid-way (default 500; --reduced 250)
  --channels LIST      contacts' channels, round-robin: sms, messenger (default both)
  --nodes 1|3          Kafka layout (default 3; kill-broker needs 3)
  --stop-single        a cluster run may stop the single-node broker on 9092 even when it has
                       clients (it is restarted at the end)
  --restart-shared-postgres  restart-postgres may stop the server while other databases
                       have clients (others' tests see the outage too)
  --postgres-down S    restart-postgres: seconds PostgreSQL stays stopped (default 15; --reduced 10)
  --outage S           sandbox: seconds of outage, then S/2 of 20 % errors, then S/2 at 500 ms
                       (default 30; --reduced 10)
  --broker-down S      kill-broker: seconds the broker stays down (default 20; --reduced 10)
  --hook-rate R        kill-broker: hook calls per second during the fault (default 20)
  --retry-delays LIST  DELIVERY_RETRY_DELAYS of the stack (default 1s,5s,15s,30s)
  --concurrency N      DELIVERY_CONCURRENCY: provider calls in flight per process (default 256)
  --unrecorded N       DELIVERY_MAX_UNRECORDED: people sent and not yet recorded per process, the
                       bound on a kill -9's duplicates (default: --concurrency)
  --case-timeout S     give up on one broadcast after S seconds (default 420)
  --max-minutes M      stop the whole run after M minutes (default 60)
  --out DIR            where the JSON and report go (default bench/results)
  --label TEXT         added to the file names
  --no-build           run the dist/ already built
  --keep-db            keep the run's database
  --heap-mb N          run every Herald service with --max-old-space-size=N (default 256, as
                       deploy/k8s does; 0: Node's own limit)
  --cpu-profile DIR    write a V8 CPU profile of every Herald process into DIR
  --help`;

export function parseFaultArgs(argv) {
  const given = {};
  const options = {
    scenarios: [...FAULT_SCENARIOS],
    kill: [...SERVICE_NAMES],
    scale: null,
    reduced: false,
    channels: [...CHANNELS],
    nodes: 3,
    stopSingle: false,
    restartSharedPostgres: false,
    hookRate: 20,
    retryDelays: '1s,5s,15s,30s',
    concurrency: 256,
    unrecorded: null,
    caseTimeout: 420,
    maxMinutes: 60,
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
        options.scenarios = list(flag, take(), FAULT_SCENARIOS);
        break;
      case '--kill':
        options.kill = list(flag, take(), SERVICE_NAMES);
        break;
      case '--scale':
        options.scale = list(flag, take(), DELIVERY_SERVICES);
        break;
      case '--reduced':
        options.reduced = true;
        break;
      case '--contacts':
        given.contacts = positiveInt(flag, take(), 10, 5_000_000);
        break;
      case '--rate':
        given.rate = positiveInt(flag, take(), 1, 1_000_000);
        break;
      case '--channels':
        options.channels = list(flag, take(), CHANNELS);
        break;
      case '--nodes': {
        const raw = take();
        if (raw !== '1' && raw !== '3')
          throw new Error(`--nodes must be 1 or 3, got "${raw ?? ''}"`);
        options.nodes = Number(raw);
        break;
      }
      case '--stop-single':
        options.stopSingle = true;
        break;
      case '--restart-shared-postgres':
        options.restartSharedPostgres = true;
        break;
      case '--outage':
        given.outage = positiveInt(flag, take(), 2, 600);
        break;
      case '--broker-down':
        given.brokerDown = positiveInt(flag, take(), 1, 600);
        break;
      case '--postgres-down':
        given.postgresDown = positiveInt(flag, take(), 1, 600);
        break;
      case '--hook-rate':
        options.hookRate = positiveInt(flag, take(), 1, 500);
        break;
      case '--retry-delays': {
        const raw = take() ?? '';
        if (!/^\s*\d+(ms|s|m)(\s*,\s*\d+(ms|s|m))*\s*$/.test(raw))
          throw new Error('--retry-delays must be a list of durations such as 1s,5s,15s,30s');
        options.retryDelays = raw.replace(/\s+/g, '');
        break;
      }
      case '--concurrency':
        options.concurrency = positiveInt(flag, take(), 1, 4096);
        break;
      case '--unrecorded':
        options.unrecorded = positiveInt(flag, take(), 1, 65_536);
        break;
      case '--case-timeout':
        options.caseTimeout = positiveInt(flag, take(), 30, 7200);
        break;
      default:
        if (!commonFlag(flag, take, options)) throw new Error(`unknown flag "${argv[i]}"`);
    }
  }
  options.unrecorded ??= options.concurrency;
  options.contacts = given.contacts ?? (options.reduced ? 3_000 : 20_000);
  options.rate = given.rate ?? (options.reduced ? 250 : 500);
  options.outage = given.outage ?? (options.reduced ? 10 : 30);
  options.brokerDown = given.brokerDown ?? (options.reduced ? 10 : 20);
  options.postgresDown = given.postgresDown ?? (options.reduced ? 10 : 15);
  // A replica of a channel the broadcasts do not use would be given nothing to send.
  const sending = options.channels.map((c) => `delivery-${c}`);
  options.scale ??= sending;
  const idle = options.scale.filter((s) => !sending.includes(s));
  if (idle.length)
    throw new Error(
      `--scale: ${idle.join(', ')} sends nothing in these broadcasts (--channels ${options.channels.join(',')})`,
    );
  if (options.scenarios.includes('kill-broker') && options.nodes !== 3)
    throw new Error('kill-broker needs the 3-node cluster (--nodes 3)');
  return options;
}
