import { conformanceSuite } from '../sdk/conformance.js';
import { iberredAdapter } from './index.js';

conformanceSuite({
  definition: iberredAdapter,
  fixturesDir: new URL('./fixtures/', import.meta.url),
  codecModule: new URL('./codec.ts', import.meta.url),
});
