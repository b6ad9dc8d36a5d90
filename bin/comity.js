#!/usr/bin/env node
// The `comity` command. Runs the TypeScript sources through tsx, so no build step is needed
// after `npm ci`; deployments may run the compiled dist/ instead (see docs/operations.md).
import { register } from 'tsx/esm/api';

register();
await import('../services/cli/main.ts');
