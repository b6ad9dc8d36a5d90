import { conformanceSuite } from '../sdk/conformance.js';
import { ejnEcodexAdapter } from './index.js';

conformanceSuite({
  definition: ejnEcodexAdapter,
  fixturesDir: new URL('./fixtures/', import.meta.url),
  codecModule: new URL('./codec.ts', import.meta.url),
});
