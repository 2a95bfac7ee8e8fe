import 'reflect-metadata';
import { loadConfig } from '@herald/runtime';
import { startAudience } from './audience.app.js';
import { AudienceConfig } from './audience.config.js';

await startAudience(loadConfig(AudienceConfig));
