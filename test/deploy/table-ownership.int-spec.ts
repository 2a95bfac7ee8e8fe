// docs/architecture.md is the code's: every table's writing services, read from what each
// service's code imports and writes, are the ones its ownership table names, and its services and
// topics diagram draws the contract catalog's producers and consumers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOG } from '@herald/contracts';
import { REPO_ROOT as root } from './support/kustomize.js';
import {
  diagramEdges,
  documentedWriters,
  ownershipDrift,
  tableWriters,
  writesUnder,
  type Overlay,
} from './support/architecture.js';

const doc = () => readFileSync(join(root, 'docs/architecture.md'), 'utf8');
const driftWith = (overlay: Overlay, markdown = doc()) =>
  ownershipDrift(tableWriters(root, overlay), documentedWriters(markdown));

describe('table ownership (docs/architecture.md)', () => {
  it('names exactly the services whose code writes each table, and every table', () => {
    expect(driftWith({})).toEqual([]);
  });

  it("lists the same tables as the README's data ownership table", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = /## Data ownership\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
    const tables = section
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .flatMap((l) => [...l.split('|')[1].matchAll(/`(\w+)`/g)].map((m) => m[1]));
    expect(tables.sort()).toEqual([...documentedWriters(doc()).keys()].sort());
  });

  it('reads the writers from the code, not from a list kept beside it', () => {
    const { writers, repositoriesOf } = tableWriters(root);
    const of = (table: string) => [...(writers.get(table)?.keys() ?? [])].sort();
    // The delivery services count sent and failed as they move rows (run-counts.ts, a helper file).
    expect(of('runs')).toEqual([
      'audience',
      'delivery-messenger',
      'delivery-sms',
      'delivery-whatsapp',
      'gateway',
    ]);
    expect(writers.get('runs')?.get('delivery-sms')).toEqual(new Set(['DeliveryRepository']));
    expect(of('contacts')).toEqual(['contact', 'gateway']);
    expect(of('deliveries')).toEqual(['delivery-messenger', 'delivery-sms', 'delivery-whatsapp']);
    // Reached through libs/delivery-core, not imported by the delivery apps themselves.
    expect(repositoriesOf.get('delivery-sms')).toContain('DeliveryRepository');
    expect(writers.get('runs')?.get('gateway')).toEqual(new Set(['RunAdminRepository']));
  });

  it('fails when a service starts using a repository that writes a table it does not own', () => {
    const drift = driftWith({
      'apps/contact/src/rogue-cancel.service.ts': `import { RunAdminRepository } from '@herald/persistence';
export class RogueCancel {
  constructor(private readonly runs: RunAdminRepository) {}
}
`,
    });
    expect(drift).toEqual([
      'paced_deliveries: written by contact (RunAdminRepository), not named in the document',
      'runs: written by contact (RunAdminRepository), not named in the document',
    ]);
  });

  it('counts every repository as used when a service imports the persistence module whole', () => {
    const { repositoriesOf } = tableWriters(root, {
      'apps/audience/src/rogue.ts': `import * as persistence from '@herald/persistence';\nexport const p = persistence;\n`,
    });
    expect(repositoriesOf.get('audience')).toContain('OperatorRepository');
  });

  it('fails on raw SQL that writes a table in a service file', () => {
    const drift = driftWith({
      'apps/audience/src/rogue.service.ts': `export const forget = (db: { query(sql: string): unknown }) =>
  db.query(\`DELETE FROM bots WHERE id = $1\`);
`,
    });
    expect(drift).toEqual([
      'bots: written by audience (apps/audience/src/rogue.service.ts), not named in the document',
    ]);
  });

  it('fails on a TypeORM write in a lib a service reaches through its imports', () => {
    const index = readFileSync(join(root, 'libs/delivery-core/src/index.ts'), 'utf8');
    const drift = driftWith({
      'libs/delivery-core/src/rogue.ts': `import { ContactEntity } from '@herald/persistence';
export const touch = (db: any, row: ContactEntity) =>
  db
    .getRepository(ContactEntity)
    .save(row);
`,
      'libs/delivery-core/src/index.ts': `${index}export * from './rogue.js';\n`,
    });
    expect(drift).toEqual(
      ['delivery-whatsapp', 'delivery-sms', 'delivery-messenger'].map(
        (s) => `contacts: written by ${s} (libs/delivery-core/src/rogue.ts), not named in the document`,
      ),
    );
  });

  it('fails when a read-only repository that services share gains a write', () => {
    const path = 'libs/persistence/src/repositories/run-status.repository.ts';
    const source = readFileSync(join(root, path), 'utf8');
    const drift = driftWith({
      [path]: source.replace(
        /\n}\s*$/,
        `\n  touch(runId: string) {\n    return this.db.query('UPDATE runs SET reason = NULL WHERE id = $1', [runId]);\n  }\n}\n`,
      ),
    });
    // The contact service reads runs through it and may not write them (the delivery services may).
    expect(drift).toEqual([
      'runs: written by contact (RunStatusRepository), not named in the document',
    ]);
  });

  it('fails when the document names a writer the code does not have, or misses a table', () => {
    const markdown = doc()
      .replace('| `inbound_receipts` | `contact` |', '| `inbound_receipts` | `contact`; `audience` |')
      .replace(/\n\| `frequency_ledger` .*/, '');
    expect(driftWith({}, markdown)).toEqual([
      'frequency_ledger: not in the ownership table',
      'inbound_receipts: the document names audience as a writer, the code does not write it',
    ]);
  });

  it('apps/herald composes the services and writes nothing itself', () => {
    expect(writesUnder(root, 'apps/herald/src')).toEqual(new Map());
    const rogue = 'apps/herald/src/rogue.ts';
    expect(
      writesUnder(root, 'apps/herald/src', {
        [rogue]: "export const sql = 'insert into run_skips (run_id) values ($1)';\n",
      }),
    ).toEqual(new Map([[rogue, ['run_skips']]]));
  });
});

describe('services and topics (docs/architecture.md)', () => {
  /** How the diagram names a producer the catalog names in words. */
  const drawnAs = (service: string) =>
    service === 'any internal service' ? 'internal services' : service;

  it("draws exactly the catalog's producers and consumers of every topic", () => {
    const expected = new Set<string>();
    for (const contract of Object.values(CATALOG)) {
      for (const p of contract.producers) expected.add(`${drawnAs(p)} --> ${contract.topic}`);
      for (const c of contract.consumers) expected.add(`${contract.topic} --> ${c}`);
    }
    const topics = new Set<string>(Object.keys(CATALOG));
    const drawn = [...diagramEdges(doc())].filter((edge) =>
      edge.split(' --> ').some((end) => topics.has(end)),
    );
    expect(drawn.sort()).toEqual([...expected].sort());
  });

  it('reads the diagram, so a topic drawn to the wrong service is seen', () => {
    const wrong = doc().replace('--> CI[[contact.inbound.v1]] --> contact', '--> CI[[contact.inbound.v1]] --> audience');
    expect(diagramEdges(wrong)).toContain('contact.inbound.v1 --> audience');
    expect(diagramEdges(wrong)).not.toContain('contact.inbound.v1 --> contact');
  });
});
