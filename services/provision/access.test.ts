import { describe, expect, it } from 'vitest';
import { ComityError } from '../../core/errors.js';
import { readerGroupPrefix, topics, type AclBinding } from '../../core/kafka/index.js';
import { loadFederation } from '../directory/federation.js';
import { accessPlan, aclBindings, adapterPrincipal, HUB_SERVICES, isComityPrincipal, type AccessPlan } from './access.js';

const federation = loadFederation('deploy/config/federation.yaml');
const plan = accessPlan(federation);
const bindings = aclBindings(plan);

/** Whether Kafka would allow `principal` `operation` on a resource, by the plan's bindings (READ/WRITE imply DESCRIBE). */
function allowed(all: readonly AclBinding[], principal: string, operation: string, resourceType: string, name: string): boolean {
  return all.some(
    (binding) =>
      binding.principal === `User:${principal}` &&
      binding.resourceType === resourceType &&
      (binding.patternType === 'literal' ? binding.resourceName === name : name.startsWith(binding.resourceName)) &&
      (binding.operation === operation ||
        binding.operation === 'all' ||
        (operation === 'describe' && ['read', 'write', 'delete', 'alter'].includes(binding.operation))),
  );
}

describe('services/provision/access', () => {
  const networks = federation.networks.map((network) => network.id);

  it('has one adapter principal per network of the federation file, every hub service and the UNODC observer', () => {
    expect(networks).toHaveLength(15);
    const names = plan.principals.map((principal) => principal.name);
    expect(new Set(names).size).toBe(names.length);
    for (const network of networks) expect(names).toContain(adapterPrincipal(network));
    for (const service of HUB_SERVICES) expect(names).toContain(service);
    expect(names).toContain('observer-unodc');
    expect(names).toHaveLength(15 + HUB_SERVICES.length + 1);
  });

  it('lets each adapter write only its inbound and DLQ topics and read only its outbound topic with its own group: the 15×15 matrix', () => {
    let checks = 0;
    for (const a of networks) {
      const principal = adapterPrincipal(a);
      for (const b of networks) {
        const own = a === b;
        expect(allowed(bindings, principal, 'write', 'topic', topics.inbound(b)), `${principal} write inbound.${b}`).toBe(own);
        expect(allowed(bindings, principal, 'write', 'topic', topics.dlq(b)), `${principal} write dlq.${b}`).toBe(own);
        expect(allowed(bindings, principal, 'read', 'topic', topics.outbound(b)), `${principal} read outbound.${b}`).toBe(own);
        expect(allowed(bindings, principal, 'read', 'group', `comity-adapter-${b}`), `${principal} group of ${b}`).toBe(own);
        expect(allowed(bindings, principal, 'read', 'topic', topics.redrive(b))).toBe(own);
        // Never: read another's inbound or DLQ, or its own (that is the hub's), write any outbound.
        expect(allowed(bindings, principal, 'read', 'topic', topics.inbound(b))).toBe(false);
        expect(allowed(bindings, principal, 'read', 'topic', topics.dlq(b))).toBe(false);
        expect(allowed(bindings, principal, 'write', 'topic', topics.outbound(b))).toBe(false);
        expect(allowed(bindings, principal, 'describe', 'topic', topics.inbound(b))).toBe(own);
        checks += 9;
      }
      expect(allowed(bindings, principal, 'read', 'topic', topics.directory)).toBe(true);
      for (const shared of [topics.requests, topics.routes, topics.audit, topics.stats, topics.redriveLog]) {
        expect(allowed(bindings, principal, 'read', 'topic', shared), `${principal} read ${shared}`).toBe(false);
        expect(allowed(bindings, principal, 'write', 'topic', shared)).toBe(false);
      }
      expect(allowed(bindings, principal, 'write', 'topic', topics.directory)).toBe(false);
      expect(allowed(bindings, principal, 'write', 'transactional-id', 'comity-router-main')).toBe(false);
    }
    expect(checks).toBe(15 * 15 * 9);
  });

  it('keeps a network whose id extends another one out of its groups (LITERAL, not PREFIXED)', () => {
    const small = accessPlan({ networks: [{ id: 'ejn', role: 'member' }, { id: 'ejn-x', role: 'member' }] });
    const all = aclBindings(small);
    expect(allowed(all, 'adapter-ejn', 'read', 'group', 'comity-adapter-ejn-x')).toBe(false);
    expect(allowed(all, 'adapter-ejn', 'read', 'topic', topics.outbound('ejn-x'))).toBe(false);
    expect(allowed(all, 'adapter-ejn', 'read', 'group', `${readerGroupPrefix('adapter-ejn-x')}1`)).toBe(false);
    expect(allowed(all, 'adapter-ejn', 'read', 'group', `${readerGroupPrefix('adapter-ejn')}1`)).toBe(true);
  });

  it('refuses network ids whose consumer groups would collide', () => {
    expect(() => accessPlan({ networks: [{ id: 'ejn', role: 'member' }, { id: 'ejn-redrive', role: 'member' }] })).toThrow(ComityError);
  });

  it('gives the hub services only what they use', () => {
    const can = (who: string, operation: string, type: string, name: string) => allowed(bindings, who, operation, type, name);
    // router: reads inbound, writes outbound and DLQs, its routes, its transactional ids.
    expect(can('router', 'read', 'topic', topics.inbound('ejn'))).toBe(true);
    expect(can('router', 'write', 'topic', topics.outbound('iberred'))).toBe(true);
    expect(can('router', 'write', 'topic', topics.dlq('ejn'))).toBe(true);
    expect(can('router', 'write', 'topic', topics.inbound('ejn'))).toBe(false);
    expect(can('router', 'write', 'transactional-id', 'comity-router-main')).toBe(true);
    expect(can('router', 'write', 'transactional-id', 'comity-tracker-main')).toBe(false);
    expect(can('router', 'read', 'topic', topics.audit)).toBe(false);
    // tracker: reads the flows, writes only comity.requests.
    expect(can('tracker', 'read', 'topic', topics.outbound('ejn'))).toBe(true);
    expect(can('tracker', 'write', 'topic', topics.outbound('ejn'))).toBe(false);
    expect(can('tracker', 'write', 'topic', topics.requests)).toBe(true);
    expect(can('tracker', 'read', 'group', 'comity-router')).toBe(false);
    // directory: the directory topic only.
    expect(can('directory', 'write', 'topic', topics.directory)).toBe(true);
    expect(can('directory', 'read', 'topic', topics.inbound('ejn'))).toBe(false);
    // audit: reads the flows, writes the audit chain transactionally.
    expect(can('audit', 'read', 'topic', topics.dlq('wacap'))).toBe(true);
    expect(can('audit', 'write', 'topic', topics.audit)).toBe(true);
    expect(can('audit', 'write', 'transactional-id', 'comity-audit-main')).toBe(true);
    expect(can('audit', 'write', 'topic', topics.outbound('ejn'))).toBe(false);
    // monitor: reads everything, writes nothing, describes groups for lag.
    expect(can('monitor', 'read', 'topic', topics.audit)).toBe(true);
    expect(can('monitor', 'describe', 'group', 'comity-adapter-ejn')).toBe(true);
    expect(can('monitor', 'read', 'group', 'comity-adapter-ejn')).toBe(false);
    expect(bindings.some((b) => b.principal === 'User:monitor' && b.operation === 'write')).toBe(false);
    // stats: reads requests and stats, writes stats.
    expect(can('stats', 'read', 'topic', topics.requests)).toBe(true);
    expect(can('stats', 'write', 'topic', topics.stats)).toBe(true);
    expect(can('stats', 'read', 'topic', topics.inbound('ejn'))).toBe(true);
    expect(can('stats', 'write', 'topic', topics.inbound('ejn'))).toBe(false);
    expect(can('stats', 'read', 'topic', topics.outbound('ejn'))).toBe(false);
    // operator: reads everything, writes inbound, outbound and redrive, not the audit log.
    expect(can('operator', 'read', 'topic', topics.audit)).toBe(true);
    expect(can('operator', 'write', 'topic', topics.redrive('ejn'))).toBe(true);
    expect(can('operator', 'write', 'topic', topics.inbound('ejn'))).toBe(true);
    expect(can('operator', 'write', 'topic', topics.audit)).toBe(false);
    expect(can('operator', 'write', 'topic', topics.requests)).toBe(false);
  });

  it('lets the UNODC observer read comity.stats and nothing else', () => {
    const observer = bindings.filter((b) => b.principal === 'User:observer-unodc');
    const topicsRead = observer.filter((b) => b.resourceType === 'topic');
    expect(topicsRead).toEqual([expect.objectContaining({ resourceName: topics.stats, patternType: 'literal', operation: 'read' })]);
    expect(observer.every((b) => b.resourceType === 'topic' || b.resourceType === 'group')).toBe(true);
    expect(allowed(bindings, 'observer-unodc', 'read', 'topic', topics.requests)).toBe(false);
    expect(allowed(bindings, 'observer-unodc', 'read', 'topic', topics.outbound('unodc'))).toBe(false);
    // The unodc network's adapter is a principal of its own, like every network's.
    expect(allowed(bindings, 'adapter-unodc', 'read', 'topic', topics.outbound('unodc'))).toBe(true);
    expect(allowed(bindings, 'adapter-unodc', 'read', 'topic', topics.stats)).toBe(false);
  });

  it('grants no cluster-wide, wildcard or deny ACLs and never shares a literal group between principals', () => {
    expect(bindings.every((b) => b.permission === 'allow' && b.host === '*')).toBe(true);
    expect(bindings.every((b) => b.resourceName.startsWith('comity'))).toBe(true);
    expect(bindings.some((b) => b.operation === 'all' || (b.resourceType as string) === 'cluster')).toBe(false);
    expect(bindings.every((b) => isComityPrincipal(b.principal))).toBe(true);
    expect(isComityPrincipal('User:admin')).toBe(false);
  });

  it('lists every per-network and shared topic to create', () => {
    const all: AccessPlan['topics'] = plan.topics;
    expect(all).toContain(topics.inbound('unodc'));
    expect(all).toContain(topics.redrive('ejn'));
    expect(all).toContain(topics.audit);
    expect(all).toHaveLength(15 * 4 + 6);
  });
});
