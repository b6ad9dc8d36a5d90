/**
 * Configuration: a zod schema is the single description of what a process accepts (fields,
 * defaults, descriptions for docs); values come from a YAML file, then environment overrides.
 *
 * Environment overrides: `COMITY_<PATH>` where `__` separates levels, e.g.
 * `COMITY_KAFKA__CLIENT_ID=router-1` sets `kafka.clientId` (SNAKE_CASE maps to camelCase), and
 * the conventional `KAFKA_BROKERS` sets `kafka.brokers`. Values from the environment are
 * strings; schemas that take lists accept comma-separated strings through {@link commaList}.
 *
 * Bad configuration is refused with a {@link ConfigError} that names the file, the line and
 * the field of every problem, so an operator can fix it without reading code.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { z } from 'zod';
import { ConfigError, type ConfigIssue } from './errors.js';

export interface LoadConfigOptions {
  /** YAML file to read; optional when everything comes from the environment. */
  readonly file?: string;
  /** Already-read YAML text (with `file` naming it in errors). */
  readonly text?: string;
  /** Environment to read overrides from; defaults to `process.env`. Pass `{}` to ignore it. */
  readonly env?: NodeJS.ProcessEnv;
}

const ENV_PREFIX = 'COMITY_';
/** Conventional variables that map to a config path. */
const WELL_KNOWN_ENV: Readonly<Record<string, readonly string[]>> = {
  KAFKA_BROKERS: ['kafka', 'brokers'],
};

/** A list that may also be given as a comma-separated string (environment variables). */
export function commaList<T extends z.ZodType>(item: T) {
  return z.preprocess(
    (value) =>
      typeof value === 'string'
        ? value
            .split(',')
            .map((part) => part.trim())
            .filter((part) => part.length > 0)
        : value,
    z.array(item),
  );
}

export function loadConfig<S extends z.ZodType>(schema: S, options: LoadConfigOptions = {}): z.output<S> {
  const source = options.file ?? 'environment';
  const text = options.text ?? (options.file ? readConfigFile(options.file) : '');
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    const issues = document.errors.map((error) => ({
      field: '(yaml)',
      message: error.message.split('\n')[0] ?? error.message,
      line: lineCounter.linePos(error.pos[0]).line,
    }));
    throw new ConfigError(formatMessage(source, issues), source, issues);
  }
  const fromFile: unknown = document.toJS() ?? {};
  if (typeof fromFile !== 'object' || Array.isArray(fromFile)) {
    const issues = [{ field: '(root)', message: 'expected a mapping at the top level', line: 1 }];
    throw new ConfigError(formatMessage(source, issues), source, issues);
  }

  const overrides = environmentOverrides(options.env ?? process.env);
  const merged = structuredClone(fromFile as Record<string, unknown>);
  for (const { path, value } of overrides) setPath(merged, path, value);

  let result = schema.safeParse(merged);
  // Environment values are strings: where the schema wants a number or a boolean at a path the
  // environment set, read the string as one and try again.
  for (let round = 0; !result.success && round < overrides.length; round += 1) {
    let changed = false;
    for (const issue of result.error.issues) {
      const override = overrides.find((o) => o.path.join('.') === issue.path.map(String).join('.'));
      const expected = issue.code === 'invalid_type' ? issue.expected : undefined;
      const typed = override && expected ? typedValue(override.value, expected) : undefined;
      if (override && typed !== undefined) {
        setPath(merged, override.path, typed);
        changed = true;
      }
    }
    if (!changed) break;
    result = schema.safeParse(merged);
  }
  if (result.success) return result.data;

  const issues: ConfigIssue[] = result.error.issues.map((issue) => {
    const path = issue.path.map(String);
    const field = path.join('.') || '(root)';
    const override = overrides.find((o) => o.path.join('.') === field || field.startsWith(o.path.join('.') + '.'));
    if (override) return { field, message: `${issue.message} (from ${override.variable})` };
    const line = lineOf(document, lineCounter, path);
    return line === undefined ? { field, message: issue.message } : { field, message: issue.message, line };
  });
  throw new ConfigError(formatMessage(source, issues), source, issues);
}

function readConfigFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    const message = `cannot read config file ${file}: ${(cause as Error).message}`;
    throw new ConfigError(message, file, [{ field: '(file)', message }]);
  }
}

function formatMessage(source: string, issues: readonly ConfigIssue[]): string {
  const lines = issues.map(
    (issue) => `  ${source}${issue.line === undefined ? '' : `:${issue.line}`}: ${issue.field}: ${issue.message}`,
  );
  return `invalid configuration in ${source}:\n${lines.join('\n')}`;
}

interface Override {
  readonly variable: string;
  readonly path: readonly string[];
  readonly value: string;
}

function environmentOverrides(env: NodeJS.ProcessEnv): Override[] {
  const overrides: Override[] = [];
  for (const [variable, path] of Object.entries(WELL_KNOWN_ENV)) {
    const value = env[variable];
    if (value !== undefined && value !== '') overrides.push({ variable, path, value });
  }
  for (const [variable, value] of Object.entries(env)) {
    if (!variable.startsWith(ENV_PREFIX) || value === undefined) continue;
    const path = variable
      .slice(ENV_PREFIX.length)
      .split('__')
      .map((segment) => segment.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
    if (path.some((segment) => segment.length === 0)) continue;
    overrides.push({ variable, path, value });
  }
  return overrides;
}

function typedValue(value: string, expected: string): number | boolean | undefined {
  if (expected === 'number' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  if (expected === 'boolean' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  return undefined;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path.at(-1);
  if (last !== undefined) node[last] = value;
}

/** Line of the deepest node of `path` present in the YAML document (the parent of a missing field). */
function lineOf(
  document: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
  path: readonly string[],
): number | undefined {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const keys = path.slice(0, depth).map((key) => (/^\d+$/.test(key) ? Number(key) : key));
    const node: unknown = depth === 0 ? document.contents : document.getIn(keys, true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}
