/**
 * The directory service: publishes the federation file as directory entries on the compacted
 * `comity.directory` topic, and answers `comity.v1.DirectoryService` over gRPC.
 *
 * Only changes are published. At start the topic is read back to learn what it holds; then each
 * new or changed entry goes out as a `DirectoryEntryUpdated` event, and each entry this service
 * had published that the file no longer has goes out as a `DirectoryEntryRemoved` event
 * followed by a tombstone for the same key (same key, same partition, in that order). A
 * restart with an unchanged file publishes nothing.
 *
 * The file is watched: a valid new version is served over gRPC at once and its differences
 * published; an invalid one is logged (file, line, field) and the previous version stays in
 * force, on the topic and over gRPC. A failed publish is retried with back-off, and /readyz
 * reports it until the topic is in step again.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { z } from 'zod';
import { backoffDelay } from '../../core/backoff.js';
import { eventToRecord, HUB_ORIGIN } from '../../core/events/codec.js';
import { createEvent } from '../../core/events/create.js';
import { type DirectoryEntryKind, directoryEntryKindToJSON, DirectoryEntryRemoved, DirectoryEntryUpdated } from '../../core/gen/comity/v1/directory.js';
import { Classification, type Event } from '../../core/gen/comity/v1/event.js';
import { readPrivateKeyFile, type PrivateKey } from '../../core/crypto/keys.js';
import { signEvent } from '../../core/crypto/signing.js';
import {
  kafkaConfigSchema,
  tombstone,
  topics,
  topicSpec,
  type KafkaClient,
  type OutgoingRecord,
  type RecordProducer,
} from '../../core/kafka/index.js';
import type { Logger } from '../../core/log.js';
import { createMetricsRegistry, startStatusServer, type StatusServer } from '../../core/status.js';
import {
  DIRECTORY_SOURCE,
  diffDirectory,
  directoryEntries,
  directoryView,
  entryBytes,
  publishedEntries,
  type DirectoryDiff,
  type DirectoryEntry,
  type DirectoryView,
  type PublishedEntry,
} from './entries.js';
import { signingKeyConfig, watchFederation } from './federation.js';
import { serveDirectory, type DirectoryServer } from './grpc.js';

export const directoryConfigSchema = z.object({
  kafka: kafkaConfigSchema,
  federation: z.string().default('deploy/config/federation.yaml').describe('The federation file; changes are published without a restart.'),
  directory: z
    .object({
      grpcHost: z.string().default('127.0.0.1').describe('Address the gRPC DirectoryService listens on.'),
      grpcPort: z.number().int().min(0).max(65535).default(50051).describe('Port of the gRPC DirectoryService; 0 picks one.'),
      signingKey: signingKeyConfig
        .optional()
        .describe(
          'The hub\'s signing key (its public half under `hub.publicKeys` in the federation file). Adapters trust only directory entries signed with a hub key they pin, so without it they learn no keys from the directory.',
        ),
      statusHost: z.string().default('127.0.0.1'),
      statusPort: z.number().int().min(0).max(65535).default(0).describe('Port of /healthz, /readyz and /metrics; 0 picks one.'),
    })
    .prefault({}),
});

export type DirectoryConfig = z.output<typeof directoryConfigSchema>;

/** Loads the configured hub signing key, if any. */
export function directorySigner(config: DirectoryConfig): PrivateKey | undefined {
  const key = config.directory.signingKey;
  return key ? readPrivateKeyFile('signing', key.keyId, key.privateKeyFile) : undefined;
}

const RETRY = { initialMs: 500, maxMs: 30_000 };

export interface RunningDirectory {
  readonly grpcPort: number;
  readonly statusPort: number;
  /** The version being served. */
  view(): DirectoryView;
  /** Resolves once everything asked of the topic so far is published (or has failed). */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export async function startDirectory(options: {
  readonly kafka: KafkaClient;
  readonly federationFile: string;
  readonly logger: Logger;
  readonly grpcHost?: string;
  readonly grpcPort?: number;
  readonly statusHost?: string;
  readonly statusPort?: number;
  readonly registry?: Registry;
  /** Clock for key validity; tests pin it. */
  readonly now?: () => Date;
  /** The hub's signing key: every event the directory writes is signed with it. */
  readonly signer?: PrivateKey;
}): Promise<RunningDirectory> {
  const logger = options.logger.child({ component: 'directory' });
  const signer = options.signer;
  if (!signer) logger.warn('no hub signing key (directory.signingKey): entries are published unsigned and adapters will not trust the keys in them');
  const file = options.federationFile;
  const registry = options.registry ?? createMetricsRegistry({ process: 'directory' });
  const entriesGauge = new Gauge({
    name: 'comity_directory_entries',
    help: 'Directory entries this service has published and not removed, by kind.',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const reloads = new Counter({
    name: 'comity_directory_reloads_total',
    help: 'Changes of the federation file, by outcome: applied, or refused (invalid; the previous version stays).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const changes = new Counter({
    name: 'comity_directory_changes_published_total',
    help: 'Directory entries published, by change: updated (new or changed) or removed.',
    labelNames: ['change'] as const,
    registers: [registry],
  });

  // Loaded first, so a bad file is refused before anything connects.
  let wanted: Map<string, DirectoryEntry> = new Map();
  let view: DirectoryView = directoryView([]);
  const apply = (entries: Map<string, DirectoryEntry>) => {
    wanted = entries;
    view = directoryView(entries.values());
  };
  let started = false;
  const watcher = watchFederation(file, {
    onReload: (index) => {
      apply(directoryEntries(index.federation));
      reloads.inc({ outcome: 'applied' });
      logger.info({ file, networks: index.federation.networks.length }, 'federation reloaded');
      if (started) republish();
    },
    onError: (error) => {
      reloads.inc({ outcome: 'refused' });
      logger.error({ err: error, file }, 'federation file refused; keeping the previous version');
    },
  });
  apply(directoryEntries(watcher.current().federation));

  let producer: RecordProducer | undefined;
  let server: DirectoryServer | undefined;
  let status: StatusServer | undefined;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  let lastFailure: string | undefined;
  let published = new Map<string, PublishedEntry>();
  let queue: Promise<void> = Promise.resolve();

  const countEntries = () => {
    entriesGauge.reset();
    for (const entry of published.values()) {
      if (entry.source === DIRECTORY_SOURCE) entriesGauge.inc({ kind: kindLabel(entry.kind) });
    }
  };

  /** Publishes the difference between the topic and the file; one run at a time, in order. */
  const synchronize = (): Promise<void> => {
    const run = queue.then(async () => {
      if (stopped || !producer) return;
      const diff = diffDirectory(published, wanted);
      if (diff.updated.length + diff.removed.length > 0) {
        await producer.send(topics.directory, directoryRecords(diff, file, signer));
        published = applied(published, diff);
        changes.inc({ change: 'updated' }, diff.updated.length);
        changes.inc({ change: 'removed' }, diff.removed.length);
        countEntries();
        logger.info({ updated: diff.updated.length, removed: diff.removed.length }, 'directory published');
      }
      failures = 0;
      lastFailure = undefined;
    });
    queue = run.catch((error: unknown) => {
      failures += 1;
      lastFailure = (error as Error).message;
      const delay = backoffDelay(RETRY, failures);
      logger.error({ err: error, attempt: failures, retryInMs: delay }, 'publishing the directory failed; will retry');
      clearTimeout(retryTimer);
      if (!stopped) retryTimer = setTimeout(republish, delay);
    });
    return run;
  };
  /** A publish nobody waits for: its failure is logged and retried by {@link synchronize}. */
  const republish = () => void synchronize().catch(() => undefined);

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    watcher.close();
    clearTimeout(retryTimer);
    await queue;
    await server?.close();
    await producer?.disconnect();
    await status?.close();
    logger.info('directory stopped');
  };

  try {
    const admin = await options.kafka.admin();
    try {
      await admin.ensureTopics([topicSpec(topics.directory)]);
    } finally {
      await admin.disconnect();
    }
    const read = publishedEntries(await options.kafka.readToEnd(topics.directory));
    published = read.entries;
    if (read.skipped > 0) logger.warn({ skipped: read.skipped }, 'records on comity.directory that are not directory events were skipped');
    countEntries();
    producer = await options.kafka.producer();
    started = true;
    // The first publish must succeed: a directory that cannot write is not started.
    await synchronize();

    server = await serveDirectory({
      host: options.grpcHost ?? '127.0.0.1',
      port: options.grpcPort ?? 50051,
      view: () => view,
      logger,
      now: options.now,
    });
    status = await startStatusServer({
      host: options.statusHost,
      port: options.statusPort ?? 0,
      registry,
      readiness: {
        grpc: () => !stopped || 'stopped',
        published: () => lastFailure === undefined || `publishing failed: ${lastFailure}`,
      },
    });
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  logger.info({ grpcPort: server.port, statusPort: status.port, entries: wanted.size }, 'directory started');

  return {
    grpcPort: server.port,
    statusPort: status.port,
    view: () => view,
    settled: () => queue,
    stop,
  };
}

/** Each update as an event; each removal as a DirectoryEntryRemoved event, then a tombstone. */
export function directoryRecords(diff: DirectoryDiff, file: string, signer?: PrivateKey): OutgoingRecord[] {
  const signed = (event: Event) => eventToRecord(signer ? signEvent(event, signer) : event);
  const attributes = (key: string) => ({
    subject: key,
    source: DIRECTORY_SOURCE,
    originNetwork: HUB_ORIGIN,
    classification: Classification.CLASSIFICATION_PUBLIC,
  });
  return [
    ...diff.updated.map((entry) =>
      signed(createEvent(DirectoryEntryUpdated.fromPartial({ ...entry.update, changeNote: `federation file ${file}` }), attributes(entry.key))),
    ),
    ...diff.removed.flatMap(({ key, kind }) => [
      signed(createEvent(DirectoryEntryRemoved.fromPartial({ kind, key, reason: `no longer in the federation file ${file}` }), attributes(key))),
      tombstone(key),
    ]),
  ];
}

function applied(published: ReadonlyMap<string, PublishedEntry>, diff: DirectoryDiff): Map<string, PublishedEntry> {
  const next = new Map(published);
  for (const entry of diff.updated) next.set(entry.key, { kind: entry.kind, bytes: entryBytes(entry.update), source: DIRECTORY_SOURCE });
  for (const { key } of diff.removed) next.delete(key);
  return next;
}

/** `network`, `state_membership`, … for metric labels. */
function kindLabel(kind: DirectoryEntryKind): string {
  return directoryEntryKindToJSON(kind).replace(/^DIRECTORY_ENTRY_KIND_/, '').toLowerCase();
}
