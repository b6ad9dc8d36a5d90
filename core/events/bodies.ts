/**
 * The event bodies: every message that may travel in `Event.data`, by its full name. This is
 * the one registry; the schema marks the same messages with `option (event_body) = true` and
 * a unit test keeps the two equal, so a new body is added in the .proto and here.
 */
import {
  DirectoryEntryRemoved,
  DirectoryEntryUpdated,
} from '../gen/comity/v1/directory.js';
import { ExperienceShared, TrainingAnnounced } from '../gen/comity/v1/experience.js';
import {
  AdditionalInformationProvided,
  AdditionalInformationRequested,
  OnwardTransferConsented,
  RequestAcknowledged,
  RequestDelivered,
  RequestExecuted,
  RequestNotDelivered,
  RequestPartiallyExecuted,
  RequestPostponed,
  RequestRecognised,
  RequestRefused,
  RequestRelayed,
  RequestRetrieved,
  RequestSubmitted,
  RequestWithdrawn,
} from '../gen/comity/v1/lifecycle.js';
import { StatisticsReport } from '../gen/comity/v1/stats.js';
import { RequestTracked } from '../gen/comity/v1/tracking.js';
import type { MessageType } from '../gen/typeRegistry.js';

const BODY_TYPES = [
  // Transport layer of the request lifecycle.
  RequestSubmitted,
  RequestRelayed,
  RequestDelivered,
  RequestNotDelivered,
  RequestRetrieved,
  // Legal layer.
  RequestAcknowledged,
  AdditionalInformationRequested,
  AdditionalInformationProvided,
  RequestRecognised,
  RequestPostponed,
  RequestExecuted,
  RequestPartiallyExecuted,
  RequestRefused,
  RequestWithdrawn,
  OnwardTransferConsented,
  // The tracker's record of a request.
  RequestTracked,
  // Directory, statistics, shared experience.
  DirectoryEntryUpdated,
  DirectoryEntryRemoved,
  StatisticsReport,
  ExperienceShared,
  TrainingAnnounced,
] as const;

/** Any event body, discriminated by `$type` (its full protobuf name). */
export type EventBody = ReturnType<(typeof BODY_TYPES)[number]['create']>;
export type EventBodyType = EventBody['$type'];

const byName: ReadonlyMap<string, MessageType> = new Map(
  BODY_TYPES.map((messageType) => [messageType.$type, messageType as unknown as MessageType]),
);

/** Full names of all body messages, e.g. `comity.v1.RequestSubmitted`. */
export const EVENT_BODY_TYPES: readonly EventBodyType[] = BODY_TYPES.map((messageType) => messageType.$type);

export function isEventBodyType(name: string): name is EventBodyType {
  return byName.has(name);
}

/** The generated codec of a body type; throws a RangeError for a name that is not a body. */
export function bodyMessageType(name: string): MessageType {
  const messageType = byName.get(name);
  if (!messageType) throw new RangeError(`"${name}" is not an event body type`);
  return messageType;
}


export { TRANSPORT_RECEIPT_TYPES } from './receipts.js';
