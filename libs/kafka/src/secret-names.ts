// Which header or field names hold credentials. Dead letters keep a record's headers and value
// for replay: what such names hold is never stored (headers) nor shown (values).
const SECRET_NAME =
  /authorization|cookie|token|secret|password|passwd|api[-_]?key|credential|signature/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A copy of a parsed JSON value with the values of secret-named fields replaced, at any depth. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 64 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([name, item]) => [
      name,
      isSecretName(name) ? '[redacted]' : redactSecrets(item, depth + 1),
    ]),
  );
}
