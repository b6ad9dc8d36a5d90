/**
 * Who may do what on the federation's Kafka cluster: one pure function from the federation to
 * the principals and their ACLs. `comity provision` applies it to a cluster, the Kubernetes
 * KafkaUser manifests are generated from it, docs/security.md documents it. Nothing here talks
 * to Kafka.
 *
 * The rule is least privilege with "deny unless an ACL allows" on the broker
 * (`allow.everyone.if.no.acl.found=false`):
 * - one principal per network adapter, `adapter-<network>`: write its own inbound topic and
 *   DLQ, read its own outbound and redrive topics with its own consumer groups, read the
 *   directory (contact points) — nothing of another network;
 * - one principal per hub service (router, tracker, directory, audit, monitor, stats, operator)
 *   with only the topics, consumer groups and transactional ids that service uses;
 * - one statistics reader per observer network, `observer-<network>`: read `comity.stats`.
 *
 * Names that vary per instance (transactional ids `comity-router-<instance>`, the monitor's
 * groups) are granted by PREFIXED patterns; names of one network are LITERAL, so that
 * `adapter-ejn` gets nothing of a network `ejn-x`. Every principal may also use consumer
 * groups under its own reader prefix (core/kafka `readerGroupPrefix`), which
 * `KafkaClient.readToEnd` uses for one pass over a state topic.
 *
 * Operations follow Kafka's implication rules: READ and WRITE imply DESCRIBE. Idempotent
 * producers need no cluster ACL: since Kafka 3.0 WRITE on any topic allows InitProducerId.
 */
import { ComityError } from '../../core/errors.js';
import { readerGroupPrefix, topics, type AclBinding, type AclOperation, type AclPatternType, type AclResourceType } from '../../core/kafka/index.js';

/** What accessPlan needs of the federation file. */
export interface FederationMembers {
  readonly networks: readonly { readonly id: string; readonly role: 'member' | 'observer' }[];
}

export type PrincipalKind = 'adapter' | 'service' | 'observer';

/** Permission on one resource pattern. */
export interface Grant {
  readonly resourceType: Exclude<AclResourceType, 'cluster'>;
  readonly resourceName: string;
  readonly patternType: AclPatternType;
  readonly operations: readonly AclOperation[];
  /** Why the principal needs it (for docs and `--dry-run`). */
  readonly reason: string;
}

export interface PrincipalAccess {
  /** The SASL user name; the Kafka principal is `User:<name>`. */
  readonly name: string;
  readonly kind: PrincipalKind;
  /** The network of an adapter or observer principal. */
  readonly network?: string;
  readonly description: string;
  readonly grants: readonly Grant[];
}

export interface AccessPlan {
  readonly principals: readonly PrincipalAccess[];
  /** Every topic the federation uses, to create before the principals need them. */
  readonly topics: readonly string[];
}

/** The hub's services, each a principal of its own. */
export const HUB_SERVICES = ['router', 'tracker', 'directory', 'audit', 'monitor', 'stats', 'operator'] as const;
export type HubService = (typeof HUB_SERVICES)[number];

export const adapterPrincipal = (network: string): string => `adapter-${network}`;
export const observerPrincipal = (network: string): string => `observer-${network}`;

/** The consumer groups an adapter runtime uses (adapters/sdk/runtime.ts). */
export const adapterGroups = (network: string) => ({
  outbound: `comity-adapter-${network}`,
  redrive: `comity-adapter-${network}-redrive`,
});

/**
 * Prefixes of the hub services' consumer groups and transactional ids: the configured group
 * ids and instance ids must keep them (`comity-router`, `comity-router-blue`, …).
 */
export const SERVICE_ID_PREFIXES = {
  router: { groups: 'comity-router', transactionalIds: 'comity-router-' },
  tracker: { groups: 'comity-tracker', transactionalIds: 'comity-tracker-' },
  audit: { groups: 'comity-audit', transactionalIds: 'comity-audit-' },
  monitor: { groups: 'comity-monitor' },
  stats: { groups: 'comity-stats', transactionalIds: 'comity-stats-' },
  operator: { groups: ['comity-tail-', 'comity-operator'] },
} as const;

/** An observer's statistics reader uses consumer groups under `comity-observer-<network>.`. */
export const observerGroupPrefix = (network: string): string => `comity-observer-${network}.`;

const PER_NETWORK = ['inbound', 'outbound', 'dlq', 'redrive'] as const;
const TOPIC_PREFIXES = {
  all: 'comity.',
  inbound: 'comity.inbound.',
  outbound: 'comity.outbound.',
  dlq: 'comity.dlq.',
  redrive: 'comity.redrive.',
} as const;

const topic = (name: string, operations: AclOperation[], reason: string): Grant => ({
  resourceType: 'topic',
  resourceName: name,
  patternType: 'literal',
  operations,
  reason,
});
const topicsPrefixed = (prefix: string, operations: AclOperation[], reason: string): Grant => ({
  resourceType: 'topic',
  resourceName: prefix,
  patternType: 'prefixed',
  operations,
  reason,
});
const group = (name: string, patternType: AclPatternType, operations: AclOperation[], reason: string): Grant => ({
  resourceType: 'group',
  resourceName: name,
  patternType,
  operations,
  reason,
});
const transactionalIds = (prefix: string, reason: string): Grant => ({
  resourceType: 'transactional-id',
  resourceName: prefix,
  patternType: 'prefixed',
  operations: ['write', 'describe'],
  reason,
});
const readerGroups = (principal: string): Grant =>
  group(readerGroupPrefix(principal), 'prefixed', ['read', 'delete'], 'one-pass reads of state topics (readToEnd), its own groups only');

export function accessPlan(federation: FederationMembers): AccessPlan {
  const networks = federation.networks;
  const principals: PrincipalAccess[] = [];

  for (const network of networks) {
    const name = adapterPrincipal(network.id);
    const groups = adapterGroups(network.id);
    principals.push({
      name,
      kind: 'adapter',
      network: network.id,
      description: `the ${network.id} adapter`,
      grants: [
        topic(topics.inbound(network.id), ['write', 'describe'], 'publishes what its network sends'),
        topic(topics.dlq(network.id), ['write', 'describe'], 'dead letters of what it could not translate or deliver'),
        topic(topics.outbound(network.id), ['read'], 'what the hub routed to its network'),
        topic(topics.redrive(network.id), ['read'], 'native messages an operator redrove from its DLQ'),
        topic(topics.directory, ['read'], 'contact points of its network'),
        group(groups.outbound, 'literal', ['read'], 'its outbound consumer group'),
        group(groups.redrive, 'literal', ['read'], 'its redrive consumer group'),
        readerGroups(name),
      ],
    });
  }

  const service = (name: HubService, description: string, grants: Grant[]): void => {
    principals.push({ name, kind: 'service', description, grants: [...grants, readerGroups(name)] });
  };
  const ids = SERVICE_ID_PREFIXES;
  service('router', 'routes inbound events to outbound topics, exactly once', [
    topicsPrefixed(TOPIC_PREFIXES.inbound, ['read'], 'every network inbound topic'),
    topicsPrefixed(TOPIC_PREFIXES.outbound, ['write'], 'routed events and receipts'),
    topicsPrefixed(TOPIC_PREFIXES.dlq, ['write'], 'refused events'),
    topic(topics.routes, ['read', 'write'], 'its memory of each request parties'),
    topic(topics.stats, ['write'], 'statistics reports of the centres of excellence, passed on unchanged'),
    group(ids.router.groups, 'prefixed', ['read'], 'its consumer group (router.groupId)'),
    transactionalIds(ids.router.transactionalIds, 'comity-router-<instanceId>'),
  ]);
  service('tracker', 'follows each request lifecycle', [
    topicsPrefixed(TOPIC_PREFIXES.inbound, ['read'], 'what the networks say'),
    topicsPrefixed(TOPIC_PREFIXES.outbound, ['read'], 'the router receipts'),
    topicsPrefixed(TOPIC_PREFIXES.dlq, ['read'], 'refusals'),
    topic(topics.requests, ['read', 'write'], 'request records'),
    group(ids.tracker.groups, 'prefixed', ['read'], 'its consumer group (tracker.groupId)'),
    transactionalIds(ids.tracker.transactionalIds, 'comity-tracker-<instanceId>'),
  ]);
  service('directory', 'publishes the federation directory', [topic(topics.directory, ['read', 'write'], 'the directory entries')]);
  service('audit', 'appends every routing decision and delivery to the hash-chained audit log', [
    topicsPrefixed(TOPIC_PREFIXES.inbound, ['read'], 'what the networks sent'),
    topicsPrefixed(TOPIC_PREFIXES.outbound, ['read'], 'what the hub delivered'),
    topicsPrefixed(TOPIC_PREFIXES.dlq, ['read'], 'what was refused'),
    topic(topics.audit, ['read', 'write'], 'the audit chain'),
    group(ids.audit.groups, 'prefixed', ['read'], 'its consumer group (audit.groupId)'),
    transactionalIds(ids.audit.transactionalIds, 'comity-audit-<instanceId>'),
  ]);
  service('monitor', 'flows, lag and the dashboard', [
    topicsPrefixed(TOPIC_PREFIXES.all, ['read'], 'every Comity topic'),
    group('comity-', 'prefixed', ['describe'], 'offsets of every Comity consumer group, for lag'),
    group(ids.monitor.groups, 'prefixed', ['read', 'delete'], 'its own consumer groups'),
  ]);
  service('stats', 'monthly statistics', [
    topic(topics.requests, ['read'], 'request records'),
    topicsPrefixed(TOPIC_PREFIXES.inbound, ['read'], 'the offences (ICCS codes) of submitted requests'),
    topic(topics.stats, ['read', 'write'], 'statistics reports'),
    group(ids.stats.groups, 'prefixed', ['read'], 'its consumer groups'),
    transactionalIds(ids.stats.transactionalIds, 'comity-stats-<instanceId>'),
  ]);
  service('operator', 'the comity CLI of an operator: inspect, tail, redrive', [
    topicsPrefixed(TOPIC_PREFIXES.all, ['read'], 'every Comity topic'),
    topicsPrefixed(TOPIC_PREFIXES.inbound, ['write'], 'inject or replay events'),
    topicsPrefixed(TOPIC_PREFIXES.outbound, ['write'], 'redrive undelivered events'),
    topicsPrefixed(TOPIC_PREFIXES.redrive, ['write'], 'redrive native messages to their adapter'),
    topic(topics.redriveLog, ['write'], 'which dead letters were redriven'),
    group('comity-', 'prefixed', ['describe'], 'consumer group offsets, for lag'),
    ...ids.operator.groups.map((prefix) => group(prefix, 'prefixed', ['read', 'delete'], 'its own consumer groups (comity tail)')),
  ]);

  for (const network of networks.filter((n) => n.role === 'observer')) {
    const name = observerPrincipal(network.id);
    principals.push({
      name,
      kind: 'observer',
      network: network.id,
      description: `statistics reader of the observer ${network.id}`,
      grants: [
        topic(topics.stats, ['read'], 'statistics reports'),
        group(observerGroupPrefix(network.id), 'prefixed', ['read'], 'its own consumer groups'),
        readerGroups(name),
      ],
    });
  }

  checkDisjoint(principals);
  const perNetwork = networks.flatMap((network) => PER_NETWORK.map((kind) => topics[kind](network.id)));
  const shared = [topics.directory, topics.requests, topics.routes, topics.redriveLog, topics.audit, topics.stats];
  return { principals, topics: [...perNetwork, ...shared] };
}

/** The plan as the ACL bindings a cluster holds: `User:<name>`, any host, allow. */
export function aclBindings(plan: AccessPlan): AclBinding[] {
  return plan.principals.flatMap((principal) =>
    principal.grants.flatMap((grant) =>
      grant.operations.map((operation) => ({
        principal: `User:${principal.name}`,
        host: '*',
        resourceType: grant.resourceType,
        resourceName: grant.resourceName,
        patternType: grant.patternType,
        operation,
        permission: 'allow' as const,
      })),
    ),
  );
}

/** Whether Comity manages the ACLs of this principal (`User:adapter-…`, a hub service, …). */
export function isComityPrincipal(principal: string): boolean {
  const match = /^User:(.+)$/.exec(principal);
  if (!match) return false;
  const name = match[1] as string;
  return /^(adapter|observer)-[a-z][a-z0-9-]{1,30}[a-z0-9]$/.test(name) || (HUB_SERVICES as readonly string[]).includes(name);
}

/** A stable text key of a binding, to compare what a cluster has with what the plan wants. */
export function bindingKey(binding: AclBinding): string {
  return [binding.principal, binding.host, binding.resourceType, binding.patternType, binding.resourceName, binding.operation, binding.permission].join('|');
}

/**
 * Two principals must never share a consumer group or transactional id: one could then commit
 * offsets for, or fence, the other. Network ids can make literal names collide (the redrive
 * group of `x` is `comity-adapter-x-redrive`, the outbound group of a network `x-redrive`
 * too); such a federation is refused.
 */
function checkDisjoint(principals: readonly PrincipalAccess[]): void {
  const owners = new Map<string, string>();
  for (const principal of principals) {
    for (const grant of principal.grants) {
      if (grant.resourceType === 'topic' || grant.patternType !== 'literal') continue;
      const key = `${grant.resourceType}:${grant.resourceName}`;
      const owner = owners.get(key);
      if (owner !== undefined && owner !== principal.name) {
        throw new ComityError(
          'ACCESS_PLAN_CONFLICT',
          `${grant.resourceType} "${grant.resourceName}" would belong to both ${owner} and ${principal.name}; rename one of the networks`,
        );
      }
      owners.set(key, principal.name);
    }
  }
}
