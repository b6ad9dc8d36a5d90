/**
 * The WACAP transport over real SMTP on 127.0.0.1, without Kafka: focal points' mail in
 * (smtp-server), e-mails out through a local relay (nodemailer → transport-test-sink.ts), and the receiver's
 * outcome as the SMTP reply. The whole adapter with a broker is test/integration/wacap.test.ts.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ContactPoint } from '../../core/gen/comity/v1/directory.js';
import { createLogger } from '../../core/log.js';
import type { DeliveryContext, NativeMessage, ReceiveOutcome } from '../sdk/contract.js';
import { DeliveryError } from '../sdk/errors.js';
import { ATTRIBUTES, OUTBOUND_MEDIA_TYPE, documentUri, type OutboundMail } from './mail.js';
import { startSmtpSink, type SmtpSink } from './transport-test-sink.js';
import { wacapConfig } from './spec.js';
import { createWacapTransport, type WacapTransport } from './transport.js';

const SENEGAL = 'entraide.penale@justice.gouv.sn.example';
const IVORY_COAST = 'dacp.entraide@justice.gouv.ci.example';
const GHANA = 'mla.unit@mojagd.gov.gh.example';

const logLines: string[] = [];
const logger = createLogger({ name: 'test.wacap-transport', level: 'info', destination: new Writable({ write: (chunk: Buffer, _encoding, done) => void (logLines.push(chunk.toString()), done()) }) });

function message(from: string, body: string, extraHeaders = ''): Buffer {
  return Buffer.from(`From: ${from}\r\nTo: comity@wacap.example\r\nSubject: test\r\nMessage-ID: <${Math.random()}@test.example>\r\n${extraHeaders}\r\n${body}\r\n`);
}

describe('adapters/wacap/transport', () => {
  let relay: SmtpSink;
  let transport: WacapTransport;
  let stateDir: string;
  const received: NativeMessage[] = [];
  let answer: (native: NativeMessage) => Promise<ReceiveOutcome>;
  const directory: ContactPoint[] = [
    ContactPoint.fromPartial({ id: 'wacap/sn-1', network: 'wacap', state: 'SN', email: SENEGAL.toUpperCase() }),
    ContactPoint.fromPartial({ id: 'wacap/ci-1', network: 'wacap', state: 'CI', email: IVORY_COAST }),
  ];

  async function send(envelopeFrom: string, raw: Buffer): Promise<{ ok: boolean; code?: number; response: string }> {
    const client = nodemailer.createTransport({ host: '127.0.0.1', port: transport.address()?.port, secure: false, ignoreTLS: true, logger: false });
    try {
      const info = await client.sendMail({ envelope: { from: envelopeFrom, to: ['comity@wacap.example'] }, raw });
      return { ok: true, response: info.response };
    } catch (error) {
      const failure = error as { responseCode?: number; response?: string; message: string };
      return { ok: false, code: failure.responseCode, response: failure.response ?? failure.message };
    } finally {
      client.close();
    }
  }

  function delivery(requestId: string, eventId = '0195d8a0-7c1e-7a10-8a00-0000000000e1'): DeliveryContext {
    return { eventId, requestId, attempt: 1, signal: new AbortController().signal };
  }

  function outbound(mail: Partial<OutboundMail>): NativeMessage {
    const full: OutboundMail = { subject: 'S', text: 'T', to: {}, attachments: [], ...mail };
    return { body: Buffer.from(JSON.stringify(full)), contentType: OUTBOUND_MEDIA_TYPE, attributes: {} };
  }

  beforeAll(async () => {
    relay = await startSmtpSink();
    stateDir = mkdtempSync(join(tmpdir(), 'comity-wacap-transport-'));
    const config = wacapConfig.parse({
      smtp: { port: 0 },
      relay: { host: '127.0.0.1', port: relay.port, timeoutMs: 2_000 },
      from: 'comity@wacap.example',
      focalPoints: [{ email: GHANA, state: 'GH', name: 'MLA Unit' }],
      limits: { maxMessageBytes: 64 * 1024 },
      documents: { dir: join(stateDir, 'documents') },
      correspondents: { file: join(stateDir, 'correspondents.log') },
    });
    transport = createWacapTransport(config, { network: 'wacap', logger, directory: { contactPoints: async () => directory } });
    await transport.start(async (native) => {
      received.push(native);
      return answer(native);
    });
  });

  afterAll(async () => {
    await transport?.stop();
    await relay?.close();
  });

  beforeEach(() => {
    received.length = 0;
    relay.accept();
    answer = async () => ({ status: 'accepted', eventIds: ['0195d8a0-7c1e-7a10-8a00-0000000000a1'], requestIds: ['wacap:SN:T/1'], duplicate: false });
  });

  it('hands a focal point\'s e-mail over as its bytes and what mailparser read, answers 250 once kept, and stores its attachments', async () => {
    const raw = Buffer.from(
      [
        `From: "DACG" <${SENEGAL}>`,
        'To: comity@wacap.example',
        'Subject: =?utf-8?Q?Demande_d=27entraide?=',
        'Message-ID: <t1@justice.gouv.sn.example>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Référence',
        '--b',
        'Content-Type: application/pdf',
        'Content-Disposition: attachment; filename="cr.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('%PDF-1.4 test').toString('base64'),
        '--b--',
        '',
      ].join('\r\n'),
    );
    const result = await send(SENEGAL, raw);
    expect(result).toMatchObject({ ok: true });
    expect(result.response).toMatch(/^250 2\.0\.0 Accepted: 0195d8a0-7c1e-7a10-8a00-0000000000a1/);
    expect(received).toHaveLength(1);
    const native = received[0] as NativeMessage;
    expect(native.contentType).toBe('message/rfc822');
    expect(native.body.equals(raw)).toBe(true);
    expect(native.attributes).toMatchObject({
      [ATTRIBUTES.sha256]: createHash('sha256').update(raw).digest('hex'),
      [ATTRIBUTES.from]: SENEGAL,
      [ATTRIBUTES.senderState]: 'SN',
      [ATTRIBUTES.subject]: "Demande d'entraide",
      [ATTRIBUTES.text]: 'Référence',
    });
    const sha = createHash('sha256').update('%PDF-1.4 test').digest('hex');
    expect(JSON.parse(native.attributes[ATTRIBUTES.attachments] ?? '[]')).toEqual([{ name: 'cr.pdf', mediaType: 'application/pdf', size: 13, sha256: sha, partId: '2' }]);
    expect(readFileSync(join(stateDir, 'documents', sha), 'utf8')).toBe('%PDF-1.4 test');
  });

  it('accepts a focal point known only from the config', async () => {
    expect(await send(GHANA, message(GHANA, 'hello'))).toMatchObject({ ok: true });
    expect(received[0]?.attributes[ATTRIBUTES.senderState]).toBe('GH');
  });

  it('refuses, logs and counts a sender that is not a focal point, before reading the message', async () => {
    const before = transport.refusals().SENDER_NOT_FOCAL_POINT ?? 0;
    const result = await send('someone@gmail.example', message('someone@gmail.example', 'hello'));
    expect(result).toMatchObject({ ok: false, code: 550 });
    expect(result.response).toMatch(/5\.7\.1 SENDER_NOT_FOCAL_POINT: someone@gmail\.example is not a WACAP focal point/);
    expect(received).toHaveLength(0);
    expect(transport.refusals().SENDER_NOT_FOCAL_POINT).toBe(before + 1);
    expect(logLines.some((line) => line.includes('"level":"warn"') && line.includes('SENDER_NOT_FOCAL_POINT'))).toBe(true);
  });

  it('refuses a forged From header and a message with two senders', async () => {
    const forged = await send(SENEGAL, message('ministre@justice.gouv.sn.example', 'hello'));
    expect(forged).toMatchObject({ ok: false, code: 550 });
    expect(forged.response).toMatch(/SENDER_MISMATCH: the From header \(ministre@justice\.gouv\.sn\.example\) is not the envelope sender/);
    const doubled = await send(SENEGAL, message(SENEGAL, 'hello', 'From: attacker@evil.example\r\n'));
    expect(doubled).toMatchObject({ ok: false, code: 550 });
    expect(doubled.response).toMatch(/SENDER_MISMATCH: the message must have exactly one From header/);
    expect(received).toHaveLength(0);
  });

  it('refuses a message over the size limit with 552', async () => {
    const result = await send(SENEGAL, message(SENEGAL, 'x'.repeat(70 * 1024)));
    expect(result).toMatchObject({ ok: false, code: 552 });
    expect(received).toHaveLength(0);
  });

  it('answers the codec\'s refusal with 550 and its code, and a failure to keep the message with 451', async () => {
    answer = async () => ({ status: 'rejected', code: 'MISSING_FORM', reason: 'the e-mail holds no WACAP form' });
    const refused = await send(SENEGAL, message(SENEGAL, 'hello'));
    expect(refused).toMatchObject({ ok: false, code: 550 });
    expect(refused.response).toMatch(/5\.6\.0 MISSING_FORM: the e-mail holds no WACAP form/);
    answer = async () => {
      throw Object.assign(new Error('broker down'), { code: 'KAFKA_UNAVAILABLE' });
    };
    const deferred = await send(SENEGAL, message(SENEGAL, 'hello'));
    expect(deferred).toMatchObject({ ok: false, code: 451 });
    expect(deferred.response).toMatch(/4\.3\.0 KAFKA_UNAVAILABLE/);
  });

  it('sends a request to the focal points of the requested State, with its ids, and the stored documents attached', async () => {
    const content = Buffer.from('%PDF-1.4 test');
    const sha = createHash('sha256').update(content).digest('hex');
    const inline = Buffer.from('inline document');
    const inlineSha = createHash('sha256').update(inline).digest('hex');
    const receipt = await transport.deliver(
      outbound({
        subject: '[WACAP] DEMANDE / REQUEST – X',
        text: '=== WACAP : DEMANDE / REQUEST ===\n=== FIN / END ===\n',
        to: { state: 'CI' },
        inReplyToEvent: '0195d8a0-7c1e-7a10-8a00-0000000000c1',
        attachments: [
          { name: 'cr.pdf', mediaType: 'application/pdf', size: content.length, sha256: sha, uri: documentUri(sha) },
          { name: 'note.txt', mediaType: 'text/plain', size: inline.length, sha256: inlineSha, uri: `data:text/plain;base64,${inline.toString('base64')}` },
          { name: 'absent.pdf', mediaType: 'application/pdf', size: 1, sha256: 'f'.repeat(64), uri: documentUri('f'.repeat(64)) },
        ],
      }),
      delivery('ejn:REQ-1'),
    );
    expect(receipt.nativeMessageId).toBe('<0195d8a0-7c1e-7a10-8a00-0000000000e1@wacap.example>');
    const sent = relay.messages.at(-1);
    expect(sent?.recipients).toEqual([IVORY_COAST]);
    expect(sent?.envelopeFrom).toBe('comity@wacap.example');
    expect(sent?.parsed.messageId).toBe('<0195d8a0-7c1e-7a10-8a00-0000000000e1@wacap.example>');
    expect(sent?.parsed.inReplyTo).toBe('<0195d8a0-7c1e-7a10-8a00-0000000000c1@wacap.example>');
    expect(sent?.parsed.headers.get('x-comity-event-id')).toBe('0195d8a0-7c1e-7a10-8a00-0000000000e1');
    expect(sent?.parsed.headers.get('x-comity-request-id')).toBe('ejn:REQ-1');
    expect(sent?.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(sent?.parsed.attachments.map((attachment) => [attachment.filename, attachment.content.toString()])).toEqual([
      ['cr.pdf', '%PDF-1.4 test'],
      ['note.txt', 'inline document'],
    ]);

    // An answer about that request, from the requesting side, goes to who has it.
    await transport.deliver(outbound({ to: { notState: 'DE' } }), delivery('ejn:REQ-1', '0195d8a0-7c1e-7a10-8a00-0000000000e2'));
    expect(relay.messages.at(-1)?.recipients).toEqual([IVORY_COAST]);
  });

  it('sends answers to the focal point that sent the request', async () => {
    answer = async () => ({ status: 'accepted', eventIds: ['0195d8a0-7c1e-7a10-8a00-0000000000a2'], requestIds: ['wacap:GH:R/9'], duplicate: false });
    expect(await send(GHANA, message(GHANA, 'request'))).toMatchObject({ ok: true });
    await transport.deliver(outbound({ to: { notState: 'CO' } }), delivery('wacap:GH:R/9', '0195d8a0-7c1e-7a10-8a00-0000000000e3'));
    expect(relay.messages.at(-1)?.recipients).toEqual([GHANA]);
  });

  it('dead-letters what has no recipient, and tells refusals from failures that may pass later', async () => {
    const noOne = await transport.deliver(outbound({ to: { state: 'ML' } }), delivery('wacap:ML:1')).catch((error: unknown) => error);
    expect(noOne).toBeInstanceOf(DeliveryError);
    expect(noOne).toMatchObject({ code: 'NO_RECIPIENT', retriable: false });

    relay.refuse(550);
    expect(await transport.deliver(outbound({ to: { state: 'CI' } }), delivery('x:1')).catch((error: unknown) => error)).toMatchObject({
      code: 'REJECTED_BY_NATIVE_SYSTEM',
      retriable: false,
    });
    relay.refuse(451);
    expect(await transport.deliver(outbound({ to: { state: 'CI' } }), delivery('x:2')).catch((error: unknown) => error)).toMatchObject({
      code: 'RELAY_DEFERRED',
      retriable: true,
    });
    relay.accept();
    expect(await transport.deliver({ body: Buffer.from('{}'), contentType: OUTBOUND_MEDIA_TYPE, attributes: {} }, delivery('x:3')).catch((error: unknown) => error)).toMatchObject({
      code: 'INVALID_NATIVE_MESSAGE',
      retriable: false,
    });
  });

  it('retries when the relay is down', async () => {
    const config = wacapConfig.parse({
      smtp: { port: 0 },
      relay: { host: '127.0.0.1', port: 1, timeoutMs: 1_000 },
      from: 'comity@wacap.example',
      documents: { dir: join(stateDir, 'documents') },
      correspondents: { file: join(stateDir, 'other-correspondents.log') },
    });
    const down = createWacapTransport(config, { network: 'wacap', logger, directory: { contactPoints: async () => directory } });
    const failure = await down.deliver(outbound({ to: { state: 'CI' } }), delivery('x:4')).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'RELAY_UNAVAILABLE', retriable: true });
    await down.stop();
  });
});
