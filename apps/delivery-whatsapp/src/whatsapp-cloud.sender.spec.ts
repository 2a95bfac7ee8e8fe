import { graphFailure } from '@herald/delivery-core';
import { WHATSAPP_CODES } from './whatsapp-cloud.sender.js';

const graph = (status: number, code: number) =>
  graphFailure(status, { error: { code, message: `(#${code}) x` } }, WHATSAPP_CODES);

describe('WhatsApp Cloud API error classification', () => {
  it('retries the pair rate limit for this person without blaming the number', () => {
    expect(graph(400, 131056)).toMatchObject({ failure: 'transient', code: '131056' });
  });

  it("counts throughput limits and the account's own refusals against the number", () => {
    expect(graph(400, 130429)).toMatchObject({ failure: 'account' });
    expect(graph(401, 190)).toMatchObject({
      failure: 'account',
      reason: '(#190) x — re-authorise the WhatsApp channel: its access token is invalid',
    });
    expect(graph(400, 131031)).toMatchObject({ failure: 'account' });
  });

  it('fails for good what retrying cannot mend, with advice', () => {
    expect(graph(400, 131026)).toMatchObject({
      failure: 'permanent',
      reason: '(#131026) x — the number is not on WhatsApp or cannot receive messages',
    });
    expect(graph(400, 131047)).toMatchObject({ failure: 'permanent' });
  });
});
