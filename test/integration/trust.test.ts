/**
 * Trust between networks, end to end on the real broker, with the router as a real process and
 * two adapters (the sample network's runtime, real HTTP) for the networks A and B:
 *
 * - a forged, unsigned or tampered event is caught at the hub (the sender's DLQ, never routed),
 *   and one written straight to an outbound topic, bypassing the router, is caught again at the
 *   destination adapter (its DLQ, never delivered);
 * - a confidential request is sealed by A's adapter to B, routed and tracked by the hub from
 *   the envelope alone — the hub holds no key that opens it — and delivered in clear by B's;
 * - an event about a request to a third network C is refused without A's consent, and goes
 *   through once A has consented, also after a router restart.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterConfigSchema, startAdapter, type RunningAdapter } from '../../adapters/sdk/runtime.js';
import type { HttpTransport } from '../../adapters/sdk/transports/http.js';
import { buildKeyring } from '../../core/crypto/keyring.js';
import { generateKey } from '../../core/crypto/keys.js';
import { openEvent } from '../../core/crypto/sealing.js';
import { signEvent, verifyEventSignature } from '../../core/crypto/signing.js';
import { readDeadLetterReason } from '../../core/dlq.js';
import { eventFromRecord, eventToRecord } from '../../core/events/codec.js';
import { createEvent } from '../../core/events/create.js';
import { Classification, type Event } from '../../core/gen/comity/v1/event.js';
import { OnwardTransferConsented, OnwardTransferScope, RequestExecuted, RequestSubmitted } from '../../core/gen/comity/v1/lifecycle.js';
import { RequestType } from '../../core/gen/comity/v1/request.js';
import { TransportStatus } from '../../core/gen/comity/v1/tracking.js';
import { topics, type IncomingRecord, type KafkaClient, type RecordProducer } from '../../core/kafka/index.js';
import { createLogger } from '../../core/log.js';
import { indexFederation, loadFederation } from '../../services/directory/federation.js';
import { startTracker, type RunningTracker } from '../../services/tracker/service.js';
import { collect, createTopics, eventually, testKafka, testKafkaConfig, uniqueName, uniqueNetworkId, type Collector } from '../support/kafka.js';
import { testKeys } from '../support/keys.js';
import { startNativeEndpoint, type NativeEndpoint } from '../support/native-endpoint.js';
import { startComity, type ComityProcess } from '../support/processes.js';
import { sampleAdapter } from '../support/sample-adapter.js';

const logger = createLogger({ name: 'test.trust', level: process.env.COMITY_LOG_LEVEL ?? 'error' });

describe('trust between networks (signatures, sealed content, onward-transfer consent) on a real broker', () => {
  const a = uniqueNetworkId('ta');
  const b = uniqueNetworkId('tb');
  const c = uniqueNetworkId('tc');
  const keys = testKeys([a, b, c]);
  const dir = mkdtempSync(join(tmpdir(), 'comity-trust-'));
  const federationFile = join(dir, 'federation.yaml');
  const routerConfig = join(dir, 'router.yaml');
  let kafka: KafkaClient;
  let producer: RecordProducer;
  let router: ComityProcess;
  let tracker: RunningTracker;
  const adapters: RunningAdapter[] = [];
  const endpoints: Record<string, NativeEndpoint> = {};
  const collectors: Record<string, Collector> = {};

  const startRouterProcess = () => startComity(['run', 'router', '--config', routerConfig], /router running/);
  const post = async (adapter: RunningAdapter, native: Record<string, unknown>) => {
    const port = (adapter.transport as HttpTransport).address()?.port;
    const response = await fetch(`http://127.0.0.1:${port}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(native) });
    return { status: response.status, json: (await response.json()) as { eventIds?: string[]; requestIds?: string[]; code?: string } };
  };
  const idOf = (record: IncomingRecord) => record.headers.ce_id?.toString();
  const has = (collector: Collector, id: string) => collector.records.some((record) => idOf(record) === id);
  const deadLetter = (collector: Collector, id: string) => {
    const record = collector.records.find((candidate) => idOf(candidate) === id);
    return record && readDeadLetterReason(record.headers);
  };
  const submitted = (from: string, reference: string, overrides: Partial<Parameters<typeof createEvent>[1]> = {}) =>
    createEvent(RequestSubmitted.fromPartial({ request: { requestId: `${from}:${reference}`, nativeReference: reference, summaryOfFacts: `facts of ${reference}` } }), {
      subject: `${from}:${reference}`,
      source: `comity://networks/${from}/adapter`,
      originNetwork: from,
      originState: 'ES',
      targets: [{ state: 'CO', network: b }],
      requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
      ...overrides,
    });

  beforeAll(async () => {
    kafka = testKafka();
    producer = await kafka.producer();
    const member = (id: string, members: string) =>
      `  - { id: ${id}, name: ${id}, kind: judicial-network, role: member, languages: [es], members: [${members}], membersVerified: true, accepts: [mutual-legal-assistance], sources: [test] }`;
    writeFileSync(federationFile, keys.federationYaml(['version: 1', 'networks:', member(a, 'DE, ES'), member(b, 'ES, CO'), member(c, 'CO, US'), ''].join('\n')));
    writeFileSync(
      routerConfig,
      `federation: ${federationFile}\nrouter:\n  instanceId: ${uniqueName('trust')}\n  groupId: ${uniqueName('trust-router')}\n  signingKey: ${JSON.stringify(keys.hubKeyConfig())}\n`,
    );
    await createTopics(kafka, [a, b, c].flatMap((n) => [topics.inbound(n), topics.outbound(n), topics.dlq(n)]));
    await keys.publishToDirectory(kafka);
    router = await startRouterProcess();
    const federation = indexFederation(loadFederation(federationFile));
    tracker = await startTracker({ kafka, federation: () => federation, logger, instanceId: uniqueName('trust'), groupId: uniqueName('trust-tracker'), grpcPort: 0, alertIntervalMs: 3_600_000 });
    for (const network of [a, b]) {
      endpoints[network] = await startNativeEndpoint();
      const definition = sampleAdapter(network);
      const config = adapterConfigSchema(definition).parse({
        network,
        trust: keys.adapterTrust(network),
        kafka: testKafkaConfig(`adapter-${network}`),
        runtime: { stateDir: join(dir, 'state'), retry: { initialMs: 50, maxMs: 200, giveUpAfterMs: 30_000 }, drainTimeoutMs: 5_000 },
        adapter: { listen: { port: 0 }, deliverTo: endpoints[network].url, timeoutMs: 2_000 },
      });
      adapters.push(await startAdapter(definition, config, { logger }));
    }
    for (const [name, topic] of [
      ['outB', topics.outbound(b)],
      ['outC', topics.outbound(c)],
      ['dlqA', topics.dlq(a)],
      ['dlqB', topics.dlq(b)],
    ] as const) {
      collectors[name] = await collect(kafka, topic);
    }
  }, 120_000);

  afterAll(async () => {
    for (const collector of Object.values(collectors)) await collector.stop();
    for (const adapter of adapters) await adapter.stop();
    await tracker?.stop();
    await router?.stop();
    for (const endpoint of Object.values(endpoints)) await endpoint.close();
    await producer?.disconnect();
  });

  it('catches forged and tampered events at the hub: DLQ with the reason, never routed', async () => {
    const [unsigned, unknownKey, envelope, body, notSealed, control] = ['unsigned', 'unknown-key', 'envelope', 'body', 'not-sealed', 'control'].map((tag) =>
      submitted(a, `${tag}-${uniqueName('r')}`),
    );
    const impostorKey = { ...generateKey('signing', keys.network(a).signing.key.keyId) };
    const tampered = (event: Event, change: (signed: Event) => Event) => eventToRecord(change(keys.sign(event)));
    await producer.send(topics.inbound(a), [
      eventToRecord(unsigned!),
      // Right key id, wrong key: as if A's key id were used by someone who does not hold it.
      eventToRecord(signEvent(unknownKey!, { ...impostorKey, keyId: 'ta:signing:unknown' })),
      tampered(envelope!, (signed) => ({ ...signed, targets: [{ ...signed.targets[0]!, state: 'ES' }] })),
      tampered(body!, (signed) => ({ ...signed, data: Buffer.concat([signed.data, Buffer.from([0x10, 0x01])]) })),
      // Confidential, signed, but not sealed.
      eventToRecord(keys.sign({ ...notSealed!, classification: Classification.CLASSIFICATION_CONFIDENTIAL })),
      keys.record(control!),
    ]);
    await eventually(() => has(collectors.outB!, control!.id), 'the signed control request at B');
    await eventually(() => [unsigned, unknownKey, envelope, body, notSealed].every((event) => deadLetter(collectors.dlqA!, event!.id)), 'five dead letters');
    expect(deadLetter(collectors.dlqA!, unsigned!.id)).toMatchObject({ code: 'SIGNATURE_MISSING', stage: 'route', failedBy: 'router' });
    expect(deadLetter(collectors.dlqA!, unknownKey!.id)).toMatchObject({ code: 'UNKNOWN_KEY' });
    expect(deadLetter(collectors.dlqA!, envelope!.id)).toMatchObject({ code: 'BAD_SIGNATURE' });
    expect(deadLetter(collectors.dlqA!, body!.id)).toMatchObject({ code: 'BAD_SIGNATURE' });
    expect(deadLetter(collectors.dlqA!, notSealed!.id)).toMatchObject({ code: 'NOT_SEALED' });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const event of [unsigned, unknownKey, envelope, body, notSealed]) expect(has(collectors.outB!, event!.id), event!.subject).toBe(false);
  });

  it('catches again, at the destination adapter, what bypassed the hub: DLQ, never delivered', async () => {
    const [tamperedEnvelope, unsigned, badCiphertext, control] = ['bypass-envelope', 'bypass-unsigned', 'bypass-ciphertext', 'bypass-control'].map((tag) =>
      submitted(a, `${tag}-${uniqueName('r')}`),
    );
    const signedThenChanged = { ...keys.sign(tamperedEnvelope!), causationId: 'forged' };
    // Sealed to B and signed by A, but the ciphertext was changed before A signed: the signature
    // holds, the seal does not open.
    const sealed = keys.seal({ ...badCiphertext!, classification: Classification.CLASSIFICATION_CONFIDENTIAL }, b);
    const broken = keys.sign({ ...sealed, data: Buffer.from(sealed.data).fill(0x42, 0, 1), signature: undefined });
    await producer.send(topics.outbound(b), [eventToRecord(signedThenChanged), eventToRecord(unsigned!), eventToRecord(broken), keys.record(control!)]);
    const endpoint = endpoints[b]!;
    await eventually(() => endpoint.acceptedCount(control!.id) === 1, 'the signed control delivered at B');
    await eventually(() => [tamperedEnvelope, unsigned, badCiphertext].every((event) => deadLetter(collectors.dlqB!, event!.id)), 'three dead letters at B');
    expect(deadLetter(collectors.dlqB!, tamperedEnvelope!.id)).toMatchObject({ code: 'BAD_SIGNATURE', stage: 'outbound-decode', failedBy: `adapter.${b}` });
    expect(deadLetter(collectors.dlqB!, unsigned!.id)).toMatchObject({ code: 'SIGNATURE_MISSING', stage: 'outbound-decode' });
    expect(deadLetter(collectors.dlqB!, badCiphertext!.id)).toMatchObject({ code: 'SEAL_CANNOT_OPEN', stage: 'outbound-decode' });
    for (const event of [tamperedEnvelope, unsigned, badCiphertext]) expect(endpoint.attempts.some((attempt) => attempt.eventId === event!.id)).toBe(false);
  });

  it("routes and tracks a sealed request from its envelope; the hub cannot open it, B's adapter delivers it in clear", async () => {
    const reference = `SECRET-${uniqueName('r')}`;
    const secret = `identity of the protected witness ${reference}`;
    const sent = await post(adapters[0]!, { reference, kind: 'request', to: 'CO', via: b, confidential: true, summary: secret });
    expect(sent.status).toBe(202);
    const eventId = sent.json.eventIds![0]!;
    const requestId = `${a}:${reference}`;

    await eventually(() => has(collectors.outB!, eventId), 'the sealed request on B\'s outbound topic');
    const routed = collectors.outB!.records.find((record) => idOf(record) === eventId)!;
    // On the hub's topics: sealed, signed by A, and the plaintext nowhere in the bytes.
    expect(routed.value!.includes(Buffer.from(secret))).toBe(false);
    expect(routed.headers.ce_comitysealed?.toString()).toBe('true');
    const event = eventFromRecord(routed);
    expect(event.seal).toMatchObject({ algorithm: 'X25519-HKDF-SHA256-AES-256-GCM', recipientNetwork: b, recipientKeyId: keys.network(b).sealing.key.keyId });
    expect(() => verifyEventSignature(event, buildKeyring(keys.entries))).not.toThrow();

    // The hub holds one key, Ed25519 for signing: no sealing key at all. Every other sealing key
    // there is — A's, C's, and any key claiming B's key id — fails to open it.
    expect(keys.hubKeyConfig()).toMatchObject({ keyId: keys.hub.key.keyId });
    expect(keys.hub.key.privateKey.asymmetricKeyType).toBe('ed25519');
    expect(() => openEvent(event, b, [])).toThrow(expect.objectContaining({ code: 'SEAL_KEY_UNKNOWN' }));
    for (const other of [keys.network(a).sealing.key, keys.network(c).sealing.key, generateKey('sealing', 'x')]) {
      const claimingB = { ...other, keyId: keys.network(b).sealing.key.keyId };
      expect(() => openEvent(event, b, [claimingB])).toThrow(expect.objectContaining({ code: 'SEAL_CANNOT_OPEN' }));
    }

    // B's native system receives the plaintext.
    await eventually(() => endpoints[b]!.acceptedCount(eventId) === 1, 'the plaintext at B\'s native system');
    const delivered = JSON.parse(endpoints[b]!.accepted.find((entry) => entry.eventId === eventId)!.body) as Record<string, unknown>;
    expect(delivered).toMatchObject({ reference, summary: secret, requestId });

    // The tracker follows it from envelopes and receipts alone.
    await eventually(() => tracker.record(requestId)?.summary?.transportStatus === TransportStatus.TRANSPORT_STATUS_DELIVERED, 'tracked as delivered');
    const record = tracker.record(requestId)!;
    expect(record.summary).toMatchObject({ originNetwork: a, requestedStates: ['CO'], classification: Classification.CLASSIFICATION_CONFIDENTIAL });
    expect(record.timeline.find((entry) => entry.eventId === eventId)).toMatchObject({ sealed: true });

    // B's confidential acknowledgement names no network: sealed back to A, where it is opened.
    const ack = await post(adapters[1]!, { reference: `ACK-${reference}`, kind: 'acknowledgement', requestId, confidential: true });
    expect(ack.status).toBe(202);
    await eventually(() => endpoints[a]!.acceptedCount(ack.json.eventIds![0]!) === 1, "the acknowledgement at A's native system");
  }, 90_000);

  it('refuses an onward transfer to a third network without consent, routes it with consent, and remembers the consent', async () => {
    const request = submitted(a, `ONWARD-${uniqueName('r')}`);
    await producer.send(topics.inbound(a), [keys.record(request)]);
    await eventually(() => has(collectors.outB!, request.id), 'the request at B');
    const executed = (tag: string) =>
      createEvent(RequestExecuted.fromPartial({ resultSummary: `bank records ${tag}` }), {
        subject: request.subject,
        source: `comity://networks/${b}/adapter`,
        originNetwork: b,
        originState: 'CO',
        causationId: request.id,
        targets: [{ state: 'US', network: c }],
      });
    const refused = executed('before consent');
    await producer.send(topics.inbound(b), [keys.record(refused)]);
    await eventually(() => deadLetter(collectors.dlqB!, refused.id) !== undefined, 'the refusal');
    expect(deadLetter(collectors.dlqB!, refused.id)).toMatchObject({ code: 'NO_CONSENT', stage: 'route', failedBy: 'router' });

    // A consent from B itself does not count: only the originator may consent.
    const byB = createEvent(OnwardTransferConsented.fromPartial({ thirdNetwork: c, scope: OnwardTransferScope.ONWARD_TRANSFER_SCOPE_ALL_EVENTS }), {
      subject: request.subject,
      source: `comity://networks/${b}/adapter`,
      originNetwork: b,
    });
    const consent = createEvent(
      OnwardTransferConsented.fromPartial({ thirdNetwork: c, thirdState: 'US', scope: OnwardTransferScope.ONWARD_TRANSFER_SCOPE_ALL_EVENTS, purpose: 'the same proceedings' }),
      { subject: request.subject, source: `comity://networks/${a}/adapter`, originNetwork: a, causationId: request.id },
    );
    await producer.send(topics.inbound(b), [keys.record(byB)]);
    await producer.send(topics.inbound(a), [keys.record(consent)]);
    await eventually(() => deadLetter(collectors.dlqB!, byB.id) !== undefined, "the refusal of B's consent");
    expect(deadLetter(collectors.dlqB!, byB.id)).toMatchObject({ code: 'NOT_THE_ORIGINATOR' });
    await eventually(() => has(collectors.outB!, consent.id), 'the consent, routed to the parties');

    const allowed = executed('after consent');
    await producer.send(topics.inbound(b), [keys.record(allowed)]);
    await eventually(() => has(collectors.outC!, allowed.id), 'the onward transfer at C');
    expect(has(collectors.outC!, refused.id)).toBe(false);
    // Forwarded as B signed it.
    expect(() => verifyEventSignature(eventFromRecord(collectors.outC!.records.find((r) => idOf(r) === allowed.id)!), buildKeyring(keys.entries))).not.toThrow();

    // The consent is on comity.routes: a restarted router still honours it.
    await router.stop();
    router = await startRouterProcess();
    const later = executed('after restart');
    await producer.send(topics.inbound(b), [keys.record(later)]);
    await eventually(() => has(collectors.outC!, later.id), 'the onward transfer after a router restart', 60_000);
  }, 120_000);
});
