/**
 * For tests only: a real SMTP server on 127.0.0.1 (smtp-server) standing in for the relay, that keeps
 * what it accepted, parsed with mailparser, and can be told to refuse or defer. Not used by the
 * adapter itself.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SunkMail {
  readonly envelopeFrom: string;
  readonly recipients: readonly string[];
  readonly raw: Buffer;
  readonly parsed: ParsedMail;
}

export interface SmtpSink {
  readonly port: number;
  readonly messages: SunkMail[];
  /** Answer the next messages with this SMTP code (550: refused, 451: deferred) until `accept()`. */
  refuse(code: 550 | 451): void;
  accept(): void;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: SunkMail[] = [];
  let refusal: 550 | 451 | undefined;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideSTARTTLS: true,
    logger: false,
    closeTimeout: 1_000,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (refusal !== undefined) {
          const text = refusal === 550 ? '5.7.1 refused by the test relay' : '4.3.0 deferred by the test relay';
          return callback(Object.assign(new Error(text), { responseCode: refusal }));
        }
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            messages.push({
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              recipients: session.envelope.rcptTo.map((recipient) => recipient.address),
              raw,
              parsed,
            });
            callback(null, 'queued');
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    messages,
    refuse: (code) => void (refusal = code),
    accept: () => void (refusal = undefined),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
