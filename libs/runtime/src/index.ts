export * from './config.js';
export * from './health.controller.js';
export * from './health.module.js';
export * from './service.js';
export * from './promise-cache.js';
export * from './production-safety.js';
export * from './kafka-security.js';
export * from './due-poller.js';
