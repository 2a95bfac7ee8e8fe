// docs/operations.md: its configuration tables are exactly what the config classes read and
// what the overlays and the compose file set (regenerate them with
// `HERALD_WRITE_OPERATIONS_DOC=1` and this test), and its commands name real objects.
import { readFileSync, writeFileSync } from 'node:fs';
import { SandboxConfig } from './support/herald-apps.js';
import { overlayNames } from './support/kustomize.js';
import {
  DOC_PATH,
  END,
  generateConfigTables,
  sandboxVariables,
  START,
} from './support/operations-doc.js';
import { loadOverlay, type Overlay } from './support/overlay.js';

describe('docs/operations.md', () => {
  let overlays: Overlay[];
  let generated: string;

  beforeAll(async () => {
    overlays = [];
    // prod first: it is the one an operator reads for.
    for (const name of overlayNames().sort((a, b) => Number(b === 'prod') - Number(a === 'prod')))
      overlays.push(await loadOverlay(name));
    generated = generateConfigTables(overlays);
    if (process.env.HERALD_WRITE_OPERATIONS_DOC === '1') {
      const doc = readFileSync(DOC_PATH, 'utf8');
      writeFileSync(
        DOC_PATH,
        doc.slice(0, doc.indexOf(START)) + generated + doc.slice(doc.indexOf(END) + END.length),
      );
    }
  });

  it('has configuration tables that match the config classes, the overlays and the compose file', () => {
    const doc = readFileSync(DOC_PATH, 'utf8');
    expect(doc.indexOf(START)).toBeGreaterThan(0);
    const committed = doc.slice(doc.indexOf(START), doc.indexOf(END) + END.length);
    expect(committed).toBe(generated);
  });

  it('lists every sandbox variable the sandbox config recognises, and all of its settings', () => {
    const variables = sandboxVariables();
    expect(variables.filter((v) => v.setting === undefined)).toEqual([]);
    expect(variables.map((v) => v.setting).sort()).toEqual(
      Object.keys(SandboxConfig.load({})).sort(),
    );
  });

  it('covers deploy, scale, observe, upgrade and sizing, with commands on real names', () => {
    const doc = readFileSync(DOC_PATH, 'utf8');
    for (const heading of [
      '## Deploy',
      '## Scale',
      '## Observe',
      '## Upgrade',
      '## Sizing',
      '## Configuration',
    ])
      expect(doc).toContain(heading);
    const prod = overlays.find((o) => o.name === 'prod')!;
    for (const stage of ['platform', 'config', 'migrate', 'apps'])
      expect(doc).toContain(`herald.dev/stage=${stage}`);
    expect(doc).toContain(`job/${prod.objects.find((o) => o.kind === 'Job')!.metadata.name}`);
    expect(doc).toContain(`kafka/${prod.kafkaName}`);
    expect(doc).toContain(`cluster/${prod.cnpg.metadata.name}`);
    expect(doc).toContain(`namespace ${prod.objects[0].metadata.namespace}`);
  });
});
