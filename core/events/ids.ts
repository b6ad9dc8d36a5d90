/** Event ids are UUIDv7: unique without coordination and sortable by creation time. */
import { v7 as uuidv7, validate, version } from 'uuid';

export function newEventId(): string {
  return uuidv7();
}

export function isEventId(value: string): boolean {
  return validate(value) && version(value) === 7;
}
