// Reads one page of a caller's "From API" endpoint (seed 004): {"list": [{"uid", "msg"}], "next"}.
// Pure, so every shape a customer's API can get wrong has a unit test and a fix to suggest.
import { illFormedString } from '@herald/contracts';

/** A page must hold fewer rows than this (seed 004: "less than 500 rows"). */
export const MAX_ROWS = 500;
export const MAX_UID_LENGTH = 256;
export const MAX_MSG_LENGTH = 4096;
const SHOWN_ROW_PROBLEMS = 3;

export const SHAPE_FIX =
  'Answer GET with JSON like {"list": [{"uid": "<user id>", "msg": "<message>"}], "next": "<token of the next page, empty on the last>"}.';

export interface ApiRow {
  uid: string;
  msg: string;
}

export interface PageIssue {
  problem: string;
  fix: string;
}

export interface ReadPage {
  rows: ApiRow[];
  /** Token of the next page; null when this is the last. */
  next: string | null;
  problems: PageIssue[];
}

export function readPage(body: string): ReadPage {
  if (body.trim() === '') return { rows: [], next: null, problems: [] };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    const start = body.trim().slice(0, 40).replace(/\s+/g, ' ');
    return {
      rows: [],
      next: null,
      problems: [{ problem: `is not JSON (it starts with "${start}")`, fix: SHAPE_FIX }],
    };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return {
      rows: [],
      next: null,
      problems: [{ problem: 'is JSON but not an object with "list" and "next"', fix: SHAPE_FIX }],
    };
  }
  const { list, next } = json as { list?: unknown; next?: unknown };
  const problems: PageIssue[] = [];
  const token = readNext(next, problems);
  if (!Array.isArray(list)) {
    problems.unshift({
      problem: `has no "list" array (got ${list === undefined ? 'nothing' : typeof list})`,
      fix: SHAPE_FIX,
    });
    return { rows: [], next: token, problems };
  }
  if (list.length >= MAX_ROWS) {
    problems.push({
      problem: `holds ${list.length} rows; a page must hold fewer than ${MAX_ROWS}`,
      fix: `Return at most ${MAX_ROWS - 1} rows a page and put the rest behind the "next" token.`,
    });
  }
  const rows: ApiRow[] = [];
  const bad: string[] = [];
  const seen = new Set<string>();
  list.forEach((row: unknown, i) => {
    const problem = rowProblem(row);
    if (problem) {
      bad.push(`row ${i + 1} ${problem}`);
      return;
    }
    const { uid, msg } = row as { uid: string | number; msg: string };
    const id = String(uid);
    // One person, one message a run: a repeated uid keeps its first row.
    if (seen.has(id)) return;
    seen.add(id);
    rows.push({ uid: id, msg });
  });
  if (bad.length > 0) {
    const shown = bad.slice(0, SHOWN_ROW_PROBLEMS).join('; ');
    problems.push({
      problem: `has ${bad.length} invalid row(s): ${shown}${bad.length > SHOWN_ROW_PROBLEMS ? '; …' : ''}`,
      fix: `Give every row a "uid" (text or whole number, at most ${MAX_UID_LENGTH} characters) and a non-empty "msg" (at most ${MAX_MSG_LENGTH} characters).`,
    });
  }
  return { rows, next: token, problems };
}

function readNext(next: unknown, problems: PageIssue[]): string | null {
  if (next === undefined || next === null || next === '') return null;
  if (typeof next === 'string') return next;
  if (typeof next === 'number' && Number.isFinite(next)) return String(next);
  problems.push({
    problem: `has a "next" that is ${Array.isArray(next) ? 'an array' : typeof next}, not a token`,
    fix: 'Put the next page\'s token in "next" as text; leave it empty or out on the last page.',
  });
  return null;
}

function rowProblem(row: unknown): string | undefined {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return 'is not an object';
  const { uid, msg } = row as { uid?: unknown; msg?: unknown };
  if (uid === undefined || uid === null || uid === '') return 'has no uid';
  if (typeof uid === 'number' ? !Number.isSafeInteger(uid) : typeof uid !== 'string')
    return 'has a uid that is not text or a whole number';
  if (String(uid).length > MAX_UID_LENGTH)
    return `has a uid longer than ${MAX_UID_LENGTH} characters`;
  if (typeof msg !== 'string' || msg.trim() === '') return 'has no msg';
  if (msg.length > MAX_MSG_LENGTH) return `has a msg longer than ${MAX_MSG_LENGTH} characters`;
  // Skipped like any bad row: PostgreSQL and the providers cannot take these.
  const illFormed = illFormedString(msg, 'msg') ?? illFormedString(String(uid), 'uid');
  if (illFormed) return `has text that cannot be stored: ${illFormed.message}`;
  return undefined;
}
