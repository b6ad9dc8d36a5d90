/**
 * The conformance kit: the checks every adapter passes, whatever its network. An adapter's
 * `conformance.test.ts` is one call:
 *
 * ```ts
 * conformanceSuite({
 *   definition: myAdapter,
 *   fixturesDir: new URL('./fixtures', import.meta.url).pathname,
 *   codecModule: new URL('./codec.ts', import.meta.url).pathname,
 * });
 * ```
 *
 * What is checked (docs/writing-an-adapter.md explains each):
 *
 * - `definition`: network id, native format, mapping version and summary are set.
 * - `fixtures`: every `fixtures/<case>.<ext>` decodes to the events in `<case>.expected.json`
 *   (the drafts as {@link canonicalDrafts} writes them). `COMITY_UPDATE_FIXTURES=1` writes the
 *   expected files instead of comparing: review the diff before committing it. Also: at least
 *   one draft, a subject on each, extensions namespaced `<network>.<name>`, and the same drafts
 *   when the same bytes are decoded twice.
 * - `round-trip` (capability `roundTrip`, default on): decode, complete the first draft into an
 *   Event as the runtime would, encode it, and compare with the fixture through
 *   `codec.normalize` (bytes when there is none). For a native batch (several drafts) the
 *   comparison is per event only when `normalize` of the fixture returns an array with one
 *   entry per draft; otherwise the first event's encoding is compared with the whole fixture.
 * - `malformed`: every file in `fixtures/malformed/` makes decode throw a DecodeError with a
 *   code (and the code in `malformed/expected-codes.json`, when that file names it).
 * - `fuzz`: random bytes, random JSON and mutated fixtures make decode return an array or
 *   throw a DecodeError, never anything else.
 * - `pure-codec`: the codec module imports nothing that does I/O, directly or through other
 *   project files (`import type` is allowed).
 *
 * A fixture's NativeMessage takes its content type and attributes from an optional
 * `<case>.attributes.json` (`{ "contentType": "…", "attributes": { … } }`), else the content
 * type from the extension (.json, .xml, .eml, .csv; anything else is application/octet-stream).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import ts from 'typescript';
import { describe, it } from 'vitest';
import { z } from 'zod';
import { bodyMessageType } from '../../core/events/bodies.js';
import { createEvent, decodeBody } from '../../core/events/create.js';
import { Event, LegalBasis, Target, classificationToJSON } from '../../core/gen/comity/v1/event.js';
import { requestTypeToJSON } from '../../core/gen/comity/v1/request.js';
import { isNetworkId } from '../../core/kafka/topics.js';
import type { AdapterDefinition, EventDraft, NativeMessage } from './contract.js';
import { DecodeError } from './errors.js';

/** One thing the kit found wrong. No findings: the adapter conforms. */
export interface Finding {
  /** Which check: `definition`, `fixtures`, `round-trip`, `malformed`, `fuzz`, `pure-codec`. */
  readonly check: string;
  /** The fixture file concerned, relative to the fixtures directory. */
  readonly fixture?: string;
  readonly message: string;
}

export interface ConformanceOptions {
  readonly definition: AdapterDefinition;
  /** The adapter's `fixtures/` directory: an absolute path or a file URL. */
  readonly fixturesDir: string | URL;
  /** The codec's source file, where the import check starts: an absolute path or a file URL. */
  readonly codecModule: string | URL;
  readonly capabilities?: {
    /** Encode(decode(fixture)) must equal the fixture. Default true. */
    readonly roundTrip?: boolean;
    /** Runs per fuzz property (random inputs, and mutations of each fixture). Default 200. */
    readonly fuzzRuns?: number;
  };
  /** fast-check seed, for a reproducible fuzz run. Default: a new seed each run (reported on failure). */
  readonly seed?: number;
  /** Write `<case>.expected.json` instead of comparing. Default: `COMITY_UPDATE_FIXTURES=1`. */
  readonly updateFixtures?: boolean;
  /** Files under this directory are followed by the import check. Default: the repository root. */
  readonly projectRoot?: string;
}

export const CHECKS = {
  definition: 'definition',
  fixtures: 'fixtures',
  roundTrip: 'round-trip',
  malformed: 'malformed',
  fuzz: 'fuzz',
  pureCodec: 'pure-codec',
} as const;

/** Runs every check; resolves with the findings, empty when the adapter conforms. */
export async function checkConformance(options: ConformanceOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const group of planConformance(resolvePaths(options))) {
    for (const test of group.tests) findings.push(...(await test.run()));
  }
  return findings;
}

/**
 * Registers the checks as vitest tests: one `describe` per check, one `it` per fixture, so a
 * failure names the check and the fixture in its title and says what is wrong in its message.
 */
export function conformanceSuite(options: ConformanceOptions): void {
  describe(`conformance: ${options.definition.network}`, () => {
    for (const group of planConformance(resolvePaths(options))) {
      if (group.tests.length === 0) continue;
      describe(group.title, () => {
        for (const test of group.tests) {
          it(test.title, { timeout: test.timeout ?? 10_000 }, async () => {
            const findings = await test.run();
            if (findings.length > 0) throw new Error(findings.map(formatFinding).join('\n'));
          });
        }
      });
    }
  });
}

/** A finding as one readable line (or a few, for diffs). */
export function formatFinding(finding: Finding): string {
  return `[${finding.check}]${finding.fixture ? ` ${finding.fixture}:` : ''} ${finding.message}`;
}

// ---- The plan: checks as named, independent tests ------------------------------------------

/** Options with both paths as absolute file paths. */
interface ResolvedOptions extends ConformanceOptions {
  readonly fixturesDir: string;
  readonly codecModule: string;
}

function resolvePaths(options: ConformanceOptions): ResolvedOptions {
  const path = (value: string | URL) => resolve(value instanceof URL ? fileURLToPath(value) : value);
  return { ...options, fixturesDir: path(options.fixturesDir), codecModule: path(options.codecModule) };
}

interface PlannedTest {
  readonly title: string;
  readonly timeout?: number;
  run(): Finding[] | Promise<Finding[]>;
}

interface PlannedGroup {
  readonly title: string;
  readonly tests: readonly PlannedTest[];
}

function planConformance(options: ResolvedOptions): PlannedGroup[] {
  const { definition, fixturesDir } = options;
  const fuzzRuns = options.capabilities?.fuzzRuns ?? 200;
  const update = options.updateFixtures ?? process.env.COMITY_UPDATE_FIXTURES === '1';
  const listing = listFixtures(fixturesDir);
  const malformedListing = listFixtures(join(fixturesDir, MALFORMED_DIR));
  const groups: PlannedGroup[] = [];

  groups.push({
    title: 'definition',
    tests: [{ title: 'names the network, its native format, mapping version and summary', run: () => checkDefinition(definition) }],
  });

  const fixtureTests: PlannedTest[] = listing.error
    ? [{ title: 'fixtures directory', run: () => [listing.error as Finding] }]
    : listing.files.length === 0
      ? [{ title: 'has fixtures', run: () => [finding(CHECKS.fixtures, `no fixtures in ${fixturesDir}: add real-looking native samples`)] }]
      : listing.files.map((file) => ({
          title: `${file} decodes to ${caseName(file)}${EXPECTED_SUFFIX}`,
          run: () => checkFixture(options, file, update),
        }));
  groups.push({ title: 'fixtures decode to their expected events', tests: fixtureTests });

  if (options.capabilities?.roundTrip ?? true) {
    groups.push({
      title: 'round trip is lossless',
      tests: listing.files.map((file) => ({
        title: `${file} survives decode, encode`,
        run: () => checkRoundTrip(options, file),
      })),
    });
  }

  const malformedTests: PlannedTest[] = [];
  if (malformedListing.files.length === 0) {
    malformedTests.push({
      title: 'has malformed fixtures',
      run: () => [finding(CHECKS.malformed, `no malformed fixtures in ${join(fixturesDir, MALFORMED_DIR)}: add at least one message decode must refuse`)],
    });
  }
  for (const file of malformedListing.files) {
    malformedTests.push({ title: `${MALFORMED_DIR}/${file} is refused with a DecodeError`, run: () => checkMalformed(options, file) });
  }
  if (existsSync(join(fixturesDir, MALFORMED_DIR, EXPECTED_CODES_FILE))) {
    malformedTests.push({
      title: `${MALFORMED_DIR}/${EXPECTED_CODES_FILE} names existing files`,
      run: () => checkExpectedCodesFile(options, malformedListing.files),
    });
  }
  groups.push({ title: 'malformed messages are refused', tests: malformedTests });

  const fuzzTests: PlannedTest[] = [
    {
      title: 'random bytes and random JSON: decode returns events or throws a DecodeError',
      timeout: 60_000,
      run: () => fuzzRandomInput(options, fuzzRuns, contentTypesOf(options, listing.files)),
    },
    ...listing.files.map((file) => ({
      title: `mutations of ${file}: decode returns events or throws a DecodeError`,
      timeout: 60_000,
      run: () => fuzzMutations(options, file, fuzzRuns),
    })),
  ];
  groups.push({ title: 'decode is total', tests: fuzzTests });

  groups.push({
    title: 'codec is pure',
    tests: [{ title: `${basenameOf(options.codecModule)} imports nothing that does I/O`, run: () => checkCodecImports(options) }],
  });
  return groups;
}

// ---- Fixtures ---------------------------------------------------------------------------

const MALFORMED_DIR = 'malformed';
const EXPECTED_SUFFIX = '.expected.json';
const ATTRIBUTES_SUFFIX = '.attributes.json';
const EXPECTED_CODES_FILE = 'expected-codes.json';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.eml': 'message/rfc822',
  '.csv': 'text/csv',
};

const attributesFile = z.strictObject({
  contentType: z.string().min(1).optional(),
  attributes: z.record(z.string(), z.string()).optional(),
});

function finding(check: string, message: string, fixture?: string): Finding {
  return fixture === undefined ? { check, message } : { check, fixture, message };
}

/** The case files of a directory: not expected/attributes files, not hidden, not directories. */
function listFixtures(dir: string): { files: string[]; error?: Finding } {
  if (!existsSync(dir)) return { files: [], error: finding(CHECKS.fixtures, `fixtures directory ${dir} does not exist`) };
  const files = readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .filter((name) => !name.endsWith(EXPECTED_SUFFIX) && !name.endsWith(ATTRIBUTES_SUFFIX) && name !== EXPECTED_CODES_FILE)
    .filter((name) => statSync(join(dir, name)).isFile())
    .sort();
  return { files };
}

function caseName(file: string): string {
  const extension = extname(file);
  return extension ? file.slice(0, -extension.length) : file;
}

/** The NativeMessage for a fixture file; throws a readable Error when its attributes file is bad. */
function nativeMessageOf(dir: string, file: string): NativeMessage {
  const body = readFileSync(join(dir, file));
  const attributesPath = join(dir, caseName(file) + ATTRIBUTES_SUFFIX);
  let declared: z.output<typeof attributesFile> = {};
  if (existsSync(attributesPath)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(attributesPath, 'utf8'));
    } catch (error) {
      throw new Error(`${caseName(file)}${ATTRIBUTES_SUFFIX} is not JSON: ${describeError(error)}`);
    }
    const result = attributesFile.safeParse(parsed);
    if (!result.success) {
      throw new Error(`${caseName(file)}${ATTRIBUTES_SUFFIX} must be { "contentType"?: string, "attributes"?: { name: string } }: ${z.prettifyError(result.error)}`);
    }
    declared = result.data;
  }
  return {
    body,
    contentType: declared.contentType ?? CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    attributes: declared.attributes ?? {},
  };
}

function contentTypesOf(options: ResolvedOptions, files: readonly string[]): string[] {
  const types = new Set<string>();
  for (const file of files) {
    try {
      types.add(nativeMessageOf(options.fixturesDir, file).contentType);
    } catch {
      // Reported by the fixture's own check.
    }
  }
  return types.size > 0 ? [...types] : ['application/octet-stream'];
}

/**
 * Drafts as plain JSON, the form of `<case>.expected.json`: envelope attributes that are set,
 * enums by name, and the body in the proto3 JSON mapping (defaults omitted).
 */
export function canonicalDrafts(drafts: readonly EventDraft[]): unknown[] {
  return drafts.map((draft) => {
    const json: Record<string, unknown> = {};
    const put = (key: string, value: unknown) => {
      if (value === undefined || value === '') return;
      if (Array.isArray(value) && value.length === 0) return;
      if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0) return;
      json[key] = value;
    };
    const type = draft.body.$type;
    put('subject', draft.subject);
    put('type', type);
    put('originState', draft.originState);
    put('targets', draft.targets?.map((target) => Target.toJSON(Target.fromPartial(target))));
    put('causationId', draft.causationId);
    put('classification', draft.classification === undefined ? undefined : classificationToJSON(draft.classification));
    put('legalBasis', draft.legalBasis === undefined ? undefined : LegalBasis.toJSON(LegalBasis.fromPartial(draft.legalBasis)));
    put('language', draft.language);
    put('requestType', draft.requestType === undefined ? undefined : requestTypeToJSON(draft.requestType));
    put('extensions', draft.extensions === undefined ? undefined : sortedObject(draft.extensions));
    put('nativeId', draft.nativeId);
    put('traceparent', draft.traceparent);
    json.body = bodyMessageType(type).toJSON(draft.body);
    // Through JSON once, so the value is exactly what a file would hold (no undefined).
    return JSON.parse(JSON.stringify(json)) as unknown;
  });
}

function checkFixture(options: ResolvedOptions, file: string, update: boolean): Finding[] {
  const { definition, fixturesDir } = options;
  const fail = (message: string) => [finding(CHECKS.fixtures, message, file)];
  let message: NativeMessage;
  try {
    message = nativeMessageOf(fixturesDir, file);
  } catch (error) {
    return fail(describeError(error));
  }
  let drafts: EventDraft[];
  try {
    drafts = definition.codec.decode(message);
  } catch (error) {
    return fail(`decode failed: ${describeError(error)}`);
  }
  if (!Array.isArray(drafts)) return fail(`decode returned ${typeName(drafts)}, not an array of drafts`);

  const problems = draftProblems(definition.network, drafts);
  if (problems.length > 0) return problems.map((problem) => finding(CHECKS.fixtures, problem, file));

  const actual = canonicalDrafts(drafts);
  // The runtime relies on it: a native message resent after a crash must give the same events.
  let again: unknown[];
  try {
    again = canonicalDrafts(definition.codec.decode(nativeMessageOf(fixturesDir, file)));
  } catch (error) {
    return fail(`decoding the same bytes a second time failed: ${describeError(error)}`);
  }
  if (!isDeepStrictEqual(actual, again)) {
    return fail(`decoding the same bytes twice gave different events (a clock or randomness in the codec?):\n${formatDifferences(actual, again)}`);
  }
  const expectedPath = join(fixturesDir, caseName(file) + EXPECTED_SUFFIX);
  if (update) {
    writeFileSync(expectedPath, `${JSON.stringify(actual, null, 2)}\n`);
    return [];
  }
  if (!existsSync(expectedPath)) {
    return fail(`no ${caseName(file)}${EXPECTED_SUFFIX} beside it; run the tests with COMITY_UPDATE_FIXTURES=1 to write it, then review it`);
  }
  let expected: unknown;
  try {
    expected = JSON.parse(readFileSync(expectedPath, 'utf8'));
  } catch (error) {
    return fail(`${caseName(file)}${EXPECTED_SUFFIX} is not JSON: ${describeError(error)}`);
  }
  if (isDeepStrictEqual(actual, expected)) return [];
  return fail(
    `decoded events differ from ${caseName(file)}${EXPECTED_SUFFIX} (if the change is intended, rerun with COMITY_UPDATE_FIXTURES=1 and bump mappingVersion):\n${formatDifferences(expected, actual)}`,
  );
}

/** Contract rules a draft must keep, whatever the fixture expects. */
function draftProblems(network: string, drafts: readonly EventDraft[]): string[] {
  const problems: string[] = [];
  if (drafts.length === 0) problems.push('decode returned no events; the runtime refuses that (NO_EVENTS): throw a DecodeError that says why');
  drafts.forEach((draft, index) => {
    const at = `draft ${index}`;
    const type = (draft?.body as { $type?: unknown } | undefined)?.$type;
    if (typeof type !== 'string') {
      problems.push(`${at}: body has no $type; build bodies with the generated fromPartial/create`);
      return;
    }
    try {
      bodyMessageType(type);
    } catch {
      problems.push(`${at}: ${type} is not an event body type (see core/events/bodies.ts)`);
    }
    if (!draft.subject) problems.push(`${at}: subject is empty; a new request's subject is "${network}:<native reference>"`);
    for (const key of Object.keys(draft.extensions ?? {})) {
      if (!key.startsWith(`${network}.`) || key.length === network.length + 1) {
        problems.push(`${at}: extension key "${key}" is not namespaced "${network}.<name>"`);
      }
    }
  });
  return problems;
}

// ---- Round trip -------------------------------------------------------------------------

/** Fixed id and time, so an encoding that includes them is the same on every run. */
const ROUND_TRIP_EVENT_ID = '0193a6f2-7c1e-7a10-8a00-000000000001';
const ROUND_TRIP_TIME = new Date('2026-11-27T10:00:00.000Z');

function checkRoundTrip(options: ResolvedOptions, file: string): Finding[] {
  const { definition, fixturesDir } = options;
  const { codec, network } = definition;
  const fail = (message: string) => [finding(CHECKS.roundTrip, message, file)];
  let original: NativeMessage;
  let drafts: EventDraft[];
  try {
    original = nativeMessageOf(fixturesDir, file);
    drafts = codec.decode(original);
  } catch (error) {
    return fail(`cannot check the round trip, decode failed: ${describeError(error)}`);
  }
  if (!Array.isArray(drafts) || drafts.length === 0) return [];

  const normalize = (native: NativeMessage): unknown => (codec.normalize ? codec.normalize(native) : native.body);
  let expected: unknown;
  try {
    expected = normalize(original);
  } catch (error) {
    return fail(`normalize failed on the fixture: ${describeError(error)}`);
  }
  const perEvent = drafts.length > 1 && codec.normalize !== undefined && Array.isArray(expected) && expected.length === drafts.length;
  const compared = perEvent ? drafts.length : 1;

  for (let index = 0; index < compared; index += 1) {
    const draft = drafts[index] as EventDraft;
    const at = drafts.length > 1 ? `event ${index}: ` : '';
    let reEncoded: NativeMessage;
    try {
      // As the runtime does: a complete Event, through protobuf, and its body read back from data.
      const event = Event.decode(
        Event.encode(
          createEvent(draft.body, {
            ...draft,
            source: `comity://networks/${network}/adapter`,
            originNetwork: network,
            id: ROUND_TRIP_EVENT_ID,
            time: ROUND_TRIP_TIME,
            provenance: {
              nativeFormat: definition.nativeFormat,
              mappingVersion: definition.mappingVersion,
              nativeSha256: createHash('sha256').update(original.body).digest(),
              nativeId: draft.nativeId ?? '',
            },
          }),
        ).finish(),
      );
      const encoded = codec.encode(event, decodeBody(event));
      if (encoded === null) return fail(`${at}encode returned null (no native message) for an event decoded from a native message`);
      reEncoded = encoded;
    } catch (error) {
      return fail(`${at}encode failed: ${describeError(error)}`);
    }
    let actual: unknown;
    try {
      actual = normalize(reEncoded);
    } catch (error) {
      return fail(`${at}normalize failed on the re-encoded message: ${describeError(error)}`);
    }
    const wanted = perEvent ? (expected as unknown[])[index] : expected;
    if (!sameValue(wanted, actual)) {
      return fail(`${at}the re-encoded message differs from the fixture (keep what has no canonical field in extensions "${network}.<name>"):\n${formatDifferences(wanted, actual)}`);
    }
  }
  return [];
}

// ---- Malformed --------------------------------------------------------------------------

function expectedCodes(options: ResolvedOptions): { codes: Record<string, string>; error?: string } {
  const path = join(options.fixturesDir, MALFORMED_DIR, EXPECTED_CODES_FILE);
  if (!existsSync(path)) return { codes: {} };
  try {
    return { codes: z.record(z.string(), z.string().min(1)).parse(JSON.parse(readFileSync(path, 'utf8'))) };
  } catch (error) {
    return { codes: {}, error: `${EXPECTED_CODES_FILE} must be { "<file name>": "<CODE>" }: ${describeError(error)}` };
  }
}

function checkMalformed(options: ResolvedOptions, file: string): Finding[] {
  const dir = join(options.fixturesDir, MALFORMED_DIR);
  const name = `${MALFORMED_DIR}/${file}`;
  const fail = (message: string) => [finding(CHECKS.malformed, message, name)];
  let message: NativeMessage;
  try {
    message = nativeMessageOf(dir, file);
  } catch (error) {
    return fail(describeError(error));
  }
  let drafts: unknown;
  try {
    drafts = options.definition.codec.decode(message);
  } catch (error) {
    if (!(error instanceof DecodeError)) {
      return fail(`decode threw ${describeError(error)}; it must throw a DecodeError (adapters/sdk/errors.ts) with a stable code`);
    }
    if (!error.code) return fail(`decode threw a DecodeError without a code: ${error.message}`);
    const { codes, error: codesError } = expectedCodes(options);
    if (codesError) return fail(codesError);
    const wanted = codes[file];
    if (wanted !== undefined && wanted !== error.code) {
      return fail(`decode threw DecodeError ${error.code} (${error.message}), but ${EXPECTED_CODES_FILE} expects ${wanted}`);
    }
    return [];
  }
  const count = Array.isArray(drafts) ? `${drafts.length} event(s)` : typeName(drafts);
  return fail(`decode accepted it and returned ${count}; a malformed message must throw a DecodeError`);
}

function checkExpectedCodesFile(options: ResolvedOptions, files: readonly string[]): Finding[] {
  const { codes, error } = expectedCodes(options);
  const name = `${MALFORMED_DIR}/${EXPECTED_CODES_FILE}`;
  if (error) return [finding(CHECKS.malformed, error, name)];
  return Object.keys(codes)
    .filter((file) => !files.includes(file))
    .map((file) => finding(CHECKS.malformed, `names "${file}", which is not a file in ${MALFORMED_DIR}/`, name));
}

// ---- Fuzzing ----------------------------------------------------------------------------

/** Thrown inside a property when decode broke the contract; its message becomes the finding. */
class ContractViolation extends Error {}

function decodeMustBeTotal(definition: AdapterDefinition, body: Uint8Array, contentType: string, attributes: Readonly<Record<string, string>>): void {
  let result: unknown;
  try {
    result = definition.codec.decode({ body: Buffer.from(body), contentType, attributes });
  } catch (error) {
    if (error instanceof DecodeError && error.code) return;
    if (error instanceof DecodeError) throw new ContractViolation('decode threw a DecodeError without a code');
    throw new ContractViolation(`decode threw ${describeError(error)}, not a DecodeError`);
  }
  if (!Array.isArray(result)) throw new ContractViolation(`decode returned ${typeName(result)}, not an array`);
}

function fuzzParameters<T>(options: ConformanceOptions, numRuns: number): fc.Parameters<T> {
  return options.seed === undefined ? { numRuns } : { numRuns, seed: options.seed };
}

function fuzzFinding<Ts extends [Uint8Array, ...unknown[]]>(fixture: string | undefined, what: string, details: fc.RunDetails<Ts>): Finding {
  const error = details.errorInstance;
  const reason = error instanceof ContractViolation ? error.message : `the property failed: ${describeError(error)}`;
  const input = details.counterexample?.[0];
  const sample = input
    ? `counterexample (${input.length} bytes; first 200 as base64): ${Buffer.from(input.subarray(0, 200)).toString('base64')}`
    : 'no counterexample';
  return finding(CHECKS.fuzz, `${what}: ${reason}\n  ${sample}\n  replay with seed ${details.seed}, path "${details.counterexamplePath ?? ''}"`, fixture);
}

function fuzzRandomInput(options: ResolvedOptions, numRuns: number, contentTypes: readonly string[]): Finding[] {
  const input = fc.oneof(
    fc.uint8Array({ maxLength: 1024 }),
    fc.jsonValue({ maxDepth: 4 }).map((value) => new Uint8Array(Buffer.from(JSON.stringify(value) ?? 'null'))),
  );
  const details = fc.check(
    fc.property(input, fc.constantFrom(...contentTypes), (bytes, contentType) => {
      decodeMustBeTotal(options.definition, bytes, contentType, {});
    }),
    fuzzParameters<[Uint8Array, string]>(options, numRuns),
  );
  return details.failed ? [fuzzFinding(undefined, 'random input', details)] : [];
}

type Mutation =
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'flip'; readonly at: number; readonly mask: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'duplicate'; readonly from: number; readonly length: number; readonly at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), from: fc.nat(), length: fc.integer({ min: 1, max: 64 }), at: fc.nat() }),
);

/** Positions are taken modulo the current length, so mutations compose in any order. */
function applyMutation(bytes: Uint8Array, change: Mutation): Uint8Array {
  const position = (value: number) => value % (bytes.length + 1);
  switch (change.kind) {
    case 'truncate':
      return bytes.subarray(0, position(change.at));
    case 'flip': {
      if (bytes.length === 0) return bytes;
      const copy = Uint8Array.from(bytes);
      const at = change.at % bytes.length;
      copy[at] = (copy[at] as number) ^ change.mask;
      return copy;
    }
    case 'insert': {
      const at = position(change.at);
      return Buffer.concat([bytes.subarray(0, at), change.bytes, bytes.subarray(at)]);
    }
    case 'duplicate': {
      const from = position(change.from);
      const slice = bytes.subarray(from, from + change.length);
      const at = position(change.at);
      return Buffer.concat([bytes.subarray(0, at), slice, bytes.subarray(at)]);
    }
  }
}

function fuzzMutations(options: ResolvedOptions, file: string, numRuns: number): Finding[] {
  let message: NativeMessage;
  try {
    message = nativeMessageOf(options.fixturesDir, file);
  } catch (error) {
    return [finding(CHECKS.fuzz, describeError(error), file)];
  }
  const original = new Uint8Array(message.body);
  const mutated = fc.array(mutation, { minLength: 1, maxLength: 4 }).map((changes) => changes.reduce(applyMutation, original));
  const details = fc.check(
    fc.property(mutated, (bytes) => {
      decodeMustBeTotal(options.definition, bytes, message.contentType, message.attributes);
    }),
    fuzzParameters<[Uint8Array]>(options, numRuns),
  );
  return details.failed ? [fuzzFinding(file, 'a mutation of the fixture', details)] : [];
}

// ---- Purity of the codec's imports ------------------------------------------------------

/** Node built-ins that do I/O (also under `node:`). */
const IO_BUILTINS = new Set([
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'tls',
  'dgram',
  'dns',
  'dns/promises',
  'child_process',
  'cluster',
  'worker_threads',
  'readline',
  'readline/promises',
  'process',
]);
/** Packages that do I/O. */
const IO_PACKAGES = new Set(['kafkajs', '@grpc/grpc-js', 'nodemailer', 'smtp-server', 'undici', 'pg', 'ioredis']);
/** Project files that do I/O: transports and the Kafka module. Paths relative to the root, `/`-separated. */
const IO_PROJECT_FILES = [/^adapters\/[^/]+\/transport/, /^core\/kafka\//];

const DEFAULT_PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function checkCodecImports(options: ResolvedOptions): Finding[] {
  const root = resolve(options.projectRoot ?? DEFAULT_PROJECT_ROOT);
  const start = resolve(options.codecModule);
  const show = (file: string) => toPosix(relative(root, file));
  if (!existsSync(start)) return [finding(CHECKS.pureCodec, `codec module ${start} does not exist`)];

  const findings: Finding[] = [];
  const seen = new Set<string>([start]);
  const queue: { file: string; chain: readonly string[] }[] = [{ file: start, chain: [show(start)] }];
  while (queue.length > 0) {
    const { file, chain } = queue.shift() as { file: string; chain: readonly string[] };
    for (const specifier of runtimeImports(file)) {
      const via = [...chain, specifier].join(' → ');
      if (!specifier.startsWith('.')) {
        const bare = specifier.replace(/^node:/, '');
        const packageName = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] as string);
        if (IO_BUILTINS.has(bare) || IO_PACKAGES.has(packageName)) {
          findings.push(finding(CHECKS.pureCodec, `the codec imports "${specifier}", which does I/O: ${via}. Codecs translate only; I/O belongs in the transport`));
        }
        continue;
      }
      const target = resolveRelative(file, specifier);
      if (!target || !isInside(root, target)) continue;
      const shown = show(target);
      if (IO_PROJECT_FILES.some((pattern) => pattern.test(shown))) {
        findings.push(finding(CHECKS.pureCodec, `the codec imports ${shown}, which does I/O: ${[...chain, shown].join(' → ')}. Use \`import type\` if only its types are needed`));
        continue;
      }
      if (!seen.has(target)) {
        seen.add(target);
        queue.push({ file: target, chain: [...chain, shown] });
      }
    }
  }
  return findings;
}

/** Module specifiers a file loads at run time: type-only imports and exports are left out. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const specifiers: string[] = [];
  const literal = (node: ts.Node | undefined) => (node && ts.isStringLiteralLike(node) ? node.text : undefined);
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((element) => element.isTypeOnly)));
      const specifier = literal(node.moduleSpecifier);
      if (!typeOnly && specifier !== undefined) specifiers.push(specifier);
      return;
    }
    if (ts.isExportDeclaration(node)) {
      const typeOnly =
        node.isTypeOnly ||
        (node.exportClause !== undefined &&
          ts.isNamedExports(node.exportClause) &&
          node.exportClause.elements.length > 0 &&
          node.exportClause.elements.every((element) => element.isTypeOnly));
      const specifier = literal(node.moduleSpecifier);
      if (!typeOnly && specifier !== undefined) specifiers.push(specifier);
      return;
    }
    if (ts.isImportEqualsDeclaration(node)) {
      if (!node.isTypeOnly && ts.isExternalModuleReference(node.moduleReference)) {
        const specifier = literal(node.moduleReference.expression);
        if (specifier !== undefined) specifiers.push(specifier);
      }
      return;
    }
    if (ts.isCallExpression(node)) {
      const isDynamicImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      const specifier = literal(node.arguments[0]);
      if ((isDynamicImport || isRequire) && specifier !== undefined) specifiers.push(specifier);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers;
}

/** The TypeScript source a relative specifier names (`./x.js` is `./x.ts`), if it exists. */
function resolveRelative(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  const swapped = base.replace(/\.js$/, '.ts').replace(/\.mjs$/, '.mts').replace(/\.cjs$/, '.cts');
  const candidates = [swapped, base, `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((candidate) => /\.[mc]?ts$/.test(candidate) && existsSync(candidate) && statSync(candidate).isFile());
}

function isInside(root: string, file: string): boolean {
  const path = relative(root, file);
  return path !== '' && !path.startsWith('..') && !path.split(sep).includes('node_modules');
}

// ---- Definition -------------------------------------------------------------------------

function checkDefinition(definition: AdapterDefinition): Finding[] {
  const problems: string[] = [];
  if (!isNetworkId(definition.network)) problems.push(`network "${definition.network}" is not a network id (lower-case letters, digits and '-', 3 to 32 characters)`);
  if (!definition.nativeFormat) problems.push('nativeFormat is empty: name the native format, e.g. "iberred-json"');
  if (!definition.mappingVersion) problems.push('mappingVersion is empty');
  if (!definition.summary) problems.push('summary is empty: one sentence for `comity adapter list`');
  if (typeof definition.config?.safeParse !== 'function') problems.push('config is not a zod schema');
  if (typeof definition.codec?.decode !== 'function' || typeof definition.codec?.encode !== 'function') {
    problems.push('codec must have decode and encode');
  }
  if (typeof definition.createTransport !== 'function') problems.push('createTransport is not a function');
  return problems.map((problem) => finding(CHECKS.definition, problem));
}

// ---- Differences, readable --------------------------------------------------------------

const MAX_DIFFERENCES = 8;

function sameValue(expected: unknown, actual: unknown): boolean {
  if (expected instanceof Uint8Array && actual instanceof Uint8Array) return Buffer.compare(expected, actual) === 0;
  return isDeepStrictEqual(expected, actual);
}

/** The first differing paths of two values, one per line (`  /0/body/request: expected …, got …`). */
export function formatDifferences(expected: unknown, actual: unknown): string {
  if (expected instanceof Uint8Array && actual instanceof Uint8Array) return byteDifference(expected, actual);
  const lines: string[] = [];
  collectDifferences(expected, actual, '', lines);
  const shown = lines.slice(0, MAX_DIFFERENCES);
  if (lines.length > MAX_DIFFERENCES) shown.push(`  … and ${lines.length - MAX_DIFFERENCES} more`);
  return shown.join('\n');
}

function collectDifferences(expected: unknown, actual: unknown, path: string, lines: string[]): void {
  if (lines.length > MAX_DIFFERENCES) return;
  const at = path || '/';
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) lines.push(`  ${at}: expected ${expected.length} items, got ${actual.length}`);
    for (let index = 0; index < Math.min(expected.length, actual.length); index += 1) {
      collectDifferences(expected[index], actual[index], `${path}/${index}`, lines);
    }
    return;
  }
  if (isPlainObject(expected) && isPlainObject(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
    for (const key of keys) {
      const child = `${path}/${key}`;
      if (!(key in actual)) lines.push(`  ${child}: missing (expected ${show(expected[key])})`);
      else if (!(key in expected)) lines.push(`  ${child}: unexpected ${show(actual[key])}`);
      else collectDifferences(expected[key], actual[key], child, lines);
    }
    return;
  }
  if (expected instanceof Uint8Array && actual instanceof Uint8Array) {
    if (Buffer.compare(expected, actual) !== 0) lines.push(`  ${at}: ${byteDifference(expected, actual).trim()}`);
    return;
  }
  if (!isDeepStrictEqual(expected, actual)) lines.push(`  ${at}: expected ${show(expected)}, got ${show(actual)}`);
}

function byteDifference(expected: Uint8Array, actual: Uint8Array): string {
  let offset = 0;
  while (offset < expected.length && offset < actual.length && expected[offset] === actual[offset]) offset += 1;
  const around = (bytes: Uint8Array) => JSON.stringify(Buffer.from(bytes.subarray(Math.max(0, offset - 20), offset + 40)).toString('latin1'));
  return `  bytes differ at offset ${offset} (expected ${expected.length} bytes, got ${actual.length}):\n    expected …${around(expected)}…\n    got      …${around(actual)}…`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && !(value instanceof Date);
}

function show(value: unknown): string {
  const text = value instanceof Uint8Array ? `<${value.length} bytes>` : (JSON.stringify(value) ?? String(value));
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

function sortedObject(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === 'string' && code ? ` ${code}` : ''}: ${error.message}`;
  }
  return String(error);
}

function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

function basenameOf(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}
