/**
 * The hostile-input corpus (test/hostile/<adapter>/manifest.json, ≥ 50 cases per adapter) against
 * the LIVE native endpoints of the four seed adapters, each a real `comity run adapter` process:
 * HTTP for EJN and IberRed, SMTP for WACAP, the watched folder and HTTP upload for the centres.
 *
 * For every case: the answer is the manifest's (HTTP status + JSON `code`, SMTP reply code + the
 * code in its text, or the file moved to rejected/ with its reason), the dead letter carries the
 * manifest's `comity_dlq_code` (or there is none, for what the transport refuses before the
 * runtime), and the process still answers /healthz. The corpus is sent twice: the second pass
 * must give the same answers (the runtime remembers refusals) and the resident memory of each
 * process must stay bounded (measured after every case, printed at the end).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request as httpRequest } from 'node:http';
import { gunzipSync } from 'node:zlib';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DlqHeader } from '../../core/dlq.js';
import { topics, type KafkaClient } from '../../core/kafka/index.js';
import { freePort } from '../../deploy/kafka/local-broker.js';
import type { HostileCase, Manifest } from '../hostile/generate.js';
import { FOCAL_POINT } from '../hostile/mail.js';
import { collect, eventually, testKafka, type Collector } from '../support/kafka.js';
import { testKeys } from '../support/keys.js';
import { startNativeEndpoint, type NativeEndpoint } from '../support/native-endpoint.js';
import { startComity, type ComityProcess } from '../support/processes.js';

const CORPUS = resolve('test/hostile');
/** Resident memory a process may gain over the second pass of its corpus (a leak shows as steady growth). */
const MAX_SECOND_PASS_GROWTH_MB = 64;
/** Resident memory no adapter process may exceed while it is fed the corpus. */
const MAX_RSS_MB = 400;

interface Answer {
  status: number;
  code?: string;
  text: string;
}

interface Live {
  readonly network: string;
  readonly corpus: string;
  readonly process: ComityProcess;
  readonly statusPort: number;
  readonly send: (kase: HostileCase, body: Buffer) => Promise<Answer>;
  readonly rss: number[];
}

const residentMb = (pid: number | undefined): number => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 102.4) / 10 : 0;
};
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** A dead letter's key: the SHA-256 of what the runtime got, the whole message or (oversized) its first 64 KiB. */
const letterKeys = (body: Buffer) => {
  // Over SMTP the client sends bare LFs as CRLF: the listener gets (and hashes) those bytes.
  const crlf = Buffer.from(body.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
  return new Set([body, body.subarray(0, 64 * 1024), crlf].map((bytes) => `sha256:${sha256(bytes)}`));
};

function manifestOf(corpus: string): Manifest {
  return JSON.parse(readFileSync(join(CORPUS, corpus, 'manifest.json'), 'utf8')) as Manifest;
}

function bytesOf(corpus: string, kase: HostileCase): Buffer {
  const raw = readFileSync(join(CORPUS, corpus, kase.file));
  return kase.file.endsWith('.gz') ? gunzipSync(raw) : raw;
}

/** One POST on a connection of its own (a 413 closes its connection before the body is read). */
function postTo(port: number, path: string, body: Buffer, contentType: string): Promise<Answer> {
  return new Promise((resolveAnswer) => {
    let answered = false;
    const request = httpRequest(
      { host: '127.0.0.1', port, path, method: 'POST', agent: false, headers: { 'content-type': contentType, 'content-length': body.length } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          answered = true;
          const text = Buffer.concat(chunks).toString('utf8');
          let code: string | undefined;
          try {
            code = (JSON.parse(text) as { code?: string }).code;
          } catch {
            // not JSON
          }
          resolveAnswer({ status: response.statusCode ?? -1, code, text });
        });
      },
    );
    // The server may answer (413) and close while the body is still being written: the answer counts.
    request.on('error', (error) => setTimeout(() => answered || resolveAnswer({ status: -1, text: error.message }), 200));
    request.end(body);
  });
}

describe('hostile inputs at the live native endpoints', () => {
  const dir = mkdtempSync(join(tmpdir(), 'comity-hostile-'));
  const run = randomBytes(3).toString('hex');
  const started = Date.now();
  const live: Live[] = [];
  const dlqs = new Map<string, Collector>();
  let kafka: KafkaClient;
  let sink: NativeEndpoint;

  beforeAll(async () => {
    kafka = testKafka();
    sink = await startNativeEndpoint();
    const keys = testKeys(['ejn', 'iberred', 'wacap', 'central-america-coe']);
    await keys.publishToDirectory(kafka);
    const write = (name: string, lines: string[]) => {
      writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
      return join(dir, name);
    };
    const common = (network: string) => [
      `network: ${network}`,
      `kafka: { clientId: hostile-${network}-${run} }`,
      `runtime: { stateDir: ${join(dir, 'state')} }`,
      `trust: ${JSON.stringify(keys.adapterTrust(network))}`,
      'adapter:',
    ];
    const statusPortOf = (process: ComityProcess) => Number(/status on port (\d+)/.exec(process.output())?.[1]);
    const start = async (network: string, corpus: string, config: string[], send: (port: number) => Live['send']) => {
      const port = await freePort();
      const file = write(`${network}.yaml`, [...common(network), ...config.map((line) => line.replace('$PORT', String(port)))]);
      const process = await startComity(['run', 'adapter', network, '--config', file], new RegExp(`adapter ${network} running`));
      live.push({ network, corpus, process, statusPort: statusPortOf(process), send: send(port), rss: [] });
    };
    const http = (port: number) => (kase: HostileCase, body: Buffer) => postTo(port, '/messages', body, kase.contentType ?? 'application/octet-stream');

    await start('ejn', 'ejn-ecodex', [`  http: { listen: { port: $PORT }, deliverTo: "${sink.url}" }`, '  party: EJN-COMITY'], http);
    await start('iberred', 'iberred', [`  http: { listen: { port: $PORT }, deliverTo: "${sink.url}" }`], http);
    await start(
      'wacap',
      'wacap',
      [
        '  smtp: { port: $PORT }',
        '  relay: { host: 127.0.0.1, port: 9, timeoutMs: 1000 }',
        '  from: comity@wacap.example',
        '  focalPoints:',
        `    - { email: ${FOCAL_POINT}, state: SN }`,
        '    - { email: dacp.entraide@justice.gouv.ci.example, state: CI }',
        '    - { email: mla.unit@mojagd.gov.gh.example, state: GH }',
        '  limits: { maxAttachmentBytes: 65536, maxAttachments: 20, maxTextBytes: 524288 }',
        `  documents: { dir: ${join(dir, 'documents')} }`,
        `  correspondents: { file: ${join(dir, 'correspondents.log')} }`,
      ],
      (port) => async (kase, body) => {
        const client = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, logger: false });
        try {
          const info = await client.sendMail({ envelope: { from: kase.envelopeFrom ?? FOCAL_POINT, to: ['comity@wacap.example'] }, raw: body });
          return { status: Number(info.response.slice(0, 3)), text: info.response };
        } catch (error) {
          const failure = error as { responseCode?: number; response?: string; message: string };
          const text = failure.response ?? failure.message;
          return { status: failure.responseCode ?? -1, code: /^\d{3} [245]\.\d+\.\d+ ([A-Z_]+):/.exec(text)?.[1], text };
        } finally {
          client.close();
        }
      },
    );
    const inbox = join(dir, 'inbox');
    mkdirSync(inbox, { recursive: true });
    await start(
      'central-america-coe',
      'coe-stats',
      [`  inbox: { dir: ${inbox}, pollIntervalMs: 100, settleMs: 50 }`, '  http: { listen: { port: $PORT } }', `  outbox: { dir: ${join(dir, 'outbox')} }`],
      (port) => async (kase, body) => {
        if (kase.via !== 'inbox') return postTo(port, '/messages', body, kase.contentType ?? 'text/csv');
        // The folder: write-then-rename, then wait for the file in rejected/ with its reason beside it.
        const name = `${kase.file.replace(/\.gz$/, '').replace(/\.csv$/, '')}-${randomBytes(3).toString('hex')}.csv`;
        writeFileSync(join(inbox, `${name}.part`), body);
        renameSync(join(inbox, `${name}.part`), join(inbox, name));
        const reasonFile = join(inbox, 'rejected', `${name}.reason.txt`);
        const processed = join(inbox, 'processed', name);
        await eventually(() => existsSync(reasonFile) || existsSync(processed), `${name} moved out of the inbox`, 30_000);
        if (existsSync(processed)) return { status: 202, text: 'processed' };
        const text = readFileSync(reasonFile, 'utf8');
        return { status: 422, code: /^code: ([A-Z0-9_]+)$/m.exec(text)?.[1], text };
      },
    );
    for (const network of live.map((l) => l.network)) dlqs.set(network, await collect(kafka, topics.dlq(network)));
  }, 180_000);

  afterAll(async () => {
    for (const collector of dlqs.values()) await collector.stop();
    for (const adapter of live) await adapter.process.stop();
    await sink?.close();
    const lines = live.map((adapter) => `${adapter.network}: ${adapter.rss.length} samples, RSS MB min ${Math.min(...adapter.rss)} max ${Math.max(...adapter.rss)} last ${adapter.rss.at(-1)}`);
    process.stderr.write(`hostile corpus memory:\n  ${lines.join('\n  ')}\n`);
  });

  for (const corpus of ['ejn-ecodex', 'iberred', 'wacap', 'coe-stats']) {
    it(`${corpus}: ≥ 50 cases, each refused with its reason, the DLQ holds each with its code, the process keeps serving in bounded memory`, async () => {
      const manifest = manifestOf(corpus);
      expect(manifest.cases.length).toBeGreaterThanOrEqual(50);
      const adapter = live.find((l) => l.corpus === corpus)!;
      const answers: { kase: HostileCase; answer: Answer; body: Buffer }[] = [];
      const passRss: number[][] = [[], []];
      for (const pass of [0, 1]) {
        for (const kase of manifest.cases) {
          const body = bytesOf(corpus, kase);
          const answer = await adapter.send(kase, body);
          if (pass === 0) answers.push({ kase, answer, body });
          else expect({ file: kase.file, status: answer.status, code: answer.code }, 'the same answer the second time').toEqual({ file: kase.file, status: answers.find((a) => a.kase === kase)!.answer.status, code: answers.find((a) => a.kase === kase)!.answer.code });
          const health = await fetch(`http://127.0.0.1:${adapter.statusPort}/healthz`);
          expect(health.status, `/healthz after ${kase.file}`).toBe(200);
          const rss = residentMb(adapter.process.child.pid);
          adapter.rss.push(rss);
          passRss[pass]!.push(rss);
        }
      }
      const wrong = answers
        .filter(({ kase, answer }) => answer.status !== kase.status || (kase.code !== undefined && answer.code !== kase.code))
        .map(({ kase, answer }) => `${kase.file}: expected ${kase.status} ${kase.code ?? ''}, got ${answer.status} ${answer.code ?? ''} (${answer.text.slice(0, 160)})`);
      expect(wrong, 'answers that differ from the manifest').toEqual([]);

      // Dead letters, found by the SHA-256 of what was sent, written since this run started.
      const dlq = dlqs.get(adapter.network)!;
      const letterFor = (body: Buffer) => {
        const keys = letterKeys(body);
        return dlq.records.find((record) => record.timestamp >= started - 1000 && keys.has(record.key?.toString() ?? ''));
      };
      const expected = answers.filter(({ kase }) => kase.dlq);
      await eventually(() => expected.every(({ body }) => letterFor(body) !== undefined), `the dead letters of ${corpus}`, 60_000).catch(() => undefined);
      const letterProblems = answers.flatMap(({ kase, body }) => {
        const letter = letterFor(body);
        if (!kase.dlq) return letter ? [`${kase.file}: dead-lettered, but it must be refused before the runtime`] : [];
        if (!letter) return [`${kase.file}: no dead letter`];
        const code = letter.headers[DlqHeader.code]?.toString();
        return code === kase.code ? [] : [`${kase.file}: dead letter code ${code}, expected ${kase.code}`];
      });
      expect(letterProblems).toEqual([]);
      // One dead letter per case, however often it was sent.
      for (const { kase, body } of expected) {
        const keys = letterKeys(body);
        expect(dlq.records.filter((record) => record.timestamp >= started - 1000 && keys.has(record.key?.toString() ?? '')).length, kase.file).toBe(1);
      }

      // Still serving real work: ready, and memory bounded.
      expect((await fetch(`http://127.0.0.1:${adapter.statusPort}/readyz`)).status).toBe(200);
      const [first, second] = passRss as [number[], number[]];
      process.stderr.write(`${corpus}: ${manifest.cases.length} cases × 2; RSS MB after pass 1 ${first.at(-1)}, max ${Math.max(...first, ...second)}, after pass 2 ${second.at(-1)}\n`);
      expect(Math.max(...first, ...second)).toBeLessThan(MAX_RSS_MB);
      expect(second.at(-1)! - first.at(-1)!).toBeLessThan(MAX_SECOND_PASS_GROWTH_MB);
    }, 600_000);
  }

  it('counts what it checked', () => {
    expect(readdirSync(CORPUS).filter((name) => existsSync(join(CORPUS, name, 'manifest.json')))).toEqual(['coe-stats', 'ejn-ecodex', 'iberred', 'wacap']);
  });
});
