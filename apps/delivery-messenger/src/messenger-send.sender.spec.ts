import { graphFailure } from '@herald/delivery-core';
import { MESSENGER_CODES } from './messenger-send.sender.js';

const graph = (status: number, code: number, subcode?: number) =>
  graphFailure(
    status,
    { error: { code, message: `(#${code}) x`, ...(subcode ? { error_subcode: subcode } : {}) } },
    MESSENGER_CODES,
  );

describe('Messenger Send API error classification', () => {
  it("counts rate limits and the Page's own refusals against the Page", () => {
    expect(graph(400, 613)).toMatchObject({ failure: 'account' });
    expect(graph(400, 32)).toMatchObject({ failure: 'account' });
    expect(graph(400, 190)).toMatchObject({
      failure: 'account',
      reason: '(#190) x — re-authorise the Messenger channel: its page access token is invalid',
    });
    expect(graph(400, 368)).toMatchObject({ failure: 'account' });
  });

  it('fails for good a closed window or an unavailable person, with advice', () => {
    expect(graph(400, 10, 2018278)).toMatchObject({
      failure: 'permanent',
      code: '10/2018278',
      reason: expect.stringContaining('send with a message tag or a notification token'),
    });
    expect(graph(400, 551)).toMatchObject({ failure: 'permanent' });
  });
});
