/**
 * `comity`: the one command for operators and developers. Each sub-command lives in its own
 * module under services/cli/commands and is registered here, explicitly.
 */
import { Command } from 'commander';
import { ComityError } from '../../core/errors.js';
import { registerAdapterCommands } from './commands/adapter.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerDirectoryCommand } from './commands/directory.js';
import { registerDlqCommands } from './commands/dlq.js';
import { registerLagCommand } from './commands/lag.js';
import { registerRequestCommand } from './commands/request.js';
import { registerTailCommand } from './commands/tail.js';
import { registerKafkaCommands } from './commands/kafka.js';
import { registerKeysCommands } from './commands/keys.js';
import { registerProvisionCommand } from './commands/provision.js';
import { registerRunCommands } from './commands/run.js';
import { registerStatsCommand } from './commands/stats.js';
import { registerUpCommands } from './commands/up.js';

const program = new Command()
  .name('comity')
  .description('Comity: the federation hub for networks that cooperate in criminal matters across borders')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

registerKafkaCommands(program);
registerKeysCommands(program);
registerProvisionCommand(program);
registerAdapterCommands(program);
registerAuditCommands(program);
registerTailCommand(program);
registerDlqCommands(program);
registerRequestCommand(program);
registerDirectoryCommand(program);
registerLagCommand(program);
registerStatsCommand(program);
registerRunCommands(program);
registerUpCommands(program);

/**
 * How long a command that failed may take to let go of what it still holds before the process
 * exits anyway: a service that could not start (Kafka unreachable) may leave a file watcher, a
 * half-connected Kafka client or a status server open, and must not stay alive, neither ready
 * nor exited, for a supervisor to find hung.
 */
const FAILED_EXIT_GRACE_MS = 1_000;

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ComityError) {
    process.stderr.write(`comity: ${error.message} [${error.code}]\n`);
    process.exitCode = 2;
    setTimeout(() => process.exit(), FAILED_EXIT_GRACE_MS).unref();
  } else {
    throw error;
  }
}
