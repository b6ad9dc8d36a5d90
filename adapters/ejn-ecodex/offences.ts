/**
 * Offence categories of the EU mutual-recognition forms ⇄ ICCS, the neutral pivot. Pure.
 *
 * Sources:
 * - The 32 categories are those of Art. 2(2) of Council Framework Decision 2002/584/JHA of
 *   13 June 2002 on the European arrest warrant (OJ L 190, 18.7.2002, p. 1; CELEX 32002F0584),
 *   ticked in box (e) of the EAW form annexed to it. Directive 2014/41/EU of 3 April 2014 on the
 *   European Investigation Order (OJ L 130, 1.5.2014, p. 1; CELEX 32014L0041) repeats the same
 *   list as its Annex D (categories referred to in Art. 11(1)(g)), ticked in section G of
 *   Annex A. The numbering here is the order of Art. 2(2), 1–32, as in
 *   core/reference/eaw-list.ts, which carries the labels.
 * - ICCS: UNODC, International Classification of Crime for Statistical Purposes, Version 1.0
 *   (March 2015); codes and their certainty in core/reference/iccs.ts and
 *   docs/reference-data.md.
 * - Category → ICCS is the suggestion of core/reference/eaw-list.ts (a judgement, with a
 *   confidence; the low-confidence ones are 15 → 0204, 17 → 0803, 25 → 0602 and 31 → 0202).
 *   This adapter takes it as it is, so the whole federation classifies list offences alike.
 *
 * The category is a legal declaration of the issuing authority (double criminality is then not
 * verified); the ICCS code is only a pivot for statistics and for partners of other legal
 * traditions. So the codec derives ICCS from a ticked category, and never a category from ICCS.
 */
import { EAW_LIST_OFFENCES, listOffence, type ListOffence } from '../../core/reference/eaw-list.js';
import { isIccsCode } from '../../core/reference/iccs.js';

/** Number of categories in Art. 2(2) FD 2002/584/JHA (and Annex D of Directive 2014/41/EU). */
export const LIST_CATEGORY_COUNT = 32;

/** The category at position `n` (1–32), or undefined. */
export function listCategory(n: number): ListOffence | undefined {
  return Number.isInteger(n) && n >= 1 && n <= LIST_CATEGORY_COUNT ? listOffence(n) : undefined;
}

/** The ICCS code suggested for list category `n`, or '' for a number outside 1–32. */
export function iccsForListCategory(n: number): string {
  const iccs = listCategory(n)?.iccs ?? '';
  return isIccsCode(iccs) ? iccs : '';
}

/**
 * The list categories whose suggested ICCS code is `iccs` (several may share one: 8 fraud and
 * 20 swindling are both 0701). For display and checks only, never to tick a category.
 */
export function listCategoriesForIccs(iccs: string): number[] {
  return EAW_LIST_OFFENCES.filter((offence) => offence.iccs === iccs).map((offence) => offence.n);
}
