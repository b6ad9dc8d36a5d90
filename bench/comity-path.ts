/**
 * Part (b): the full Comity path with the real `comity run` processes —
 *
 *   HTTP POST of EJN e-CODEX XML → adapter ejn → comity.inbound.ejn → router → comity.outbound.iberred
 *   → adapter iberred → HTTP POST of the IberRed JSON form to an in-process endpoint
 *
 * — with whatever the router and the adapters do on the way (verification, policy, audit,
 * receipts back to EJN's connector, which is a second in-process endpoint). A request is
 * delivered when its event id arrives at the IberRed endpoint as Idempotency-Key.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join, resolve } from 'node:path';
import { freePort } from '../deploy/kafka/local-broker.js';
import type { Target } from './driver.js';
import { nativeRequest, EJN_PARTY } from './payload.js';
import type { KafkaClient } from '../core/kafka/index.js';
import { testKeys } from '../test/support/keys.js';
import { comityEnvOf, startComityProcess, startCountingEndpoint, type BenchBroker, type BenchProcess, type CountingEndpoint } from './support.js';

const FEDERATION = resolve('deploy/config/federation.yaml');

export interface ComityPart {
  readonly target: Target;
  readonly processes: readonly BenchProcess[];
  /** Receipts (confirmations) EJN's connector received. */
  readonly ejnConnector: CountingEndpoint;
  readonly iberredAuthority: CountingEndpoint;
  stop(): Promise<void>;
}

export async function startComityPath(options: {
  /** The CLI's entry script: bin/comity.js (TypeScript through tsx) or dist/services/cli/main.js (compiled). */
  entry: string;
  broker: BenchBroker;
  /** A client on the broker, to publish the networks' public keys on comity.directory. */
  kafka: KafkaClient;
  run: string;
  dir: string;
  concurrency: number;
  env?: NodeJS.ProcessEnv;
}): Promise<ComityPart> {
  const [ejnConnector, iberredAuthority, ejnPort, iberredPort] = await Promise.all([
    startCountingEndpoint(),
    startCountingEndpoint(),
    freePort(),
    freePort(),
  ]);
  mkdirSync(options.dir, { recursive: true });
  const write = (name: string, lines: string[]) => {
    const file = join(options.dir, name);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  };
  const state = join(options.dir, 'state');
  // Signatures are checked at the hub and at the receiving adapter: keys for both networks and
  // the hub, declared in a copy of the federation file and published on comity.directory.
  const keys = testKeys(['ejn', 'iberred']);
  const federation = join(options.dir, 'federation.yaml');
  writeFileSync(federation, keys.federationYaml(readFileSync(FEDERATION, 'utf8')));
  await keys.publishToDirectory(options.kafka);
  const routerConfig = write('router.yaml', [
    `federation: ${federation}`,
    'router:',
    `  instanceId: bench-${options.run}`,
    `  groupId: bench-router-${options.run}`,
    `  signingKey: ${JSON.stringify(keys.hubKeyConfig())}`,
  ]);
  const adapterConfig = (network: string, port: number, deliverTo: string, extra: string[] = []) =>
    write(`${network}.yaml`, [
      `network: ${network}`,
      `kafka: { clientId: bench-adapter-${network} }`,
      `runtime: { stateDir: ${state}, retry: { initialMs: 100, maxMs: 1000 } }`,
      `trust: ${JSON.stringify(keys.adapterTrust(network))}`,
      'adapter:',
      `  http: { listen: { port: ${port} }, deliverTo: "${deliverTo}" }`,
      ...extra,
    ]);
  const env = { ...comityEnvOf(options.broker), COMITY_LOG_LEVEL: 'warn', ...options.env };
  const processes: BenchProcess[] = [];
  try {
    // The hub first: it creates every network's topics.
    processes.push(await startComityProcess('router', options.entry, ['run', 'router', '--config', routerConfig], /router running/, env));
    processes.push(
      await startComityProcess('adapter-ejn', options.entry, ['run', 'adapter', 'ejn', '--config', adapterConfig('ejn', ejnPort, ejnConnector.url, [`  party: ${EJN_PARTY}`])], /adapter ejn running/, env),
    );
    processes.push(
      await startComityProcess('adapter-iberred', options.entry, ['run', 'adapter', 'iberred', '--config', adapterConfig('iberred', iberredPort, iberredAuthority.url)], /adapter iberred running/, env),
    );
  } catch (error) {
    for (const process of processes) await process.stop();
    await ejnConnector.close();
    await iberredAuthority.close();
    throw error;
  }

  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency * 2 });
  const post = (body: string) =>
    new Promise<string>((resolvePost, reject) => {
      const req = request(
        { host: '127.0.0.1', port: ejnPort, path: '/messages', method: 'POST', agent, headers: { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            if (response.statusCode !== 202) return reject(new Error(`EJN adapter answered ${response.statusCode}: ${text}`));
            const id = (JSON.parse(text) as { eventIds?: string[] }).eventIds?.[0];
            return id ? resolvePost(id) : reject(new Error(`no event id in ${text}`));
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  return {
    processes,
    ejnConnector,
    iberredAuthority,
    target: {
      name: '(b) Comity',
      arrivals: iberredAuthority.arrivals,
      memory: () => Object.fromEntries(processes.map((p) => [p.name, p.peakRss()])),
      send: (index) => post(nativeRequest(options.run, index)),
    },
    async stop() {
      agent.destroy();
      for (const process of [...processes].reverse()) await process.stop();
      await ejnConnector.close();
      await iberredAuthority.close();
    },
  };
}
