import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Classification, Event } from '../gen/comity/v1/event.js';
import { RequestType } from '../gen/comity/v1/request.js';
import { buildKeyring, currentSealingKey, type PublicKeyEntry } from './keyring.js';
import { defaultKeyId, generateKey, readPrivateKeyFile, writePrivateKeyFile, type PrivateKey } from './keys.js';
import { openEvent, sealAad, sealEvent } from './sealing.js';
import { signEvent, signingInput, verifyEventSignature } from './signing.js';
import { EXAMPLE_EPHEMERAL_KEY, EXAMPLE_NONCE, EXAMPLE_SEALING_KEY, EXAMPLE_SIGNING_KEY, exampleEvent } from './testdata.js';

const entry = (owner: string, key: PrivateKey, window: Partial<PublicKeyEntry> = {}): PublicKeyEntry => ({
  owner,
  keyId: key.keyId,
  purpose: key.purpose,
  publicKey: key.publicKey,
  ...window,
});
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const codeOf = (action: () => unknown): string | undefined => {
  try {
    action();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('core/crypto: the worked example of docs/signing.md and docs/sealing.md', () => {
  const restricted = { ...exampleEvent(), classification: Classification.CLASSIFICATION_RESTRICTED };

  it('has the documented keys, signing input and signature', () => {
    expect(EXAMPLE_SIGNING_KEY.publicKey.toString('hex')).toBe('8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c');
    const input = signingInput(restricted, { algorithm: 'Ed25519', keyId: 'ejn:signing:example' });
    expect(input.length).toBe(537);
    expect(input.subarray(0, 31).toString('hex')).toBe('0000001b636f6d6974792e76312e4576656e742f7369676e61747572652f31');
    expect(sha256(input)).toBe('270905b2a1b6e03ae103ecfe627507bb390b55e6d154046b12d9f60cbdbe2794');
    // The hex printed in docs/signing.md is this input, byte for byte.
    const doc = readFileSync(new URL('../../docs/signing.md', import.meta.url), 'utf8');
    const block = /<!-- signing-input-hex[^>]*-->\n```\n([0-9a-f\n]+)```/.exec(doc)?.[1];
    expect(block?.replaceAll('\n', '')).toBe(input.toString('hex'));
    expect(Buffer.from(signEvent(restricted, EXAMPLE_SIGNING_KEY).signature!.value).toString('hex')).toBe(
      '5c62c30508315de6717e34b579e51f759326bfcb11a71de3db09313c161de6b36682a4be9d0d8352ac4077227ca20049e961b759d314ac9ef088159db945a60c',
    );
  });

  it('has the documented seal: keys, AAD, ciphertext, tag, and the signature over the sealed form', () => {
    expect(EXAMPLE_SEALING_KEY.publicKey.toString('hex')).toBe('ce8d3ad1ccb633ec7b70c17814a5c76ecd029685050d344745ba05870e587d59');
    expect(EXAMPLE_EPHEMERAL_KEY.publicKey.toString('hex')).toBe('5dfedd3b6bd47f6fa28ee15d969d5bb0ea53774d488bdaf9df1c6e0124b3ef22');
    const sealed = sealEvent(exampleEvent(), entry('iberred', EXAMPLE_SEALING_KEY), { nonce: EXAMPLE_NONCE, ephemeral: EXAMPLE_EPHEMERAL_KEY });
    const aad = sealAad(sealed, sealed.seal!);
    expect(aad.length).toBe(586);
    expect(sha256(aad)).toBe('6dcdfd7f12e024166725660d49be9045cd3d88e914097af2d6400ab7b27f50a2');
    expect(Buffer.from(sealed.data).toString('hex')).toBe('979adc7b6b160f07eec07ac7');
    expect(Buffer.from(sealed.seal!.tag).toString('hex')).toBe('3905cb44de04f4c424cd49faad0bb4bf');
    const signed = signEvent(sealed, EXAMPLE_SIGNING_KEY);
    expect(sha256(signingInput(signed, signed.signature!))).toBe('9ea571fff5ef58efa61e88adb7d2b680fdc7683b5439f0bb4e1ebf5da0446139');
    expect(Buffer.from(signed.signature!.value).toString('hex')).toBe(
      '176d7e4286b32b9c5381a2892e4378c0b45592eff3f107aa7faae2f32793b91b17d8f15a64759f5867c109ec378bfde1394c9a8875fc21a45dfcefb39be43e03',
    );
    expect(openEvent(signed, 'iberred', [EXAMPLE_SEALING_KEY]).data).toEqual(exampleEvent().data);
  });
});

describe('core/crypto/signing', () => {
  const signer = generateKey('signing', 'ejn:signing:1');
  const keyring = buildKeyring([entry('ejn', signer)]);
  const signed = signEvent(exampleEvent(), signer);

  it('verifies what it signed, also after a protobuf round trip', () => {
    expect(() => verifyEventSignature(signed, keyring)).not.toThrow();
    const decoded = Event.decode(Event.encode(signed).finish());
    expect(() => verifyEventSignature(decoded, keyring)).not.toThrow();
  });

  // Every field the signature covers, changed one at a time.
  const tampers: Record<string, (event: Event) => Event> = {
    id: (e) => ({ ...e, id: `${e.id}0` }),
    source: (e) => ({ ...e, source: 'comity://networks/ejn/other' }),
    type: (e) => ({ ...e, type: 'comity.v1.RequestRefused' }),
    time: (e) => ({ ...e, time: new Date(e.time!.getTime() + 1) }),
    subject: (e) => ({ ...e, subject: 'ejn:other' }),
    originState: (e) => ({ ...e, originState: 'FR' }),
    originNetwork: (e) => ({ ...e, originNetwork: 'iberred' }),
    'targets (state)': (e) => ({ ...e, targets: [{ ...e.targets[0]!, state: 'PE' }] }),
    'targets (network)': (e) => ({ ...e, targets: [{ ...e.targets[0]!, network: 'oas' }] }),
    'targets (authority)': (e) => ({ ...e, targets: [{ ...e.targets[0]!, authority: 'co/fgn' }] }),
    'targets (one more)': (e) => ({ ...e, targets: [...e.targets, { $type: 'comity.v1.Target', state: 'PE', network: '', authority: '' }] }),
    causationId: (e) => ({ ...e, causationId: '' }),
    classification: (e) => ({ ...e, classification: Classification.CLASSIFICATION_PUBLIC }),
    'legalBasis (instrument)': (e) => ({ ...e, legalBasis: { ...e.legalBasis!, instrument: 'UNCAC' } }),
    'legalBasis (article)': (e) => ({ ...e, legalBasis: { ...e.legalBasis!, article: '46' } }),
    'legalBasis (note)': (e) => ({ ...e, legalBasis: { ...e.legalBasis!, note: 'x' } }),
    language: (e) => ({ ...e, language: 'en' }),
    'provenance (format)': (e) => ({ ...e, provenance: { ...e.provenance!, nativeFormat: 'x' } }),
    'provenance (mapping)': (e) => ({ ...e, provenance: { ...e.provenance!, mappingVersion: '9' } }),
    'provenance (native digest)': (e) => ({ ...e, provenance: { ...e.provenance!, nativeSha256: Buffer.alloc(32, 0xac) } }),
    'provenance (native id)': (e) => ({ ...e, provenance: { ...e.provenance!, nativeId: 'msg-2' } }),
    requestType: (e) => ({ ...e, requestType: RequestType.REQUEST_TYPE_EXTRADITION }),
    traceparent: (e) => ({ ...e, traceparent: '00-1af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }),
    'extensions (value)': (e) => ({ ...e, extensions: { ...e.extensions, 'ejn.case': 'K 13/26' } }),
    'extensions (added)': (e) => ({ ...e, extensions: { ...e.extensions, 'ejn.x': '' } }),
    data: (e) => ({ ...e, data: Buffer.concat([e.data, Buffer.from([0])]) }),
    'signature key id': (e) => ({ ...e, signature: { ...e.signature!, keyId: 'ejn:signing:2' } }),
    'signature value': (e) => ({ ...e, signature: { ...e.signature!, value: Buffer.from(e.signature!.value).fill(7, 0, 1) } }),
  };
  for (const [field, tamper] of Object.entries(tampers)) {
    it(`detects a change of ${field}`, () => {
      const changed = tamper(signed);
      const ring = field === 'signature key id' ? buildKeyring([entry('ejn', signer), { ...entry('ejn', signer), keyId: 'ejn:signing:2' }]) : keyring;
      const code = codeOf(() => verifyEventSignature(changed, field === 'originNetwork' ? buildKeyring([entry('iberred', signer)]) : ring));
      expect(code).toBe('BAD_SIGNATURE');
    });
  }

  it('does not depend on the order extensions are stored in', () => {
    const reordered = { ...signed, extensions: Object.fromEntries(Object.entries(signed.extensions).reverse()) };
    expect(() => verifyEventSignature(reordered, keyring)).not.toThrow();
  });

  it('refuses the unsigned, the unknown key, another network\'s key, a sealing key and a wrong key', () => {
    expect(codeOf(() => verifyEventSignature(exampleEvent(), keyring))).toBe('SIGNATURE_MISSING');
    expect(codeOf(() => verifyEventSignature({ ...signed, signature: { ...signed.signature!, algorithm: 'RSA' } }, keyring))).toBe(
      'SIGNATURE_ALGORITHM_UNSUPPORTED',
    );
    expect(codeOf(() => verifyEventSignature(signed, buildKeyring([])))).toBe('UNKNOWN_KEY');
    expect(codeOf(() => verifyEventSignature(signed, buildKeyring([entry('iberred', signer)])))).toBe('UNKNOWN_KEY');
    expect(codeOf(() => verifyEventSignature(signed, buildKeyring([{ ...entry('ejn', signer), purpose: 'sealing' }])))).toBe('UNKNOWN_KEY');
    const other = generateKey('signing', 'ejn:signing:1');
    expect(codeOf(() => verifyEventSignature(signed, buildKeyring([entry('ejn', other)])))).toBe('BAD_SIGNATURE');
  });

  it('refuses a key outside its window and a revoked key, and accepts both keys of a rotation overlap', () => {
    const time = signed.time!.getTime();
    const at = (offset: number) => new Date(time + offset);
    expect(codeOf(() => verifyEventSignature(signed, buildKeyring([entry('ejn', signer, { notAfter: at(-1) })])))).toBe('KEY_NOT_VALID');
    expect(codeOf(() => verifyEventSignature(signed, buildKeyring([entry('ejn', signer, { notBefore: at(1) })])))).toBe('KEY_NOT_VALID');
    expect(codeOf(() => verifyEventSignature(signed, buildKeyring([entry('ejn', signer, { revokedAt: at(-10) })]), at(0)))).toBe('KEY_REVOKED');
    // Revocation counts from the moment of verification: a compromised key can backdate.
    expect(codeOf(() => verifyEventSignature(signed, buildKeyring([entry('ejn', signer, { revokedAt: at(10) })]), at(20)))).toBe('KEY_REVOKED');
    expect(codeOf(() => verifyEventSignature(signed, buildKeyring([entry('ejn', signer, { revokedAt: at(10) })]), at(5)))).toBeUndefined();

    const next = generateKey('signing', 'ejn:signing:2');
    const rotation = buildKeyring([entry('ejn', signer, { notAfter: at(1000) }), entry('ejn', next, { notBefore: at(-1000) })]);
    expect(() => verifyEventSignature(signed, rotation)).not.toThrow();
    expect(() => verifyEventSignature(signEvent(exampleEvent(), next), rotation)).not.toThrow();
  });
});

describe('core/crypto/sealing', () => {
  const recipient = generateKey('sealing', 'iberred:sealing:1');
  const recipientEntry = entry('iberred', recipient);
  const signer = generateKey('signing', 'ejn:signing:1');
  const keyring = buildKeyring([entry('ejn', signer), recipientEntry]);

  it('round-trips: sealed, signed, verified, opened', () => {
    const sealed = signEvent(sealEvent(exampleEvent(), recipientEntry), signer);
    expect(Buffer.from(sealed.data).equals(exampleEvent().data)).toBe(false);
    expect(sealed.seal).toMatchObject({ algorithm: 'X25519-HKDF-SHA256-AES-256-GCM', recipientNetwork: 'iberred', recipientKeyId: recipient.keyId });
    expect(sealed.seal!.nonce).toHaveLength(12);
    expect(sealed.seal!.tag).toHaveLength(16);
    expect(() => verifyEventSignature(sealed, keyring)).not.toThrow();
    const opened = openEvent(Event.decode(Event.encode(sealed).finish()), 'iberred', [recipient]);
    expect(Buffer.from(opened.data)).toEqual(exampleEvent().data);
    expect(opened.seal).toBeUndefined();
  });

  it('uses a fresh ephemeral key and nonce each time', () => {
    const a = sealEvent(exampleEvent(), recipientEntry);
    const b = sealEvent(exampleEvent(), recipientEntry);
    expect(Buffer.from(a.seal!.ephemeralPublicKey).equals(b.seal!.ephemeralPublicKey)).toBe(false);
    expect(Buffer.from(a.data).equals(b.data)).toBe(false);
  });

  it('does not open with another key, for another network, or once the body, seal or envelope changed', () => {
    const sealed = sealEvent(exampleEvent(), recipientEntry);
    const impostor = { ...generateKey('sealing', recipient.keyId) };
    expect(codeOf(() => openEvent(sealed, 'iberred', [impostor]))).toBe('SEAL_CANNOT_OPEN');
    expect(codeOf(() => openEvent(sealed, 'iberred', [generateKey('sealing', 'other')]))).toBe('SEAL_KEY_UNKNOWN');
    expect(codeOf(() => openEvent(sealed, 'ejn', [recipient]))).toBe('SEAL_NOT_FOR_US');
    expect(codeOf(() => openEvent({ ...sealed, seal: { ...sealed.seal!, algorithm: 'X' } }, 'iberred', [recipient]))).toBe('SEAL_ALGORITHM_UNSUPPORTED');
    const flip = (bytes: Uint8Array) => Buffer.from(bytes).fill(bytes[0]! ^ 1, 0, 1);
    expect(codeOf(() => openEvent({ ...sealed, data: flip(sealed.data) }, 'iberred', [recipient]))).toBe('SEAL_CANNOT_OPEN');
    expect(codeOf(() => openEvent({ ...sealed, seal: { ...sealed.seal!, tag: flip(sealed.seal!.tag) } }, 'iberred', [recipient]))).toBe('SEAL_CANNOT_OPEN');
    expect(codeOf(() => openEvent({ ...sealed, seal: { ...sealed.seal!, nonce: flip(sealed.seal!.nonce) } }, 'iberred', [recipient]))).toBe('SEAL_CANNOT_OPEN');
    expect(codeOf(() => openEvent({ ...sealed, seal: { ...sealed.seal!, ephemeralPublicKey: flip(sealed.seal!.ephemeralPublicKey) } }, 'iberred', [recipient]))).toBe(
      'SEAL_CANNOT_OPEN',
    );
    // The body moved to another event (another id or subject) does not open there.
    expect(codeOf(() => openEvent({ ...sealed, id: 'another' }, 'iberred', [recipient]))).toBe('SEAL_CANNOT_OPEN');
    expect(codeOf(() => openEvent({ ...sealed, subject: 'ejn:another' }, 'iberred', [recipient]))).toBe('SEAL_CANNOT_OPEN');
    expect(codeOf(() => openEvent({ ...sealed, targets: [] }, 'iberred', [recipient]))).toBe('SEAL_CANNOT_OPEN');
  });

  it('chooses the newest usable sealing key of a network', () => {
    const now = new Date('2026-11-27T12:00:00Z');
    const old = entry('iberred', generateKey('sealing', 'old'), { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2026-12-31T00:00:00Z') });
    const fresh = entry('iberred', generateKey('sealing', 'new'), { notBefore: new Date('2026-11-01T00:00:00Z') });
    const future = entry('iberred', generateKey('sealing', 'future'), { notBefore: new Date('2027-01-01T00:00:00Z') });
    const revoked = entry('iberred', generateKey('sealing', 'revoked'), { notBefore: new Date('2026-11-20T00:00:00Z'), revokedAt: now });
    const ring = buildKeyring([old, fresh, future, revoked, entry('iberred', signer)]);
    expect(currentSealingKey(ring, 'iberred', now)?.keyId).toBe('new');
    expect(currentSealingKey(ring, 'ejn', now)).toBeUndefined();
  });
});

describe('core/crypto/keys', () => {
  it('writes private key files 0600 that read back as the same key', () => {
    const key = generateKey('sealing', 'x');
    const file = join(mkdtempSync(join(tmpdir(), 'comity-keys-')), 'k.pem');
    writePrivateKeyFile(key, file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readPrivateKeyFile('sealing', 'x', file).publicKey).toEqual(key.publicKey);
    expect(codeOf(() => readPrivateKeyFile('signing', 'x', file))).toBe('KEY_INVALID');
    expect(defaultKeyId('ejn', 'signing', key.publicKey)).toMatch(/^ejn:signing:[0-9a-f]{8}$/);
  });
});
