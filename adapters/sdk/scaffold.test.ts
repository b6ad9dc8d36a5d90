import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ComityError } from '../../core/errors.js';
import { placeholderValues, registerAdapter, scaffoldAdapter, substitute } from './scaffold.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'comity-scaffold-'));
  cpSync(join(repoRoot, 'adapters', 'sdk', 'template'), join(root, 'adapters', 'sdk', 'template'), { recursive: true });
  cpSync(join(repoRoot, 'adapters', 'registry.ts'), join(root, 'adapters', 'registry.ts'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function failure(action: () => unknown): ComityError {
  try {
    action();
  } catch (error) {
    if (error instanceof ComityError) return error;
    throw error;
  }
  throw new Error('expected a ComityError');
}

describe('adapters/sdk/scaffold', () => {
  it('names the network in the three spellings', () => {
    expect(placeholderValues('acme-net')).toEqual({ network: 'acme-net', pascal: 'AcmeNet', camel: 'acmeNet' });
    expect(placeholderValues('arin-ap2')).toEqual({ network: 'arin-ap2', pascal: 'ArinAp2', camel: 'arinAp2' });
    expect(placeholderValues('ejn')).toEqual({ network: 'ejn', pascal: 'Ejn', camel: 'ejn' });
    expect(substitute('__NETWORK_CAMEL__Adapter __NETWORK_PASCAL__Config "__NETWORK__:x"', placeholderValues('acme-net'))).toBe(
      'acmeNetAdapter AcmeNetConfig "acme-net:x"',
    );
  });

  it('copies every template file with the placeholders filled in, and registers the adapter', () => {
    const result = scaffoldAdapter({ root, network: 'acme-net' });

    const templateFiles = listRelative(join(root, 'adapters', 'sdk', 'template'));
    expect(result.files).toEqual(templateFiles.map((file) => `adapters/acme-net/${file}`));
    expect(result.files).toEqual(
      expect.arrayContaining([
        'adapters/acme-net/index.ts',
        'adapters/acme-net/codec.ts',
        'adapters/acme-net/transport.ts',
        'adapters/acme-net/spec.ts',
        'adapters/acme-net/codec.test.ts',
        'adapters/acme-net/conformance.test.ts',
        'adapters/acme-net/README.md',
        'adapters/acme-net/fixtures/request-mla.json',
        'adapters/acme-net/fixtures/request-mla.expected.json',
        'adapters/acme-net/fixtures/malformed/not-json.json',
      ]),
    );
    expect(result.registered).toBe(true);
    for (const file of result.files) expect(readFileSync(join(root, file), 'utf8'), file).not.toMatch(/__NETWORK/);
    expect(readFileSync(join(root, 'adapters/acme-net/index.ts'), 'utf8')).toContain("export const acmeNetAdapter = defineAdapter({\n  network: 'acme-net',");
    expect(readFileSync(join(root, 'adapters/acme-net/fixtures/request-mla.expected.json'), 'utf8')).toContain('"subject": "acme-net:FECO-GT-2026-0142"');

    const registry = readFileSync(join(root, 'adapters', 'registry.ts'), 'utf8').split('\n');
    const importAt = registry.indexOf("import { acmeNetAdapter } from './acme-net/index.js';");
    const entryAt = registry.indexOf('  acmeNetAdapter,');
    expect(registry[importAt + 1]).toMatch(/^\/\/ comity:adapter-imports/);
    expect(registry[entryAt + 1]).toMatch(/^ {2}\/\/ comity:adapter-entries/);
  });

  it('adds the next adapter after the first, keeping the markers', () => {
    scaffoldAdapter({ root, network: 'acme-net' });
    scaffoldAdapter({ root, network: 'beta-net' });
    const registry = readFileSync(join(root, 'adapters', 'registry.ts'), 'utf8');
    expect(registry).toMatch(
      /import \{ acmeNetAdapter \} from '\.\/acme-net\/index\.js';\nimport \{ betaNetAdapter \} from '\.\/beta-net\/index\.js';\n\/\/ comity:adapter-imports/,
    );
    expect(registry).toMatch(/ {2}acmeNetAdapter,\n {2}betaNetAdapter,\n {2}\/\/ comity:adapter-entries/);
  });

  it('refuses an invalid or reserved id, and an existing folder unless forced', () => {
    expect(failure(() => scaffoldAdapter({ root, network: 'Acme_Net' })).code).toBe('INVALID_NETWORK_ID');
    expect(failure(() => scaffoldAdapter({ root, network: 'sdk' })).code).toBe('INVALID_NETWORK_ID');

    mkdirSync(join(root, 'adapters', 'acme-net'));
    writeFileSync(join(root, 'adapters', 'acme-net', 'notes.md'), 'mine');
    const exists = failure(() => scaffoldAdapter({ root, network: 'acme-net' }));
    expect(exists.code).toBe('ADAPTER_EXISTS');
    expect(exists.message).toMatch(/--force/);
    expect(existsSync(join(root, 'adapters', 'acme-net', 'index.ts'))).toBe(false);

    expect(scaffoldAdapter({ root, network: 'acme-net', force: true }).registered).toBe(true);
    expect(readFileSync(join(root, 'adapters', 'acme-net', 'notes.md'), 'utf8')).toBe('mine');
    // Forced again: files rewritten, the registry not touched twice.
    expect(scaffoldAdapter({ root, network: 'acme-net', force: true }).registered).toBe(false);
    expect(readFileSync(join(root, 'adapters', 'registry.ts'), 'utf8').match(/acmeNetAdapter/g)).toHaveLength(2);
  });

  it('refuses a registry without its markers, before writing anything', () => {
    expect(() => registerAdapter('export const adapters = [];\n', 'acme-net', 'acmeNet')).toThrow(/comity:adapter-imports/);
    writeFileSync(join(root, 'adapters', 'registry.ts'), 'export const adapters = [];\n');
    expect(failure(() => scaffoldAdapter({ root, network: 'acme-net' })).code).toBe('REGISTRY_MARKER_MISSING');
    expect(existsSync(join(root, 'adapters', 'acme-net'))).toBe(false);
  });
});

function listRelative(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((entry) =>
      entry.isDirectory() ? listRelative(join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
    )
    .sort();
}
