/**
 * The transport-layer receipts: they say where an event went, not what anyone decided. No
 * receipt is ever made about one of them (two networks would exchange receipts for ever).
 *
 * A module of its own, importing nothing, so that codecs can use it and stay pure.
 */
export const TRANSPORT_RECEIPT_TYPES: ReadonlySet<string> = new Set([
  'comity.v1.RequestRelayed',
  'comity.v1.RequestDelivered',
  'comity.v1.RequestNotDelivered',
  'comity.v1.RequestRetrieved',
]);
