/**
 * The Strimzi resources that follow from the federation: a KafkaTopic per topic and a
 * KafkaUser per principal of the access plan (services/provision/access.ts), with SCRAM-SHA-512
 * and exactly the plan's ACLs. Pure; `npm run k8s:generate` writes them into deploy/k8s/base,
 * and test/deploy checks that the files there are what the plan says.
 */
import { SERVICE_MEMORY_LIMIT, SERVICE_NODE_OPTIONS } from '../node-options.js';
import { topicSpec } from '../../core/kafka/index.js';
import type { AccessPlan, Grant } from '../../services/provision/access.js';

/** The Strimzi cluster the resources belong to (label strimzi.io/cluster). */
export const KAFKA_CLUSTER = 'comity';

const STRIMZI_API = 'kafka.strimzi.io/v1beta2';

/** Strimzi's names for Kafka's ACL resource types and operations. */
const RESOURCE_TYPES: Readonly<Record<Grant['resourceType'], string>> = {
  topic: 'topic',
  group: 'group',
  'transactional-id': 'transactionalId',
};

export function strimziOperation(operation: string): string {
  return operation
    .split(/[-_]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** A Kubernetes name for a Kafka topic: `comity.inbound.ejn` → `comity-inbound-ejn`. */
export function topicResourceName(topic: string): string {
  return topic.replaceAll('.', '-');
}

export function kafkaTopics(plan: AccessPlan, options: { partitions?: number; replicas?: number } = {}): object[] {
  return plan.topics.map((topic) => {
    const spec = topicSpec(topic, { partitions: options.partitions ?? 6, replicationFactor: options.replicas ?? 3 });
    return {
      apiVersion: STRIMZI_API,
      kind: 'KafkaTopic',
      metadata: { name: topicResourceName(topic), labels: { 'strimzi.io/cluster': KAFKA_CLUSTER, 'app.kubernetes.io/part-of': 'comity' } },
      spec: {
        topicName: topic,
        partitions: spec.partitions,
        replicas: spec.replicationFactor,
        config: { ...spec.config, 'min.insync.replicas': '2' },
      },
    };
  });
}

export function kafkaUsers(plan: AccessPlan): object[] {
  return plan.principals.map((principal) => ({
    apiVersion: STRIMZI_API,
    kind: 'KafkaUser',
    metadata: {
      name: principal.name,
      labels: { 'strimzi.io/cluster': KAFKA_CLUSTER, 'app.kubernetes.io/part-of': 'comity', 'comity.io/principal-kind': principal.kind },
      annotations: { 'comity.io/description': principal.description },
    },
    spec: {
      authentication: { type: 'scram-sha-512' },
      authorization: {
        type: 'simple',
        acls: principal.grants.map((grant) => ({
          resource: { type: RESOURCE_TYPES[grant.resourceType], name: grant.resourceName, patternType: grant.patternType === 'prefixed' ? 'prefix' : 'literal' },
          operations: grant.operations.map(strimziOperation),
          host: '*',
        })),
      },
    },
  }));
}

/** One Comity process as a Deployment: what it runs, as whom, and what it exposes. */
export interface ProcessSpec {
  readonly name: string;
  readonly args: readonly string[];
  /** File in the comity-config ConfigMap. */
  readonly config: string;
  /** The KafkaUser it connects as. */
  readonly principal: string;
  /** Secret with its private keys (`comity keys generate`), mounted at /var/run/secrets/comity. */
  readonly keys?: string;
  /** Environment variables read from the keys Secret (key ids). */
  readonly keyIds?: Readonly<Record<string, string>>;
  readonly ports: Readonly<Record<string, number>>;
  /** Exactly one may run (transactional ids, one audit chain): Recreate, never two at once. */
  readonly singleton?: boolean;
  /** Keeps state on a volume (adapters' delivery ledgers). */
  readonly stateful?: boolean;
  /** Carries the traffic (router, adapters): V8 heap limits and a tighter memory limit (deploy/node-options.ts). */
  readonly traffic?: boolean;
}

export const STATUS_PORT = 9464;
export const IMAGE = 'comity:0.1.0';

export const PROCESSES: readonly ProcessSpec[] = [
  { name: 'directory', args: ['run', 'directory'], config: 'directory.yaml', principal: 'directory', keys: 'comity-hub-keys', keyIds: { COMITY_DIRECTORY__SIGNING_KEY__KEY_ID: 'hub-signing-key-id' }, ports: { grpc: 50051 } },
  { name: 'router', args: ['run', 'router'], config: 'router.yaml', principal: 'router', keys: 'comity-hub-keys', keyIds: { COMITY_ROUTER__SIGNING_KEY__KEY_ID: 'hub-signing-key-id' }, ports: {}, singleton: true, traffic: true },
  { name: 'tracker', args: ['run', 'tracker'], config: 'tracker.yaml', principal: 'tracker', ports: { grpc: 50052 }, singleton: true },
  { name: 'audit', args: ['run', 'audit'], config: 'audit.yaml', principal: 'audit', keys: 'comity-hub-keys', keyIds: { COMITY_AUDIT__SIGNING_KEY__KEY_ID: 'audit-signing-key-id' }, ports: {}, singleton: true },
  { name: 'monitor', args: ['run', 'monitor'], config: 'monitor.yaml', principal: 'monitor', ports: { http: 8080, grpc: 50053 } },
  { name: 'stats', args: ['run', 'stats'], config: 'stats.yaml', principal: 'stats', ports: {}, singleton: true },
  ...(['ejn', 'iberred', 'wacap', 'central-america-coe'] as const).map(
    (network): ProcessSpec => ({
      name: `adapter-${network}`,
      args: ['run', 'adapter', network],
      config: `adapter-${network}.yaml`,
      principal: `adapter-${network}`,
      keys: `comity-adapter-${network}-keys`,
      keyIds: { COMITY_TRUST__SIGNING_KEY__KEY_ID: 'signing-key-id' },
      ports: network === 'wacap' ? { smtp: 2525 } : network === 'central-america-coe' ? {} : { http: 8100 },
      singleton: true,
      stateful: true,
      traffic: true,
    }),
  ),
];

const labels = (name: string) => ({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'comity' });

export function processManifests(processes: readonly ProcessSpec[] = PROCESSES): object[] {
  return processes.flatMap((process) => {
    const ports = { status: STATUS_PORT, ...process.ports };
    const volumes: object[] = [
      { name: 'config', configMap: { name: 'comity-config' } },
      { name: 'federation', configMap: { name: 'comity-federation' } },
      ...(process.keys ? [{ name: 'keys', secret: { secretName: process.keys, defaultMode: 0o400 } }] : []),
      ...(process.stateful ? [{ name: 'state', persistentVolumeClaim: { claimName: `${process.name}-state` } }] : []),
    ];
    const mounts: object[] = [
      { name: 'config', mountPath: `/etc/comity/${process.config}`, subPath: process.config, readOnly: true },
      { name: 'federation', mountPath: '/etc/comity/federation', readOnly: true },
      ...(process.keys ? [{ name: 'keys', mountPath: '/var/run/secrets/comity', readOnly: true }] : []),
      ...(process.stateful ? [{ name: 'state', mountPath: '/var/lib/comity' }] : []),
    ];
    const env = [
      { name: 'KAFKA_BROKERS', valueFrom: { configMapKeyRef: { name: 'comity-kafka', key: 'brokers' } } },
      { name: 'COMITY_KAFKA__SASL__MECHANISM', value: 'scram-sha-512' },
      { name: 'COMITY_KAFKA__SASL__USERNAME', value: process.principal },
      // The Strimzi User Operator keeps each KafkaUser's password in a Secret of the same name.
      { name: 'COMITY_KAFKA__SASL__PASSWORD', valueFrom: { secretKeyRef: { name: process.principal, key: 'password' } } },
      { name: 'COMITY_LOG_LEVEL', value: 'info' },
      ...(process.traffic ? [{ name: 'NODE_OPTIONS', value: SERVICE_NODE_OPTIONS }] : []),
      ...Object.entries(process.keyIds ?? {}).map(([name, key]) => ({ name, valueFrom: { secretKeyRef: { name: process.keys!, key } } })),
    ];
    const probe = (path: string, initialDelaySeconds: number) => ({
      httpGet: { path, port: 'status' },
      initialDelaySeconds,
      periodSeconds: 10,
      timeoutSeconds: 3,
      failureThreshold: 6,
    });
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: process.name, labels: labels(process.name) },
      spec: {
        replicas: 1,
        // A singleton is replaced, never run twice: its transactional id would fence the new one.
        strategy: process.singleton ? { type: 'Recreate' } : { type: 'RollingUpdate' },
        selector: { matchLabels: labels(process.name) },
        template: {
          metadata: { labels: labels(process.name) },
          spec: {
            securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 },
            terminationGracePeriodSeconds: 60,
            containers: [
              {
                name: process.name,
                image: IMAGE,
                args: [...process.args, '--config', `/etc/comity/${process.config}`],
                ports: Object.entries(ports).map(([name, containerPort]) => ({ name, containerPort })),
                env,
                volumeMounts: mounts,
                readinessProbe: probe('/readyz', 5),
                livenessProbe: probe('/healthz', 20),
                resources: { requests: { cpu: '100m', memory: '192Mi' }, limits: { memory: process.traffic ? SERVICE_MEMORY_LIMIT : '512Mi' } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              },
            ],
            volumes,
          },
        },
      },
    };
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: process.name, labels: labels(process.name) },
      spec: { selector: labels(process.name), ports: Object.entries(ports).map(([name, port]) => ({ name, port, targetPort: name })) },
    };
    const claim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: `${process.name}-state`, labels: labels(process.name) },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } },
    };
    return [deployment, service, ...(process.stateful ? [claim] : [])];
  });
}
