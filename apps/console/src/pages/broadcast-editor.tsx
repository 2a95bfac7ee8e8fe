// The broadcast editor: content, the saved audience (12 criteria, AND/OR, a live count), the
// From-API recipients with their Check, every setting as a labelled toggle, and the hook URL
// with a ready-to-paste curl per payload mode.
import { useEffect, useId, useState, type FormEvent } from 'react';
import {
  api,
  CRITERIA,
  type Audience,
  type Block,
  type Broadcast,
  type Filter,
  type Settings,
} from '../api.js';
import { CopyButton, ErrorText, Field, Toggle, useLoad } from '../components.js';
import { hookCurls } from '../hook-curls.js';
import { href } from '../router.js';

const SETTINGS: Array<{ key: keyof Omit<Settings, 'allowedHosts'>; label: string; help: string }> =
  [
    {
      key: 'enabled',
      label: 'Enabled',
      help: 'Off: the hook answers 404 and the execute button refuses.',
    },
    {
      key: 'directMode',
      label: 'Direct mode',
      help: 'On: the hook can be called without a bot token.',
    },
    {
      key: 'allowGet',
      label: 'Allow GET',
      help: 'Callers may trigger the broadcast with a plain GET of the hook URL.',
    },
    {
      key: 'allowPost',
      label: 'Allow POST',
      help: 'Callers may POST a payload (audience and values, targets, set_conversation).',
    },
    {
      key: 'requireValidFilter',
      label: 'Require a valid filter in POST payloads',
      help: 'On: a POST must build a filter, targets or set_conversation. Off: any JSON is accepted and forwarded as {{payload…}}.',
    },
    {
      key: 'singleContact',
      label: 'Single contact',
      help: 'Always send to one conversation only, whatever the payload or audience holds.',
    },
    {
      key: 'legacyMode',
      label: 'Legacy mode',
      help: 'Also accept the bot token as ?token= for integrations of the previous version.',
    },
    {
      key: 'executeButton',
      label: 'Execute button',
      help: 'Shows the execute button beside this broadcast in the lists.',
    },
    {
      key: 'visibleToMobileOperators',
      label: 'Visible to mobile operators',
      help: 'Mobile operators of this bot see this broadcast and may execute it.',
    },
  ];

export function BroadcastEditorPage({ broadcastId }: { broadcastId: string }) {
  const loaded = useLoad(
    () => api<Broadcast>('GET', `/admin/broadcasts/${broadcastId}`),
    [broadcastId],
  );
  const [broadcast, setBroadcast] = useState<Broadcast>();
  useEffect(() => setBroadcast(loaded.data), [loaded.data]);
  if (loaded.error) return <ErrorText error={loaded.error} />;
  if (!broadcast) return <p aria-busy="true">Loading…</p>;
  return (
    <>
      <p className="links">
        <a href={href(`/bots/${broadcast.botId}`)}>← Broadcasts of this bot</a> ·{' '}
        <a href={href(`/broadcasts/${broadcast.id}/runs`)}>Runs of this broadcast</a>
      </p>
      <h1>{broadcast.name}</h1>
      <ContentSection broadcast={broadcast} onSaved={setBroadcast} />
      <SettingsSection broadcast={broadcast} onSaved={setBroadcast} />
      <HookSection broadcast={broadcast} onSaved={setBroadcast} />
      <AudienceSection broadcast={broadcast} onSaved={setBroadcast} />
      <RecipientsSection broadcast={broadcast} onSaved={setBroadcast} />
    </>
  );
}

interface SectionProps {
  broadcast: Broadcast;
  onSaved: (b: Broadcast) => void;
}

function useSave(broadcast: Broadcast, onSaved: (b: Broadcast) => void) {
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState('');
  const save = (patch: Record<string, unknown>, what: string) => {
    setSaved('');
    api<Broadcast>('PATCH', `/admin/broadcasts/${broadcast.id}`, patch).then((b) => {
      setError(undefined);
      setSaved(`${what} saved.`);
      onSaved(b);
    }, setError);
  };
  return { error, saved, save };
}

function ContentSection({ broadcast, onSaved }: SectionProps) {
  const blocks = useLoad(
    () => api<{ blocks: Block[] }>('GET', `/admin/bots/${broadcast.botId}/blocks?limit=1000`),
    [broadcast.botId],
  );
  const [name, setName] = useState(broadcast.name);
  const [mode, setMode] = useState<'text' | 'block'>(broadcast.content.blockId ? 'block' : 'text');
  const first = broadcast.content.messages?.[0];
  const [text, setText] = useState(typeof first?.text === 'string' ? first.text : '');
  const [blockId, setBlockId] = useState(broadcast.content.blockId ?? '');
  const { error, saved, save } = useSave(broadcast, onSaved);
  const nonText =
    broadcast.content.messages &&
    (broadcast.content.messages.length > 1 || typeof first?.text !== 'string');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save({ name, content: mode === 'block' ? { blockId } : { messages: [{ text }] } }, 'Content');
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="content-h">
      <h2 id="content-h">Content</h2>
      <Field label="Name">
        {(id) => <input id={id} required value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <fieldset>
        <legend>Send</legend>
        <label className="inline">
          <input
            type="radio"
            name="mode"
            checked={mode === 'text'}
            onChange={() => setMode('text')}
          />{' '}
          a message
        </label>
        <label className="inline">
          <input
            type="radio"
            name="mode"
            checked={mode === 'block'}
            onChange={() => setMode('block')}
          />{' '}
          a block (text or WhatsApp template)
        </label>
      </fieldset>
      {mode === 'text' ? (
        <Field
          label="Message text"
          help={
            nonText
              ? 'This broadcast has several or non-text messages; saving replaces them with this text.'
              : '{{variable}} renders the contact\u2019s variable.'
          }
        >
          {(id) => (
            <textarea
              id={id}
              rows={3}
              required
              value={text}
              onChange={(e) => setText(e.target.value)}
            />
          )}
        </Field>
      ) : (
        <Field label="Block">
          {(id) => (
            <select id={id} required value={blockId} onChange={(e) => setBlockId(e.target.value)}>
              <option value="">Choose a block…</option>
              {(blocks.data?.blocks ?? []).map((b) => (
                <option key={b.id} value={b.id}>
                  {b.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <button type="submit" className="primary">
        Save content
      </button>
      <p role="status" className="muted">
        {saved}
      </p>
      <ErrorText error={error ?? blocks.error} />
    </form>
  );
}

function SettingsSection({ broadcast, onSaved }: SectionProps) {
  const [settings, setSettings] = useState(broadcast.settings);
  const [hosts, setHosts] = useState(broadcast.settings.allowedHosts.join(', '));
  const { error, saved, save } = useSave(broadcast, onSaved);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const allowedHosts = hosts
      .split(/[,\s]+/)
      .map((h) => h.trim())
      .filter(Boolean);
    save({ settings: { ...settings, allowedHosts } }, 'Settings');
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="settings-h">
      <h2 id="settings-h">Settings</h2>
      {SETTINGS.map((s) => (
        <Toggle
          key={s.key}
          label={s.label}
          help={s.help}
          checked={settings[s.key]}
          onChange={(value) => setSettings({ ...settings, [s.key]: value })}
        />
      ))}
      <Field
        label="Allowed callers"
        help="IPs or CIDRs allowed to call the hook, separated by commas; empty allows any caller."
      >
        {(id) => (
          <input
            id={id}
            value={hosts}
            onChange={(e) => setHosts(e.target.value)}
            placeholder="203.0.113.0/24, 198.51.100.7"
          />
        )}
      </Field>
      <button type="submit" className="primary">
        Save settings
      </button>
      <p role="status" className="muted">
        {saved}
      </p>
      <ErrorText error={error} />
    </form>
  );
}

function HookSection({ broadcast, onSaved }: SectionProps) {
  const [error, setError] = useState<unknown>();
  const [status, setStatus] = useState('');
  return (
    <section className="card" aria-labelledby="hook-h">
      <h2 id="hook-h">Launch web hook</h2>
      <Field
        label="Hook URL"
        help={
          broadcast.settings.directMode
            ? 'Direct mode: no token needed.'
            : 'Callers send a bot token: Authorization: Bearer <token>.'
        }
      >
        {(id) => <input id={id} readOnly value={broadcast.hookUrl} className="mono" />}
      </Field>
      <CopyButton text={broadcast.hookUrl} label="Copy hook URL" />
      <button
        type="button"
        onClick={() => {
          api<Broadcast>('POST', `/admin/broadcasts/${broadcast.id}/hook-key`).then((b) => {
            setStatus('A new hook URL was made; the old one stops working.');
            onSaved(b);
          }, setError);
        }}
      >
        Regenerate key
      </button>
      <p role="status" className="muted">
        {status}
      </p>
      <ErrorText error={error} />
      <h3>Ready-to-paste calls</h3>
      {hookCurls(broadcast).map((m) => (
        <div key={m.mode} className="curl">
          <p className="curl-title">{m.mode}</p>
          <pre tabIndex={0} aria-label={`curl: ${m.mode}`}>
            {m.curl}
          </pre>
          <CopyButton text={m.curl} label={`Copy curl: ${m.mode}`} />
        </div>
      ))}
    </section>
  );
}

function AudienceSection({ broadcast, onSaved }: SectionProps) {
  const ids = useId();
  const [filters, setFilters] = useState<Filter[]>(broadcast.audience?.filters ?? []);
  const [joins, setJoins] = useState<Array<'AND' | 'OR'>>(broadcast.audience?.joins ?? []);
  const [preview, setPreview] = useState<{
    count: number;
    sample: Array<{ userId: string; channel: string }>;
  }>();
  const [previewError, setPreviewError] = useState<unknown>();
  const { error, saved, save } = useSave(broadcast, onSaved);
  const audience: Audience | null =
    filters.length > 0 ? { filters, joins: joins.slice(0, filters.length - 1) } : null;
  const key = JSON.stringify(audience);
  useEffect(() => {
    const timer = setTimeout(() => {
      api<{ count: number; sample: Array<{ userId: string; channel: string }> }>(
        'POST',
        `/admin/bots/${broadcast.botId}/audience/preview`,
        { audience },
      ).then((p) => {
        setPreview(p);
        setPreviewError(undefined);
      }, setPreviewError);
    }, 300);
    return () => clearTimeout(timer);
    // The key stands for the audience.
  }, [key, broadcast.botId]);
  const update = (i: number, patch: Partial<Filter>) =>
    setFilters(filters.map((f, j) => (j === i ? { ...f, ...patch } : f)));
  return (
    <form
      className="card"
      aria-labelledby="audience-h"
      onSubmit={(e) => {
        e.preventDefault();
        save({ audience }, 'Audience');
      }}
    >
      <h2 id="audience-h">Saved audience</h2>
      <p className="muted">
        Who an execution or a plain hook call reaches. No filter: every contact of the bot. AND
        binds tighter than OR.
      </p>
      {filters.map((f, i) => (
        <div key={i}>
          {i > 0 ? (
            <span className="inline">
              <label className="sr-only" htmlFor={`${ids}-${i}-join`}>
                Join before filter {i + 1}
              </label>
              <select
                id={`${ids}-${i}-join`}
                value={joins[i - 1] ?? 'AND'}
                onChange={(e) =>
                  setJoins(Object.assign([...joins], { [i - 1]: e.target.value as 'AND' | 'OR' }))
                }
              >
                <option>AND</option>
                <option>OR</option>
              </select>
            </span>
          ) : null}
          <fieldset className="filter">
            <legend>Filter {i + 1}</legend>
            <div>
              <label htmlFor={`${ids}-${i}-field`}>Variable</label>
              <input
                id={`${ids}-${i}-field`}
                value={f.field}
                required
                onChange={(e) => update(i, { field: e.target.value })}
              />
            </div>
            <div>
              <label htmlFor={`${ids}-${i}-criteria`}>Criteria</label>
              <select
                id={`${ids}-${i}-criteria`}
                value={f.criteria}
                onChange={(e) => update(i, { criteria: e.target.value })}
              >
                {CRITERIA.map((c) => (
                  <option key={c}>{c}</option>
                ))}
              </select>
            </div>
            <div>
              <label htmlFor={`${ids}-${i}-value`}>Value</label>
              <input
                id={`${ids}-${i}-value`}
                value={f.value}
                onChange={(e) => update(i, { value: e.target.value })}
              />
            </div>
            <button type="button" onClick={() => setFilters(filters.filter((_, j) => j !== i))}>
              Remove filter {i + 1}
            </button>
          </fieldset>
        </div>
      ))}
      <button
        type="button"
        onClick={() => setFilters([...filters, { field: '', criteria: 'Equals', value: '' }])}
      >
        Add filter
      </button>
      <p role="status" className="count">
        {preview
          ? `Reaches ${preview.count.toLocaleString()} contact${preview.count === 1 ? '' : 's'}`
          : 'Counting…'}
        {preview && preview.sample.length > 0 ? (
          <span className="muted"> (e.g. {preview.sample.map((s) => s.userId).join(', ')})</span>
        ) : null}
      </p>
      <ErrorText error={previewError} />
      <button type="submit" className="primary">
        Save audience
      </button>
      <p role="status" className="muted">
        {saved}
      </p>
      <ErrorText error={error} />
    </form>
  );
}

interface CheckReport {
  ok: boolean;
  problems: Array<{ page: number; problem: string; fix: string }>;
  pagesChecked: number;
  rows: number;
}

function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function RecipientsSection({ broadcast, onSaved }: SectionProps) {
  const [endpoint, setEndpoint] = useState(broadcast.recipients?.endpoint ?? '');
  const [headers, setHeaders] = useState('');
  const [report, setReport] = useState<CheckReport>();
  const [checkError, setCheckError] = useState<unknown>();
  const { error, saved, save } = useSave(broadcast, onSaved);
  return (
    <form
      className="card"
      aria-labelledby="recipients-h"
      onSubmit={(e) => {
        e.preventDefault();
        save(
          {
            recipients: endpoint
              ? { source: 'custom_api', endpoint, headers: parseHeaders(headers) }
              : null,
          },
          'Recipients',
        );
      }}
    >
      <h2 id="recipients-h">Recipients from your API</h2>
      <p className="muted">
        Herald pages through your endpoint (a list of {'{uid, msg}'} and a next token) and sends
        each person their own message.
      </p>
      <Field label="Endpoint">
        {(id) => (
          <input
            id={id}
            type="url"
            value={endpoint}
            onChange={(e) => setEndpoint(e.target.value)}
            placeholder="https://api.example.com/broadcast"
          />
        )}
      </Field>
      <Field
        label="Headers"
        help={
          broadcast.recipients?.hasHeaders
            ? 'Headers are stored sealed and not shown; saving replaces them.'
            : 'One per line, e.g. Authorization: Bearer …'
        }
      >
        {(id) => (
          <textarea id={id} rows={2} value={headers} onChange={(e) => setHeaders(e.target.value)} />
        )}
      </Field>
      <button
        type="button"
        onClick={() => {
          setReport(undefined);
          setCheckError(undefined);
          api<CheckReport>('POST', '/admin/custom-api/check', {
            endpoint,
            headers: parseHeaders(headers),
          }).then(setReport, setCheckError);
        }}
      >
        Check
      </button>
      <button type="submit" className="primary">
        Save recipients
      </button>
      <p role="status" className="muted">
        {saved}
      </p>
      <ErrorText error={error ?? checkError} />
      {report ? (
        report.ok ? (
          <div role="alert" className="alert ok">
            Your endpoint works: {report.rows} recipients on {report.pagesChecked} page(s) checked.
          </div>
        ) : (
          <div role="alert" className="alert">
            <p>
              <strong>Your endpoint must be fixed:</strong>
            </p>
            <ul>
              {report.problems.map((p, i) => (
                <li key={i}>
                  Page {p.page}: {p.problem} <span className="fix">{p.fix}</span>
                </li>
              ))}
            </ul>
          </div>
        )
      ) : null}
    </form>
  );
}
