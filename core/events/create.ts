/**
 * Making events. {@link createEvent} is the one constructor: it stamps a UUIDv7 id and the
 * time, derives `type` from the body message, and serializes the body into `data`, so an
 * envelope can never name one type and carry another.
 */
import { Classification, Event, type LegalBasis, type Provenance, type Target } from '../gen/comity/v1/event.js';
import { RequestType } from '../gen/comity/v1/request.js';
import { ComityError, EventDecodeError } from '../errors.js';
import { bodyMessageType, type EventBody } from './bodies.js';
import { newEventId } from './ids.js';

export interface EventAttributes {
  /** The request id (or directory/statistics key) the event is about. */
  readonly subject: string;
  /** `comity://networks/<id>/<component>` or `comity://hub/<service>`. */
  readonly source: string;
  readonly originNetwork: string;
  /** ISO 3166-1 alpha-2 State of the requesting (or answering) authority. */
  readonly originState?: string;
  readonly targets?: readonly Partial<Target>[];
  readonly causationId?: string;
  readonly classification?: Classification;
  readonly legalBasis?: Partial<LegalBasis>;
  readonly language?: string;
  /** Kind of request the event is about; the router checks it against what the target accepts. */
  readonly requestType?: RequestType;
  readonly provenance?: Partial<Provenance>;
  readonly traceparent?: string;
  readonly extensions?: Readonly<Record<string, string>>;
  /** Defaults to now. */
  readonly time?: Date;
  /** Defaults to a new UUIDv7. */
  readonly id?: string;
}

export function createEvent(body: EventBody, attributes: EventAttributes): Event {
  const messageType = bodyMessageType(body.$type);
  return Event.fromPartial({
    id: attributes.id ?? newEventId(),
    source: attributes.source,
    type: body.$type,
    time: attributes.time ?? new Date(),
    subject: attributes.subject,
    originNetwork: attributes.originNetwork,
    originState: attributes.originState ?? '',
    targets: attributes.targets?.map((target) => ({ ...target })) ?? [],
    causationId: attributes.causationId ?? '',
    classification: attributes.classification ?? Classification.CLASSIFICATION_RESTRICTED,
    legalBasis: attributes.legalBasis,
    language: attributes.language ?? '',
    requestType: attributes.requestType ?? RequestType.REQUEST_TYPE_UNSPECIFIED,
    provenance: attributes.provenance,
    traceparent: attributes.traceparent ?? '',
    extensions: { ...attributes.extensions },
    data: Buffer.from(messageType.encode(body).finish()),
  });
}

/**
 * The body of an event, decoded according to its `type`. Throws {@link EventDecodeError}
 * (`EVENT_UNKNOWN_TYPE`, `EVENT_BODY_MALFORMED`) or, for a sealed body, a ComityError
 * `EVENT_SEALED`: only the recipient, holding the key, can open it.
 */
export function decodeBody(event: Event): EventBody {
  if (event.seal) {
    throw new ComityError('EVENT_SEALED', `event ${event.id} is sealed to ${event.seal.recipientNetwork}`);
  }
  let messageType;
  try {
    messageType = bodyMessageType(event.type);
  } catch (cause) {
    throw new EventDecodeError('EVENT_UNKNOWN_TYPE', (cause as Error).message, { cause });
  }
  try {
    return messageType.decode(event.data) as EventBody;
  } catch (cause) {
    throw new EventDecodeError('EVENT_BODY_MALFORMED', `event ${event.id}: data is not a valid ${event.type}: ${(cause as Error).message}`, {
      cause,
    });
  }
}
