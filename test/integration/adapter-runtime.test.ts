/**
 * The adapter runtime with a real broker, a real HTTP native endpoint and the sample adapter:
 * both directions, retries, poison messages, and restarts in the middle of a stream.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DlqHeader, readDeadLetterReason } from '../../core/dlq.js';
import { eventFromRecord } from '../../core/events/codec.js';
import { createEvent, decodeBody } from '../../core/events/create.js';
import { RequestRelayed, RequestSubmitted, type RequestDelivered } from '../../core/gen/comity/v1/lifecycle.js';
import { topics, topicSpec, type KafkaClient, type RecordProducer } from '../../core/kafka/index.js';
import { createLogger } from '../../core/log.js';
import { adapterConfigSchema, startAdapter, type RunningAdapter } from '../../adapters/sdk/runtime.js';
import type { HttpTransport } from '../../adapters/sdk/transports/http.js';
import { collect, eventually, testKafka, uniqueNetworkId, testKafkaConfig } from '../support/kafka.js';
import { startNativeEndpoint, type NativeEndpoint } from '../support/native-endpoint.js';
import { sampleAdapter } from '../support/sample-adapter.js';
import { testKeys, type TestKeys } from '../support/keys.js';
import { buildKeyring } from '../../core/crypto/keyring.js';
import { verifyEventSignature } from '../../core/crypto/signing.js';

const logger = createLogger({ name: 'test.adapter', level: process.env.COMITY_LOG_LEVEL ?? 'error' });

function rawConfig(network: string, stateDir: string, endpoint: NativeEndpoint, keys: TestKeys, listenPort = 0) {
  return {
    network,
    trust: keys.adapterTrust(network),
    kafka: testKafkaConfig(`adapter-${network}`),
    runtime: {
      stateDir,
      concurrency: 3,
      retry: { initialMs: 50, maxMs: 200, giveUpAfterMs: 60_000 },
      drainTimeoutMs: 5_000,
    },
    adapter: { listen: { port: listenPort }, deliverTo: endpoint.url, timeoutMs: 2_000 },
  };
}

async function postNative(adapter: RunningAdapter, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const address = (adapter.transport as HttpTransport).address();
  const response = await fetch(`http://127.0.0.1:${address?.port}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

function outboundEvent(network: string, reference: string) {
  return createEvent(
    RequestSubmitted.fromPartial({ request: { requestId: `origin:${reference}`, nativeReference: reference, summaryOfFacts: `facts of ${reference}` } }),
    { subject: `origin:${reference}`, source: 'comity://hub/router', originNetwork: 'hub', targets: [{ state: 'ES', network }] },
  );
}

describe('adapter runtime with a real broker', () => {
  let kafka: KafkaClient;
  let producer: RecordProducer;
  let endpoint: NativeEndpoint;

  beforeAll(async () => {
    kafka = testKafka();
    // Adapters read keys from comity.directory, which the hub creates (`comity provision`):
    // on a fresh broker, without this, the outbound tests depended on an earlier file having
    // created it.
    const admin = await kafka.admin();
    await admin.ensureTopics([topicSpec(topics.directory)]).finally(() => admin.disconnect());
    producer = await kafka.producer();
    endpoint = await startNativeEndpoint();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await endpoint?.close();
  });

  it('inbound: answers after Kafka acknowledged, stamps provenance, dead-letters malformed input, publishes a resend once', async () => {
    const network = uniqueNetworkId('sample');
    const keys = testKeys([network]);
    const definition = sampleAdapter(network);
    const config = adapterConfigSchema(definition).parse(rawConfig(network, mkdtempSync(join(tmpdir(), 'comity-state-')), endpoint, keys));
    const adapter = await startAdapter(definition, config, { logger });
    const inbound = await collect(kafka, topics.inbound(network));
    const dlq = await collect(kafka, topics.dlq(network));
    try {
      const native = JSON.stringify({ reference: 'S-1', kind: 'request', to: 'ES', summary: 'fraude transfronteriza' });
      const first = await postNative(adapter, native);
      expect(first.status).toBe(202);
      expect(first.json).toMatchObject({ requestIds: [`${network}:S-1`], duplicate: false });

      const again = await postNative(adapter, native);
      expect(again).toEqual({ status: 202, json: { ...first.json, duplicate: true } });

      const poison = await postNative(adapter, '{"reference": "S-2", "kind": "request"');
      expect(poison.status).toBe(422);
      expect(poison.json).toMatchObject({ code: 'NOT_JSON' });

      const after = await postNative(adapter, JSON.stringify({ reference: 'S-3', kind: 'request', to: 'PT' }));
      expect(after.status).toBe(202);

      await eventually(() => inbound.records.length >= 2 && dlq.records.length >= 1, 'two events and one dead letter');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(inbound.records).toHaveLength(2);
      const event = eventFromRecord(inbound.records[0]!);
      expect(event.id).toBe((first.json.eventIds as string[])[0]);
      expect(event.originNetwork).toBe(network);
      expect(event.provenance).toMatchObject({ nativeFormat: 'sample-json', mappingVersion: '1.0.0', nativeId: 'S-1' });
      expect(Buffer.from(event.provenance!.nativeSha256).toString('hex')).toBe(
        (await import('node:crypto')).createHash('sha256').update(native).digest('hex'),
      );
      expect(event.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      // Signed with the network's key.
      expect(event.signature?.keyId).toBe(keys.network(network).signing.key.keyId);
      expect(() => verifyEventSignature(event, buildKeyring(keys.entries))).not.toThrow();

      expect(dlq.records).toHaveLength(1);
      expect(dlq.records[0]!.value?.toString()).toBe('{"reference": "S-2", "kind": "request"');
      expect(readDeadLetterReason(dlq.records[0]!.headers)).toMatchObject({
        code: 'NOT_JSON',
        stage: 'inbound-decode',
        retriable: false,
        failedBy: `adapter.${network}`,
      });
      expect(dlq.records[0]!.headers[DlqHeader.nativeContentType]?.toString()).toBe('application/json');
      expect(adapter.counts()).toMatchObject({ received: 4, published: 2, duplicate: 1, rejected: 1 });

      const metrics = await (await fetch(`http://127.0.0.1:${adapter.statusPort}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`comity_adapter_messages_total\\{network="${network}",outcome="published"[^}]*\\} 2`));
      expect((await fetch(`http://127.0.0.1:${adapter.statusPort}/readyz`)).status).toBe(200);
    } finally {
      await inbound.stop();
      await dlq.stop();
      await adapter.stop();
    }
  });

  it('outbound: an endpoint that fails twice gets the event exactly once; a poison record goes to the DLQ and the flow goes on', async () => {
    const network = uniqueNetworkId('sample');
    const keys = testKeys([network]);
    const definition = sampleAdapter(network);
    const config = adapterConfigSchema(definition).parse(rawConfig(network, mkdtempSync(join(tmpdir(), 'comity-state-')), endpoint, keys));
    const adapter = await startAdapter(definition, config, { logger });
    const inbound = await collect(kafka, topics.inbound(network));
    const dlq = await collect(kafka, topics.dlq(network));
    try {
      endpoint.failFirst(2);
      const retried = outboundEvent(network, 'R-1');
      await producer.send(topics.outbound(network), [keys.record(retried)]);
      await eventually(() => endpoint.acceptedCount(retried.id) === 1, 'the retried delivery');
      endpoint.failFirst(0);

      await producer.send(topics.outbound(network), [
        { key: 'garbage', value: Buffer.from('not an event at all'), headers: {} },
      ]);
      const receiptForUs = createEvent(RequestRelayed.fromPartial({ regardingEventId: retried.id, networks: ['elsewhere'] }), {
        subject: retried.subject,
        source: 'comity://hub/router',
        originNetwork: 'hub',
      });
      const following = [outboundEvent(network, 'R-2'), outboundEvent(network, 'R-3')];
      await producer.send(topics.outbound(network), [receiptForUs, ...following].map(keys.record));

      await eventually(() => following.every((event) => endpoint.acceptedCount(event.id) === 1), 'the events after the poison');
      await eventually(() => dlq.records.length === 1, 'the dead letter');
      await eventually(() => inbound.records.length >= 4, 'the receipts');
      await new Promise((resolve) => setTimeout(resolve, 500));

      expect(endpoint.attempts.filter((attempt) => attempt.eventId === retried.id).map((a) => a.status)).toEqual([503, 503, 200]);
      expect(endpoint.acceptedCount(retried.id)).toBe(1);
      expect(JSON.parse(endpoint.accepted.find((entry) => entry.eventId === retried.id)!.body)).toMatchObject({
        reference: 'R-1',
        requestId: 'origin:R-1',
        to: 'ES',
      });
      expect(readDeadLetterReason(dlq.records[0]!.headers)).toMatchObject({ code: 'EVENT_MALFORMED', stage: 'outbound-decode' });
      expect(dlq.records[0]!.value?.toString()).toBe('not an event at all');

      const receipts = inbound.records.map(eventFromRecord);
      const about = (id: string) => receipts.filter((receipt) => receipt.causationId === id).map((receipt) => receipt.type);
      expect(about(retried.id).sort()).toEqual(['comity.v1.RequestDelivered', 'comity.v1.RequestNotDelivered']);
      for (const event of following) expect(about(event.id)).toEqual(['comity.v1.RequestDelivered']);
      const delivered = receipts.find((receipt) => receipt.causationId === retried.id && receipt.type === 'comity.v1.RequestDelivered')!;
      expect(decodeBody(delivered)).toMatchObject({ regardingEventId: retried.id, network });
      expect((decodeBody(delivered) as RequestDelivered).nativeMessageId).toMatch(/^native-/);
      expect(delivered.subject).toBe(retried.subject);
      // The relayed receipt has no native message: acknowledged, not delivered, not dead-lettered.
      expect(endpoint.attempts.some((attempt) => attempt.eventId === receiptForUs.id)).toBe(false);
      expect(adapter.counts()).toMatchObject({ delivered: 3, retried: 2, rejected: 1, skipped: 1 });
    } finally {
      await inbound.stop();
      await dlq.stop();
      await adapter.stop();
    }
  });

  it('restarted mid-stream: after SIGTERM nothing is lost or repeated; after kill -9 nothing is lost and at most the in-flight deliveries repeat', async () => {
    const network = uniqueNetworkId('sample');
    const stateDir = mkdtempSync(join(tmpdir(), 'comity-state-'));
    const configFile = join(stateDir, 'adapter.json');
    const keys = testKeys([network]);
    writeFileSync(configFile, JSON.stringify(rawConfig(network, stateDir, endpoint, keys)));
    endpoint.delay(3);

    const events = Array.from({ length: 300 }, (_, i) => outboundEvent(network, `K-${i}`));
    const ids = new Set(events.map((event) => event.id));
    const acceptedOfMine = () => endpoint.accepted.filter((entry) => ids.has(entry.eventId));

    let child = await startAdapterProcess(configFile);
    try {
      await producer.send(topics.outbound(network), events.map(keys.record));

      await eventually(() => acceptedOfMine().length >= 60, '60 deliveries');
      await stopProcess(child, 'SIGTERM');
      const afterGraceful = acceptedOfMine().length;
      child = await startAdapterProcess(configFile);

      await eventually(() => acceptedOfMine().length >= afterGraceful + 60, '60 more deliveries');
      const beforeKill = acceptedOfMine().map((entry) => entry.eventId);
      expect(new Set(beforeKill).size, 'a graceful restart repeats nothing').toBe(beforeKill.length);
      await stopProcess(child, 'SIGKILL');
      child = await startAdapterProcess(configFile);

      await eventually(() => new Set(acceptedOfMine().map((entry) => entry.eventId)).size === events.length, 'every event', 60_000);
      await new Promise((resolve) => setTimeout(resolve, 1500));
    } finally {
      endpoint.delay(0);
      await stopProcess(child, 'SIGTERM');
    }

    const perId = new Map<string, number>();
    for (const entry of acceptedOfMine()) perId.set(entry.eventId, (perId.get(entry.eventId) ?? 0) + 1);
    expect(perId.size).toBe(events.length);
    const twice = [...perId.entries()].filter(([, n]) => n > 1);
    // A kill -9 can fall between the native system's acceptance and the ledger's write: at most
    // the deliveries in flight at that instant (one per concurrently delivered partition) may
    // be repeated, and the native side receives the same Idempotency-Key for them.
    expect(twice.length).toBeLessThanOrEqual(3);
    expect(twice.every(([, n]) => n === 2)).toBe(true);
  }, 120_000);
});

async function startAdapterProcess(configFile: string): Promise<ChildProcess> {
  // A process of its own, so that kill -9 is real.
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/adapter-process.ts', configFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, COMITY_LOG_LEVEL: process.env.COMITY_LOG_LEVEL ?? 'error' },
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('adapter-ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`adapter process exited with ${code} before it was ready`)));
  });
  return child;
}

async function stopProcess(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}
