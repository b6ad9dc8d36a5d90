/**
 * The federation `comity up` runs: the federation file given (deploy/config/federation.yaml by
 * default) with the public keys of the hub and the seed networks added, written to
 * <state>/federation.yaml at each start. The private keys are generated once, on the first
 * start, into <state>/keys (PKCS#8 PEM, mode 0600) and reused afterwards, so a second start
 * verifies what the first one signed.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { defaultKeyId, generateKey, readPrivateKeyFile, writePrivateKeyFile, type KeyPurposeName } from '../../../core/crypto/index.js';
import { loadFederation } from '../../directory/federation.js';

/** Where a process finds one of its private keys (the `privateKeyConfig` shape). */
export interface KeyRef {
  readonly keyId: string;
  readonly privateKeyFile: string;
}

export interface LocalFederation {
  /** The federation file to give every process. */
  readonly file: string;
  /** The hub's signing key (router receipts, directory entries). */
  readonly hubSigning: KeyRef;
  /** The hub signing key's public half, as adapters pin it (`trust.hubKeys`). */
  readonly hubPublicKey: { readonly keyId: string; readonly purpose: 'signing'; readonly publicKey: string };
  /** The hub's audit key (signed checkpoints of the audit chain), also under hub.publicKeys. */
  readonly auditSigning: KeyRef;
  /** Each seed network's signing and sealing keys. */
  readonly networks: Readonly<Record<string, Readonly<Record<KeyPurposeName, KeyRef>>>>;
}

/** `<owner>.<purpose>.pem` in `keysDir`, created when missing; its key id in `<owner>.<purpose>.id`. */
function ensureKey(keysDir: string, owner: string, purpose: KeyPurposeName): KeyRef & { publicKey: string } {
  const pem = join(keysDir, `${owner}.${purpose}.pem`);
  const idFile = join(keysDir, `${owner}.${purpose}.id`);
  if (existsSync(pem) && existsSync(idFile)) {
    const keyId = readFileSync(idFile, 'utf8').trim();
    const key = readPrivateKeyFile(purpose, keyId, pem);
    return { keyId, privateKeyFile: pem, publicKey: key.publicKey.toString('base64') };
  }
  const draft = generateKey(purpose, 'pending');
  const keyId = defaultKeyId(owner, purpose, draft.publicKey);
  writePrivateKeyFile({ ...draft, keyId }, pem);
  writeFileSync(idFile, `${keyId}\n`);
  return { keyId, privateKeyFile: pem, publicKey: draft.publicKey.toString('base64') };
}

/**
 * Writes <stateDir>/federation.yaml: `source` plus the keys of the hub and of `networks`.
 * Keys the source already declares for a network are kept; ours are added beside them.
 */
export function prepareLocalFederation(stateDir: string, source: string, networks: readonly string[]): LocalFederation {
  const keysDir = join(stateDir, 'keys');
  mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  type KeyList = { keyId: string; purpose: KeyPurposeName; publicKey: string }[];
  const federation = parse(readFileSync(source, 'utf8')) as { hub?: { publicKeys?: KeyList }; networks: { id: string; publicKeys?: KeyList }[] };
  const hub = ensureKey(keysDir, 'hub', 'signing');
  const refs: Record<string, Record<KeyPurposeName, KeyRef>> = {};
  const declare = (holder: { publicKeys?: KeyList }, key: KeyRef & { publicKey: string }, purpose: KeyPurposeName) => {
    holder.publicKeys = [...(holder.publicKeys ?? []).filter((entry) => entry.keyId !== key.keyId), { keyId: key.keyId, purpose, publicKey: key.publicKey }];
  };
  const audit = ensureKey(keysDir, 'hub-audit', 'signing');
  federation.hub ??= {};
  declare(federation.hub, hub, 'signing');
  declare(federation.hub, audit, 'signing');
  for (const id of networks) {
    const network = federation.networks.find((entry) => entry.id === id);
    if (!network) continue;
    const signing = ensureKey(keysDir, id, 'signing');
    const sealing = ensureKey(keysDir, id, 'sealing');
    refs[id] = { signing, sealing };
    declare(network, signing, 'signing');
    declare(network, sealing, 'sealing');
  }
  const file = join(stateDir, 'federation.yaml');
  const text = `# Written by \`comity up\` at each start from ${source}, with the keys in ${keysDir}.\n${stringify(federation, { lineWidth: 0 })}`;
  loadFederation(file, text);
  writeFileSync(file, text);
  return {
    file,
    hubSigning: { keyId: hub.keyId, privateKeyFile: hub.privateKeyFile },
    hubPublicKey: { keyId: hub.keyId, purpose: 'signing', publicKey: hub.publicKey },
    auditSigning: { keyId: audit.keyId, privateKeyFile: audit.privateKeyFile },
    networks: refs,
  };
}
