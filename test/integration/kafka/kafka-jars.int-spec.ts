// The Kafka jars are fetched by Maven on first use (scripts/lib/kafka.mjs). A download cut short by
// the network must cost one attempt, not the run: CI once failed on a registry connection reset
// mid-download. A stand-in `mvn` first on PATH fails as Maven does on a dropped connection, then
// writes the broker jar; the real Java is still required, as it is on every machine that runs this.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error plain ES module of the local scripts, without type declarations
import { ensureKafkaJars, kafkaPaths } from '../../../scripts/lib/kafka.mjs';

interface FakeMaven {
  bin: string;
  calls(): number;
}

/** An `mvn` that fails its first `failures` calls and then writes the broker jar where asked. */
function fakeMaven(dir: string, failures: number): FakeMaven {
  const counter = path.join(dir, 'calls');
  const script = `#!/bin/sh
n=$(cat "${counter}" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > "${counter}"
if [ "$n" -le ${failures} ]; then
  echo "[ERROR] Failed to execute goal: Connection reset" >&2
  exit 1
fi
for arg in "$@"; do
  case "$arg" in
    -DoutputDirectory=*) out="\${arg#-DoutputDirectory=}" ;;
    -Dkafka.version=*) version="\${arg#-Dkafka.version=}" ;;
  esac
done
mkdir -p "$out" && : > "$out/kafka_2.13-$version.jar"
`;
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'mvn'), script, { mode: 0o755 });
  return {
    bin,
    calls: () => Number(fs.readFileSync(counter, 'utf8').trim()),
  };
}

describe('fetching the Kafka jars', () => {
  const originalPath = process.env.PATH;
  let dir: string;
  let version: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-mvn-'));
    // A version no release has, so the repository's real cache is never touched.
    version = `0.0.0-retry-${randomBytes(4).toString('hex')}`;
  });

  afterEach(() => {
    process.env.PATH = originalPath;
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(path.dirname(kafkaPaths({ version }).libDir), { recursive: true, force: true });
  });

  it('tries Maven again when a download fails, and keeps the jars of the attempt that worked', async () => {
    const maven = fakeMaven(dir, 1);
    process.env.PATH = `${maven.bin}${path.delimiter}${originalPath}`;
    const lines: string[] = [];

    const libDir: string = await ensureKafkaJars({
      version,
      log: (line: string) => lines.push(line),
    });

    expect(maven.calls()).toBe(2);
    expect(fs.existsSync(path.join(libDir, `kafka_2.13-${version}.jar`))).toBe(true);
    expect(lines.join('\n')).toMatch(/Maven exited 1 \(attempt 1 of 3\); trying again/);
    // The marker is written: a later start does not ask Maven again.
    await ensureKafkaJars({ version, log: () => undefined });
    expect(maven.calls()).toBe(2);
  }, 60_000);
});
