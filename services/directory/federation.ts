/**
 * The federation: which networks take part, their member States, languages, legal traditions
 * and the request types each carries. Written by people in deploy/config/federation.yaml,
 * validated here (a mistake is refused with file, line and field), published by the directory
 * service, and used by the router to find routes.
 */
import { watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { z } from 'zod';
import { loadConfig } from '../../core/config.js';
import { buildKeyring, type Keyring, type PublicKeyEntry } from '../../core/crypto/keyring.js';
import { isCountryCode } from '../../core/reference/iso3166.js';
import { NETWORK_ID_PATTERN } from '../../core/kafka/topics.js';
import { RequestType } from '../../core/gen/comity/v1/request.js';

/** Request types as written in federation.yaml. */
export const REQUEST_TYPE_NAMES = {
  'mutual-legal-assistance': RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
  extradition: RequestType.REQUEST_TYPE_EXTRADITION,
  'european-investigation-order': RequestType.REQUEST_TYPE_EUROPEAN_INVESTIGATION_ORDER,
  'european-arrest-warrant': RequestType.REQUEST_TYPE_EUROPEAN_ARREST_WARRANT,
  'freezing-or-confiscation': RequestType.REQUEST_TYPE_FREEZING_OR_CONFISCATION,
  'joint-investigation-team': RequestType.REQUEST_TYPE_JOINT_INVESTIGATION_TEAM,
  'transfer-of-proceedings': RequestType.REQUEST_TYPE_TRANSFER_OF_PROCEEDINGS,
  'transfer-of-sentenced-persons': RequestType.REQUEST_TYPE_TRANSFER_OF_SENTENCED_PERSONS,
  'spontaneous-information': RequestType.REQUEST_TYPE_SPONTANEOUS_INFORMATION,
  'asset-tracing': RequestType.REQUEST_TYPE_ASSET_TRACING,
} as const;

export type RequestTypeName = keyof typeof REQUEST_TYPE_NAMES;

const requestTypeName = z.enum(Object.keys(REQUEST_TYPE_NAMES) as [RequestTypeName, ...RequestTypeName[]]);
/** ISO 3166-1 alpha-2, upper case; `XK` (Kosovo) is user-assigned but in common use. */
const stateCode = z.string().refine(isCountryCode, 'expected an assigned ISO 3166-1 alpha-2 code such as ES (XK for Kosovo)');
const languageTag = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'expected a BCP 47 language tag such as es or pt-BR');

export const contactPointSchema = z.object({
  id: z.string().min(1).describe('Stable id within the network, e.g. `es-1`.'),
  state: stateCode,
  role: z.string().min(1).describe('e.g. `central authority`, `focal point`, `contact point`.'),
  authority: z.string().min(1).describe('Institution, not a person: personal data stays out of the directory.'),
  email: z.email().optional(),
  languages: z.array(languageTag).default([]),
});

/** ISO 8601 date or date-time; YAML leaves both as strings (YAML 1.2 core schema). */
const instant = z
  .string()
  .refine(
    (value) => /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value) && !Number.isNaN(Date.parse(value)),
    'expected an ISO 8601 date or date-time with a zone, such as 2026-01-01 or 2026-01-01T00:00:00Z',
  );

/** Owner of the hub's keys in key lookups and directory entries (the hub's events' origin). */
export const HUB_OWNER = 'hub';

/** Raw 32-byte Ed25519 or X25519 public key, standard base64 (43 characters and one `=`). */
function isRawKeyBase64(value: string): boolean {
  return /^[A-Za-z0-9+/]{43}=?$/.test(value) && Buffer.from(value, 'base64').length === 32;
}

export const publicKeySchema = z
  .object({
    keyId: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'key ids are letters, digits, ".", "_", ":" and "-"')
      .describe('Quoted in `Signature.key_id` and `Seal.recipient_key_id`; unique within the network.'),
    purpose: z.enum(['signing', 'sealing']).describe('`signing`: Ed25519, verifies the events the network signs; `sealing`: X25519, others seal confidential bodies to it.'),
    publicKey: z.string().refine(isRawKeyBase64, 'expected the raw 32-byte public key in base64, e.g. 11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo='),
    notBefore: instant.optional().describe('Start of the validity window; unset means valid from the start.'),
    notAfter: instant.optional().describe('End of the validity window; unset means no end.'),
    revokedAt: instant
      .optional()
      .describe('Set when the key was compromised: from this instant nothing signed with it is accepted, whatever its date.'),
  })
  .refine((key) => key.notBefore === undefined || key.notAfter === undefined || Date.parse(key.notBefore) < Date.parse(key.notAfter), {
    path: ['notAfter'],
    message: 'notAfter must be later than notBefore',
  });

/** Raw bytes of a validated {@link publicKeySchema} `publicKey`. */
export function publicKeyBytes(publicKey: string): Buffer {
  return Buffer.from(publicKey, 'base64');
}

/** Where a process finds one of its private keys (a PKCS#8 PEM file, mode 0600). */
export const signingKeyConfig = z.object({
  keyId: z.string().min(1).describe('Key id, as declared with the public key in the federation file.'),
  privateKeyFile: z.string().min(1).describe('PKCS#8 PEM private key file (`comity keys generate` writes it, mode 0600).'),
});

export const networkSchema = z.object({
  id: z.string().regex(NETWORK_ID_PATTERN, 'network ids are lower-case letters, digits and "-"'),
  name: z.string().min(1),
  kind: z.enum(['judicial-network', 'agency', 'asset-recovery-network', 'centre-of-excellence', 'observer']),
  role: z.enum(['member', 'observer']).describe('Members exchange requests; observers receive public events only.'),
  secretariat: z.string().default(''),
  legalBasis: z.string().default(''),
  url: z.url().optional(),
  languages: z.array(languageTag).min(1),
  legalTraditions: z.array(z.enum(['civil', 'common', 'mixed', 'customary', 'islamic'])).default([]),
  members: z.array(stateCode).default([]).describe('Full member States.'),
  observers: z.array(stateCode).default([]).describe('States with observer or cooperating status.'),
  membersVerified: z.boolean().describe('True only where the member list itself was read in a cited source.'),
  accepts: z.array(requestTypeName).default([]).describe('Request types the network carries.'),
  contactPoints: z.array(contactPointSchema).default([]),
  publicKeys: z.array(publicKeySchema).default([]).describe('Signing and sealing keys; keys rotate with an overlapping validity window.'),
  sources: z.array(z.string().min(1)).min(1, 'cite at least one public source'),
  notes: z.string().optional(),
});

export const federationSchema = z
  .object({
    version: z.literal(1),
    networks: z.array(networkSchema).min(1),
    hub: z
      .object({
        publicKeys: z
          .array(publicKeySchema)
          .default([])
          .describe('The hub\'s signing keys: the router signs its receipts and the directory service its entries with them.'),
      })
      .prefault({})
      .describe('The hub itself (origin `hub`).'),
    routing: z
      .object({
        /**
         * When the two States share no network, the target State's networks are tried in
         * this order (the first that accepts the request type wins).
         */
        preference: z.array(z.string().regex(NETWORK_ID_PATTERN)).default([]),
      })
      .prefault({}),
  })
  .superRefine((federation, context) => {
    const seen = new Map<string, number>();
    federation.networks.forEach((network, index) => {
      if (network.id === HUB_OWNER) {
        context.addIssue({ code: 'custom', path: ['networks', index, 'id'], message: `"${HUB_OWNER}" is the hub's own id, not a network id` });
      }
      if (seen.has(network.id)) {
        context.addIssue({ code: 'custom', path: ['networks', index, 'id'], message: `duplicate network id "${network.id}"` });
      }
      seen.set(network.id, index);
      network.members.forEach((state, i) => {
        if (network.members.indexOf(state) !== i) {
          context.addIssue({ code: 'custom', path: ['networks', index, 'members', i], message: `${state} is listed twice` });
        }
      });
      // Ids become directory keys (`contact-point/<network>/<id>`): a repeated one would hide an entry.
      network.contactPoints.forEach((contact, i) => {
        if (network.contactPoints.findIndex((other) => other.id === contact.id) !== i) {
          context.addIssue({ code: 'custom', path: ['networks', index, 'contactPoints', i, 'id'], message: `contact point id "${contact.id}" is used twice` });
        }
      });
      network.publicKeys.forEach((key, i) => {
        if (network.publicKeys.findIndex((other) => other.keyId === key.keyId) !== i) {
          context.addIssue({ code: 'custom', path: ['networks', index, 'publicKeys', i, 'keyId'], message: `key id "${key.keyId}" is used twice` });
        }
      });
    });
    federation.hub.publicKeys.forEach((key, i) => {
      if (federation.hub.publicKeys.findIndex((other) => other.keyId === key.keyId) !== i) {
        context.addIssue({ code: 'custom', path: ['hub', 'publicKeys', i, 'keyId'], message: `key id "${key.keyId}" is used twice` });
      }
    });
    federation.routing.preference.forEach((id, index) => {
      if (!seen.has(id)) {
        context.addIssue({ code: 'custom', path: ['routing', 'preference', index], message: `unknown network "${id}"` });
      }
    });
  });

export type Federation = z.output<typeof federationSchema>;
export type FederationNetwork = z.output<typeof networkSchema>;
export type FederationContactPoint = z.output<typeof contactPointSchema>;
export type FederationPublicKey = z.output<typeof publicKeySchema>;

/** Reads and validates a federation file; throws ConfigError naming file, line and field. */
export function loadFederation(file: string, text?: string): Federation {
  return loadConfig(federationSchema, { file, text, env: {} });
}

/** Lookups over a federation, built once per version of the file. */
export interface FederationIndex {
  readonly federation: Federation;
  network(id: string): FederationNetwork | undefined;
  /** Member networks (role member) that count `state` among their full members. */
  networksOfState(state: string): FederationNetwork[];
  /** Position of a network in `routing.preference` (unlisted networks come after, by id). */
  preferenceRank(id: string): number;
  /** Every network's and the hub's public keys, by owner and key id. */
  readonly keyring: Keyring;
}

export function indexFederation(federation: Federation): FederationIndex {
  const byId = new Map(federation.networks.map((network) => [network.id, network]));
  const byState = new Map<string, FederationNetwork[]>();
  for (const network of federation.networks) {
    if (network.role !== 'member') continue;
    for (const state of network.members) byState.set(state, [...(byState.get(state) ?? []), network]);
  }
  const preference = federation.routing.preference;
  return {
    federation,
    keyring: federationKeyring(federation),
    network: (id) => byId.get(id),
    networksOfState: (state) => byState.get(state) ?? [],
    preferenceRank: (id) => {
      const rank = preference.indexOf(id);
      return rank === -1 ? preference.length : rank;
    },
  };
}

/** A public key of the federation file as a keyring entry. */
export function keyEntry(owner: string, key: FederationPublicKey): PublicKeyEntry {
  return {
    owner,
    keyId: key.keyId,
    purpose: key.purpose,
    publicKey: publicKeyBytes(key.publicKey),
    notBefore: key.notBefore === undefined ? undefined : new Date(key.notBefore),
    notAfter: key.notAfter === undefined ? undefined : new Date(key.notAfter),
    revokedAt: key.revokedAt === undefined ? undefined : new Date(key.revokedAt),
  };
}

/** The keys the federation file declares: each network's, and the hub's under `hub`. */
export function federationKeyring(federation: Federation): Keyring {
  return buildKeyring([
    ...federation.networks.flatMap((network) => network.publicKeys.map((key) => keyEntry(network.id, key))),
    ...federation.hub.publicKeys.map((key) => keyEntry(HUB_OWNER, key)),
  ]);
}

/** Does `network` carry requests of this type? Unknown types (sealed, unspecified) pass. */
export function carries(network: FederationNetwork, requestType: RequestType): boolean {
  if (requestType === RequestType.REQUEST_TYPE_UNSPECIFIED) return true;
  return network.accepts.some((name) => REQUEST_TYPE_NAMES[name] === requestType);
}

/**
 * The federation in a file, kept current: the file is re-read when it changes; a new version
 * that does not validate is reported and the previous one stays in force.
 *
 * The file's directory is watched, not the file: editors and deploy tools that save by writing
 * a new file and renaming it over the old one replace the inode a file watch is tied to.
 */
export function watchFederation(
  file: string,
  events: { onReload?: (index: FederationIndex) => void; onError?: (error: unknown) => void } = {},
): { current: () => FederationIndex; close: () => void } {
  let index = indexFederation(loadFederation(file));
  let timer: NodeJS.Timeout | undefined;
  const reload = () => {
    try {
      index = indexFederation(loadFederation(file));
      events.onReload?.(index);
    } catch (error) {
      events.onError?.(error);
    }
  };
  const name = basename(file);
  // Editors replace files in several steps; wait for them to settle.
  const watcher = watch(dirname(file), (_change, changed) => {
    if (changed !== null && changed !== name) return;
    clearTimeout(timer);
    timer = setTimeout(reload, 200);
  });
  // A watch that fails (the directory was removed) keeps the version in force.
  watcher.on('error', (error) => events.onError?.(error));
  return {
    current: () => index,
    close: () => {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
