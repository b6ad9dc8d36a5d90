/**
 * Router and tracker together on the real broker: a request's record on comity.requests and
 * through the gRPC FederationService follows both lifecycle layers, with deadlines, flags for
 * impossible transitions, a refusal by the router, and a watch stream.
 */
import { credentials, type ClientReadableStream } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventFromRecord } from '../../core/events/codec.js';
import { createEvent, decodeBody } from '../../core/events/create.js';
import { FederationServiceClient, type GetRequestResponse, type WatchRequestResponse } from '../../core/gen/comity/v1/federation_service.js';
import { LegalStatus, TransportStatus } from '../../core/gen/comity/v1/tracking.js';
import {
  RequestAcknowledged,
  RequestDelivered,
  RequestExecuted,
  RequestRecognised,
  RequestSubmitted,
  RequestWithdrawn,
} from '../../core/gen/comity/v1/lifecycle.js';
import { RequestType } from '../../core/gen/comity/v1/request.js';
import { topics, type KafkaClient, type RecordProducer } from '../../core/kafka/index.js';
import { createLogger } from '../../core/log.js';
import { federationSchema, indexFederation } from '../../services/directory/federation.js';
import { startRouter, type RunningRouter } from '../../services/router/service.js';
import { startTracker, type RunningTracker } from '../../services/tracker/service.js';
import { createTopics, eventually, testKafka, uniqueName, uniqueNetworkId } from '../support/kafka.js';
import { testKeys } from '../support/keys.js';

const logger = createLogger({ name: 'test.tracker', level: process.env.COMITY_LOG_LEVEL ?? 'error' });

describe('tracker with the router on a real broker', () => {
  const europe = uniqueNetworkId('eu');
  const americas = uniqueNetworkId('am');
  const keys = testKeys([europe, americas]);
  const federation = indexFederation(
    federationSchema.parse({
      version: 1,
      hub: { publicKeys: keys.federationKeys('hub') },
      networks: [
        { id: europe, name: 'Europe', kind: 'judicial-network', role: 'member', languages: ['de'], members: ['DE', 'ES'], membersVerified: true, accepts: ['european-investigation-order', 'mutual-legal-assistance'], sources: ['test'], publicKeys: keys.federationKeys(europe) },
        { id: americas, name: 'Americas', kind: 'judicial-network', role: 'member', languages: ['es'], members: ['ES', 'CO'], membersVerified: true, accepts: ['mutual-legal-assistance'], sources: ['test'], publicKeys: keys.federationKeys(americas) },
      ],
    }),
  );
  let kafka: KafkaClient;
  let producer: RecordProducer;
  let router: RunningRouter;
  let tracker: RunningTracker;
  let client: InstanceType<typeof FederationServiceClient>;

  beforeAll(async () => {
    kafka = testKafka();
    await createTopics(kafka, [europe, americas].flatMap((n) => [topics.inbound(n), topics.outbound(n), topics.dlq(n)]));
    producer = await kafka.producer();
    router = await startRouter({ kafka, federation: () => federation, logger, signer: keys.hub.key, instanceId: uniqueName('router'), groupId: uniqueName('router') });
    tracker = await startTracker({
      kafka,
      federation: () => federation,
      logger,
      instanceId: uniqueName('tracker'),
      groupId: uniqueName('tracker'),
      grpcPort: 0,
      alertIntervalMs: 3_600_000,
    });
    client = new FederationServiceClient(`127.0.0.1:${tracker.grpcPort}`, credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    await tracker?.stop();
    await router?.stop();
    await producer?.disconnect();
  });

  const getRequest = (requestId: string) =>
    new Promise<GetRequestResponse>((resolve, reject) =>
      client.getRequest({ $type: 'comity.v1.GetRequestRequest', requestId }, (error, response) => (error ? reject(error) : resolve(response))),
    );
  const from = (network: string, state: string, subject: string, causationId = '') => ({
    subject,
    source: `comity://networks/${network}/adapter`,
    originNetwork: network,
    originState: state,
    causationId,
  });

  it('follows an EIO through both layers, with its deadlines, and flags what does not fit', async () => {
    const requestId = `${europe}:EIO-1`;
    const submitted = createEvent(RequestSubmitted.fromPartial({ request: { requestId, nativeReference: 'EIO-1' } }), {
      ...from(europe, 'DE', requestId),
      targets: [{ state: 'ES' }],
      requestType: RequestType.REQUEST_TYPE_EUROPEAN_INVESTIGATION_ORDER,
    });
    const watched: WatchRequestResponse[] = [];
    const stream: ClientReadableStream<WatchRequestResponse> = client.watchRequest({ $type: 'comity.v1.WatchRequestRequest', requestId, afterEventId: '' });
    stream.on('data', (response: WatchRequestResponse) => watched.push(response));
    stream.on('error', () => undefined);

    await producer.send(topics.inbound(europe), [keys.record(submitted)]);
    await eventually(() => tracker.record(requestId)?.summary?.transportStatus === TransportStatus.TRANSPORT_STATUS_RELAYED, 'relayed');

    // The executing side (same network: both States are in Europe) answers, and a late,
    // impossible event follows a withdrawal.
    const delivered = createEvent(RequestDelivered.fromPartial({ regardingEventId: submitted.id, network: europe }), from(europe, 'ES', requestId, submitted.id));
    const acknowledged = createEvent(RequestAcknowledged.fromPartial({ executingReference: 'ES-9' }), from(europe, 'ES', requestId, submitted.id));
    const recognised = createEvent(RequestRecognised.fromPartial({}), from(europe, 'ES', requestId, submitted.id));
    const withdrawn = createEvent(RequestWithdrawn.fromPartial({ reason: 'case closed' }), from(europe, 'DE', requestId, submitted.id));
    const executedLate = createEvent(RequestExecuted.fromPartial({}), { ...from(europe, 'ES', requestId, submitted.id), time: new Date(Date.now() + 1000) });
    for (const event of [delivered, acknowledged, recognised, withdrawn, executedLate]) {
      await producer.send(topics.inbound(europe), [keys.record(event)]);
    }
    // Six events of ours, a relayed receipt for each but the delivery receipt: eleven entries.
    await eventually(() => (tracker.record(requestId)?.timeline.length ?? 0) >= 11, 'eleven timeline entries');

    const { summary, timeline } = await getRequest(requestId);
    expect(summary).toMatchObject({
      requestId,
      originNetwork: europe,
      networks: [europe],
      requestedStates: ['ES'],
      requestType: RequestType.REQUEST_TYPE_EUROPEAN_INVESTIGATION_ORDER,
      transportStatus: TransportStatus.TRANSPORT_STATUS_DELIVERED,
      legalStatus: LegalStatus.LEGAL_STATUS_WITHDRAWN,
      overdue: false,
    });
    const count = (type: string) => timeline.filter((entry) => entry.type === `comity.v1.${type}`).length;
    expect(timeline).toHaveLength(11);
    expect([count('RequestSubmitted'), count('RequestDelivered'), count('RequestAcknowledged'), count('RequestRecognised'), count('RequestWithdrawn'), count('RequestExecuted')]).toEqual([1, 1, 1, 1, 1, 1]);
    expect(count('RequestRelayed')).toBe(5);
    // Ordered by when things happened: the submission first, the late execution after the withdrawal.
    expect(timeline[0]!.eventId).toBe(submitted.id);
    expect(timeline.findIndex((entry) => entry.eventId === executedLate.id)).toBeGreaterThan(timeline.findIndex((entry) => entry.eventId === withdrawn.id));
    const record = tracker.record(requestId)!;
    expect(record.deadlines.map((deadline) => deadline.name)).toEqual(['recognition', 'execution']);
    expect(record.deadlines[0]!.metAt).toBeDefined();
    expect(record.flags).toEqual([expect.objectContaining({ eventId: executedLate.id, problem: 'the request was already closed' })]);

    // The same record is on comity.requests, as a RequestTracked event keyed by the request id.
    const onTopic = (await kafka.readToEnd(topics.requests)).filter((r) => r.key?.toString() === requestId).at(-1)!;
    const body = decodeBody(eventFromRecord(onTopic));
    expect(body.$type === 'comity.v1.RequestTracked' && body.summary?.legalStatus).toBe(LegalStatus.LEGAL_STATUS_WITHDRAWN);

    await eventually(() => watched.length >= timeline.length, 'the watch stream to catch up');
    expect(new Set(watched.map((response) => response.entry?.eventId))).toEqual(new Set(timeline.map((entry) => entry.eventId)));
    stream.cancel();
  });

  it('records a request the router refused, and answers going back across networks', async () => {
    const nowhere = `${europe}:NOWHERE`;
    const refused = createEvent(RequestSubmitted.fromPartial({}), { ...from(europe, 'DE', nowhere), targets: [{ state: 'JP' }] });
    const requestId = `${europe}:MLA-2`;
    const mla = createEvent(RequestSubmitted.fromPartial({ request: { requestId, deadline: new Date(Date.now() + 86_400_000) } }), {
      ...from(europe, 'DE', requestId),
      targets: [{ state: 'CO' }],
      requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
    });
    await producer.send(topics.inbound(europe), [keys.record(refused), keys.record(mla)]);
    await eventually(() => tracker.record(requestId)?.summary?.transportStatus === TransportStatus.TRANSPORT_STATUS_RELAYED, 'MLA relayed');
    const executed = createEvent(RequestExecuted.fromPartial({ resultSummary: 'records sent' }), from(americas, 'CO', requestId, mla.id));
    await producer.send(topics.inbound(americas), [keys.record(executed)]);
    await eventually(() => tracker.record(nowhere)?.summary?.transportStatus === TransportStatus.TRANSPORT_STATUS_NOT_DELIVERED, 'the refusal');
    await eventually(() => tracker.record(requestId)?.summary?.legalStatus === LegalStatus.LEGAL_STATUS_EXECUTED, 'the execution');

    const refusedRecord = tracker.record(nowhere)!;
    expect(refusedRecord.flags).toEqual([expect.objectContaining({ problem: expect.stringMatching(/^refused by the hub: NO_ROUTE: /) as unknown as string })]);
    await eventually(() => (tracker.record(requestId)?.summary?.networks.length ?? 0) === 2, 'the execution relayed back');
    const mlaRecord = (await getRequest(requestId)).summary!;
    // Routed to the Americas, and the execution routed back to Europe.
    expect(new Set(mlaRecord.networks)).toEqual(new Set([americas, europe]));
    expect(tracker.record(requestId)!.deadlines.map((d) => [d.name, d.metAt !== undefined])).toEqual([['requesting-authority', true]]);

    // Receipts not yet come: an alert once the receipt timeout has passed.
    tracker.checkAlerts(new Date(Date.now() + 3_600_000));
    const metrics = await (await fetch(`http://127.0.0.1:${tracker.statusPort}/metrics`)).text();
    expect(metrics).toMatch(/comity_tracker_alerts_total\{kind="receipt-missing"[^}]*\} [1-9]/);
  });
});
