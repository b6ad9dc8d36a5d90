/**
 * The fixtures' `<case>.attributes.json` are what the transport hands the codec for each e-mail:
 * this test reads every fixture with the transport's own mailparser reading and compares.
 * `COMITY_UPDATE_FIXTURES=1` writes them (run this file before the conformance kit).
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ATTRIBUTES } from './mail.js';
import { attributesFor, readMail, senderMismatch, type MailLimits } from './transport-mail.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const update = process.env.COMITY_UPDATE_FIXTURES === '1';

/** The limits the fixtures are read with: small attachments, so the oversize case stays small. */
const FIXTURE_LIMITS: MailLimits = { maxAttachments: 20, maxAttachmentBytes: 64 * 1024, maxParts: 64, maxTextBytes: 512 * 1024 };

/** The focal points of the fixtures (fictitious addresses under .example). */
const FIXTURE_FOCAL_POINTS: Readonly<Record<string, string>> = {
  'entraide.penale@justice.gouv.sn.example': 'SN',
  'parquet.pjf@justice.gouv.sn.example': 'SN',
  'dacp.entraide@justice.gouv.ci.example': 'CI',
  'central.authority@justice.gov.ng.example': 'NG',
  'mla.unit@mojagd.gov.gh.example': 'GH',
  'cooperacao@mp.gw.example': 'GW',
  'entraide@justice.gouv.tg.example': 'TG',
  'entraide@justice.gouv.bj.example': 'BJ',
  'mla@lawofficers.gov.sl.example': 'SL',
  'cooperacao@pgr.cv.example': 'CV',
};

function emlFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith('.eml')).sort();
}

/** The envelope sender a focal point's MTA would give: the From address, read from the raw header when mailparser could not. */
function envelopeSenderOf(raw: Buffer, from: readonly string[]): string {
  if (from.length > 0) return from[0] as string;
  return /^From:.*?<?([^\s<>"]+@[^\s<>"]+)>?\s*$/im.exec(raw.toString('latin1'))?.[1] ?? '';
}

function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

describe('adapters/wacap/transport-mail', () => {
  for (const sub of ['', 'malformed']) {
    const dir = join(FIXTURES, sub);
    for (const file of emlFiles(dir)) {
      it(`${join(sub, file)}: its attributes are what the transport reads`, async () => {
        const raw = readFileSync(join(dir, file));
        const reading = await readMail(raw, FIXTURE_LIMITS);
        const envelopeFrom = envelopeSenderOf(raw, reading.fromAddresses);
        // Every fixture but the headerless ones (which the transport refuses before the codec,
        // and which are there for the codec's own refusal) is a message the transport passes on.
        if (reading.fromHeaders > 0) expect(senderMismatch(reading, envelopeFrom)).toBeUndefined();
        const attributes = attributesFor(reading, { address: envelopeFrom, state: FIXTURE_FOCAL_POINTS[envelopeFrom.toLowerCase()] });
        const path = join(dir, file.replace(/\.eml$/, '.attributes.json'));
        const previous = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { contentType?: string }) : {};
        const expected = { contentType: previous.contentType ?? 'message/rfc822', attributes: sorted(attributes) };
        if (update) {
          writeFileSync(path, `${JSON.stringify(expected, null, 2)}\n`);
          return;
        }
        expect(existsSync(path), `${path} is missing: run with COMITY_UPDATE_FIXTURES=1`).toBe(true);
        expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(expected);
      });
    }
  }

  it('stops a MIME bomb at maxParts, before reading the rest', async () => {
    const raw = readFileSync(join(FIXTURES, 'malformed', 'mime-bomb-nested.eml'));
    const started = Date.now();
    const reading = await readMail(raw, FIXTURE_LIMITS);
    expect(reading.attributes[ATTRIBUTES.parseError]).toMatch(/EMAXLEN/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refuses a message whose From header disagrees with the envelope, or has two From headers', async () => {
    const one = await readMail(Buffer.from('From: a@b.sn.example\r\nSubject: x\r\n\r\nbody\r\n'), FIXTURE_LIMITS);
    expect(senderMismatch(one, 'A@B.sn.example')).toBeUndefined();
    expect(senderMismatch(one, 'other@b.sn.example')).toMatch(/not the envelope sender/);
    const two = await readMail(Buffer.from('From: a@b.sn.example\r\nFrom: evil@x.example\r\nSubject: x\r\n\r\nbody\r\n'), FIXTURE_LIMITS);
    expect(senderMismatch(two, 'a@b.sn.example')).toMatch(/exactly one From header/);
    const group = await readMail(Buffer.from('From: a@b.sn.example, c@d.example\r\nSubject: x\r\n\r\nbody\r\n'), FIXTURE_LIMITS);
    expect(senderMismatch(group, 'a@b.sn.example')).toMatch(/one address/);
    const none = await readMail(Buffer.from('Subject: x\r\n\r\nbody\r\n'), FIXTURE_LIMITS);
    expect(senderMismatch(none, 'a@b.sn.example')).toMatch(/exactly one From header/);
  });

  it('hands the codec the text and not a text over the limit', async () => {
    const text = 'x'.repeat(2_000);
    const reading = await readMail(Buffer.from(`From: a@b.sn.example\r\nSubject: x\r\n\r\n${text}\r\n`), { ...FIXTURE_LIMITS, maxTextBytes: 1_000 });
    expect(reading.attributes[ATTRIBUTES.text]).toBeUndefined();
    expect(Number(reading.attributes[ATTRIBUTES.textBytes])).toBeGreaterThan(1_000);
  });
});
