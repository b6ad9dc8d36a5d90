import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { loadFederation, REQUEST_TYPE_NAMES, watchFederation, type Federation, type FederationNetwork } from './federation.js';
import { isCountryCode } from '../../core/reference/iso3166.js';

const federationFile = fileURLToPath(new URL('../../deploy/config/federation.yaml', import.meta.url));


const EXPECTED_IDS = [
  'ejn',
  'eurojust',
  'iberred',
  'oas-hemispheric',
  'wacap',
  'seepag',
  'pilon',
  'commonwealth',
  'carin',
  'arin-ap',
  'arinsa',
  'arinwa',
  'arin-carib',
  'central-america-coe',
  'unodc',
];

const federation: Federation = loadFederation(federationFile);

function network(id: string): FederationNetwork {
  const found = federation.networks.find((n) => n.id === id);
  if (!found) throw new Error(`network ${id} is not in ${federationFile}`);
  return found;
}

function failure(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** 1-based line of the only line of `text` that contains `needle`. */
function lineOf(text: string, needle: string): number {
  const lines = text.split('\n');
  const matches = lines.flatMap((line, index) => (line.includes(needle) ? [index + 1] : []));
  if (matches.length !== 1) throw new Error(`"${needle}" is on ${matches.length} lines of the test YAML`);
  return matches[0] as number;
}

describe('deploy/config/federation.yaml', () => {
  it('holds every network of the federation, each id once', () => {
    const ids = federation.networks.map((n) => n.id);
    expect(ids).toEqual(EXPECTED_IDS);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has UNODC as an observer that carries no requests', () => {
    const unodc = network('unodc');
    expect(unodc.role).toBe('observer');
    expect(['agency', 'observer']).toContain(unodc.kind);
    expect(unodc.accepts).toEqual([]);
    const observers = federation.networks.filter((n) => n.role === 'observer').map((n) => n.id);
    expect(observers).toEqual(['unodc']);
  });

  it('places States in the networks they belong to', () => {
    expect(network('ejn').members).toContain('ES');
    expect(network('iberred').members).toContain('ES');
    expect(network('iberred').members).toContain('CO');
    expect(network('oas-hemispheric').members).toContain('CO');
    expect(network('ejn').members).toContain('DE');
    expect(network('ejn').members).toHaveLength(27);
    // Denmark is in the EJN but only observes Eurojust (Protocol 22).
    expect(network('ejn').members).toContain('DK');
    expect(network('eurojust').members).not.toContain('DK');
    expect(network('eurojust').observers).toContain('DK');
    // Quoted in the file, so Norway stays a State and does not become `false`.
    expect(network('carin').members).toContain('NO');
    expect(network('eurojust').observers).toContain('NO');
  });

  it('uses only ISO 3166-1 alpha-2 codes (plus the user-assigned XK)', () => {
    for (const n of federation.networks) {
      for (const code of [...n.members, ...n.observers, ...n.contactPoints.map((c) => c.state)]) {
        expect(isCountryCode(code), `${n.id}: ${code}`).toBe(true);
      }
      const both = n.members.filter((code) => n.observers.includes(code));
      expect(both, `${n.id}: both member and observer`).toEqual([]);
    }
  });

  it('cites at least one public source for every network', () => {
    for (const n of federation.networks) {
      expect(n.sources.length, n.id).toBeGreaterThan(0);
      for (const source of n.sources) expect(source, n.id).toMatch(/^https?:\/\//);
    }
  });

  it('marks the member lists that were not read in a source', () => {
    const unverified = federation.networks.filter((n) => !n.membersVerified).map((n) => n.id);
    expect(unverified).toEqual(['arin-ap', 'arin-carib', 'central-america-coe', 'unodc']);
    for (const id of unverified) expect(network(id).notes, id).toBeTruthy();
  });

  it('keeps the EU instruments to the EU networks and informal asset tracing to the asset-recovery networks', () => {
    const eu = ['european-investigation-order', 'european-arrest-warrant'] as const;
    for (const n of federation.networks) {
      const euNetwork = n.id === 'ejn' || n.id === 'eurojust';
      for (const type of eu) expect(n.accepts.includes(type), `${n.id} ${type}`).toBe(euNetwork);
      expect(n.accepts.includes('asset-tracing'), n.id).toBe(n.kind === 'asset-recovery-network');
      if (n.role === 'observer' || n.kind === 'centre-of-excellence') expect(n.accepts, n.id).toEqual([]);
    }
    expect(Object.keys(REQUEST_TYPE_NAMES)).toEqual(expect.arrayContaining([...network('ejn').accepts]));
  });

  it('ranks every network that carries requests in routing.preference', () => {
    const carriers = federation.networks.filter((n) => n.accepts.length > 0).map((n) => n.id);
    expect([...federation.routing.preference].sort()).toEqual([...carriers].sort());
    expect(new Set(federation.routing.preference).size).toBe(federation.routing.preference.length);
  });
});

describe('loadFederation refuses bad configuration with file, line and field', () => {
  const file = 'federation.yaml';
  const valid = [
    'version: 1',
    'networks:',
    '  - id: ejn',
    '    name: European Judicial Network',
    '    kind: judicial-network',
    '    role: member',
    '    languages: [en]',
    '    members: [ES, FR]',
    '    membersVerified: true',
    '    accepts: [mutual-legal-assistance]',
    '    sources: ["https://ejn-crimjust.europa.eu/"]',
    '  - id: iberred',
    '    name: IberRed',
    '    kind: judicial-network',
    '    role: member',
    '    languages: [es, pt]',
    '    members: [ES, CO]',
    '    membersVerified: true',
    '    accepts: [extradition]',
    '    sources: ["https://iberred.org/"]',
    'routing:',
    '  preference: [ejn, iberred]',
    '',
  ].join('\n');

  it('accepts the small valid file the cases below break', () => {
    const loaded = loadFederation(file, valid);
    expect(loaded.networks.map((n) => n.id)).toEqual(['ejn', 'iberred']);
  });

  it('refuses an unknown request type', () => {
    const text = valid.replace('accepts: [extradition]', 'accepts: [extradition, letters-rogatory]');
    const error = failure(() => loadFederation(file, text));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.issues).toEqual([
      expect.objectContaining({ field: 'networks.1.accepts.1', line: lineOf(text, 'letters-rogatory') }),
    ]);
    expect(error.message).toContain(`${file}:${lineOf(text, 'letters-rogatory')}: networks.1.accepts.1`);
  });

  it('refuses a lower-case State code', () => {
    const text = valid.replace('members: [ES, FR]', 'members: [ES, fr]');
    const error = failure(() => loadFederation(file, text));
    expect(error.issues).toEqual([
      expect.objectContaining({
        field: 'networks.0.members.1',
        line: lineOf(text, '[ES, fr]'),
        message: expect.stringContaining('ISO 3166-1 alpha-2') as unknown,
      }),
    ]);
  });

  it('refuses a well-formed code that ISO never assigned', () => {
    const text = valid.replace('members: [ES, FR]', 'members: [ES, QQ]');
    const error = failure(() => loadFederation(file, text));
    expect(error.issues.map((issue) => [issue.field, issue.line])).toEqual([['networks.0.members.1', lineOf(text, '[ES, QQ]')]]);
  });

  it('refuses a duplicate network id, at the second one', () => {
    const text = valid.replace('  - id: iberred', '  - id: ejn').replace('preference: [ejn, iberred]', 'preference: [ejn]');
    const error = failure(() => loadFederation(file, text));
    expect(error.issues).toEqual([
      expect.objectContaining({ field: 'networks.1.id', line: 12, message: expect.stringContaining('duplicate') as unknown }),
    ]);
  });

  it('refuses a network that cites no source, at the network', () => {
    const text = valid.replace('    sources: ["https://iberred.org/"]\n', '');
    const error = failure(() => loadFederation(file, text));
    expect(error.issues).toEqual([expect.objectContaining({ field: 'networks.1.sources', line: lineOf(text, 'id: iberred') })]);

    const empty = valid.replace('sources: ["https://iberred.org/"]', 'sources: []');
    const emptyError = failure(() => loadFederation(file, empty));
    expect(emptyError.issues).toEqual([
      expect.objectContaining({
        field: 'networks.1.sources',
        line: lineOf(empty, 'sources: []'),
        message: expect.stringContaining('cite at least one') as unknown,
      }),
    ]);
  });

  it('refuses an unknown network in routing.preference', () => {
    const text = valid.replace('preference: [ejn, iberred]', 'preference: [ejn, interpol]');
    const error = failure(() => loadFederation(file, text));
    expect(error.issues).toEqual([
      expect.objectContaining({
        field: 'routing.preference.1',
        line: lineOf(text, 'interpol'),
        message: expect.stringContaining('unknown network "interpol"') as unknown,
      }),
    ]);
  });

  it('reports every problem at once', () => {
    const text = valid
      .replace('members: [ES, FR]', 'members: [ES, fr]')
      .replace('accepts: [extradition]', 'accepts: [letters-rogatory]');
    const error = failure(() => loadFederation(file, text));
    expect(error.issues.map((issue) => [issue.field, issue.line])).toEqual([
      ['networks.0.members.1', 8],
      ['networks.1.accepts.0', 19],
    ]);
  });
});

describe('networks.publicKeys and contact point ids', () => {
  const file = 'federation.yaml';
  const signing = '11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=';
  const sealing = Buffer.alloc(32, 7).toString('base64');
  const valid = [
    'version: 1',
    'networks:',
    '  - id: ejn',
    '    name: European Judicial Network',
    '    kind: judicial-network',
    '    role: member',
    '    languages: [en]',
    '    membersVerified: true',
    '    sources: [test]',
    '    contactPoints:',
    '      - { id: es-1, state: ES, role: contact point, authority: Fiscalía General del Estado }',
    '      - { id: fr-1, state: FR, role: contact point, authority: Ministère de la Justice }',
    '    publicKeys:',
    `      - { keyId: ejn-2026-1, purpose: signing, publicKey: "${signing}", notBefore: 2026-01-01, notAfter: "2027-01-01T00:00:00Z" }`,
    `      - { keyId: ejn-seal-1, purpose: sealing, publicKey: "${sealing}" }`,
    '',
  ].join('\n');

  it('accepts raw 32-byte keys in base64 with an optional validity window; the list defaults to empty', () => {
    const loaded = loadFederation(file, valid);
    expect(loaded.networks[0]?.publicKeys).toEqual([
      { keyId: 'ejn-2026-1', purpose: 'signing', publicKey: signing, notBefore: '2026-01-01', notAfter: '2027-01-01T00:00:00Z' },
      { keyId: 'ejn-seal-1', purpose: 'sealing', publicKey: sealing },
    ]);
    const withoutKeys = loadFederation(file, valid.split('\n    publicKeys:')[0] ?? '');
    expect(withoutKeys.networks[0]?.publicKeys).toEqual([]);
  });

  it('refuses a key that is not 32 bytes, at its line', () => {
    const short = Buffer.alloc(31, 1).toString('base64');
    const text = valid.replace(sealing, short);
    const error = failure(() => loadFederation(file, text));
    expect(error.issues).toEqual([
      expect.objectContaining({ field: 'networks.0.publicKeys.1.publicKey', line: lineOf(text, short), message: expect.stringContaining('32-byte') as unknown }),
    ]);
  });

  it('refuses a window that ends before it starts, an unknown purpose and a repeated key id', () => {
    const text = valid
      .replace('notAfter: "2027-01-01T00:00:00Z"', 'notAfter: "2025-01-01T00:00:00Z"')
      .replace('purpose: sealing', 'purpose: encryption');
    const error = failure(() => loadFederation(file, text));
    expect(error.issues.map((issue) => issue.field).sort()).toEqual(['networks.0.publicKeys.0.notAfter', 'networks.0.publicKeys.1.purpose']);

    const repeated = valid.replace('keyId: ejn-seal-1', 'keyId: ejn-2026-1');
    expect(failure(() => loadFederation(file, repeated)).issues).toEqual([
      expect.objectContaining({ field: 'networks.0.publicKeys.1.keyId', message: expect.stringContaining('used twice') as unknown }),
    ]);
  });

  it('refuses a contact point id used twice in a network (it is part of the directory key)', () => {
    const text = valid.replace('id: fr-1', 'id: es-1');
    expect(failure(() => loadFederation(file, text)).issues).toEqual([
      expect.objectContaining({ field: 'networks.0.contactPoints.1.id', line: lineOf(text, 'state: FR') }),
    ]);
  });
});

describe('watchFederation', () => {
  const version = (members: string) =>
    [
      'version: 1',
      'networks:',
      `  - { id: ejn, name: EJN, kind: judicial-network, role: member, languages: [en], members: [${members}], membersVerified: true, sources: [test] }`,
      '',
    ].join('\n');

  it('reloads on a write in place and on a rename over the file, and keeps the last valid version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'comity-watch-'));
    const file = join(dir, 'federation.yaml');
    writeFileSync(file, version('ES'));
    const reloads: string[][] = [];
    const errors: unknown[] = [];
    const watcher = watchFederation(file, {
      onReload: (index) => reloads.push(index.federation.networks[0]?.members ?? []),
      onError: (error) => errors.push(error),
    });
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 100 && !done(); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    };
    try {
      expect(watcher.current().federation.networks[0]?.members).toEqual(['ES']);

      writeFileSync(file, version('ES, FR'));
      await until(() => reloads.length >= 1);
      expect(watcher.current().federation.networks[0]?.members).toEqual(['ES', 'FR']);

      // Saved the way many editors and deploy tools do: a new file renamed over the old one.
      writeFileSync(join(dir, '.federation.yaml.tmp'), version('PT'));
      renameSync(join(dir, '.federation.yaml.tmp'), file);
      await until(() => reloads.at(-1)?.[0] === 'PT');
      writeFileSync(file, version('PT, IT'));
      await until(() => reloads.at(-1)?.length === 2 && reloads.at(-1)?.[0] === 'PT');
      expect(watcher.current().federation.networks[0]?.members).toEqual(['PT', 'IT']);

      writeFileSync(file, version('es'));
      await until(() => errors.length >= 1);
      expect(errors[0]).toBeInstanceOf(ConfigError);
      expect(watcher.current().federation.networks[0]?.members).toEqual(['PT', 'IT']);

      // Other files in the directory are not the federation.
      const before = reloads.length + errors.length;
      writeFileSync(join(dir, 'other.yaml'), 'not: watched\n');
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(reloads.length + errors.length).toBe(before);
    } finally {
      watcher.close();
    }
  });
});
