// All-in-one mode (`npm start`, `main.js all`) hosts every service in one process, each with its
// own PostgreSQL data source. @nestjs/typeorm keeps one registry of data source names per process
// and warns when a second one takes a name already there (they would override each other):
// starting the whole stack must register each under a name of its own.
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { startStack, type Stack } from '@herald/testing';

describe('all-in-one mode', () => {
  let stack: Stack | undefined;

  afterAll(async () => {
    await stack?.stop();
  });

  it('gives every service a data source of its own, and no name is registered twice', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    let warnings: string[];
    try {
      stack = await startStack();
    } finally {
      // Read before restoring: mockRestore() forgets the calls.
      warnings = warn.mock.calls.map(([message]) => String(message));
      warn.mockRestore();
    }
    const apps = [...stack.apps.values()];
    expect(apps).toHaveLength(6);
    const sources = apps.map((app) => app.get(DataSource));
    expect(new Set(sources).size).toBe(apps.length);
    expect(sources.every((source) => source.isInitialized)).toBe(true);
    const duplicates = warnings.filter((message) => message.includes('already registered'));
    expect(duplicates).toEqual([]);
  });
});
