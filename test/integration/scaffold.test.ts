/**
 * `comity adapter new` end to end, as a developer runs it: in a copy of the repository (sharing
 * node_modules), scaffold an adapter, then the whole project must still type-check and lint, and
 * the new adapter's tests (its codec tests and the conformance kit) must pass unchanged.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** Not copied: dependencies (linked instead), history, caches and local state. */
const NOT_COPIED = new Set(['node_modules', '.git', '.cache', '.comity', 'dist', 'test-results']);

interface Outcome {
  readonly code: number | null;
  readonly output: string;
}

/** Runs a Node script in the copy; resolves with its exit code and combined output. */
function runNode(cwd: string, args: readonly string[]): Promise<Outcome> {
  // The child is a fresh vitest/tsc run, not a worker of this one.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST') && name !== 'COMITY_UPDATE_FIXTURES' && name !== 'NODE_OPTIONS'),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...env, FORCE_COLOR: '0', NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('comity adapter new', () => {
  let copy: string;

  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'comity-scaffold-'));
    cpSync(repoRoot, copy, {
      recursive: true,
      filter: (source) => !NOT_COPIED.has(relative(repoRoot, source).split(sep)[0] ?? ''),
    });
    symlinkSync(join(repoRoot, 'node_modules'), join(copy, 'node_modules'), 'dir');
  });

  afterAll(() => {
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  it('creates an adapter that type-checks, lints and passes its own tests unchanged', { timeout: 300_000 }, async () => {
    const created = await runNode(copy, ['bin/comity.js', 'adapter', 'new', 'acme-net', '--root', copy]);
    expect(created.code, created.output).toBe(0);
    expect(created.output).toContain('created adapters/acme-net/codec.ts');
    expect(readFileSync(join(copy, 'adapters', 'registry.ts'), 'utf8')).toContain("import { acmeNetAdapter } from './acme-net/index.js';");

    const listed = await runNode(copy, ['bin/comity.js', 'adapter', 'list', '--json']);
    expect(listed.code, listed.output).toBe(0);
    expect(JSON.parse(listed.output)).toContainEqual(expect.objectContaining({ network: 'acme-net', nativeFormat: 'acme-net-json' }));

    const tsc = await runNode(copy, ['node_modules/typescript/bin/tsc', '--noEmit']);
    expect(tsc.code, tsc.output).toBe(0);

    const eslint = await runNode(copy, ['node_modules/eslint/bin/eslint.js', 'adapters/acme-net']);
    expect(eslint.code, eslint.output).toBe(0);

    const tests = await runNode(copy, ['node_modules/vitest/vitest.mjs', 'run', '--project', 'unit', 'adapters/acme-net']);
    expect(tests.code, tests.output).toBe(0);
    expect(tests.output).toMatch(/Test Files\s+2 passed/);
    expect(tests.output).toMatch(/Tests\s+\d+ passed/);
  });
});
