/**
 * How WACAP e-mails arrive and leave.
 *
 * In: an SMTP listener (smtp-server) behind the MTA that receives mail for the adapter's
 * mailbox. A message is accepted only from a focal point: the envelope sender (MAIL FROM) must
 * be a WACAP contact point in comity.directory or in the config's `focalPoints`, and the
 * message's single From header must name the same address. Anything else is refused with 550
 * and a reason, logged and counted — never published nor dead-lettered: such senders are not
 * network members. A message above `limits.maxMessageBytes` is refused with 552 (SIZE is
 * announced). The rest is read with mailparser (transport-mail.ts) and handed to the runtime as
 * the raw bytes plus what was read; the SMTP reply is the runtime's outcome: 250 once the events
 * are durable in Kafka, 550 with the codec's code and reason when the message can never be
 * translated (it is in comity.dlq.wacap), 451 when nothing was kept (the sender's MTA retries).
 * Attached files of accepted messages are kept in `documents.dir` under their SHA-256.
 *
 * Out: each outbound message (mail.ts OutboundMail) becomes a MIME e-mail built by nodemailer and
 * sent through the configured relay: From `from`, Message-ID `<event id@domain of from>`,
 * `X-Comity-Event-Id` and `X-Comity-Request-Id`, `Auto-Submitted: auto-generated`, the
 * documents whose bytes the adapter has attached. Recipients: the focal points of the State the
 * message names, else those already handling the request (the correspondents file), else
 * `fallbackRecipient`. The relay's 250 is the delivery; 5xx is a refusal (not retried); 4xx,
 * timeouts and connection failures are retried by the runtime.
 *
 * DKIM, SPF and DMARC are checked by the MTA in front of the adapter, which has the network
 * and DNS access to do it; this listener trusts that MTA (bind it to a private address).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { ContactPoint } from '../../core/gen/comity/v1/directory.js';
import type { DeliveryContext, DeliveryReceipt, NativeMessage, NativeReceiver, Transport, TransportContext } from '../sdk/contract.js';
import { DeliveryError } from '../sdk/errors.js';
import { Ledger } from '../sdk/ledger.js';
import { DOCUMENT_URI_PREFIX, MAIL_MEDIA_TYPE, OUTBOUND_MEDIA_TYPE, outboundMail, type OutboundAttachment, type OutboundMail } from './mail.js';
import type { WacapConfig } from './spec.js';
import { attributesFor, readMail, senderMismatch } from './transport-mail.js';

export interface WacapTransport extends Transport {
  /** The address the SMTP listener actually bound (useful with port 0). */
  address(): { host: string; port: number } | undefined;
  /** Messages refused before they reached the runtime, by reason code. */
  refusals(): Readonly<Record<string, number>>;
}

/** A focal point as the transport knows it, from the directory or the config. */
interface KnownFocalPoint {
  readonly email: string;
  readonly state: string;
  readonly id: string;
}

/** An SMTP reply that ends a transaction. */
class SmtpReply extends Error {
  constructor(
    readonly responseCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Reply text: one line, printable, not too long for a client to show. */
function replyText(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/[^\x20-\x7e\u00a0-\uffff]/g, '?').slice(0, 450);
}

export function createWacapTransport(config: WacapConfig, context: TransportContext): WacapTransport {
  const logger = context.logger.child({ component: 'wacap-transport' });
  const limits = config.limits;
  const refused: Record<string, number> = {};
  let server: SMTPServer | undefined;
  let bound: { host: string; port: number } | undefined;
  let correspondents: Ledger | undefined;
  const openCorrespondents = (): Ledger =>
    (correspondents ??= Ledger.open(config.correspondents.file, { retentionMs: config.correspondents.retentionDays * 24 * 3600 * 1000 }));

  // ---- focal points ----------------------------------------------------------------------

  async function focalPoints(): Promise<KnownFocalPoint[]> {
    const fromDirectory: ContactPoint[] = await context.directory.contactPoints();
    return [
      ...fromDirectory.filter((point) => point.email).map((point) => ({ email: point.email.toLowerCase(), state: point.state, id: point.id })),
      ...config.focalPoints.map((point) => ({ email: point.email.toLowerCase(), state: point.state, id: `config/${point.name ?? point.email}` })),
    ];
  }

  async function focalPointFor(address: string): Promise<KnownFocalPoint | undefined> {
    const wanted = address.toLowerCase();
    return (await focalPoints()).find((point) => point.email === wanted);
  }

  function refuse(code: string, responseCode: number, message: string, fields: Record<string, unknown>): SmtpReply {
    refused[code] = (refused[code] ?? 0) + 1;
    logger.warn({ code, refusedTotal: refused[code], ...fields }, `mail refused: ${message}`);
    const enhanced = responseCode === 552 ? '5.3.4' : responseCode === 451 ? '4.4.3' : '5.7.1';
    return new SmtpReply(responseCode, code, `${enhanced} ${code}: ${message}`);
  }

  // ---- in ------------------------------------------------------------------------------

  async function checkEnvelopeSender(address: string, session: SMTPServerSession): Promise<void> {
    if (!address) throw refuse('SENDER_NOT_FOCAL_POINT', 550, 'the null sender (a bounce) is not a WACAP focal point', { remoteAddress: session.remoteAddress });
    let point: KnownFocalPoint | undefined;
    try {
      point = await focalPointFor(address);
    } catch (error) {
      logger.warn({ err: error }, 'cannot read the focal points from comity.directory');
      throw new SmtpReply(451, 'DIRECTORY_UNAVAILABLE', '4.4.3 DIRECTORY_UNAVAILABLE: the list of focal points cannot be read now, try again later');
    }
    if (!point) {
      throw refuse('SENDER_NOT_FOCAL_POINT', 550, `${address} is not a WACAP focal point`, { sender: address, remoteAddress: session.remoteAddress });
    }
  }

  async function handleMessage(receive: NativeReceiver, raw: Buffer, session: SMTPServerSession): Promise<string> {
    const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    const reading = await readMail(raw, limits);
    const mismatch = senderMismatch(reading, envelopeFrom);
    if (mismatch) throw refuse('SENDER_MISMATCH', 550, mismatch, { sender: envelopeFrom, from: reading.fromAddresses, remoteAddress: session.remoteAddress });
    let point: KnownFocalPoint | undefined;
    try {
      point = await focalPointFor(envelopeFrom);
    } catch {
      throw new SmtpReply(451, 'DIRECTORY_UNAVAILABLE', '4.4.3 DIRECTORY_UNAVAILABLE: the list of focal points cannot be read now, try again later');
    }
    if (!point) throw refuse('SENDER_NOT_FOCAL_POINT', 550, `${envelopeFrom} is no longer a WACAP focal point`, { sender: envelopeFrom });
    const attributes = attributesFor(reading, { address: envelopeFrom, state: point.state || undefined });

    const native: NativeMessage = { body: raw, contentType: MAIL_MEDIA_TYPE, attributes };
    let outcome;
    try {
      outcome = await receive(native);
    } catch (error) {
      logger.warn({ err: error, sender: envelopeFrom }, 'message not kept; the sender will retry');
      const code = (error as { code?: unknown }).code;
      throw new SmtpReply(451, 'NOT_KEPT', `4.3.0 ${typeof code === 'string' ? code : 'NOT_KEPT'}: the message could not be kept now, try again later`);
    }
    if (outcome.status === 'rejected') {
      logger.info({ code: outcome.code, sender: envelopeFrom }, 'message refused by the codec; in the dead-letter topic');
      throw new SmtpReply(550, outcome.code, `5.6.0 ${outcome.code}: ${outcome.reason}`);
    }
    storeDocuments(reading.files);
    for (const requestId of outcome.requestIds) remember(requestId, point.state, [point.email]);
    return `2.0.0 Accepted${outcome.duplicate ? ' (already received)' : ''}: ${outcome.eventIds.join(' ')}`;
  }

  function storeDocuments(files: readonly { sha256: string; content: Buffer }[]): void {
    if (files.length === 0) return;
    mkdirSync(config.documents.dir, { recursive: true });
    for (const file of files) {
      const path = join(config.documents.dir, file.sha256);
      if (existsSync(path)) continue;
      const temporary = `${path}.${process.pid}.tmp`;
      writeFileSync(temporary, file.content);
      renameSync(temporary, path);
    }
  }

  // ---- correspondents --------------------------------------------------------------------

  function correspondentsOf(requestId: string): Record<string, string[]> {
    const value = openCorrespondents().get(requestId);
    if (!value) return {};
    try {
      return JSON.parse(value) as Record<string, string[]>;
    } catch {
      return {};
    }
  }

  function remember(requestId: string, state: string, addresses: readonly string[]): void {
    if (!state || !requestId || /[\t\n]/.test(requestId)) return;
    const known = correspondentsOf(requestId);
    const merged = [...new Set([...(known[state] ?? []), ...addresses.map((address) => address.toLowerCase())])].sort();
    if (merged.length === (known[state] ?? []).length) return;
    openCorrespondents().record(requestId, JSON.stringify({ ...known, [state]: merged }));
  }

  // ---- out -----------------------------------------------------------------------------

  async function recipientsFor(to: OutboundMail['to'], requestId: string): Promise<{ state?: string; addresses: string[] }> {
    let points: KnownFocalPoint[];
    try {
      points = await focalPoints();
    } catch (cause) {
      throw new DeliveryError('DIRECTORY_UNAVAILABLE', 'the focal points cannot be read from comity.directory now', { retriable: true, cause });
    }
    const ofState = (state: string) => points.filter((point) => point.state === state).map((point) => point.email);
    const known = correspondentsOf(requestId);
    const unique = (addresses: readonly string[]) => [...new Set(addresses.map((address) => address.toLowerCase()))];
    if (to.state) {
      const addresses = unique([...ofState(to.state), ...(known[to.state] ?? [])]);
      if (addresses.length > 0) return { state: to.state, addresses };
    } else {
      const states = Object.keys(known).filter((state) => state !== to.notState);
      const addresses = unique(states.flatMap((state) => [...(known[state] ?? []), ...ofState(state)]));
      if (addresses.length > 0) return { state: states.length === 1 ? states[0] : undefined, addresses };
    }
    if (config.fallbackRecipient) return { addresses: [config.fallbackRecipient] };
    throw new DeliveryError(
      'NO_RECIPIENT',
      to.state ? `no WACAP focal point is known for ${to.state}, and no fallbackRecipient is configured` : `no focal point is known for request ${requestId}, and no fallbackRecipient is configured`,
      { retriable: false },
    );
  }

  /** The bytes of the documents the adapter has: from its store, or inline `data:` URIs; checked against their SHA-256. */
  function attachable(attachments: readonly OutboundAttachment[]): { filename: string; content: Buffer; contentType: string }[] {
    const files: { filename: string; content: Buffer; contentType: string }[] = [];
    for (const attachment of attachments) {
      let content: Buffer | undefined;
      if (attachment.uri.startsWith(DOCUMENT_URI_PREFIX)) {
        const path = join(config.documents.dir, attachment.sha256);
        if (existsSync(path)) content = readFileSync(path);
      } else if (attachment.uri.startsWith('data:')) {
        content = dataUriBytes(attachment.uri);
      }
      if (!content) {
        logger.info({ document: attachment.name }, 'document not in the store: listed in the form, not attached');
        continue;
      }
      if (createHash('sha256').update(content).digest('hex') !== attachment.sha256) {
        logger.warn({ document: attachment.name }, 'document bytes do not match their SHA-256: not attached');
        continue;
      }
      files.push({ filename: attachment.name, content, contentType: attachment.mediaType });
    }
    return files;
  }

  async function deliver(message: NativeMessage, delivery: DeliveryContext): Promise<DeliveryReceipt> {
    if (!message.contentType.startsWith(OUTBOUND_MEDIA_TYPE)) {
      throw new DeliveryError('INVALID_NATIVE_MESSAGE', `expected ${OUTBOUND_MEDIA_TYPE}, got ${message.contentType}`, { retriable: false });
    }
    let mail: OutboundMail;
    try {
      mail = outboundMail.parse(JSON.parse(message.body.toString('utf8')));
    } catch (cause) {
      throw new DeliveryError('INVALID_NATIVE_MESSAGE', 'the outbound message is not a WACAP mail', { retriable: false, cause });
    }
    const recipients = await recipientsFor(mail.to, delivery.requestId);
    const domain = config.from.split('@')[1] as string;
    const messageId = `<${delivery.eventId}@${domain}>`;
    const inReplyTo = mail.inReplyTo ?? (mail.inReplyToEvent ? `<${mail.inReplyToEvent}@${domain}>` : undefined);
    const transporter = nodemailer.createTransport({
      host: config.relay.host,
      port: config.relay.port,
      secure: config.relay.secure,
      requireTLS: config.relay.requireTLS,
      ignoreTLS: false,
      auth: config.relay.auth ? { user: config.relay.auth.user, pass: config.relay.auth.pass } : undefined,
      tls: { rejectUnauthorized: config.relay.rejectUnauthorized },
      connectionTimeout: config.relay.timeoutMs,
      greetingTimeout: config.relay.timeoutMs,
      socketTimeout: config.relay.timeoutMs,
      name: config.smtp.name,
      logger: false,
    });
    const abort = () => transporter.close();
    delivery.signal.addEventListener('abort', abort, { once: true });
    try {
      const info = await transporter.sendMail({
        from: config.from,
        to: recipients.addresses,
        subject: mail.subject,
        text: mail.text,
        attachments: attachable(mail.attachments),
        messageId,
        ...(inReplyTo ? { inReplyTo, references: [inReplyTo] } : {}),
        headers: {
          'X-Comity-Event-Id': delivery.eventId,
          'X-Comity-Request-Id': delivery.requestId,
          'Auto-Submitted': 'auto-generated',
        },
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      if (info.rejected.length > 0) logger.warn({ rejected: info.rejected, eventId: delivery.eventId }, 'the relay refused some recipients');
      if (recipients.state) remember(delivery.requestId, recipients.state, info.accepted.map(String));
      logger.info({ eventId: delivery.eventId, requestId: delivery.requestId, recipients: recipients.addresses.length }, 'e-mail handed to the relay');
      return { nativeMessageId: info.messageId || messageId };
    } catch (error) {
      throw deliveryErrorOf(error);
    } finally {
      delivery.signal.removeEventListener('abort', abort);
      transporter.close();
    }
  }

  // ---- lifecycle -----------------------------------------------------------------------

  return {
    async start(receive) {
      const created = new SMTPServer({
        name: config.smtp.name,
        banner: 'Comity WACAP adapter',
        size: limits.maxMessageBytes,
        authOptional: true,
        disabledCommands: ['AUTH', 'STARTTLS'],
        hideSTARTTLS: true,
        logger: false,
        maxClients: config.smtp.maxClients,
        socketTimeout: config.smtp.socketTimeoutMs,
        closeTimeout: 5_000,
        onMailFrom(address, session, callback) {
          checkEnvelopeSender(address.address, session).then(
            () => callback(),
            (error: unknown) => callback(asSmtpError(error)),
          );
        },
        onRcptTo(address, _session, callback) {
          const wanted = config.smtp.recipients.map((recipient) => recipient.toLowerCase());
          if (wanted.length > 0 && !wanted.includes(address.address.toLowerCase())) {
            return callback(asSmtpError(new SmtpReply(550, 'UNKNOWN_RECIPIENT', `5.1.1 UNKNOWN_RECIPIENT: ${address.address} is not a mailbox of this adapter`)));
          }
          callback();
        },
        onData(stream: SMTPServerDataStream, session, reply) {
          let answered = false;
          const callback = (error: Error | null, text?: string) => {
            if (answered) return;
            answered = true;
            reply(error, text);
          };
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => {
            if (!stream.sizeExceeded) chunks.push(chunk);
          });
          stream.on('error', (error) => callback(error));
          stream.on('end', () => {
            if (stream.sizeExceeded) {
              const reply = refuse('MESSAGE_TOO_LARGE', 552, `the message is larger than ${limits.maxMessageBytes} bytes`, {
                sender: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              });
              return callback(asSmtpError(reply));
            }
            handleMessage(receive, Buffer.concat(chunks), session).then(
              (text) => callback(null, replyText(text)),
              (error: unknown) => {
                if (!(error instanceof SmtpReply)) logger.error({ err: error }, 'failed to handle an incoming message');
                callback(asSmtpError(error));
              },
            );
          });
        },
      });
      created.on('error', (error) => logger.error({ err: error }, 'SMTP listener error'));
      await new Promise<void>((resolve, reject) => {
        created.once('error', reject);
        created.listen(config.smtp.port, config.smtp.host, () => {
          created.off('error', reject);
          resolve();
        });
      });
      const address = created.server.address() as AddressInfo;
      bound = { host: address.address, port: address.port };
      server = created;
      logger.info({ host: bound.host, port: bound.port }, 'SMTP listener started');
    },
    deliver,
    async stop() {
      const closing = server;
      server = undefined;
      if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
      correspondents?.close();
      correspondents = undefined;
    },
    address: () => bound,
    refusals: () => ({ ...refused }),
  };
}

/** What smtp-server answers for an error: our reply, or 451 for anything unexpected. */
function asSmtpError(error: unknown): Error & { responseCode: number } {
  if (error instanceof SmtpReply) return Object.assign(new Error(replyText(error.message)), { responseCode: error.responseCode });
  return Object.assign(new Error('4.3.0 INTERNAL_ERROR: the message could not be handled now, try again later'), { responseCode: 451 });
}

/** The relay's answer as a DeliveryError: permanent SMTP refusals are final, the rest is retried. */
function deliveryErrorOf(error: unknown): DeliveryError {
  const failure = error as { code?: string; responseCode?: number; permanent?: boolean; response?: string; message?: string };
  const detail = failure.response ?? failure.message ?? String(error);
  if (failure.permanent === true || (failure.responseCode !== undefined && failure.responseCode >= 500 && failure.responseCode !== 503)) {
    return new DeliveryError('REJECTED_BY_NATIVE_SYSTEM', `the relay refused the e-mail: ${detail}`, { retriable: false, cause: error });
  }
  if (failure.responseCode !== undefined) {
    return new DeliveryError('RELAY_DEFERRED', `the relay deferred the e-mail: ${detail}`, { retriable: true, cause: error });
  }
  if (failure.code === 'EAUTH' || failure.code === 'ENOAUTH') {
    return new DeliveryError('RELAY_AUTH_FAILED', `the relay refused the adapter's credentials: ${detail}`, { retriable: true, cause: error });
  }
  return new DeliveryError('RELAY_UNAVAILABLE', `the relay cannot be reached: ${detail}`, { retriable: true, cause: error });
}

/** The bytes of a `data:` URI (base64 or percent-encoded), or undefined if it is not one. */
function dataUriBytes(uri: string): Buffer | undefined {
  const match = /^data:([^,]*?)(;base64)?,(.*)$/s.exec(uri);
  if (!match) return undefined;
  try {
    return match[2] ? Buffer.from(match[3] ?? '', 'base64') : Buffer.from(decodeURIComponent(match[3] ?? ''), 'utf8');
  } catch {
    return undefined;
  }
}
