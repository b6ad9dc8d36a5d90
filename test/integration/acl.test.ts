/**
 * Least privilege on a real broker: `comity provision`'s access plan applied to a SASL/SCRAM
 * broker with the StandardAuthorizer, then every principal tried against what it may and may
 * not do. The N×N matrix of adapter principals: every cross-network read and write is refused
 * by Kafka (TOPIC_AUTHORIZATION_FAILED / GROUP_AUTHORIZATION_FAILED), every allowed one works.
 *
 * Runs on the run's broker when it is this run's own local broker (SASL, nobody else's
 * principals); otherwise (a shared plaintext broker from KAFKA_BROKERS, a testcontainer) it
 * starts a secured local broker of its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ComityError } from '../../core/errors.js';
import {
  createKafkaClient,
  KafkaAccessDeniedError,
  topics,
  type KafkaClient,
  type KafkaConfig,
  type RecordProducer,
} from '../../core/kafka/index.js';
import { createLogger } from '../../core/log.js';
import { startLocalBroker, type LocalBroker } from '../../deploy/kafka/local-broker.js';
import { accessPlan, adapterGroups, adapterPrincipal, observerGroupPrefix, observerPrincipal, type AccessPlan } from '../../services/provision/access.js';
import { provision, credentialsFile, readCredentials, type ProvisionReport } from '../../services/provision/provision.js';
import { scramUsers } from '../../services/provision/scram.js';
import { createTopics, uniqueName, uniqueNetworkId } from '../support/kafka.js';

const quiet = createLogger({ name: 'acl-test', level: 'silent' });
const MEMBERS = 4;

interface Outcome {
  readonly check: string;
  /** 'allowed', or the Kafka error name of the refusal. */
  readonly expected: string;
  readonly actual: string;
}

describe('Kafka access control: SASL/SCRAM principals and least-privilege ACLs', () => {
  let ownBroker: LocalBroker | undefined;
  let root: string;
  let credentialsDir: string;
  let base: Pick<KafkaConfig, 'brokers' | 'ssl' | 'connectionTimeoutMs' | 'requestTimeoutMs'>;
  let adminConfig: KafkaConfig;
  let admin: KafkaClient;
  let plan: AccessPlan;
  let first: ProvisionReport;
  const members = Array.from({ length: MEMBERS }, () => uniqueNetworkId('acl'));
  const observer = uniqueNetworkId('aclobs');
  const networks = [...members, observer];
  const clients = new Map<string, KafkaClient>();
  const producers = new Map<string, Promise<RecordProducer>>();
  let provisionMs = 0;

  const clientOf = (principal: string): KafkaClient => {
    let client = clients.get(principal);
    if (!client) {
      const { password } = readCredentials(credentialsFile(credentialsDir, principal));
      client = createKafkaClient({ ...base, clientId: principal, sasl: { mechanism: 'scram-sha-512', username: principal, password: password ?? '' } }, quiet);
      clients.set(principal, client);
    }
    return client;
  };
  const producerOf = (principal: string): Promise<RecordProducer> => {
    let producer = producers.get(principal);
    if (!producer) {
      producer = clientOf(principal).producer();
      producers.set(principal, producer);
    }
    return producer;
  };

  /**
   * What Kafka answers: 'allowed', or the Kafka error name of the refusal. A consumer group the
   * principal may not use shows as GROUP_COORDINATOR_NOT_FOUND (kafkajs drops FindCoordinator's
   * GROUP_AUTHORIZATION_FAILED); `groupReachable` proves the coordinator was there all along.
   */
  async function attempt(run: () => Promise<unknown>): Promise<string> {
    try {
      await run();
      return 'allowed';
    } catch (error) {
      if (error instanceof KafkaAccessDeniedError) return error.kafkaError;
      if (error instanceof ComityError && error.code === 'KAFKA_GROUP_COORDINATOR_NOT_FOUND') return 'GROUP_COORDINATOR_NOT_FOUND';
      throw error;
    }
  }
  /** The admin finds the group's coordinator and reads its offsets: the group itself is fine. */
  async function groupReachable(groupId: string, topic: string): Promise<boolean> {
    const kafkaAdmin = await admin.admin();
    try {
      await kafkaAdmin.consumerLag(groupId, [topic]);
      return true;
    } finally {
      await kafkaAdmin.disconnect();
    }
  }
  const GROUP_REFUSED = 'GROUP_COORDINATOR_NOT_FOUND';
  const write = (principal: string, topic: string) =>
    attempt(async () => (await producerOf(principal)).send(topic, [{ key: 'k', value: Buffer.from(`from ${principal}`), headers: {} }]));
  /** Reads one record of `topic` as `principal` in consumer group `groupId`. */
  const read = (principal: string, topic: string, groupId: string) =>
    attempt(async () => {
      const consumer = await clientOf(principal).consumer({ groupId, topics: [topic] });
      try {
        let got!: () => void;
        const received = new Promise<void>((resolve) => (got = resolve));
        await consumer.run(async () => got());
        await withTimeout(received, 30_000, `a record of ${topic} for ${principal}`);
      } finally {
        await consumer.disconnect();
      }
    });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'comity-acl-'));
    credentialsDir = join(root, 'credentials');
    if (inject('kafkaOrigin') === 'local' && inject('kafkaSasl')) {
      base = { brokers: inject('kafkaBrokers'), ssl: false, connectionTimeoutMs: 3000, requestTimeoutMs: 30000 };
      adminConfig = { ...base, clientId: 'acl-admin', sasl: inject('kafkaSasl') ?? undefined };
    } else {
      ownBroker = await startLocalBroker({ dataDir: join(root, 'broker'), port: 0 });
      base = { brokers: ownBroker.brokers, ssl: false, connectionTimeoutMs: 3000, requestTimeoutMs: 30000 };
      adminConfig = { ...base, clientId: 'acl-admin', sasl: ownBroker.admin };
    }
    admin = createKafkaClient(adminConfig, quiet);
    plan = accessPlan({ networks: [...members.map((id) => ({ id, role: 'member' as const })), { id: observer, role: 'observer' as const }] });
    const started = Date.now();
    first = await provision(plan, {
      kafka: admin,
      scram: scramUsers(adminConfig),
      credentialsDir,
      brokers: base.brokers,
      logger: quiet,
      // The run's broker may hold principals of other federations: touch only this plan's.
      prune: false,
    });
    provisionMs = Date.now() - started;
    // One record on every outbound topic, for the allowed reads.
    const producer = await admin.producer();
    for (const network of networks) await producer.send(topics.outbound(network), [{ key: 'k', value: Buffer.from('routed'), headers: {} }]);
    await producer.disconnect();
  }, 240_000);

  afterAll(async () => {
    for (const producer of producers.values()) await (await producer.catch(() => undefined))?.disconnect();
    await ownBroker?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('the broker has no PLAINTEXT client listener and uses the StandardAuthorizer', async () => {
    const kafkaAdmin = await admin.admin();
    try {
      const config = await kafkaAdmin.brokerConfig();
      const listeners = (config.listeners ?? '').split(',');
      const protocols = new Map((config['listener.security.protocol.map'] ?? '').split(',').map((pair) => pair.split(':') as [string, string]));
      const controllers = new Set((config['controller.listener.names'] ?? '').split(','));
      const clientListeners = listeners.filter((listener) => !controllers.has(listener.split('://')[0] ?? ''));
      expect(clientListeners.length).toBeGreaterThan(0);
      for (const listener of listeners) expect(protocols.get(listener.split('://')[0] ?? '')).toMatch(/^SASL_/);
      expect(config['authorizer.class.name']).toBe('org.apache.kafka.metadata.authorizer.StandardAuthorizer');
      // allow.everyone.if.no.acl.found is the authorizer's own setting, which the broker does
      // not report; the refusals on a topic no ACL names (below) show it is false.
    } finally {
      await kafkaAdmin.disconnect();
    }
  });

  it('provisions topics, SCRAM users and ACLs once, and a second run changes nothing', async () => {
    expect(first.users.set).toHaveLength(plan.principals.length);
    expect(first.acls.created.length).toBeGreaterThan(0);
    const again = await provision(plan, {
      kafka: admin,
      scram: scramUsers(adminConfig),
      credentialsDir,
      brokers: base.brokers,
      logger: quiet,
      prune: false,
    });
    expect(again.topics.created).toEqual([]);
    expect(again.users.set).toEqual([]);
    expect(again.users.kept).toHaveLength(plan.principals.length);
    expect(again.acls.created).toEqual([]);
    expect(again.acls.deleted).toEqual([]);
    process.stderr.write(`acl: provisioned ${plan.principals.length} principals, ${first.acls.created.length} ACLs in ${provisionMs} ms\n`);
  }, 120_000);

  it('refuses a client without credentials and one with a wrong password', async () => {
    const anonymous = createKafkaClient({ ...base, clientId: 'anonymous', connectionTimeoutMs: 1000 }, quiet);
    const wrong = createKafkaClient(
      { ...base, clientId: 'wrong', sasl: { mechanism: 'scram-sha-512', username: adapterPrincipal(members[0] as string), password: 'not-the-password' } },
      quiet,
    );
    const listTopics = async (client: KafkaClient) => {
      const kafkaAdmin = await client.admin();
      try {
        return await kafkaAdmin.listTopics();
      } finally {
        await kafkaAdmin.disconnect();
      }
    };
    const [withoutCredentials, withWrongPassword] = await Promise.allSettled([listTopics(anonymous), listTopics(wrong)]);
    // The broker closes a connection that skips the SASL handshake.
    expect(withoutCredentials.status).toBe('rejected');
    expect(String((withoutCredentials as PromiseRejectedResult).reason)).toMatch(/closed connection|broker/i);
    expect(withWrongPassword.status).toBe('rejected');
    expect((withWrongPassword as PromiseRejectedResult).reason).toMatchObject({ code: 'KAFKA_AUTHENTICATION_FAILED', kafkaError: 'SASL_AUTHENTICATION_FAILED' });
  }, 60_000);

  it(`the ${networks.length}×${networks.length} matrix of adapter principals: own topics work, every other network's are refused`, async () => {
    const started = Date.now();
    const checks: { check: string; expected: string; run: () => Promise<string> }[] = [];
    for (const a of networks) {
      const principal = adapterPrincipal(a);
      const groups = adapterGroups(a);
      checks.push({ check: `${principal} writes its inbound`, expected: 'allowed', run: () => write(principal, topics.inbound(a)) });
      checks.push({ check: `${principal} writes its DLQ`, expected: 'allowed', run: () => write(principal, topics.dlq(a)) });
      checks.push({ check: `${principal} reads its outbound as ${groups.outbound}`, expected: 'allowed', run: () => read(principal, topics.outbound(a), groups.outbound) });
      checks.push({ check: `${principal} writes its outbound`, expected: 'TOPIC_AUTHORIZATION_FAILED', run: () => write(principal, topics.outbound(a)) });
      for (const b of networks.filter((n) => n !== a)) {
        checks.push({ check: `${principal} writes ${topics.inbound(b)}`, expected: 'TOPIC_AUTHORIZATION_FAILED', run: () => write(principal, topics.inbound(b)) });
        checks.push({ check: `${principal} writes ${topics.dlq(b)}`, expected: 'TOPIC_AUTHORIZATION_FAILED', run: () => write(principal, topics.dlq(b)) });
        checks.push({ check: `${principal} writes ${topics.outbound(b)}`, expected: 'TOPIC_AUTHORIZATION_FAILED', run: () => write(principal, topics.outbound(b)) });
        checks.push({
          check: `${principal} reads ${topics.outbound(b)}`,
          expected: 'TOPIC_AUTHORIZATION_FAILED',
          run: () => read(principal, topics.outbound(b), groups.outbound),
        });
        checks.push({
          check: `${principal} reads ${topics.inbound(b)}`,
          expected: 'TOPIC_AUTHORIZATION_FAILED',
          run: () => read(principal, topics.inbound(b), groups.outbound),
        });
        checks.push({
          check: `${principal} joins ${adapterGroups(b).outbound}`,
          expected: GROUP_REFUSED,
          run: () => read(principal, topics.outbound(a), adapterGroups(b).outbound),
        });
      }
    }
    const outcomes = await runAll(checks, 12);
    expect(outcomes.filter((outcome) => outcome.actual !== outcome.expected)).toEqual([]);
    // The refused groups exist for the admin: what kept the principals out is the ACL.
    expect(await Promise.all(networks.map((network) => groupReachable(adapterGroups(network).outbound, topics.outbound(network))))).toEqual(
      networks.map(() => true),
    );
    const allowed = outcomes.filter((outcome) => outcome.expected === 'allowed').length;
    expect(allowed).toBe(networks.length * 3);
    expect(outcomes).toHaveLength(networks.length * 4 + networks.length * (networks.length - 1) * 6);
    process.stderr.write(`acl: ${networks.length}×${networks.length} adapter matrix, ${outcomes.length} checks (${allowed} allowed, ${outcomes.length - allowed} refused) in ${Date.now() - started} ms\n`);
  }, 180_000);

  it('hub service and observer principals cannot touch what they should not', async () => {
    const [a, b] = members as [string, string];
    const checks = [
      { check: 'tracker writes an outbound topic', expected: 'TOPIC_AUTHORIZATION_FAILED', run: () => write('tracker', topics.outbound(a)) },
      { check: 'tracker reads an outbound topic', expected: 'allowed', run: () => read('tracker', topics.outbound(b), uniqueName('comity-tracker-acl')) },
      { check: 'router writes an inbound topic', expected: 'TOPIC_AUTHORIZATION_FAILED', run: () => write('router', topics.inbound(a)) },
      { check: "router joins an adapter's group", expected: GROUP_REFUSED, run: () => read('router', topics.inbound(a), adapterGroups(a).outbound) },
      { check: 'directory reads an outbound topic', expected: 'TOPIC_AUTHORIZATION_FAILED', run: () => read('directory', topics.outbound(a), uniqueName('comity-read.directory.x')) },
      // A principal allowed to write no topic at all gets no producer id (InitProducerId).
      { check: 'monitor writes anything', expected: 'CLUSTER_AUTHORIZATION_FAILED', run: () => write('monitor', topics.inbound(a)) },
      { check: 'stats writes an outbound topic', expected: 'TOPIC_AUTHORIZATION_FAILED', run: () => write('stats', topics.outbound(a)) },
      { check: 'audit writes an outbound topic', expected: 'TOPIC_AUTHORIZATION_FAILED', run: () => write('audit', topics.outbound(a)) },
      { check: 'operator writes the audit log', expected: 'TOPIC_AUTHORIZATION_FAILED', run: () => write('operator', topics.audit) },
      { check: 'observer reads comity.stats', expected: 'allowed', run: () => read(observerPrincipal(observer), topics.stats, `${observerGroupPrefix(observer)}1`) },
      { check: 'observer reads comity.requests', expected: 'TOPIC_AUTHORIZATION_FAILED', run: () => read(observerPrincipal(observer), topics.requests, `${observerGroupPrefix(observer)}1`) },
      { check: 'observer reads its network outbound', expected: 'TOPIC_AUTHORIZATION_FAILED', run: () => read(observerPrincipal(observer), topics.outbound(observer), `${observerGroupPrefix(observer)}1`) },
      { check: 'observer writes comity.stats', expected: 'CLUSTER_AUTHORIZATION_FAILED', run: () => write(observerPrincipal(observer), topics.stats) },
      // No ACL names this topic at all: nobody but the super user may touch it.
      { check: 'monitor reads a topic no ACL names', expected: 'TOPIC_AUTHORIZATION_FAILED', run: () => read('monitor', unlisted, uniqueName('comity-monitor-acl')) },
      { check: 'operator writes a topic no ACL names', expected: 'TOPIC_AUTHORIZATION_FAILED', run: () => write('operator', unlisted) },
    ];
    const unlisted = uniqueName('acl-unlisted');
    await createTopics(admin, [unlisted], 1);
    // The observer's allowed read needs a record on comity.stats.
    const producer = await admin.producer();
    await producer.send(topics.stats, [{ key: 'acl-test', value: Buffer.from('report'), headers: {} }]);
    await producer.disconnect();
    const outcomes = await runAll(checks, 8);
    expect(outcomes.filter((outcome) => outcome.actual !== outcome.expected)).toEqual([]);
  }, 120_000);
});

/** Runs the checks, `concurrency` at a time. */
async function runAll(checks: readonly { check: string; expected: string; run: () => Promise<string> }[], concurrency: number): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < checks.length) {
      const item = checks[next++] as (typeof checks)[number];
      outcomes.push({ check: item.check, expected: item.expected, actual: await item.run() });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcomes;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
