/**
 * A request's lifecycle as a pure fold over its events. The tracker never updates a status
 * in place: it inserts the new event into the request's timeline (ordered by when each event
 * happened at its source) and replays the timeline. Events reach the hub over several topics
 * and can be read out of order; replaying by time makes the result independent of that.
 *
 * Two layers, as in e-CODEX:
 * - transport (submitted → relayed → delivered → retrieved; retrying, not delivered): a
 *   receipt can only move the status forward, whatever order receipts are read in;
 * - legal (awaiting acknowledgement → acknowledged → information requested → recognised →
 *   postponed → executed / partially executed / refused / withdrawn): each decision must be
 *   possible from the current status (see LEGAL_TRANSITIONS); one that is not — an execution
 *   after a withdrawal, answers to questions nobody asked — is flagged and not applied.
 *
 * Deadlines come from the instrument (INSTRUMENT_DEADLINES) and from the requesting
 * authority; whether one is overdue is decided against the clock when the record is read.
 */
import { RequestType } from '../../core/gen/comity/v1/request.js';
import {
  LegalStatus,
  RequestTracked,
  TransportStatus,
  type Deadline,
  type ExpectedReceipt,
  type RequestSummary,
  type TimelineEntry,
  type TransitionFlag,
} from '../../core/gen/comity/v1/tracking.js';

const DAY_MS = 24 * 3600 * 1000;

/**
 * Timeline type of the entries the tracker records when the router refuses an event (it is
 * in the request's DLQ): not an event body, a note of the hub's.
 */
export const ROUTE_REFUSED = 'comity.hub.RouteRefused';

/** Legal statuses a decision may come from. A body type not listed here is not a decision. */
const LEGAL_TRANSITIONS: Readonly<Record<string, { to: LegalStatus; from: readonly LegalStatus[] }>> = (() => {
  const open = [
    LegalStatus.LEGAL_STATUS_AWAITING_ACKNOWLEDGEMENT,
    LegalStatus.LEGAL_STATUS_ACKNOWLEDGED,
    LegalStatus.LEGAL_STATUS_INFORMATION_REQUESTED,
    LegalStatus.LEGAL_STATUS_RECOGNISED,
    LegalStatus.LEGAL_STATUS_POSTPONED,
  ];
  return {
    'comity.v1.RequestAcknowledged': { to: LegalStatus.LEGAL_STATUS_ACKNOWLEDGED, from: [LegalStatus.LEGAL_STATUS_AWAITING_ACKNOWLEDGEMENT] },
    'comity.v1.AdditionalInformationRequested': { to: LegalStatus.LEGAL_STATUS_INFORMATION_REQUESTED, from: open },
    'comity.v1.RequestRecognised': {
      to: LegalStatus.LEGAL_STATUS_RECOGNISED,
      from: [LegalStatus.LEGAL_STATUS_AWAITING_ACKNOWLEDGEMENT, LegalStatus.LEGAL_STATUS_ACKNOWLEDGED, LegalStatus.LEGAL_STATUS_INFORMATION_REQUESTED, LegalStatus.LEGAL_STATUS_POSTPONED],
    },
    'comity.v1.RequestPostponed': { to: LegalStatus.LEGAL_STATUS_POSTPONED, from: open },
    'comity.v1.RequestExecuted': { to: LegalStatus.LEGAL_STATUS_EXECUTED, from: [...open, LegalStatus.LEGAL_STATUS_PARTIALLY_EXECUTED] },
    'comity.v1.RequestPartiallyExecuted': { to: LegalStatus.LEGAL_STATUS_PARTIALLY_EXECUTED, from: open },
    'comity.v1.RequestRefused': { to: LegalStatus.LEGAL_STATUS_REFUSED, from: open },
    'comity.v1.RequestWithdrawn': { to: LegalStatus.LEGAL_STATUS_WITHDRAWN, from: open },
  };
})();

const CLOSED = new Set([
  LegalStatus.LEGAL_STATUS_EXECUTED,
  LegalStatus.LEGAL_STATUS_PARTIALLY_EXECUTED,
  LegalStatus.LEGAL_STATUS_REFUSED,
  LegalStatus.LEGAL_STATUS_WITHDRAWN,
]);

/** Forward order of transport statuses; a receipt never moves a request backwards. */
const TRANSPORT_RANK: Readonly<Record<number, number>> = {
  [TransportStatus.TRANSPORT_STATUS_UNSPECIFIED]: 0,
  [TransportStatus.TRANSPORT_STATUS_SUBMITTED]: 1,
  [TransportStatus.TRANSPORT_STATUS_RELAYED]: 2,
  [TransportStatus.TRANSPORT_STATUS_DELIVERY_RETRYING]: 3,
  [TransportStatus.TRANSPORT_STATUS_NOT_DELIVERED]: 4,
  [TransportStatus.TRANSPORT_STATUS_DELIVERED]: 5,
  [TransportStatus.TRANSPORT_STATUS_RETRIEVED]: 6,
};

interface DeadlineRule {
  readonly name: string;
  readonly basis: string;
  readonly days: number;
  /** The event type whose time starts the clock; `delivery` = the submission's delivery receipt (else its submission). */
  readonly from: 'delivery' | 'comity.v1.RequestRecognised';
  /** Legal statuses that meet the deadline. */
  readonly metBy: readonly LegalStatus[];
}

const DECIDED = [
  LegalStatus.LEGAL_STATUS_EXECUTED,
  LegalStatus.LEGAL_STATUS_PARTIALLY_EXECUTED,
  LegalStatus.LEGAL_STATUS_REFUSED,
  LegalStatus.LEGAL_STATUS_WITHDRAWN,
];

/**
 * Time limits that the instruments themselves set. Requests of other types have only the
 * requesting authority's deadline. The hub counts from what it can see: the delivery of the
 * request to the executing network stands in for its receipt by the executing authority.
 */
export const INSTRUMENT_DEADLINES: ReadonlyMap<RequestType, readonly DeadlineRule[]> = new Map([
  [
    RequestType.REQUEST_TYPE_EUROPEAN_INVESTIGATION_ORDER,
    [
      {
        name: 'recognition',
        basis: 'Directive 2014/41/EU art. 12(3): decision on recognition or execution within 30 days of receipt',
        days: 30,
        from: 'delivery',
        metBy: [LegalStatus.LEGAL_STATUS_RECOGNISED, ...DECIDED],
      },
      {
        name: 'execution',
        basis: 'Directive 2014/41/EU art. 12(4): investigative measure carried out within 90 days of the decision',
        days: 90,
        from: 'comity.v1.RequestRecognised',
        metBy: DECIDED,
      },
    ],
  ],
  [
    RequestType.REQUEST_TYPE_EUROPEAN_ARREST_WARRANT,
    [
      {
        name: 'decision',
        basis: 'FD 2002/584/JHA art. 17(3): final decision within 60 days after the arrest (counted here from delivery)',
        days: 60,
        from: 'delivery',
        metBy: [LegalStatus.LEGAL_STATUS_RECOGNISED, ...DECIDED],
      },
    ],
  ],
]);

export interface TrackerPolicy {
  /** How long after relaying an event its delivery receipt is expected. */
  readonly receiptTimeoutMs: number;
}

export const DEFAULT_POLICY: TrackerPolicy = { receiptTimeoutMs: 10 * 60_000 };

/**
 * The record after adding `entry` (and, for a submission, what the envelope says about the
 * request). Adding an event already in the timeline changes nothing.
 */
export function track(
  previous: RequestTracked | undefined,
  entry: TimelineEntry,
  submission: Partial<Pick<RequestSummary, 'requestType' | 'requestedStates' | 'legalBasis' | 'classification' | 'deadline'>> & {
    requestId: string;
  },
  policy: TrackerPolicy = DEFAULT_POLICY,
): RequestTracked {
  const base =
    previous ??
    RequestTracked.fromPartial({
      summary: { requestId: submission.requestId },
    });
  if (base.timeline.some((existing) => existing.eventId === entry.eventId)) return base;
  const summary = { ...base.summary!, requestId: submission.requestId };
  if (entry.type === 'comity.v1.RequestSubmitted' && !summary.originNetwork) {
    summary.originNetwork = entry.originNetwork;
    summary.requestType = submission.requestType ?? summary.requestType;
    summary.requestedStates = submission.requestedStates ?? summary.requestedStates;
    summary.legalBasis = submission.legalBasis ?? summary.legalBasis;
    summary.classification = submission.classification ?? summary.classification;
    summary.deadline = submission.deadline ?? summary.deadline;
  }
  const timeline = [...base.timeline, entry].sort(byTime);
  return replay(RequestTracked.fromPartial({ ...base, summary }), timeline, policy);
}

function byTime(a: TimelineEntry, b: TimelineEntry): number {
  return (
    (a.time?.getTime() ?? 0) - (b.time?.getTime() ?? 0) ||
    (a.recordedAt?.getTime() ?? 0) - (b.recordedAt?.getTime() ?? 0) ||
    a.eventId.localeCompare(b.eventId)
  );
}

function replay(record: RequestTracked, timeline: TimelineEntry[], policy: TrackerPolicy): RequestTracked {
  const summary = { ...record.summary! };
  const submitted = timeline.find((entry) => entry.type === 'comity.v1.RequestSubmitted');
  let transport: TransportStatus = submitted ? TransportStatus.TRANSPORT_STATUS_SUBMITTED : TransportStatus.TRANSPORT_STATUS_UNSPECIFIED;
  let legal: LegalStatus = submitted ? LegalStatus.LEGAL_STATUS_AWAITING_ACKNOWLEDGEMENT : LegalStatus.LEGAL_STATUS_UNSPECIFIED;
  let beforeQuestions: LegalStatus = legal;
  const flags: TransitionFlag[] = [];
  const networks = new Set<string>();
  const expected = new Map<string, ExpectedReceipt>();
  const reachedAt = new Map<LegalStatus, Date>();
  let deliveredAt: Date | undefined;

  const advance = (to: TransportStatus) => {
    if ((TRANSPORT_RANK[to] ?? 0) > (TRANSPORT_RANK[transport] ?? 0)) transport = to;
  };
  const flag = (entry: TimelineEntry, problem: string) =>
    flags.push({ $type: 'comity.v1.TransitionFlag', eventId: entry.eventId, type: entry.type, fromStatus: legal, problem });

  for (const entry of timeline) {
    const aboutSubmission = submitted !== undefined && entry.regardingEventId === submitted.eventId;
    switch (entry.type) {
      case 'comity.v1.RequestSubmitted':
        if (entry !== submitted) flag(entry, 'a second submission of a request that was already submitted');
        continue;
      case 'comity.v1.RequestRelayed':
        for (const target of entry.targets) if (target.network) networks.add(target.network);
        if (aboutSubmission) advance(TransportStatus.TRANSPORT_STATUS_RELAYED);
        for (const target of entry.targets) {
          if (!target.network) continue;
          const key = `${entry.regardingEventId}/${target.network}`;
          if (!expected.has(key)) {
            expected.set(key, {
              $type: 'comity.v1.ExpectedReceipt',
              regardingEventId: entry.regardingEventId,
              network: target.network,
              expectedBy: new Date((entry.time?.getTime() ?? 0) + policy.receiptTimeoutMs),
              receivedAt: undefined,
            });
          }
        }
        continue;
      case 'comity.v1.RequestDelivered':
      case 'comity.v1.RequestNotDelivered': {
        const delivered = entry.type === 'comity.v1.RequestDelivered';
        if (aboutSubmission) {
          if (delivered) {
            advance(TransportStatus.TRANSPORT_STATUS_DELIVERED);
            deliveredAt ??= entry.time;
          } else {
            advance(entry.final ? TransportStatus.TRANSPORT_STATUS_NOT_DELIVERED : TransportStatus.TRANSPORT_STATUS_DELIVERY_RETRYING);
          }
        }
        const awaited = expected.get(`${entry.regardingEventId}/${entry.originNetwork}`);
        if (awaited && (delivered || entry.final) && !awaited.receivedAt) awaited.receivedAt = entry.time;
        continue;
      }
      case ROUTE_REFUSED:
        if (aboutSubmission) advance(TransportStatus.TRANSPORT_STATUS_NOT_DELIVERED);
        flag(entry, `refused by the hub: ${entry.note}`);
        continue;
      case 'comity.v1.RequestRetrieved':
        if (aboutSubmission) advance(TransportStatus.TRANSPORT_STATUS_RETRIEVED);
        continue;
      case 'comity.v1.AdditionalInformationProvided':
        if (legal !== LegalStatus.LEGAL_STATUS_INFORMATION_REQUESTED) {
          flag(entry, 'additional information provided, but none was requested');
        } else {
          legal = beforeQuestions;
        }
        continue;
      default: {
        const transition = LEGAL_TRANSITIONS[entry.type];
        if (!transition) continue;
        // Without its submission (not read yet: topics are read independently) nothing can
        // be judged, so the decision is applied as it comes.
        if (submitted && !transition.from.includes(legal)) {
          flag(entry, CLOSED.has(legal) ? 'the request was already closed' : 'not possible from the current status');
          continue;
        }
        if (transition.to === LegalStatus.LEGAL_STATUS_INFORMATION_REQUESTED) beforeQuestions = legal;
        legal = transition.to;
        if (!reachedAt.has(legal)) reachedAt.set(legal, entry.time ?? new Date(0));
      }
    }
  }

  summary.transportStatus = transport;
  summary.legalStatus = legal;
  summary.networks = [...networks];
  summary.submittedAt = submitted?.time;
  summary.lastEventAt = timeline.at(-1)?.time;

  const deadlines: Deadline[] = [];
  const start = deliveredAt ?? submitted?.time;
  for (const rule of INSTRUMENT_DEADLINES.get(summary.requestType) ?? []) {
    const from = rule.from === 'delivery' ? start : reachedAt.get(LegalStatus.LEGAL_STATUS_RECOGNISED);
    if (!from) continue;
    const metAt = rule.metBy.map((status) => reachedAt.get(status)).filter((at): at is Date => at !== undefined).sort((a, b) => a.getTime() - b.getTime())[0];
    deadlines.push({ $type: 'comity.v1.Deadline', name: rule.name, basis: rule.basis, due: new Date(from.getTime() + rule.days * DAY_MS), metAt });
  }
  if (summary.deadline) {
    const metAt = DECIDED.map((status) => reachedAt.get(status)).filter((at): at is Date => at !== undefined)[0];
    deadlines.push({ $type: 'comity.v1.Deadline', name: 'requesting-authority', basis: 'request', due: summary.deadline, metAt });
  }

  return RequestTracked.fromPartial({
    summary,
    timeline,
    deadlines,
    expectedReceipts: [...expected.values()],
    flags,
  });
}

export type AlertKind = 'deadline-overdue' | 'receipt-missing';

export interface Alert {
  readonly kind: AlertKind;
  readonly requestId: string;
  /** The deadline's name, or the awaited receipt's `<event id>/<network>`. */
  readonly subject: string;
  readonly detail: string;
}

/** What is late at `now`: deadlines passed without being met, receipts not come in time. */
export function alertsAt(record: RequestTracked, now: Date): Alert[] {
  const requestId = record.summary?.requestId ?? '';
  const alerts: Alert[] = [];
  for (const deadline of record.deadlines) {
    if (!deadline.metAt && deadline.due && deadline.due.getTime() < now.getTime()) {
      alerts.push({ kind: 'deadline-overdue', requestId, subject: deadline.name, detail: `${deadline.name} was due ${deadline.due.toISOString()} (${deadline.basis})` });
    }
  }
  for (const receipt of record.expectedReceipts) {
    if (!receipt.receivedAt && receipt.expectedBy && receipt.expectedBy.getTime() < now.getTime()) {
      alerts.push({
        kind: 'receipt-missing',
        requestId,
        subject: `${receipt.regardingEventId}/${receipt.network}`,
        detail: `no delivery receipt from ${receipt.network} for event ${receipt.regardingEventId} since ${receipt.expectedBy.toISOString()}`,
      });
    }
  }
  return alerts;
}

/** The summary with `overdue` judged at `now`. */
export function summaryAt(record: RequestTracked, now: Date): RequestSummary {
  return { ...record.summary!, overdue: alertsAt(record, now).some((alert) => alert.kind === 'deadline-overdue') };
}
