// Bots (admins create them), and one bot's setup: API tokens (shown once, with a copy button;
// revoke), provider accounts with a form per provider, and blocks (text with a preview for a
// sample contact, or a WhatsApp template).
import { useState, type FormEvent } from 'react';
import { api, type Block, type Bot, type Me } from '../api.js';
import { CopyButton, ErrorText, Field, formatTime, useLoad } from '../components.js';
import { go, href } from '../router.js';
import { renderPreview, type SampleContact } from '../template-preview.js';

export function BotsPage({ me }: { me: Me }) {
  const admin = me.role === 'admin';
  const listed = useLoad(
    async () =>
      admin ? (await api<{ bots: Bot[] }>('GET', '/admin/bots?limit=1000')).bots : me.bots,
    [admin],
  );
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>();
  const create = (event: FormEvent) => {
    event.preventDefault();
    api<Bot>('POST', '/admin/bots', { name }).then((bot) => go(`/bots/${bot.id}/setup`), setError);
  };
  return (
    <>
      <h1>Bots</h1>
      <ErrorText error={listed.error} />
      <ul className="list" aria-label="Bots">
        {(listed.data ?? []).map((b) => (
          <li key={b.id} className="row">
            <a className="grow" href={href(`/bots/${b.id}`)}>
              {b.name}
            </a>
            <a href={href(`/bots/${b.id}/runs`)} aria-label={`Runs of ${b.name}`}>
              Runs
            </a>
            <a href={href(`/bots/${b.id}/setup`)} aria-label={`Setup of ${b.name}`}>
              Setup
            </a>
            <a href={href(`/bots/${b.id}/contacts`)} aria-label={`Contacts of ${b.name}`}>
              Contacts
            </a>
          </li>
        ))}
      </ul>
      {listed.data?.length === 0 ? <p className="muted">No bot yet.</p> : null}
      {admin ? (
        <form className="card" onSubmit={create}>
          <h2>New bot</h2>
          <Field label="Bot name">
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
          <button type="submit" className="primary">
            Create bot
          </button>
          <ErrorText error={error} />
        </form>
      ) : null}
    </>
  );
}

export function BotSetupPage({ botId }: { botId: string }) {
  const bot = useLoad(() => api<Bot>('GET', `/admin/bots/${botId}`), [botId]);
  return (
    <>
      <p className="links">
        <a href={href(`/bots/${botId}`)}>← Broadcasts of this bot</a>
      </p>
      <h1>Setup{bot.data ? ` of ${bot.data.name}` : ''}</h1>
      <ErrorText error={bot.error} />
      <Tokens botId={botId} />
      <Channels botId={botId} />
      <Blocks botId={botId} />
    </>
  );
}

interface Token {
  id: string;
  name: string | null;
  createdAt: string;
  revokedAt: string | null;
}

function Tokens({ botId }: { botId: string }) {
  const tokens = useLoad(
    () => api<{ tokens: Token[] }>('GET', `/admin/bots/${botId}/tokens`),
    [botId],
  );
  const [name, setName] = useState('');
  const [issued, setIssued] = useState<string>();
  const [error, setError] = useState<unknown>();
  return (
    <section className="card" aria-labelledby="tokens-h">
      <h2 id="tokens-h">API tokens</h2>
      <ul className="list" aria-label="Tokens">
        {(tokens.data?.tokens ?? []).map((t) => (
          <li key={t.id} className="row">
            <span className="grow">
              {t.name ?? '(unnamed)'}{' '}
              <span className="muted small">created {formatTime(t.createdAt)}</span>
            </span>
            {t.revokedAt ? (
              <span className="badge">revoked</span>
            ) : (
              <button
                type="button"
                className="danger"
                aria-label={`Revoke token ${t.name ?? t.id}`}
                onClick={() => {
                  api('DELETE', `/admin/bots/${botId}/tokens/${t.id}`).then(
                    tokens.reload,
                    setError,
                  );
                }}
              >
                Revoke
              </button>
            )}
          </li>
        ))}
      </ul>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          api<{ token: string }>('POST', `/admin/bots/${botId}/tokens`, name ? { name } : {}).then(
            (t) => {
              setIssued(t.token);
              setName('');
              tokens.reload();
            },
            setError,
          );
        }}
      >
        <Field label="Token name">
          {(id) => (
            <input
              id={id}
              maxLength={200}
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="crm"
            />
          )}
        </Field>
        <button type="submit" className="primary">
          Create token
        </button>
      </form>
      {issued ? (
        <div className="alert ok" role="status">
          <p>This token is shown once; copy it now.</p>
          <p>
            <code className="mono" data-testid="issued-token">
              {issued}
            </code>
          </p>
          <CopyButton text={issued} label="Copy token" />
        </div>
      ) : null}
      <ErrorText error={error ?? tokens.error} />
    </section>
  );
}

const PROVIDERS = {
  whatsapp: {
    label: 'WhatsApp (Cloud API)',
    fields: [
      { key: 'phoneNumberId', label: 'Phone number id', required: true, secret: false },
      { key: 'accessToken', label: 'Access token', required: true, secret: true },
    ],
  },
  sms: {
    label: 'SMS (Twilio)',
    fields: [
      { key: 'accountSid', label: 'Account SID', required: true, secret: false },
      { key: 'authToken', label: 'Auth token', required: true, secret: true },
      {
        key: 'from',
        label: 'From number (or a messaging service SID below)',
        required: false,
        secret: false,
      },
      {
        key: 'messagingServiceSid',
        label: 'Messaging service SID',
        required: false,
        secret: false,
      },
    ],
  },
  messenger: {
    label: 'Messenger (Send API)',
    fields: [
      { key: 'pageId', label: 'Page id', required: true, secret: false },
      { key: 'pageAccessToken', label: 'Page access token', required: true, secret: true },
    ],
  },
} as const;

type Provider = keyof typeof PROVIDERS;

interface ChannelRow {
  id: string;
  type: string;
  enabled: boolean;
  config: Record<string, unknown>;
}

function Channels({ botId }: { botId: string }) {
  const channels = useLoad(
    () => api<{ channels: ChannelRow[] }>('GET', `/admin/bots/${botId}/channels`),
    [botId],
  );
  const [type, setType] = useState<Provider>('whatsapp');
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const config = Object.fromEntries(
      Object.entries(values).filter(
        ([k, v]) => v && (PROVIDERS[type].fields.some((f) => f.key === k) || k === 'baseUrl'),
      ),
    );
    api('POST', `/admin/bots/${botId}/channels`, { type, config }).then(() => {
      setValues({});
      setSaved(`${PROVIDERS[type].label} account added.`);
      setError(undefined);
      channels.reload();
    }, setError);
  };
  return (
    <section className="card" aria-labelledby="channels-h">
      <h2 id="channels-h">Channels</h2>
      <ul className="list" aria-label="Channels">
        {(channels.data?.channels ?? []).map((c) => (
          <li key={c.id} className="row">
            <span className="grow">
              {c.type}{' '}
              <span className="muted small mono">
                {String(
                  c.config.phoneNumberId ??
                    c.config.pageId ??
                    c.config.from ??
                    c.config.accountSid ??
                    '',
                )}
              </span>
            </span>
            {c.enabled ? null : <span className="badge">disabled</span>}
          </li>
        ))}
      </ul>
      <form onSubmit={submit}>
        <Field label="Provider">
          {(id) => (
            <select id={id} value={type} onChange={(e) => setType(e.target.value as Provider)}>
              {Object.entries(PROVIDERS).map(([k, p]) => (
                <option key={k} value={k}>
                  {p.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {PROVIDERS[type].fields.map((f) => (
          <Field key={`${type}-${f.key}`} label={`${f.label}${f.required ? '' : ' (optional)'}`}>
            {(id) => (
              <input
                id={id}
                required={f.required}
                type={f.secret ? 'password' : 'text'}
                autoComplete="off"
                value={values[f.key] ?? ''}
                onChange={(e) => setValues({ ...values, [f.key]: e.target.value })}
              />
            )}
          </Field>
        ))}
        <Field
          label="Provider base URL (optional)"
          help="Empty: the configured default (the local sandbox in development)."
        >
          {(id) => (
            <input
              id={id}
              type="url"
              value={values.baseUrl ?? ''}
              onChange={(e) => setValues({ ...values, baseUrl: e.target.value })}
            />
          )}
        </Field>
        <p className="muted help">Credentials are stored sealed and never shown again.</p>
        <button type="submit" className="primary">
          Add channel
        </button>
        <p role="status" className="muted">
          {saved}
        </p>
        <ErrorText error={error ?? channels.error} />
      </form>
    </section>
  );
}

function Blocks({ botId }: { botId: string }) {
  const blocks = useLoad(
    () => api<{ blocks: Block[] }>('GET', `/admin/bots/${botId}/blocks?limit=1000`),
    [botId],
  );
  const sample = useLoad(
    async () =>
      (await api<{ contacts: SampleContact[] }>('GET', `/admin/bots/${botId}/contacts?limit=1`))
        .contacts[0],
    [botId],
  );
  const [kind, setKind] = useState<'text' | 'template'>('text');
  const [name, setName] = useState('');
  const [text, setText] = useState('Hi {{first_name}}, your order {{order_id}} has shipped.');
  const [template, setTemplate] = useState({ name: '', language: 'en_US', parameters: '' });
  const [error, setError] = useState<unknown>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const params = template.parameters
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const message =
      kind === 'text'
        ? { text }
        : {
            template: {
              name: template.name,
              language: { code: template.language },
              ...(params.length > 0
                ? {
                    components: [
                      { type: 'body', parameters: params.map((p) => ({ type: 'text', text: p })) },
                    ],
                  }
                : {}),
            },
          };
    api('POST', `/admin/bots/${botId}/blocks`, { name, messages: [message] }).then(() => {
      setName('');
      setError(undefined);
      blocks.reload();
    }, setError);
  };
  return (
    <section className="card" aria-labelledby="blocks-h">
      <h2 id="blocks-h">Blocks</h2>
      <ul className="list" aria-label="Blocks">
        {(blocks.data?.blocks ?? []).map((b) => (
          <li key={b.id} className="row">
            <span className="grow">{b.name}</span>
            <span className="muted small">
              {typeof b.messages[0]?.text === 'string' ? b.messages[0].text : 'WhatsApp template'}
            </span>
          </li>
        ))}
      </ul>
      <form onSubmit={submit}>
        <Field label="Block name">
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
        <fieldset>
          <legend>Kind</legend>
          <label className="inline">
            <input
              type="radio"
              name="kind"
              checked={kind === 'text'}
              onChange={() => setKind('text')}
            />{' '}
            Text
          </label>
          <label className="inline">
            <input
              type="radio"
              name="kind"
              checked={kind === 'template'}
              onChange={() => setKind('template')}
            />{' '}
            WhatsApp template
          </label>
        </fieldset>
        {kind === 'text' ? (
          <>
            <Field
              label="Block text"
              help="{{variable}} renders the contact's variable; user_id, user_phone_number, email and bot_channel are always there."
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
            <p className="muted small">
              {sample.data
                ? `Preview for ${sample.data.userId}:`
                : 'Preview (no contact yet: variables render empty):'}
            </p>
            <p className="preview" aria-label="Preview">
              {renderPreview(text, sample.data)}
            </p>
          </>
        ) : (
          <>
            <Field label="Template name">
              {(id) => (
                <input
                  id={id}
                  required
                  value={template.name}
                  onChange={(e) => setTemplate({ ...template, name: e.target.value })}
                />
              )}
            </Field>
            <Field label="Language code">
              {(id) => (
                <input
                  id={id}
                  required
                  value={template.language}
                  onChange={(e) => setTemplate({ ...template, language: e.target.value })}
                />
              )}
            </Field>
            <Field
              label="Body parameters (optional)"
              help="Comma-separated; {{variables}} work, e.g. {{first_name}}, {{order_id}}."
            >
              {(id) => (
                <input
                  id={id}
                  value={template.parameters}
                  onChange={(e) => setTemplate({ ...template, parameters: e.target.value })}
                />
              )}
            </Field>
          </>
        )}
        <button type="submit" className="primary">
          Create block
        </button>
        <ErrorText error={error ?? blocks.error} />
      </form>
    </section>
  );
}
