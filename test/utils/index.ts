export * from './database.js';
export * from './env.js';
export * from './stack.js';
export * from './metrics.js';
