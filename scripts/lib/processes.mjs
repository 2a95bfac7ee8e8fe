// Process helpers for the local-infrastructure scripts (plain Node ESM, Node >= 20, no deps).
//
// Also a tiny supervisor, run as `node processes.mjs supervise <base64url json>`: it starts a command,
// writes the command's pid to a file, forwards SIGINT/SIGTERM/SIGHUP to it, and stops it
// (SIGTERM, then SIGKILL after a grace period) as soon as the process that started the
// supervisor is gone, even if that process was SIGKILLed. `startKafka({ detached: false })`
// uses it so that `npm start` never leaves an orphan JVM behind.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Absolute path of this module (the supervisor entry point). */
export const SUPERVISOR_PATH = fileURLToPath(import.meta.url);

function procState(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S ..." — comm may contain spaces and parentheses, the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

/** True if a process with this pid exists and is not a zombie. */
export function isAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (err.code !== 'EPERM') return false;
  }
  return procState(pid) !== 'Z';
}

/** The argv of a process (Linux /proc), or null when it cannot be read. */
export function processArgs(pid) {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter(Boolean);
  } catch {
    return null;
  }
}

/** Pids of live processes whose argv satisfies `predicate` (Linux only; [] elsewhere). */
export function findProcesses(predicate) {
  let entries;
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const pids = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const args = processArgs(pid);
    if (args && args.length && predicate(args) && isAlive(pid)) pids.push(pid);
  }
  return pids;
}

export function readPidFile(file) {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function writePidFile(file, pid) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${pid}\n`);
}

export function removeFile(file) {
  try {
    fs.unlinkSync(file);
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
}

/** Resolves true if something accepts TCP connections on host:port. */
export function portOpen(port, host = '127.0.0.1', timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (open) => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Polls `check` (sync or async, truthy = done) until it succeeds or `timeoutMs` passes.
 * `check` may throw: the error is kept and reported on timeout. `abort()` returning a string
 * ends the wait early with that message (e.g. "the process exited").
 */
export async function waitFor(
  check,
  { timeoutMs, intervalMs = 250, what = 'condition', abort } = {},
) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    const reason = abort?.();
    if (reason) throw new Error(`${what}: ${reason}`);
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const detail = lastError ? ` (last error: ${lastError.message})` : '';
      throw new Error(
        `timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${detail}`,
      );
    }
    await sleep(intervalMs);
  }
}

/** Sends `signal`, waits for the process to go; escalates to SIGKILL after `graceMs`. */
export async function killAndWait(pid, { signal = 'SIGTERM', graceMs = 30_000 } = {}) {
  if (!isAlive(pid)) return { pid, wasAlive: false, killed: false };
  try {
    process.kill(pid, signal);
  } catch (err) {
    if (err.code === 'ESRCH') return { pid, wasAlive: false, killed: false };
    throw err;
  }
  const gone = async (ms) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (!isAlive(pid)) return true;
      await sleep(100);
    }
    return !isAlive(pid);
  };
  if (await gone(signal === 'SIGKILL' ? 10_000 : graceMs))
    return { pid, wasAlive: true, killed: signal === 'SIGKILL' };
  if (signal !== 'SIGKILL') {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
    if (await gone(10_000)) return { pid, wasAlive: true, killed: true };
  }
  throw new Error(
    `process ${pid} is still alive after ${signal}${signal === 'SIGKILL' ? '' : ' and SIGKILL'}`,
  );
}

/** The last `lines` lines of a text file ('' if it does not exist). */
export function tailFile(file, lines = 40) {
  let fd;
  try {
    fd = fs.openSync(file, 'r');
    const { size } = fs.fstatSync(fd);
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    return buffer
      .toString('utf8')
      .split('\n')
      .slice(-lines - 1)
      .join('\n')
      .trimEnd();
  } catch {
    return '';
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Absolute path of an executable found on PATH, or null. */
export function which(command) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      /* not here */
    }
  }
  return null;
}

/** Runs a command to completion, capturing its output. Never throws for a non-zero exit. */
export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * Runs `fn` holding an exclusive lock file (pid inside). A lock whose holder is dead is taken
 * over. Guards against two scripts (e.g. `infra up` and a test run) starting brokers at once.
 */
export async function withLock(file, fn, { timeoutMs = 300_000, what = 'lock' } = {}) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    const holder = readPidFile(file);
    let stale = holder !== null && !isAlive(holder);
    if (holder === null) {
      // Empty: being written right now, or left by a crash mid-write.
      try {
        stale = Date.now() - fs.statSync(file).mtimeMs > 5_000;
      } catch {
        stale = false; // vanished: retry at once
      }
    }
    if (stale) {
      removeFile(file);
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: ${file} is held by pid ${holder} for more than ${Math.round(timeoutMs / 1000)} s`,
      );
    }
    if (!announced && holder !== null) {
      announced = true;
      process.stderr.write(`waiting for ${what} held by pid ${holder} (${file})\n`);
    }
    await sleep(250);
  }
  try {
    return await fn();
  } finally {
    if (readPidFile(file) === process.pid) removeFile(file);
  }
}

// ---------------------------------------------------------------------------------------------
// Supervisor mode: node processes.mjs supervise <base64url of {"parentPid":1,"pidFile":"…",
//   "command":"java","args":[…],"cwd":"…","graceMs":30000}>
// The supervisor's stdout/stderr are inherited by the command (the caller points them at a log).
async function supervise(spec) {
  const { parentPid, pidFile, command, args, cwd, graceMs = 30_000 } = spec;
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  child.once('error', (err) => {
    process.stderr.write(`supervisor: cannot start ${command}: ${err.message}\n`);
    process.exit(127);
  });
  if (child.pid) writePidFile(pidFile, child.pid);
  let stopping = false;
  const stop = (signal) => {
    if (stopping || child.exitCode !== null || child.signalCode !== null) return;
    stopping = true;
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
    setTimeout(() => {
      try {
        child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }, graceMs).unref();
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop('SIGTERM'));
  const watchdog = setInterval(() => {
    // Re-parented (the starter died, even by SIGKILL) or the starter's pid is gone.
    if (process.ppid !== parentPid || !isAlive(parentPid)) stop('SIGTERM');
  }, 500);
  child.once('exit', (code, signal) => {
    clearInterval(watchdog);
    if (readPidFile(pidFile) === child.pid) removeFile(pidFile);
    process.exit(code ?? (signal ? 128 + (signalNumber(signal) ?? 0) : 1));
  });
}

function signalNumber(name) {
  return { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }[name];
}

if (
  process.argv[1] &&
  path.resolve(process.argv[1]) === SUPERVISOR_PATH &&
  process.argv[2] === 'supervise'
) {
  supervise(JSON.parse(Buffer.from(process.argv[3], 'base64url').toString('utf8'))).catch((err) => {
    process.stderr.write(`supervisor: ${err.stack ?? err}\n`);
    process.exit(1);
  });
}
