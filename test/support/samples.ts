/**
 * Fully populated sample messages for any type of the schema, built by reflection over the
 * .proto files: every field set to a non-default value, every branch of every oneof covered by
 * some variant. A round trip that loses a field therefore shows up as a difference.
 *
 * Samples are in the proto3 JSON mapping, ready for ts-proto's `fromJSON`.
 */
import protobuf from 'protobufjs';
import { loadSchema } from '../../core/schema.js';

const MAX_DEPTH = 8;
const TIMESTAMP = '.google.protobuf.Timestamp';

/** How many variants cover every oneof branch reachable from `typeName`. */
export function variantCount(typeName: string): number {
  const root = loadSchema();
  const seen = new Set<string>();
  const widest = (type: protobuf.Type, depth: number): number => {
    if (depth > MAX_DEPTH || seen.has(type.fullName)) return 1;
    seen.add(type.fullName);
    let count = Math.max(1, ...type.oneofsArray.map((oneof) => oneof.fieldsArray.length));
    for (const field of type.fieldsArray) {
      if (field.resolvedType instanceof protobuf.Type && field.resolvedType.fullName !== TIMESTAMP) {
        count = Math.max(count, widest(field.resolvedType, depth + 1));
      }
    }
    return count;
  };
  return widest(root.lookupType(typeName), 0);
}

/** Variant `variant` of a sample of `typeName`: the oneofs take branch `variant % size`. */
export function sampleJson(typeName: string, variant = 0): Record<string, unknown> {
  return sampleOf(loadSchema().lookupType(typeName), variant, 0);
}

function sampleOf(type: protobuf.Type, variant: number, depth: number): Record<string, unknown> {
  const chosen = new Set(
    type.oneofsArray.map((oneof) => oneof.fieldsArray[variant % oneof.fieldsArray.length]?.name),
  );
  const sample: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    if (field.partOf && !chosen.has(field.name)) continue;
    if (field.resolvedType instanceof protobuf.Type && depth >= MAX_DEPTH) continue;
    const value = (index: number) => scalarOrMessage(field, variant, depth, index);
    if (field.map) {
      sample[field.name] = { [`${field.name}-key`]: value(0) };
    } else if (field.repeated) {
      sample[field.name] = [value(0), value(1)];
    } else {
      sample[field.name] = value(0);
    }
  }
  return sample;
}

function scalarOrMessage(field: protobuf.Field, variant: number, depth: number, index: number): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) {
    const names = Object.keys(resolved.values).filter((name) => resolved.values[name] !== 0);
    return names[(variant + index) % names.length];
  }
  if (resolved instanceof protobuf.Type) {
    if (resolved.fullName === TIMESTAMP) return new Date(Date.UTC(2026, 10, 27, 10, index, variant)).toISOString();
    return sampleOf(resolved, variant, depth + 1);
  }
  switch (field.type) {
    case 'string':
      return `${field.name} ${variant}.${index} — é ñ ç`;
    case 'bool':
      return true;
    case 'bytes':
      return Buffer.from(`${field.name}:${variant}:${index}`).toString('base64');
    case 'double':
    case 'float':
      return 1.5 + index;
    default:
      // int32, int64, uint32, uint64, sint*, fixed*, sfixed*
      return 42 + index + variant;
  }
}
