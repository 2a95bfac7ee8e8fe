import { errorOf } from '../testing/error-of.js';
import { parseCsmlBroadcast } from './csml-broadcast.parser.js';

const seed = {
  payload: { content: { flow_id: 'myflow' }, content_type: 'flow_trigger' },
  client: { user_id: 'some-user-id' },
  metadata: { somekey: 'somevalue' },
};

describe('parseCsmlBroadcast', () => {
  it("reads the seed's request, close_flows defaulting to true", () => {
    expect(parseCsmlBroadcast(seed)).toEqual({
      flowId: 'myflow',
      closeFlows: true,
      userId: 'some-user-id',
      metadata: { somekey: 'somevalue' },
    });
  });

  it('takes close_flows, a channel id, and no metadata', () => {
    const parsed = parseCsmlBroadcast({
      payload: { content_type: 'flow_trigger', content: { flow_id: 'f', close_flows: false } },
      client: { user_id: 'u', channel_id: 'c' },
    });
    expect(parsed).toEqual({ flowId: 'f', closeFlows: false, userId: 'u', channelId: 'c' });
  });

  it('names what is missing or wrong', () => {
    expect(errorOf(() => parseCsmlBroadcast(undefined)).field).toBe('body');
    expect(errorOf(() => parseCsmlBroadcast({ ...seed, client: {} })).field).toBe('client.user_id');
    expect(errorOf(() => parseCsmlBroadcast({ ...seed, client: undefined })).field).toBe('client');
    expect(
      errorOf(() =>
        parseCsmlBroadcast({ ...seed, payload: { ...seed.payload, content_type: 'text' } }),
      ),
    ).toMatchObject({
      field: 'payload.content_type',
      fix: 'Use one of: flow_trigger.',
    });
    expect(
      errorOf(() =>
        parseCsmlBroadcast({ ...seed, payload: { content_type: 'flow_trigger', content: {} } }),
      ).field,
    ).toBe('payload.content.flow_id');
    expect(
      errorOf(() =>
        parseCsmlBroadcast({
          ...seed,
          payload: { content_type: 'flow_trigger', content: { flow_id: 'f', close_flows: 'yes' } },
        }),
      ).field,
    ).toBe('payload.content.close_flows');
    expect(errorOf(() => parseCsmlBroadcast({ ...seed, metadata: 'x' })).field).toBe('metadata');
    expect(errorOf(() => parseCsmlBroadcast({ ...seed, extra: 1 })).field).toBe('extra');
    expect(
      errorOf(() => parseCsmlBroadcast({ ...seed, client: { user_id: 'u', name: 'x' } })).field,
    ).toBe('client.name');
  });
});
