// Reads the Dockerfile the way the tests need it: stages, instructions, and the environment
// the final image gives every container before a manifest adds its own.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './kustomize.js';

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

export function readDockerfile(file = path.join(REPO_ROOT, 'Dockerfile')): Dockerfile {
  const text = readFileSync(file, 'utf8').replace(/\\\r?\n/g, ' ');
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const [, from = '', name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? [];
      stages.push({ from, name, instructions: [] });
    } else if (stages.length === 0 && upper === 'ARG') {
      const [name = '', value = ''] = args.split('=');
      globalArgs[name] = value;
    } else {
      stages.at(-1)?.instructions.push({ keyword: upper, args });
    }
  }
  return { globalArgs, stages };
}

/** `ENV A=1 B=2` lines of a stage, as a map. */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of stage.instructions.filter((i) => i.keyword === 'ENV')) {
    for (const [, key, value] of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g))
      env[key] = value.replace(/^"|"$/g, '');
  }
  return env;
}

/** What every container of the image starts with. */
export function imageEnv(): Record<string, string> {
  const { stages } = readDockerfile();
  return envOf(stages.at(-1)!);
}
