/**
 * What the benchmark moves: EJN's e-CODEX MLA request (the German request to Colombia of the
 * end-to-end test), made unique per request by its reference, and — for the bare relay and
 * kcat — the Kafka record the EJN adapter makes of it (same key, value and headers).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ejnEcodexAdapter } from '../adapters/ejn-ecodex/index.js';
import { TRANSPORT_ATTRIBUTES } from '../adapters/ejn-ecodex/codec.js';
import { eventToRecord } from '../core/events/codec.js';
import { createEvent } from '../core/events/create.js';
import type { ValueRecord } from '../core/kafka/records.js';

const FIXTURE = resolve('adapters/ejn-ecodex/fixtures/mla-de-co-untoc.xml');
const FIXTURE_REFERENCE = 'DE-STA-F-2026-RH-0088';
export const EJN_PARTY = 'EJN-COMITY';

// Not confidential: a confidential event is sealed to its target network, and an EJN request
// names a State, not a network (the adapter refuses it with SEAL_RECIPIENT_UNKNOWN).
const template = readFileSync(FIXTURE, 'utf8').replace('confidential="true"', 'confidential="false"');

/** The native XML of request `index` of run `run`: a request id no other run uses. */
export function nativeRequest(run: string, index: number): string {
  return template.replaceAll(FIXTURE_REFERENCE, `BENCH-${run}-${index}`);
}

/** The inbound record the EJN adapter publishes for `nativeRequest(run, index)`. */
export function inboundRecord(run: string, index: number): ValueRecord {
  const body = Buffer.from(nativeRequest(run, index));
  const [draft] = ejnEcodexAdapter.codec.decode({
    body,
    contentType: 'application/xml',
    attributes: { [TRANSPORT_ATTRIBUTES.party]: EJN_PARTY },
  });
  if (!draft) throw new Error('the EJN fixture gave no event');
  return eventToRecord(
    createEvent(draft.body, {
      ...draft,
      source: 'comity://networks/ejn/adapter',
      originNetwork: 'ejn',
      provenance: { nativeFormat: 'ejn-ecodex-xml', mappingVersion: '1.0.0', nativeSha256: Buffer.alloc(32), nativeId: draft.nativeId ?? '' },
    }),
  );
}
