/**
 * The simulated native systems `comity up` runs beside the seed adapters, so that a fresh
 * clone shows a living federation: each sends new requests (or reports) in its own format and
 * language at a steady rate, and answers what Comity delivers to it after a realistic pause.
 *
 *   EJN       e-CODEX XML over HTTP   ⇄ adapter ejn        (./ejn.ts)
 *   IberRed   JSON forms over HTTP    ⇄ adapter iberred    (./iberred.ts)
 *   WACAP     bilingual e-mail (SMTP) ⇄ adapter wacap      (./wacap.ts; this runs the relay)
 *   Centres   SDMX-CSV in folders     ⇄ adapter central-america-coe (./coe.ts)
 */
import { mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { createTransport } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { z } from 'zod';
import type { Logger } from '../../core/log.js';
import { between, postNative, sleepUnless, startDeliveryEndpoint, type Delivery, type Random } from './common.js';
import { coeReport } from './coe.js';
import { EJN_CONTENT_TYPE, ejnAnswer, ejnRequest, readEjnDelivery, type LegalAnswer } from './ejn.js';
import { IBERRED_CONTENT_TYPE, iberredAnswer, iberredRequest, readIberredDelivery } from './iberred.js';
import { readWacapForm, wacapAnswer, wacapRequest, WACAP_FOCAL_POINTS, type FocalPoint, type WacapAnswer } from './wacap.js';

const httpPeer = z.strictObject({
  adapterUrl: z.url().describe("The adapter's listen URL, where this native system POSTs its messages."),
  port: z.number().int().min(0).max(65535).describe('Port of the endpoint the adapter delivers to (its http.deliverTo); 0 picks one.'),
});

export const simulatorConfigSchema = z.object({
  simulator: z
    .strictObject({
      host: z.string().default('127.0.0.1').describe('Address the simulated systems listen on.'),
      requestsPerMinute: z.number().positive().max(600).default(4).describe('New requests (or reports) each simulated network sends per minute.'),
      answerDelayMs: z
        .strictObject({
          min: z.number().int().min(0).default(3000),
          max: z.number().int().min(0).default(15000),
        })
        .prefault({})
        .describe('Pause before each answer to a delivered request, between min and max (authorities take time).'),
      ejn: httpPeer.optional().describe("EJN's e-CODEX connector."),
      iberred: httpPeer.optional().describe("IberRed's Iber@ gateway."),
      wacap: z
        .strictObject({
          adapterSmtpPort: z.number().int().min(1).max(65535).describe("The WACAP adapter's SMTP listener."),
          adapterMailbox: z.email().default('comity@wacap.example').describe('The address focal points write to.'),
          relayPort: z.number().int().min(0).max(65535).describe('Port of the SMTP relay the adapter sends through (its relay.port).'),
        })
        .optional()
        .describe("WACAP's focal points and their mail relay."),
      coe: z
        .strictObject({
          inboxDir: z.string().min(1).describe("The centres-of-excellence adapter's inbox.dir."),
          outboxDir: z.string().min(1).describe("The adapter's outbox.dir."),
        })
        .optional()
        .describe("The centres of excellence's shared folders."),
    })
    .prefault({}),
});

export type SimulatorConfig = z.output<typeof simulatorConfigSchema>['simulator'];

/** Counts per simulated network since start. */
export interface SimulatorCounts {
  /** New requests or reports sent to the adapter and accepted by it. */
  sent: number;
  /** Messages the adapter refused (422 / 550): should stay 0. */
  refused: number;
  /** Messages Comity delivered to the simulated system. */
  received: number;
  /** Answers sent back. */
  answered: number;
  /** New requests delivered to the simulated system, by the network they come from. */
  requestsFrom: Record<string, number>;
}

export interface RunningSimulators {
  counts(): Record<string, SimulatorCounts>;
  /** The endpoints the adapters deliver to. */
  readonly endpoints: Record<string, string>;
  stop(): Promise<void>;
}

export async function startSimulators(config: SimulatorConfig, options: { readonly logger: Logger; readonly random?: Random }): Promise<RunningSimulators> {
  const random = options.random ?? Math.random;
  const logger = options.logger;
  const stopping = new AbortController();
  const signal = stopping.signal;
  const tasks: Promise<unknown>[] = [];
  const closers: (() => Promise<void>)[] = [];
  const counts: Record<string, SimulatorCounts> = {};
  const endpoints: Record<string, string> = {};
  const counter = (network: string) => (counts[network] ??= { sent: 0, refused: 0, received: 0, answered: 0, requestsFrom: {} });
  const pause = () => between(random, config.answerDelayMs.min, config.answerDelayMs.max);
  const interval = () => between(random, 0.5, 1.5) * (60_000 / config.requestsPerMinute);

  /** Runs `step` now and then every interval until stopped. */
  const every = (step: () => Promise<void>) => {
    tasks.push(
      (async () => {
        await sleepUnless(signal, between(random, 500, 2000));
        while (!signal.aborted) {
          await step().catch((error: unknown) => logger.warn({ err: error }, 'simulated traffic step failed'));
          await sleepUnless(signal, interval());
        }
      })(),
    );
  };
  /** Runs each of `steps` in turn, after a pause each; stops quietly when stopping. */
  const later = (steps: readonly (() => Promise<void>)[]) => {
    tasks.push(
      (async () => {
        for (const step of steps) {
          await sleepUnless(signal, pause());
          if (signal.aborted) return;
          await step().catch((error: unknown) => logger.warn({ err: error }, 'simulated answer failed'));
        }
      })(),
    );
  };
  /** Counts a new request delivered to `network`, by its origin (the request id's prefix). */
  const requestFrom = (network: string, requestId: string) => {
    const origin = /^([a-z0-9-]+):/.exec(requestId)?.[1] ?? 'unknown';
    const from = counter(network).requestsFrom;
    from[origin] = (from[origin] ?? 0) + 1;
  };
  const outcome = <T extends string>(weights: readonly (readonly [T, number])[]): T => {
    let roll = random() * weights.reduce((sum, [, weight]) => sum + weight, 0);
    for (const [value, weight] of weights) if ((roll -= weight) < 0) return value;
    return weights[0]![0];
  };

  async function sendHttp(network: string, url: string, body: string, contentType: string, counted: 'sent' | 'answered'): Promise<void> {
    const result = await postNative(url, body, contentType, { signal, logger });
    if (result.status === 'accepted') counter(network)[counted]++;
    else if (result.status === 'refused') counter(network).refused++;
  }

  // ---- EJN: e-CODEX XML ----------------------------------------------------------------------
  if (config.ejn) {
    const { adapterUrl } = config.ejn;
    counter('ejn');
    const answer = (delivery: Delivery, kind: LegalAnswer, state?: string, requestType = 'mutual-legal-assistance') => () =>
      sendHttp('ejn', adapterUrl, ejnAnswer(kind, { eventId: delivery.eventId, requestId: delivery.requestId, requestType, requestedState: state }, random), EJN_CONTENT_TYPE, 'answered');
    const endpoint = await startDeliveryEndpoint({
      host: config.host,
      port: config.ejn.port,
      nativeId: () => `EJN-CONN-${Date.now()}-${Math.floor(random() * 1e6)}`,
      onDelivery: (delivery) => {
        counter('ejn').received++;
        const read = readEjnDelivery(delivery.body);
        if (read?.kind !== 'request' || !delivery.eventId || !delivery.requestId) return;
        requestFrom('ejn', delivery.requestId);
        const final = outcome<LegalAnswer>([['executed', 45], ['partially-executed', 15], ['refused', 15], ['more-information', 25]]);
        later([answer(delivery, 'acknowledged', read.requestedState, read.requestType), answer(delivery, final, read.requestedState, read.requestType)]);
      },
    });
    endpoints.ejn = endpoint.url;
    closers.push(() => endpoint.close());
    every(() => sendHttp('ejn', adapterUrl, ejnRequest(random).body, EJN_CONTENT_TYPE, 'sent'));
  }

  // ---- IberRed: JSON forms -------------------------------------------------------------------
  if (config.iberred) {
    const { adapterUrl } = config.iberred;
    counter('iberred');
    const endpoint = await startDeliveryEndpoint({
      host: config.host,
      port: config.iberred.port,
      nativeId: () => `IBERA-${Date.now()}-${Math.floor(random() * 1e6)}`,
      onDelivery: (delivery) => {
        counter('iberred').received++;
        const read = readIberredDelivery(delivery.body);
        if (!read || !delivery.eventId || !delivery.requestId) return;
        const send = (kind: Parameters<typeof iberredAnswer>[0]) => () =>
          sendHttp(
            'iberred',
            adapterUrl,
            iberredAnswer(kind, { eventId: delivery.eventId, requestId: delivery.requestId, requestType: read.requestType, answeringState: read.requestedState, questions: read.questions }, random),
            IBERRED_CONTENT_TYPE,
            'answered',
          );
        if (read.kind === 'request') {
          requestFrom('iberred', delivery.requestId);
          const final = outcome<Parameters<typeof iberredAnswer>[0]>([['executed', 45], ['partially-executed', 15], ['refused', 15], ['more-information', 25]]);
          later([send('acknowledged'), send(final)]);
        } else if (read.kind === 'more-information') {
          later([send('information')]);
        }
      },
    });
    endpoints.iberred = endpoint.url;
    closers.push(() => endpoint.close());
    every(() => sendHttp('iberred', adapterUrl, iberredRequest(random).body, IBERRED_CONTENT_TYPE, 'sent'));
  }

  // ---- WACAP: e-mail ---------------------------------------------------------------------------
  if (config.wacap) {
    const wacap = config.wacap;
    counter('wacap');
    const mailer = createTransport({ host: config.host, port: wacap.adapterSmtpPort, secure: false, ignoreTLS: true, connectionTimeout: 10_000 });
    const mail = async (draft: { from: string; subject: string; text: string; inReplyTo?: string }, counted: 'sent' | 'answered') => {
      for (let attempt = 1; attempt <= 6 && !signal.aborted; attempt++) {
        try {
          await mailer.sendMail({ from: draft.from, to: wacap.adapterMailbox, subject: draft.subject, text: draft.text, inReplyTo: draft.inReplyTo });
          counter('wacap')[counted]++;
          return;
        } catch (error) {
          const code = (error as { responseCode?: number }).responseCode ?? 0;
          if (code >= 500) {
            counter('wacap').refused++;
            logger.warn({ err: error }, 'the WACAP adapter refused a simulated e-mail');
            return;
          }
          await sleepUnless(signal, 1000 * attempt);
        }
      }
    };
    const relay = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        // The envelope is reset once the message is acknowledged: read it first.
        const recipients = session.envelope.rcptTo.map((address) => address.address.toLowerCase());
        simpleParser(stream)
          .then((parsed) => {
            callback();
            counter('wacap').received++;
            const focal = WACAP_FOCAL_POINTS.find((point) => recipients.includes(point.email.toLowerCase()));
            const header = parsed.headers.get('x-comity-request-id');
            const requestId = typeof header === 'string' ? header : '';
            const form = readWacapForm(parsed.text ?? '');
            if (form.kind === 'request' && requestId) requestFrom('wacap', requestId);
            if (!focal || !requestId || form.kind !== 'request') {
              logger.debug({ recipients, requestId, form: form.kind, head: (parsed.text ?? '').slice(0, 300) }, 'e-mail from Comity that needs no answer');
              return;
            }
            const answer = (kind: WacapAnswer, point: FocalPoint) => () => mail(wacapAnswer(kind, { requestId, focalPoint: point, messageId: parsed.messageId }, random), 'answered');
            later([answer('acknowledged', focal), answer(random() < 0.7 ? 'executed' : 'refused', focal)]);
          })
          .catch((error: unknown) => callback(error as Error));
      },
    });
    await new Promise<void>((resolve, reject) => {
      relay.once('error', reject);
      relay.listen(wacap.relayPort, config.host, () => resolve());
    });
    relay.on('error', (error) => logger.warn({ err: error }, 'simulated WACAP relay error'));
    endpoints.wacap = `smtp://${config.host}:${wacap.relayPort}`;
    closers.push(async () => {
      mailer.close();
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    });
    every(() => mail(wacapRequest(random), 'sent'));
  }

  // ---- Centres of excellence: SDMX-CSV files -------------------------------------------------
  if (config.coe) {
    const { inboxDir, outboxDir } = config.coe;
    counter('central-america-coe');
    mkdirSync(inboxDir, { recursive: true });
    mkdirSync(outboxDir, { recursive: true });
    const seen = new Set(readdirSync(outboxDir));
    endpoints['central-america-coe'] = outboxDir;
    every(async () => {
      const report = coeReport(random);
      const part = join(inboxDir, `${report.name}.part`);
      writeFileSync(part, report.text);
      renameSync(part, join(inboxDir, report.name));
      counter('central-america-coe').sent++;
    });
    tasks.push(
      (async () => {
        while (!signal.aborted) {
          for (const file of readdirSync(outboxDir)) {
            if (!file.endsWith('.csv') || seen.has(file)) continue;
            seen.add(file);
            counter('central-america-coe').received++;
          }
          await sleepUnless(signal, 1000);
        }
      })(),
    );
  }

  logger.info({ endpoints }, 'simulated native systems started');
  return {
    counts: () => structuredClone(counts),
    endpoints,
    async stop() {
      stopping.abort();
      await Promise.allSettled(tasks);
      await Promise.allSettled(closers.map((close) => close()));
    },
  };
}

