import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AdapterDefinition, Codec, NativeMessage } from './contract.js';
import { checkConformance, conformanceSuite, type ConformanceOptions, type Finding } from './conformance.js';
import { DecodeError } from './errors.js';
import { KIT_NETWORK, noteCodec } from './testdata/conformance/codec.js';

const testdata = fileURLToPath(new URL('./testdata/', import.meta.url));
const fixturesDir = join(testdata, 'conformance', 'fixtures');
const codecModule = join(testdata, 'conformance', 'codec.ts');

function definitionWith(codec: Codec): AdapterDefinition {
  return {
    network: KIT_NETWORK,
    nativeFormat: 'kit-test-json',
    mappingVersion: '1',
    summary: 'The conformance kit checking itself.',
    config: z.object({}),
    codec,
    createTransport: () => {
      throw new Error('the kit never starts a transport');
    },
  };
}

const good: ConformanceOptions = {
  definition: definitionWith(noteCodec),
  fixturesDir,
  codecModule,
  capabilities: { fuzzRuns: 100 },
  seed: 42,
  updateFixtures: false,
};

function messages(findings: readonly Finding[], check: string): string[] {
  return findings.filter((finding) => finding.check === check).map((finding) => `${finding.fixture ?? ''}: ${finding.message}`);
}

const text = (native: NativeMessage | null) => native?.body.toString('utf8') ?? '';

describe('adapters/sdk/conformance', () => {
  it('finds nothing wrong with a correct codec', async () => {
    expect(await checkConformance(good)).toEqual([]);
  });

  it('catches an encode that drops a field', async () => {
    const dropsNote: Codec = {
      ...noteCodec,
      encode: (event, body) => {
        const native = noteCodec.encode(event, body)!;
        const { note: _dropped, ...rest } = JSON.parse(text(native)) as Record<string, unknown>;
        return { ...native, body: Buffer.from(JSON.stringify(rest)) };
      },
    };
    const findings = await checkConformance({ ...good, definition: definitionWith(dropsNote) });
    expect(messages(findings, 'round-trip')).toEqual([
      expect.stringMatching(/^note-1\.json: the re-encoded message differs from the fixture[^]*\/note: missing \(expected "Bank records/),
    ]);
    expect(findings.filter((finding) => finding.check !== 'round-trip')).toEqual([]);
  });

  it('compares bytes when the codec has no normalize', async () => {
    const bytesOnly: Codec = { decode: (native) => noteCodec.decode(native), encode: (event, body) => noteCodec.encode(event, body) };
    const findings = await checkConformance({ ...good, definition: definitionWith(bytesOnly) });
    // The fixtures are pretty-printed, the encoder writes compact JSON: a byte difference.
    expect(messages(findings, 'round-trip')).toEqual([
      expect.stringMatching(/^note-1\.json: [^]*bytes differ at offset 1 /),
      expect.stringMatching(/^note-2\.json: [^]*bytes differ at offset 1 /),
    ]);
  });

  it('catches a decode that throws a TypeError on bad input, in malformed fixtures and by fuzzing', async () => {
    const careless: Codec = {
      ...noteCodec,
      decode: (native) => {
        const parsed = JSON.parse(text(native)) as { reference: string };
        if (parsed.reference.trim() === '') return [];
        return noteCodec.decode(native);
      },
    };
    const findings = await checkConformance({ ...good, definition: definitionWith(careless) });
    expect(messages(findings, 'malformed')).toEqual([
      expect.stringMatching(/^malformed\/no-reference\.json: decode threw TypeError: .*reading 'trim'.*it must throw a DecodeError/),
      expect.stringMatching(/^malformed\/truncated\.json: decode threw SyntaxError: .*it must throw a DecodeError/),
    ]);
    const fuzz = messages(findings, 'fuzz');
    expect(fuzz.length).toBeGreaterThanOrEqual(1);
    expect(fuzz[0]).toMatch(/^: random input: decode threw (TypeError|SyntaxError): .*not a DecodeError\n {2}counterexample \(\d+ bytes; first 200 as base64\): \S*\n {2}replay with seed 42/);
    expect(fuzz.slice(1).every((message) => /^note-\d\.json: a mutation of the fixture: decode threw/.test(message))).toBe(true);
  });

  it('catches a decode that accepts what it should refuse, and a code other than the expected one', async () => {
    const lenient: Codec = {
      ...noteCodec,
      decode: (native) => {
        try {
          return noteCodec.decode(native);
        } catch (error) {
          if (error instanceof DecodeError && error.code === 'NOT_JSON') throw new DecodeError('BAD_JSON', error.message);
          return [];
        }
      },
    };
    const findings = await checkConformance({ ...good, definition: definitionWith(lenient) });
    expect(messages(findings, 'malformed')).toEqual([
      'malformed/no-reference.json: decode accepted it and returned 0 event(s); a malformed message must throw a DecodeError',
      expect.stringMatching(/^malformed\/truncated\.json: decode threw DecodeError BAD_JSON .*but expected-codes\.json expects NOT_JSON$/),
    ]);
  });

  it('shows where decoded events differ from the expected file', async () => {
    const findings = await checkConformance({ ...good, fixturesDir: join(testdata, 'wrong-expected') });
    expect(messages(findings, 'fixtures')).toEqual([
      expect.stringMatching(
        /^note-1\.json: decoded events differ from note-1\.expected\.json[^]*\n {2}\/0\/body\/request\/requestedState: expected "ES", got "PT"\n {2}\/0\/subject: expected "kit-test:N-2026-6", got "kit-test:N-2026-7"/,
      ),
    ]);
    // The fixture itself is fine for the other checks.
    expect(findings.filter((finding) => finding.check !== 'fixtures')).toEqual([]);
  });

  it('requires malformed fixtures and an expected file for every fixture', async () => {
    const dir = scratchCopy(join(fixturesDir, 'note-2.json'));
    const findings = await checkConformance({ ...good, fixturesDir: dir });
    expect(messages(findings, 'malformed')).toEqual([expect.stringMatching(/^: no malformed fixtures in .*add at least one/)]);
    expect(messages(findings, 'fixtures')).toEqual([
      'note-2.json: no note-2.expected.json beside it; run the tests with COMITY_UPDATE_FIXTURES=1 to write it, then review it',
    ]);
  });

  it('writes expected files in update mode, exactly as they are checked', async () => {
    const dir = scratchCopy(join(fixturesDir, 'note-1.json'));
    await checkConformance({ ...good, fixturesDir: dir, updateFixtures: true });
    const written: unknown = JSON.parse(readFileSync(join(dir, 'note-1.expected.json'), 'utf8'));
    expect(written).toEqual(JSON.parse(readFileSync(join(fixturesDir, 'note-1.expected.json'), 'utf8')));
    expect(written).toMatchObject([{ subject: 'kit-test:N-2026-7', type: 'comity.v1.RequestSubmitted', targets: [{ state: 'PT' }] }]);
  });

  it('reports extension keys outside the network namespace', async () => {
    const sloppy: Codec = {
      ...noteCodec,
      decode: (native) => noteCodec.decode(native).map((draft) => ({ ...draft, extensions: { priority: 'high' } })),
    };
    const findings = await checkConformance({ ...good, definition: definitionWith(sloppy), capabilities: { roundTrip: false, fuzzRuns: 10 } });
    expect(messages(findings, 'fixtures')).toContain('note-1.json: draft 0: extension key "priority" is not namespaced "kit-test.<name>"');
  });

  it('catches a decode that is not deterministic', async () => {
    let calls = 0;
    const clocked: Codec = {
      ...noteCodec,
      decode: (native) => noteCodec.decode(native).map((draft) => ({ ...draft, causationId: `call-${(calls += 1)}` })),
    };
    const findings = await checkConformance({ ...good, definition: definitionWith(clocked), capabilities: { roundTrip: false, fuzzRuns: 10 } });
    expect(messages(findings, 'fixtures')).toEqual([
      expect.stringMatching(/^note-1\.json: decoding the same bytes twice gave different events \(a clock or randomness in the codec\?\):\n {2}\/0\/causationId: expected "call-1", got "call-2"/),
      expect.stringMatching(/^note-2\.json: decoding the same bytes twice/),
    ]);
  });

  it('follows the codec imports to I/O, and shows the chain', async () => {
    const findings = await checkConformance({ ...good, codecModule: join(testdata, 'impure', 'codec.ts') });
    expect(messages(findings, 'pure-codec')).toEqual([
      expect.stringContaining('the codec imports core/kafka/topics.ts, which does I/O: adapters/sdk/testdata/impure/codec.ts → core/kafka/topics.ts'),
      expect.stringContaining('the codec imports "node:fs", which does I/O: adapters/sdk/testdata/impure/codec.ts → adapters/sdk/testdata/impure/lookup.ts → node:fs'),
    ]);
    // `import type … from 'node:http'` is allowed.
    expect(findings.some((finding) => finding.message.includes('node:http'))).toBe(false);
  });

  it('checks the definition', async () => {
    const definition = { ...definitionWith(noteCodec), network: 'Kit Test', summary: '' };
    const findings = await checkConformance({ ...good, definition, capabilities: { roundTrip: false, fuzzRuns: 10 } });
    expect(messages(findings, 'definition')).toEqual([
      expect.stringMatching(/network "Kit Test" is not a network id/),
      ': summary is empty: one sentence for `comity adapter list`',
    ]);
  });
});

// The suite registration an adapter uses, on the correct codec.
conformanceSuite(good);

const scratchDirs: string[] = [];
afterAll(() => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fixtures directory holding just `file`. */
function scratchCopy(file: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'comity-conformance-'));
  scratchDirs.push(dir);
  cpSync(file, join(dir, file.split('/').pop() as string));
  return dir;
}
