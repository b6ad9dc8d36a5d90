/**
 * `comity.v1.DirectoryService` over gRPC: read access to the directory the service publishes.
 *
 * The answers are pure functions of one {@link DirectoryView} (listNetworks, getNetwork,
 * resolveState, listPublicKeys); a bad request throws a {@link DirectoryQueryError} carrying
 * the gRPC status it becomes. {@link serveDirectory} wires them to a grpc-js server and reads
 * the view on every call, so a reloaded federation is answered at once.
 */
import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { ComityError } from '../../core/errors.js';
import { KeyPurpose, type NetworkPublicKey } from '../../core/gen/comity/v1/directory.js';
import {
  DirectoryServiceService,
  GetNetworkResponse,
  ListNetworksResponse,
  ListPublicKeysResponse,
  ResolveStateResponse,
  type DirectoryServiceServer,
  type GetNetworkRequest,
  type ListNetworksRequest,
  type ListPublicKeysRequest,
  type ResolveStateRequest,
} from '../../core/gen/comity/v1/directory_service.js';
import { NetworkKind } from '../../core/gen/comity/v1/directory.js';
import { RequestType } from '../../core/gen/comity/v1/request.js';
import type { Logger } from '../../core/log.js';
import type { DirectoryView } from './entries.js';

/** A request the directory cannot answer as asked; `grpcStatus` is what the caller receives. */
export class DirectoryQueryError extends ComityError {
  constructor(
    readonly grpcStatus: status.NOT_FOUND | status.INVALID_ARGUMENT,
    message: string,
  ) {
    super(grpcStatus === status.NOT_FOUND ? 'DIRECTORY_NOT_FOUND' : 'DIRECTORY_INVALID_ARGUMENT', message);
  }
}

/** Page size when the request gives none, and the most one page holds. */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 500;

/** ISO 3166-1 alpha-2, case-insensitive on input; the directory holds upper case. */
function stateCode(value: string, field: string): string {
  const state = value.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(state)) {
    throw new DirectoryQueryError(status.INVALID_ARGUMENT, `${field} "${value}" is not an ISO 3166-1 alpha-2 code such as ES`);
  }
  return state;
}

const carriesType = (accepted: readonly RequestType[], requestType: RequestType) =>
  requestType === RequestType.REQUEST_TYPE_UNSPECIFIED || accepted.includes(requestType);

/**
 * Networks by id, filtered by kind, State (any membership status) and request type. The page
 * token is the last id of the previous page, so pages stay consistent across reloads.
 */
export function listNetworks(view: DirectoryView, request: ListNetworksRequest): ListNetworksResponse {
  const state = request.state === '' ? undefined : stateCode(request.state, 'state');
  const inState = state === undefined ? undefined : new Set(view.membershipsOfState(state).map((membership) => membership.network));
  let after = '';
  if (request.pageToken !== '') {
    after = Buffer.from(request.pageToken, 'base64url').toString('utf8');
    if (!/^[a-z][a-z0-9-]*$/.test(after)) throw new DirectoryQueryError(status.INVALID_ARGUMENT, 'page_token is not one this service gave');
  }
  const size = request.pageSize === 0 ? DEFAULT_PAGE_SIZE : Math.min(request.pageSize, MAX_PAGE_SIZE);
  const matching = view.networks.filter(
    (network) =>
      network.id > after &&
      (request.kind === NetworkKind.NETWORK_KIND_UNSPECIFIED || network.kind === request.kind) &&
      (inState === undefined || inState.has(network.id)) &&
      carriesType(network.acceptedRequestTypes, request.requestType),
  );
  const page = matching.slice(0, size);
  const last = page.at(-1);
  return ListNetworksResponse.fromPartial({
    networks: page,
    nextPageToken: matching.length > size && last ? Buffer.from(last.id, 'utf8').toString('base64url') : '',
  });
}

/** One network with its State memberships and contact points; NOT_FOUND for an unknown id. */
export function getNetwork(view: DirectoryView, request: GetNetworkRequest): GetNetworkResponse {
  const network = view.network(request.networkId);
  if (!network) throw new DirectoryQueryError(status.NOT_FOUND, `no network "${request.networkId}" in the directory`);
  return GetNetworkResponse.fromPartial({
    network,
    stateMemberships: [...view.membershipsOfNetwork(network.id)],
    contactPoints: [...view.contactPointsOfNetwork(network.id)],
  });
}

/**
 * The networks a State belongs to (as member or observer) with its status in each, and those
 * networks' contact points for it; with a request type, only the networks that carry it. The
 * directory holds no competent authorities yet, so that list is empty.
 */
export function resolveState(view: DirectoryView, request: ResolveStateRequest): ResolveStateResponse {
  const state = stateCode(request.state, 'state');
  const networks = view.membershipsOfState(state).flatMap((membership) => {
    const network = view.network(membership.network);
    return network && carriesType(network.acceptedRequestTypes, request.requestType) ? [{ network, status: membership.status }] : [];
  });
  const contactPoints = networks.flatMap(({ network }) => view.contactPointsOfNetwork(network.id).filter((contact) => contact.state === state));
  return ResolveStateResponse.fromPartial({ state, networks, contactPoints, competentAuthorities: [] });
}

/**
 * A network's public keys, optionally of one purpose. Unless `include_expired`, only the keys
 * usable at `now`: inside their validity window and not revoked (a key whose window has not
 * begun is not usable yet either).
 */
export function listPublicKeys(view: DirectoryView, request: ListPublicKeysRequest, now: Date): ListPublicKeysResponse {
  if (!view.network(request.networkId)) {
    throw new DirectoryQueryError(status.NOT_FOUND, `no network "${request.networkId}" in the directory`);
  }
  const keys = view
    .publicKeysOfNetwork(request.networkId)
    .filter((key) => request.purpose === KeyPurpose.KEY_PURPOSE_UNSPECIFIED || key.purpose === request.purpose)
    .filter((key) => request.includeExpired || usableAt(key, now));
  return ListPublicKeysResponse.fromPartial({ keys });
}

export function usableAt(key: NetworkPublicKey, at: Date): boolean {
  const time = at.getTime();
  if (key.notBefore && key.notBefore.getTime() > time) return false;
  if (key.notAfter && key.notAfter.getTime() <= time) return false;
  if (key.revokedAt && key.revokedAt.getTime() <= time) return false;
  return true;
}

export interface DirectoryServer {
  /** The port bound (the one asked for, or the one chosen for port 0). */
  readonly port: number;
  /** Stops taking calls; calls in progress finish (forced after `graceMs`). */
  close(graceMs?: number): Promise<void>;
}

/** Serves DirectoryService on host:port, answering each call from `view()` at that moment. */
export async function serveDirectory(options: {
  readonly host: string;
  readonly port: number;
  readonly view: () => DirectoryView;
  readonly logger: Logger;
  readonly now?: () => Date;
}): Promise<DirectoryServer> {
  const { logger } = options;
  const now = options.now ?? (() => new Date());
  const unary =
    <Request, Response>(method: string, answer: (view: DirectoryView, request: Request) => Response) =>
    (call: ServerUnaryCall<Request, Response>, callback: sendUnaryData<Response>) => {
      try {
        callback(null, answer(options.view(), call.request));
      } catch (error) {
        if (error instanceof DirectoryQueryError) {
          callback({ code: error.grpcStatus, details: error.message });
        } else {
          logger.error({ err: error, method }, 'directory call failed');
          callback({ code: status.INTERNAL, details: 'internal error' });
        }
      }
    };
  const implementation: DirectoryServiceServer = {
    listNetworks: unary('ListNetworks', listNetworks),
    getNetwork: unary('GetNetwork', getNetwork),
    resolveState: unary('ResolveState', resolveState),
    listPublicKeys: unary('ListPublicKeys', (view, request: ListPublicKeysRequest) => listPublicKeys(view, request, now())),
  };

  const server = new Server();
  server.addService(DirectoryServiceService, implementation);
  const address = options.host.includes(':') ? `[${options.host}]:${options.port}` : `${options.host}:${options.port}`;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  }).catch((cause: unknown) => {
    server.forceShutdown();
    throw new ComityError('GRPC_BIND_FAILED', `cannot serve gRPC on ${address}: ${(cause as Error).message}`, { cause });
  });

  let closing: Promise<void> | undefined;
  return {
    port,
    close(graceMs = 5000) {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      return closing;
    },
  };
}
