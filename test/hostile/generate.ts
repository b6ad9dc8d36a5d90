/**
 * Writes the hostile-input corpus: test/hostile/<adapter>/<case> files and a manifest.json per
 * adapter that states, for every case, what the live endpoint must answer (HTTP status or SMTP
 * reply code) and the DLQ code (`comity_dlq_code`) of its dead letter, or that nothing may be
 * dead-lettered (refused before the runtime: 413, 552, a forged sender).
 *
 * Cases larger than 64 KiB are stored gzip-compressed as `<name>.gz` and sent inflated.
 *
 * The adapters' own malformed fixtures are part of each corpus by reference (their files stay
 * where they are; the manifest names them relative to the manifest). Run after changing a case:
 *
 *   npx tsx test/hostile/generate.ts
 *
 * and review the diff. hostile.test.ts runs the corpus against the running adapters.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildMail, FOCAL_POINT } from './mail.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');

export interface HostileCase {
  /** File name under the adapter's corpus directory, or a path relative to it. */
  readonly file: string;
  /** What it attacks, in a few words. */
  readonly about: string;
  /** Content-Type of the HTTP upload (HTTP adapters). */
  readonly contentType?: string;
  /** HTTP status or SMTP reply code the live endpoint answers. */
  readonly status: number;
  /**
   * The reason code the answer names (HTTP JSON `code`, SMTP reply text `<code>:`) and, when
   * `dlq`, the dead letter's `comity_dlq_code`. Absent: only the status is checked (SMTP 552).
   */
  readonly code?: string;
  /** Whether the case is dead-lettered (false: refused before the runtime, e.g. 413, 552, a forged sender). */
  readonly dlq: boolean;
  /** SMTP: the envelope sender (default: the configured focal point). */
  readonly envelopeFrom?: string;
  /** coe-stats: dropped in the watched folder instead of uploaded over HTTP (the default). */
  readonly via?: 'inbox' | 'http';
}

export interface Manifest {
  readonly adapter: string;
  readonly transport: 'http' | 'smtp' | 'inbox+http';
  readonly cases: HostileCase[];
}

type Generated = { name: string; bytes: Buffer; about: string; code?: string; status?: number; contentType?: string; envelopeFrom?: string; via?: 'inbox' | 'http' };

const fixture = (adapter: string, name: string) => readFileSync(join(ROOT, 'adapters', adapter, 'fixtures', name));
const utf8 = (text: string) => Buffer.from(text, 'utf8');

// ---- EJN: e-CODEX XML over HTTP ----------------------------------------------------------------

function ejnCases(): Generated[] {
  const mla = fixture('ejn-ecodex', 'mla-de-co-untoc.xml').toString('utf8');
  const eaw = fixture('ejn-ecodex', 'eaw-fr-list-offences.xml').toString('utf8');
  const ack = fixture('ejn-ecodex', 'annex-b-acknowledgement-es.xml').toString('utf8');
  const confirmation = fixture('ejn-ecodex', 'confirmation-delivery.xml').toString('utf8');
  const x = (name: string, about: string, code: string, text: string | Buffer, contentType = 'application/xml'): Generated => ({
    name: `${name}.xml`,
    about,
    code,
    bytes: typeof text === 'string' ? utf8(text) : text,
    contentType,
  });
  const nest = (depth: number) => `${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}`;
  const cases: Generated[] = [
    x('truncated-half', 'cut in the middle of an element', 'XML_MALFORMED', mla.slice(0, Math.floor(mla.length / 2))),
    x('truncated-last-byte', 'closing > of the root missing', 'XML_MALFORMED', mla.trimEnd().slice(0, -1)),
    x('two-roots', 'a second root element after the message', 'XML_MALFORMED', `${mla}\n<message/>`),
    x('unclosed-comment', 'a comment that never ends', 'XML_MALFORMED', mla.replace('<details>', '<details><!-- never closed')),
    x('mismatched-tags', 'end tag of another element', 'XML_MALFORMED', mla.replace('</details>', '</detail>')),
    x('bad-char-reference', 'a character reference to U+0000', 'XML_MALFORMED', mla.replace('<service>MLA</service>', '<service>ML&#0;A</service>')),
    x('bare-ampersand', 'an unescaped & in text', 'XML_MALFORMED', mla.replace('Staatsanwaltschaft Frankfurt am Main', 'Staatsanwaltschaft & Frankfurt')),
    x('attribute-without-quotes', 'attribute value without quotes', 'XML_MALFORMED', mla.replace('requestedState="CO"', 'requestedState=CO')),
    x('duplicate-attribute', 'the same attribute twice', 'XML_MALFORMED', mla.replace('requestedState="CO"', 'requestedState="CO" requestedState="ES"')),
    x('doctype-internal-subset', 'a DOCTYPE with an internal subset', 'XML_DTD_FORBIDDEN', mla.replace('<message ', '<!DOCTYPE message [<!ELEMENT message ANY>]>\n<message ')),
    x('doctype-system', 'a DOCTYPE naming an external DTD', 'XML_DTD_FORBIDDEN', mla.replace('<message ', '<!DOCTYPE message SYSTEM "http://attacker.example/x.dtd">\n<message ')),
    x('parameter-entity', 'a parameter entity reaching out', 'XML_DTD_FORBIDDEN', mla.replace('<message ', '<!DOCTYPE m [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>\n<message ')),
    x('quadratic-blowup', 'one large entity used many times', 'XML_DTD_FORBIDDEN', `<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "${'A'.repeat(50_000)}">]><message xmlns="urn:comity:ecodex:backend:1">${'&a;'.repeat(2000)}</message>`),
    x('deep-nesting-1000', 'elements nested 1,000 deep', 'XML_TOO_DEEP', mla.replace('<details>', `<details>${nest(1000)}`)),
    x('deep-nesting-100k', 'elements nested 100,000 deep (stack exhaustion)', 'XML_TOO_DEEP', nest(100_000)),
    x('utf16-bom', 'the message in UTF-16 with a BOM', 'NOT_UTF8', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(mla, 'utf16le')])),
    x('overlong-utf8', 'an overlong UTF-8 encoding of "/"', 'NOT_UTF8', Buffer.concat([utf8(mla.slice(0, 400)), Buffer.from([0xc0, 0xaf]), utf8(mla.slice(400))])),
    x('lone-continuation-byte', 'a stray UTF-8 continuation byte', 'NOT_UTF8', Buffer.concat([utf8(mla.slice(0, 800)), Buffer.from([0x80]), utf8(mla.slice(800))])),
    x('encoded-surrogate', 'a UTF-8-encoded surrogate (CESU)', 'NOT_UTF8', Buffer.concat([utf8(mla.slice(0, 900)), Buffer.from([0xed, 0xa0, 0x80]), utf8(mla.slice(900))])),
    x('text-plain', 'the right XML sent as text/plain', 'WRONG_CONTENT_TYPE', mla, 'text/plain'),
    x('json-content-type', 'the right XML sent as application/json', 'WRONG_CONTENT_TYPE', mla, 'application/json'),
    x('whitespace-only', 'only spaces and newlines', 'EMPTY_BODY', '   \n\t\n   '),
    x('declaration-only', 'an XML declaration and nothing else', 'XML_MALFORMED', '<?xml version="1.0" encoding="UTF-8"?>'),
    x('html-page', 'an HTML error page from a proxy', 'XML_MALFORMED', '<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1><br></body></html>'),
    x('json-body', 'JSON sent as XML', 'XML_MALFORMED', '{"message": {"details": {}}}'),
    x('soap-envelope', 'a SOAP envelope, not a backend message', 'NOT_ECODEX_MESSAGE', '<?xml version="1.0"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body/></soap:Envelope>'),
    x('wrong-namespace', 'the message element in another namespace', 'NOT_ECODEX_MESSAGE', mla.replace('urn:comity:ecodex:backend:1', 'urn:attacker:backend:1')),
    x('wrong-party', 'addressed to another party', 'WRONG_PARTY', mla.replace('<toParty>EJN-COMITY</toParty>', '<toParty>SOMEONE-ELSE</toParty>')),
    x('missing-details', 'no details section', 'MISSING_SECTION', mla.replace(/<details>[\s\S]*?<\/details>/, '')),
    x('missing-content', 'no content section', 'MISSING_SECTION', mla.replace(/<content>[\s\S]*<\/content>/, '')),
    x('unknown-root-child', 'an element the format does not have', 'UNEXPECTED_ELEMENT', mla.replace('<details>', '<script>alert(1)</script>\n  <details>')),
    x('unknown-document', 'a business document the adapter does not know', 'UNKNOWN_DOCUMENT', mla.replaceAll('MutualLegalAssistanceRequest', 'PizzaOrder')),
    x('unexpected-attribute', 'an attribute the format does not have', 'UNEXPECTED_ATTRIBUTE', mla.replace('requestedState="CO"', 'requestedState="CO" onload="x()"')),
    x('invalid-issued-at', 'a date that is not a date', 'INVALID_FIELD', mla.replace('issuedAt="2026-01-27T10:00:00Z"', 'issuedAt="yesterday"')),
    x('invalid-requested-state', 'a State code that is not ISO 3166', 'INVALID_FIELD', mla.replace('requestedState="CO"', 'requestedState="ZZZ"')),
    x('invalid-confidential', 'a boolean that is not one', 'INVALID_FIELD', mla.replace('confidential="true"', 'confidential="perhaps"')),
    x('eaw-unknown-list-category', 'an EAW list category that does not exist (there are 32)', 'INVALID_FIELD', eaw.replace('listCategory="5"', 'listCategory="99"')),
    x('eaw-negative-penalty', 'a negative maximum penalty', 'INVALID_FIELD', eaw.replace('maxPenaltyMonths="120"', 'maxPenaltyMonths="-120"')),
    x('cdata-in-details', 'text where only elements may be', 'UNEXPECTED_TEXT', mla.replace('<details>', '<details><![CDATA[<injected/>]]>')),
    x('ack-without-conversation', 'an answer that names no request', 'MISSING_SECTION', ack.replace(/<conversationId>[^<]*<\/conversationId>/, '')),
    x('confirmation-unknown-type', 'a confirmation type e-CODEX does not have', 'UNKNOWN_CONFIRMATION', confirmation.replace(/type="DELIVERY"/, 'type="TELEPORTED"')),
    x('nul-bytes', 'NUL bytes in the text', 'XML_MALFORMED', mla.replace('Staatsanwaltschaft Frankfurt am Main', 'Staatsanwaltschaft\u0000Frankfurt')),
    x('too-large', 'a message above maxXmlBytes (6 MiB of padding in a comment)', 'TOO_LARGE', mla.replace('<details>', `<!-- ${'A'.repeat(6 * 1024 * 1024)} --><details>`)),
  ];
  cases.push({ name: 'above-max-body.xml', about: 'above the HTTP listener’s maxBodyBytes (30 MiB): 413, never read', code: 'TOO_LARGE', status: 413, bytes: Buffer.alloc(30 * 1024 * 1024, 0x41), contentType: 'application/xml' });
  return cases;
}

// ---- IberRed: JSON forms over HTTP -------------------------------------------------------------

function iberredCases(): Generated[] {
  const form = JSON.parse(fixture('iberred', 'ar-es-solicitud-estafa.json').toString('utf8')) as Record<string, unknown>;
  const ack = JSON.parse(fixture('iberred', 'co-acuse-recibo.json').toString('utf8')) as Record<string, unknown>;
  const text = JSON.stringify(form, null, 2);
  const j = (name: string, about: string, code: string, body: string | Buffer | object, contentType = 'application/json'): Generated => ({
    name: `${name}.json`,
    about,
    code,
    bytes: Buffer.isBuffer(body) ? body : utf8(typeof body === 'string' ? body : JSON.stringify(body, null, 2)),
    contentType,
  });
  const without = (key: string) => Object.fromEntries(Object.entries(form).filter(([k]) => k !== key));
  const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  const cases: Generated[] = [
    j('truncated', 'cut in the middle', 'NOT_JSON', text.slice(0, Math.floor(text.length / 2))),
    j('trailing-comma', 'a trailing comma', 'NOT_JSON', text.replace(/\n}$/, ',\n}')),
    j('single-quotes', 'JavaScript, not JSON', 'NOT_JSON', "{'tipoMensaje': 'solicitud'}"),
    j('comments', 'JSON with comments', 'NOT_JSON', `// hola\n${text}`),
    j('nan-literal', 'NaN is not JSON', 'NOT_JSON', text.replace('"confidencial": false', '"confidencial": NaN')),
    j('two-documents', 'two JSON documents in one body', 'NOT_JSON', `${text}\n${text}`),
    j('xml-body', 'XML sent as JSON', 'NOT_JSON', '<?xml version="1.0"?><solicitud/>'),
    j('whitespace-only', 'only whitespace', 'NOT_JSON', '  \n\t  '),
    j('utf16-body', 'the form in UTF-16', 'NOT_UTF8', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])),
    j('overlong-utf8', 'an overlong UTF-8 sequence', 'NOT_UTF8', Buffer.concat([utf8(text.slice(0, 100)), Buffer.from([0xc0, 0xaf]), utf8(text.slice(100))])),
    j('latin1-accents', 'accents in ISO-8859-1', 'NOT_UTF8', Buffer.from(text, 'latin1')),
    j('deep-array', 'arrays nested 10,000 deep', 'JSON_TOO_DEEP', `{"tipoMensaje":"solicitud","x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`),
    j('deep-object-100k', 'objects nested 100,000 deep (stack exhaustion)', 'JSON_TOO_DEEP', nested(100_000)),
    j('proto-nested', '__proto__ inside a nested object', 'FORBIDDEN_KEY', text.replace('"pais": "AR",', '"pais": "AR", "__proto__": {"admin": true},')),
    j('prototype-key', 'a "prototype" key', 'FORBIDDEN_KEY', { ...form, prototype: { polluted: true } }),
    j('constructor-nested', 'constructor.prototype inside a person', 'FORBIDDEN_KEY', text.replace('"pais": "AR",', '"pais": "AR", "constructor": {"prototype": {"x": 1}},')),
    j('array-root', 'an array, not a form', 'INVALID_FORM', [form]),
    j('string-root', 'a JSON string', 'INVALID_FORM', '"solicitud"'),
    j('null-root', 'JSON null', 'INVALID_FORM', 'null'),
    j('number-root', 'a bare number', 'INVALID_FORM', '42'),
    j('missing-tipo-mensaje', 'no tipoMensaje', 'INVALID_FORM', without('tipoMensaje')),
    j('tipo-mensaje-number', 'tipoMensaje as a number', 'INVALID_FORM', { ...form, tipoMensaje: 7 }),
    j('unknown-tipo-mensaje-script', 'tipoMensaje with markup', 'UNKNOWN_MESSAGE_TYPE', { ...form, tipoMensaje: '<script>alert(1)</script>' }),
    j('missing-pais-requerido', 'no requested State', 'INVALID_FORM', without('paisRequerido')),
    j('pais-requerido-lowercase', 'a State code in lower case', 'INVALID_FORM', { ...form, paisRequerido: 'es' }),
    j('fecha-not-a-date', 'a date that is not a date', 'INVALID_FORM', { ...form, fecha: '31/02/2026' }),
    j('fecha-number', 'a date as a number', 'INVALID_FORM', { ...form, fecha: 1767225600 }),
    j('confidencial-string', 'a boolean as a string', 'INVALID_FORM', { ...form, confidencial: 'no' }),
    j('huge-number', 'a number beyond 2^53', 'INVALID_FORM', text.replace('"confidencial": false', '"confidencial": 1e400')),
    j('referencia-control-characters', 'a reference with control characters', 'INVALID_FORM', { ...form, referencia: 'FNC\u0007\u001b[31m-1' }),
    j('pais-requerido-number', 'a State code as a number', 'INVALID_FORM', { ...form, paisRequerido: 724 }),
    j('unknown-tipo-solicitud', 'a request type IberRed does not have', 'INVALID_FORM', { ...form, tipoSolicitud: 'teletransporte' }),
    j('ack-without-reference', 'an acknowledgement that names no request', 'INVALID_FORM', Object.fromEntries(Object.entries(ack).filter(([k]) => k !== 'referenciaComity'))),
    j('form-urlencoded', 'the form sent as application/x-www-form-urlencoded', 'WRONG_CONTENT_TYPE', text, 'application/x-www-form-urlencoded'),
    j('text-html', 'the form sent as text/html', 'WRONG_CONTENT_TYPE', text, 'text/html'),
    j('too-large', 'a form above maxBodyBytes (3 MiB of facts)', 'TOO_LARGE', { ...form, hechos: 'x'.repeat(3 * 1024 * 1024) }),
  ];
  cases.push({ name: 'above-max-body.json', about: 'above the HTTP listener’s maxBodyBytes (30 MiB): 413, never read', code: 'TOO_LARGE', status: 413, bytes: Buffer.alloc(30 * 1024 * 1024, 0x20), contentType: 'application/json' });
  return cases;
}

// ---- WACAP: e-mail over SMTP -------------------------------------------------------------------

/** A valid French MLA request form (as in test/integration/wacap.test.ts): each case breaks one thing. */
const WACAP_FORM = `=== WACAP : DEMANDE / REQUEST ===
Référence / Reference: DACG/EJ/2026/HOSTILE
Type de demande / Request type: entraide judiciaire / mutual legal assistance
Langue / Language: fr
Date: 10/03/2026
État requis / Requested State: Côte d'Ivoire
Base juridique / Legal basis: Convention A/P1/7/92 de la CEDEAO relative à l'entraide judiciaire en matière pénale
Urgence / Urgency: urgente / urgent
Motif de l'urgence / Reason for urgency: les fonds sont en cours de retrait
Confidentialité requise / Confidentiality required: non / no

--- Autorité requérante / Requesting authority ---
Nom / Name: Cabinet du Doyen des juges d'instruction, Tribunal de grande instance hors classe de Dakar
Pays / Country: SN
Type d'autorité / Kind of authority: judiciaire / judicial

--- Exposé des faits / Summary of facts ---
Quarante-trois épargnants ont versé 412 millions de francs CFA à une société fictive.

--- Infraction 1 / Offence 1 ---
Qualification / Offence: escroquerie
Texte applicable / Legal provisions: article 379 du Code pénal

--- Personne 1 / Person 1 ---
Qualité / Role: inculpé / accused
Nom / Family name: FALL
Prénoms / Given names: Ousmane

--- Mesure demandée 1 / Measure requested 1 ---
Type de mesure / Kind of measure: informations bancaires / bank information
Description / Description: Relevés des comptes ouverts à la Banque Atlantique Lagunaire, Abidjan.
Personnes concernées / Persons concerned: 1
=== FIN / END ===
`;

function wacapCases(): Generated[] {
  const formText = WACAP_FORM;
  const m = (name: string, about: string, code: string, bytes: Buffer | string, status = 550, envelopeFrom?: string): Generated => ({
    name: `${name}.eml`,
    about,
    code,
    status,
    bytes: typeof bytes === 'string' ? utf8(bytes) : bytes,
    envelopeFrom,
  });
  const mail = (fields: Parameters<typeof buildMail>[0]) => buildMail(fields);
  const cases: Generated[] = [
    m('no-form-plain', 'a letter without the form', 'MISSING_FORM', mail({ text: 'Monsieur le Directeur,\n\nVeuillez trouver notre demande.\n' })),
    m('form-truncated', 'the form cut before its end marker', 'FORM_NOT_CLOSED', mail({ text: formText.slice(0, formText.length - 30) })),
    m('form-unknown-kind', 'a form of a kind WACAP does not have', 'UNKNOWN_FORM_KIND', mail({ text: formText.replace('=== WACAP : DEMANDE / REQUEST ===', '=== WACAP : RECETTE / RECIPE ===') })),
    m('form-unknown-field', 'a field the form does not have', 'UNKNOWN_FIELD', mail({ text: formText.replace('Date:', 'Mot de passe / Password: hunter2\nDate:') })),
    m('form-missing-reference', 'no reference', 'MISSING_FIELD', mail({ text: formText.replace(/^Référence \/ Reference:.*$/m, '') })),
    m('form-bad-date', 'a date that is not a date', 'INVALID_FIELD', mail({ text: formText.replace(/^Date:.*$/m, 'Date: 45/13/2026') })),
    m('form-bad-state', 'a requested State nobody knows', 'INVALID_FIELD', mail({ text: formText.replace(/^État requis \/ Requested State:.*$/m, 'État requis / Requested State: Atlantide') })),
    m('form-bad-reference', 'a reference with a control character (refused as broken text)', 'BROKEN_ENCODING', mail({ text: formText.replace(/^Référence \/ Reference:.*$/m, 'Référence / Reference: ../../etc/passwd\u0007') })),
    m('form-duplicate-section', 'the same section twice', 'DUPLICATE_SECTION', mail({ text: formText.replace('--- Exposé des faits / Summary of facts ---', '--- Exposé des faits / Summary of facts ---\nA\n\n--- Exposé des faits / Summary of facts ---') })),
    m('form-unknown-section', 'a section the form does not have', 'UNKNOWN_SECTION', mail({ text: formText.replace('--- Exposé des faits / Summary of facts ---', '--- Recette / Recipe ---\nfarine\n\n--- Exposé des faits / Summary of facts ---') })),
    m('text-too-large', 'a text body above maxTextBytes', 'TEXT_TOO_LARGE', mail({ text: `${formText}\n${'bla '.repeat(200_000)}` })),
    m('too-many-attachments', '30 small attachments', 'TOO_MANY_ATTACHMENTS', mail({ text: formText, attachments: Array.from({ length: 30 }, (_, i) => ({ filename: `p${i}.pdf`, content: Buffer.from(`%PDF-${i}`) })) })),
    m('attachment-too-large', 'one attachment above maxAttachmentBytes', 'ATTACHMENT_TOO_LARGE', mail({ text: formText, attachments: [{ filename: 'scan.pdf', content: Buffer.alloc(200 * 1024, 1) }] })),
    m('mime-bomb-deep', 'multiparts nested 200 deep', 'TOO_MANY_PARTS', mail({ text: formText, nestedMultiparts: 200 })),
    m('mime-bomb-wide', '600 empty parts', 'TOO_MANY_PARTS', mail({ text: formText, emptyParts: 600 })),
    m('base64-garbage', 'a base64 body that is not base64', 'BROKEN_ENCODING', mail({ rawBody: '!!!!not base64 at all@@@@\r\n', transferEncoding: 'base64' })),
    m('quoted-printable-bad-utf8', 'quoted-printable bytes that are not UTF-8', 'BROKEN_ENCODING', mail({ rawBody: 'R=C3=A9f=C3rence =FF=FE\r\n', transferEncoding: 'quoted-printable' })),
    m('unknown-charset', 'a charset nobody has heard of, and so no readable form', 'MISSING_FORM', mail({ rawBody: 'Bonjour\r\n', charset: 'x-klingon-7' })),
    m('html-only', 'an HTML body with script and no form', 'MISSING_FORM', mail({ html: '<html><body><script>alert(1)</script><p>Demande jointe</p></body></html>' })),
    m('form-in-attachment-only', 'the form only as an attached .txt', 'MISSING_FORM', mail({ text: 'Voir pièce jointe.', attachments: [{ filename: 'formulaire.txt', content: utf8(formText) }] })),
    m('headers-only', 'headers and no body at all', 'MISSING_FORM', mail({ text: '' })),
    m('forged-envelope', 'envelope sender not a focal point', 'SENDER_NOT_FOCAL_POINT', mail({ text: formText }), 550, 'impostor@attacker.example'),
    m('from-header-mismatch', 'From header is someone else', 'SENDER_MISMATCH', mail({ text: formText, from: 'ministre@attacker.example' })),
    m('two-from-addresses', 'two addresses in From', 'SENDER_MISMATCH', mail({ text: formText, from: `${FOCAL_POINT}, other@attacker.example` })),
    m('no-from-header', 'no From header', 'SENDER_MISMATCH', mail({ text: formText, from: null })),
    m('display-name-spoof', 'the focal point’s address as display name of another address', 'SENDER_MISMATCH', mail({ text: formText, from: `"${FOCAL_POINT}" <attacker@attacker.example>` })),
    m('two-from-headers', 'two From header lines', 'SENDER_MISMATCH', Buffer.concat([utf8('From: other@attacker.example\r\n'), mail({ text: formText })])),
    m('null-sender', 'the null sender <> (a bounce)', 'SENDER_NOT_FOCAL_POINT', mail({ text: formText }), 550, ''),
    m('above-max-message', 'above the listener’s maxMessageBytes: 552, never read', 'MESSAGE_TOO_LARGE', mail({ text: formText, attachments: [{ filename: 'big.bin', content: Buffer.alloc(13 * 1024 * 1024, 7) }] }), 552),
    m('binary-garbage', '64 KiB of random-looking bytes: no From, refused by the listener', 'SENDER_MISMATCH', Buffer.from(Array.from({ length: 65_536 }, (_, i) => (i * 7919 + 13) % 251))),
    m('delivery-status-notification', 'a bounce (multipart/report) from an MTA, no text body', 'MISSING_FORM', mail({ text: 'Delivery failed', contentType: 'multipart/report; report-type=delivery-status', from: FOCAL_POINT })),
  ];
  return cases;
}

// ---- the centres: SDMX-CSV by folder and by HTTP upload ---------------------------------------

function coeCases(): Generated[] {
  const good = fixture('coe-stats', 'gt-mp-2025-q3-asistencia.csv').toString('utf8');
  const c = (name: string, about: string, code: string, text: string | Buffer, via: 'inbox' | 'http', contentType = 'text/csv'): Generated => ({
    name: `${name}.csv`,
    about,
    code,
    bytes: typeof text === 'string' ? utf8(text) : text,
    via,
    contentType,
  });
  return [
    c('inbox-truncated-row', 'a file cut in the middle of a row (folder)', 'WRONG_FIELD_COUNT', good.slice(0, good.lastIndexOf(',')), 'inbox'),
    c('inbox-utf16', 'a file in UTF-16 (folder)', 'NOT_UTF8', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(good, 'utf16le')]), 'inbox'),
    c('inbox-formula', 'a formula in a cell (folder)', 'CSV_INJECTION', good.replace(/,([^,\n]*)\n$/, ',"=HYPERLINK(""http://attacker.example"")"\n'), 'inbox'),
    c('http-binary', 'binary bytes uploaded as text/csv', 'NOT_UTF8', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131) % 256)), 'http'),
    c('http-xlsx-content-type', 'an Excel upload', 'WRONG_CONTENT_TYPE', good, 'http', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'),
    c('http-too-large', 'an upload above limits.maxBytes (6 MiB)', 'TOO_LARGE', `${good}${'#'.repeat(6 * 1024 * 1024)}`, 'http'),
    c('inbox-too-large', 'a file above limits.maxBytes (6 MiB, folder)', 'TOO_LARGE', `${good}${'#'.repeat(6 * 1024 * 1024)}`, 'inbox'),
    { ...c('http-above-max-body', 'an upload above http.maxBodyBytes (9 MiB): 413, never read', 'TOO_LARGE', Buffer.alloc(9 * 1024 * 1024, 0x41), 'http'), status: 413 },
  ];
}

// ---- writing ------------------------------------------------------------------------------------

const GZIP_ABOVE_BYTES = 64 * 1024;

/** Content types of the reused fixtures, by extension (as the conformance kit gives them). */
const CONTENT_TYPES: Readonly<Record<string, string>> = { '.json': 'application/json', '.xml': 'application/xml', '.csv': 'text/csv' };

/** Codes the transports refuse with before the runtime sees the message: never dead-lettered. */
const REFUSED_BEFORE_RUNTIME = new Set(['SENDER_NOT_FOCAL_POINT', 'SENDER_MISMATCH']);

function existingMalformed(adapter: string, status: number): HostileCase[] {
  const dir = join(ROOT, 'adapters', adapter, 'fixtures', 'malformed');
  const codes = JSON.parse(readFileSync(join(dir, 'expected-codes.json'), 'utf8')) as Record<string, string>;
  return Object.entries(codes)
    .filter(([file]) => existsSync(join(dir, file)))
    .map(([file, code]): HostileCase | undefined => {
      const attributesFile = join(dir, `${file.replace(/\.[^.]+$/, '')}.attributes.json`);
      const declared = existsSync(attributesFile)
        ? (JSON.parse(readFileSync(attributesFile, 'utf8')) as { contentType?: string; attributes?: Record<string, string> })
        : {};
      const base = { file: relative(join(HERE, adapter), join(dir, file)), about: `the adapter's malformed fixture ${file}` };
      if (adapter === 'wacap') {
        // Over SMTP every message is message/rfc822: a fixture about another content type tests the codec alone.
        if (declared.contentType && declared.contentType !== 'message/rfc822') return undefined;
        // Over SMTP the envelope sender is the From address; without one the listener refuses it first.
        const from = declared.attributes?.['wacap.from'];
        return from ? { ...base, status, code, dlq: true, envelopeFrom: from } : { ...base, status, code: 'SENDER_MISMATCH', dlq: false };
      }
      // Attributes other than the content type stand for transport limits a live endpoint sets from its config:
      // such fixtures test the codec alone and are left out of the live corpus.
      if (declared.attributes && Object.keys(declared.attributes).length > 0) return undefined;
      return { ...base, contentType: declared.contentType ?? CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', status, code, dlq: true };
    })
    .filter((c): c is HostileCase => c !== undefined);
}

function write(adapter: string, transport: Manifest['transport'], generated: Generated[], reused: HostileCase[], defaultStatus: number): void {
  const dir = join(HERE, adapter);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const cases: HostileCase[] = [...reused];
  for (const g of generated) {
    // Large cases are stored gzip-compressed (`<name>.gz`); the test inflates them before sending.
    const file = g.bytes.length > GZIP_ABOVE_BYTES ? `${g.name}.gz` : g.name;
    writeFileSync(join(dir, file), file === g.name ? g.bytes : gzipSync(g.bytes, { level: 9 }));
    const status = g.status ?? defaultStatus;
    const dlq = status !== 413 && status !== 552 && !REFUSED_BEFORE_RUNTIME.has(g.code ?? '');
    cases.push({
      file,
      about: g.about,
      ...(g.contentType ? { contentType: g.contentType } : {}),
      status,
      ...(g.code && status !== 552 ? { code: g.code } : {}),
      dlq,
      ...(g.envelopeFrom !== undefined ? { envelopeFrom: g.envelopeFrom } : {}),
      ...(g.via ? { via: g.via } : {}),
    });
  }
  const manifest: Manifest = { adapter, transport, cases };
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  process.stdout.write(`${adapter}: ${cases.length} cases (${reused.length} reused malformed fixtures, ${generated.length} new)\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  write('ejn-ecodex', 'http', ejnCases(), existingMalformed('ejn-ecodex', 422), 422);
  write('iberred', 'http', iberredCases(), existingMalformed('iberred', 422), 422);
  write('wacap', 'smtp', wacapCases(), existingMalformed('wacap', 550), 550);
  write('coe-stats', 'inbox+http', coeCases(), existingMalformed('coe-stats', 422), 422);
}
