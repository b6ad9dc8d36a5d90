/**
 * The directory service on the real broker: publishes a federation file to comity.directory,
 * answers every DirectoryService call over real gRPC, follows edits of the file without a
 * restart (updates, removals with tombstones), keeps the previous version when the file turns
 * invalid, publishes nothing when restarted on an unchanged file, and runs as
 * `comity run directory`.
 *
 * comity.directory is shared by the whole run: the federation here uses network ids no other
 * test uses, and only records keyed by those networks are looked at.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventFromRecord } from '../../core/events/codec.js';
import { decodeBody } from '../../core/events/create.js';
import { DirectoryEntryKind, KeyPurpose, MembershipStatus, type DirectoryEntryUpdated } from '../../core/gen/comity/v1/directory.js';
import {
  DirectoryServiceClient,
  GetNetworkRequest,
  ListNetworksRequest,
  ListPublicKeysRequest,
  ResolveStateRequest,
  type GetNetworkResponse,
  type ListNetworksResponse,
  type ListPublicKeysResponse,
  type ResolveStateResponse,
} from '../../core/gen/comity/v1/directory_service.js';
import { Classification } from '../../core/gen/comity/v1/event.js';
import { RequestType } from '../../core/gen/comity/v1/request.js';
import { topics, type IncomingRecord, type KafkaClient } from '../../core/kafka/index.js';
import { createLogger } from '../../core/log.js';
import { startDirectory, type RunningDirectory } from '../../services/directory/service.js';
import { comityEnv, createTopics, eventually, testKafka, uniqueNetworkId } from '../support/kafka.js';

const signingKey = Buffer.alloc(32, 0x5a);

function federationText(alpha: string, beta: string | undefined, alphaMembers: string): string {
  return [
    'version: 1',
    'networks:',
    `  - id: ${alpha}`,
    '    name: Alpha network',
    '    kind: judicial-network',
    '    role: member',
    '    languages: [en, es]',
    `    members: [${alphaMembers}]`,
    '    observers: [NO]',
    '    membersVerified: true',
    '    accepts: [mutual-legal-assistance, extradition]',
    '    contactPoints:',
    '      - { id: es-1, state: ES, role: contact point, authority: Fiscalía General del Estado }',
    '    publicKeys:',
    `      - { keyId: alpha-sign-1, purpose: signing, publicKey: "${signingKey.toString('base64')}", notBefore: "2020-01-01T00:00:00Z" }`,
    '    sources: [test]',
    ...(beta
      ? [
          `  - { id: ${beta}, name: Beta network, kind: asset-recovery-network, role: member, languages: [de], members: [DE], membersVerified: true, accepts: [asset-tracing], sources: [test] }`,
        ]
      : []),
    '',
  ].join('\n');
}

type Callback<Response> = (error: ServiceError | null, response: Response) => void;

function promised<Request, Response>(method: (request: Request, callback: Callback<Response>) => unknown) {
  return (request: Request) =>
    new Promise<Response>((resolve, reject) => void method(request, (error, response) => (error ? reject(error) : resolve(response))));
}

/** DirectoryService calls as promises, with requests built from partial messages. */
function directoryClient(address: string) {
  const client = new DirectoryServiceClient(address, credentials.createInsecure());
  const listNetworks = promised<ListNetworksRequest, ListNetworksResponse>((request, callback) => client.listNetworks(request, callback));
  const getNetwork = promised<GetNetworkRequest, GetNetworkResponse>((request, callback) => client.getNetwork(request, callback));
  const resolveState = promised<ResolveStateRequest, ResolveStateResponse>((request, callback) => client.resolveState(request, callback));
  const listPublicKeys = promised<ListPublicKeysRequest, ListPublicKeysResponse>((request, callback) => client.listPublicKeys(request, callback));
  return {
    listNetworks: (request: Partial<ListNetworksRequest>) => listNetworks(ListNetworksRequest.fromPartial(request)),
    getNetwork: (networkId: string) => getNetwork(GetNetworkRequest.fromPartial({ networkId })),
    resolveState: (request: Partial<ResolveStateRequest>) => resolveState(ResolveStateRequest.fromPartial(request)),
    listPublicKeys: (request: Partial<ListPublicKeysRequest>) => listPublicKeys(ListPublicKeysRequest.fromPartial(request)),
    close: () => client.close(),
  };
}

const position = (record: IncomingRecord) => `${record.partition}@${record.offset}`;

/** Resolves when the async `check` holds, polling; rejects naming `what` after `timeoutMs`. */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The value of a counter or gauge sample whose labels include `label`, from /metrics text. */
function sample(metrics: string, name: string, label: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(label));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

describe('directory service with a real broker', () => {
  let kafka: KafkaClient;
  const alpha = uniqueNetworkId('dira');
  const beta = uniqueNetworkId('dirb');
  const dir = mkdtempSync(join(tmpdir(), 'comity-directory-'));
  const federationFile = join(dir, 'federation.yaml');
  const logLines: string[] = [];
  const logStream = new PassThrough();
  logStream.on('data', (chunk: Buffer) => logLines.push(...chunk.toString().split('\n').filter(Boolean)));
  const logger = createLogger({ name: 'directory-test', level: 'info', destination: logStream });

  /** Records on comity.directory about this test's networks, in offset order per key. */
  async function ourRecords(): Promise<IncomingRecord[]> {
    const records = await kafka.readToEnd(topics.directory);
    return records.filter((record) => {
      const network = record.key?.toString().split('/')[1];
      return network === alpha || network === beta;
    });
  }

  const start = () =>
    startDirectory({ kafka, federationFile, logger, grpcHost: '127.0.0.1', grpcPort: 0, statusPort: 0 });

  beforeAll(async () => {
    kafka = testKafka('comity-directory-test');
    await createTopics(kafka, [topics.directory]);
    writeFileSync(federationFile, federationText(alpha, beta, 'ES, FR'));
  });
  afterAll(() => {
    logStream.end();
  });

  it('publishes the federation, serves it over gRPC, follows the file without a restart and keeps the last valid version', async () => {
    const before = await ourRecords();
    expect(before).toEqual([]);

    let directory: RunningDirectory = await start();
    const client = directoryClient(`127.0.0.1:${directory.grpcPort}`);
    try {
      // 1. Everything in the file is on the topic, one DirectoryEntryUpdated per entry key.
      const published = await ourRecords();
      const keys = published.map((record) => record.key?.toString()).sort();
      expect(keys).toEqual(
        [
          `network/${alpha}`,
          `state-membership/${alpha}/ES`,
          `state-membership/${alpha}/FR`,
          `state-membership/${alpha}/NO`,
          `contact-point/${alpha}/es-1`,
          `network-public-key/${alpha}/alpha-sign-1`,
          `network/${beta}`,
          `state-membership/${beta}/DE`,
        ].sort(),
      );
      const events = published.map(eventFromRecord);
      for (const event of events) {
        expect(event).toMatchObject({
          type: 'comity.v1.DirectoryEntryUpdated',
          originNetwork: 'hub',
          source: 'comity://hub/directory',
          classification: Classification.CLASSIFICATION_PUBLIC,
        });
      }
      const bodies = new Map(events.map((event) => [event.subject, decodeBody(event) as DirectoryEntryUpdated]));
      expect(bodies.get(`network/${alpha}`)?.network).toMatchObject({ id: alpha, memberStates: ['ES', 'FR'] });
      expect(bodies.get(`state-membership/${alpha}/NO`)?.stateMembership?.status).toBe(MembershipStatus.MEMBERSHIP_STATUS_OBSERVER);
      expect(bodies.get(`network-public-key/${alpha}/alpha-sign-1`)?.networkPublicKey?.publicKey.equals(signingKey)).toBe(true);

      // 2. Every gRPC method, over the wire.
      const listed = await client.listNetworks({});
      expect(listed.networks.map((network) => network.id).sort()).toEqual([alpha, beta].sort());
      const extradition = await client.listNetworks({ requestType: RequestType.REQUEST_TYPE_EXTRADITION, state: 'ES' });
      expect(extradition.networks.map((network) => network.id)).toEqual([alpha]);

      const alphaNetwork = await client.getNetwork(alpha);
      expect(alphaNetwork.stateMemberships.map((m) => m.state)).toEqual(['ES', 'FR', 'NO']);
      expect(alphaNetwork.contactPoints.map((c) => c.id)).toEqual([`${alpha}/es-1`]);
      await expect(
        client.getNetwork('no-such-network'),
      ).rejects.toMatchObject({ code: status.NOT_FOUND });

      const spain = await client.resolveState({ state: 'ES' });
      expect(spain.networks.map((n) => [n.network?.id, n.status])).toEqual([[alpha, MembershipStatus.MEMBERSHIP_STATUS_MEMBER]]);
      expect(spain.contactPoints.map((c) => c.name)).toEqual(['Fiscalía General del Estado']);
      await expect(
        client.resolveState({ state: 'Spain' }),
      ).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });

      const keysOfAlpha = await client.listPublicKeys({ networkId: alpha, purpose: KeyPurpose.KEY_PURPOSE_SIGNING });
      expect(keysOfAlpha.keys.map((key) => [key.keyId, key.publicKey.equals(signingKey)])).toEqual([['alpha-sign-1', true]]);
      const keysOfBeta = await client.listPublicKeys({ networkId: beta });
      expect(keysOfBeta.keys).toEqual([]);

      // 3. The file changes — saved as a new file renamed over the old one: PT joins alpha, beta
      //    leaves the federation. gRPC answers change and the topic gets the differences.
      const changed = federationText(alpha, undefined, 'ES, FR, PT');
      writeFileSync(join(dir, '.federation.yaml.new'), changed);
      renameSync(join(dir, '.federation.yaml.new'), federationFile);
      const resolvePortugal = () => client.resolveState({ state: 'PT' });
      await until(async () => (await resolvePortugal()).networks.length > 0, 'the reloaded federation served');
      expect((await resolvePortugal()).networks.map((n) => n.network?.id)).toEqual([alpha]);
      await expect(client.getNetwork(beta)).rejects.toMatchObject({ code: status.NOT_FOUND });

      await directory.settled();
      const seen = new Set(published.map(position));
      const afterChange = (await ourRecords()).filter((record) => !seen.has(position(record)));
      const summary = afterChange.map((record) => {
        const key = record.key?.toString();
        if (record.value === null) return [key, 'tombstone'];
        const event = eventFromRecord(record);
        const body = decodeBody(event);
        return [key, body.$type === 'comity.v1.DirectoryEntryRemoved' ? `removed:${body.kind}:${body.key}` : 'updated'];
      });
      expect(summary).toEqual(
        expect.arrayContaining([
          [`network/${alpha}`, 'updated'],
          [`state-membership/${alpha}/PT`, 'updated'],
          [`network/${beta}`, `removed:${DirectoryEntryKind.DIRECTORY_ENTRY_KIND_NETWORK}:network/${beta}`],
          [`network/${beta}`, 'tombstone'],
          [`state-membership/${beta}/DE`, `removed:${DirectoryEntryKind.DIRECTORY_ENTRY_KIND_STATE_MEMBERSHIP}:state-membership/${beta}/DE`],
          [`state-membership/${beta}/DE`, 'tombstone'],
        ]),
      );
      expect(summary).toHaveLength(6);
      // The removal comes before the tombstone of its key.
      const positions = (entry: string) => summary.findIndex(([key, what]) => key === `network/${beta}` && what?.startsWith(entry));
      expect(positions('removed')).toBeLessThan(positions('tombstone'));
      const updatedAlpha = decodeBody(eventFromRecord(afterChange.find((r) => r.key?.toString() === `network/${alpha}`)!)) as DirectoryEntryUpdated;
      expect(updatedAlpha.network?.memberStates).toEqual(['ES', 'FR', 'PT']);

      // 4. An invalid file is refused with file, line and field; the previous version stays.
      const invalid = changed.replace('members: [ES, FR, PT]', 'members: [ES, FR, portugal]');
      writeFileSync(federationFile, invalid);
      const metrics = async () => (await fetch(`http://127.0.0.1:${directory.statusPort}/metrics`)).text();
      const reloads = async (outcome: string) => sample(await metrics(), 'comity_directory_reloads_total', `outcome="${outcome}"`);
      await until(async () => (await reloads('refused')) >= 1, 'a refused reload');
      const invalidLine = invalid.split('\n').findIndex((line) => line.includes('portugal')) + 1;
      await eventually(() => logLines.some((line) => line.includes('federation file refused')), 'the refusal in the log');
      const refusal = logLines.find((line) => line.includes('federation file refused')) ?? '';
      expect(refusal).toContain(`${federationFile}:${invalidLine}: networks.0.members.2`);
      expect((await resolvePortugal()).networks.map((n) => n.network?.id)).toEqual([alpha]);
      expect((await client.listNetworks({})).networks.map((network) => network.id)).toEqual([alpha]);
      await directory.settled();
      expect(await ourRecords()).toHaveLength(published.length + afterChange.length);
      expect(sample(await metrics(), 'comity_directory_entries', 'kind="network"')).toBeGreaterThanOrEqual(1);
      expect(sample(await metrics(), 'comity_directory_changes_published_total', 'change="removed"')).toBeGreaterThanOrEqual(2);
      expect((await fetch(`http://127.0.0.1:${directory.statusPort}/readyz`)).status).toBe(200);

      // 5. Back to the last valid version, then a restart: nothing new is published.
      const applied = await reloads('applied');
      writeFileSync(federationFile, changed);
      await until(async () => (await reloads('applied')) > applied, 'the restored file reloaded');
      await directory.settled();
      const settledCount = (await ourRecords()).length;
      expect(settledCount).toBe(published.length + afterChange.length);

      client.close();
      await directory.stop();
      directory = await start();
      await directory.settled();
      expect(await ourRecords()).toHaveLength(settledCount);
      expect(directory.view().network(alpha)?.memberStates).toEqual(['ES', 'FR', 'PT']);
    } finally {
      client.close();
      await directory.stop();
    }
  }, 120_000);

  it('runs as `comity run directory`, prints where it serves, publishes nothing new and stops on SIGTERM', async () => {
    const count = (await ourRecords()).length;
    const configFile = join(dir, 'directory.yaml');
    writeFileSync(configFile, `federation: ${federationFile}\ndirectory:\n  grpcPort: 0\n`);
    const child = spawn(process.execPath, ['bin/comity.js', 'run', 'directory', '--config', configFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, COMITY_LOG_LEVEL: 'error', ...comityEnv() },
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const banner = await new Promise<RegExpExecArray>((resolve, reject) => {
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /comity: directory running \(gRPC on 127\.0\.0\.1:(\d+), status on port (\d+)\)/.exec(output);
          if (match) resolve(match);
        });
        void exited.then((code) => reject(new Error(`directory exited with ${code} before it was ready:\n${output}`)));
      });
      const client = directoryClient(`127.0.0.1:${banner[1]}`);
      try {
        const answer = await client.getNetwork(alpha);
        expect(answer.stateMemberships.map((m) => m.state)).toEqual(['ES', 'FR', 'PT', 'NO']);
      } finally {
        client.close();
      }
      expect((await fetch(`http://127.0.0.1:${banner[2]}/healthz`)).status).toBe(200);
      expect(await ourRecords()).toHaveLength(count);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);
});
