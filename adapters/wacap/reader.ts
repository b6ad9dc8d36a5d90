/**
 * Reading a parsed form field by field: each field is taken once, through a value reader that
 * names the line and the label in its errors, and a section that still holds a field nobody
 * took is refused — so the codec cannot silently ignore something the form says. Pure.
 */
import { DecodeError } from '../sdk/errors.js';
import type { FormDocument, FormField, FormSection } from './form.js';
import { HEAD_FIELDS, SECTIONS, written, type Label, type SectionName } from './labels.js';
import { oneLine, type ValueSource } from './values.js';

export class FieldReader {
  private readonly byKey = new Map<string, FormField>();
  private readonly taken = new Set<string>();

  constructor(
    fields: readonly FormField[],
    private readonly labels: Readonly<Record<string, Label>>,
    /** Where the fields are, for messages: `the head of the form`, `Personne 2 / Person 2`. */
    readonly where: string,
    /** Line of the section, for errors about a missing field. */
    readonly sectionLine: number,
  ) {
    for (const field of fields) this.byKey.set(field.key, field);
  }

  /** The field as a value source, or undefined when the form leaves it out. */
  source(key: string): ValueSource | undefined {
    const field = this.byKey.get(key);
    if (!field) return undefined;
    this.taken.add(key);
    return { value: field.value, line: field.line, label: written(this.labelOf(key)) };
  }

  /** Free text, line breaks kept. */
  text(key: string): string | undefined {
    return this.source(key)?.value;
  }

  /** A one-line value (wrapped lines joined). */
  line(key: string): string | undefined {
    const source = this.source(key);
    return source ? oneLine(source) : undefined;
  }

  read<T>(key: string, reader: (source: ValueSource) => T): T | undefined {
    const source = this.source(key);
    return source ? reader(source) : undefined;
  }

  required<T>(key: string, reader: (source: ValueSource) => T): T {
    const source = this.source(key);
    if (!source) throw this.missing(key);
    return reader(source);
  }

  requiredLine(key: string): string {
    return this.required(key, oneLine);
  }

  missing(key: string): DecodeError {
    return new DecodeError('MISSING_FIELD', `${this.where} must have the field "${written(this.labelOf(key))}"`, `line ${this.sectionLine}`);
  }

  /** Refuses a field that was read by the grammar but not by the codec: nothing is ignored. */
  done(): void {
    for (const [key, field] of this.byKey) {
      if (!this.taken.has(key)) {
        throw new DecodeError('UNEXPECTED_FIELD', `the field "${written(this.labelOf(key))}" has no place in ${this.where} of this form`, `line ${field.line}`);
      }
    }
  }

  private labelOf(key: string): Label {
    const label = this.labels[key];
    if (!label) throw new RangeError(`no label for field "${key}"`);
    return label;
  }
}

/** The sections of a form by name, each read at most once. */
export class FormReader {
  readonly head: FieldReader;
  private readonly taken = new Set<FormSection>();

  constructor(readonly document: FormDocument) {
    this.head = new FieldReader(document.head, HEAD_FIELDS, 'the head of the form', document.line);
  }

  /** A section that appears at most once. */
  single(name: SectionName): FormSection | undefined {
    const section = this.document.sections.find((candidate) => candidate.name === name);
    if (section) this.taken.add(section);
    return section;
  }

  /** The sections of a repeated kind, in the order written. */
  repeated(name: SectionName): FormSection[] {
    const sections = this.document.sections.filter((candidate) => candidate.name === name);
    for (const section of sections) this.taken.add(section);
    return sections;
  }

  fields(section: FormSection): FieldReader {
    const spec = SECTIONS[section.name];
    const title = section.number === undefined ? written(spec.label) : `${spec.label.fr} ${section.number} / ${spec.label.en} ${section.number}`;
    return new FieldReader(section.fields, spec.fields === 'text' ? {} : spec.fields, `the section "${title}"`, section.line);
  }

  text(name: SectionName): string | undefined {
    return this.single(name)?.text;
  }

  /** Refuses a section nobody read (one that has no place in this kind or request type). */
  done(): void {
    this.head.done();
    for (const section of this.document.sections) {
      if (!this.taken.has(section)) {
        throw new DecodeError('UNEXPECTED_SECTION', `the section "${written(SECTIONS[section.name].label)}" has no place in this form`, `line ${section.line}`);
      }
    }
  }
}
