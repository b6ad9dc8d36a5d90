/**
 * `comity audit …`: check the hub's audit log (`verify`), copy it to a file for checking
 * elsewhere (`export`), and `comity run audit`, the service that writes it.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../../../core/config.js';
import { keyUsableAt } from '../../../core/crypto/keyring.js';
import { publicKeyFromRaw } from '../../../core/crypto/keys.js';
import { ComityError } from '../../../core/errors.js';
import { createKafkaClient, kafkaConfigSchema, topics, type KafkaClient } from '../../../core/kafka/index.js';
import { createLogger } from '../../../core/log.js';
import { ChainVerifier, fixedKeys, type CheckpointKeys, type VerifySummary } from '../../audit/chain.js';
import { auditConfigSchema, loadAuditKey, startAudit } from '../../audit/service.js';
import { federationKeyring, HUB_OWNER, loadFederation, watchFederation } from '../../directory/federation.js';

/** One line of an export file: the record's offset on the topic, its key, its value in base64. */
interface ExportLine {
  readonly offset: string;
  readonly key: string;
  readonly value: string;
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description("check and export the hub's hash-chained audit log (docs/audit.md)");

  audit
    .command('verify')
    .description('recompute every hash and sequence of the audit chain, check checkpoint signatures, name the first broken link (exit 0 intact, 1 broken)')
    .option('--topic <topic>', 'audit topic to read', topics.audit)
    .option('--file <file>', 'verify an export file (`comity audit export`) instead of the topic')
    .option('--public-key <key>', "the hub's audit public key: raw 32 bytes in base64, or a PEM file; `<key-id>=<key>` binds it to a key id; repeatable", collect, [])
    .option('--federation <file>', "take the hub's signing keys (hub.publicKeys) from this federation file")
    .option('--json', 'print the result as JSON')
    .option('-c, --config <file>', 'YAML file with a `kafka:` section (credentials); KAFKA_BROKERS and COMITY_* override it')
    .action(async (options: { topic: string; file?: string; publicKey: string[]; federation?: string; json?: boolean; config?: string }) => {
      const keys = checkpointKeys(options.publicKey, options.federation);
      const source = options.file ?? options.topic;
      const verifier = new ChainVerifier(keys);
      const started = Date.now();
      if (options.file) {
        const lines = readExport(options.file);
        const progress = progressReporter(options.json === true);
        lines.forEach((line, index) => {
          verifier.push(line.offset, Buffer.from(line.value, 'base64'));
          progress(index + 1, lines.length);
        });
      } else {
        const kafka = kafkaFromConfig(options.config, 'comity-audit-verify');
        if (!options.json) process.stderr.write(`reading ${source}…\n`);
        const records = await readAuditTopic(kafka, options.topic);
        const progress = progressReporter(options.json === true);
        records.forEach((record, index) => {
          verifier.push(record.offset, record.value);
          progress(index + 1, records.length);
        });
      }
      const summary = verifier.summary();
      report(source, summary, keys !== undefined, Date.now() - started, options.json === true);
      process.exitCode = summary.broken ? 1 : 0;
    });

  audit
    .command('export')
    .description('copy the audit topic to a file (JSON lines: offset, key, base64 value) that `comity audit verify --file` or a partner can check offline')
    .requiredOption('--out <file>', 'file to write; an existing file is not overwritten')
    .option('--topic <topic>', 'audit topic to read', topics.audit)
    .option('-c, --config <file>', 'YAML file with a `kafka:` section (credentials); KAFKA_BROKERS and COMITY_* override it')
    .action(async (options: { out: string; topic: string; config?: string }) => {
      if (existsSync(options.out)) throw new ComityError('FILE_EXISTS', `${options.out} exists; choose another file`);
      const kafka = kafkaFromConfig(options.config, 'comity-audit-export');
      const records = await readAuditTopic(kafka, options.topic);
      const out = createWriteStream(options.out, { flags: 'wx' });
      for (const record of records) {
        const line: ExportLine = { offset: record.offset, key: record.key?.toString('utf8') ?? '', value: (record.value ?? Buffer.alloc(0)).toString('base64') };
        if (!out.write(`${JSON.stringify(line)}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      }
      await new Promise<void>((resolve, reject) => {
        out.once('error', reject);
        out.end(() => resolve());
      });
      process.stdout.write(`comity: ${records.length} audit records of ${options.topic} written to ${options.out}\n`);
    });
}

/** `comity run audit`: the audit service. */
export function registerAuditRunCommand(run: Command, stopOnSignal: (stop: () => Promise<void>) => Promise<void>): void {
  run
    .command('audit')
    .description("append every routing decision, refusal, disclosure and delivery to comity.audit as a signed hash chain, exactly once")
    .requiredOption('-c, --config <file>', 'YAML config file with `audit.signingKey` (docs/audit.md); KAFKA_BROKERS and COMITY_* override it')
    .action(async (options: { config: string }) => {
      const config = loadConfig(auditConfigSchema, { file: options.config });
      const logger = createLogger({ name: 'audit' });
      const key = loadAuditKey(config.audit.signingKey);
      // Set once the service runs.
      const networksChanged: { handle?: () => void } = {};
      const federation = watchFederation(config.federation, {
        onReload: () => {
          logger.info({ file: config.federation }, 'federation reloaded');
          networksChanged.handle?.();
        },
        onError: (error) => logger.error({ err: error }, 'federation file refused; keeping the previous version'),
      });
      const audit = await startAudit({
        kafka: createKafkaClient({ ...config.kafka, clientId: `comity-audit-${config.audit.instanceId}` }, logger),
        federation: federation.current,
        logger,
        key,
        instanceId: config.audit.instanceId,
        groupId: config.audit.groupId,
        topic: config.audit.topic,
        policy: { everyFacts: config.audit.checkpointEvery, everyMs: config.audit.checkpointIntervalMs },
        statusHost: config.audit.statusHost,
        statusPort: config.audit.statusPort,
        onFenced: (error) => {
          process.stderr.write(`comity: ${error.message} [${error.code}]\n`);
          federation.close();
          process.exit(3);
        },
      });
      networksChanged.handle = () => void audit.refreshNetworks().catch((error: unknown) => logger.error({ err: error }, 'could not audit the new networks'));
      // A reload during the start was not seen by the service; this is a no-op otherwise.
      networksChanged.handle();
      process.stdout.write(`comity: audit running (sequence ${audit.head().sequence}, key ${key.keyId}, status on port ${audit.statusPort})\n`);
      await stopOnSignal(async () => {
        await audit.stop();
        federation.close();
      });
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function kafkaFromConfig(file: string | undefined, clientId: string): KafkaClient {
  const config = loadConfig(z.object({ kafka: kafkaConfigSchema }), { file });
  return createKafkaClient({ ...config.kafka, clientId }, createLogger({ name: clientId }));
}

/** Every record of the audit topic; a topic that does not exist is an error, not an empty chain. */
async function readAuditTopic(kafka: KafkaClient, topic: string) {
  const admin = await kafka.admin();
  try {
    if (!(await admin.listTopics()).includes(topic)) throw new ComityError('AUDIT_TOPIC_MISSING', `topic ${topic} does not exist (or this principal may not describe it)`);
  } finally {
    await admin.disconnect();
  }
  return kafka.readToEnd(topic);
}

/** The audit keys to check signatures with, or undefined when none were given. */
function checkpointKeys(publicKeys: readonly string[], federationFile: string | undefined): CheckpointKeys | undefined {
  if (federationFile) {
    const keyring = federationKeyring(loadFederation(federationFile));
    const hubKeys = keyring.keysOf(HUB_OWNER).filter((entry) => entry.purpose === 'signing');
    if (hubKeys.length === 0) throw new ComityError('AUDIT_NO_KEY', `${federationFile} declares no hub signing key (hub.publicKeys)`);
    const now = new Date();
    return {
      find(keyId, recordedAt) {
        const entry = hubKeys.find((candidate) => candidate.keyId === keyId);
        if (!entry) return `checkpoint signed with key "${keyId}", which ${federationFile} does not declare under hub.publicKeys`;
        if (!keyUsableAt(entry, recordedAt ?? now, now)) return `key "${keyId}" was not valid at ${recordedAt?.toISOString() ?? '(no time)'}, or has been revoked`;
        return [keyring.keyObject(entry)];
      },
    };
  }
  if (publicKeys.length === 0) return undefined;
  const keys = new Map<string, KeyObject>();
  for (const given of publicKeys) {
    const match = /^([A-Za-z0-9][A-Za-z0-9._:-]*)=(.+)$/.exec(given);
    keys.set(match ? match[1]! : '*', parsePublicKey(match ? match[2]! : given));
  }
  return fixedKeys(keys);
}

/** Raw base64, or a file holding raw base64 or a PEM key (public, or private: its public half). */
function parsePublicKey(value: string): KeyObject {
  const text = existsSync(value) ? readFileSync(value, 'utf8').trim() : value.trim();
  try {
    if (text.startsWith('-----BEGIN')) {
      const key = createPublicKey(text);
      if (key.asymmetricKeyType !== 'ed25519') throw new Error(`an ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
      return key;
    }
    return publicKeyFromRaw('signing', Buffer.from(text, 'base64'));
  } catch (cause) {
    throw new ComityError('AUDIT_KEY_INVALID', `--public-key ${value}: not an Ed25519 public key (${(cause as Error).message})`, { cause });
  }
}

function readExport(file: string): ExportLine[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ComityError('FILE_UNREADABLE', `cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      try {
        const parsed = JSON.parse(line) as Partial<ExportLine>;
        if (typeof parsed.value !== 'string') throw new Error('no "value"');
        return { offset: String(parsed.offset ?? index), key: String(parsed.key ?? ''), value: parsed.value };
      } catch (cause) {
        throw new ComityError('AUDIT_EXPORT_INVALID', `${file}:${index + 1}: not an export line (${(cause as Error).message})`, { cause });
      }
    });
}

/** A progress line on stderr at most once a second, for long runs. */
function progressReporter(quiet: boolean): (done: number, total: number) => void {
  let last = Date.now();
  return (done, total) => {
    if (quiet || Date.now() - last < 1000) return;
    last = Date.now();
    process.stderr.write(`verified ${done}/${total} records (${Math.floor((done * 100) / Math.max(total, 1))}%)\n`);
  };
}

function report(source: string, summary: VerifySummary, keysGiven: boolean, ms: number, json: boolean): void {
  if (json) {
    const { head, ...rest } = summary;
    process.stdout.write(
      `${JSON.stringify({ source, intact: !summary.broken, ...rest, head: { sequence: head.sequence, hash: head.hash.toString('hex') }, signaturesChecked: keysGiven, ms })}\n`,
    );
    return;
  }
  const counts = `${summary.records} records (${summary.facts} facts, ${summary.checkpoints} checkpoints)`;
  if (summary.broken) {
    const link = summary.broken;
    process.stdout.write(
      `comity audit verify: ${source}: BROKEN at offset ${link.offset}, sequence ${link.sequence ?? '?'} (expected ${link.expectedSequence}): ${link.detail}\n` +
        `  ${counts} before it are intact.\n`,
    );
    return;
  }
  const signatures = keysGiven
    ? `${summary.checkpointsVerified} checkpoint signatures verified, last signed sequence ${summary.lastSignedSequence}`
    : 'checkpoint signatures NOT checked (give --public-key or --federation)';
  process.stdout.write(
    `comity audit verify: ${source}: intact, ${counts}, head ${summary.head.sequence} ${summary.head.hash.toString('hex')}; ${signatures}; ` +
      `${summary.unsignedFacts} facts after the last checkpoint are chained but not yet signed (${ms} ms).\n`,
  );
}
