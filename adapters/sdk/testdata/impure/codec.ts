/** A codec that reads a file while decoding: the kit must refuse it. */
import type { IncomingMessage } from 'node:http';
import type { Codec } from '../../contract.js';
import { DecodeError } from '../../errors.js';
import { isNetworkId } from '../../../../core/kafka/topics.js';
import { lookUpState } from './lookup.js';

export const impureCodec: Codec = {
  decode(native) {
    const state = lookUpState(native.attributes.state ?? '');
    if (!isNetworkId(state)) throw new DecodeError('UNKNOWN_STATE', 'unknown state');
    return [];
  },
  encode() {
    throw new Error('not used');
  },
};

export type Unused = IncomingMessage;
