import { describe, expect, it } from 'vitest';
import { Event } from '../../core/gen/comity/v1/event.js';
import type { DeepPartial } from '../../core/gen/typeRegistry.js';
import { RequestType } from '../../core/gen/comity/v1/request.js';
import { federationSchema, indexFederation } from '../directory/federation.js';
import { Classification } from '../../core/gen/comity/v1/event.js';
import { OnwardTransferConsented, OnwardTransferScope } from '../../core/gen/comity/v1/lifecycle.js';
import { decideRoute, type OnwardConsent, type RequestParties } from './routing.js';

const federation = indexFederation(
  federationSchema.parse({
    version: 1,
    routing: { preference: ['oas-hemispheric', 'iberred', 'ejn'] },
    networks: [
      { id: 'ejn', name: 'EJN', kind: 'judicial-network', role: 'member', languages: ['en'], members: ['DE', 'ES', 'PT', 'FR'], membersVerified: true, accepts: ['mutual-legal-assistance', 'european-investigation-order'], sources: ['s'] },
      { id: 'iberred', name: 'IberRed', kind: 'judicial-network', role: 'member', languages: ['es', 'pt'], members: ['ES', 'PT', 'CO', 'AR', 'BR'], membersVerified: true, accepts: ['mutual-legal-assistance', 'extradition'], sources: ['s'] },
      { id: 'oas-hemispheric', name: 'OAS', kind: 'judicial-network', role: 'member', languages: ['es', 'en'], members: ['CO', 'AR', 'BR', 'US', 'CA'], membersVerified: true, accepts: ['mutual-legal-assistance', 'extradition'], sources: ['s'] },
      { id: 'carin', name: 'CARIN', kind: 'asset-recovery-network', role: 'member', languages: ['en'], members: ['DE', 'US'], membersVerified: true, accepts: ['asset-tracing'], sources: ['s'] },
      { id: 'unodc', name: 'UNODC', kind: 'observer', role: 'observer', languages: ['en'], membersVerified: false, sources: ['s'] },
      { id: 'coe-ca', name: 'Centres', kind: 'centre-of-excellence', role: 'member', languages: ['es'], members: ['GT'], membersVerified: false, sources: ['s'] },
    ],
  }),
);

function event(overrides: DeepPartial<Event>): Event {
  return Event.fromPartial({
    id: 'e-1',
    type: 'comity.v1.RequestSubmitted',
    subject: 'ejn:1',
    originNetwork: 'ejn',
    originState: 'DE',
    requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
    ...overrides,
  });
}

const none = () => undefined;

describe('services/router/routing', () => {
  it('uses the named network when both States are its members', () => {
    expect(decideRoute(event({ targets: [{ state: 'ES', network: 'ejn' }] }), 'ejn', federation, none)).toMatchObject({
      kind: 'route',
      destinations: ['ejn'],
      rule: 'named-network',
      newRequest: { requestId: 'ejn:1', originNetwork: 'ejn', destinations: ['ejn'] },
    });
  });

  it('else a network the two States share, the origin network first', () => {
    expect(decideRoute(event({ targets: [{ state: 'PT' }] }), 'ejn', federation, none)).toMatchObject({ destinations: ['ejn'], rule: 'shared-network' });
    const fromSpainViaIberred = event({ originNetwork: 'iberred', originState: 'ES', targets: [{ state: 'PT' }] });
    expect(decideRoute(fromSpainViaIberred, 'iberred', federation, none)).toMatchObject({ destinations: ['iberred'] });
    // Named network without the requesting State among its members: falls back to shared networks.
    const namedWrong = event({ originNetwork: 'iberred', originState: 'CO', targets: [{ state: 'AR', network: 'ejn' }] });
    expect(decideRoute(namedWrong, 'iberred', federation, none)).toMatchObject({ destinations: ['iberred'], rule: 'shared-network' });
  });

  it("else the requested State's networks by the federation's preference", () => {
    const germanyToColombia = event({ targets: [{ state: 'CO' }] });
    expect(decideRoute(germanyToColombia, 'ejn', federation, none)).toMatchObject({ destinations: ['oas-hemispheric'], rule: 'policy:target-state' });
  });

  it('respects the request types a network carries', () => {
    const eio = event({ requestType: RequestType.REQUEST_TYPE_EUROPEAN_INVESTIGATION_ORDER, targets: [{ state: 'CO' }] });
    expect(decideRoute(eio, 'ejn', federation, none)).toMatchObject({ kind: 'refuse', code: 'NO_ROUTE' });
    const tracing = event({ requestType: RequestType.REQUEST_TYPE_ASSET_TRACING, targets: [{ state: 'US' }] });
    expect(decideRoute(tracing, 'ejn', federation, none)).toMatchObject({ kind: 'route', destinations: ['carin'] });
  });

  it('refuses what has no route, comes from the wrong topic, or from outside the federation', () => {
    expect(decideRoute(event({ targets: [{ state: 'JP' }] }), 'ejn', federation, none)).toMatchObject({ kind: 'refuse', code: 'NO_ROUTE' });
    expect(decideRoute(event({ targets: [] }), 'ejn', federation, none)).toMatchObject({ code: 'NO_ROUTE' });
    expect(decideRoute(event({ targets: [{ state: 'ES' }] }), 'iberred', federation, none)).toMatchObject({ code: 'ORIGIN_MISMATCH' });
    expect(decideRoute(event({ originNetwork: 'nobody', targets: [{ state: 'ES' }] }), 'nobody', federation, none)).toMatchObject({ code: 'UNKNOWN_NETWORK' });
    expect(decideRoute(event({ originNetwork: 'unodc', targets: [{ state: 'ES' }] }), 'unodc', federation, none)).toMatchObject({ code: 'NOT_A_MEMBER' });
    expect(decideRoute(event({ type: 'comity.v1.RequestRelayed' }), 'ejn', federation, none)).toMatchObject({ code: 'NOT_ROUTABLE' });
  });

  it("sends later events between the request's parties only", () => {
    const parties: RequestParties = { requestId: 'ejn:1', originNetwork: 'ejn', destinations: ['oas-hemispheric'], submittedEventId: 'e-1' };
    const partiesOf = (id: string) => (id === 'ejn:1' ? parties : undefined);
    const answer = event({ type: 'comity.v1.RequestAcknowledged', originNetwork: 'oas-hemispheric', originState: 'CO', targets: [] });
    expect(decideRoute(answer, 'oas-hemispheric', federation, partiesOf)).toEqual({ kind: 'route', destinations: ['ejn'], rule: 'to-requesting' });
    const followUp = event({ type: 'comity.v1.AdditionalInformationProvided' });
    expect(decideRoute(followUp, 'ejn', federation, partiesOf)).toEqual({ kind: 'route', destinations: ['oas-hemispheric'], rule: 'to-requested' });
    const stranger = event({ type: 'comity.v1.RequestExecuted', originNetwork: 'iberred' });
    expect(decideRoute(stranger, 'iberred', federation, partiesOf)).toMatchObject({ code: 'NOT_A_PARTY' });
    expect(decideRoute(event({ type: 'comity.v1.RequestExecuted', subject: 'never-seen' }), 'ejn', federation, partiesOf)).toMatchObject({ code: 'UNKNOWN_REQUEST' });
  });

  it('shares experience with the named networks, or with everyone else', () => {
    const shared = event({ type: 'comity.v1.ExperienceShared', targets: [] });
    expect(decideRoute(shared, 'ejn', federation, none)).toMatchObject({ destinations: ['iberred', 'oas-hemispheric', 'carin', 'unodc', 'coe-ca'], rule: 'all-networks' });
    const named = event({ type: 'comity.v1.TrainingAnnounced', targets: [{ state: '', network: 'iberred' }] });
    expect(decideRoute(named, 'ejn', federation, none)).toMatchObject({ destinations: ['iberred'] });
  });

  it("shares a centre of excellence's statistics, but no network may pose as the hub's statistics", () => {
    const report = event({ type: 'comity.v1.StatisticsReport', originNetwork: 'coe-ca', originState: 'GT', targets: [] });
    expect(decideRoute(report, 'coe-ca', federation, none)).toMatchObject({ kind: 'route', rule: 'all-networks' });
    expect(decideRoute(event({ type: 'comity.v1.StatisticsReport' }), 'ejn', federation, none)).toMatchObject({ code: 'NOT_ROUTABLE' });
  });

  describe('onward transfer', () => {
    const parties: RequestParties = { requestId: 'ejn:1', originNetwork: 'ejn', destinations: ['iberred'], submittedEventId: 'e-1' };
    const partiesOf = (id: string) => (id === 'ejn:1' ? parties : undefined);
    const consentEvent = (overrides: Partial<OnwardTransferConsented>, from = 'ejn') =>
      event({
        id: 'consent-1',
        type: 'comity.v1.OnwardTransferConsented',
        originNetwork: from,
        data: Buffer.from(
          OnwardTransferConsented.encode(
            OnwardTransferConsented.fromPartial({ thirdNetwork: 'oas-hemispheric', scope: OnwardTransferScope.ONWARD_TRANSFER_SCOPE_ALL_EVENTS, ...overrides }),
          ).finish(),
        ),
      });
    // IberRed passes the execution on to the OAS network, which is not a party.
    const onward = event({ id: 'e-9', type: 'comity.v1.RequestExecuted', originNetwork: 'iberred', originState: 'CO', targets: [{ state: 'US', network: 'oas-hemispheric' }] });

    it('refuses an event to a third network without the originator\'s consent', () => {
      expect(decideRoute(onward, 'iberred', federation, partiesOf)).toMatchObject({ kind: 'refuse', code: 'NO_CONSENT' });
    });

    it("records the originator's consent, routed to the parties", () => {
      const decision = decideRoute(consentEvent({ thirdState: 'US' }), 'ejn', federation, partiesOf);
      expect(decision).toMatchObject({
        kind: 'route',
        destinations: ['iberred'],
        newConsent: { requestId: 'ejn:1', consentEventId: 'consent-1', thirdNetwork: 'oas-hemispheric', thirdState: 'US' },
      });
    });

    it('refuses a consent from another party, a sealed one and one that names no network', () => {
      expect(decideRoute(consentEvent({}, 'iberred'), 'iberred', federation, partiesOf)).toMatchObject({ code: 'NOT_THE_ORIGINATOR' });
      const sealed = { ...consentEvent({}), seal: { $type: 'comity.v1.Seal' as const, algorithm: 'x', recipientNetwork: 'iberred', recipientKeyId: 'k', ephemeralPublicKey: Buffer.alloc(0), nonce: Buffer.alloc(0), tag: Buffer.alloc(0) } };
      expect(decideRoute(sealed, 'ejn', federation, partiesOf)).toMatchObject({ code: 'CONSENT_UNREADABLE' });
      expect(decideRoute(consentEvent({ thirdNetwork: '' }), 'ejn', federation, partiesOf)).toMatchObject({ code: 'CONSENT_UNREADABLE' });
    });

    it('routes to the third network with a consent that covers the event, and only then', () => {
      const consent = (overrides: Partial<OnwardConsent>): OnwardConsent => ({
        requestId: 'ejn:1',
        consentEventId: 'consent-1',
        thirdNetwork: 'oas-hemispheric',
        thirdState: '',
        scope: OnwardTransferScope.ONWARD_TRANSFER_SCOPE_ALL_EVENTS,
        eventIds: [],
        ...overrides,
      });
      const withConsent = (c: OnwardConsent) => decideRoute(onward, 'iberred', federation, partiesOf, (id) => (id === 'ejn:1' ? [c] : []));
      expect(withConsent(consent({}))).toEqual({ kind: 'route', destinations: ['ejn', 'oas-hemispheric'], rule: 'to-requesting,onward-consent' });
      expect(withConsent(consent({ thirdState: 'US' }))).toMatchObject({ kind: 'route' });
      expect(withConsent(consent({ thirdState: 'CA' }))).toMatchObject({ code: 'NO_CONSENT' });
      expect(withConsent(consent({ thirdNetwork: 'carin' }))).toMatchObject({ code: 'NO_CONSENT' });
      expect(withConsent(consent({ scope: OnwardTransferScope.ONWARD_TRANSFER_SCOPE_LISTED_EVENTS, eventIds: ['e-9'] }))).toMatchObject({ kind: 'route' });
      expect(withConsent(consent({ scope: OnwardTransferScope.ONWARD_TRANSFER_SCOPE_LISTED_EVENTS, eventIds: ['e-8'] }))).toMatchObject({ code: 'NO_CONSENT' });
      expect(withConsent(consent({ scope: OnwardTransferScope.ONWARD_TRANSFER_SCOPE_STATUS_ONLY }))).toMatchObject({ code: 'NO_CONSENT' });
      const lapsed = consent({ validUntil: new Date('2020-01-01T00:00:00Z') });
      expect(decideRoute({ ...onward, time: new Date('2021-01-01T00:00:00Z') }, 'iberred', federation, partiesOf, () => [lapsed])).toMatchObject({ code: 'NO_CONSENT' });
    });
  });

  describe('confidential events', () => {
    const seal = (recipientNetwork: string) => ({
      $type: 'comity.v1.Seal' as const,
      algorithm: 'X25519-HKDF-SHA256-AES-256-GCM',
      recipientNetwork,
      recipientKeyId: 'k',
      ephemeralPublicKey: Buffer.alloc(32),
      nonce: Buffer.alloc(12),
      tag: Buffer.alloc(16),
    });
    const confidential = (overrides: DeepPartial<Event>) => event({ classification: Classification.CLASSIFICATION_CONFIDENTIAL, originState: 'ES', targets: [{ state: 'CO', network: 'iberred' }], ...overrides });

    it('refuses a confidential event that is not sealed', () => {
      expect(decideRoute(confidential({}), 'ejn', federation, none)).toMatchObject({ code: 'NOT_SEALED' });
    });

    it('routes a sealed event only to the network it is sealed to', () => {
      expect(decideRoute({ ...confidential({}), seal: seal('iberred') }, 'ejn', federation, none)).toMatchObject({ kind: 'route', destinations: ['iberred'] });
      expect(decideRoute({ ...confidential({}), seal: seal('oas-hemispheric') }, 'ejn', federation, none)).toMatchObject({ code: 'SEAL_RECIPIENT_MISMATCH' });
      // Without a named network the router's own choice must be the sealed-to network.
      const unnamed = (to: string) => ({ ...confidential({ targets: [{ state: 'CO' }] }), seal: seal(to) });
      expect(decideRoute(unnamed('iberred'), 'ejn', federation, none)).toMatchObject({ kind: 'route', destinations: ['iberred'] });
      expect(decideRoute(unnamed('oas-hemispheric'), 'ejn', federation, none)).toMatchObject({ code: 'SEAL_RECIPIENT_MISMATCH' });
    });
  });
});
