/** `comity directory`: the federation's networks, their States and contact points. */
import type { Command } from 'commander';
import { readDirectory } from '../../ops/index.js';
import { cellText, clip, opsKafka, printJson, printTable, withJsonOption, withKafkaOptions, type KafkaOptions } from './output.js';

export function registerDirectoryCommand(program: Command): void {
  const directory = program
    .command('directory')
    .description('the federation directory from comity.directory: networks, member States, contact points (written by `comity run directory`)')
    .option('-n, --network <network>', 'only this network, with its State memberships and contact points');
  withKafkaOptions(directory);
  withJsonOption(directory, 'the networks');
  directory.action(async (options: KafkaOptions & { network?: string; json: boolean }) => {
    const { kafka } = opsKafka(options);
    const networks = await readDirectory(kafka, { network: options.network });
    if (options.json) return printJson(networks);
    const text = cellText;
    const lower = (value: unknown, prefix: string) => text(value).replace(prefix, '').toLowerCase().replaceAll('_', ' ');
    if (options.network === undefined) {
      printTable(
        ['network', 'name', 'kind', 'role', 'states', 'contact points'],
        networks.map(({ network, stateMemberships, contactPoints }) => [
          text(network.id),
          clip(text(network.name), 50),
          lower(network.kind, 'NETWORK_KIND_'),
          lower(network.role, 'FEDERATION_ROLE_'),
          String(stateMemberships.length),
          String(contactPoints.length),
        ]),
      );
      return;
    }
    for (const { network, stateMemberships, contactPoints } of networks) {
      const rows: [string, string][] = [
        ['network', `${text(network.id)}: ${text(network.name)}`],
        ['kind', lower(network.kind, 'NETWORK_KIND_')],
        ['role', lower(network.role, 'FEDERATION_ROLE_')],
        ['secretariat', text(network.secretariat)],
        ['legal basis', text(network.legalBasis)],
        ['languages', text(network.languages)],
        ['request types', text((network.acceptedRequestTypes as string[] | undefined)?.map((t) => t.replace('REQUEST_TYPE_', '').toLowerCase()))],
      ];
      const width = Math.max(...rows.map(([label]) => label.length));
      for (const [label, value] of rows) process.stdout.write(`${label.padEnd(width)}  ${value}\n`);
      process.stdout.write('\nStates:\n');
      printTable(['state', 'status', 'note'], stateMemberships.map((m) => [text(m.state), lower(m.status, 'MEMBERSHIP_STATUS_'), text(m.note)]));
      process.stdout.write('\ncontact points:\n');
      printTable(
        ['id', 'state', 'role', 'authority', 'email', 'languages'],
        contactPoints.map((c) => [text(c.id), text(c.state), text(c.role), text(c.name), text(c.email), text(c.languages)]),
      );
    }
  });
}
