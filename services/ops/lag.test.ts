import { describe, expect, it } from 'vitest';
import { hubConsumerGroups, lagByTopic } from './lag.js';
import { tailTopicsFor } from './tail.js';

describe('services/ops/lag', () => {
  it("names the hub's groups and the topics each reads; observers run no adapter", () => {
    const groups = hubConsumerGroups([
      { id: 'ejn', role: 'member' },
      { id: 'unodc', role: 'observer' },
    ]);
    expect(groups).toEqual([
      { group: 'comity-router', topics: ['comity.inbound.ejn'] },
      { group: 'comity-tracker', topics: ['comity.inbound.ejn', 'comity.outbound.ejn', 'comity.dlq.ejn'] },
      { group: 'comity-adapter-ejn', topics: ['comity.outbound.ejn'] },
      { group: 'comity-adapter-ejn-redrive', topics: ['comity.redrive.ejn'] },
    ]);
  });

  it('sums partitions per topic and leaves out topics the group never committed on', () => {
    const lags = lagByTopic('g', [
      { topic: 'comity.outbound.ejn', partition: 1, committed: '5', end: '9', lag: 4 },
      { topic: 'comity.outbound.ejn', partition: 0, committed: '-1', end: '2', lag: 2 },
      { topic: 'comity.inbound.ejn', partition: 0, committed: '-1', end: '7', lag: 7 },
    ]);
    expect(lags).toHaveLength(1);
    expect(lags[0]).toMatchObject({ group: 'g', topic: 'comity.outbound.ejn', lag: 6 });
    expect(lags[0]!.partitions.map((p) => p.partition)).toEqual([0, 1]);
  });
});

describe('services/ops/tail', () => {
  it("reads a network as its three topics, a topic as itself, and refuses the rest", () => {
    expect(tailTopicsFor('ejn')).toEqual(['comity.inbound.ejn', 'comity.outbound.ejn', 'comity.dlq.ejn']);
    expect(tailTopicsFor('comity.requests')).toEqual(['comity.requests']);
    expect(() => tailTopicsFor('EJN')).toThrow(expect.objectContaining({ code: 'INVALID_NETWORK' }));
    expect(() => tailTopicsFor('other.topic')).toThrow(expect.objectContaining({ code: 'INVALID_TOPIC' }));
  });
});
