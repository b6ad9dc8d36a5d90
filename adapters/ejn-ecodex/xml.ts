/**
 * Safe XML for the e-CODEX adapter: parsing that refuses what makes XML dangerous, a strict
 * reader that refuses what the codec would otherwise drop, and a writer. Pure: no I/O.
 *
 *   bytes ─ size ─ UTF-8 ─ no DTD ─ depth scan ─ well-formed ─ parse ─ namespaces ─► XmlElement
 *
 * Defences, in the order they run (each a {@link DecodeError} with a stable code and a path):
 * - `TOO_LARGE`: more bytes than the limit (checked before anything is decoded);
 * - `EMPTY_BODY`: no bytes, or only whitespace;
 * - `NOT_UTF8`: invalid UTF-8 (a fatal TextDecoder), or an XML declaration naming another encoding;
 * - `XML_DTD_FORBIDDEN`: any `<!DOCTYPE` or `<!ENTITY`, anywhere. Without a DTD there are no
 *   external entities (XXE) and no entity expansion (billion laughs), so nothing else is needed;
 * - `XML_TOO_DEEP`: nesting deeper than the limit, found by a linear scan before any parser
 *   recursion can run;
 * - `XML_MALFORMED`: not well-formed (fast-xml-parser's XMLValidator, then our own checks: one
 *   root, no text outside it, XML 1.0 characters only, declared namespace prefixes, no entity
 *   references other than the five predefined ones and character references).
 * fast-xml-parser runs with `processEntities: false`: references are resolved here, by a table
 * of five entries, never by the parser.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DecodeError, EncodeError } from '../sdk/errors.js';
import { decodeUtf8 } from '../sdk/text.js';

/** The namespace of `xml:lang` (Namespaces in XML 1.0, §3: bound by definition). */
export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

export interface XmlLimits {
  /** Largest document, in bytes. */
  readonly maxBytes: number;
  /** Deepest element nesting; the root element is depth 1. */
  readonly maxDepth: number;
}

/** An element with its namespace resolved. Attribute keys: `local` or `{namespace}local`. */
export interface XmlElement {
  readonly namespace: string;
  readonly name: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** The element's own character data (text and CDATA), trimmed; '' when there is none. */
  readonly text: string;
}

// ---- Media type --------------------------------------------------------------------------

/** `application/xml`, `text/xml` or `application/<anything>+xml`, with an optional UTF-8 charset. */
export function checkXmlMediaType(contentType: string): void {
  const [essence = '', ...parameters] = contentType.split(';').map((part) => part.trim());
  const type = essence.toLowerCase();
  if (type !== 'application/xml' && type !== 'text/xml' && !/^application\/[a-z0-9.+-]+\+xml$/.test(type)) {
    throw new DecodeError('WRONG_CONTENT_TYPE', `content type "${contentType}" is not XML (application/xml, text/xml or application/*+xml)`, '/');
  }
  for (const parameter of parameters) {
    const match = /^charset\s*=\s*"?([^"]*)"?$/i.exec(parameter);
    if (match && !/^utf-?8$/i.test(match[1] ?? '')) {
      throw new DecodeError('NOT_UTF8', `charset "${match[1]}" is not UTF-8; only UTF-8 is accepted`, '/');
    }
  }
}

// ---- Parsing -------------------------------------------------------------------------------

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  allowBooleanAttributes: false,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
  commentPropName: false,
});

/**
 * Parses a whole document. `declaredBytes` is the size the transport received when it handed
 * over only a prefix of an oversized message.
 */
export function parseXml(body: Uint8Array, limits: XmlLimits, declaredBytes = body.length): XmlElement {
  const size = Math.max(declaredBytes, body.length);
  if (size > limits.maxBytes) {
    throw new DecodeError('TOO_LARGE', `the message has ${size} bytes; at most ${limits.maxBytes} are accepted`, '/');
  }
  const utf8 = decodeUtf8(body);
  if (!utf8.ok) throw new DecodeError('NOT_UTF8', 'the message is not valid UTF-8', `byte ${utf8.invalidAt}`);
  const text = utf8.text;
  if (text.trim() === '') throw new DecodeError('EMPTY_BODY', 'the message is empty', '/');
  const declared = /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']/.exec(text);
  if (declared && !/^utf-?8$/i.test(declared[1] ?? '')) {
    throw new DecodeError('NOT_UTF8', `the XML declaration names encoding "${declared[1]}"; only UTF-8 is accepted`, 'line 1');
  }
  const dtd = /<!\s*(DOCTYPE|ENTITY)/i.exec(text);
  if (dtd) {
    throw new DecodeError('XML_DTD_FORBIDDEN', `a ${dtd[1]?.toUpperCase()} declaration is not allowed: no DTDs, no entities`, `line ${lineOf(text, dtd.index)}`);
  }
  // eslint-disable-next-line no-control-regex -- XML 1.0 (§2.2 Char) forbids exactly these.
  const forbidden = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.exec(text);
  if (forbidden) {
    throw new DecodeError('XML_MALFORMED', `character U+${forbidden[0].charCodeAt(0).toString(16).padStart(4, '0')} is not allowed in XML 1.0`, `line ${lineOf(text, forbidden.index)}`);
  }
  checkDepth(text, limits.maxDepth);
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    throw new DecodeError('XML_MALFORMED', `not well-formed XML: ${valid.err.msg}`, `line ${valid.err.line}, column ${valid.err.col}`);
  }
  let nodes: unknown;
  try {
    nodes = parser.parse(text);
  } catch (cause) {
    throw new DecodeError('XML_MALFORMED', `not well-formed XML: ${(cause as Error).message}`, '/', { cause });
  }
  return documentElement(nodes);
}

/**
 * The nesting depth, by one pass over the text: comments, CDATA sections and processing
 * instructions are skipped, quoted attribute values are stepped over. What is not well-formed
 * is left to the validator, which runs next.
 */
function checkDepth(text: string, maxDepth: number): void {
  let depth = 0;
  let at = 0;
  for (;;) {
    const open = text.indexOf('<', at);
    if (open < 0) return;
    const skipTo = (terminator: string, from: number): number => {
      const end = text.indexOf(terminator, from);
      return end < 0 ? text.length : end + terminator.length;
    };
    if (text.startsWith('<!--', open)) {
      at = skipTo('-->', open + 4);
    } else if (text.startsWith('<![CDATA[', open)) {
      at = skipTo(']]>', open + 9);
    } else if (text.startsWith('<?', open)) {
      at = skipTo('?>', open + 2);
    } else if (text.startsWith('</', open)) {
      depth -= 1;
      at = skipTo('>', open + 2);
    } else if (text.startsWith('<!', open)) {
      at = open + 2;
    } else {
      let end = open + 1;
      let quote = '';
      for (; end < text.length; end += 1) {
        const char = text[end];
        if (quote) {
          if (char === quote) quote = '';
        } else if (char === '"' || char === "'") {
          quote = char;
        } else if (char === '>') {
          break;
        }
      }
      if (end >= text.length) return;
      if (text[end - 1] !== '/') {
        depth += 1;
        if (depth > maxDepth) {
          throw new DecodeError('XML_TOO_DEEP', `elements are nested more than ${maxDepth} levels deep`, `line ${lineOf(text, open)}`);
        }
      }
      at = end + 1;
    }
  }
}

type ParsedNode = Record<string, unknown>;

/** The one root element of the parser's output; text outside it may only be whitespace. */
function documentElement(nodes: unknown): XmlElement {
  if (!Array.isArray(nodes)) throw new DecodeError('XML_MALFORMED', 'not well-formed XML: no document element', '/');
  let root: XmlElement | undefined;
  for (const node of nodes as ParsedNode[]) {
    const text = textOf(node);
    if (text !== undefined) {
      if (text.trim() !== '') throw new DecodeError('XML_MALFORMED', 'text outside the document element', '/');
      continue;
    }
    if (root) throw new DecodeError('XML_MALFORMED', 'more than one document element', '/');
    root = buildElement(node, new Map([['xml', XML_NAMESPACE]]), '');
  }
  if (!root) throw new DecodeError('XML_MALFORMED', 'not well-formed XML: no document element', '/');
  return root;
}

function textOf(node: ParsedNode): string | undefined {
  const value = node['#text'];
  return typeof value === 'string' || value === undefined ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

function buildElement(node: ParsedNode, scope: ReadonlyMap<string, string>, parentPath: string): XmlElement {
  const tag = Object.keys(node).find((key) => key !== ':@');
  if (tag === undefined || !Array.isArray(node[tag])) throw new DecodeError('XML_MALFORMED', 'not well-formed XML: unexpected node', parentPath || '/');
  const path = `${parentPath}/${tag}`;
  const rawAttributes = (node[':@'] ?? {}) as Record<string, unknown>;

  // Namespace declarations first: they apply to the element's own name and attributes.
  const inScope = new Map(scope);
  for (const [name, raw] of Object.entries(rawAttributes)) {
    const value = resolveReferences(normalizeAttributeWhitespace(String(raw)), path);
    if (name === 'xmlns') inScope.set('', value);
    else if (name.startsWith('xmlns:')) {
      const prefix = name.slice(6);
      if (!isNcName(prefix) || prefix === 'xmlns' || prefix === 'xml' || value === '') {
        throw new DecodeError('XML_MALFORMED', `invalid namespace declaration ${name}="${value}"`, path);
      }
      inScope.set(prefix, value);
    }
  }
  const { namespace, local } = resolveName(tag, inScope, true, path);
  const attributes = new Map<string, string>();
  for (const [name, raw] of Object.entries(rawAttributes)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    const resolved = resolveName(name, inScope, false, `${path}/@${name}`);
    const key = resolved.namespace ? `{${resolved.namespace}}${resolved.local}` : resolved.local;
    if (attributes.has(key)) throw new DecodeError('XML_MALFORMED', `attribute ${key} appears twice`, path);
    attributes.set(key, resolveReferences(normalizeAttributeWhitespace(String(raw)), `${path}/@${name}`));
  }

  const children: XmlElement[] = [];
  let text = '';
  for (const child of node[tag] as ParsedNode[]) {
    const piece = textOf(child);
    if (piece !== undefined) {
      text += resolveReferences(piece, path);
    } else if (Array.isArray(child['#cdata'])) {
      for (const part of child['#cdata'] as ParsedNode[]) text += textOf(part) ?? '';
    } else {
      children.push(buildElement(child, inScope, path));
    }
  }
  return { namespace, name: local, attributes, children, text: text.trim() };
}

function resolveName(qualified: string, scope: ReadonlyMap<string, string>, isElement: boolean, path: string): { namespace: string; local: string } {
  const parts = qualified.split(':');
  if (parts.length > 2 || !parts.every(isNcName)) throw new DecodeError('XML_MALFORMED', `"${qualified}" is not a valid qualified name`, path);
  if (parts.length === 1) return { namespace: isElement ? (scope.get('') ?? '') : '', local: qualified };
  const [prefix = '', local = ''] = parts;
  const namespace = scope.get(prefix);
  if (namespace === undefined) throw new DecodeError('XML_MALFORMED', `namespace prefix "${prefix}" is not declared`, path);
  return { namespace, local };
}

function isNcName(name: string): boolean {
  return /^[A-Za-z_\u00C0-\uFFFD][\w.\-\u00B7\u00C0-\uFFFD]*$/.test(name);
}

/** XML 1.0 §3.3.3: tab, CR and LF in an attribute value become spaces. */
function normalizeAttributeWhitespace(value: string): string {
  return value.replace(/[\t\n\r]/g, ' ');
}

const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** The five predefined entities and character references; anything else is not well-formed. */
function resolveReferences(raw: string, path: string): string {
  if (!raw.includes('&')) return raw;
  const resolved = raw.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z_][\w.-]*);/g, (reference, name: string) => {
    if (name.startsWith('#')) {
      const code = name.startsWith('#x') ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      if (!isXmlChar(code)) throw new DecodeError('XML_MALFORMED', `${reference} is not a character allowed in XML 1.0`, path);
      return String.fromCodePoint(code);
    }
    const value = PREDEFINED_ENTITIES[name];
    if (value === undefined) throw new DecodeError('XML_MALFORMED', `entity ${reference} is not declared (no DTD is allowed, so only &lt; &gt; &amp; &quot; &apos; exist)`, path);
    return value;
  });
  // A '&' that started no reference is left over only where the raw text had a stray one.
  if (raw.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z_][\w.-]*);/g, '').includes('&')) {
    throw new DecodeError('XML_MALFORMED', "a '&' that starts no entity or character reference", path);
  }
  return resolved;
}

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at >= 0 && at < index; at = text.indexOf('\n', at + 1)) line += 1;
  return line;
}


// ---- Strict reading --------------------------------------------------------------------------

/**
 * Reads one element of a known vocabulary and remembers what it read: {@link done} refuses
 * whatever was not read (`UNEXPECTED_ELEMENT`, `UNEXPECTED_ATTRIBUTE`, `UNEXPECTED_TEXT`), so a
 * field the codec does not know is refused rather than silently dropped. Children are looked up
 * in the element's own namespace. Empty values count as absent.
 */
export class ElementReader {
  private readonly readAttributes = new Set<string>();
  private readonly readChildren = new Set<XmlElement>();
  private textRead = false;

  constructor(
    readonly element: XmlElement,
    readonly path: string,
  ) {}

  get name(): string {
    return this.element.name;
  }

  attribute(name: string): string | undefined {
    this.readAttributes.add(name);
    const value = this.element.attributes.get(name);
    return value === undefined || value === '' ? undefined : value;
  }

  requiredAttribute(name: string): string {
    const value = this.attribute(name);
    if (value === undefined) throw new DecodeError('MISSING_SECTION', `attribute ${name} is required`, `${this.path}/@${name}`);
    return value;
  }

  /** `xml:lang`. */
  language(): string | undefined {
    return this.attribute(`{${XML_NAMESPACE}}lang`);
  }

  child(name: string): ElementReader | undefined {
    const found = this.element.children.filter((child) => child.name === name && child.namespace === this.element.namespace);
    if (found.length > 1) throw new DecodeError('UNEXPECTED_ELEMENT', `${name} may appear only once`, `${this.path}/${name}[2]`);
    const [element] = found;
    if (!element) return undefined;
    this.readChildren.add(element);
    return new ElementReader(element, `${this.path}/${name}`);
  }

  requiredChild(name: string): ElementReader {
    const child = this.child(name);
    if (!child) throw new DecodeError('MISSING_SECTION', `${name} is required`, `${this.path}/${name}`);
    return child;
  }

  children(name: string): ElementReader[] {
    const found = this.element.children.filter((child) => child.name === name && child.namespace === this.element.namespace);
    return found.map((element, index) => {
      this.readChildren.add(element);
      return new ElementReader(element, `${this.path}/${name}[${index + 1}]`);
    });
  }

  /** The only child element, whatever its name and namespace (a container of foreign content). */
  onlyChild(): ElementReader {
    const [element, extra] = this.element.children;
    if (!element) throw new DecodeError('MISSING_SECTION', 'an element is required here', `${this.path}/*`);
    if (extra) throw new DecodeError('UNEXPECTED_ELEMENT', 'only one element is allowed here', `${this.path}/${extra.name}`);
    this.readChildren.add(element);
    return new ElementReader(element, `${this.path}/${element.name}`);
  }

  text(): string | undefined {
    this.textRead = true;
    return this.element.text === '' ? undefined : this.element.text;
  }

  requiredText(): string {
    const value = this.text();
    if (value === undefined) throw new DecodeError('MISSING_SECTION', 'text is required', this.path);
    return value;
  }

  /** The text of a child that holds text only. */
  childText(name: string): string | undefined {
    const child = this.child(name);
    if (!child) return undefined;
    const value = child.text();
    child.done();
    return value;
  }

  requiredChildText(name: string): string {
    const value = this.childText(name);
    if (value === undefined) throw new DecodeError('MISSING_SECTION', `${name} is required`, `${this.path}/${name}`);
    return value;
  }

  childTexts(name: string): string[] {
    return this.children(name).map((child) => {
      const value = child.requiredText();
      child.done();
      return value;
    });
  }

  /** Refuses anything of this element that was not read. */
  done(): void {
    for (const child of this.element.children) {
      if (!this.readChildren.has(child)) {
        const where = child.namespace === this.element.namespace ? child.name : `{${child.namespace}}${child.name}`;
        throw new DecodeError('UNEXPECTED_ELEMENT', `${where} is not expected here`, `${this.path}/${child.name}`);
      }
    }
    for (const name of this.element.attributes.keys()) {
      if (!this.readAttributes.has(name)) throw new DecodeError('UNEXPECTED_ATTRIBUTE', `attribute ${name} is not expected here`, `${this.path}/@${name}`);
    }
    if (!this.textRead && this.element.text !== '') throw new DecodeError('UNEXPECTED_TEXT', 'text is not expected here', this.path);
  }
}

// ---- Writing --------------------------------------------------------------------------------

/** An element to write. Names are written as given (`xmlns`, `xml:lang` included). */
export interface XmlOut {
  readonly name: string;
  readonly attributes: readonly (readonly [string, string])[];
  readonly children: readonly XmlOut[];
  readonly text?: string;
}

/** An element; attributes, children and text that are undefined or '' are left out. */
export function element(
  name: string,
  attributes: readonly (readonly [string, string | undefined])[] = [],
  children: readonly (XmlOut | undefined)[] = [],
  text?: string,
): XmlOut {
  return {
    name,
    attributes: attributes.filter((entry): entry is readonly [string, string] => entry[1] !== undefined && entry[1] !== ''),
    children: children.filter((child): child is XmlOut => child !== undefined),
    ...(text ? { text } : {}),
  };
}

/** An element holding text, or undefined when there is no text. */
export function textElement(name: string, text: string | undefined, attributes: readonly (readonly [string, string | undefined])[] = []): XmlOut | undefined {
  if (text === undefined || text === '') return undefined;
  return { ...element(name, attributes), text };
}

/** A UTF-8 document with an XML declaration, indented by two spaces. */
export function serializeXml(root: XmlOut): string {
  const lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const write = (node: XmlOut, indent: string): void => {
    const attributes = node.attributes.map(([name, value]) => ` ${name}="${escapeXml(value, true)}"`).join('');
    if (node.text !== undefined) {
      lines.push(`${indent}<${node.name}${attributes}>${escapeXml(node.text, false)}</${node.name}>`);
    } else if (node.children.length === 0) {
      lines.push(`${indent}<${node.name}${attributes}/>`);
    } else {
      lines.push(`${indent}<${node.name}${attributes}>`);
      for (const child of node.children) write(child, `${indent}  `);
      lines.push(`${indent}</${node.name}>`);
    }
  };
  write(root, '');
  return `${lines.join('\n')}\n`;
}

function escapeXml(value: string, inAttribute: boolean): string {
  for (const char of value) {
    if (!isXmlChar(char.codePointAt(0) as number)) {
      throw new EncodeError('INVALID_CHARACTER', `U+${(char.codePointAt(0) as number).toString(16).padStart(4, '0')} cannot be written in XML 1.0`);
    }
  }
  const escaped = value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
  return inAttribute ? escaped.replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;') : escaped;
}

// ---- Comparing -------------------------------------------------------------------------------

export interface CanonicalXml {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly text?: string;
  readonly children: readonly CanonicalXml[];
}

/**
 * What two documents must share to mean the same: names in `{namespace}local` form (prefixes
 * do not matter), attributes sorted, text trimmed, children in order among elements of the same
 * name (the order between different names carries no meaning in this format), and empty
 * elements and attributes left out (the format treats them as absent).
 */
export function canonicalXml(root: XmlElement): CanonicalXml | undefined {
  const children = root.children
    .map(canonicalXml)
    .filter((child): child is CanonicalXml => child !== undefined)
    .map((child, index) => ({ child, index }))
    .sort((a, b) => (a.child.name < b.child.name ? -1 : a.child.name > b.child.name ? 1 : a.index - b.index))
    .map(({ child }) => child);
  const attributes = Object.fromEntries([...root.attributes.entries()].filter(([, value]) => value !== '').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  if (children.length === 0 && Object.keys(attributes).length === 0 && root.text === '') return undefined;
  return {
    name: `{${root.namespace}}${root.name}`,
    attributes,
    ...(root.text === '' ? {} : { text: root.text }),
    children,
  };
}
