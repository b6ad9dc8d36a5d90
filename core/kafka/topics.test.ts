import { describe, expect, it } from 'vitest';
import { INBOUND_TOPICS_PATTERN, isNetworkId, parseTopic, topicSpec, topics } from './topics.js';

describe('core/kafka/topics', () => {
  it('names per-network and shared topics', () => {
    expect(topics.inbound('iberred')).toBe('comity.inbound.iberred');
    expect(topics.outbound('arin-ap')).toBe('comity.outbound.arin-ap');
    expect(topics.dlq('ejn')).toBe('comity.dlq.ejn');
    expect(topics.directory).toBe('comity.directory');
    expect(INBOUND_TOPICS_PATTERN.test(topics.inbound('wacap'))).toBe(true);
    expect(INBOUND_TOPICS_PATTERN.test(topics.outbound('wacap'))).toBe(false);
  });

  it('refuses network ids that would make unsafe topic names', () => {
    for (const bad of ['EJN', 'a', 'ejn.x', '-ejn', 'ejn-', 'ejn/../x', '']) {
      expect(isNetworkId(bad), bad).toBe(false);
      expect(() => topics.inbound(bad)).toThrow(RangeError);
    }
  });

  it('parses topic names back', () => {
    expect(parseTopic('comity.dlq.iberred')).toEqual({ kind: 'dlq', network: 'iberred' });
    expect(parseTopic('comity.requests')).toEqual({ kind: 'requests' });
    expect(parseTopic('other.topic')).toBeUndefined();
  });

  it('compacts state topics and keeps the audit chain in one partition forever', () => {
    expect(topicSpec(topics.directory).config['cleanup.policy']).toBe('compact');
    expect(topicSpec(topics.requests).config['cleanup.policy']).toBe('compact');
    expect(topicSpec(topics.audit, { partitions: 12 })).toMatchObject({ partitions: 1, config: { 'retention.ms': '-1' } });
    expect(topicSpec(topics.inbound('ejn'), { partitions: 6 }).partitions).toBe(6);
  });
});
