import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DlqStage, deadLetterForRecord } from '../../core/dlq.js';
import { eventToRecord } from '../../core/events/codec.js';
import { createEvent } from '../../core/events/create.js';
import { AuditFactKind } from '../../core/gen/comity/v1/audit.js';
import { RequestDelivered, RequestRelayed, RequestSubmitted } from '../../core/gen/comity/v1/lifecycle.js';
import type { IncomingRecord, ValueRecord } from '../../core/kafka/index.js';
import { factFromRecord } from './facts.js';

function incoming(topic: string, record: ValueRecord, offset = 7): IncomingRecord {
  return { topic, partition: 2, offset: String(offset), key: Buffer.from(record.key), value: record.value, headers: record.headers, timestamp: 1_700_000_000_000 };
}

const submitted = createEvent(RequestSubmitted.fromPartial({}), {
  subject: 'ejn:1',
  source: 'comity://networks/ejn/adapter',
  originNetwork: 'ejn',
  originState: 'ES',
  targets: [{ state: 'CO', network: 'iberred' }],
  legalBasis: { instrument: 'UNTOC', article: '18' },
  provenance: { nativeFormat: 'ecodex-xml', mappingVersion: '2.1.0', nativeSha256: Buffer.alloc(32, 9), nativeId: 'msg-1' },
});

describe('services/audit/facts', () => {
  it('records a received event with its envelope, its digest and the translation provenance', () => {
    const record = eventToRecord(submitted);
    const fact = factFromRecord(incoming('comity.inbound.ejn', record))!;
    expect(fact).toMatchObject({
      kind: AuditFactKind.AUDIT_FACT_KIND_RECEIVED,
      sourceTopic: 'comity.inbound.ejn',
      sourcePartition: 2,
      sourceOffset: 7,
      network: 'ejn',
      eventId: submitted.id,
      subject: 'ejn:1',
      originState: 'ES',
      targets: 'CO/iberred',
      legalBasis: 'UNTOC art. 18',
      provenance: { nativeFormat: 'ecodex-xml', mappingVersion: '2.1.0', nativeId: 'msg-1' },
    });
    expect(fact.eventSha256).toEqual(createHash('sha256').update(record.value).digest());
    expect(fact.provenance!.nativeSha256).toEqual(Buffer.alloc(32, 9));
  });

  it('records a delivery receipt from the destination adapter as DELIVERED', () => {
    const receipt = createEvent(RequestDelivered.fromPartial({ regardingEventId: submitted.id, network: 'iberred', nativeMessageId: 'IB-9' }), {
      subject: 'ejn:1',
      source: 'comity://networks/iberred/adapter',
      originNetwork: 'iberred',
      causationId: submitted.id,
    });
    expect(factFromRecord(incoming('comity.inbound.iberred', eventToRecord(receipt)))).toMatchObject({
      kind: AuditFactKind.AUDIT_FACT_KIND_DELIVERED,
      network: 'iberred',
      regardingEventId: submitted.id,
      nativeMessageId: 'IB-9',
    });
  });

  it("records the router's decision (rule, destinations) and disclosures on outbound topics", () => {
    const relayed = createEvent(RequestRelayed.fromPartial({ regardingEventId: submitted.id, networks: ['iberred'], route: 'policy:target-state', fromNetwork: 'ejn' }), {
      subject: 'ejn:1',
      source: 'comity://hub/router',
      originNetwork: 'hub',
      causationId: submitted.id,
    });
    expect(factFromRecord(incoming('comity.outbound.ejn', eventToRecord(relayed)))).toMatchObject({
      kind: AuditFactKind.AUDIT_FACT_KIND_ROUTED,
      regardingEventId: submitted.id,
      destinations: ['iberred'],
      rule: 'policy:target-state',
    });
    expect(factFromRecord(incoming('comity.outbound.iberred', eventToRecord(submitted)))).toMatchObject({
      kind: AuditFactKind.AUDIT_FACT_KIND_DISCLOSED,
      network: 'iberred',
      eventId: submitted.id,
    });
  });

  it('records refusals with the dead-letter reason, and failures of other stages as FAILED', () => {
    const original = incoming('comity.inbound.ejn', eventToRecord(submitted), 3);
    const refused = deadLetterForRecord(original, { code: 'NO_ROUTE', reason: 'no network reaches JP', stage: DlqStage.route, retriable: false, failedBy: 'router' });
    expect(factFromRecord(incoming('comity.dlq.ejn', refused))).toMatchObject({
      kind: AuditFactKind.AUDIT_FACT_KIND_REFUSED,
      eventId: submitted.id,
      reasonCode: 'NO_ROUTE',
      reason: 'no network reaches JP',
      stage: 'route',
      failedBy: 'router',
      originalTopic: 'comity.inbound.ejn',
      originalPartition: 2,
      originalOffset: 3,
    });
    const failed = deadLetterForRecord(original, { code: 'DELIVERY_GAVE_UP', reason: 'down', stage: DlqStage.outboundDeliver, retriable: true, failedBy: 'adapter.ejn', attempts: 5 });
    expect(factFromRecord(incoming('comity.dlq.ejn', failed))).toMatchObject({ kind: AuditFactKind.AUDIT_FACT_KIND_FAILED, attempts: 5, retriable: true });
  });

  it('records what the headers claim when the value is not an event, and ignores other topics', () => {
    const record = { ...eventToRecord(submitted), value: Buffer.from('not protobuf at all') };
    const fact = factFromRecord(incoming('comity.inbound.ejn', record))!;
    expect(fact).toMatchObject({ kind: AuditFactKind.AUDIT_FACT_KIND_RECEIVED, eventId: submitted.id, subject: 'ejn:1', provenance: undefined });
    expect(fact.eventSha256).toEqual(createHash('sha256').update('not protobuf at all').digest());
    expect(factFromRecord(incoming('comity.requests', eventToRecord(submitted)))).toBeUndefined();
  });
});
