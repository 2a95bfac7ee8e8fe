// Credentials from the Authorization header, as the providers read them.

/** The token of "Bearer <token>", or undefined when absent or empty. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match === null ? undefined : match[1];
}

/** Username and password of "Basic base64(user:password)", or undefined when malformed. */
export function basicCredentials(
  header: string | undefined,
): { username: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Graph takes the token from "Authorization: Bearer" or from the access_token query parameter. */
export function graphAccessToken(
  authorization: string | undefined,
  queryToken: unknown,
): string | undefined {
  const bearer = bearerToken(authorization);
  if (bearer !== undefined) return bearer;
  const fromQuery = Array.isArray(queryToken) ? (queryToken as unknown[])[0] : queryToken;
  return typeof fromQuery === 'string' && fromQuery !== '' ? fromQuery : undefined;
}
