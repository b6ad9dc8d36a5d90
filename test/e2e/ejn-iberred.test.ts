/**
 * End to end, with real processes on the real broker and the real federation file:
 *
 *   a German prosecutor's MLA request enters through the EJN adapter's HTTP endpoint as e-CODEX
 *   XML → router (DE and CO share no network; policy picks IberRed) → IberRed adapter → arrives
 *   at Colombia's authority as IberRed JSON with Spanish field names, at a local HTTP peer;
 *   Colombia's acknowledgement and execution come back through IberRed's webhook and arrive at
 *   the EJN connector as e-CODEX messages, with confirmations; the tracker shows the whole
 *   lifecycle with its deadline; an unroutable request lands in the DLQ with its reason.
 */
import { credentials } from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDeadLetterReason } from '../../core/dlq.js';
import { eventFromRecord } from '../../core/events/codec.js';
import { FederationServiceClient, type GetRequestResponse } from '../../core/gen/comity/v1/federation_service.js';
import { LegalStatus, TransportStatus } from '../../core/gen/comity/v1/tracking.js';
import { topics, type IncomingRecord, type KafkaClient } from '../../core/kafka/index.js';
import { freePort } from '../../deploy/kafka/local-broker.js';
import { eventually, testKafka, uniqueName } from '../support/kafka.js';
import { startNativeEndpoint, type NativeEndpoint } from '../support/native-endpoint.js';
import { testKeys } from '../support/keys.js';
import { startComity, type ComityProcess } from '../support/processes.js';

const REAL_FEDERATION = resolve('deploy/config/federation.yaml');
const MLA_FIXTURE = 'adapters/ejn-ecodex/fixtures/mla-de-co-untoc.xml';

describe('a German MLA request to Colombia, EJN → IberRed and back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'comity-e2e-'));
  const run = randomBytes(3).toString('hex');
  const processes: ComityProcess[] = [];
  let kafka: KafkaClient;
  let ejnConnector: NativeEndpoint;
  let ibera: NativeEndpoint;
  let ejnPort: number;
  let iberredPort: number;
  let tracker: InstanceType<typeof FederationServiceClient>;
  const dlq: IncomingRecord[] = [];
  let stopDlq: () => Promise<void> = async () => {};

  beforeAll(async () => {
    kafka = testKafka();
    [ejnConnector, ibera, ejnPort, iberredPort] = await Promise.all([startNativeEndpoint(), startNativeEndpoint(), freePort(), freePort()]);
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    // The real federation, with keys of this run for the two networks and the hub.
    const keys = testKeys(['ejn', 'iberred']);
    const FEDERATION = write('federation.yaml', keys.federationYaml(readFileSync(REAL_FEDERATION, 'utf8')));
    await keys.publishToDirectory(kafka);
    // Groups of their own: other tests run routers and trackers over other federations here.
    const router = write(
      'router.yaml',
      `federation: ${FEDERATION}\nrouter:\n  instanceId: e2e-${run}\n  groupId: e2e-router-${run}\n  signingKey: ${JSON.stringify(keys.hubKeyConfig())}\n`,
    );
    const trackerConfig = write('tracker.yaml', `federation: ${FEDERATION}\ntracker:\n  instanceId: e2e-${run}\n  groupId: e2e-tracker-${run}\n  grpcPort: 0\n`);
    const ejn = write(
      'ejn.yaml',
      [
        'network: ejn',
        `trust: ${JSON.stringify({ ...keys.adapterTrust('ejn'), federation: FEDERATION })}`,
        'kafka: { clientId: adapter-ejn }',
        `runtime: { stateDir: ${join(dir, 'state')}, retry: { initialMs: 100, maxMs: 1000 } }`,
        'adapter:',
        `  http: { listen: { port: ${ejnPort} }, deliverTo: "${ejnConnector.url}" }`,
        '  party: EJN-COMITY',
        '',
      ].join('\n'),
    );
    const iberred = write(
      'iberred.yaml',
      [
        'network: iberred',
        `trust: ${JSON.stringify({ ...keys.adapterTrust('iberred'), federation: FEDERATION })}`,
        'kafka: { clientId: adapter-iberred }',
        `runtime: { stateDir: ${join(dir, 'state')}, retry: { initialMs: 100, maxMs: 1000 } }`,
        'adapter:',
        `  http: { listen: { port: ${iberredPort} }, deliverTo: "${ibera.url}" }`,
        '',
      ].join('\n'),
    );
    // The hub first (it creates the topics of every network), then the adapters.
    processes.push(await startComity(['run', 'router', '--config', router], /router running/));
    const trackerProcess = await startComity(['run', 'tracker', '--config', trackerConfig], /tracker running \(gRPC on [^:]+:(\d+)/);
    processes.push(trackerProcess);
    processes.push(await startComity(['run', 'adapter', 'ejn', '--config', ejn], /adapter ejn running/));
    processes.push(await startComity(['run', 'adapter', 'iberred', '--config', iberred], /adapter iberred running/));
    const grpcPort = /tracker running \(gRPC on [^:]+:(\d+)/.exec(trackerProcess.output())![1];
    tracker = new FederationServiceClient(`127.0.0.1:${grpcPort}`, credentials.createInsecure());
    const consumer = await kafka.consumer({ groupId: uniqueName('e2e-dlq'), topics: [topics.dlq('ejn')] });
    await consumer.run(async (record) => void dlq.push(record));
    stopDlq = () => consumer.disconnect();
  }, 240_000);

  afterAll(async () => {
    tracker?.close();
    await stopDlq();
    for (const process of processes.reverse()) await process.stop();
    await ejnConnector?.close();
    await ibera?.close();
  });

  const post = async (port: number, body: string, contentType: string) => {
    const response = await fetch(`http://127.0.0.1:${port}/messages`, { method: 'POST', headers: { 'content-type': contentType }, body });
    return { status: response.status, json: (await response.json()) as { eventIds?: string[]; requestIds?: string[]; code?: string } };
  };
  const getRequest = (requestId: string) =>
    new Promise<GetRequestResponse>((resolve, reject) =>
      tracker.getRequest({ $type: 'comity.v1.GetRequestRequest', requestId }, (error, response) => (error ? reject(error) : resolve(response))),
    );

  it('crosses from e-CODEX XML to Spanish IberRed JSON, and the answers come back as e-CODEX', async () => {
    // The fixture, with a reference of this run so that reruns on one broker do not meet.
    const reference = `DE-STA-F-E2E-${run}`;
    const xml = readFileSync(MLA_FIXTURE, 'utf8').replaceAll('DE-STA-F-2026-RH-0088', reference);
    const submitted = await post(ejnPort, xml, 'application/xml');
    expect(submitted.status, JSON.stringify(submitted.json)).toBe(202);
    const requestId = `ejn:${reference}`;
    expect(submitted.json.requestIds).toEqual([requestId]);
    const submissionId = submitted.json.eventIds![0]!;

    // Colombia's central authority receives the request as an IberRed form in Spanish.
    await eventually(() => ibera.accepted.some((entry) => entry.eventId === submissionId), 'the request at the IberRed peer', 60_000);
    const form = JSON.parse(ibera.accepted.find((entry) => entry.eventId === submissionId)!.body) as Record<string, unknown>;
    expect(form).toMatchObject({ tipoMensaje: 'solicitud', tipoSolicitud: 'asistencia_judicial_penal', paisRequerido: 'CO', referenciaComity: requestId });
    expect(form.idioma).toBe('es');
    expect(JSON.stringify(form)).toContain('Frutas del Caribe S.A.S.');

    // Colombia acknowledges, then reports execution, through IberRed's webhook.
    const answer = (fields: Record<string, unknown>) =>
      JSON.stringify({
        idioma: 'es-CO',
        referenciaComity: requestId,
        eventoRespondido: submissionId,
        tipoSolicitud: 'asistencia_judicial_penal',
        fecha: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        confidencial: false,
        autoridad: { nombre: 'Dirección de Asuntos Internacionales, Fiscalía General de la Nación', pais: 'CO', tipo: 'autoridad_central' },
        ...fields,
      });
    const acknowledged = await post(iberredPort, answer({ tipoMensaje: 'acuse_recibo', referencia: `DAI-AJ-${run}` }), 'application/json');
    expect(acknowledged.status).toBe(202);
    const executed = await post(
      iberredPort,
      answer({ tipoMensaje: 'ejecutada', referencia: `DAI-AJ-${run}-E`, resultado: 'Se obtuvieron los extractos bancarios y los documentos de exportación.' }),
      'application/json',
    );
    expect(executed.status).toBe(202);
    const [ackId, executedId] = [acknowledged.json.eventIds![0]!, executed.json.eventIds![0]!];

    // The EJN connector receives both answers as e-CODEX messages, and confirmations about the request.
    await eventually(
      () => [ackId, executedId].every((id) => ejnConnector.accepted.some((entry) => entry.eventId === id)),
      'the answers at the EJN connector',
      60_000,
    );
    const atConnector = (id: string) => ejnConnector.accepted.find((entry) => entry.eventId === id)!.body;
    for (const id of [ackId, executedId]) {
      expect(atConnector(id)).toContain('<message xmlns="urn:comity:ecodex:backend:1"');
      expect(atConnector(id)).toContain(`<conversationId>${requestId}</conversationId>`);
    }
    await eventually(
      () => ejnConnector.accepted.some((entry) => /<confirmation type="DELIVERY"/.test(entry.body) && entry.body.includes(`<refToMessageId>${submissionId}</refToMessageId>`)),
      'the DELIVERY confirmation of the request',
      60_000,
    );

    // The tracker has the whole lifecycle, both layers, and the requesting authority's deadline.
    let view: GetRequestResponse | undefined;
    const deadline = Date.now() + 60_000;
    while (view?.summary?.legalStatus !== LegalStatus.LEGAL_STATUS_EXECUTED && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      view = await getRequest(requestId).catch(() => undefined);
    }
    expect(view!.summary).toMatchObject({
      requestId,
      originNetwork: 'ejn',
      requestedStates: ['CO'],
      transportStatus: TransportStatus.TRANSPORT_STATUS_DELIVERED,
      legalStatus: LegalStatus.LEGAL_STATUS_EXECUTED,
    });
    expect(view!.summary!.networks, JSON.stringify(view!.timeline.map((entry) => [entry.type, entry.targets]))).toContain('iberred');
    const types = new Set(view!.timeline.map((entry) => entry.type));
    for (const type of ['RequestSubmitted', 'RequestRelayed', 'RequestDelivered', 'RequestAcknowledged', 'RequestExecuted']) {
      expect(types, type).toContain(`comity.v1.${type}`);
    }
  }, 240_000);

  it('puts an unroutable request in the DLQ with its reason, and tells the sender', async () => {
    const reference = `DE-STA-F-E2E-NOWHERE-${run}`;
    const xml = readFileSync(MLA_FIXTURE, 'utf8')
      .replaceAll('DE-STA-F-2026-RH-0088', reference)
      .replace('requestedState="CO"', 'requestedState="AQ"')
      .replaceAll('state="CO"', 'state="AQ"')
      // Not confidential: a confidential request with no route cannot be sealed to anyone and is
      // refused by the adapter itself (SEAL_RECIPIENT_UNKNOWN, docs/sealing.md).
      .replace('confidential="true"', 'confidential="false"');
    const submitted = await post(ejnPort, xml, 'application/xml');
    expect(submitted.status, JSON.stringify(submitted.json)).toBe(202);
    const eventId = submitted.json.eventIds![0]!;

    // The DLQ also holds native messages other tests refused: find ours by its CloudEvents id.
    const ours = (record: IncomingRecord) => record.headers.ce_id?.toString() === eventId;
    await eventually(() => dlq.some(ours), 'the dead letter', 60_000);
    const letter = dlq.find(ours)!;
    expect(eventFromRecord(letter).id).toBe(eventId);
    expect(readDeadLetterReason(letter.headers)).toMatchObject({ code: 'NO_ROUTE', stage: 'route', failedBy: 'router' });
    expect(readDeadLetterReason(letter.headers)?.reason).toContain('AQ');

    await eventually(
      () => ejnConnector.accepted.some((entry) => /<confirmation type="NON_DELIVERY"/.test(entry.body) && entry.body.includes(`<refToMessageId>${eventId}</refToMessageId>`)),
      'the NON_DELIVERY confirmation at the EJN connector',
      60_000,
    );
  }, 120_000);
});
