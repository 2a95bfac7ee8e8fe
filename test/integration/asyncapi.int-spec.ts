// The AsyncAPI document other services build against: valid AsyncAPI 3, and exactly what the
// code's own catalog and schemas say. After changing a contract, `npm run asyncapi` rewrites it.
import { Parser } from '@asyncapi/parser';
import { readFileSync, writeFileSync } from 'node:fs';
import { ALL_TOPICS, buildAsyncApiDocument } from '@herald/contracts';

const PATH = 'docs/asyncapi.json';
if (process.env.HERALD_WRITE_ASYNCAPI === '1') {
  writeFileSync(PATH, `${JSON.stringify(buildAsyncApiDocument(), null, 2)}\n`);
}

describe('AsyncAPI document', () => {
  const committed = readFileSync(PATH, 'utf8');

  it('matches the contract catalog', () => {
    expect(JSON.parse(committed)).toEqual(buildAsyncApiDocument());
  });

  it('is valid AsyncAPI 3 and describes every topic with its schema, key and headers', async () => {
    const { document, diagnostics } = await new Parser().parse(committed);
    const errors = diagnostics.filter((d) => d.severity === 0);
    expect(errors).toEqual([]);
    expect(document).toBeDefined();
    const addresses = document!
      .channels()
      .all()
      .map((c) => c.address());
    expect(addresses.sort()).toEqual([...ALL_TOPICS].sort());
    for (const channel of document!.channels().all()) {
      const message = channel.messages().all()[0];
      // Each payload names what its key is about (runId, contactId, recipient or sender).
      expect(
        Object.keys((message.payload()?.json() as { properties: object }).properties).length,
      ).toBeGreaterThan(0);
      expect(message.payload()?.json()).toHaveProperty('required');
      expect(message.headers()?.json()).toHaveProperty('properties.ce_type');
      expect(message.bindings().get('kafka')?.value()).toHaveProperty('key');
    }
  });
});
