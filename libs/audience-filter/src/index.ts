export * from './filter-value.semantics.js';
export * from './audience.parser.js';
export * from './sql.compiler.js';
export * from './memory.evaluator.js';
export * from './compiled-audience.js';
