// The console talks only to Herald's HTTP APIs: the session cookie travels by itself; every
// change carries the session's CSRF token. Errors keep Herald's message and fix.
let csrfToken = '';

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fix?: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = (parsed as { error?: { message?: string; fix?: string; field?: string } } | null)
      ?.error;
    throw new ApiError(
      response.status,
      error?.message ?? `Herald answered ${response.status}.`,
      error?.fix,
      error?.field,
    );
  }
  return parsed as T;
}

export type Role = 'admin' | 'operator' | 'mobile_operator';

export interface Me {
  id: string;
  email: string;
  role: Role;
  bots: Array<{ id: string; name: string }>;
}

export interface Bot {
  id: string;
  name: string;
  rateLimitRps: number;
}

export interface Settings {
  enabled: boolean;
  directMode: boolean;
  allowGet: boolean;
  allowPost: boolean;
  requireValidFilter: boolean;
  singleContact: boolean;
  legacyMode: boolean;
  allowedHosts: string[];
  executeButton: boolean;
  visibleToMobileOperators: boolean;
}

export interface Filter {
  field: string;
  criteria: string;
  value: string;
}

export interface Audience {
  filters: Filter[];
  joins?: Array<'AND' | 'OR'>;
}

export interface Broadcast {
  id: string;
  botId: string;
  name: string;
  content: { blockId?: string; messages?: Array<Record<string, unknown>> };
  audience: Audience | null;
  recipients: { source: 'custom_api'; endpoint: string; hasHeaders: boolean } | null;
  settings: Settings;
  hookKey: string;
  hookUrl: string;
}

export interface ListedBroadcast {
  id: string;
  botId: string;
  botName?: string;
  name: string;
  settings?: Settings;
  executeButton?: boolean;
}

export interface Counts {
  targeted: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  skipped: number;
}

export interface Run {
  id: string;
  broadcastId: string | null;
  source: string;
  status: string;
  reason?: string;
  createdAt: string;
  finishedAt: string | null;
  counts: Counts;
}

export interface Delivery {
  contactId: string;
  userId: string | null;
  channel: string;
  status: string;
  attempts: number;
  reason: string | null;
  code: string | null;
  updatedAt: string;
}

export interface Skip {
  id: string;
  contactId: string | null;
  recipient: string | null;
  channel: string | null;
  reason: string;
  at: string;
}

export interface Block {
  id: string;
  name: string;
  messages: Array<Record<string, unknown>>;
}

export interface Page<K extends string, T> {
  nextCursor: string | null;
  items: T[];
  key: K;
}

export const FINAL_STATUSES = ['completed', 'failed', 'cancelled'];

export const CRITERIA = [
  'Equals',
  'Different',
  'GreaterThan',
  'LesserThan',
  'Contains',
  'DoesNotContain',
  'StartsWith',
  'DoesNotStartWith',
  'HasValue',
  'EmptyOrUnset',
  'IsLongerThan',
  'IsShorterThan',
] as const;
