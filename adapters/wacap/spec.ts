/**
 * The `adapter:` section of the WACAP adapter's config file. The descriptions are the
 * documentation of the options (README.md's table repeats them).
 */
import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_LIMITS } from './mail.js';

const state = z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code in capitals, e.g. SN');

export const focalPoint = z.strictObject({
  email: z.email().describe("The focal point's e-mail address (compared without regard to case)."),
  state: state.describe('The State the focal point serves (ISO 3166-1 alpha-2).'),
  name: z.string().optional().describe('Who it is, for the logs: an institution, not a person.'),
});

export type FocalPoint = z.output<typeof focalPoint>;

export const wacapConfig = z
  .strictObject({
    smtp: z
      .strictObject({
        host: z.string().default('127.0.0.1').describe('Address the SMTP listener binds to: the MTA in front of the adapter relays focal points\u2019 mail to it.'),
        port: z.number().int().min(0).max(65535).describe('Port of the SMTP listener; 0 picks a free one.'),
        name: z.string().default('comity-wacap').describe('Host name the listener gives in its greeting and replies.'),
        recipients: z
          .array(z.email())
          .default([])
          .describe('Addresses the listener accepts mail for (RCPT TO), e.g. the adapter\u2019s mailbox; empty: any.'),
        maxClients: z.number().int().positive().default(20).describe('Simultaneous SMTP connections.'),
        socketTimeoutMs: z.number().int().positive().default(60_000).describe('Idle time after which an SMTP connection is closed.'),
      })
      .describe('The SMTP listener that receives focal points\u2019 e-mails.'),
    relay: z
      .strictObject({
        host: z.string().min(1).describe('SMTP relay (smart host) through which the adapter sends e-mails.'),
        port: z.number().int().min(1).max(65535).default(25).describe('Port of the relay: 25 or 587 (STARTTLS), 465 (TLS).'),
        secure: z.boolean().default(false).describe('TLS from the start (port 465). With false, STARTTLS is used when the relay offers it.'),
        requireTLS: z.boolean().default(false).describe('Refuse to send unless the relay offers STARTTLS.'),
        rejectUnauthorized: z.boolean().default(true).describe('Check the relay\u2019s TLS certificate.'),
        auth: z
          .strictObject({
            user: z.string().min(1).describe('User name at the relay.'),
            pass: z.string().min(1).describe('Password; set it from the environment: COMITY_ADAPTER__RELAY__AUTH__PASS.'),
          })
          .optional()
          .describe('Credentials for the relay, if it asks for them.'),
        timeoutMs: z.number().int().positive().default(30_000).describe('Time allowed for connecting, greeting and each SMTP command.'),
      })
      .describe('Where outgoing e-mails go.'),
    from: z.email().describe('The adapter\u2019s address: From of every e-mail it sends, and the domain of their Message-IDs.'),
    fallbackRecipient: z
      .email()
      .optional()
      .describe('Where an e-mail goes when no focal point is known for it (e.g. the WACAP secretariat); without it such events are dead-lettered (NO_RECIPIENT).'),
    focalPoints: z
      .array(focalPoint)
      .default([])
      .describe('Focal points known to this adapter in addition to the WACAP contact points in comity.directory (for sites whose directory entries are not yet published).'),
    limits: z
      .strictObject({
        maxMessageBytes: z
          .number()
          .int()
          .positive()
          .max(12 * 1024 * 1024)
          .default(DEFAULT_LIMITS.maxMessageBytes)
          .describe('Largest e-mail accepted, in bytes, attachments included; announced with SIZE and refused above with 552. At most 12 MiB, so a refused e-mail still fits in a dead letter.'),
        maxAttachments: z.number().int().min(0).max(500).default(DEFAULT_LIMITS.maxAttachments).describe('Most attached files in one e-mail (TOO_MANY_ATTACHMENTS).'),
        maxAttachmentBytes: z.number().int().positive().default(DEFAULT_LIMITS.maxAttachmentBytes).describe('Largest attached file, decoded (ATTACHMENT_TOO_LARGE).'),
        maxParts: z
          .number()
          .int()
          .min(4)
          .max(1000)
          .default(DEFAULT_LIMITS.maxParts)
          .describe('Most MIME parts in one e-mail, which also bounds their nesting: mailparser stops reading at this count (TOO_MANY_PARTS, against MIME bombs).'),
        maxTextBytes: z.number().int().positive().max(4 * 1024 * 1024).default(DEFAULT_LIMITS.maxTextBytes).describe('Largest text body, in bytes of UTF-8 (TEXT_TOO_LARGE).'),
      })
      .prefault({})
      .describe('Safety limits on incoming e-mails; a refusal names the limit.'),
    documents: z
      .strictObject({
        dir: z
          .string()
          .default(join('.comity', 'adapters', 'wacap', 'documents'))
          .describe('Where attached files are kept, under their SHA-256 (comity-doc://wacap/<sha256>), and read back to attach them to outgoing e-mails. Keep it on a persistent volume.'),
      })
      .prefault({})
      .describe('The store of attached documents.'),
    correspondents: z
      .strictObject({
        file: z
          .string()
          .default(join('.comity', 'adapters', 'wacap', 'correspondents.log'))
          .describe('Which focal points each request is with, so answers reach them. Keep it on a persistent volume.'),
        retentionDays: z.number().int().positive().default(3 * 365).describe('How long a request\u2019s correspondents are remembered.'),
      })
      .prefault({})
      .describe('The memory of who handles each request.'),
  })
  .describe('Settings of the WACAP adapter: SMTP in, SMTP out through a relay, focal points, limits.');

export type WacapConfig = z.output<typeof wacapConfig>;
