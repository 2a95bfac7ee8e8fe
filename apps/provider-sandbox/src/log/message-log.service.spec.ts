import { SandboxConfig } from '../sandbox.config.js';
import { MessageLogService } from './message-log.service.js';

function logWith(maxRecords: number): MessageLogService {
  return new MessageLogService(SandboxConfig.load({}, { maxRecords }));
}

describe('MessageLogService', () => {
  it('keeps details for the latest maxRecords, and counts every message', () => {
    const log = logWith(3);
    for (let i = 1; i <= 5; i++) {
      log.append({
        channel: 'sms',
        account: 'AC1',
        to: '+15550000000',
        type: 'text',
        text: `m${i % 2}`,
        data: null,
      });
    }

    const { messages } = log.query({ after: 0, limit: 10, duplicatesOnly: false });
    expect(messages.map((m) => [m.seq, m.text, m.count, m.occurrence])).toEqual([
      [3, 'm1', 3, 2],
      [4, 'm0', 2, 2],
      [5, 'm1', 3, 3],
    ]);
    expect(log.stats()).toMatchObject({
      total: 5,
      unique: 2,
      duplicates: 3,
      retained: { capacity: 3, oldestSeq: 3 },
    });
  });

  it('issues ids in each provider format, distinct per message', () => {
    const log = logWith(10);
    const wa = log.append({
      channel: 'whatsapp',
      account: '1',
      to: '1555',
      type: 'text',
      text: 'a',
      data: null,
    });
    const sms = log.append({
      channel: 'sms',
      account: 'AC',
      to: '+1555',
      type: 'text',
      text: 'a',
      data: null,
    });
    const mms = log.append({
      channel: 'sms',
      account: 'AC',
      to: '+1555',
      type: 'media',
      text: null,
      data: '{}',
    });
    const fb = log.append({
      channel: 'messenger',
      account: 'P',
      to: '42',
      type: 'text',
      text: 'a',
      data: null,
    });

    expect(wa.id).toMatch(/^wamid\.HBgL[0-9A-F]{32}$/);
    expect(sms.id).toMatch(/^SM[0-9a-f]{32}$/);
    expect(mms.id).toMatch(/^MM[0-9a-f]{32}$/);
    expect(fb.id).toMatch(/^m_[0-9a-f]{32}$/);
    expect(
      log.query({ after: 0, limit: 10, duplicatesOnly: false }).messages.map((m) => m.id),
    ).toEqual([wa.id, sms.id, mms.id, fb.id]);
  });
});
