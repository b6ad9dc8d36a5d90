/**
 * `comity`: the one command for operators and developers. Each sub-command lives in its own
 * module under services/cli/commands and is registered here, explicitly.
 */
import { Command } from 'commander';
import { ComityError } from '../../core/errors.js';
import { registerAdapterCommands } from './commands/adapter.js';
import { registerKafkaCommands } from './commands/kafka.js';
import { registerRunCommands } from './commands/run.js';

const program = new Command()
  .name('comity')
  .description('Comity: the federation hub for networks that cooperate in criminal matters across borders')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

registerKafkaCommands(program);
registerAdapterCommands(program);
registerRunCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ComityError) {
    process.stderr.write(`comity: ${error.message} [${error.code}]\n`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
