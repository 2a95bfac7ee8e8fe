export * from './http-metrics.js';
export * from './json-logger.js';
export * from './metrics.controller.js';
export * from './metrics.registry.js';
export * from './observability.module.js';
export * from './tracing.js';
export * from './text-logger.js';
