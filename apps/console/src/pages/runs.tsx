// Runs: lists per bot and per broadcast (newest first, keyset pages), and a run's page whose
// status, counts and progress update while you watch (polling once a second until the run
// ends), with every recipient: deliveries by status, and the skipped people with the reason.
import { useEffect, useRef, useState } from 'react';
import { api, FINAL_STATUSES, type Delivery, type Me, type Run, type Skip } from '../api.js';
import { ErrorText, StatusBadge, formatTime, useLoad } from '../components.js';
import { href } from '../router.js';

const POLL_MS = 1000;

interface RunList {
  runs: Run[];
  nextCursor: string | null;
}

export function RunsPage({ botId, broadcastId }: { botId?: string; broadcastId?: string }) {
  const base = botId ? `/admin/bots/${botId}/runs` : `/admin/broadcasts/${broadcastId}/runs`;
  const [extra, setExtra] = useState<Run[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const first = useLoad(async () => {
    const page = await api<RunList>('GET', `${base}?limit=50`);
    setExtra([]);
    setCursor(page.nextCursor);
    return page.runs;
  }, [base]);
  const runs = [...(first.data ?? []), ...extra];
  return (
    <>
      <h1>{botId ? 'Runs of this bot' : 'Runs of this broadcast'}</h1>
      <p className="links">
        {botId ? (
          <a href={href(`/bots/${botId}`)}>← Broadcasts</a>
        ) : (
          <a href={href(`/broadcasts/${broadcastId}`)}>← The broadcast</a>
        )}
      </p>
      <ErrorText error={first.error} />
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Runs, newest first">
        <table>
          <caption className="sr-only">Runs, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Status</th>
              <th scope="col">Source</th>
              <th scope="col">Targeted</th>
              <th scope="col">Sent</th>
              <th scope="col">Failed</th>
              <th scope="col">Skipped</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id}>
                <td>
                  <a href={href(`/runs/${r.id}`)}>{formatTime(r.createdAt)}</a>
                </td>
                <td>
                  <StatusBadge status={r.status} />
                </td>
                <td>{r.source}</td>
                <td>{r.counts.targeted}</td>
                <td>{r.counts.sent}</td>
                <td>{r.counts.failed}</td>
                <td>{r.counts.skipped}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {runs.length === 0 && first.data ? <p className="muted">No run yet.</p> : null}
      {cursor ? (
        <button
          type="button"
          onClick={() => {
            void api<RunList>('GET', `${base}?limit=50&cursor=${cursor}`).then((page) => {
              setExtra((e) => [...e, ...page.runs]);
              setCursor(page.nextCursor);
            });
          }}
        >
          Load more runs
        </button>
      ) : null}
    </>
  );
}

export function RunPage({ runId, me }: { runId: string; me: Me }) {
  const [run, setRun] = useState<Run>();
  const [error, setError] = useState<unknown>();
  const [cancelError, setCancelError] = useState<unknown>();
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = () => {
      api<Run>('GET', `/admin/runs/${runId}`).then(
        (r) => {
          if (!live) return;
          setRun(r);
          setError(undefined);
          setVersion((v) => v + 1);
          if (!FINAL_STATUSES.includes(r.status)) timer = setTimeout(poll, POLL_MS);
        },
        (e: unknown) => {
          if (!live) return;
          setError(e);
          timer = setTimeout(poll, POLL_MS * 2);
        },
      );
    };
    poll();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [runId]);

  if (!run) return error ? <ErrorText error={error} /> : <p aria-busy="true">Loading…</p>;
  const c = run.counts;
  const settled = c.sent + c.failed + c.skipped;
  const final = FINAL_STATUSES.includes(run.status);
  return (
    <>
      <p className="links">
        {run.broadcastId ? (
          <a href={href(`/broadcasts/${run.broadcastId}/runs`)}>← Runs of the broadcast</a>
        ) : null}
      </p>
      <h1>Run</h1>
      <p className="mono small">{run.id}</p>
      <section className="card" aria-labelledby="progress-h">
        <h2 id="progress-h">
          Status: <StatusBadge status={run.status} />
        </h2>
        {run.reason ? <p>{run.reason}</p> : null}
        <label htmlFor="run-progress">
          {settled.toLocaleString()} of {c.targeted.toLocaleString()} settled
        </label>
        <progress
          id="run-progress"
          max={Math.max(c.targeted, 1)}
          value={final && c.targeted === 0 ? 1 : settled}
        />
        <dl className="counts" aria-label="Counts" aria-live="polite">
          {(['targeted', 'sent', 'delivered', 'read', 'failed', 'skipped'] as const).map((k) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd data-count={k}>{c[k].toLocaleString()}</dd>
            </div>
          ))}
        </dl>
        <p className="muted small">
          Started {formatTime(run.createdAt)}
          {run.finishedAt ? `, finished ${formatTime(run.finishedAt)}` : ''}.
        </p>
        {!final && me.role !== 'mobile_operator' ? (
          <button
            type="button"
            className="danger"
            onClick={() => {
              api<Run>('POST', `/admin/runs/${run.id}/cancel`).then(setRun, setCancelError);
            }}
          >
            Cancel run
          </button>
        ) : null}
        <ErrorText error={cancelError ?? error} />
      </section>
      <Held runId={run.id} version={final ? -1 : version} />
      <Deliveries runId={run.id} version={final ? -1 : version} />
      <Skipped runId={run.id} version={final ? -1 : version} />
    </>
  );
}

const DELIVERY_STATUSES = ['', 'pending', 'sending', 'sent', 'delivered', 'read', 'failed'];

/** One keyset page at a time (a 100,000-person run opens as fast as a small one). */
function Deliveries({ runId, version }: { runId: string; version: number }) {
  const [status, setStatus] = useState('');
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const page = useLoad(
    () =>
      api<{ deliveries: Delivery[]; nextCursor: string | null }>(
        'GET',
        `/admin/runs/${runId}/deliveries?limit=50${status ? `&status=${status}` : ''}${cursor ? `&cursor=${cursor}` : ''}`,
      ),
    [runId, status, cursor, cursors.length === 1 ? version : 0],
  );
  return (
    <section className="card" aria-labelledby="deliveries-h">
      <h2 id="deliveries-h">Recipients</h2>
      <label htmlFor="delivery-status">Show status</label>{' '}
      <select
        id="delivery-status"
        value={status}
        onChange={(e) => {
          setStatus(e.target.value);
          setCursors([null]);
        }}
      >
        {DELIVERY_STATUSES.map((s) => (
          <option key={s} value={s}>
            {s || 'any'}
          </option>
        ))}
      </select>
      <ErrorText error={page.error} />
      <div
        className="table-wrap"
        tabIndex={0}
        role="region"
        aria-label="Recipients and their delivery status"
      >
        <table>
          <caption className="sr-only">Recipients and their delivery status</caption>
          <thead>
            <tr>
              <th scope="col">Recipient</th>
              <th scope="col">Channel</th>
              <th scope="col">Status</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {(page.data?.deliveries ?? []).map((d) => (
              <tr key={d.contactId}>
                <td className="mono">{d.userId ?? d.contactId}</td>
                <td>{d.channel}</td>
                <td>
                  <StatusBadge status={d.status} />
                </td>
                <td>{d.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager
        cursors={cursors}
        setCursors={setCursors}
        next={page.data?.nextCursor ?? null}
        what="recipients"
      />
    </section>
  );
}

function Pager({
  cursors,
  setCursors,
  next,
  what,
}: {
  cursors: Array<string | null>;
  setCursors: (c: Array<string | null>) => void;
  next: string | null;
  what: string;
}) {
  return (
    <div className="pager">
      {cursors.length > 1 ? (
        <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous {what}
        </button>
      ) : null}
      {next ? (
        <button type="button" onClick={() => setCursors([...cursors, next])}>
          Next {what}
        </button>
      ) : null}
    </div>
  );
}

function Skipped({ runId, version }: { runId: string; version: number }) {
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const page = useLoad(
    () =>
      api<{ skips: Skip[]; nextCursor: string | null }>(
        'GET',
        `/admin/runs/${runId}/skips?limit=50${cursor ? `&cursor=${cursor}` : ''}`,
      ),
    [runId, cursor, cursors.length === 1 ? version : 0],
  );
  const [open, setOpen] = useState<Skip>();
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    if (open) dialog.current?.showModal();
  }, [open]);
  const skips = page.data?.skips ?? [];
  return (
    <section className="card" aria-labelledby="skipped-h">
      <h2 id="skipped-h">Skipped</h2>
      <ErrorText error={page.error} />
      {skips.length === 0 && page.data ? <p className="muted">Nobody was skipped.</p> : null}
      <ul className="list" aria-label="Skipped recipients">
        {skips.map((s) => (
          <li key={s.id} className="row">
            <span className="grow mono">{s.recipient ?? s.contactId ?? s.id}</span>
            <button
              type="button"
              onClick={() => setOpen(s)}
              aria-label={`Why was ${s.recipient ?? 'this recipient'} skipped?`}
            >
              Why?
            </button>
          </li>
        ))}
      </ul>
      <Pager
        cursors={cursors}
        setCursors={setCursors}
        next={page.data?.nextCursor ?? null}
        what="skipped"
      />
      <dialog ref={dialog} aria-labelledby="skip-h" onClose={() => setOpen(undefined)}>
        {open ? (
          <>
            <h3 id="skip-h">Skipped: {open.recipient ?? open.contactId}</h3>
            <p className="reason">{open.reason}</p>
            <p className="muted small">
              {open.channel ? `Channel ${open.channel}. ` : ''}
              {formatTime(open.at)}
            </p>
            <form method="dialog">
              <button type="submit" autoFocus>
                Close
              </button>
            </form>
          </>
        ) : null}
      </dialog>
    </section>
  );
}

interface HeldPage {
  counts: { scheduled: number; released: number };
  held: Array<{
    contactId: string;
    recipient: string;
    status: string;
    dueAt: string;
    zone: string;
    reason: string;
  }>;
}

/** People waiting for their send window (shown only when the run has any). */
function Held({ runId, version }: { runId: string; version: number }) {
  const page = useLoad(
    () => api<HeldPage>('GET', `/admin/runs/${runId}/held?limit=20`),
    [runId, version],
  );
  const counts = page.data?.counts;
  if (!counts || counts.scheduled + counts.released === 0) return null;
  return (
    <section className="card" aria-labelledby="held-h">
      <h2 id="held-h">Held by their send window</h2>
      <p>
        {counts.scheduled} waiting, {counts.released} released.
      </p>
      <ul className="list" aria-label="Held recipients">
        {(page.data?.held ?? []).map((h) => (
          <li key={h.contactId} className="row">
            <span className="grow mono">{h.recipient}</span>
            <span className="small">
              {h.status === 'scheduled' ? `until ${formatTime(h.dueAt)} (${h.zone})` : 'released'}:{' '}
              {h.reason}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
