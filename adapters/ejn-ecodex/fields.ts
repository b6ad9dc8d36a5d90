/**
 * Field values of the e-CODEX XML rendering, read and written the same way everywhere: codes
 * of the canonical enums, timestamps, dates, State codes, booleans, numbers. Pure.
 *
 * Enumerated values are written as the canonical enum value's name without its type prefix,
 * in lower kebab case (`MEASURE_KIND_BANK_INFORMATION` → `bank-information`), except where a
 * table below says otherwise (the EIO measure types use Annex A's own `H1`–`H7`).
 */
import { isIccsCode } from '../../core/reference/iccs.js';
import { DecodeError, EncodeError } from '../sdk/errors.js';
import type { ElementReader } from './xml.js';

// ---- Enumerations ----------------------------------------------------------------------------

/** Native code ⇄ canonical enum value, read in both directions. */
export interface CodeTable {
  readonly what: string;
  readonly byCode: ReadonlyMap<string, number>;
  readonly byValue: ReadonlyMap<number, string>;
}

/**
 * The table of a ts-proto enum: every value but `*_UNSPECIFIED` (written as absent) and
 * `UNRECOGNIZED`, by the kebab-case rule or an explicit code from `codes`.
 */
export function codeTable(what: string, enumeration: Readonly<Record<string, string | number>>, prefix: string, codes: Readonly<Record<string, string>> = {}): CodeTable {
  const byCode = new Map<string, number>();
  const byValue = new Map<number, string>();
  for (const [name, value] of Object.entries(enumeration)) {
    if (typeof value !== 'number' || value <= 0 || !name.startsWith(prefix)) continue;
    const code = codes[name] ?? name.slice(prefix.length).toLowerCase().replace(/_/g, '-');
    byCode.set(code, value);
    byValue.set(value, code);
  }
  return { what, byCode, byValue };
}

/** An optional coded attribute; absent is the enum's unspecified value (0). */
export function codeAttribute(reader: ElementReader, name: string, table: CodeTable): number {
  const code = reader.attribute(name);
  if (code === undefined) return 0;
  const value = table.byCode.get(code);
  if (value === undefined) {
    throw new DecodeError('INVALID_FIELD', `"${code}" is not a ${table.what} (one of: ${[...table.byCode.keys()].join(', ')})`, `${reader.path}/@${name}`);
  }
  return value;
}

export function requiredCodeAttribute(reader: ElementReader, name: string, table: CodeTable): number {
  reader.requiredAttribute(name);
  return codeAttribute(reader, name, table);
}

/** The native code of a canonical value; undefined for the unspecified value. */
export function codeOf(table: CodeTable, value: number, field: string): string | undefined {
  if (value === 0) return undefined;
  const code = table.byValue.get(value);
  if (code === undefined) throw new EncodeError('INVALID_FIELD', `${field}: ${String(value)} is not a known ${table.what}`);
  return code;
}

// ---- Scalars ---------------------------------------------------------------------------------

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/;
const STATE = /^[A-Z]{2}$/;
const LANGUAGE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

type Check = (value: string) => boolean;

function checked(value: string | undefined, check: Check, what: string, path: string): string | undefined {
  if (value !== undefined && !check(value)) throw new DecodeError('INVALID_FIELD', `"${value}" is not ${what}`, path);
  return value;
}

/** An RFC 3339 timestamp with an offset (`2026-03-02T09:15:00Z`); written back in UTC. */
export function timestampAttribute(reader: ElementReader, name: string): Date | undefined {
  const value = checked(reader.attribute(name), (text) => RFC3339.test(text) && !Number.isNaN(Date.parse(text)), 'an RFC 3339 timestamp', `${reader.path}/@${name}`);
  return value === undefined ? undefined : new Date(value);
}

export function formatTimestamp(date: Date | undefined): string | undefined {
  return date === undefined ? undefined : date.toISOString().replace(/\.000Z$/, 'Z');
}

/** An ISO 8601 calendar date, possibly partial (`1980`, `1980-05`, `1980-05-17`). */
export function dateAttribute(reader: ElementReader, name: string): string {
  return checked(reader.attribute(name), (text) => ISO_DATE.test(text), 'an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)', `${reader.path}/@${name}`) ?? '';
}

export function isState(value: string): boolean {
  return STATE.test(value);
}

/** An ISO 3166-1 alpha-2 code in an attribute. */
export function stateAttribute(reader: ElementReader, name: string): string {
  return checked(reader.attribute(name), isState, 'an ISO 3166-1 alpha-2 code', `${reader.path}/@${name}`) ?? '';
}

/** ISO 3166-1 alpha-2 codes, one per child element. */
export function stateTexts(reader: ElementReader, name: string): string[] {
  return reader.childTexts(name).map((value, index) => checked(value, isState, 'an ISO 3166-1 alpha-2 code', `${reader.path}/${name}[${index + 1}]`) as string);
}

export function stateText(reader: ElementReader, name: string, required: boolean): string {
  const value = required ? reader.requiredChildText(name) : reader.childText(name);
  return checked(value, isState, 'an ISO 3166-1 alpha-2 code', `${reader.path}/${name}`) ?? '';
}

export function isLanguage(value: string): boolean {
  return LANGUAGE.test(value);
}

/** A BCP 47 language tag in an attribute (`de`, `pt-BR`). */
export function languageAttribute(reader: ElementReader, name: string): string {
  return checked(reader.attribute(name), isLanguage, 'a BCP 47 language tag', `${reader.path}/@${name}`) ?? '';
}

export function languageTexts(reader: ElementReader, name: string): string[] {
  return reader.childTexts(name).map((value, index) => checked(value, isLanguage, 'a BCP 47 language tag', `${reader.path}/${name}[${index + 1}]`) as string);
}

/** `xml:lang` of a document. */
export function documentLanguage(reader: ElementReader): string {
  return checked(reader.language(), isLanguage, 'a BCP 47 language tag', `${reader.path}/@xml:lang`) ?? '';
}

/** `true` or `false`; absent is false. Written only when true. */
export function booleanAttribute(reader: ElementReader, name: string): boolean {
  const value = checked(reader.attribute(name), (text) => text === 'true' || text === 'false', 'true or false', `${reader.path}/@${name}`);
  return value === 'true';
}

export function formatBoolean(value: boolean): string | undefined {
  return value ? 'true' : undefined;
}

/** A whole number 0–999 999 999; absent is 0. Written only when not 0. */
export function countAttribute(reader: ElementReader, name: string): number {
  const value = checked(reader.attribute(name), (text) => /^(0|[1-9]\d{0,8})$/.test(text), 'a whole number', `${reader.path}/@${name}`);
  return value === undefined ? 0 : Number(value);
}

export function formatCount(value: number): string | undefined {
  return value === 0 ? undefined : String(value);
}

export function iccsAttribute(reader: ElementReader, name: string): string {
  return checked(reader.attribute(name), isIccsCode, 'an ICCS v1.0 code', `${reader.path}/@${name}`) ?? '';
}

/** Text or '' — canonical strings have no "absent". */
export function orEmpty(value: string | undefined): string {
  return value ?? '';
}

/** A canonical field the native format requires. */
export function required<T>(value: T | undefined, field: string): T {
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) {
    throw new EncodeError('MISSING_FIELD', `the event has no ${field}, which the e-CODEX message requires`);
  }
  return value;
}
