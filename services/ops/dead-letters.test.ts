import { describe, expect, it } from 'vitest';
import { DlqHeader, DlqStage, deadLetterForNative, deadLetterForRecord, readDeadLetterReason } from '../../core/dlq.js';
import { ComityError } from '../../core/errors.js';
import { eventToRecord } from '../../core/events/codec.js';
import { createEvent } from '../../core/events/create.js';
import { RequestSubmitted } from '../../core/gen/comity/v1/lifecycle.js';
import { topics, type IncomingRecord, type ValueRecord } from '../../core/kafka/index.js';
import {
  parseDeadLetterRef,
  readRedriveMarks,
  redriveMarkRecord,
  redriveTargetOf,
  redrivenRecord,
  selectForRedrive,
  summarizeDeadLetter,
  type DeadLetterSummary,
} from './dead-letters.js';
import { nativeFromRedriveRecord, RedriveHeader } from './redrive-headers.js';

const network = 'ejn';
const event = createEvent(RequestSubmitted.fromPartial({ request: { requestId: 'ejn:R-1' } }), {
  subject: 'ejn:R-1',
  source: 'comity://networks/ejn/adapter',
  originNetwork: 'ejn',
  targets: [{ state: 'JP' }],
});

function incoming(record: ValueRecord | { key: string; value: Buffer | null; headers: IncomingRecord['headers'] }, topic: string, partition: number, offset: string): IncomingRecord {
  return { topic, partition, offset, key: Buffer.from(record.key), value: record.value, headers: record.headers, timestamp: Date.parse('2026-11-27T10:00:00Z') };
}

const inboundRecord = incoming(eventToRecord(event), topics.inbound(network), 2, '41');
const routeDead = incoming(
  deadLetterForRecord(inboundRecord, { code: 'NO_ROUTE', reason: 'no network serves JP', stage: DlqStage.route, retriable: false, failedBy: 'router' }),
  topics.dlq(network),
  1,
  '7',
);
const nativeDead = incoming(
  deadLetterForNative(
    { body: Buffer.from('{"broken":'), contentType: 'application/json', attributes: { 'x-sender': 'ES' } },
    'ab'.repeat(32),
    { code: 'NOT_JSON', reason: 'not JSON', stage: DlqStage.inboundDecode, retriable: false, failedBy: 'adapter.ejn' },
  ),
  topics.dlq(network),
  0,
  '7',
);

describe('services/ops/dead-letters', () => {
  it('summarizes a router refusal with its original place, event and where a redrive puts it', () => {
    const summary = summarizeDeadLetter(routeDead, network)!;
    expect(summary).toMatchObject({
      id: 'comity.dlq.ejn/1/7',
      code: 'NO_ROUTE',
      stage: 'route',
      retriable: false,
      failedBy: 'router',
      original: { topic: 'comity.inbound.ejn', partition: 2, offset: '41' },
      eventId: event.id,
      eventType: 'comity.v1.RequestSubmitted',
      requestId: 'ejn:R-1',
      redriveTarget: 'comity.inbound.ejn',
    });
    expect(summarizeDeadLetter(inboundRecord, network)).toBeUndefined();
  });

  it('sends each stage back where it can succeed, and nowhere else', () => {
    expect(redriveTargetOf(DlqStage.route, 'comity.inbound.ejn', network)).toEqual({ topic: 'comity.inbound.ejn' });
    for (const stage of [DlqStage.outboundDecode, DlqStage.outboundEncode, DlqStage.outboundDeliver]) {
      expect(redriveTargetOf(stage, 'comity.outbound.ejn', network)).toEqual({ topic: 'comity.outbound.ejn' });
    }
    expect(redriveTargetOf(DlqStage.inboundDecode, undefined, network)).toEqual({ topic: 'comity.redrive.ejn' });
    // Another network's topic, the wrong direction, a shared topic, no header: refused.
    expect(redriveTargetOf(DlqStage.route, 'comity.inbound.iberred', network)).toHaveProperty('problem');
    expect(redriveTargetOf(DlqStage.route, 'comity.outbound.ejn', network)).toHaveProperty('problem');
    expect(redriveTargetOf(DlqStage.outboundDeliver, 'comity.audit', network)).toHaveProperty('problem');
    expect(redriveTargetOf(DlqStage.outboundDeliver, undefined, network)).toHaveProperty('problem');
  });

  it('restores the original record without the reason headers, and says where it came from', () => {
    const redriven = redrivenRecord(routeDead);
    expect(redriven.key).toBe('ejn:R-1');
    expect(redriven.value).toEqual(inboundRecord.value);
    expect(Object.keys(redriven.headers).filter((name) => name.startsWith('comity_dlq_'))).toEqual([]);
    expect(readDeadLetterReason(redriven.headers)).toBeUndefined();
    expect(redriven.headers[RedriveHeader.of]?.toString()).toBe('comity.dlq.ejn/1/7');
    const original = Object.fromEntries(Object.entries(inboundRecord.headers).map(([k, v]) => [k, v.toString()]));
    for (const [name, value] of Object.entries(original)) expect(redriven.headers[name]?.toString(), name).toBe(value);
  });

  it('carries a native message to the redrive topic with its media type and attributes', () => {
    const redriven = redrivenRecord(nativeDead);
    expect(redriven.headers[DlqHeader.nativeContentType]).toBeUndefined();
    const back = nativeFromRedriveRecord(incoming({ key: redriven.key, value: redriven.value, headers: redriven.headers }, topics.redrive(network), 0, '0'));
    expect(back).toEqual({ body: Buffer.from('{"broken":'), contentType: 'application/json', attributes: { 'x-sender': 'ES' }, redriveOf: 'comity.dlq.ejn/0/7' });
    const bad = { key: 'k', value: Buffer.from('x'), headers: { [RedriveHeader.nativeAttributes]: Buffer.from('[1]') } };
    expect(() => nativeFromRedriveRecord(incoming(bad, topics.redrive(network), 0, '1'))).toThrow(
      expect.objectContaining({ code: 'REDRIVE_RECORD_INVALID' }),
    );
  });

  it('reads the ways an operator names a dead letter, and refuses others', () => {
    expect(parseDeadLetterRef('7', network)).toEqual({ offset: '7' });
    expect(parseDeadLetterRef('1:7', network)).toEqual({ partition: 1, offset: '7' });
    expect(parseDeadLetterRef('1/007', network)).toEqual({ partition: 1, offset: '7' });
    expect(parseDeadLetterRef('comity.dlq.ejn/1/7', network)).toEqual({ partition: 1, offset: '7' });
    for (const bad of ['comity.dlq.iberred/1/7', 'x', '1:', '-3', '1:2:3']) {
      expect(() => parseDeadLetterRef(bad, network), bad).toThrow(ComityError);
    }
  });

  it('keeps the latest redrive mark per dead letter', () => {
    const mark = (state: 'pending' | 'done', id: string) =>
      redriveMarkRecord({ state, deadLetter: id, target: 'comity.inbound.ejn', at: '2026-11-27T10:00:00Z', by: 'op' });
    const log = [mark('pending', 'a'), mark('done', 'a'), mark('pending', 'b'), { key: 'c', value: Buffer.from('not json'), headers: {} }, mark('done', 'd'), { key: 'd', value: null, headers: {} }];
    const marks = readRedriveMarks(log.map((record, index) => incoming(record, topics.redriveLog, 0, String(index))));
    expect([...marks.keys()]).toEqual(['a', 'b']);
    expect(marks.get('a')?.state).toBe('done');
    expect(marks.get('b')?.state).toBe('pending');
  });

  it('selects by reason or offsets, never what was redriven or cannot be', () => {
    const route = summarizeDeadLetter(routeDead, network)!;
    const native = summarizeDeadLetter(nativeDead, network)!;
    const done: DeadLetterSummary = { ...route, id: 'comity.dlq.ejn/2/9', partition: 2, offset: '9', redrive: { state: 'done', deadLetter: 'comity.dlq.ejn/2/9', target: 'comity.inbound.ejn', at: 't', by: 'op' } };
    const stuck: DeadLetterSummary = { ...route, id: 'comity.dlq.ejn/2/10', partition: 2, offset: '10', redriveTarget: undefined, redriveProblem: 'no original topic' };
    const letters = [route, native, done, stuck];

    const byReason = selectForRedrive(letters, { filter: { reason: 'no_route' } });
    expect(byReason.selected.map((l) => l.id)).toEqual(['comity.dlq.ejn/1/7']);
    expect(byReason.skipped.map((s) => [s.id, s.code])).toEqual([
      ['comity.dlq.ejn/2/9', 'ALREADY_REDRIVEN'],
      ['comity.dlq.ejn/2/10', 'NOT_REDRIVABLE'],
    ]);

    const byOffset = selectForRedrive(letters, { refs: [{ partition: 0, offset: '7' }, { offset: '7' }, { offset: '99' }], refTexts: ['0:7', '7', '99'] });
    expect(byOffset.selected.map((l) => l.id)).toEqual(['comity.dlq.ejn/0/7']);
    expect(byOffset.skipped.map((s) => [s.id, s.code])).toEqual([
      ['7', 'AMBIGUOUS_OFFSET'],
      ['99', 'NOT_FOUND'],
    ]);

    // A `pending` mark (a redrive that stopped half-way) is selected: the caller checks the target.
    const pending = { ...route, redrive: { ...done.redrive!, state: 'pending' as const, deadLetter: route.id } };
    expect(selectForRedrive([pending], {}).selected).toHaveLength(1);
  });
});
