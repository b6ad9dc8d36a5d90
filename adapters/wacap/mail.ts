/**
 * What the transport and the codec tell each other about an e-mail. Pure: names, schemas and
 * limits, no I/O.
 *
 * Inbound, the native message is the e-mail exactly as received over SMTP (`message/rfc822`):
 * its SHA-256 is the provenance digest and the de-duplication key. MIME is parsed by the
 * transport with mailparser (streaming and asynchronous, so it cannot run in a codec), which
 * hands the codec what it read as attributes ({@link ATTRIBUTES}) — the text body, the subject,
 * the identifiers, the attachments' names, types, sizes and SHA-256 — plus the limits to apply.
 * The attributes carry the SHA-256 of the bytes they were read from, and the codec refuses
 * them for any other bytes (PARSE_MISMATCH): what is translated is provably what was received.
 *
 * Outbound, the native message is an {@link OutboundMail} in JSON: the text body with the form,
 * the subject, threading and the documents to attach. The transport turns it into MIME with
 * nodemailer and sends it through the relay.
 */
import { z } from 'zod';

/** Attributes the transport sets on an inbound message for the codec. */
export const ATTRIBUTES = {
  /** SHA-256 (hex) of the bytes the other attributes were read from. */
  sha256: 'wacap.sha256',
  /** Why mailparser could not read the message (`EMAXLEN: Max allowed child nodes exceeded`). */
  parseError: 'wacap.parseError',
  /** The sender: the one address of the From header, which the transport checked is a focal point. */
  from: 'wacap.from',
  /** The State whose focal point sent it (from the directory or the config), when known. */
  senderState: 'wacap.senderState',
  /** Decoded Subject header. */
  subject: 'wacap.subject',
  /** Message-ID, with its angle brackets. */
  messageId: 'wacap.messageId',
  /** In-Reply-To, with its angle brackets. */
  inReplyTo: 'wacap.inReplyTo',
  /** The text body as mailparser decoded it (text/plain parts, or the HTML converted to text). */
  text: 'wacap.text',
  /** Size in bytes (UTF-8) of the text body, set instead of `text` when it is over the limit. */
  textBytes: 'wacap.textBytes',
  /** JSON array of {@link MailAttachment}. */
  attachments: 'wacap.attachments',
  /** Limits the codec applies (from the config). */
  maxAttachments: 'wacap.maxAttachments',
  maxAttachmentBytes: 'wacap.maxAttachmentBytes',
  maxTextBytes: 'wacap.maxTextBytes',
} as const;

/** One attached file, as the transport read it. The bytes stay with the transport. */
export const mailAttachment = z.strictObject({
  /** File name (decoded); `part-<partId>` when the part named none. */
  name: z.string().min(1),
  mediaType: z.string().min(1),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** IMAP-style part number (`2`, `1.3`). */
  partId: z.string(),
  /** Part of an HTML body's presentation (an inline image in multipart/related), not a document. */
  related: z.boolean().optional(),
});
export type MailAttachment = z.output<typeof mailAttachment>;

export const MAIL_MEDIA_TYPE = 'message/rfc822';

/** Media type of the outbound native message. */
export const OUTBOUND_MEDIA_TYPE = 'application/vnd.comity.wacap-mail+json';

/** A document the transport should attach, if it can get the bytes (document store or `data:` URI). */
export const outboundAttachment = z.strictObject({
  name: z.string().min(1),
  mediaType: z.string().min(1),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  uri: z.string().min(1),
});
export type OutboundAttachment = z.output<typeof outboundAttachment>;

/** The outbound native message: everything the e-mail says except its addresses and ids. */
export const outboundMail = z.strictObject({
  subject: z.string(),
  /** The text body: the form, with its preamble and postscript. */
  text: z.string(),
  to: z.strictObject({
    /** Send to this State's focal points (a new request: the requested State). */
    state: z.string().regex(/^[A-Z]{2}$/).optional(),
    /** For an answer: the State that sends it, so not the one to send it to. */
    notState: z.string().regex(/^[A-Z]{2}$/).optional(),
  }),
  /** In-Reply-To exactly as a focal point's message had it (kept for the round trip). */
  inReplyTo: z.string().optional(),
  /** The Comity event answered; the transport writes In-Reply-To `<id@domain>` for it. */
  inReplyToEvent: z.string().optional(),
  attachments: z.array(outboundAttachment),
});
export type OutboundMail = z.output<typeof outboundMail>;

/** Document references the adapter gives attachments it received: `comity-doc://wacap/<sha256>`. */
export const DOCUMENT_URI_PREFIX = 'comity-doc://wacap/';

export function documentUri(sha256Hex: string): string {
  return `${DOCUMENT_URI_PREFIX}${sha256Hex}`;
}

/** Limits, when the attributes do not say (spec.ts documents them). */
export const DEFAULT_LIMITS = {
  maxMessageBytes: 10 * 1024 * 1024,
  maxAttachments: 20,
  maxAttachmentBytes: 5 * 1024 * 1024,
  maxParts: 64,
  maxTextBytes: 512 * 1024,
} as const;
