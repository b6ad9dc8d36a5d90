import { conformanceSuite } from '../sdk/conformance.js';
import { wacapAdapter } from './index.js';

conformanceSuite({
  definition: wacapAdapter,
  fixturesDir: new URL('./fixtures/', import.meta.url),
  codecModule: new URL('./codec.ts', import.meta.url),
});
