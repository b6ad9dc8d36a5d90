/** Raw e-mails for the WACAP hostile corpus, built by hand so that they can be wrong on purpose. */

/** The focal point the adapter under test knows (Senegal's central authority in the fixtures). */
export const FOCAL_POINT = 'entraide.penale@justice.gouv.sn.example';

export interface MailFields {
  /** From header; null: none. Default: the focal point. */
  readonly from?: string | null;
  readonly subject?: string;
  readonly text?: string;
  readonly html?: string;
  readonly attachments?: readonly { filename: string; content: Buffer }[];
  /** Wrap the body in this many nested multipart/mixed levels. */
  readonly nestedMultiparts?: number;
  /** Add this many empty text parts. */
  readonly emptyParts?: number;
  /** A single-part body given as is, with this Content-Transfer-Encoding. */
  readonly rawBody?: string;
  readonly transferEncoding?: string;
  readonly charset?: string;
  /** Content-Type of the whole message (with rawBody or text). */
  readonly contentType?: string;
}

const CRLF = '\r\n';

export function buildMail(fields: MailFields): Buffer {
  const from = fields.from === undefined ? FOCAL_POINT : fields.from;
  const headers = [
    ...(from === null ? [] : [`From: ${from}`]),
    'To: comity@wacap.example',
    `Subject: ${fields.subject ?? 'Demande d’entraide'}`,
    'Date: Fri, 27 Nov 2026 10:00:00 +0000',
    `Message-ID: <hostile-${Math.abs(hash(JSON.stringify({ ...fields, attachments: fields.attachments?.length })))}@justice.gouv.sn.example>`,
    'MIME-Version: 1.0',
  ];
  const charset = fields.charset ?? 'utf-8';
  let body: { headers: string[]; content: string };
  if (fields.rawBody !== undefined) {
    body = {
      headers: [`Content-Type: ${fields.contentType ?? `text/plain; charset=${charset}`}`, `Content-Transfer-Encoding: ${fields.transferEncoding ?? '8bit'}`],
      content: fields.rawBody,
    };
  } else {
    const parts: { headers: string[]; content: string }[] = [];
    if (fields.text !== undefined) parts.push(textPart(fields.text, charset, fields.contentType));
    if (fields.html !== undefined) parts.push({ headers: [`Content-Type: text/html; charset=${charset}`, 'Content-Transfer-Encoding: 8bit'], content: fields.html });
    for (let i = 0; i < (fields.emptyParts ?? 0); i += 1) parts.push({ headers: ['Content-Type: text/plain'], content: '' });
    for (const attachment of fields.attachments ?? []) {
      parts.push({
        headers: ['Content-Type: application/octet-stream', 'Content-Transfer-Encoding: base64', `Content-Disposition: attachment; filename="${attachment.filename}"`],
        content: (attachment.content.toString('base64').match(/.{1,76}/g) ?? ['']).join(CRLF),
      });
    }
    body = parts.length === 1 && !fields.nestedMultiparts ? parts[0]! : multipart(parts, 'b0');
    for (let level = 1; level <= (fields.nestedMultiparts ?? 0); level += 1) body = multipart([body], `n${level}`);
  }
  return Buffer.from([...headers, ...body.headers, '', body.content, ''].join(CRLF), 'utf8');
}

function textPart(text: string, charset: string, contentType?: string) {
  return { headers: [`Content-Type: ${contentType ?? `text/plain; charset=${charset}`}`, 'Content-Transfer-Encoding: 8bit'], content: text.replace(/\r?\n/g, CRLF) };
}

function multipart(parts: { headers: string[]; content: string }[], boundary: string) {
  const content = [...parts.map((part) => [`--${boundary}`, ...part.headers, '', part.content].join(CRLF)), `--${boundary}--`].join(CRLF);
  return { headers: [`Content-Type: multipart/mixed; boundary="${boundary}"`], content };
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i += 1) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}
