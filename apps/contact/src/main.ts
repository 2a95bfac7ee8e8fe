import 'reflect-metadata';
import { loadConfig } from '@herald/runtime';
import { startContact } from './contact.app.js';
import { ContactConfig } from './contact.config.js';

await startContact(loadConfig(ContactConfig));
