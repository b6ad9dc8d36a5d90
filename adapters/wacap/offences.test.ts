import { describe, expect, it } from 'vitest';
import { iccsEntry } from '../../core/reference/iccs.js';
import { normalizeLabel } from './labels.js';
import { OFFENCE_TABLE, iccsForLabel, offenceLanguage } from './offences.js';

describe('adapters/wacap/offences', () => {
  it('uses only ICCS codes of the reference table', () => {
    for (const row of OFFENCE_TABLE) expect(iccsEntry(row.iccs), row.iccs).toBeDefined();
  });

  it('lists no label twice in a language', () => {
    for (const language of ['fr', 'en', 'pt'] as const) {
      const labels = OFFENCE_TABLE.flatMap((row) => row[language].map(normalizeLabel));
      expect(labels.length).toBeGreaterThanOrEqual(30);
      expect(new Set(labels).size, `a ${language} label is listed twice`).toBe(labels.length);
    }
  });

  it('maps the labels WACAP requests use most, in French, English and Portuguese', () => {
    expect(iccsForLabel('Escroquerie', 'fr')).toBe('0701');
    expect(iccsForLabel('fraud', 'en')).toBe('0701');
    expect(iccsForLabel('obtaining property by false pretences', 'en')).toBe('0701');
    expect(iccsForLabel('burla qualificada', 'pt')).toBe('0701');
    expect(iccsForLabel('BLANCHIMENT DE CAPITAUX', 'fr-SN')).toBe('0704');
    expect(iccsForLabel('money laundering', 'en-NG')).toBe('0704');
    expect(iccsForLabel('branqueamento de capitais', 'pt-GW')).toBe('0704');
    expect(iccsForLabel('trafic de stupefiants', 'fr')).toBe('0601');
    expect(iccsForLabel('drug trafficking', 'en')).toBe('0601');
    expect(iccsForLabel('Tráfico de estupefacientes', 'pt')).toBe('0601');
    expect(iccsForLabel('traite des personnes', 'fr')).toBe('0204');
    expect(iccsForLabel('trafficking in persons', 'en')).toBe('0204');
    expect(iccsForLabel('corruption', 'fr')).toBe('0703');
    expect(iccsForLabel("trafic d’influence", 'fr')).toBe('07034');
    expect(iccsForLabel('accès frauduleux à un système informatique', 'fr')).toBe('09031');
  });

  it('never guesses: umbrella labels, unknown labels and other languages get no code', () => {
    expect(iccsForLabel('cybercriminalité', 'fr')).toBeUndefined();
    expect(iccsForLabel('cybercrime', 'en')).toBeUndefined();
    expect(iccsForLabel('manslaughter', 'en')).toBeUndefined();
    expect(iccsForLabel('contrefaçon', 'fr')).toBeUndefined();
    expect(iccsForLabel('escroquerie', 'en')).toBeUndefined();
    expect(iccsForLabel('Betrug', 'de')).toBeUndefined();
    expect(offenceLanguage('ar')).toBeUndefined();
  });
});
