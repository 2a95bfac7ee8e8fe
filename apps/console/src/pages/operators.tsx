// Operator accounts (admins only): create one with a role and its bots; list them.
import { useState, type FormEvent } from 'react';
import { api, type Bot, type Me, type Role } from '../api.js';
import { ErrorText, Field, formatTime, useLoad } from '../components.js';

interface Operator {
  id: string;
  email: string;
  role: Role;
  botIds: string[];
  createdAt: string;
}

export function OperatorsPage({ me }: { me: Me }) {
  const operators = useLoad(
    () => api<{ operators: Operator[] }>('GET', '/admin/operators?limit=1000'),
    [],
  );
  const bots = useLoad(
    async () => (await api<{ bots: Bot[] }>('GET', '/admin/bots?limit=1000')).bots,
    [],
  );
  const [form, setForm] = useState({
    email: '',
    password: '',
    role: 'operator' as Role,
    botIds: [] as string[],
  });
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState('');
  const botName = (id: string) => bots.data?.find((b) => b.id === id)?.name ?? id;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    api<Operator>('POST', '/admin/operators', form).then((o) => {
      setSaved(`${o.email} can now sign in.`);
      setError(undefined);
      setForm({ email: '', password: '', role: 'operator', botIds: [] });
      operators.reload();
    }, setError);
  };
  return (
    <>
      <h1>Operators</h1>
      <p className="muted">Signed in as {me.email}.</p>
      <ErrorText error={operators.error} />
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Operator accounts">
        <table>
          <caption className="sr-only">Operator accounts</caption>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Bots</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(operators.data?.operators ?? []).map((o) => (
              <tr key={o.id}>
                <td>{o.email}</td>
                <td>{o.role.replace('_', ' ')}</td>
                <td>{o.role === 'admin' ? 'all' : o.botIds.map(botName).join(', ')}</td>
                <td>{formatTime(o.createdAt)}</td>
                <td>
                  {o.id === me.id ? null : (
                    <button
                      type="button"
                      className="danger"
                      aria-label={`Remove ${o.email}`}
                      onClick={() => {
                        api('DELETE', `/admin/operators/${o.id}`).then(() => {
                          setSaved(`${o.email} was removed.`);
                          operators.reload();
                        }, setError);
                      }}
                    >
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ResetPassword operators={operators.data?.operators ?? []} />
      <form className="card" onSubmit={submit}>
        <h2>New operator</h2>
        <Field label="Email">
          {(id) => (
            <input
              id={id}
              type="email"
              required
              value={form.email}
              onChange={(e) => setForm({ ...form, email: e.target.value })}
            />
          )}
        </Field>
        <Field label="Password" help="At least 12 characters; stored hashed (argon2).">
          {(id) => (
            <input
              id={id}
              type="password"
              autoComplete="new-password"
              required
              minLength={12}
              value={form.password}
              onChange={(e) => setForm({ ...form, password: e.target.value })}
            />
          )}
        </Field>
        <Field
          label="Role"
          help="Admin: everything. Operator: their bots' broadcasts, contacts and runs. Mobile operator: only executes broadcasts visible to mobile operators and watches their runs."
        >
          {(id) => (
            <select
              id={id}
              value={form.role}
              onChange={(e) => setForm({ ...form, role: e.target.value as Role })}
            >
              <option value="operator">operator</option>
              <option value="mobile_operator">mobile operator</option>
              <option value="admin">admin</option>
            </select>
          )}
        </Field>
        {form.role !== 'admin' ? (
          <fieldset>
            <legend>Bots</legend>
            {(bots.data ?? []).map((b) => (
              <label key={b.id} className="inline">
                <input
                  type="checkbox"
                  checked={form.botIds.includes(b.id)}
                  onChange={(e) =>
                    setForm({
                      ...form,
                      botIds: e.target.checked
                        ? [...form.botIds, b.id]
                        : form.botIds.filter((x) => x !== b.id),
                    })
                  }
                />{' '}
                {b.name}
              </label>
            ))}
          </fieldset>
        ) : null}
        <button type="submit" className="primary">
          Create operator
        </button>
        <p role="status" className="muted">
          {saved}
        </p>
        <ErrorText error={error ?? bots.error} />
      </form>
    </>
  );
}

function ResetPassword({ operators }: { operators: Operator[] }) {
  const [id, setId] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState('');
  return (
    <form
      className="card"
      onSubmit={(e) => {
        e.preventDefault();
        api<Operator>('PATCH', `/admin/operators/${id}`, { password }).then((o) => {
          setSaved(`${o.email} has a new password; their sessions ended.`);
          setPassword('');
          setError(undefined);
        }, setError);
      }}
    >
      <h2>Reset a password</h2>
      <Field label="Operator">
        {(fid) => (
          <select id={fid} required value={id} onChange={(e) => setId(e.target.value)}>
            <option value="">Choose…</option>
            {operators.map((o) => (
              <option key={o.id} value={o.id}>
                {o.email}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="New password" help="At least 12 characters.">
        {(fid) => (
          <input
            id={fid}
            type="password"
            autoComplete="new-password"
            required
            minLength={12}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        )}
      </Field>
      <button type="submit" className="primary">
        Reset password
      </button>
      <p role="status" className="muted">
        {saved}
      </p>
      <ErrorText error={error} />
    </form>
  );
}
