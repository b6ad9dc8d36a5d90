/**
 * The audit log with a real broker and real processes (`comity run router`, `comity run
 * audit`): traffic through the router leaves one chained fact per record of every inbound,
 * outbound and dead-letter topic — received, routed, disclosed, refused, delivered, with
 * provenance — exactly once across a kill -9 of the audit service; `comity audit verify`
 * passes on the topic, and names exactly the record that was changed in a copy.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent } from '../../core/events/create.js';
import { AuditFactKind, AuditRecord } from '../../core/gen/comity/v1/audit.js';
import { RequestDelivered, RequestSubmitted } from '../../core/gen/comity/v1/lifecycle.js';
import { RequestType } from '../../core/gen/comity/v1/request.js';
import { topics, type IncomingRecord, type KafkaClient, type RecordProducer } from '../../core/kafka/index.js';
import { auditTopicSpec } from '../../services/audit/service.js';
import { collect, comityEnv, createTopics, eventually, testKafka, uniqueName, uniqueNetworkId } from '../support/kafka.js';
import { testKeys } from '../support/keys.js';
import { startComity, type ComityProcess } from '../support/processes.js';

/** `comity <args>` to completion: exit code and output. */
function comity(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/comity.js', ...args], { env: { ...process.env, ...comityEnv() }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('audit (comity run audit, comity audit verify) with a real broker', () => {
  let kafka: KafkaClient;
  let producer: RecordProducer;
  const europe = uniqueNetworkId('eu');
  const americas = uniqueNetworkId('am');
  const latecomer = uniqueNetworkId('la');
  const auditTopic = uniqueName('audit');
  const dir = mkdtempSync(join(tmpdir(), 'comity-audit-'));
  const federationFile = join(dir, 'federation.yaml');
  const routerConfig = join(dir, 'router.yaml');
  const auditConfig = join(dir, 'audit.yaml');
  const keys = testKeys([europe, americas, latecomer]);
  const network = (id: string, states: string) =>
    `  - { id: ${id}, name: ${id}, kind: judicial-network, role: member, languages: [en], members: [${states}], membersVerified: true, accepts: [mutual-legal-assistance], sources: [test] }`;
  const federationText = (networks: string[]) => keys.federationYaml(['version: 1', 'networks:', ...networks, ''].join('\n'));

  beforeAll(async () => {
    kafka = testKafka();
    producer = await kafka.producer();
    writeFileSync(federationFile, federationText([network(europe, 'DE, ES'), network(americas, 'ES, CO')]));
    writeFileSync(
      routerConfig,
      `federation: ${federationFile}\nrouter:\n  instanceId: ${uniqueName('test')}\n  groupId: ${uniqueName('router')}\n  signingKey: ${JSON.stringify(keys.hubKeyConfig())}\n`,
    );
    writeFileSync(
      auditConfig,
      [
        `federation: ${federationFile}`,
        'audit:',
        `  instanceId: ${uniqueName('test')}`,
        `  groupId: ${uniqueName('audit')}`,
        `  topic: ${auditTopic}`,
        `  signingKey: ${JSON.stringify(keys.hubKeyConfig())}`,
        '  checkpointEvery: 50',
        '  checkpointIntervalMs: 2000',
        '',
      ].join('\n'),
    );
    await createTopics(kafka, [europe, americas].flatMap((n) => [topics.inbound(n), topics.outbound(n), topics.dlq(n)]));
  });
  afterAll(async () => {
    await producer?.disconnect();
  });

  it('chains every received, routed, disclosed, refused and delivered record exactly once across a kill -9, and verify finds a changed record', async () => {
    const requests = Array.from({ length: 300 }, (_, i) =>
      createEvent(RequestSubmitted.fromPartial({ request: { requestId: `${europe}:${i}` } }), {
        subject: `${europe}:${i}`,
        source: `comity://networks/${europe}/adapter`,
        originNetwork: europe,
        originState: 'DE',
        targets: [{ state: 'CO' }],
        requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
        provenance: { nativeFormat: 'test-xml', mappingVersion: '3.1.4', nativeSha256: Buffer.alloc(32, i % 256), nativeId: `native-${i}` },
      }),
    );
    const unroutable = createEvent(RequestSubmitted.fromPartial({}), {
      subject: `${europe}:nowhere`,
      source: `comity://networks/${europe}/adapter`,
      originNetwork: europe,
      originState: 'DE',
      targets: [{ state: 'JP' }],
    });
    const delivered = createEvent(RequestDelivered.fromPartial({ regardingEventId: requests[0]!.id, network: americas, nativeMessageId: 'AM-0' }), {
      subject: requests[0]!.subject,
      source: `comity://networks/${americas}/adapter`,
      originNetwork: americas,
      causationId: requests[0]!.id,
    });

    const startAuditProcess = () => startComity(['run', 'audit', '--config', auditConfig], /audit running/);
    const router = await startComity(['run', 'router', '--config', routerConfig], /router running/);
    let audit: ComityProcess = await startAuditProcess();
    const appended = await collect(kafka, auditTopic);
    let metrics = '';
    const started = Date.now();
    try {
      for (let i = 0; i < requests.length; i += 30) {
        await producer.send(topics.inbound(europe), requests.slice(i, i + 30).map((event) => keys.record(event)));
      }
      await producer.send(topics.inbound(europe), [keys.record(unroutable)]);
      // Mid-stream: the audit service dies without a chance to clean up, and starts again.
      await eventually(() => appended.records.length >= 100, '100 audit records', 60_000);
      await audit.stop('SIGKILL');
      const atKill = appended.records.length;
      audit = await startAuditProcess();
      await producer.send(topics.inbound(americas), [keys.record(delivered)]);

      // A network added to the federation file is audited without a restart.
      await createTopics(kafka, [topics.inbound(latecomer), topics.outbound(latecomer), topics.dlq(latecomer)]);
      writeFileSync(federationFile, federationText([network(europe, 'DE, ES'), network(americas, 'ES, CO'), network(latecomer, 'PE')]));
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const late = createEvent(RequestSubmitted.fromPartial({}), {
        subject: `${latecomer}:1`,
        source: `comity://networks/${latecomer}/adapter`,
        originNetwork: latecomer,
        originState: 'PE',
        targets: [{ state: 'PE' }],
      });
      await producer.send(topics.inbound(latecomer), [keys.record(late)]);

      // Every record of every source topic, as read_committed consumers see them.
      const sourceTopics = [europe, americas, latecomer].flatMap((n) => [topics.inbound(n), topics.outbound(n), topics.dlq(n)]);
      const expected = async () => (await Promise.all(sourceTopics.map((topic) => kafka.readToEnd(topic)))).flat();
      let sources: IncomingRecord[] = [];
      const deadline = Date.now() + 90_000;
      for (;;) {
        sources = await expected();
        const facts = (await kafka.readToEnd(auditTopic)).filter((record) => AuditRecord.decode(record.value!).fact);
        // Routed (300 + the receipt), relayed receipts (300), the refusal and its notice, the receipt and the late one.
        if (facts.length >= sources.length && sources.length >= 2 * requests.length + 5) break;
        process.stderr.write(`audit: ${facts.length} facts of ${sources.length} source records\n`);
        if (Date.now() > deadline) throw new Error(`audit has ${facts.length} facts of ${sources.length} source records`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      process.stderr.write(`audit: killed at ${atKill} records\n`);
      const statusPort = /status on port (\d+)/.exec(audit.output())?.[1];
      metrics = await (await fetch(`http://127.0.0.1:${statusPort}/metrics`)).text();
    } finally {
      await audit.stop();
      await router.stop();
      await appended.stop();
    }
    const elapsed = Date.now() - started;

    const auditRecords = await kafka.readToEnd(auditTopic);
    const records = auditRecords.map((record) => AuditRecord.decode(record.value!));
    const facts = records.filter((record) => record.fact).map((record) => record.fact!);
    process.stderr.write(`audit: ${records.length} records (${facts.length} facts) in ${elapsed} ms including a kill -9 and restart\n`);

    // Exactly once: one fact per source record, none missing, none twice.
    const sourceRecords = (await Promise.all([europe, americas, latecomer].flatMap((n) => [topics.inbound(n), topics.outbound(n), topics.dlq(n)]).map((t) => kafka.readToEnd(t)))).flat();
    const positions = facts.map((fact) => `${fact.sourceTopic}/${fact.sourcePartition}@${fact.sourceOffset}`);
    expect(new Set(positions).size).toBe(positions.length);
    expect(new Set(positions)).toEqual(new Set(sourceRecords.map((record) => `${record.topic}/${record.partition}@${record.offset}`)));
    // Sequences 1..n without gaps, in topic order.
    expect(records.map((record) => record.sequence)).toEqual(records.map((_, i) => i + 1));

    const kinds = (kind: AuditFactKind) => facts.filter((fact) => fact.kind === kind);
    const received = kinds(AuditFactKind.AUDIT_FACT_KIND_RECEIVED).filter((fact) => fact.network === europe && fact.eventType === 'comity.v1.RequestSubmitted');
    expect(received).toHaveLength(requests.length + 1);
    const first = received.find((fact) => fact.eventId === requests[5]!.id)!;
    expect(first.provenance).toMatchObject({ nativeFormat: 'test-xml', mappingVersion: '3.1.4', nativeId: 'native-5' });
    expect(first.provenance!.nativeSha256).toEqual(Buffer.alloc(32, 5));
    expect(first.eventSha256).toHaveLength(32);
    expect(first.signatureKeyId).toBe(keys.network(europe).signing.key.keyId);
    expect(kinds(AuditFactKind.AUDIT_FACT_KIND_ROUTED)).toHaveLength(requests.length);
    expect(kinds(AuditFactKind.AUDIT_FACT_KIND_ROUTED)[0]).toMatchObject({ network: europe, destinations: [americas], rule: "policy:target-state" });
    expect(kinds(AuditFactKind.AUDIT_FACT_KIND_DISCLOSED).filter((fact) => fact.network === americas && fact.eventType === 'comity.v1.RequestSubmitted')).toHaveLength(requests.length);
    expect(kinds(AuditFactKind.AUDIT_FACT_KIND_REFUSED)).toEqual([expect.objectContaining({ network: europe, eventId: unroutable.id, reasonCode: 'NO_ROUTE', stage: 'route' })]);
    expect(kinds(AuditFactKind.AUDIT_FACT_KIND_DELIVERED)).toEqual([
      expect.objectContaining({ network: americas, regardingEventId: requests[0]!.id, nativeMessageId: 'AM-0' }),
    ]);
    expect(facts.some((fact) => fact.sourceTopic === topics.inbound(latecomer))).toBe(true);
    expect(records.filter((record) => record.checkpoint).length).toBeGreaterThanOrEqual(Math.floor(facts.length / 50));
    expect(metrics).toMatch(/comity_audit_records_total\{entry="received"[^}]*\} \d+/);

    // The topic verifies, signatures included (the hub's keys from the federation file).
    const intact = await comity(['audit', 'verify', '--topic', auditTopic, '--federation', federationFile]);
    expect(intact.stdout).toMatch(/intact/);
    expect(intact.stdout).toMatch(new RegExp(`${records.filter((record) => record.checkpoint).length} checkpoint signatures verified`));
    expect(intact.code).toBe(0);

    // One record changed in an exported copy: verify names exactly that record.
    const exported = join(dir, 'audit.jsonl');
    expect((await comity(['audit', 'export', '--topic', auditTopic, '--out', exported])).code).toBe(0);
    const lines = readFileSync(exported, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { offset: string; key: string; value: string });
    expect(lines).toHaveLength(records.length);
    const victim = records.findIndex((record, i) => i > records.length / 2 && record.fact);
    const changed = AuditRecord.decode(Buffer.from(lines[victim]!.value, 'base64'));
    changed.fact!.network = 'somewhere-else';
    lines[victim] = { ...lines[victim]!, value: Buffer.from(AuditRecord.encode(changed).finish()).toString('base64') };
    const tamperedFile = join(dir, 'tampered.jsonl');
    writeFileSync(tamperedFile, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
    expect((await comity(['audit', 'verify', '--file', exported, '--federation', federationFile])).code).toBe(0);
    const broken = await comity(['audit', 'verify', '--file', tamperedFile, '--federation', federationFile, '--json']);
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout)).toMatchObject({
      intact: false,
      broken: { offset: lines[victim].offset, sequence: victim + 1, problem: 'hash' },
    });

    // The same in a copy of the topic (Kafka cannot change a record in place).
    const copy = uniqueName('audit-copy');
    const admin = await kafka.admin();
    await admin.ensureTopics([auditTopicSpec(copy)]);
    await admin.disconnect();
    await producer.send(
      copy,
      lines.map((line) => ({ key: line.key, value: Buffer.from(line.value, 'base64'), headers: {} })),
    );
    const brokenTopic = await comity(['audit', 'verify', '--topic', copy]);
    expect(brokenTopic.code).toBe(1);
    expect(brokenTopic.stdout).toContain(`BROKEN at offset ${victim}, sequence ${victim + 1}`);
  }, 240_000);
});
