import { planContactPhones, type PhoneContactRow } from './contact-phone-merge.js';

const BOT = 'b0000000-0000-4000-8000-000000000001';
let n = 0;
function row(over: Partial<PhoneContactRow>): PhoneContactRow {
  n += 1;
  return {
    id: `c0000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    bot_id: BOT,
    channel: 'sms',
    user_id: '+15551234567',
    phone: null,
    email: null,
    fbid: null,
    variables: {},
    first_seen: new Date('2026-01-01T00:00:00Z'),
    last_seen: new Date('2026-01-01T00:00:00Z'),
    last_inbound_at: null,
    opted_out_at: null,
    ...over,
  };
}

describe('planContactPhones', () => {
  it('merges one person written three ways into the newest contact, newest variables winning', () => {
    const old = row({
      user_id: '15551234567',
      variables: { first_name: 'Ada', plan: 'free' },
      last_inbound_at: new Date('2026-03-01T00:00:00Z'),
    });
    const mid = row({
      user_id: '+1 (555) 123-4567',
      variables: { plan: 'pro' },
      last_seen: new Date('2026-02-01T00:00:00Z'),
      opted_out_at: new Date('2026-02-01T00:00:00Z'),
    });
    const newest = row({
      user_id: '+15551234567',
      variables: { plan: 'gold', city: 'Oslo' },
      last_seen: new Date('2026-04-01T00:00:00Z'),
      first_seen: new Date('2026-04-01T00:00:00Z'),
    });
    const { people, invalid } = planContactPhones([old, mid, newest], () => undefined);
    expect(invalid).toEqual([]);
    expect(people).toHaveLength(1);
    const [person] = people;
    expect(person.keep).toMatchObject({
      id: newest.id,
      user_id: '+15551234567',
      phone: '+15551234567',
      variables: { first_name: 'Ada', plan: 'gold', city: 'Oslo' },
      first_seen: old.first_seen,
      last_inbound_at: old.last_inbound_at,
      opted_out_at: mid.opted_out_at,
    });
    expect(person.merged.map((r) => r.id)).toEqual([mid.id, old.id]);
  });

  it('keeps channels and bots apart, derives WhatsApp ids, reads national numbers in the default country', () => {
    const wa = row({ channel: 'whatsapp', user_id: '+1 555 123 4567' });
    const sms = row({ channel: 'sms', user_id: '(555) 123-4567' });
    const { people } = planContactPhones([wa, sms], () => 'US');
    expect(
      people.map((p) => [p.keep.channel, p.keep.user_id, p.keep.phone, p.merged.length]),
    ).toEqual([
      ['whatsapp', '15551234567', '+15551234567', 0],
      ['sms', '+15551234567', '+15551234567', 0],
    ]);
  });

  it('reports numbers it cannot read and leaves them alone', () => {
    const bad = row({ user_id: 'not-a-number' });
    expect(planContactPhones([bad], () => undefined)).toEqual({
      people: [],
      invalid: [{ row: bad, reason: expect.stringContaining('not a phone number') }],
    });
  });
});
