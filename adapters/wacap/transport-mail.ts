/**
 * Reading an incoming e-mail with mailparser, for the transport: the facts the codec needs,
 * as the attributes of mail.ts, and what the transport itself needs (the sender as the headers
 * state it, the attachments' bytes for the document store).
 *
 * mailparser does the MIME work (structure, transfer encodings, character sets, RFC 2047 and
 * RFC 2231 words, format=flowed, HTML to text) and stops at `maxParts` parts (its
 * `maxChildNodes`): a MIME bomb ends as a parse error, which the codec turns into
 * TOO_MANY_PARTS. Embedded messages (a forwarded e-mail) are kept as attachments, never read as
 * part of the text.
 */
import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { ATTRIBUTES, type MailAttachment } from './mail.js';

export interface MailLimits {
  readonly maxAttachments: number;
  readonly maxAttachmentBytes: number;
  readonly maxParts: number;
  readonly maxTextBytes: number;
}

export interface MailReading {
  /** Attributes for the codec (sender facts are added by the transport once it checked them). */
  readonly attributes: Record<string, string>;
  /** Addresses of every From header (several From headers, or several addresses, are refused). */
  readonly fromAddresses: readonly string[];
  /** How many From header lines the message has. */
  readonly fromHeaders: number;
  /** Attached files with their bytes, for the document store; empty when parsing failed. */
  readonly files: readonly { readonly sha256: string; readonly content: Buffer }[];
}

export async function readMail(raw: Buffer, limits: MailLimits): Promise<MailReading> {
  const attributes: Record<string, string> = {
    [ATTRIBUTES.sha256]: createHash('sha256').update(raw).digest('hex'),
    [ATTRIBUTES.maxAttachments]: String(limits.maxAttachments),
    [ATTRIBUTES.maxAttachmentBytes]: String(limits.maxAttachmentBytes),
    [ATTRIBUTES.maxTextBytes]: String(limits.maxTextBytes),
  };
  let mail: ParsedMail;
  try {
    mail = await simpleParser(raw, {
      maxChildNodes: limits.maxParts,
      maxHeadSize: 256 * 1024,
      checksumAlgo: 'sha256',
      keepCidLinks: true,
      skipImageLinks: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      ignoreEmbedded: true,
      maxHtmlLengthToParse: limits.maxTextBytes * 4,
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    attributes[ATTRIBUTES.parseError] = `${typeof code === 'string' ? `${code}: ` : ''}${(error as Error).message}`.slice(0, 500);
    return { attributes, fromAddresses: [], fromHeaders: 0, files: [] };
  }

  const fromAddresses = addressesOf(mail.from);
  const fromHeaders = mail.headerLines.filter((line) => line.key === 'from').length;
  if (fromAddresses.length === 1) attributes[ATTRIBUTES.from] = (fromAddresses[0] as string).toLowerCase();
  if (mail.subject !== undefined) attributes[ATTRIBUTES.subject] = mail.subject;
  if (mail.messageId) attributes[ATTRIBUTES.messageId] = mail.messageId;
  if (mail.inReplyTo) attributes[ATTRIBUTES.inReplyTo] = mail.inReplyTo;
  if (mail.text !== undefined) {
    const bytes = Buffer.byteLength(mail.text, 'utf8');
    if (bytes > limits.maxTextBytes) attributes[ATTRIBUTES.textBytes] = String(bytes);
    else attributes[ATTRIBUTES.text] = mail.text;
  }
  const attachments: MailAttachment[] = mail.attachments.map((attachment, index) => {
    const partId = attachment.partId ?? String(index + 1);
    return {
      name: attachment.filename?.trim() || `part-${partId}${extensionFor(attachment.contentType)}`,
      mediaType: attachment.contentType.toLowerCase(),
      size: attachment.size,
      sha256: attachment.checksum,
      partId,
      ...(attachment.related ? { related: true } : {}),
    };
  });
  attributes[ATTRIBUTES.attachments] = JSON.stringify(attachments);
  const files = mail.attachments.filter((attachment) => !attachment.related).map((attachment) => ({ sha256: attachment.checksum, content: attachment.content }));
  return { attributes, fromAddresses, fromHeaders, files };
}

/**
 * Why the headers do not agree with the envelope sender, or undefined when they do: the message
 * must have one From header naming one address, the envelope's. (A message mailparser could not
 * read has no headers to compare; its envelope sender was checked, and the codec refuses it.)
 */
export function senderMismatch(reading: MailReading, envelopeFrom: string): string | undefined {
  if (reading.attributes[ATTRIBUTES.parseError] !== undefined) return undefined;
  const from = reading.fromAddresses;
  if (reading.fromHeaders !== 1 || from.length !== 1) {
    return `the message must have exactly one From header with one address (it has ${reading.fromHeaders} header(s), ${from.length} address(es))`;
  }
  if ((from[0] as string).toLowerCase() !== envelopeFrom.toLowerCase()) return `the From header (${from[0]}) is not the envelope sender (${envelopeFrom})`;
  return undefined;
}

/** The attributes the codec gets: what was read, and the sender as checked. */
export function attributesFor(reading: MailReading, sender: { readonly address: string; readonly state?: string }): Record<string, string> {
  const attributes = { ...reading.attributes };
  if (attributes[ATTRIBUTES.parseError] !== undefined) attributes[ATTRIBUTES.from] = sender.address.toLowerCase();
  if (sender.state) attributes[ATTRIBUTES.senderState] = sender.state;
  return attributes;
}

function addressesOf(header: AddressObject | undefined): string[] {
  const addresses: string[] = [];
  const visit = (entries: AddressObject['value']) => {
    for (const entry of entries) {
      if (entry.group) visit(entry.group);
      else if (entry.address) addresses.push(entry.address);
    }
  };
  if (header) visit(header.value);
  return addresses;
}

function extensionFor(mediaType: string): string {
  const known: Record<string, string> = { 'message/rfc822': '.eml', 'application/pdf': '.pdf', 'text/plain': '.txt', 'text/html': '.html' };
  return known[mediaType.toLowerCase()] ?? '.bin';
}
