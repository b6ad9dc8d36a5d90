/** `comity provision`: topics, SCRAM principals and least-privilege ACLs from the federation file. */
import type { Command } from 'commander';
import { join } from 'node:path';
import { z } from 'zod';
import { loadConfig } from '../../../core/config.js';
import { createKafkaClient, kafkaConfigSchema } from '../../../core/kafka/index.js';
import { createLogger } from '../../../core/log.js';
import { loadFederation } from '../../directory/federation.js';
import { accessPlan } from '../../provision/access.js';
import { provision, type ProvisionReport } from '../../provision/provision.js';
import { scramUsers } from '../../provision/scram.js';

interface ProvisionCliOptions {
  federation: string;
  credentialsDir: string;
  config?: string;
  dryRun?: boolean;
  json?: boolean;
}

export function registerProvisionCommand(program: Command): void {
  program
    .command('provision')
    .description(
      'create the topics, one SCRAM-SHA-512 principal per network adapter, hub service and observer, and their least-privilege ACLs; ' +
        'idempotent. Connects as the cluster admin given by KAFKA_BROKERS and COMITY_KAFKA__SASL__USERNAME / __PASSWORD ' +
        '(`comity kafka start` prints them for the local broker). Needs java and the Kafka jars (`comity kafka install`) for the SCRAM users.',
    )
    .option('--federation <file>', 'the federation file whose networks get principals', 'deploy/config/federation.yaml')
    .option('--credentials-dir <dir>', 'where each principal gets <principal>.env (mode 0600) with its generated password', join('.comity', 'credentials'))
    .option('-c, --config <file>', 'YAML file with a `kafka:` section for the admin connection; the environment overrides it')
    .option('--dry-run', 'print what would be created or removed, change nothing')
    .option('--json', 'print the report as JSON (never contains passwords)')
    .action(async (options: ProvisionCliOptions) => {
      const logger = createLogger({ name: 'provision', level: process.env.COMITY_LOG_LEVEL ?? 'warn' });
      const plan = accessPlan(loadFederation(options.federation));
      const { kafka: kafkaConfig } = loadConfig(z.object({ kafka: kafkaConfigSchema }), { file: options.config });
      const kafka = createKafkaClient({ ...kafkaConfig, clientId: 'comity-provision' }, logger);
      const report = await provision(plan, {
        kafka,
        scram: scramUsers(kafkaConfig),
        credentialsDir: options.credentialsDir,
        brokers: kafkaConfig.brokers,
        dryRun: options.dryRun ?? false,
        logger,
      });
      process.stdout.write(options.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report, plan.principals.length));
    });
}

function formatReport(report: ProvisionReport, principals: number): string {
  const verb = report.dryRun ? 'would ' : '';
  const lines = [
    `${report.dryRun ? 'dry run: ' : ''}${principals} principals`,
    `topics: ${verb}create ${report.topics.created.length}, ${report.topics.existing} exist${listed(report.topics.created)}`,
    `SCRAM users: ${verb}create or reset ${report.users.set.length}, keep ${report.users.kept.length}${listed(report.users.set)}`,
    `ACLs: ${verb}create ${report.acls.created.length}, ${verb}delete ${report.acls.deleted.length}, keep ${report.acls.kept}`,
    ...report.acls.created.map((acl) => `  + ${formatAcl(acl)}`),
    ...report.acls.deleted.map((acl) => `  - ${formatAcl(acl)}`),
  ];
  if (!report.dryRun) lines.push(`credentials: ${report.credentialsDir}/<principal>.env`);
  return lines.join('\n') + '\n';
}

function listed(names: readonly string[]): string {
  return names.length === 0 ? '' : `\n  ${names.join('\n  ')}`;
}

function formatAcl(acl: ProvisionReport['acls']['created'][number]): string {
  return `${acl.principal} ${acl.permission} ${acl.operation} ${acl.resourceType} ${acl.patternType === 'prefixed' ? `${acl.resourceName}*` : acl.resourceName}`;
}
