/**
 * `comity provision` against a cluster: creates the federation's topics, a SCRAM user per
 * principal of the access plan (./access.ts), and exactly the plan's ACLs for those principals.
 * Idempotent: run it again after every change of the federation file. What it changes:
 * - topics that do not exist are created (existing ones are left as they are);
 * - a principal with a credentials file and a SCRAM user keeps both; one without a user gets
 *   one with the password of its file, or a new random password written to
 *   `<credentialsDir>/<principal>.env` (mode 0600). Passwords are never logged or printed;
 * - ACLs of the plan that are missing are created; ACLs of Comity's principals that the plan
 *   does not contain (a removed network, an older plan) are deleted.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { topicSpec, type AclBinding, type KafkaClient } from '../../core/kafka/index.js';
import type { Logger } from '../../core/log.js';
import { writeSecretFile } from '../../deploy/kafka/local-broker.js';
import { aclBindings, bindingKey, isComityPrincipal, type AccessPlan } from './access.js';
import type { ScramUsers } from './scram.js';

export interface ProvisionOptions {
  /** A client with the cluster admin's credentials (CREATE, ALTER and DESCRIBE on the cluster). */
  readonly kafka: KafkaClient;
  readonly scram: ScramUsers;
  /** Where `<principal>.env` files are kept; created with mode 0700. */
  readonly credentialsDir: string;
  /** Bootstrap servers written into the credentials files. */
  readonly brokers: readonly string[];
  /** Compute and report, change nothing. */
  readonly dryRun?: boolean;
  /**
   * Also delete the ACLs of Comity principals that are not in the plan (networks removed from
   * the federation). Default true; false limits changes to the plan's own principals.
   */
  readonly prune?: boolean;
  readonly logger: Logger;
}

export interface ProvisionReport {
  readonly dryRun: boolean;
  readonly topics: { readonly created: readonly string[]; readonly existing: number };
  readonly users: { readonly set: readonly string[]; readonly kept: readonly string[] };
  readonly acls: { readonly created: readonly AclBinding[]; readonly deleted: readonly AclBinding[]; readonly kept: number };
  readonly credentialsDir: string;
}

export async function provision(plan: AccessPlan, options: ProvisionOptions): Promise<ProvisionReport> {
  const dryRun = options.dryRun ?? false;
  const admin = await options.kafka.admin();
  try {
    // Topics.
    const existingTopics = new Set(await admin.listTopics());
    const missingTopics = plan.topics.filter((topic) => !existingTopics.has(topic));
    if (!dryRun && missingTopics.length > 0) await admin.ensureTopics(missingTopics.map((topic) => topicSpec(topic)));
    options.logger.info({ created: missingTopics.length, dryRun }, 'topics');

    // Users.
    const users = await options.scram.list();
    const created: string[] = [];
    const kept: string[] = [];
    const upserts: { name: string; password: string }[] = [];
    if (!dryRun) mkdirSync(options.credentialsDir, { recursive: true, mode: 0o700 });
    for (const principal of plan.principals) {
      const file = credentialsFile(options.credentialsDir, principal.name);
      const known = existsSync(file) ? readCredentials(file).password : undefined;
      if (known !== undefined && users.has(principal.name)) {
        kept.push(principal.name);
        continue;
      }
      created.push(principal.name);
      const password = known ?? randomBytes(24).toString('base64url');
      upserts.push({ name: principal.name, password });
      if (!dryRun && known === undefined) writeSecretFile(file, credentialsEnv(options.brokers, principal.name, password));
    }
    if (!dryRun) await options.scram.upsert(upserts);
    options.logger.info({ set: created.length, kept: kept.length, dryRun }, "SCRAM users created or reset");

    // ACLs.
    const wanted = aclBindings(plan);
    const wantedKeys = new Set(wanted.map(bindingKey));
    const planned = new Set(plan.principals.map((principal) => `User:${principal.name}`));
    const managed = (principal: string) => planned.has(principal) || ((options.prune ?? true) && isComityPrincipal(principal));
    const existing = (await admin.describeAcls()).filter((binding) => managed(binding.principal));
    const existingKeys = new Set(existing.map(bindingKey));
    const toCreate = wanted.filter((binding) => !existingKeys.has(bindingKey(binding)));
    const toDelete = existing.filter((binding) => !wantedKeys.has(bindingKey(binding)));
    if (!dryRun) {
      await admin.createAcls(toCreate);
      await admin.deleteAcls(toDelete);
    }
    options.logger.info({ created: toCreate.length, deleted: toDelete.length, dryRun }, 'ACLs');

    return {
      dryRun,
      topics: { created: missingTopics, existing: plan.topics.length - missingTopics.length },
      users: { set: created, kept },
      acls: { created: toCreate, deleted: toDelete, kept: wanted.length - toCreate.length },
      credentialsDir: options.credentialsDir,
    };
  } finally {
    await admin.disconnect();
  }
}

export function credentialsFile(dir: string, principal: string): string {
  return join(dir, `${principal}.env`);
}

/** A principal's credentials as environment variables that `loadConfig` reads. */
export function credentialsEnv(brokers: readonly string[], username: string, password: string): string {
  return [
    `# Kafka credentials of the Comity principal ${username}; keep this file private.`,
    `KAFKA_BROKERS=${brokers.join(',')}`,
    'COMITY_KAFKA__SASL__MECHANISM=scram-sha-512',
    `COMITY_KAFKA__SASL__USERNAME=${username}`,
    `COMITY_KAFKA__SASL__PASSWORD=${password}`,
    '',
  ].join('\n');
}

/** Reads a credentials file written by {@link credentialsEnv}. */
export function readCredentials(file: string): { username?: string; password?: string } {
  const values = new Map<string, string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) values.set(match[1] as string, match[2] as string);
  }
  return { username: values.get('COMITY_KAFKA__SASL__USERNAME'), password: values.get('COMITY_KAFKA__SASL__PASSWORD') };
}
