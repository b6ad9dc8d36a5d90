/**
 * The values of the WACAP form: how a field's text is read (dates in the two ways West African
 * practice writes them, States by code or name, yes/no in three languages, code lists) and how
 * Comity writes it back. Pure. Every reader throws a {@link DecodeError} `INVALID_FIELD` whose
 * path names the line and the field.
 */
import { DecodeError } from '../sdk/errors.js';
import { lookup, normalizeLabel, written, YES_NO, type CodeList, type Label } from './labels.js';

/** Where a value was read: for error paths, `line 12 (Date de naissance)`. */
export interface ValueSource {
  readonly value: string;
  readonly line: number;
  readonly label: string;
}

function invalid(source: ValueSource, expected: string): never {
  const shown = source.value.length > 60 ? `${source.value.slice(0, 57)}...` : source.value;
  throw new DecodeError('INVALID_FIELD', `"${shown}" is not ${expected}`, `line ${source.line} (${source.label})`);
}

/** A one-line value: the lines a mail client wrapped it into, joined by spaces. */
export function oneLine(source: ValueSource): string {
  return source.value
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}

// ---- Dates ------------------------------------------------------------------------------

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const FR_DAY = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

function validDay(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A day (`2026-03-10` or `10/03/2026`, taken as midnight UTC) or an instant (RFC 3339). */
export function readInstant(source: ValueSource): Date {
  const value = oneLine(source);
  const iso = ISO_DAY.exec(value);
  const fr = FR_DAY.exec(value);
  const [year, month, day] = iso ? [Number(iso[1]), Number(iso[2]), Number(iso[3])] : fr ? [Number(fr[3]), Number(fr[2]), Number(fr[1])] : [0, 0, 0];
  if (iso || fr) {
    if (!validDay(year, month, day)) invalid(source, 'a date that exists');
    return new Date(Date.UTC(year, month - 1, day));
  }
  if (INSTANT.test(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  return invalid(source, 'a date (AAAA-MM-JJ or JJ/MM/AAAA / YYYY-MM-DD or DD/MM/YYYY) or a time (2026-03-10T09:30:00Z)');
}

/** A day as `YYYY-MM-DD`, or the instant in RFC 3339 (UTC, whole seconds) when it is not midnight UTC. */
export function writeInstant(date: Date | undefined): string | undefined {
  if (date === undefined) return undefined;
  const iso = date.toISOString();
  if (iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10);
  return iso.replace(/\.000Z$/, 'Z');
}

/** A possibly partial date, as ISO 8601 (`1981`, `1981-04`, `1981-04-12`); also `04/1981`, `12/04/1981`. */
export function readPartialDate(source: ValueSource): string {
  const value = oneLine(source);
  let match: RegExpExecArray | null;
  if ((match = /^(\d{4})$/.exec(value))) return value;
  if ((match = /^(\d{4})-(\d{2})$/.exec(value)) || (match = /^(\d{1,2})[/.](\d{4})$/.exec(value))) {
    const [year, month] = value.includes('-') ? [match[1], match[2]] : [match[2], match[1]];
    const m = Number(month);
    if (m < 1 || m > 12) invalid(source, 'a month that exists');
    return `${year}-${String(m).padStart(2, '0')}`;
  }
  const iso = ISO_DAY.exec(value);
  const fr = FR_DAY.exec(value);
  if (iso || fr) {
    const [year, month, day] = iso ? [Number(iso[1]), Number(iso[2]), Number(iso[3])] : [Number(fr?.[3]), Number(fr?.[2]), Number(fr?.[1])];
    if (!validDay(year, month, day)) invalid(source, 'a date that exists');
    return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  }
  return invalid(source, 'a date (AAAA, AAAA-MM, AAAA-MM-JJ, MM/AAAA or JJ/MM/AAAA)');
}

// ---- States and languages ---------------------------------------------------------------

/** Names of the States WACAP members deal with most, as the form may write them. */
const STATE_NAMES: Readonly<Record<string, Label>> = {
  BJ: { fr: 'Bénin', en: 'Benin', pt: 'Benim' },
  BF: { fr: 'Burkina Faso', en: 'Burkina Faso', pt: 'Burquina Faso' },
  CV: { fr: 'Cap-Vert', en: 'Cabo Verde', pt: 'Cabo Verde' },
  CI: { fr: "Côte d'Ivoire", en: "Côte d'Ivoire", pt: 'Costa do Marfim' },
  GM: { fr: 'Gambie', en: 'The Gambia', pt: 'Gâmbia' },
  GH: { fr: 'Ghana', en: 'Ghana', pt: 'Gana' },
  GN: { fr: 'Guinée', en: 'Guinea', pt: 'Guiné' },
  GW: { fr: 'Guinée-Bissau', en: 'Guinea-Bissau', pt: 'Guiné-Bissau' },
  LR: { fr: 'Libéria', en: 'Liberia', pt: 'Libéria' },
  ML: { fr: 'Mali', en: 'Mali', pt: 'Mali' },
  NE: { fr: 'Niger', en: 'Niger', pt: 'Níger' },
  NG: { fr: 'Nigéria', en: 'Nigeria', pt: 'Nigéria' },
  SN: { fr: 'Sénégal', en: 'Senegal', pt: 'Senegal' },
  SL: { fr: 'Sierra Leone', en: 'Sierra Leone', pt: 'Serra Leoa' },
  TG: { fr: 'Togo', en: 'Togo', pt: 'Togo' },
  MR: { fr: 'Mauritanie', en: 'Mauritania', pt: 'Mauritânia' },
  TD: { fr: 'Tchad', en: 'Chad', pt: 'Chade' },
  FR: { fr: 'France', en: 'France', pt: 'França' },
  PT: { fr: 'Portugal', en: 'Portugal', pt: 'Portugal' },
  GB: { fr: 'Royaume-Uni', en: 'United Kingdom', pt: 'Reino Unido' },
  ES: { fr: 'Espagne', en: 'Spain', pt: 'Espanha' },
  BR: { fr: 'Brésil', en: 'Brazil', pt: 'Brasil' },
};
const STATE_BY_NAME = lookup(STATE_NAMES);

/** An ISO 3166-1 alpha-2 code (`SN`, `sn`), a name the form knows (`Sénégal`), or `Sénégal (SN)`. */
export function readState(source: ValueSource): string {
  return stateOf(oneLine(source)) ?? invalid(source, 'a State: its ISO 3166-1 code (SN, CI, NG…) or its name');
}

function stateOf(value: string): string | undefined {
  if (/^[A-Za-z]{2}$/.test(value)) return value.toUpperCase();
  const inParentheses = /\(([A-Za-z]{2})\)$/.exec(value.trimEnd());
  if (inParentheses) return inParentheses[1]?.toUpperCase();
  return STATE_BY_NAME.get(normalizeLabel(value));
}

/** States separated by commas or semicolons. */
export function readStates(source: ValueSource): string[] {
  return splitList(oneLine(source)).map((item) => stateOf(item) ?? invalid({ ...source, value: item }, 'a State: its ISO 3166-1 code or its name'));
}

const LANGUAGE_NAMES: Readonly<Record<string, Label>> = {
  fr: { fr: 'français', en: 'French', pt: 'francês' },
  en: { fr: 'anglais', en: 'English', pt: 'inglês' },
  pt: { fr: 'portugais', en: 'Portuguese', pt: 'português' },
  ar: { fr: 'arabe', en: 'Arabic', pt: 'árabe' },
};
const LANGUAGE_BY_NAME = lookup(LANGUAGE_NAMES);
const BCP47 = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/;

/** A BCP 47 tag (`fr`, `pt-GW`) or the name of French, English, Portuguese or Arabic. */
export function readLanguage(source: ValueSource): string {
  return languageOf(oneLine(source)) ?? invalid(source, 'a language: a BCP 47 tag (fr, en, pt) or its name');
}

function languageOf(value: string): string | undefined {
  if (BCP47.test(value)) return value;
  if (/^[A-Za-z]{2,3}$/.test(value)) return value.toLowerCase();
  return LANGUAGE_BY_NAME.get(normalizeLabel(value));
}

export function readLanguages(source: ValueSource): string[] {
  return splitList(oneLine(source)).map((item) => languageOf(item) ?? invalid({ ...source, value: item }, 'a language: a BCP 47 tag or its name'));
}

// ---- Code lists, numbers, lists ---------------------------------------------------------

const lookups = new WeakMap<object, ReadonlyMap<string, string>>();

/** A value of a code list, in any of its spellings. */
export function readCode<K extends string>(source: ValueSource, list: CodeList<K>, what: string): K {
  let map = lookups.get(list);
  if (!map) {
    map = lookup(list as Readonly<Record<string, Label>>);
    lookups.set(list, map);
  }
  const key = map.get(normalizeLabel(oneLine(source)));
  return (key as K | undefined) ?? invalid(source, `${what} (${Object.values<Label>(list).map(written).join('; ')})`);
}

export function writeCode<K extends string>(list: CodeList<K>, key: K | undefined): string | undefined {
  return key === undefined ? undefined : written(list[key]);
}

export function readYesNo(source: ValueSource): boolean {
  return readCode(source, YES_NO, 'oui or non / yes or no') === 'yes';
}

export function writeYesNo(value: boolean | undefined): string | undefined {
  return value === undefined ? undefined : writeCode(YES_NO, value ? 'yes' : 'no');
}

/** A whole number from 0 to 100 000 000. */
export function readCount(source: ValueSource): number {
  const value = oneLine(source).replace(/[\s\u00a0\u202f]/g, '');
  if (!/^\d{1,9}$/.test(value) || Number(value) > 100_000_000) invalid(source, 'a whole number');
  return Number(value);
}

/** Numbers of sections (`1, 2`, `1 et 3`, `1 and 3`). */
export function readNumbers(source: ValueSource): number[] {
  const items = oneLine(source)
    .replace(/\s+/g, ' ')
    .split(/ ?(?:,|;|\bet\b|\band\b|\be\b) ?/i)
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return items.map((item) => (/^\d{1,3}$/.test(item) ? Number(item) : invalid({ ...source, value: item }, 'the number of a section (1, 2…)')));
}

/** Items separated by commas or semicolons. */
export function splitList(value: string): string[] {
  return value
    .split(/[,;]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Items separated by semicolons (names may hold commas). */
export function splitNames(value: string): string[] {
  return value
    .split(';')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

const BULLET = /^[-•*]\s+/;

/**
 * The items of a list field. Written one per line; when any line starts with a bullet (`- `),
 * each bullet starts an item and the lines after it continue it (a mail client may have
 * wrapped a long item), joined by a space.
 */
export function splitItems(value: string): string[] {
  const lines = splitLines(value);
  if (!lines.some((line) => BULLET.test(line))) return lines;
  const items: string[] = [];
  for (const line of lines) {
    if (BULLET.test(line) || items.length === 0) items.push(line.replace(BULLET, ''));
    else items[items.length - 1] = `${items[items.length - 1] as string} ${line}`;
  }
  return items;
}

/** A list as Comity writes it: one item inline, several as bullets. */
export function writeItems(items: readonly string[]): string | undefined {
  if (items.length === 0) return undefined;
  if (items.length === 1 && !BULLET.test(items[0] as string)) return items[0];
  return ['', ...items.map((item) => `- ${item}`)].join('\n');
}

/** One item per line. */
export function splitLines(value: string): string[] {
  return value
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

export function readSha256(source: ValueSource): string {
  const value = oneLine(source).toLowerCase();
  return /^[0-9a-f]{64}$/.test(value) ? value : invalid(source, 'a SHA-256 digest (64 hexadecimal digits)');
}
