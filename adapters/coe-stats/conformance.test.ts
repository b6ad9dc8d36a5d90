import { conformanceSuite } from '../sdk/conformance.js';
import { coeStatsAdapter } from './index.js';

conformanceSuite({
  definition: coeStatsAdapter,
  fixturesDir: new URL('./fixtures/', import.meta.url),
  codecModule: new URL('./codec.ts', import.meta.url),
});
