/**
 * SCRAM-SHA-512 users through Kafka's own Admin API (ScramUsers.java beside this file, run on
 * the Maven-resolved Kafka classpath): kafkajs cannot create SCRAM credentials, and Comity does
 * not implement SCRAM itself. Passwords travel on the child's stdin and in a 0600 file that is
 * removed at once, never on a command line and never in a log.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ComityError } from '../../core/errors.js';
import type { KafkaConfig } from '../../core/kafka/index.js';
import { installLocalKafka, writeSecretFile } from '../../deploy/kafka/local-broker.js';

const PROGRAM = join(dirname(fileURLToPath(import.meta.url)), 'ScramUsers.java');
/** SCRAM iterations for Comity's principals (Kafka's minimum is 4096). */
export const SCRAM_ITERATIONS = 8192;

export interface ScramUsers {
  /** Users that have a SCRAM-SHA-512 credential. */
  list(): Promise<Set<string>>;
  /** Creates or replaces the credentials of these users, in one request. */
  upsert(users: readonly { readonly name: string; readonly password: string }[]): Promise<void>;
}

/** SCRAM users of the cluster `kafka` names, managed as `kafka.sasl` (which must be allowed ALTER on the cluster). */
export function scramUsers(kafka: Pick<KafkaConfig, 'brokers' | 'sasl' | 'ssl'>): ScramUsers {
  const run = async (args: string[], input = ''): Promise<string> => {
    const libDir = await installLocalKafka();
    const dir = mkdtempSync(join(tmpdir(), 'comity-scram-'));
    try {
      const properties = join(dir, 'client.properties');
      writeSecretFile(properties, clientProperties(kafka));
      const { code, stdout, stderr } = await java(['-cp', `${libDir}/*`, PROGRAM, properties, ...args], input);
      if (code !== 0) {
        throw new ComityError('SCRAM_ADMIN_FAILED', `managing SCRAM users on ${kafka.brokers.join(',')} failed (exit ${code}): ${lastLines(stderr)}`, {
          retriable: /TimeoutException|DisconnectException/.test(stderr),
        });
      }
      return stdout;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  return {
    async list() {
      const output = await run(['list']);
      return new Set(output.split('\n').map((line) => line.trim()).filter(Boolean));
    },
    async upsert(users) {
      if (users.length === 0) return;
      for (const user of users) {
        if (/[\t\n]/.test(user.name + user.password)) throw new ComityError('CONFIG_INVALID', `user ${JSON.stringify(user.name)}: tab or newline in name or password`);
      }
      await run(['upsert', String(SCRAM_ITERATIONS)], users.map((user) => `${user.name}\t${user.password}\n`).join(''));
    },
  };
}

/** Java client properties for the admin connection (the same settings core/kafka uses). */
export function clientProperties(kafka: Pick<KafkaConfig, 'brokers' | 'sasl' | 'ssl'>): string {
  const lines = [`bootstrap.servers=${kafka.brokers.join(',')}`];
  if (kafka.sasl) {
    const mechanism = kafka.sasl.mechanism.toUpperCase();
    const module = mechanism === 'PLAIN' ? 'org.apache.kafka.common.security.plain.PlainLoginModule' : 'org.apache.kafka.common.security.scram.ScramLoginModule';
    lines.push(
      `security.protocol=${kafka.ssl ? 'SASL_SSL' : 'SASL_PLAINTEXT'}`,
      `sasl.mechanism=${mechanism}`,
      // Properties files read backslash escapes: double them.
      `sasl.jaas.config=${module} required username=${JSON.stringify(kafka.sasl.username)} password=${JSON.stringify(kafka.sasl.password)};`.replaceAll('\\', '\\\\'),
    );
  } else if (kafka.ssl) {
    lines.push('security.protocol=SSL');
  }
  return lines.join('\n') + '\n';
}

function java(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('java', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => resolve({ code: -1, stdout, stderr: `java: ${error.message}` }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

function lastLines(text: string, lines = 8): string {
  return text.trim().split('\n').filter((line) => !line.startsWith('\tat ')).slice(-lines).join('\n');
}
