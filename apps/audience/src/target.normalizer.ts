// Targets as the contact stage needs them, whoever published the request (gateway or another
// service): who the person is, their own variables, and whether they may be created.
import type { Target } from '@herald/contracts';

/** Names that say who a target is; they are never stored as custom variables. */
const IDENTITY_VARIABLES = ['user_id', 'user_phone_number', 'bot_channel'];

/**
 * - On WhatsApp and SMS the user id is the phone number, so either one names the person.
 * - A contact can be created only with its channel and a user id (on WhatsApp/SMS the phone
 *   number serves), seeds 000/001; `create` defaults to true when it can, and is never true
 *   when it cannot (the contact stage then looks the person up by user id, else phone number).
 * - email / fbid given as variables become the target's own fields.
 */
export function normalizeTarget(target: Target): Target {
  const variables = { ...target.variables };
  const email = target.email ?? takeVariable(variables, 'email');
  const fbid = target.fbid ?? takeVariable(variables, 'fbid');
  for (const name of IDENTITY_VARIABLES) delete variables[name];
  const phoneIsId = target.channel === 'whatsapp' || target.channel === 'sms';
  const userId = target.userId ?? (phoneIsId ? target.phone : undefined);
  const creatable = Boolean(target.channel && userId);
  return {
    ...(target.contactId ? { contactId: target.contactId } : {}),
    ...(userId ? { userId } : {}),
    ...(target.phone ? { phone: target.phone } : {}),
    ...(email ? { email } : {}),
    ...(fbid ? { fbid } : {}),
    ...(target.channel ? { channel: target.channel } : {}),
    ...(Object.keys(variables).length > 0 ? { variables } : {}),
    ...(target.message !== undefined ? { message: target.message } : {}),
    create: creatable && target.create !== false,
  };
}

function takeVariable(variables: Record<string, string>, name: string): string | undefined {
  const value = variables[name];
  delete variables[name];
  return value ? value : undefined;
}

/** Who a target names, the way the contact stage looks them up: by id, else user id, else phone, email, fbid. */
function identityOf(t: Target): string {
  if (t.contactId) return `id:${t.contactId}`;
  const [kind, value] = t.userId
    ? ['user', t.userId]
    : t.phone
      ? ['phone', t.phone]
      : t.email
        ? ['email', t.email]
        : ['fbid', t.fbid ?? ''];
  return [kind, t.channel ?? '*', value].join('\u0000');
}

/** Normalised targets, each person once (the first mention wins): nobody is targeted twice in a run. */
export function normalizeTargets(targets: Target[]): Target[] {
  const seen = new Set<string>();
  const out: Target[] = [];
  for (const target of targets.map(normalizeTarget)) {
    const key = identityOf(target);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(target);
  }
  return out;
}

/** Run-level variables to set on every target, without identity names (they are not variables). */
export function sharedVariables(
  setVariables: Record<string, string> | undefined,
): Record<string, string> | undefined {
  if (!setVariables) return undefined;
  const rest = Object.fromEntries(
    Object.entries(setVariables).filter(([name]) => !IDENTITY_VARIABLES.includes(name)),
  );
  return Object.keys(rest).length > 0 ? rest : undefined;
}
