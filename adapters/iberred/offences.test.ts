import { describe, expect, it } from 'vitest';
import { iccsEntry } from '../../core/reference/iccs.js';
import { OFFENCE_TABLE, STATE_OFFENCE_TABLE, iccsForLabel, normalizeLabel } from './offences.js';

describe('adapters/iberred/offences', () => {
  it('uses only ICCS codes of the reference table', () => {
    for (const row of [...OFFENCE_TABLE, ...STATE_OFFENCE_TABLE]) expect(iccsEntry(row.iccs), row.iccs).toBeDefined();
  });

  it('has at least 25 labels per language, none listed twice', () => {
    for (const language of ['es', 'pt'] as const) {
      const labels = OFFENCE_TABLE.flatMap((row) => row[language].map(normalizeLabel));
      expect(labels.length).toBeGreaterThanOrEqual(25);
      expect(new Set(labels).size, `a ${language} label is listed twice`).toBe(labels.length);
    }
  });

  it('matches whatever the case and accents', () => {
    expect(iccsForLabel('estafa', 'es')).toBe('0701');
    expect(iccsForLabel('ESTAFA', 'es')).toBe('0701');
    expect(iccsForLabel('Estelionato', 'pt')).toBe('0701');
    expect(iccsForLabel('Homicídio', 'pt')).toBe('0101');
    expect(iccsForLabel('HOMICIDIO', 'es')).toBe('0101');
    expect(iccsForLabel('trafico de drogas', 'es')).toBe('0601');
    expect(iccsForLabel('Tráfico  de   Entorpecentes', 'pt')).toBe('0601');
    expect(iccsForLabel('lavado de activos', 'es')).toBe('0704');
    expect(iccsForLabel('LAVAGEM DE DINHEIRO', 'pt')).toBe('0704');
    expect(iccsForLabel('trata de personas', 'es')).toBe('0204');
    expect(iccsForLabel('tráfico de pessoas', 'pt')).toBe('0204');
    expect(iccsForLabel('Secuestro', 'es')).toBe('0202');
    expect(iccsForLabel('sequestro', 'pt')).toBe('0202');
    expect(iccsForLabel('corrupcion', 'es')).toBe('0703');
    expect(iccsForLabel('CORRUPCAO', 'pt')).toBe('0703');
    expect(iccsForLabel('Falsificación', 'es')).toBe('0702');
    expect(iccsForLabel('falsificacao', 'pt')).toBe('0702');
    expect(iccsForLabel('extorsion', 'es')).toBe('0205');
    expect(iccsForLabel('extorsão', 'pt')).toBe('0205');
    expect(iccsForLabel('robo', 'es')).toBe('0401');
    expect(iccsForLabel('roubo', 'pt')).toBe('0401');
    expect(iccsForLabel('hurto', 'es')).toBe('0502');
    expect(iccsForLabel('furto', 'pt')).toBe('0502');
  });

  it('reads a label in the form language only', () => {
    // "estupro" is rape in Brazil's code, not in the Spanish-language codes.
    expect(iccsForLabel('estupro', 'pt')).toBe('03011');
    expect(iccsForLabel('estupro', 'es')).toBeUndefined();
    expect(iccsForLabel('estelionato', 'es')).toBeUndefined();
  });

  it("applies a State's own meaning of a label", () => {
    expect(iccsForLabel('robo', 'es', 'MX')).toBe('0502');
    expect(iccsForLabel('robo con violencia', 'es', 'MX')).toBe('0401');
    expect(iccsForLabel('robo', 'es', 'AR')).toBe('0401');
  });

  it('does not guess', () => {
    expect(iccsForLabel('abuso de confiança', 'pt')).toBeUndefined();
    expect(iccsForLabel('delito informático', 'es')).toBeUndefined();
    expect(iccsForLabel('estafas', 'es')).toBeUndefined();
  });
});
