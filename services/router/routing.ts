/**
 * Routing decisions, as a pure function of the event's envelope, the topic it came from, the
 * federation and the parties of the requests already seen. No I/O: the service (./service.ts)
 * feeds it and carries out what it decides, so every rule here is tested without Kafka.
 *
 * Rules, in order:
 * 1. An event must come from the inbound topic of its own origin network (`ORIGIN_MISMATCH`),
 *    and that network must be a member of the federation (`UNKNOWN_NETWORK`, `NOT_A_MEMBER`).
 * 2. A new request (`RequestSubmitted`) goes, for each target, to:
 *    a. the named network, when both the requesting and the requested State are its members
 *       and it carries the request type;
 *    b. else a network both States are members of that carries the type — the origin network
 *       first, then by the federation's routing preference (rule `shared-network`);
 *    c. else a network of the requested State that carries the type, by preference
 *       (rule `policy:target-state`);
 *    d. else nowhere: `NO_ROUTE`.
 * 3. Any other event about a request goes between the request's parties: from the requesting
 *    network to the requested networks, from a requested network back to the requesting one
 *    (`UNKNOWN_REQUEST` if the request was never routed, `NOT_A_PARTY` for anyone else —
 *    onward transfer to a third network needs the originator's consent).
 * 4. Shared experience and training announcements — and the statistics reports of centres of
 *    excellence — go to the named networks, else to every other network of the federation.
 * 5. Onward transfer (docs/hub.md, "Consent for onward transfer"): an event about a request
 *    that names a target network outside the request's parties goes there only if the network
 *    that originated the request has sent an `OnwardTransferConsented` for that request naming
 *    that network (and State, scope and time fit); otherwise `NO_CONSENT`. Consents come only
 *    from the originating network (`NOT_THE_ORIGINATOR`) and are never sealed
 *    (`CONSENT_UNREADABLE`): the hub must read them to enforce them.
 * 6. Confidentiality: a confidential event must be sealed (`NOT_SEALED`), and a sealed event
 *    goes only to the network it is sealed to (`SEAL_RECIPIENT_MISMATCH`).
 *
 * Signatures are checked before any of this (./service.ts, core/crypto/signing.ts).
 */
import { TRANSPORT_RECEIPT_TYPES } from '../../core/events/bodies.js';
import { decodeBody } from '../../core/events/create.js';
import { Classification, type Event } from '../../core/gen/comity/v1/event.js';
import { OnwardTransferScope, type OnwardTransferConsented } from '../../core/gen/comity/v1/lifecycle.js';
import { carries, type FederationIndex, type FederationNetwork } from '../directory/federation.js';

/** The parties of a request, as recorded when its submission was routed. */
export interface RequestParties {
  readonly requestId: string;
  readonly originNetwork: string;
  readonly destinations: readonly string[];
  readonly submittedEventId: string;
}

/** An originating network's consent that a third network receive events of its request. */
export interface OnwardConsent {
  readonly requestId: string;
  /** The `OnwardTransferConsented` event that granted it. */
  readonly consentEventId: string;
  readonly thirdNetwork: string;
  /** Empty: any State of the third network. */
  readonly thirdState: string;
  readonly scope: OnwardTransferScope;
  readonly eventIds: readonly string[];
  readonly validUntil?: Date;
}

export type RouteDecision =
  | {
      readonly kind: 'route';
      readonly destinations: readonly string[];
      /** Rule that chose them, for the relayed receipt and the audit trail. */
      readonly rule: string;
      /** Set for a new request: the parties to remember. */
      readonly newRequest?: RequestParties;
      /** Set for an onward-transfer consent: to remember with the parties. */
      readonly newConsent?: OnwardConsent;
    }
  | { readonly kind: 'refuse'; readonly code: RefusalCode; readonly reason: string };

export type RefusalCode =
  | 'ORIGIN_MISMATCH'
  | 'UNKNOWN_NETWORK'
  | 'NOT_A_MEMBER'
  | 'NO_ROUTE'
  | 'UNKNOWN_REQUEST'
  | 'NOT_A_PARTY'
  | 'NOT_ROUTABLE'
  | 'NO_CONSENT'
  | 'NOT_THE_ORIGINATOR'
  | 'CONSENT_UNREADABLE'
  | 'NOT_SEALED'
  | 'SEAL_RECIPIENT_MISMATCH';

const CONSENT_TYPE = 'comity.v1.OnwardTransferConsented';

const BROADCAST_TYPES = new Set(['comity.v1.ExperienceShared', 'comity.v1.TrainingAnnounced']);
/** Bodies the hub itself writes; a network may not send them. */
const HUB_ONLY_TYPES = new Set([
  'comity.v1.RequestRelayed',
  'comity.v1.DirectoryEntryUpdated',
  'comity.v1.DirectoryEntryRemoved',
  'comity.v1.StatisticsReport',
]);

export function decideRoute(
  event: Event,
  topicNetwork: string,
  federation: FederationIndex,
  partiesOf: (requestId: string) => RequestParties | undefined,
  consentsOf: (requestId: string) => readonly OnwardConsent[] = () => [],
): RouteDecision {
  const decision = decideDestinations(event, topicNetwork, federation, partiesOf, consentsOf);
  if (decision.kind === 'refuse') return decision;
  if (event.classification === Classification.CLASSIFICATION_CONFIDENTIAL && !event.seal) {
    return refuse('NOT_SEALED', 'a confidential event must be sealed to its recipient network');
  }
  if (event.seal && decision.destinations.some((destination) => destination !== event.seal?.recipientNetwork)) {
    return refuse(
      'SEAL_RECIPIENT_MISMATCH',
      `the event is sealed to "${event.seal.recipientNetwork}" but would go to ${decision.destinations.map((d) => `"${d}"`).join(', ')}; a confidential event must name its target network`,
    );
  }
  return decision;
}

function decideDestinations(
  event: Event,
  topicNetwork: string,
  federation: FederationIndex,
  partiesOf: (requestId: string) => RequestParties | undefined,
  consentsOf: (requestId: string) => readonly OnwardConsent[],
): RouteDecision {
  if (event.originNetwork !== topicNetwork) {
    return refuse('ORIGIN_MISMATCH', `event says it comes from "${event.originNetwork}" but arrived on ${topicNetwork}'s inbound topic`);
  }
  const origin = federation.network(topicNetwork);
  if (!origin) return refuse('UNKNOWN_NETWORK', `"${topicNetwork}" is not in the federation`);
  if (origin.role !== 'member') return refuse('NOT_A_MEMBER', `"${topicNetwork}" is an observer and does not send events`);
  // Centres of excellence exist to exchange statistics: theirs are shared like experience.
  const sharedStatistics = event.type === 'comity.v1.StatisticsReport' && origin.kind === 'centre-of-excellence';
  if (HUB_ONLY_TYPES.has(event.type) && !sharedStatistics) {
    return refuse('NOT_ROUTABLE', `${event.type} is written by the hub, not by networks`);
  }

  if (BROADCAST_TYPES.has(event.type) || sharedStatistics) return broadcast(event, origin, federation);
  if (event.type === 'comity.v1.RequestSubmitted') return routeNewRequest(event, origin, federation);

  const parties = partiesOf(event.subject);
  if (!parties) return refuse('UNKNOWN_REQUEST', `no request "${event.subject}" has been routed`);
  let decision: RouteDecision & { kind: 'route' };
  if (parties.originNetwork === origin.id) {
    decision = { kind: 'route', destinations: parties.destinations.filter((id) => id !== origin.id || parties.destinations.length === 1), rule: 'to-requested' };
  } else if (parties.destinations.includes(origin.id)) {
    decision = { kind: 'route', destinations: [parties.originNetwork], rule: 'to-requesting' };
  } else {
    return refuse('NOT_A_PARTY', `"${origin.id}" is not a party to request "${event.subject}"`);
  }
  if (event.type === CONSENT_TYPE) {
    const consent = readConsent(event, parties);
    return 'code' in consent ? consent : { ...decision, newConsent: consent };
  }
  return onwardTransfer(event, parties, decision, consentsOf(event.subject));
}

/** The consent an `OnwardTransferConsented` grants, or why it cannot be recorded. */
function readConsent(event: Event, parties: RequestParties): OnwardConsent | Refusal {
  if (event.originNetwork !== parties.originNetwork) {
    return refuse('NOT_THE_ORIGINATOR', `only "${parties.originNetwork}", which originated request "${event.subject}", can consent to its onward transfer`);
  }
  if (event.seal) return refuse('CONSENT_UNREADABLE', 'a consent must not be sealed: the hub enforces it and must read it');
  let body;
  try {
    body = decodeBody(event);
  } catch (error) {
    return refuse('CONSENT_UNREADABLE', (error as Error).message);
  }
  if (body.$type !== CONSENT_TYPE || !body.thirdNetwork) return refuse('CONSENT_UNREADABLE', 'the consent names no third network');
  return consentFrom(event, body);
}

/** The consent recorded from an `OnwardTransferConsented` event and its decoded body. */
export function consentFrom(event: Event, body: OnwardTransferConsented): OnwardConsent {
  return {
    requestId: event.subject,
    consentEventId: event.id,
    thirdNetwork: body.thirdNetwork,
    thirdState: body.thirdState,
    scope: body.scope,
    eventIds: body.eventIds,
    validUntil: body.validUntil,
  };
}

/**
 * Adds the target networks outside the parties, each only with a consent that covers the
 * event; any such target without one refuses the whole event.
 */
function onwardTransfer(
  event: Event,
  parties: RequestParties,
  decision: RouteDecision & { kind: 'route' },
  consents: readonly OnwardConsent[],
): RouteDecision {
  const isParty = (network: string) => network === parties.originNetwork || parties.destinations.includes(network);
  const third = event.targets.filter((target) => target.network && !isParty(target.network));
  if (third.length === 0) return decision;
  const destinations = [...decision.destinations];
  for (const target of third) {
    const consent = consents.find((candidate) => consentCovers(candidate, event, target.network, target.state));
    if (!consent) {
      return refuse(
        'NO_CONSENT',
        `"${target.network}" is not a party to request "${event.subject}" and "${parties.originNetwork}" has not consented to an onward transfer to it covering this event`,
      );
    }
    if (!destinations.includes(target.network)) destinations.push(target.network);
  }
  return { ...decision, destinations, rule: `${decision.rule},onward-consent` };
}

export function consentCovers(consent: OnwardConsent, event: Event, network: string, state: string): boolean {
  if (consent.thirdNetwork !== network) return false;
  if (consent.thirdState && consent.thirdState !== state) return false;
  if (consent.validUntil && (event.time?.getTime() ?? 0) > consent.validUntil.getTime()) return false;
  switch (consent.scope) {
    case OnwardTransferScope.ONWARD_TRANSFER_SCOPE_ALL_EVENTS:
      return true;
    case OnwardTransferScope.ONWARD_TRANSFER_SCOPE_LISTED_EVENTS:
      return consent.eventIds.includes(event.id);
    default:
      // Status only (and unspecified, read narrowly): transport receipts, no content.
      return TRANSPORT_RECEIPT_TYPES.has(event.type);
  }
}

function routeNewRequest(event: Event, origin: FederationNetwork, federation: FederationIndex): RouteDecision {
  if (event.targets.length === 0) return refuse('NO_ROUTE', 'the request names no requested State');
  const destinations: string[] = [];
  const rules: string[] = [];
  for (const target of event.targets) {
    const choice = chooseNetwork(event, origin, target.state, target.network, federation);
    if (!choice) {
      return refuse(
        'NO_ROUTE',
        `no network links ${event.originState || 'the requesting State'} to ${target.state}${target.network ? ` through "${target.network}"` : ''} for this request type`,
      );
    }
    if (!destinations.includes(choice.network)) destinations.push(choice.network);
    rules.push(choice.rule);
  }
  return {
    kind: 'route',
    destinations,
    rule: [...new Set(rules)].join(','),
    newRequest: { requestId: event.subject, originNetwork: origin.id, destinations, submittedEventId: event.id },
  };
}

function chooseNetwork(
  event: Event,
  origin: FederationNetwork,
  targetState: string,
  named: string,
  federation: FederationIndex,
): { network: string; rule: string } | undefined {
  const fromState = event.originState;
  const usable = (network: FederationNetwork) => network.role === 'member' && carries(network, event.requestType);
  if (named) {
    const network = federation.network(named);
    if (network && usable(network) && network.members.includes(targetState) && (!fromState || network.members.includes(fromState))) {
      return { network: network.id, rule: 'named-network' };
    }
  }
  const ofTarget = federation.networksOfState(targetState).filter(usable);
  const byPreference = (a: FederationNetwork, b: FederationNetwork) =>
    (a.id === origin.id ? -1 : 0) - (b.id === origin.id ? -1 : 0) ||
    federation.preferenceRank(a.id) - federation.preferenceRank(b.id) ||
    a.id.localeCompare(b.id);
  const shared = fromState ? ofTarget.filter((network) => network.members.includes(fromState)).sort(byPreference) : [];
  if (shared[0]) return { network: shared[0].id, rule: 'shared-network' };
  const fallback = [...ofTarget].sort(byPreference)[0];
  return fallback ? { network: fallback.id, rule: 'policy:target-state' } : undefined;
}

function broadcast(event: Event, origin: FederationNetwork, federation: FederationIndex): RouteDecision {
  const named = event.targets.map((target) => target.network).filter(Boolean);
  const destinations = named.length > 0
    ? named.filter((id) => federation.network(id))
    : federation.federation.networks.filter((network) => network.id !== origin.id).map((network) => network.id);
  if (destinations.length === 0) return refuse('NO_ROUTE', 'no network to share with');
  return { kind: 'route', destinations, rule: named.length > 0 ? 'named-networks' : 'all-networks' };
}

type Refusal = Extract<RouteDecision, { kind: 'refuse' }>;

function refuse(code: RefusalCode, reason: string): Refusal {
  return { kind: 'refuse', code, reason };
}
