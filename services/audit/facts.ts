/**
 * What a record on one of the hub's topics states, as an {@link AuditFact}. Pure: no I/O.
 *
 * Facts come from envelopes and headers only. The one body ever decoded is a transport receipt
 * (RequestRelayed, RequestDelivered, RequestNotDelivered), which is never sealed; a sealed
 * body is never touched. A record that is not a valid event still gives a fact, from its
 * CloudEvents headers and its digest: the audit log also records what the hub could not read.
 */
import { createHash } from 'node:crypto';
import { readDeadLetterReason, DlqHeader, DlqStage } from '../../core/dlq.js';
import { ComityError } from '../../core/errors.js';
import { HUB_ORIGIN, eventFromRecord } from '../../core/events/codec.js';
import { decodeBody } from '../../core/events/create.js';
import { formatTarget, Header, readHeaders } from '../../core/events/headers.js';
import { AuditFact, AuditFactKind } from '../../core/gen/comity/v1/audit.js';
import type { Event } from '../../core/gen/comity/v1/event.js';
import { nonDeliveryReasonToJSON } from '../../core/gen/comity/v1/lifecycle.js';
import { parseTopic, type IncomingRecord } from '../../core/kafka/index.js';

/** The fact a record on `comity.inbound|outbound|dlq.<network>` states; undefined for other topics. */
export function factFromRecord(record: IncomingRecord): AuditFact | undefined {
  const parsed = parseTopic(record.topic);
  if (!parsed?.network || (parsed.kind !== 'inbound' && parsed.kind !== 'outbound' && parsed.kind !== 'dlq')) return undefined;
  const fact = AuditFact.fromPartial({
    sourceTopic: record.topic,
    sourcePartition: record.partition,
    sourceOffset: Number(record.offset),
    sourceTimestamp: Number.isFinite(record.timestamp) ? new Date(record.timestamp) : undefined,
    network: parsed.network,
    eventSha256: createHash('sha256').update(record.value ?? Buffer.alloc(0)).digest(),
  });

  const event = tryEvent(record);
  if (event) fillEnvelope(fact, event);
  else fillFromHeaders(fact, record);

  switch (parsed.kind) {
    case 'inbound':
      fact.kind = AuditFactKind.AUDIT_FACT_KIND_RECEIVED;
      if (event) fillDelivery(fact, event);
      break;
    case 'outbound':
      fact.kind = AuditFactKind.AUDIT_FACT_KIND_DISCLOSED;
      if (event) fillRouting(fact, event);
      break;
    case 'dlq':
      fillDeadLetter(fact, record);
      break;
  }
  return fact;
}

function tryEvent(record: IncomingRecord): Event | undefined {
  try {
    return eventFromRecord(record);
  } catch (error) {
    if (error instanceof ComityError) return undefined;
    throw error;
  }
}

function fillEnvelope(fact: AuditFact, event: Event): void {
  fact.eventId = event.id;
  fact.eventType = event.type;
  fact.subject = event.subject;
  fact.originNetwork = event.originNetwork;
  fact.originState = event.originState;
  fact.causationId = event.causationId;
  fact.targets = event.targets.map(formatTarget).join(',');
  fact.classification = event.classification;
  fact.requestType = event.requestType;
  const basis = event.legalBasis;
  if (basis?.instrument) fact.legalBasis = basis.article ? `${basis.instrument} art. ${basis.article}` : basis.instrument;
  fact.sealed = event.seal !== undefined;
  fact.signatureKeyId = event.signature?.keyId ?? '';
  if (event.provenance) fact.provenance = { ...event.provenance };
}

/** A record whose value is not a valid event: what its CloudEvents headers claim. */
function fillFromHeaders(fact: AuditFact, record: IncomingRecord): void {
  const headers = readHeaders(record.headers);
  fact.eventId = headers[Header.id] ?? '';
  fact.eventType = headers[Header.type] ?? '';
  fact.subject = headers[Header.subject] ?? '';
  fact.originNetwork = headers[Header.origin] ?? '';
  fact.originState = headers[Header.originState] ?? '';
  fact.causationId = headers[Header.causation] ?? '';
  fact.targets = headers[Header.targets] ?? '';
  fact.sealed = headers[Header.sealed] === 'true';
}

/** Receipts a destination adapter sends back on its inbound topic. */
function fillDelivery(fact: AuditFact, event: Event): void {
  if (event.type !== 'comity.v1.RequestDelivered' && event.type !== 'comity.v1.RequestNotDelivered') return;
  const body = tryBody(event);
  fact.regardingEventId = event.causationId;
  if (event.type === 'comity.v1.RequestDelivered') {
    fact.kind = AuditFactKind.AUDIT_FACT_KIND_DELIVERED;
    if (body?.$type === 'comity.v1.RequestDelivered') {
      fact.regardingEventId = body.regardingEventId || event.causationId;
      fact.nativeMessageId = body.nativeMessageId;
    }
  } else {
    fact.kind = AuditFactKind.AUDIT_FACT_KIND_NOT_DELIVERED;
    if (body?.$type === 'comity.v1.RequestNotDelivered') {
      fact.regardingEventId = body.regardingEventId || event.causationId;
      fact.reasonCode = nonDeliveryReasonToJSON(body.reasonCode);
      fact.reason = body.reason;
      fact.retriable = body.retriable;
      fact.attempts = body.attempts;
    }
  }
}

/** The router's decision: its RequestRelayed receipt names the destinations and the rule. */
function fillRouting(fact: AuditFact, event: Event): void {
  if (event.type !== 'comity.v1.RequestRelayed' || event.originNetwork !== HUB_ORIGIN) return;
  fact.kind = AuditFactKind.AUDIT_FACT_KIND_ROUTED;
  fact.regardingEventId = event.causationId;
  const body = tryBody(event);
  if (body?.$type === 'comity.v1.RequestRelayed') {
    fact.regardingEventId = body.regardingEventId || event.causationId;
    fact.destinations = [...body.networks];
    fact.rule = body.route;
  }
}

function fillDeadLetter(fact: AuditFact, record: IncomingRecord): void {
  const reason = readDeadLetterReason(record.headers);
  fact.kind = reason?.stage === DlqStage.route ? AuditFactKind.AUDIT_FACT_KIND_REFUSED : AuditFactKind.AUDIT_FACT_KIND_FAILED;
  if (!reason) return;
  fact.reasonCode = reason.code;
  fact.reason = reason.reason;
  fact.stage = reason.stage;
  fact.failedBy = reason.failedBy;
  fact.attempts = reason.attempts ?? 0;
  fact.retriable = reason.retriable;
  const get = (name: string) => record.headers[name]?.toString('utf8');
  fact.originalTopic = get(DlqHeader.originalTopic) ?? '';
  fact.originalPartition = Number(get(DlqHeader.originalPartition) ?? 0) || 0;
  fact.originalOffset = Number(get(DlqHeader.originalOffset) ?? 0) || 0;
}

function tryBody(event: Event) {
  if (event.seal) return undefined;
  try {
    return decodeBody(event);
  } catch (error) {
    if (error instanceof ComityError) return undefined;
    throw error;
  }
}
