import { conformanceSuite } from '../sdk/conformance.js';
import { __NETWORK_CAMEL__Adapter } from './index.js';

conformanceSuite({
  definition: __NETWORK_CAMEL__Adapter,
  fixturesDir: new URL('./fixtures/', import.meta.url),
  codecModule: new URL('./codec.ts', import.meta.url),
});
