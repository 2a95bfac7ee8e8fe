export * from './herald.error.js';
