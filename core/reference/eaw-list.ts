// Converted from the project's sourced reference data (eaw-list-offences.csv); see docs/reference-data.md.
/**
 * The 32 offence categories of Art. 2(2) of Council Framework Decision 2002/584/JHA (the
 * European Arrest Warrant), which Directive 2014/41/EU repeats in Annex D for the European
 * Investigation Order, in article order, each with a suggested ICCS code.
 *
 * Wording of items 1–19 checked against the article's text; 20–32 from related texts (check
 * against EUR-Lex before relying on the exact words). The ICCS suggestions are judgements,
 * with a confidence.
 */
export interface ListOffence {
  /** Position in Art. 2(2), 1–32. */
  readonly n: number;
  readonly label: string;
  readonly iccs: string;
  readonly confidence: 'high' | 'medium' | 'low';
}

export const EAW_LIST_OFFENCES: readonly ListOffence[] = [
  { n: 1, label: "participation in a criminal organisation", iccs: "0905", confidence: "high" },
  { n: 2, label: "terrorism", iccs: "0906", confidence: "high" },
  { n: 3, label: "trafficking in human beings", iccs: "0204", confidence: "high" },
  { n: 4, label: "sexual exploitation of children and child pornography", iccs: "0302", confidence: "high" },
  { n: 5, label: "illicit trafficking in narcotic drugs and psychotropic substances", iccs: "0601", confidence: "high" },
  { n: 6, label: "illicit trafficking in weapons, munitions and explosives", iccs: "0901", confidence: "high" },
  { n: 7, label: "corruption", iccs: "0703", confidence: "high" },
  { n: 8, label: "fraud, including that affecting the financial interests of the European Communities within the meaning of the Convention of 26 July 1995 on the protection of the European Communities' financial interests", iccs: "0701", confidence: "high" },
  { n: 9, label: "laundering of the proceeds of crime", iccs: "0704", confidence: "high" },
  { n: 10, label: "counterfeiting currency, including of the euro", iccs: "0702", confidence: "high" },
  { n: 11, label: "computer-related crime", iccs: "0903", confidence: "medium" },
  { n: 12, label: "environmental crime, including illicit trafficking in endangered animal species and in endangered plant species and varieties", iccs: "10", confidence: "high" },
  { n: 13, label: "facilitation of unauthorised entry and residence", iccs: "0805", confidence: "high" },
  { n: 14, label: "murder, grievous bodily injury", iccs: "0101", confidence: "medium" },
  { n: 15, label: "illicit trade in human organs and tissue", iccs: "0204", confidence: "low" },
  { n: 16, label: "kidnapping, illegal restraint and hostage-taking", iccs: "0202", confidence: "high" },
  { n: 17, label: "racism and xenophobia", iccs: "0803", confidence: "low" },
  { n: 18, label: "organised or armed robbery", iccs: "0401", confidence: "high" },
  { n: 19, label: "illicit trafficking in cultural goods, including antiques and works of art", iccs: "0704", confidence: "medium" },
  { n: 20, label: "swindling", iccs: "0701", confidence: "high" },
  { n: 21, label: "racketeering and extortion", iccs: "0205", confidence: "medium" },
  { n: 22, label: "counterfeiting and piracy of products", iccs: "0702", confidence: "medium" },
  { n: 23, label: "forgery of administrative documents and trafficking therein", iccs: "0702", confidence: "high" },
  { n: 24, label: "forgery of means of payment", iccs: "0702", confidence: "high" },
  { n: 25, label: "illicit trafficking in hormonal substances and other growth promoters", iccs: "0602", confidence: "low" },
  { n: 26, label: "illicit trafficking in nuclear or radioactive materials", iccs: "0901", confidence: "medium" },
  { n: 27, label: "trafficking in stolen vehicles", iccs: "0704", confidence: "medium" },
  { n: 28, label: "rape", iccs: "0301", confidence: "high" },
  { n: 29, label: "arson", iccs: "0504", confidence: "high" },
  { n: 30, label: "crimes within the jurisdiction of the International Criminal Court", iccs: "1101", confidence: "medium" },
  { n: 31, label: "unlawful seizure of aircraft/ships", iccs: "0202", confidence: "low" },
  { n: 32, label: "sabotage", iccs: "0504", confidence: "medium" },
];

/** The list offence at position `n` (1–32) of Art. 2(2), or undefined. */
export function listOffence(n: number): ListOffence | undefined {
  return EAW_LIST_OFFENCES[n - 1];
}
