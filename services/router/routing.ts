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
 */
import type { Event } from '../../core/gen/comity/v1/event.js';
import { carries, type FederationIndex, type FederationNetwork } from '../directory/federation.js';

/** The parties of a request, as recorded when its submission was routed. */
export interface RequestParties {
  readonly requestId: string;
  readonly originNetwork: string;
  readonly destinations: readonly string[];
  readonly submittedEventId: string;
}

export type RouteDecision =
  | {
      readonly kind: 'route';
      readonly destinations: readonly string[];
      /** Rule that chose them, for the relayed receipt and the audit trail. */
      readonly rule: string;
      /** Set for a new request: the parties to remember. */
      readonly newRequest?: RequestParties;
    }
  | { readonly kind: 'refuse'; readonly code: RefusalCode; readonly reason: string };

export type RefusalCode =
  | 'ORIGIN_MISMATCH'
  | 'UNKNOWN_NETWORK'
  | 'NOT_A_MEMBER'
  | 'NO_ROUTE'
  | 'UNKNOWN_REQUEST'
  | 'NOT_A_PARTY'
  | 'NOT_ROUTABLE';

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
  if (parties.originNetwork === origin.id) {
    return { kind: 'route', destinations: parties.destinations.filter((id) => id !== origin.id || parties.destinations.length === 1), rule: 'to-requested' };
  }
  if (parties.destinations.includes(origin.id)) {
    return { kind: 'route', destinations: [parties.originNetwork], rule: 'to-requesting' };
  }
  return refuse('NOT_A_PARTY', `"${origin.id}" is not a party to request "${event.subject}"`);
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

function refuse(code: RefusalCode, reason: string): RouteDecision {
  return { kind: 'refuse', code, reason };
}
