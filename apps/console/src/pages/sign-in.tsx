import { useState, type FormEvent } from 'react';
import { api, type Me } from '../api.js';
import { ErrorText, Field } from '../components.js';

export function SignInPage({
  onSignedIn,
}: {
  onSignedIn: (s: { operator: Me; csrfToken: string }) => void;
}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    api<{ operator: Me; csrfToken: string }>('POST', '/console/api/session', { email, password })
      .then(onSignedIn, setError)
      .finally(() => setBusy(false));
  };

  return (
    <main id="main" className="signin">
      <h1>Sign in to Herald</h1>
      <form onSubmit={submit} className="card">
        <Field label="Email">
          {(id) => (
            <input
              id={id}
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          )}
        </Field>
        <Field label="Password">
          {(id) => (
            <input
              id={id}
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          Sign in
        </button>
        <ErrorText error={error} />
      </form>
    </main>
  );
}
