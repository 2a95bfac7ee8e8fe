// Small HTTP helpers for the harness's own calls (admin API, sandbox inspection, health).
/* global AbortSignal */
import net from 'node:net';

/** Calls `url` and parses a JSON answer; throws with the status and body unless `allow` has it. */
export async function requestJson(
  method,
  url,
  { body, headers = {}, timeoutMs = 30_000, allow = [] } = {},
) {
  const response = await fetch(url, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  if (!response.ok && !allow.includes(response.status)) {
    const error = new Error(
      `${method} ${url} → ${response.status} ${typeof parsed === 'string' ? parsed : JSON.stringify(parsed)}`,
    );
    error.status = response.status;
    error.body = parsed;
    throw error;
  }
  return { status: response.status, body: parsed };
}

export const getJson = async (url, options) => (await requestJson('GET', url, options)).body;

/**
 * Ports below Linux's ephemeral range (32768–60999 by default): the OS hands those to outgoing
 * connections, so a port found free there can be taken by a Kafka or PostgreSQL client before
 * the service that was meant to listen on it starts (EADDRINUSE).
 */
const PORT_RANGE = { from: 20_000, to: 32_000 };

function tryListen(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Ports this process has handed out: each once, so two services of a stack never share one. */
const handedOut = new Set();

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, outside the ephemeral range, and not handed
 * out before by this process (a port found free is free again until its service listens, so a
 * second pick could return it: EADDRINUSE at the second service's start).
 */
export async function freePort() {
  for (let tries = 0; tries < 200; tries++) {
    const port = PORT_RANGE.from + Math.floor(Math.random() * (PORT_RANGE.to - PORT_RANGE.from));
    if (handedOut.has(port)) continue;
    if (await tryListen(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port between ${PORT_RANGE.from} and ${PORT_RANGE.to}`);
}

/** Resolves once GET `url` answers 2xx; rejects after `timeoutMs` or when `abort()` names a reason. */
export async function waitHttpOk(url, { timeoutMs = 90_000, abort, what = url } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    const reason = abort?.();
    if (reason) throw new Error(`${what}: ${reason}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (err) {
      last = err.cause?.code ?? err.message;
    }
    if (Date.now() > deadline)
      throw new Error(`${what} was not ready at ${url} within ${timeoutMs / 1000} s (${last})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
