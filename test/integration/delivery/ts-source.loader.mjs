// Node module hooks that run Herald's TypeScript sources in a child process as jest does (swc
// with the repository's .swcrc, the @herald/* path aliases, `./x.js` imports of `./x.ts`), so a
// test can start a real service process and send it SIGTERM. Test tooling only.
import { transformSync } from '@swc/core';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = new URL('../../../', import.meta.url);
const swc = JSON.parse(readFileSync(new URL('.swcrc', root), 'utf8'));
delete swc.$schema;
const LIBS = { testing: 'test/utils/index.ts' };

export async function resolve(specifier, context, next) {
  const alias = /^@herald\/([a-z-]+)$/.exec(specifier);
  if (alias) {
    const path = LIBS[alias[1]] ?? `libs/${alias[1]}/src/index.ts`;
    return { url: new URL(path, root).href, shortCircuit: true };
  }
  if (
    /^\.{1,2}\//.test(specifier) &&
    specifier.endsWith('.js') &&
    context.parentURL?.endsWith('.ts')
  ) {
    const ts = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
    if (existsSync(fileURLToPath(ts))) return { url: ts.href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const filename = fileURLToPath(url);
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    ...swc,
    filename,
    sourceMaps: 'inline',
  });
  return { format: 'module', source: code, shortCircuit: true };
}

export const registerUrl = pathToFileURL(fileURLToPath(import.meta.url)).href;
