import type { ChannelAccount } from '@herald/persistence';
import { enforcesWindow } from './channel-policy.js';

const account = (config: Record<string, unknown>): ChannelAccount => ({
  id: 'c1',
  botId: 'b1',
  type: 'whatsapp',
  config,
  credentials: {},
});
const enforced = account({ baseUrl: 'http://127.0.0.1:3999', enforceCustomerServiceWindow: true });
const meta = account({ baseUrl: 'https://graph.facebook.com' });
const sandbox = account({ baseUrl: 'http://127.0.0.1:3999', enforceCustomerServiceWindow: false });

describe('enforcesWindow', () => {
  it("follows the account's enforceCustomerServiceWindow setting, on when it says nothing, whatever its URL", () => {
    expect(enforcesWindow(enforced)).toBe(true);
    expect(enforcesWindow(sandbox)).toBe(false);
    expect(enforcesWindow(meta)).toBe(true);
    expect(enforcesWindow(account({ baseUrl: 'http://127.0.0.1:3999' }))).toBe(true);
    expect(
      enforcesWindow(
        account({ baseUrl: 'https://graph.facebook.com', enforceCustomerServiceWindow: 'false' }),
      ),
    ).toBe(false);
    // The setting's earlier name is still read; the new one wins.
    expect(enforcesWindow(account({ enforceWindow: false }))).toBe(false);
    expect(
      enforcesWindow(account({ enforceWindow: false, enforceCustomerServiceWindow: true })),
    ).toBe(true);
  });
});
