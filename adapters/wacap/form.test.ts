import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../sdk/errors.js';
import { parseForm, renderForm } from './form.js';
import { HEAD_FIELDS, KINDS, SECTIONS, lookup, type Label } from './labels.js';
import { readCode } from './values.js';
import * as labels from './labels.js';

function failure(text: string): DecodeError {
  try {
    parseForm(text);
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
  throw new Error('expected a DecodeError');
}

describe('adapters/wacap/form', () => {
  it('has no spelling that names two things in one scope', () => {
    expect(() => lookup(KINDS)).not.toThrow();
    expect(() => lookup(HEAD_FIELDS)).not.toThrow();
    for (const spec of Object.values(SECTIONS)) if (spec.fields !== 'text') expect(() => lookup(spec.fields as Record<string, Label>)).not.toThrow();
    for (const [name, list] of Object.entries(labels)) {
      if (name === name.toUpperCase() && typeof list === 'object' && !['KINDS', 'HEAD_FIELDS', 'SECTIONS', 'LAYOUT', 'END_TITLE'].includes(name)) {
        expect(() => lookup(list as Record<string, Label>), name).not.toThrow();
      }
    }
  });

  it('reads what it writes, whatever the values hold', () => {
    const form = {
      kind: 'request' as const,
      preamble: 'Monsieur,\n=== WACAP : DEMANDE / REQUEST ===',
      head: [
        ['reference', 'A/1'],
        ['remarks', 'ligne 1\n\nRéférence / Reference: piège\n- puce: oui'],
      ] as const,
      sections: [
        { name: 'facts' as const, text: '  retrait conservé\n--- Personne 1 / Person 1 ---\n=== FIN / END ===' },
        { name: 'person' as const, number: 1, fields: [['familyName', 'FALL']] as const },
        { name: 'person' as const, number: 2, fields: [['familyName', undefined]] as const },
      ],
      postscript: '=== FIN / END ===',
    };
    const document = parseForm(renderForm(form));
    expect(document.kind).toBe('request');
    expect(document.head.map((field) => [field.key, field.value])).toEqual([
      ['reference', 'A/1'],
      ['remarks', 'ligne 1\n\nRéférence / Reference: piège\n- puce: oui'],
    ]);
    expect(document.sections.map((section) => section.name)).toEqual(['facts', 'person']);
    expect(document.sections[0]?.text).toBe('  retrait conservé\n --- Personne 1 / Person 1 ---\n === FIN / END ===');
    expect(document.preamble).toBe('Monsieur,\n === WACAP : DEMANDE / REQUEST ===');
    expect(document.postscript).toBe('=== FIN / END ===');
  });

  it('reads the blank template as a form that says nothing yet, and a filled-in one as it is filled', () => {
    const template = readFileSync(new URL('./template-demande-request.txt', import.meta.url), 'utf8');
    expect(parseForm(template)).toMatchObject({ kind: 'request', head: [], sections: [] });
    const filled = template
      .replace('Référence / Reference:', 'Référence / Reference: T/1')
      .replace('Langue / Language:', 'Langue / Language: fr')
      .replace('--- Personne 1 / Person 1 ---\nQualité / Role:', '--- Personne 1 / Person 1 ---\nQualité / Role: témoin / witness');
    const document = parseForm(filled);
    expect(document.head.map((field) => field.key)).toEqual(['reference', 'language']);
    expect(document.sections.map((section) => [section.name, section.number])).toEqual([['person', 1]]);
  });

  it('takes the first form and keeps a quoted earlier message as the postscript', () => {
    const answer = '=== WACAP : RETRAIT / WITHDRAWAL ===\nRéférence Comity: wacap:SN:1\n=== FIN / END ===\n';
    const document = parseForm(`${answer}\n-----Message d'origine-----\n=== WACAP : DEMANDE / REQUEST ===\nRéférence: 1\n=== FIN / END ===`);
    expect(document.kind).toBe('withdrawn');
    expect(document.postscript).toContain('DEMANDE / REQUEST');
  });

  it('says what is wrong, and where', () => {
    expect(failure('Bonjour')).toMatchObject({ code: 'MISSING_FORM' });
    expect(failure('=== WACAP : RAPPEL ===\n=== FIN / END ===')).toMatchObject({ code: 'UNKNOWN_FORM_KIND', path: 'line 1' });
    expect(failure('=== WACAP : DEMANDE ===\nRéférence: 1')).toMatchObject({ code: 'FORM_NOT_CLOSED' });
    expect(failure('=== WACAP : DEMANDE ===\n--- Chapitre 1 ---\n=== FIN / END ===')).toMatchObject({ code: 'UNKNOWN_SECTION', path: 'line 2' });
    expect(failure('=== WACAP : RETRAIT ===\n--- Personne 1 ---\n=== FIN / END ===')).toMatchObject({ code: 'UNEXPECTED_SECTION' });
    expect(failure('=== WACAP : DEMANDE ===\n--- Personne 2 / Person 3 ---\n=== FIN / END ===')).toMatchObject({ code: 'INVALID_FORM' });
    expect(failure('=== WACAP : DEMANDE ===\n--- Personne 1 ---\nNom: A\n--- Personne 1 ---\nNom: B\n=== FIN / END ===')).toMatchObject({ code: 'DUPLICATE_SECTION' });
    expect(failure('=== WACAP : DEMANDE ===\nbonjour\n=== FIN / END ===')).toMatchObject({ code: 'UNEXPECTED_TEXT', path: 'line 2' });
    expect(failure('=== WACAP : DEMANDE ===\nDeadline / Délai limite: demain\n=== FIN / END ===')).toMatchObject({ code: 'UNKNOWN_FIELD' });
    expect(failure('=== WACAP : RETRAIT ===\nÉtat requis / Requested State: SN\n=== FIN / END ===')).toMatchObject({ code: 'UNEXPECTED_FIELD' });
    expect(failure('=== WACAP : DEMANDE ===\n=== WACAP : RETRAIT ===\n=== FIN / END ===')).toMatchObject({ code: 'INVALID_FORM' });
  });

  it('reads code list values in any of their spellings', () => {
    const source = (value: string) => ({ value, line: 1, label: 'Urgence' });
    expect(readCode(source('Immédiate'), labels.URGENCIES, 'x')).toBe('immediate');
    expect(readCode(source('urgent'), labels.URGENCIES, 'x')).toBe('urgent');
    expect(readCode(source('imediata'), labels.URGENCIES, 'x')).toBe('immediate');
    expect(readCode(source('normale / normal'), labels.URGENCIES, 'x')).toBe('normal');
    expect(() => readCode(source('très urgent'), labels.URGENCIES, 'x')).toThrow(DecodeError);
  });
});
