/**
 * Keys for tests: every test network gets an Ed25519 signing key and an X25519 sealing key, the
 * hub a signing key, all written as PEM files (0600) in a temporary directory. With them a test
 * signs (and seals) what it produces, writes a federation file that declares the public keys,
 * configures the router's and adapters' `trust`, and publishes the keys on comity.directory the
 * way the directory service does (hub-signed), so adapters find them.
 *
 *   const keys = testKeys([europe, americas]);
 *   writeFileSync(federationFile, keys.federationYaml(yamlText));     // + publicKeys, hub keys
 *   router config:  router: { signingKey: keys.hubKeyConfig() }
 *   adapter config: trust: keys.adapterTrust(network)
 *   await keys.publishToDirectory(kafka);                            // before adapters verify
 *   await producer.send(topic, [keys.record(event)]);                 // signed as event.originNetwork
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { buildKeyring, type PublicKeyEntry } from '../../core/crypto/keyring.js';
import { defaultKeyId, generateKey, writePrivateKeyFile, type KeyPurposeName, type PrivateKey } from '../../core/crypto/keys.js';
import { sealEvent } from '../../core/crypto/sealing.js';
import { signEvent } from '../../core/crypto/signing.js';
import { eventToRecord, HUB_ORIGIN } from '../../core/events/codec.js';
import { createEvent } from '../../core/events/create.js';
import { DirectoryEntryUpdated, KeyPurpose } from '../../core/gen/comity/v1/directory.js';
import { Classification, type Event } from '../../core/gen/comity/v1/event.js';
import { topics, topicSpec, type KafkaClient, type ValueRecord } from '../../core/kafka/index.js';
import { directoryKey } from '../../services/directory/entries.js';

/** `source` of the key entries tests publish; no directory service ever removes them. */
export const TEST_KEYS_SOURCE = 'comity://hub/test-keys';

interface KeyFile {
  readonly key: PrivateKey;
  readonly file: string;
}

export interface FederationKeyYaml {
  keyId: string;
  purpose: KeyPurposeName;
  publicKey: string;
  notBefore: string;
}

export interface NetworkKeys {
  readonly signing: KeyFile;
  readonly sealing: KeyFile;
}

export interface TestKeys {
  readonly dir: string;
  readonly hub: KeyFile;
  network(id: string): NetworkKeys;
  /** Every public key (networks' and the hub's), as the router and adapters would trust them. */
  readonly entries: readonly PublicKeyEntry[];
  /** `event` signed with the key of its origin network (the hub's for origin `hub`). */
  sign: (event: Event) => Event;
  /** `event` sealed to `recipient`'s sealing key, then signed by its origin. */
  seal: (event: Event, recipient: string) => Event;
  /** `eventToRecord(sign(event))`; a confidential event is sealed to its target network first. */
  record: (event: Event) => ValueRecord;
  /** `{ keyId, privateKeyFile }` of the hub's signing key: `router.signingKey`, `directory.signingKey`. */
  hubKeyConfig(): { keyId: string; privateKeyFile: string };
  /** The `trust:` section of an adapter config for `network`. */
  adapterTrust(network: string): {
    signingKey: { keyId: string; privateKeyFile: string };
    sealingKeys: { keyId: string; privateKeyFile: string }[];
    hubKeys: { keyId: string; purpose: 'signing'; publicKey: string }[];
  };
  /** `publicKeys` of `network` (or of the hub, for `hub`) as in the federation file, for `federationSchema.parse`. */
  federationKeys(owner: string): FederationKeyYaml[];
  /** `federationYaml` text with `publicKeys` set for every network of these keys, and `hub.publicKeys`. */
  federationYaml(federationYaml: string): string;
  /** Publishes every network's public keys on comity.directory, signed by the hub, as the directory service does. */
  publishToDirectory(kafka: KafkaClient): Promise<void>;
}

export function testKeys(networks: readonly string[], options: { notBefore?: Date } = {}): TestKeys {
  const dir = mkdtempSync(join(tmpdir(), 'comity-keys-'));
  const make = (owner: string, purpose: KeyPurposeName): KeyFile => {
    const draft = generateKey(purpose, 'draft');
    const key = { ...draft, keyId: defaultKeyId(owner, purpose, draft.publicKey) };
    const file = join(dir, `${owner}-${purpose}.pem`);
    writePrivateKeyFile(key, file);
    return { key, file };
  };
  const hub = make(HUB_ORIGIN, 'signing');
  const byNetwork = new Map(networks.map((id) => [id, { signing: make(id, 'signing'), sealing: make(id, 'sealing') }]));
  // Valid from a little in the past: events stamped by a clock a bit behind still verify.
  const notBefore = options.notBefore ?? new Date(Date.now() - 24 * 3_600_000);
  const entry = (owner: string, { key }: KeyFile): PublicKeyEntry => ({ owner, keyId: key.keyId, purpose: key.purpose, publicKey: key.publicKey, notBefore });
  const entries = [entry(HUB_ORIGIN, hub), ...[...byNetwork].flatMap(([id, keys]) => [entry(id, keys.signing), entry(id, keys.sealing)])];
  const keyring = buildKeyring(entries);
  const network = (id: string): NetworkKeys => {
    const keys = byNetwork.get(id);
    if (!keys) throw new Error(`no test keys for network "${id}" (have: ${[...byNetwork.keys()].join(', ')})`);
    return keys;
  };
  const signerOf = (origin: string) => (origin === HUB_ORIGIN ? hub.key : network(origin).signing.key);
  const sign = (event: Event) => signEvent(event, signerOf(event.originNetwork));
  const seal = (event: Event, recipient: string) => {
    const sealing = keyring.keysOf(recipient).find((candidate) => candidate.purpose === 'sealing');
    if (!sealing) throw new Error(`no sealing key for "${recipient}"`);
    return sign(sealEvent(event, sealing));
  };
  const yamlKey = ({ key }: KeyFile): FederationKeyYaml => ({
    keyId: key.keyId,
    purpose: key.purpose,
    publicKey: key.publicKey.toString('base64'),
    notBefore: notBefore.toISOString(),
  });

  return {
    dir,
    hub,
    network,
    entries,
    sign,
    seal,
    record: (event) => {
      const recipient = event.targets.find((target) => target.network)?.network;
      const confidential = event.classification === Classification.CLASSIFICATION_CONFIDENTIAL && recipient && !event.seal;
      return eventToRecord(confidential ? seal(event, recipient) : sign(event));
    },
    federationKeys: (owner) => (owner === HUB_ORIGIN ? [yamlKey(hub)] : [yamlKey(network(owner).signing), yamlKey(network(owner).sealing)]),
    hubKeyConfig: () => ({ keyId: hub.key.keyId, privateKeyFile: hub.file }),
    adapterTrust(id) {
      const keys = network(id);
      return {
        signingKey: { keyId: keys.signing.key.keyId, privateKeyFile: keys.signing.file },
        sealingKeys: [{ keyId: keys.sealing.key.keyId, privateKeyFile: keys.sealing.file }],
        hubKeys: [{ keyId: hub.key.keyId, purpose: 'signing' as const, publicKey: hub.key.publicKey.toString('base64') }],
      };
    },
    federationYaml(text) {
      const document = parseDocument(text);
      const list = document.get('networks') as { items: { get(key: string): unknown; set(key: string, value: unknown): void }[] } | undefined;
      for (const item of list?.items ?? []) {
        const keys = byNetwork.get(String(item.get('id')));
        if (keys) item.set('publicKeys', document.createNode([yamlKey(keys.signing), yamlKey(keys.sealing)]));
      }
      document.set('hub', document.createNode({ publicKeys: [yamlKey(hub)] }));
      return document.toString();
    },
    async publishToDirectory(kafka) {
      const records = entries.map((key) =>
        eventToRecord(
          signEvent(
            createEvent(
              DirectoryEntryUpdated.fromPartial({
                networkPublicKey: {
                  network: key.owner,
                  keyId: key.keyId,
                  purpose: key.purpose === 'signing' ? KeyPurpose.KEY_PURPOSE_SIGNING : KeyPurpose.KEY_PURPOSE_SEALING,
                  publicKey: key.publicKey,
                  notBefore: key.notBefore,
                },
                changeNote: 'test keys',
              }),
              {
                subject: directoryKey.networkPublicKey(key.owner, key.keyId),
                source: TEST_KEYS_SOURCE,
                originNetwork: HUB_ORIGIN,
                classification: Classification.CLASSIFICATION_PUBLIC,
              },
            ),
            hub.key,
          ),
        ),
      );
      const admin = await kafka.admin();
      try {
        await admin.ensureTopics([topicSpec(topics.directory)]);
      } finally {
        await admin.disconnect();
      }
      const producer = await kafka.producer();
      try {
        await producer.send(topics.directory, records);
      } finally {
        await producer.disconnect();
      }
    },
  };
}
