export * from './address.guard.js';
export * from './custom-api.problem.js';
export * from './page.validator.js';
export * from './custom-api.client.js';
export * from './custom-api.config.js';
export * from './base-url.guard.js';
