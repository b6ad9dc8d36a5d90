/**
 * The canonical schema at run time, by reflection over the .proto files (protobufjs): for
 * tools that must handle any message by name — decoding a body for `comity tail`, listing
 * the messages marked as event bodies, generating samples in tests. Typed code uses the
 * ts-proto output in core/gen instead.
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

export const PROTO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'proto');
const PROTOBUFJS_ROOT = dirname(createRequire(import.meta.url).resolve('protobufjs/package.json'));
const PACKAGE_DIR = join('comity', 'v1');

let cached: protobuf.Root | undefined;

/** All files of `comity.v1`, loaded and resolved once per process. */
export function loadSchema(): protobuf.Root {
  if (cached) return cached;
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) =>
    target.startsWith('google/') ? join(PROTOBUFJS_ROOT, target) : join(PROTO_ROOT, target);
  const files = readdirSync(join(PROTO_ROOT, PACKAGE_DIR))
    .filter((file) => file.endsWith('.proto'))
    .map((file) => join(PACKAGE_DIR, file));
  root.loadSync(files);
  root.resolveAll();
  cached = root;
  return root;
}

/** Every message type in the schema, depth first. */
export function allMessageTypes(root: protobuf.Root = loadSchema()): protobuf.Type[] {
  const types: protobuf.Type[] = [];
  const visit = (namespace: protobuf.NamespaceBase): void => {
    for (const nested of namespace.nestedArray) {
      if (nested instanceof protobuf.Type) types.push(nested);
      if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) visit(nested);
    }
  };
  visit(root);
  return types;
}

/** Full names (without the leading dot) of the messages marked `option (event_body) = true`. */
export function markedEventBodies(root: protobuf.Root = loadSchema()): string[] {
  return allMessageTypes(root)
    .filter((type) => type.options?.['(event_body)'] === true)
    .map((type) => type.fullName.replace(/^\./, ''));
}
