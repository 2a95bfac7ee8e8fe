// `node --import ./ts-source.register.mjs some.ts`: see ts-source.loader.mjs.
import { register } from 'node:module';

register('./ts-source.loader.mjs', import.meta.url);
