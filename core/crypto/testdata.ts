/**
 * The worked example of docs/signing.md and docs/sealing.md: fixed keys (from seeds), a fixed
 * event, a fixed ephemeral key and nonce. Used by the unit tests, which check the documented
 * hex values, so the docs cannot drift from the code.
 */
import { Classification, Event } from '../gen/comity/v1/event.js';
import { RequestType } from '../gen/comity/v1/request.js';
import { privateKeyFromSeed } from './keys.js';

const seed = (byte: number) => Buffer.alloc(32, byte);

export const EXAMPLE_SIGNING_KEY = privateKeyFromSeed('signing', 'ejn:signing:example', seed(0x01));
export const EXAMPLE_SEALING_KEY = privateKeyFromSeed('sealing', 'iberred:sealing:example', seed(0x02));
export const EXAMPLE_EPHEMERAL_KEY = privateKeyFromSeed('sealing', 'ephemeral', seed(0x03));
export const EXAMPLE_NONCE = Buffer.from('000102030405060708090a0b', 'hex');

/** `data` of the example: the bytes of a small RequestAcknowledged body. */
export const EXAMPLE_DATA = Buffer.from('0a0a43452d323032362d3031', 'hex');

export function exampleEvent(): Event {
  return Event.fromPartial({
    id: '0195c0aa-1b2c-7d3e-8f40-5a6b7c8d9e0f',
    source: 'comity://networks/ejn/adapter',
    type: 'comity.v1.RequestAcknowledged',
    time: new Date('2026-11-27T10:00:00.123Z'),
    subject: 'ejn:DE-STA-F-2026-RH-0088',
    originState: 'DE',
    originNetwork: 'ejn',
    targets: [{ state: 'CO', network: 'iberred', authority: '' }],
    causationId: '0195c0aa-0000-7000-8000-000000000001',
    classification: Classification.CLASSIFICATION_CONFIDENTIAL,
    legalBasis: { instrument: 'UNTOC', article: '18', note: '' },
    language: 'de',
    provenance: { nativeFormat: 'ecodex-xml', mappingVersion: '1.2.0', nativeSha256: Buffer.alloc(32, 0xab), nativeId: 'msg-1' },
    requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    extensions: { 'ejn.conversation': 'c-1', 'ejn.case': 'K 12/26' },
    data: EXAMPLE_DATA,
  });
}
