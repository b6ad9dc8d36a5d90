/** Comity processes for tests: `comity run …` in a child process, so kill -9 is real. */
import { spawn, type ChildProcess } from 'node:child_process';
import { comityEnv } from './kafka.js';

export interface ComityProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout so far. */
  output(): string;
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

/**
 * Starts `comity <args>` against the test broker (with its credentials, see comityEnv; or the
 * broker `env.KAFKA_BROKERS` names) and
 * resolves when its stdout matches `ready`
 * (the "… running" line each `comity run` command prints).
 */
export async function startComity(args: readonly string[], ready: RegExp, env: NodeJS.ProcessEnv = {}): Promise<ComityProcess> {
  const child = spawn(process.execPath, ['bin/comity.js', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    // A test with a broker of its own (test/faults) gives its address; the others get the run's.
    env: { ...process.env, COMITY_LOG_LEVEL: 'error', ...(env.KAFKA_BROKERS ? {} : comityEnv()), ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const onData = () => {
      if (ready.test(output)) {
        child.stdout.off('data', onData);
        child.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) => reject(new Error(`comity ${args.join(' ')} exited with ${code} before it was ready:\n${output}`));
    child.stdout.on('data', onData);
    child.once('exit', onExit);
  });
  return {
    child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    },
  };
}
