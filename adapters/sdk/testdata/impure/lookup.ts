/** Looks a state up in a file: I/O that has no place in a codec. */
import { readFileSync } from 'node:fs';

export function lookUpState(code: string): string {
  return readFileSync(`/etc/states/${code}`, 'utf8');
}
