// Broadcast lists with the execute button beside each entry (absent when the broadcast's
// executeButton setting is off), and the form that creates one.
import { useState, type FormEvent } from 'react';
import { api, type Bot, type Broadcast, type ListedBroadcast, type Me } from '../api.js';
import { ErrorText, Field, useLoad } from '../components.js';
import { go, href } from '../router.js';

function ExecuteButton({ broadcast }: { broadcast: { id: string; name: string } }) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  return (
    <>
      <button
        type="button"
        className="primary"
        disabled={busy}
        aria-label={`Execute ${broadcast.name}`}
        onClick={() => {
          setBusy(true);
          api<{ run_id: string }>('POST', `/admin/broadcasts/${broadcast.id}/run`).then(
            (accepted) => go(`/runs/${accepted.run_id}`),
            (e: unknown) => {
              setError(e);
              setBusy(false);
            },
          );
        }}
      >
        Execute
      </button>
      <ErrorText error={error} />
    </>
  );
}

interface Listed {
  broadcasts: ListedBroadcast[];
  nextCursor: string | null;
}

export function BroadcastsPage({ botId }: { botId: string }) {
  const [pages, setPages] = useState<ListedBroadcast[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const bot = useLoad(() => api<Bot>('GET', `/admin/bots/${botId}`), [botId]);
  const first = useLoad(async () => {
    const page = await api<{ broadcasts: Broadcast[]; nextCursor: string | null }>(
      'GET',
      `/admin/bots/${botId}/broadcasts?limit=50`,
    );
    setPages([]);
    setCursor(page.nextCursor);
    return page.broadcasts;
  }, [botId]);
  const more = () => {
    if (!cursor) return;
    void api<{ broadcasts: Broadcast[]; nextCursor: string | null }>(
      'GET',
      `/admin/bots/${botId}/broadcasts?limit=50&cursor=${cursor}`,
    ).then((page) => {
      setPages((p) => [...p, ...page.broadcasts]);
      setCursor(page.nextCursor);
    });
  };
  const all = [...(first.data ?? []), ...pages] as Broadcast[];
  return (
    <>
      <h1>Broadcasts{bot.data ? ` of ${bot.data.name}` : ''}</h1>
      <p className="links">
        <a href={href(`/bots/${botId}/runs`)}>Runs of this bot</a> ·{' '}
        <a href={href(`/bots/${botId}/setup`)}>Tokens, channels and blocks</a> ·{' '}
        <a href={href(`/bots/${botId}/contacts`)}>Contacts</a>
      </p>
      <ErrorText error={first.error ?? bot.error} />
      <ul className="list" aria-label="Broadcasts">
        {all.map((b) => (
          <li key={b.id} className="row">
            <a href={href(`/broadcasts/${b.id}`)} className="grow">
              {b.name}
            </a>
            {!b.settings.enabled ? <span className="badge">disabled</span> : null}
            {b.settings.visibleToMobileOperators ? <span className="badge">mobile</span> : null}
            <a href={href(`/broadcasts/${b.id}/runs`)} aria-label={`Runs of ${b.name}`}>
              Runs
            </a>
            {b.settings.executeButton ? <ExecuteButton broadcast={b} /> : null}
          </li>
        ))}
      </ul>
      {all.length === 0 && first.data ? <p className="muted">No broadcast yet.</p> : null}
      {cursor ? (
        <button type="button" onClick={more}>
          Load more
        </button>
      ) : null}
      <CreateBroadcast botId={botId} />
    </>
  );
}

function CreateBroadcast({ botId }: { botId: string }) {
  const [name, setName] = useState('');
  const [text, setText] = useState('Hello {{first_name}}');
  const [error, setError] = useState<unknown>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    api<Broadcast>('POST', `/admin/bots/${botId}/broadcasts`, {
      name,
      content: { messages: [{ text }] },
    }).then((b) => go(`/broadcasts/${b.id}`), setError);
  };
  return (
    <form onSubmit={submit} className="card">
      <h2>New broadcast</h2>
      <Field label="Broadcast name">
        {(id) => (
          <input
            id={id}
            required
            maxLength={200}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        )}
      </Field>
      <Field
        label="Message"
        help="{{variable}} renders the contact's variable, e.g. {{first_name}}. Choose a block or a WhatsApp template in the editor."
      >
        {(id) => (
          <textarea
            id={id}
            required
            rows={3}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        )}
      </Field>
      <button type="submit" className="primary">
        Create broadcast
      </button>
      <ErrorText error={error} />
    </form>
  );
}

/** Broadcasts across the operator's bots; for a mobile operator only those visible to mobile operators. */
export function ConsoleBroadcastsPage({ me }: { me: Me }) {
  const [extra, setExtra] = useState<ListedBroadcast[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const first = useLoad(async () => {
    const page = await api<Listed>('GET', '/admin/console/broadcasts?limit=50');
    setCursor(page.nextCursor);
    return page.broadcasts;
  }, []);
  const all = [...(first.data ?? []), ...extra];
  const mobile = me.role === 'mobile_operator';
  return (
    <>
      <h1>{mobile ? 'My broadcasts' : 'All broadcasts'}</h1>
      {mobile ? (
        <p className="muted">The broadcasts your bots made visible to mobile operators.</p>
      ) : null}
      <ErrorText error={first.error} />
      <ul className="list cards" aria-label="Broadcasts">
        {all.map((b) => (
          <li key={b.id} className="row">
            <span className="grow">
              {mobile ? b.name : <a href={href(`/broadcasts/${b.id}`)}>{b.name}</a>}
              <span className="muted small"> {b.botName}</span>
            </span>
            <a href={href(`/broadcasts/${b.id}/runs`)} aria-label={`Runs of ${b.name}`}>
              Runs
            </a>
            {b.executeButton ? <ExecuteButton broadcast={b} /> : null}
          </li>
        ))}
      </ul>
      {all.length === 0 && first.data ? <p className="muted">No broadcast to show.</p> : null}
      {cursor ? (
        <button
          type="button"
          onClick={() => {
            void api<Listed>('GET', `/admin/console/broadcasts?limit=50&cursor=${cursor}`).then(
              (page) => {
                setExtra((e) => [...e, ...page.broadcasts]);
                setCursor(page.nextCursor);
              },
            );
          }}
        >
          Load more
        </button>
      ) : null}
    </>
  );
}
