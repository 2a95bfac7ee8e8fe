export * from './herald.error.js';
export * from './outcome.js';
