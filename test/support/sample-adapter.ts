/**
 * A small, complete adapter for tests: the fictional "sample" network sends JSON requests over
 * HTTP. Real codec, real HTTP transport; only the native format is made up.
 *
 *   { "reference": "S-1", "kind": "request" | "acknowledgement", "to": "ES", "summary": "...",
 *     "requestId": "<hub request id, for acknowledgements>",
 *     "via": "<target network, optional>", "confidential": true | false }
 *
 * A confidential message becomes a CONFIDENTIAL event, which the runtime seals to `via` (or,
 * for an acknowledgement, to the network the request came from).
 */
import { z } from 'zod';
import { RequestAcknowledged, RequestSubmitted } from '../../core/gen/comity/v1/lifecycle.js';
import { RequestType } from '../../core/gen/comity/v1/request.js';
import { Classification } from '../../core/gen/comity/v1/event.js';
import { defineAdapter, type EventDraft, type NativeMessage } from '../../adapters/sdk/contract.js';
import { DecodeError, EncodeError } from '../../adapters/sdk/errors.js';
import { httpTransport, httpTransportConfig } from '../../adapters/sdk/transports/http.js';

const nativeSchema = z.object({
  reference: z.string().min(1),
  kind: z.enum(['request', 'acknowledgement']),
  to: z.string().length(2).optional(),
  summary: z.string().default(''),
  requestId: z.string().optional(),
  via: z.string().optional(),
  confidential: z.boolean().default(false),
});

export function sampleAdapter(network = 'sample') {
  return defineAdapter({
    network,
    nativeFormat: 'sample-json',
    mappingVersion: '1.0.0',
    summary: 'A fictional JSON-over-HTTP network used by the tests',
    config: httpTransportConfig,
    codec: {
      decode(native: NativeMessage): EventDraft[] {
        let json: unknown;
        try {
          json = JSON.parse(native.body.toString('utf8'));
        } catch (cause) {
          throw new DecodeError('NOT_JSON', `not JSON: ${(cause as Error).message}`, undefined, { cause });
        }
        const parsed = nativeSchema.safeParse(json);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new DecodeError('INVALID_MESSAGE', issue?.message ?? 'invalid', `/${issue?.path.join('/') ?? ''}`);
        }
        const message = parsed.data;
        const classification = message.confidential ? Classification.CLASSIFICATION_CONFIDENTIAL : Classification.CLASSIFICATION_RESTRICTED;
        if (message.kind === 'request') {
          return [
            {
              subject: `${network}:${message.reference}`,
              body: RequestSubmitted.fromPartial({
                request: {
                  requestId: `${network}:${message.reference}`,
                  nativeReference: message.reference,
                  requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
                  summaryOfFacts: message.summary,
                },
              }),
              targets: message.to ? [{ state: message.to, network: message.via ?? '' }] : [],
              classification,
              requestType: RequestType.REQUEST_TYPE_MUTUAL_LEGAL_ASSISTANCE,
              language: 'en',
              nativeId: message.reference,
            },
          ];
        }
        if (!message.requestId) throw new DecodeError('MISSING_REQUEST_ID', 'an acknowledgement needs requestId', '/requestId');
        return [
          {
            subject: message.requestId,
            body: RequestAcknowledged.fromPartial({ executingReference: message.reference }),
            nativeId: message.reference,
            classification,
            targets: message.via ? [{ state: '', network: message.via }] : [],
          },
        ];
      },
      encode(event, body): NativeMessage | null {
        // The sample network's system keeps no record of transport receipts.
        if (body.$type === 'comity.v1.RequestRelayed' || body.$type === 'comity.v1.RequestDelivered') return null;
        if (body.$type === 'comity.v1.RequestAcknowledged') {
          const acknowledgement = { reference: body.executingReference, kind: 'acknowledgement', requestId: event.subject, summary: '' };
          return { body: Buffer.from(JSON.stringify(acknowledgement)), contentType: 'application/json', attributes: {} };
        }
        if (body.$type !== 'comity.v1.RequestSubmitted') {
          throw new EncodeError('UNSUPPORTED_TYPE', `the sample network does not take ${body.$type}`);
        }
        const native = {
          reference: body.request?.nativeReference ?? event.subject,
          kind: 'request',
          to: event.targets[0]?.state,
          summary: body.request?.summaryOfFacts ?? '',
          requestId: event.subject,
        };
        return { body: Buffer.from(JSON.stringify(native)), contentType: 'application/json', attributes: {} };
      },
    },
    createTransport: (config, context) => httpTransport(config, context),
  });
}
