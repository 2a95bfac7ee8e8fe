// A bot's contacts: keyset pages, each contact's variables and opt-out state, and a CSV import
// sent in chunks with a progress bar (columns: channel, user_id, then any variables).
import { useState } from 'react';
import { api } from '../api.js';
import { ErrorText, formatTime, useLoad } from '../components.js';
import { parseCsv } from '../csv.js';
import { href } from '../router.js';

interface Contact {
  id: string;
  channel: string;
  userId: string;
  phone: string | null;
  email: string | null;
  variables: Record<string, unknown>;
  optedOutAt: string | null;
  lastSeen: string;
}

const CHUNK = 1000;

interface ContactRun {
  runId: string;
  source: string;
  runStatus: string;
  deliveryStatus: string;
  reason: string | null;
  createdAt: string;
}

function ContactDetails({ botId, contact }: { botId: string; contact: Contact }) {
  const runs = useLoad(
    () =>
      api<{ runs: ContactRun[] }>(
        'GET',
        `/admin/bots/${botId}/contacts/${contact.id}/runs?limit=20`,
      ),
    [botId, contact.id],
  );
  return (
    <section className="card" aria-labelledby="contact-h">
      <h2 id="contact-h">Contact {contact.userId}</h2>
      <dl>
        <dt>Channel</dt>
        <dd>{contact.channel}</dd>
        <dt>Opted out</dt>
        <dd>{contact.optedOutAt ? `yes, since ${formatTime(contact.optedOutAt)}` : 'no'}</dd>
        <dt>Variables</dt>
        <dd>
          {Object.keys(contact.variables).length === 0
            ? 'none'
            : Object.entries(contact.variables)
                .map(([k, v]) => `${k} = ${String(v)}`)
                .join('; ')}
        </dd>
      </dl>
      <h3>Runs that reached them</h3>
      <ErrorText error={runs.error} />
      <ul className="list" aria-label="Runs that reached this contact">
        {(runs.data?.runs ?? []).map((r) => (
          <li key={r.runId} className="row">
            <a className="grow" href={href(`/runs/${r.runId}`)}>
              {formatTime(r.createdAt)} ({r.source})
            </a>
            <span className="badge">{r.deliveryStatus}</span>
            {r.reason ? <span className="small">{r.reason}</span> : null}
          </li>
        ))}
      </ul>
      {runs.data?.runs.length === 0 ? <p className="muted">No run has reached them yet.</p> : null}
    </section>
  );
}

export function ContactsPage({ botId }: { botId: string }) {
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState<Contact>();
  const page = useLoad(
    () =>
      search
        ? api<{ contacts: Contact[]; nextCursor: string | null }>(
            'GET',
            `/admin/bots/${botId}/contacts/search?q=${encodeURIComponent(search)}&limit=50${cursor ? `&cursor=${cursor}` : ''}`,
          )
        : api<{ contacts: Contact[]; nextCursor: string | null }>(
            'GET',
            `/admin/bots/${botId}/contacts?limit=50${cursor ? `&cursor=${cursor}` : ''}`,
          ),
    [botId, cursor, search],
  );
  const [progress, setProgress] = useState<{ done: number; total: number }>();
  const [importError, setImportError] = useState<unknown>();
  const [imported, setImported] = useState('');

  const importFile = async (file: File) => {
    setImportError(undefined);
    setImported('');
    const rows = parseCsv(await file.text());
    const [header, ...data] = rows;
    if (!header || !header.includes('channel') || !header.includes('user_id')) {
      setImportError(
        new Error(
          'The CSV needs a header row with channel and user_id columns (other columns become variables).',
        ),
      );
      return;
    }
    const contacts = data.map((cells) => {
      const entry: Record<string, unknown> = {};
      const variables: Record<string, string> = {};
      header.forEach((name, i) => {
        const value = cells[i] ?? '';
        if (name === 'channel' || name === 'user_id') entry[name] = value;
        else if (value !== '') variables[name] = value;
      });
      return { ...entry, variables };
    });
    setProgress({ done: 0, total: contacts.length });
    try {
      for (let i = 0; i < contacts.length; i += CHUNK) {
        await api('POST', `/admin/bots/${botId}/contacts`, contacts.slice(i, i + CHUNK));
        setProgress({ done: Math.min(i + CHUNK, contacts.length), total: contacts.length });
      }
      setImported(`${contacts.length} contacts imported.`);
      setCursors([null]);
    } catch (e) {
      setImportError(e);
    }
  };

  return (
    <>
      <p className="links">
        <a href={href(`/bots/${botId}`)}>← Broadcasts of this bot</a>
      </p>
      <h1>Contacts</h1>
      <section className="card" aria-labelledby="import-h">
        <h2 id="import-h">Import a CSV</h2>
        <label>
          CSV file (columns channel, user_id, then variables){' '}
          <input
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void importFile(file);
            }}
          />
        </label>
        {progress ? (
          <>
            <label htmlFor="import-progress">
              {progress.done} of {progress.total} imported
            </label>
            <progress
              id="import-progress"
              max={Math.max(progress.total, 1)}
              value={progress.done}
            />
          </>
        ) : null}
        <p role="status" className="muted">
          {imported}
        </p>
        <ErrorText error={importError} />
      </section>
      <form
        className="row"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(query.trim());
          setCursors([null]);
          setSelected(undefined);
        }}
      >
        <label className="grow">
          Search contacts (id, phone, email, or variable=value){' '}
          <input
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder="+15551234567 or first_name=Ada"
          />
        </label>
        <button type="submit">Search</button>
      </form>
      {selected ? <ContactDetails botId={botId} contact={selected} /> : null}
      <ErrorText error={page.error} />
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Contacts">
        <table>
          <caption className="sr-only">Contacts</caption>
          <thead>
            <tr>
              <th scope="col">User id</th>
              <th scope="col">Channel</th>
              <th scope="col">Variables</th>
              <th scope="col">Opted out</th>
              <th scope="col">Last seen</th>
            </tr>
          </thead>
          <tbody>
            {(page.data?.contacts ?? []).map((c) => (
              <tr key={c.id}>
                <td className="mono">
                  <button
                    type="button"
                    onClick={() => setSelected(c)}
                    aria-label={`Details of ${c.userId}`}
                  >
                    {c.userId}
                  </button>
                </td>
                <td>{c.channel}</td>
                <td className="small">
                  {Object.entries(c.variables)
                    .map(([k, v]) => `${k}=${String(v)}`)
                    .join(', ')}
                </td>
                <td>{c.optedOutAt ? `yes, ${formatTime(c.optedOutAt)}` : 'no'}</td>
                <td>{formatTime(c.lastSeen)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="pager">
        {cursors.length > 1 ? (
          <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>
            Previous contacts
          </button>
        ) : null}
        {page.data?.nextCursor ? (
          <button type="button" onClick={() => setCursors([...cursors, page.data!.nextCursor])}>
            Next contacts
          </button>
        ) : null}
      </div>
    </>
  );
}
