import { credentials, status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyPurpose, MembershipStatus, NetworkKind } from '../../core/gen/comity/v1/directory.js';
import {
  DirectoryServiceClient,
  GetNetworkRequest,
  ListNetworksRequest,
  ListPublicKeysRequest,
  ResolveStateRequest,
  type GetNetworkResponse,
} from '../../core/gen/comity/v1/directory_service.js';
import { RequestType } from '../../core/gen/comity/v1/request.js';
import { createLogger } from '../../core/log.js';
import { directoryEntries, directoryView, type DirectoryView } from './entries.js';
import { loadFederation } from './federation.js';
import { DirectoryQueryError, getNetwork, listNetworks, listPublicKeys, resolveState, serveDirectory, type DirectoryServer } from './grpc.js';

const key = (n: number) => Buffer.alloc(32, n).toString('base64');

const view: DirectoryView = directoryView(
  directoryEntries(
    loadFederation(
      'federation.yaml',
      [
        'version: 1',
        'networks:',
        '  - id: ejn',
        '    name: EJN',
        '    kind: judicial-network',
        '    role: member',
        '    languages: [en]',
        '    members: [ES, FR]',
        '    membersVerified: true',
        '    accepts: [mutual-legal-assistance, european-arrest-warrant]',
        '    contactPoints:',
        '      - { id: es-1, state: ES, role: contact point, authority: Fiscalía General del Estado }',
        '      - { id: fr-1, state: FR, role: contact point, authority: Ministère de la Justice }',
        '    publicKeys:',
        `      - { keyId: old, purpose: signing, publicKey: "${key(1)}", notAfter: "2026-01-01T00:00:00Z" }`,
        `      - { keyId: current, purpose: signing, publicKey: "${key(2)}", notBefore: "2025-12-01T00:00:00Z" }`,
        `      - { keyId: next, purpose: signing, publicKey: "${key(3)}", notBefore: "2026-06-01T00:00:00Z" }`,
        `      - { keyId: seal, purpose: sealing, publicKey: "${key(4)}" }`,
        '    sources: [test]',
        '  - { id: iberred, name: IberRed, kind: judicial-network, role: member, languages: [es], members: [ES, CO], membersVerified: true, accepts: [mutual-legal-assistance, extradition], sources: [test], contactPoints: [{ id: co-1, state: CO, role: focal point, authority: Fiscalía General de la Nación }] }',
        '  - { id: carin, name: CARIN, kind: asset-recovery-network, role: member, languages: [en], members: [DE], observers: [ES], membersVerified: true, accepts: [asset-tracing], sources: [test] }',
        '  - { id: unodc, name: UNODC, kind: agency, role: observer, languages: [en], membersVerified: false, sources: [test] }',
        '',
      ].join('\n'),
    ),
  ).values(),
);

function refusal(run: () => unknown): DirectoryQueryError {
  try {
    run();
  } catch (error) {
    if (error instanceof DirectoryQueryError) return error;
    throw error;
  }
  throw new Error('expected a DirectoryQueryError');
}

describe('services/directory/grpc: listNetworks', () => {
  const ids = (request: Partial<ListNetworksRequest>) => listNetworks(view, ListNetworksRequest.fromPartial(request)).networks.map((n) => n.id);

  it('lists every network by id when no filter is given', () => {
    expect(ids({})).toEqual(['carin', 'ejn', 'iberred', 'unodc']);
  });

  it('filters by kind, by State in any status, and by request type; the filters combine', () => {
    expect(ids({ kind: NetworkKind.NETWORK_KIND_AGENCY })).toEqual(['unodc']);
    expect(ids({ state: 'ES' })).toEqual(['carin', 'ejn', 'iberred']);
    expect(ids({ state: 'es' })).toEqual(['carin', 'ejn', 'iberred']);
    expect(ids({ requestType: RequestType.REQUEST_TYPE_EXTRADITION })).toEqual(['iberred']);
    expect(ids({ state: 'ES', requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE })).toEqual(['ejn', 'iberred']);
    expect(ids({ state: 'JP' })).toEqual([]);
  });

  it('pages with an opaque token, and refuses a malformed State or token', () => {
    const first = listNetworks(view, ListNetworksRequest.fromPartial({ pageSize: 3 }));
    expect(first.networks.map((n) => n.id)).toEqual(['carin', 'ejn', 'iberred']);
    const second = listNetworks(view, ListNetworksRequest.fromPartial({ pageSize: 3, pageToken: first.nextPageToken }));
    expect(second.networks.map((n) => n.id)).toEqual(['unodc']);
    expect(second.nextPageToken).toBe('');
    expect(refusal(() => listNetworks(view, ListNetworksRequest.fromPartial({ state: 'ESP' }))).grpcStatus).toBe(status.INVALID_ARGUMENT);
    expect(refusal(() => listNetworks(view, ListNetworksRequest.fromPartial({ pageToken: '!!' }))).grpcStatus).toBe(status.INVALID_ARGUMENT);
  });
});

describe('services/directory/grpc: getNetwork and resolveState', () => {
  it('gives a network with its memberships and contact points, NOT_FOUND for an unknown id', () => {
    const answer = getNetwork(view, GetNetworkRequest.fromPartial({ networkId: 'carin' }));
    expect(answer.network?.name).toBe('CARIN');
    expect(answer.stateMemberships.map((m) => [m.state, m.status])).toEqual([
      ['DE', MembershipStatus.MEMBERSHIP_STATUS_MEMBER],
      ['ES', MembershipStatus.MEMBERSHIP_STATUS_OBSERVER],
    ]);
    expect(getNetwork(view, GetNetworkRequest.fromPartial({ networkId: 'ejn' })).contactPoints.map((c) => c.id)).toEqual(['ejn/es-1', 'ejn/fr-1']);
    expect(refusal(() => getNetwork(view, GetNetworkRequest.fromPartial({ networkId: 'interpol' }))).grpcStatus).toBe(status.NOT_FOUND);
  });

  it("resolves a State to its networks with its status in each and those networks' contact points for it", () => {
    const answer = resolveState(view, ResolveStateRequest.fromPartial({ state: 'ES' }));
    expect(answer.state).toBe('ES');
    expect(answer.networks.map((n) => [n.network?.id, n.status])).toEqual([
      ['ejn', MembershipStatus.MEMBERSHIP_STATUS_MEMBER],
      ['iberred', MembershipStatus.MEMBERSHIP_STATUS_MEMBER],
      ['carin', MembershipStatus.MEMBERSHIP_STATUS_OBSERVER],
    ]);
    expect(answer.contactPoints.map((c) => c.id)).toEqual(['ejn/es-1']);
    expect(answer.competentAuthorities).toEqual([]);

    const eaw = resolveState(view, ResolveStateRequest.fromPartial({ state: 'ES', requestType: RequestType.REQUEST_TYPE_EUROPEAN_ARREST_WARRANT }));
    expect(eaw.networks.map((n) => n.network?.id)).toEqual(['ejn']);
    expect(resolveState(view, ResolveStateRequest.fromPartial({ state: 'JP' })).networks).toEqual([]);
  });

  it('refuses a State that is not an ISO 3166-1 alpha-2 code', () => {
    for (const state of ['', 'ESP', 'E1', 'España']) {
      expect(refusal(() => resolveState(view, ResolveStateRequest.fromPartial({ state }))).grpcStatus, state).toBe(status.INVALID_ARGUMENT);
    }
  });
});

describe('services/directory/grpc: listPublicKeys', () => {
  const now = new Date('2026-03-01T00:00:00Z');
  const keyIds = (request: Partial<ListPublicKeysRequest>) =>
    listPublicKeys(view, ListPublicKeysRequest.fromPartial({ networkId: 'ejn', ...request }), now).keys.map((k) => k.keyId);

  it('gives the keys usable now unless expired ones are asked for, optionally of one purpose', () => {
    expect(keyIds({})).toEqual(['current', 'seal']);
    expect(keyIds({ purpose: KeyPurpose.KEY_PURPOSE_SEALING })).toEqual(['seal']);
    expect(keyIds({ includeExpired: true })).toEqual(['old', 'current', 'next', 'seal']);
    expect(keyIds({ includeExpired: true, purpose: KeyPurpose.KEY_PURPOSE_SIGNING })).toEqual(['old', 'current', 'next']);
    expect(listPublicKeys(view, ListPublicKeysRequest.fromPartial({ networkId: 'unodc' }), now).keys).toEqual([]);
    expect(refusal(() => listPublicKeys(view, ListPublicKeysRequest.fromPartial({ networkId: 'nope' }), now)).grpcStatus).toBe(status.NOT_FOUND);
  });
});

describe('services/directory/grpc: serveDirectory', () => {
  let server: DirectoryServer;
  let client: DirectoryServiceClient;
  let current = view;

  beforeAll(async () => {
    server = await serveDirectory({ host: '127.0.0.1', port: 0, view: () => current, logger: createLogger({ name: 'test', level: 'silent' }) });
    client = new DirectoryServiceClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
  });

  const call = (networkId: string) =>
    new Promise<GetNetworkResponse>((resolve, reject) =>
      client.getNetwork(GetNetworkRequest.fromPartial({ networkId }), (error, response) => (error ? reject(error) : resolve(response))),
    );

  it('answers over the wire from the view of the moment, with gRPC status codes for refusals', async () => {
    expect(server.port).toBeGreaterThan(0);
    expect((await call('ejn')).network?.id).toBe('ejn');
    await expect(call('interpol')).rejects.toMatchObject({ code: status.NOT_FOUND, details: expect.stringContaining('interpol') as string });
    current = directoryView([]);
    await expect(call('ejn')).rejects.toMatchObject({ code: status.NOT_FOUND });
  });
});
