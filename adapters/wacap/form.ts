/**
 * The grammar of the WACAP mail form: the plain text between `=== WACAP : <KIND> ===` and
 * `=== FIN / END ===` in the body of an e-mail, read into a {@link FormDocument} (labels
 * resolved to keys, values as text) and written back. Pure; the meaning of the values is
 * codec.ts's business.
 *
 *   body     := preamble? start head section* end postscript?
 *   start    := "===" "WACAP" [":"] <kind title> "==="            (KINDS)
 *   head     := field*
 *   section  := "---" <section name> [<number>] "---" (field* | text)   (SECTIONS)
 *   field    := <label> ":" value (continuation)*
 *   end      := "===" "FIN / END" "==="
 *
 * - Lines are compared without regard to case, accents or spacing; a label may be French,
 *   English, Portuguese, or several joined by ` / ` (labels.ts).
 * - A field's value runs on over the following lines until the next field, section or end:
 *   an indented line always continues it; a line that is not indented continues it unless it
 *   starts with a label of the section. (Mail clients re-wrap long lines without indenting.)
 *   Comity indents continuation lines, so what it writes always reads back the same.
 * - A field left empty, and a section whose fields are all empty, are absent: the distributed
 *   template lists every field, and focal points fill in only what applies.
 * - The first form in the body is the form; what precedes it is the preamble (a covering
 *   letter) and what follows its end line the postscript (signature, disclaimer, a quoted
 *   earlier message). Both are kept as text.
 * - Marker and section lines start in the first column; an indented one is text.
 * - A repeated section is numbered (`--- Personne 2 / Person 2 ---`); the numbers are how
 *   other fields point at it (`Personnes concernées / Persons concerned: 1, 2`).
 */
import { DecodeError } from '../sdk/errors.js';
import {
  END_TITLE,
  FORM_MARK,
  HEAD_FIELDS,
  KINDS,
  LAYOUT,
  SECTIONS,
  lookup,
  normalizeLabel,
  spellings,
  written,
  type FormKind,
  type Label,
  type SectionName,
} from './labels.js';

/** One field as read: its key, its value (never empty) and where it started. */
export interface FormField {
  readonly key: string;
  readonly value: string;
  /** 1-based line number in the body text. */
  readonly line: number;
}

export interface FormSection {
  readonly name: SectionName;
  /** For repeated sections: the number written in the section line. */
  readonly number?: number;
  readonly line: number;
  /** Fields of a field section (in order); empty for a text section. */
  readonly fields: readonly FormField[];
  /** The text of a text section. */
  readonly text?: string;
}

export interface FormDocument {
  readonly kind: FormKind;
  /** Line of the start marker. */
  readonly line: number;
  readonly head: readonly FormField[];
  readonly sections: readonly FormSection[];
  /** Text before the start line, trimmed; empty when there is none. */
  readonly preamble: string;
  /** Text after the end line, trimmed. */
  readonly postscript: string;
}

const KIND_BY_TITLE = lookup(KINDS);
const END_SPELLINGS = new Set(spellings(END_TITLE));
const SECTION_BY_NAME = lookup(Object.fromEntries(Object.entries(SECTIONS).map(([name, spec]) => [name, spec.label])) as Record<SectionName, Label>);
const HEAD_BY_LABEL = lookup(HEAD_FIELDS);
const FIELDS_BY_SECTION = new Map<SectionName, ReadonlyMap<string, string>>(
  (Object.keys(SECTIONS) as SectionName[]).flatMap((name) => {
    const fields = SECTIONS[name].fields;
    return fields === 'text' ? [] : [[name, lookup(fields as Record<string, Label>)] as const];
  }),
);
/**
 * Labels of every scope that are unlikely in prose (two words or more): a line that starts with
 * one of them in the wrong section is a misplaced field, not the continuation of a value.
 */
const OTHER_SCOPE_LABELS = new Set(
  [...HEAD_BY_LABEL.keys(), ...[...FIELDS_BY_SECTION.values()].flatMap((map) => [...map.keys()])].filter((label) => label.includes(' ')),
);

/** Longest marker or section line: longer lines are text (and never reach a regular expression). */
const MAX_STRUCTURE_LINE = 200;
/** Most sections in one form: a form with more is refused rather than read at length. */
const MAX_SECTIONS = 1000;

/**
 * The title of a line framed by at least three `mark` characters on each side
 * (`=== WACAP : DEMANDE ===`, `--- Personne 1 ---`), or undefined. One linear pass, no regular
 * expression: a line of thousands of `=` must not cost more than reading it.
 */
function framed(line: string, mark: '=' | '-'): string | undefined {
  if (line.length > MAX_STRUCTURE_LINE) return undefined;
  let start = 0;
  while (start < line.length && line[start] === mark) start += 1;
  if (start < 3) return undefined;
  let end = line.length;
  while (end > start && (line[end - 1] === ' ' || line[end - 1] === '\t')) end -= 1;
  let close = end;
  while (close > start && line[close - 1] === mark) close -= 1;
  if (end - close < 3) return undefined;
  return line.slice(start, close).trim();
}

const isMarker = (line: string): boolean => framed(line, '=') !== undefined;
const isSectionLine = (line: string): boolean => framed(line, '-') !== undefined;
const FIELD_LINE = /^([^:\s][^:]{0,99}):(.*)$/;
const START_TITLE = new RegExp(`^${FORM_MARK}\\s*[:\\-–—]?\\s*(.*)$`, 'iu');

function at(line: number): string {
  return `line ${line}`;
}

/** Reads the form out of an e-mail's text body. Throws {@link DecodeError}. */
export function parseForm(body: string): FormDocument {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const startIndex = lines.findIndex((line) => startKind(line) !== undefined);
  if (startIndex < 0) {
    const near = lines.findIndex((line) => START_TITLE.test(framed(line, '=') ?? ''));
    if (near >= 0) {
      const title = framed(lines[near] as string, '=') ?? '';
      throw new DecodeError('UNKNOWN_FORM_KIND', `"${title}" is not a kind of WACAP form (${Object.values(KINDS).map(written).join('; ')})`, at(near + 1));
    }
    throw new DecodeError('MISSING_FORM', `the e-mail holds no WACAP form: no line "=== ${FORM_MARK} : ${written(KINDS.request)} ===" (or another kind)`, 'body');
  }
  const kind = startKind(lines[startIndex] as string) as FormKind;
  const layout = LAYOUT[kind];

  const head: FormField[] = [];
  const sections: FormSection[] = [];
  type Open = { key: string; line: number; lines: string[] };
  let fields: FormField[] = head;
  let fieldLabels: ReadonlyMap<string, string> = HEAD_BY_LABEL;
  let allowedFields: ReadonlySet<string> = new Set(layout.head);
  let scope = 'the head of the form';
  let textSection: { name: SectionName; number?: number; line: number; lines: string[] } | undefined;
  let fieldSection: { name: SectionName; number?: number; line: number; fields: FormField[] } | undefined;
  let open: Open | undefined;
  const seenFields = new Set<string>();
  const seenSections = new Set<string>();
  const sectionCounts = new Map<SectionName, number>();

  const closeField = () => {
    if (!open) return;
    const value = joinValue(open.lines);
    if (value !== '') fields.push({ key: open.key, value, line: open.line });
    open = undefined;
  };
  const closeSection = () => {
    closeField();
    if (textSection) {
      const text = joinText(textSection.lines);
      if (text !== '') sections.push({ name: textSection.name, number: textSection.number, line: textSection.line, fields: [], text });
      textSection = undefined;
    }
    if (fieldSection) {
      if (fieldSection.fields.length > 0) sections.push({ name: fieldSection.name, number: fieldSection.number, line: fieldSection.line, fields: fieldSection.fields });
      fieldSection = undefined;
    }
  };

  let endIndex = -1;
  for (let index = startIndex + 1; index < lines.length; index += 1) {
    const raw = (lines[index] as string).trimEnd();
    const lineNumber = index + 1;
    const marker = framed(raw, '=');
    if (marker !== undefined) {
      const title = normalizeLabel(marker);
      if (END_SPELLINGS.has(title)) {
        endIndex = index;
        break;
      }
      if (startKind(raw) !== undefined) throw new DecodeError('INVALID_FORM', 'a second form starts before the first one ended ("=== FIN / END ===")', at(lineNumber));
      throw new DecodeError('INVALID_FORM', `"${marker}" is not a line of the form; the form ends with "=== ${written(END_TITLE)} ==="`, at(lineNumber));
    }
    const sectionTitle = framed(raw, '-');
    if (sectionTitle !== undefined) {
      closeSection();
      if (seenSections.size >= MAX_SECTIONS) throw new DecodeError('INVALID_FORM', `a form has at most ${MAX_SECTIONS} sections`, at(lineNumber));
      const { name, number } = sectionOf(sectionTitle, lineNumber);
      if (!layout.sections.includes(name)) {
        throw new DecodeError('UNEXPECTED_SECTION', `a ${written(KINDS[kind])} form has no section "${written(SECTIONS[name].label)}"`, at(lineNumber));
      }
      const spec = SECTIONS[name];
      let sectionNumber: number | undefined;
      if (spec.repeated) {
        sectionNumber = number ?? (sectionCounts.get(name) ?? 0) + 1;
        sectionCounts.set(name, (sectionCounts.get(name) ?? 0) + 1);
      } else if (number !== undefined) {
        throw new DecodeError('INVALID_FORM', `the section "${written(spec.label)}" is not numbered`, at(lineNumber));
      }
      const identity = sectionNumber === undefined ? name : `${name}#${sectionNumber}`;
      if (seenSections.has(identity)) {
        throw new DecodeError('DUPLICATE_SECTION', `the section "${written(spec.label)}${sectionNumber === undefined ? '' : ` ${sectionNumber}`}" appears twice`, at(lineNumber));
      }
      seenSections.add(identity);
      scope = `the section "${written(spec.label)}${sectionNumber === undefined ? '' : ` ${sectionNumber}`}"`;
      seenFields.clear();
      if (spec.fields === 'text') {
        textSection = { name, number: sectionNumber, line: lineNumber, lines: [] };
      } else {
        fieldSection = { name, number: sectionNumber, line: lineNumber, fields: [] };
        fields = fieldSection.fields;
        fieldLabels = FIELDS_BY_SECTION.get(name) as ReadonlyMap<string, string>;
        allowedFields = new Set(fieldLabels.values());
      }
      continue;
    }
    if (textSection) {
      textSection.lines.push(raw);
      continue;
    }
    if (raw === '') {
      open?.lines.push('');
      continue;
    }
    // Indented lines and list bullets always continue a value.
    const indented = /^\s/.test(raw) || /^[-•*]\s/.test(raw);
    const labelled = indented ? undefined : FIELD_LINE.exec(raw);
    const label = labelled ? normalizeLabel(labelled[1] ?? '') : undefined;
    const key = label === undefined ? undefined : fieldLabels.get(label);
    if (key !== undefined && labelled) {
      closeField();
      if (!allowedFields.has(key)) {
        throw new DecodeError('UNEXPECTED_FIELD', `a ${written(KINDS[kind])} form has no field "${labelled[1]?.trim()}" in ${scope}`, at(lineNumber));
      }
      if (seenFields.has(key)) throw new DecodeError('DUPLICATE_FIELD', `the field "${labelled[1]?.trim()}" appears twice in ${scope}`, at(lineNumber));
      seenFields.add(key);
      open = { key, line: lineNumber, lines: [(labelled[2] ?? '').trim()] };
      continue;
    }
    if (label !== undefined && labelled && (OTHER_SCOPE_LABELS.has(label) || /\s\/\s/.test(labelled[1] ?? ''))) {
      throw new DecodeError('UNKNOWN_FIELD', `"${labelled[1]?.trim()}" is not a field of ${scope}`, at(lineNumber));
    }
    if (!open) {
      if (label !== undefined && labelled) throw new DecodeError('UNKNOWN_FIELD', `"${labelled[1]?.trim()}" is not a field of ${scope}`, at(lineNumber));
      throw new DecodeError('UNEXPECTED_TEXT', `text outside any field in ${scope}: write "<label>: <value>", or indent a continued value`, at(lineNumber));
    }
    open.lines.push(raw.trim());
  }
  if (endIndex < 0) throw new DecodeError('FORM_NOT_CLOSED', `the form does not end with a line "=== ${written(END_TITLE)} ==="`, at(lines.length));
  closeSection();
  return {
    kind,
    line: startIndex + 1,
    head,
    sections,
    preamble: joinText(lines.slice(0, startIndex)),
    postscript: joinText(lines.slice(endIndex + 1)),
  };
}

function startKind(line: string): FormKind | undefined {
  const marker = framed(line, '=');
  if (marker === undefined) return undefined;
  const title = START_TITLE.exec(marker);
  return title ? KIND_BY_TITLE.get(normalizeLabel(title[1] ?? '')) : undefined;
}

/** A section line's name and number: all numbers in it must agree (`Personne 2 / Person 2`). */
function sectionOf(title: string, line: number): { name: SectionName; number?: number } {
  const numbers = [...title.matchAll(/\d+/g)].map((match) => Number(match[0]));
  const bare = title.replace(/\b(?:n[°ºo]\.?|no\.|#)?\s*\d+\b/giu, ' ');
  const name = SECTION_BY_NAME.get(normalizeLabel(bare));
  if (name === undefined) throw new DecodeError('UNKNOWN_SECTION', `"${title}" is not a section of the WACAP form`, at(line));
  if (numbers.some((number) => number !== numbers[0])) throw new DecodeError('INVALID_FORM', `the section line "${title}" has two different numbers`, at(line));
  const number = numbers[0];
  if (number !== undefined && (number < 1 || number > 999)) throw new DecodeError('INVALID_FORM', `section numbers run from 1 to 999, not ${number}`, at(line));
  return number === undefined ? { name } : { name, number };
}

/** A field's lines as its value: trailing blanks and surrounding empty lines dropped. */
function joinValue(lines: readonly string[]): string {
  return trimBlankLines(lines.map((line) => line.trimEnd())).join('\n');
}

/** A text section or the text around the form: lines as written, without surrounding empty lines. */
function joinText(lines: readonly string[]): string {
  return trimBlankLines(lines.map((line) => line.trimEnd())).join('\n');
}

function trimBlankLines(lines: readonly string[]): string[] {
  let first = 0;
  let last = lines.length;
  while (first < last && lines[first] === '') first += 1;
  while (last > first && lines[last - 1] === '') last -= 1;
  return lines.slice(first, last);
}

// ---- Writing ----------------------------------------------------------------------------

/** A form to write: keys and values; labels come from labels.ts. */
export interface FormToWrite {
  readonly kind: FormKind;
  readonly head: readonly (readonly [string, string | undefined])[];
  readonly sections: readonly SectionToWrite[];
  readonly preamble?: string;
  readonly postscript?: string;
}

export interface SectionToWrite {
  readonly name: SectionName;
  readonly number?: number;
  readonly fields?: readonly (readonly [string, string | undefined])[];
  readonly text?: string;
}

/**
 * The form as Comity writes it: bilingual labels, one field per line, continuation lines
 * indented by two spaces, a blank line before each section. Fields without a value and
 * sections without content are left out. A line of free text that would read as a marker or a
 * section line gets one leading space, so that it reads back as text.
 */
export function renderForm(form: FormToWrite): string {
  const out: string[] = [];
  if (form.preamble) out.push(...escapeText(form.preamble, (line) => startKind(line) !== undefined), '');
  out.push(`=== ${FORM_MARK} : ${written(KINDS[form.kind])} ===`);
  writeFields(out, form.head, (key) => HEAD_FIELDS[key as keyof typeof HEAD_FIELDS]);
  for (const section of form.sections) {
    const spec = SECTIONS[section.name];
    const title =
      section.number === undefined
        ? written(spec.label)
        : spec.label.fr === spec.label.en
          ? `${spec.label.fr} ${section.number}`
          : `${spec.label.fr} ${section.number} / ${spec.label.en} ${section.number}`;
    if (spec.fields === 'text') {
      if (!section.text) continue;
      out.push('', `--- ${title} ---`, ...escapeText(section.text, (line) => isMarker(line) || isSectionLine(line)));
      continue;
    }
    const present = (section.fields ?? []).filter(([, value]) => value !== undefined && value !== '');
    if (present.length === 0) continue;
    const labels = spec.fields as Readonly<Record<string, Label>>;
    out.push('', `--- ${title} ---`);
    writeFields(out, present, (key) => labels[key]);
  }
  out.push(`=== ${written(END_TITLE)} ===`);
  if (form.postscript) out.push('', ...escapeText(form.postscript, () => false));
  return `${out.join('\n')}\n`;
}

function writeFields(out: string[], fields: readonly (readonly [string, string | undefined])[], labelOf: (key: string) => Label | undefined): void {
  for (const [key, value] of fields) {
    if (value === undefined || value === '') continue;
    const label = labelOf(key);
    if (!label) throw new RangeError(`no label for field "${key}"`);
    const [first = '', ...rest] = value.split('\n');
    out.push(first.trim() === '' ? `${written(label)}:` : `${written(label)}: ${first.trim()}`);
    for (const line of rest) out.push(line.trim() === '' ? '' : `  ${line.trim()}`);
  }
}

/** Text lines, trailing blanks dropped; a line that would be read as structure gets a leading space. */
function escapeText(text: string, readsAsStructure: (line: string) => boolean): string[] {
  return text.split('\n').map((line) => line.trimEnd()).map((line) => (readsAsStructure(line) ? ` ${line}` : line));
}
