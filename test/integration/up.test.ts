/**
 * `comity up` as a newcomer runs it: the whole federation — hub, seed adapters and simulated
 * native systems — on the run's broker, with a temporary state directory and a fast traffic
 * rate. Requests must flow both ways between EJN and IberRed and the simulated authorities
 * must answer; Ctrl-C (SIGINT) must stop every child and free every port.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { SimulatorCounts } from '../../services/simulator/service.js';
import { eventually } from '../support/kafka.js';
import { startComity, type ComityProcess } from '../support/processes.js';

/** Processes whose command line mentions `text` (the state directory names every child's config). */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('comity up', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'comity-up-'));
  let up: ComityProcess;
  let startedAt = 0;

  beforeAll(async () => {
    startedAt = Date.now();
    up = await startComity(
      // The federation's own router and tracker groups (instance main), as `npm start` runs them:
      // groups of their own would first read every inbound topic from its start.
      ['up', '--state-dir', stateDir, '--rate', '30', '--answer-delay', '500-2000', '--log-level', 'error'],
      /up running/,
    );
  }, 300_000);

  afterAll(async () => {
    await up?.stop('SIGKILL');
  });

  /** The simulated systems' latest counts, as `comity simulate` logs them every second. */
  const counts = (): Record<string, SimulatorCounts> => {
    let log = '';
    try {
      log = readFileSync(join(stateDir, 'logs', 'simulator.log'), 'utf8');
    } catch {
      return {};
    }
    const last = log.split('\n').filter((line) => line.startsWith('comity: simulator counts ')).at(-1);
    return last ? (JSON.parse(last.slice('comity: simulator counts '.length)) as Record<string, SimulatorCounts>) : {};
  };

  it('carries requests from EJN to IberRed and back, and the simulated authorities answer', async () => {
    await eventually(() => (counts().iberred?.requestsFrom.ejn ?? 0) > 0 && (counts().ejn?.requestsFrom.iberred ?? 0) > 0, 'requests both ways between EJN and IberRed', 180_000);
    process.stderr.write(`comity up: requests delivered both ways ${((Date.now() - startedAt) / 1000).toFixed(1)} s after start\n`);
    await eventually(() => (counts().ejn?.answered ?? 0) > 0 && (counts().iberred?.answered ?? 0) > 0, 'answers of the simulated authorities, accepted by both adapters', 120_000);
    expect(Object.values(counts()).reduce((sum, network) => sum + network.refused, 0)).toBe(0);
  }, 420_000);

  it('stops every child and frees every port on Ctrl-C', async () => {
    const configs = join(stateDir, 'config');
    const simulator = parse(readFileSync(join(configs, 'simulator.yaml'), 'utf8')) as {
      simulator: { ejn: { port: number; adapterUrl: string }; iberred: { port: number; adapterUrl: string }; wacap: { adapterSmtpPort: number; relayPort: number } };
    };
    const ports = [
      simulator.simulator.ejn.port,
      simulator.simulator.iberred.port,
      simulator.simulator.wacap.relayPort,
      simulator.simulator.wacap.adapterSmtpPort,
      Number(new URL(simulator.simulator.ejn.adapterUrl).port),
      Number(new URL(simulator.simulator.iberred.adapterUrl).port),
    ];
    expect(processesMentioning(stateDir).length).toBeGreaterThan(5);

    const exited = new Promise<number | null>((resolve) => up.child.once('exit', (code) => resolve(code)));
    up.child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(up.output()).toMatch(/comity: stopped/);
    expect(processesMentioning(stateDir)).toEqual([]);
    for (const port of ports) expect(await isPortFree(port), `port ${port}`).toBe(true);
  }, 120_000);
});
