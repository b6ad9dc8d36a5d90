/**
 * `comity adapter new <network>`: a new adapter folder from adapters/sdk/template/, registered
 * in adapters/registry.ts. Placeholders in file contents and names:
 *
 *   __NETWORK__         the network id          acme-net
 *   __NETWORK_PASCAL__  PascalCase              AcmeNet
 *   __NETWORK_CAMEL__   camelCase               acmeNet
 *
 * The registry gets one import above `// comity:adapter-imports` and one entry above
 * `// comity:adapter-entries`; the markers stay for the next adapter.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { ComityError } from '../../core/errors.js';
import { isNetworkId } from '../../core/kafka/topics.js';

export const TEMPLATE_DIR = join('adapters', 'sdk', 'template');
export const REGISTRY_FILE = join('adapters', 'registry.ts');
const IMPORTS_MARKER = '// comity:adapter-imports';
const ENTRIES_MARKER = '// comity:adapter-entries';
/** Folder names under adapters/ that are not networks, and ids the hub uses for itself. */
const RESERVED_IDS = new Set(['sdk', 'hub', 'template']);

export interface ScaffoldOptions {
  /** The project root: the directory holding adapters/. */
  readonly root: string;
  readonly network: string;
  /** Write into an existing adapter folder, overwriting the template's files there. */
  readonly force?: boolean;
}

export interface ScaffoldResult {
  /** Files written, relative to the root, `/`-separated, sorted. */
  readonly files: readonly string[];
  /** Whether adapters/registry.ts was changed (false when the adapter was registered already). */
  readonly registered: boolean;
}

export function scaffoldAdapter(options: ScaffoldOptions): ScaffoldResult {
  const { root, network } = options;
  if (!isNetworkId(network)) {
    throw new ComityError(
      'INVALID_NETWORK_ID',
      `"${network}" is not a network id: lower-case letters, digits and '-', 3 to 32 characters, starting with a letter`,
    );
  }
  if (RESERVED_IDS.has(network)) throw new ComityError('INVALID_NETWORK_ID', `"${network}" is reserved`);
  const templateDir = join(root, TEMPLATE_DIR);
  if (!existsSync(templateDir)) throw new ComityError('TEMPLATE_MISSING', `no adapter template at ${templateDir}`);
  const registryPath = join(root, REGISTRY_FILE);
  if (!existsSync(registryPath)) throw new ComityError('REGISTRY_MISSING', `no adapter registry at ${registryPath}`);
  const target = join(root, 'adapters', network);
  if (existsSync(target) && !options.force) {
    throw new ComityError('ADAPTER_EXISTS', `${relative(root, target)} exists already; pick another id, or use --force to overwrite the template's files in it`);
  }

  const names = placeholderValues(network);
  const registry = registerAdapter(readFileSync(registryPath, 'utf8'), network, names.camel);

  const files: string[] = [];
  for (const source of listFiles(templateDir)) {
    const destination = join(target, substitute(relative(templateDir, source), names));
    mkdirSync(dirname(destination), { recursive: true });
    const content = readFileSync(source);
    // Binary fixtures (a NUL byte says so) are copied as they are.
    writeFileSync(destination, content.includes(0) ? content : substitute(content.toString('utf8'), names));
    files.push(relative(root, destination).split(sep).join('/'));
  }
  if (registry.changed) writeFileSync(registryPath, registry.text);
  return { files: files.sort(), registered: registry.changed };
}

export interface PlaceholderValues {
  readonly network: string;
  readonly pascal: string;
  readonly camel: string;
}

export function placeholderValues(network: string): PlaceholderValues {
  const pascal = network
    .split('-')
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
  return { network, pascal, camel: pascal.charAt(0).toLowerCase() + pascal.slice(1) };
}

export function substitute(text: string, names: PlaceholderValues): string {
  return text
    .replaceAll('__NETWORK_PASCAL__', names.pascal)
    .replaceAll('__NETWORK_CAMEL__', names.camel)
    .replaceAll('__NETWORK__', names.network);
}

/** The registry text with the adapter's import and entry added above the markers. */
export function registerAdapter(registry: string, network: string, camel: string): { text: string; changed: boolean } {
  const importLine = `import { ${camel}Adapter } from './${network}/index.js';`;
  const entryLine = `  ${camel}Adapter,`;
  for (const marker of [IMPORTS_MARKER, ENTRIES_MARKER]) {
    if (!registry.includes(marker)) throw new ComityError('REGISTRY_MARKER_MISSING', `${REGISTRY_FILE} has lost its "${marker}" line`);
  }
  const lines = registry.split('\n');
  if (lines.includes(importLine)) return { text: registry, changed: false };
  const insertAbove = (marker: string, line: string) => {
    const index = lines.findIndex((candidate) => candidate.trim().startsWith(marker));
    lines.splice(index, 0, line);
  };
  insertAbove(IMPORTS_MARKER, importLine);
  insertAbove(ENTRIES_MARKER, entryLine);
  return { text: lines.join('\n'), changed: true };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? listFiles(path) : [path];
    });
}

/**
 * The project root above `start`: the nearest directory holding the adapter template. Works
 * from the sources and from a build in dist/ alike.
 */
export function findProjectRoot(start: string): string | undefined {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, TEMPLATE_DIR))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
