// The plan of migration 1765500100000: existing WhatsApp/SMS contacts in E.164 (WhatsApp user ids
// derived from it), duplicates — one person stored under several spellings — merged into the
// most recently seen contact, variables folded oldest to newest so the newest value wins. Pure.
import { normalizePhone, phoneUserId } from '@herald/contracts';

export interface PhoneContactRow {
  id: string;
  bot_id: string;
  channel: 'whatsapp' | 'sms';
  user_id: string;
  phone: string | null;
  email: string | null;
  fbid: string | null;
  variables: Record<string, string>;
  first_seen: Date;
  last_seen: Date;
  last_inbound_at: Date | null;
  opted_out_at: Date | null;
}

export interface MergedContact {
  keep: PhoneContactRow & { user_id: string; phone: string };
  /** Contacts folded into `keep` and to be deleted. */
  merged: PhoneContactRow[];
}

export interface ContactPhonePlan {
  /** One per person: its surviving contact with canonical identities and merged fields. */
  people: MergedContact[];
  invalid: Array<{ row: PhoneContactRow; reason: string }>;
}

const time = (d: Date | null) => (d ? d.getTime() : -Infinity);

/** Newest first: last seen, then last inbound, then id (a stable tie-break). */
function newestFirst(a: PhoneContactRow, b: PhoneContactRow): number {
  return (
    time(b.last_seen) - time(a.last_seen) ||
    time(b.last_inbound_at) - time(a.last_inbound_at) ||
    a.id.localeCompare(b.id)
  );
}

const latest = (dates: Array<Date | null>): Date | null =>
  dates.reduce<Date | null>((acc, d) => (d && (!acc || d > acc) ? d : acc), null);

/** The E.164 number of a phone contact, from its user id (the number there), else its phone column. */
export function canonicalPhoneOf(
  row: Pick<PhoneContactRow, 'user_id' | 'phone'>,
  country: string | undefined,
): { e164: string } | { invalid: string } {
  const parsed = normalizePhone(row.user_id, country);
  if ('invalid' in parsed && row.phone) {
    const fromPhone = normalizePhone(row.phone, country);
    if ('e164' in fromPhone) return { e164: fromPhone.e164 };
  }
  return 'invalid' in parsed ? parsed : { e164: parsed.e164 };
}

/** Groups the rows by person (bot, channel, canonical user id) and merges each group. */
export function planContactPhones(
  rows: PhoneContactRow[],
  defaultCountryOf: (botId: string) => string | undefined,
): ContactPhonePlan {
  const groups = new Map<string, { e164: string; rows: PhoneContactRow[] }>();
  const invalid: ContactPhonePlan['invalid'] = [];
  for (const row of rows) {
    const parsed = canonicalPhoneOf(row, defaultCountryOf(row.bot_id));
    if ('invalid' in parsed) {
      invalid.push({ row, reason: parsed.invalid });
      continue;
    }
    const key = `${row.bot_id}\u0000${row.channel}\u0000${parsed.e164}`;
    const group = groups.get(key) ?? { e164: parsed.e164, rows: [] };
    group.rows.push(row);
    groups.set(key, group);
  }
  const people: MergedContact[] = [];
  for (const { e164, rows: group } of groups.values()) {
    const ordered = [...group].sort(newestFirst);
    const newest = ordered[0];
    const oldestFirst = [...ordered].reverse();
    people.push({
      keep: {
        ...newest,
        user_id: phoneUserId(newest.channel, e164),
        phone: e164,
        email: newest.email ?? ordered.find((r) => r.email)?.email ?? null,
        fbid: newest.fbid ?? ordered.find((r) => r.fbid)?.fbid ?? null,
        variables: Object.assign({}, ...oldestFirst.map((r) => r.variables)) as Record<
          string,
          string
        >,
        first_seen: new Date(Math.min(...group.map((r) => r.first_seen.getTime()))),
        last_seen: newest.last_seen,
        last_inbound_at: latest(group.map((r) => r.last_inbound_at)),
        // An opt-out given under any spelling holds.
        opted_out_at: latest(group.map((r) => r.opted_out_at)),
      },
      merged: ordered.slice(1),
    });
  }
  return { people, invalid };
}

/** Whether applying `person` changes anything stored. */
export function changes(person: MergedContact, original: PhoneContactRow): boolean {
  const k = person.keep;
  return (
    person.merged.length > 0 ||
    k.user_id !== original.user_id ||
    k.phone !== original.phone ||
    time(k.last_inbound_at) !== time(original.last_inbound_at) ||
    time(k.opted_out_at) !== time(original.opted_out_at)
  );
}
