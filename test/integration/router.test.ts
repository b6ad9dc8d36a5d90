/**
 * The router as a real process (`comity run router`) on the real broker: routes by the
 * federation's rules, dead-letters what it cannot route, remembers the parties of a request
 * across a restart, and — killed with SIGKILL in the middle of a burst — delivers every
 * event exactly once to read_committed consumers.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDeadLetterReason } from '../../core/dlq.js';
import { buildKeyring } from '../../core/crypto/keyring.js';
import { verifyEventSignature } from '../../core/crypto/signing.js';
import { eventFromRecord } from '../../core/events/codec.js';
import { createEvent, decodeBody } from '../../core/events/create.js';
import { ExperienceShared } from '../../core/gen/comity/v1/experience.js';
import { RequestAcknowledged, RequestSubmitted, type RequestNotDelivered, type RequestRelayed } from '../../core/gen/comity/v1/lifecycle.js';
import { RequestType } from '../../core/gen/comity/v1/request.js';
import { topics, type KafkaClient, type RecordProducer } from '../../core/kafka/index.js';
import { collect, createTopics, eventually, testKafka, uniqueName, uniqueNetworkId } from '../support/kafka.js';
import { testKeys } from '../support/keys.js';
import { startComity, type ComityProcess } from '../support/processes.js';

const startRouterProcess = (configFile: string): Promise<ComityProcess> => startComity(['run', 'router', '--config', configFile], /router running/);

describe('router (comity run router) with a real broker', () => {
  let kafka: KafkaClient;
  let producer: RecordProducer;
  const europe = uniqueNetworkId('eu');
  const americas = uniqueNetworkId('am');
  const observer = uniqueNetworkId('ob');
  const dir = mkdtempSync(join(tmpdir(), 'comity-router-'));
  const configFile = join(dir, 'router.yaml');
  const keys = testKeys([europe, americas]);
  const record = keys.record;

  beforeAll(async () => {
    kafka = testKafka();
    producer = await kafka.producer();
    writeFileSync(
      join(dir, 'federation.yaml'),
      keys.federationYaml([
        'version: 1',
        'routing:',
        `  preference: [${americas}, ${europe}]`,
        'networks:',
        `  - { id: ${europe}, name: Europe, kind: judicial-network, role: member, languages: [en], members: [DE, ES], membersVerified: true, accepts: [mutual-legal-assistance], sources: [test] }`,
        `  - { id: ${americas}, name: Americas, kind: judicial-network, role: member, languages: [es], members: [ES, CO], membersVerified: true, accepts: [mutual-legal-assistance], sources: [test] }`,
        `  - { id: ${observer}, name: Observer, kind: observer, role: observer, languages: [en], membersVerified: false, sources: [test] }`,
        '',
      ].join('\n')),
    );
    // A consumer group of its own: other tests run routers over other federations on this broker.
    writeFileSync(
      configFile,
      `federation: ${join(dir, 'federation.yaml')}\nrouter:\n  instanceId: ${uniqueName('test')}\n  groupId: ${uniqueName('router')}\n  signingKey: ${JSON.stringify(keys.hubKeyConfig())}\n`,
    );
    await createTopics(kafka, [europe, americas].flatMap((n) => [topics.inbound(n), topics.outbound(n), topics.dlq(n)]));
  });
  afterAll(async () => {
    await producer?.disconnect();
  });

  it('routes a burst exactly once across a kill -9, dead-letters the unroutable, and sends answers back', async () => {
    const requests = Array.from({ length: 400 }, (_, i) =>
      createEvent(RequestSubmitted.fromPartial({ request: { requestId: `${europe}:${i}`, nativeReference: `R-${i}` } }), {
        subject: `${europe}:${i}`,
        source: `comity://networks/${europe}/adapter`,
        originNetwork: europe,
        originState: 'DE',
        targets: [{ state: 'CO' }],
        requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
      }),
    );
    const unroutable = createEvent(RequestSubmitted.fromPartial({}), {
      subject: `${europe}:nowhere`,
      source: `comity://networks/${europe}/adapter`,
      originNetwork: europe,
      originState: 'DE',
      targets: [{ state: 'JP' }],
    });
    const impostor = createEvent(RequestSubmitted.fromPartial({}), {
      subject: `${americas}:impostor`,
      source: `comity://networks/${americas}/adapter`,
      originNetwork: americas,
      originState: 'CO',
      targets: [{ state: 'DE' }],
    });

    // Shared experience goes to every other network, the observer included (whose outbound
    // topic the router creates: observers run no adapter of their own).
    const experience = createEvent(ExperienceShared.fromPartial({ title: 'Joint investigation teams: lessons learned' }), {
      subject: `${europe}:experience-1`,
      source: `comity://networks/${europe}/adapter`,
      originNetwork: europe,
    });
    const toAmericas = await collect(kafka, topics.outbound(americas));
    const toEurope = await collect(kafka, topics.outbound(europe));
    const dlq = await collect(kafka, topics.dlq(europe));
    let router = await startRouterProcess(configFile);
    try {
      // The burst, in slices so that the kill lands in the middle of it.
      for (let i = 0; i < requests.length; i += 50) {
        await producer.send(topics.inbound(europe), requests.slice(i, i + 50).map(record));
      }
      await producer.send(topics.inbound(europe), [record(unroutable), record(impostor), record(experience)]);
      await eventually(() => toAmericas.records.length >= 100, '100 routed events');
      await router.stop('SIGKILL');
      router = await startRouterProcess(configFile);

      await eventually(() => toAmericas.records.length >= requests.length, 'every request routed', 90_000);
      await eventually(() => dlq.records.length >= 2, 'two dead letters');
      const toObserver = await collect(kafka, topics.outbound(observer));
      await eventually(() => toObserver.records.some((record) => eventFromRecord(record).id === experience.id), 'the experience at the observer');
      await toObserver.stop();

      // An answer from the requested side goes back to the requesting network: the restarted
      // router remembers the parties from comity.routes.
      const answer = createEvent(RequestAcknowledged.fromPartial({ executingReference: 'CO-77' }), {
        subject: requests[7]!.subject,
        source: `comity://networks/${americas}/adapter`,
        originNetwork: americas,
        originState: 'CO',
        causationId: requests[7]!.id,
      });
      await producer.send(topics.inbound(americas), [record(answer)]);
      await eventually(() => toEurope.records.some((record) => eventFromRecord(record).id === answer.id), 'the answer back in Europe');
      await new Promise((resolve) => setTimeout(resolve, 1500));
    } finally {
      await router.stop();
      await toAmericas.stop();
      await toEurope.stop();
      await dlq.stop();
    }

    const americasEvents = toAmericas.records.map(eventFromRecord);
    const routedIds = americasEvents.filter((event) => event.type === 'comity.v1.RequestSubmitted').map((event) => event.id);
    expect(routedIds.length).toBe(requests.length);
    // The answer's sender gets its relayed receipt too, and the shared experience arrived; nothing else.
    expect(americasEvents.filter((event) => event.type === 'comity.v1.RequestRelayed').map((event) => event.causationId)).toEqual([
      expect.any(String),
    ]);
    expect(americasEvents.filter((event) => event.type === 'comity.v1.ExperienceShared').map((event) => event.id)).toEqual([experience.id]);
    expect(americasEvents).toHaveLength(requests.length + 2);
    expect(new Set(routedIds)).toEqual(new Set(requests.map((request) => request.id)));
    // Forwarded unchanged: the bytes on the outbound topic are the bytes the adapter wrote.
    const first = toAmericas.records.find((record) => eventFromRecord(record).id === requests[0]!.id)!;
    expect(first.value?.equals(record(requests[0]!).value)).toBe(true);

    const europeEvents = toEurope.records.map(eventFromRecord);
    const requestIds = new Set(requests.map((request) => request.id));
    const relayed = europeEvents.filter((event) => event.type === 'comity.v1.RequestRelayed' && requestIds.has(event.causationId));
    expect(relayed).toHaveLength(requests.length);
    expect(new Set(relayed.map((event) => event.causationId)).size).toBe(requests.length);
    expect(decodeBody(relayed[0]!) as RequestRelayed).toMatchObject({ networks: [americas], route: 'policy:target-state', fromNetwork: europe });
    // The hub's receipts are signed with the hub's key.
    expect(() => verifyEventSignature(relayed[0]!, buildKeyring(keys.entries))).not.toThrow();
    expect(europeEvents.filter((event) => event.type === 'comity.v1.RequestAcknowledged')).toHaveLength(1);
    // The sender hears of the unroutable request; the impostor (wrong topic) gets no answer.
    const notices = europeEvents.filter((event) => event.type === 'comity.v1.RequestNotDelivered');
    expect(notices.map((event) => event.causationId)).toEqual([unroutable.id]);
    const notice = decodeBody(notices[0]!) as RequestNotDelivered;
    expect(notice.retriable).toBe(false);
    expect(notice.reason).toMatch(/^NO_ROUTE: /);

    const reasons = dlq.records.map((record) => readDeadLetterReason(record.headers)?.code).sort();
    expect(reasons).toEqual(['NO_ROUTE', 'ORIGIN_MISMATCH']);
    expect(dlq.records.map((record) => readDeadLetterReason(record.headers)?.failedBy)).toEqual(['router', 'router']);
  }, 180_000);
});
