/** `comity adapter …`: start a new network's adapter, and list the adapters this build can run. */
import type { Command } from 'commander';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ComityError } from '../../../core/errors.js';
import { findProjectRoot, scaffoldAdapter } from '../../../adapters/sdk/scaffold.js';

export function registerAdapterCommands(program: Command): void {
  const adapter = program.command('adapter').description("a network's adapter: its codec, transport and config (docs/writing-an-adapter.md)");

  adapter
    .command('new')
    .description('create adapters/<network-id>/ from the template and register it in adapters/registry.ts')
    .argument('<network-id>', "the network's id, as in topic names: lower-case letters, digits and '-' (e.g. acme-net)")
    .option('--root <dir>', 'project root (the directory holding adapters/); default: this checkout')
    .option('--force', "write into an existing adapter folder, overwriting the template's files there", false)
    .action((network: string, options: { root?: string; force: boolean }) => {
      const root = options.root ?? findProjectRoot(dirname(fileURLToPath(import.meta.url)));
      if (!root) throw new ComityError('TEMPLATE_MISSING', 'cannot find the project root (no adapters/sdk/template above this module); pass --root');
      const result = scaffoldAdapter({ root, network, force: options.force });
      for (const file of result.files) process.stdout.write(`created ${file}\n`);
      process.stdout.write(result.registered ? 'registered in adapters/registry.ts\n' : 'already in adapters/registry.ts\n');
      process.stdout.write(
        `\nNext: npx vitest run adapters/${network}, then make the codec speak the network's format (docs/writing-an-adapter.md).\n`,
      );
    });

  adapter
    .command('list')
    .description('the adapters in adapters/registry.ts: network, native format, mapping version, summary')
    .option('--json', 'one JSON array instead of a table', false)
    .action(async (options: { json: boolean }) => {
      // Loaded here, not at the top: `adapter new` must work even when an adapter does not compile.
      const { adapters } = await import('../../../adapters/registry.js');
      const rows = adapters.map(({ network, nativeFormat, mappingVersion, summary }) => ({ network, nativeFormat, mappingVersion, summary }));
      if (options.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      if (rows.length === 0) {
        process.stdout.write('no adapters registered; create one with `comity adapter new <network-id>`\n');
        return;
      }
      process.stdout.write(
        table(
          ['network', 'native format', 'mapping', 'summary'],
          rows.map((row) => [row.network, row.nativeFormat, row.mappingVersion, row.summary]),
        ),
      );
    });
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .concat('\n');
  return [line(header), ...rows.map(line)].join('');
}
