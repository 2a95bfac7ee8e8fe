// Dead letters (admins): records parked in a .dlq topic with why, newest first; replay one.
import { useState } from 'react';
import { api } from '../api.js';
import { ErrorText, formatTime, useLoad } from '../components.js';
import { href } from '../router.js';

interface DeadLetter {
  id: string;
  topic: string;
  at: string;
  reason: string | null;
  class: string | null;
  code: string | null;
  attempts: number | null;
  runId: string | null;
  replayedAt: string | null;
  replays: number;
}

export function DeadLettersPage() {
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const page = useLoad(
    () =>
      api<{ deadLetters: DeadLetter[]; nextCursor: string | null }>(
        'GET',
        `/admin/dead-letters?limit=50${cursor ? `&cursor=${cursor}` : ''}`,
      ),
    [cursor],
  );
  const [status, setStatus] = useState('');
  const [error, setError] = useState<unknown>();
  const letters = page.data?.deadLetters ?? [];
  return (
    <>
      <h1>Dead letters</h1>
      <p className="muted">
        Records a service could not process, parked with the reason. Replaying one publishes it
        again to its topic.
      </p>
      <ErrorText error={page.error ?? error} />
      <p role="status" className="muted">
        {status}
      </p>
      {letters.length === 0 && page.data ? <p>No dead letter.</p> : null}
      <ul className="list" aria-label="Dead letters">
        {letters.map((d) => (
          <li key={d.id} className="row">
            <span className="grow">
              <span className="mono small">{d.topic}</span> · {formatTime(d.at)}
              <br />
              {d.reason ?? '(no reason)'}{' '}
              {d.class ? <span className="badge">{d.class}</span> : null}{' '}
              {d.attempts ? <span className="small">after {d.attempts} attempt(s)</span> : null}
              {d.runId ? (
                <>
                  {' '}
                  · <a href={href(`/runs/${d.runId}`)}>its run</a>
                </>
              ) : null}
            </span>
            <button
              type="button"
              aria-label={`Replay dead letter from ${d.topic} at ${formatTime(d.at)}`}
              onClick={() => {
                api('POST', `/admin/dead-letters/${d.id}/replay`).then(() => {
                  setStatus('Replayed.');
                  page.reload();
                }, setError);
              }}
            >
              Replay{d.replays > 0 ? ` (again; ${d.replays} so far)` : ''}
            </button>
          </li>
        ))}
      </ul>
      <div className="pager">
        {cursors.length > 1 ? (
          <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>
            Previous dead letters
          </button>
        ) : null}
        {page.data?.nextCursor ? (
          <button type="button" onClick={() => setCursors([...cursors, page.data!.nextCursor])}>
            Next dead letters
          </button>
        ) : null}
      </div>
    </>
  );
}
