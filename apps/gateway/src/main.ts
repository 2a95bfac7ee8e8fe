import 'reflect-metadata';
import { loadConfig } from '@herald/runtime';
import { startGateway } from './gateway.app.js';
import { GatewayConfig } from './gateway.config.js';

await startGateway(loadConfig(GatewayConfig));
