/**
 * WACAP offence labels ⇄ ICCS codes. Pure data and a lookup; no I/O.
 *
 * A WACAP request names an offence the way the requesting State's law does, in the language of
 * the request: French in the francophone States (codes in the French tradition, and the UEMOA
 * uniform laws), English in the common-law States (Nigeria, Ghana, Sierra Leone, Liberia, The
 * Gambia), Portuguese in Guinea-Bissau and Cabo Verde (codes in the Portuguese tradition). The
 * codec keeps that label as it is (`Offence.native_label`) and adds the ICCS code found here as
 * the neutral pivot. Only labels whose meaning does not depend on the State are listed; a label
 * that is not here keeps its native label with an empty ICCS code — the codec never guesses —
 * unless the sender wrote `Code ICCS / ICCS code` itself.
 *
 * Left out on purpose:
 * - "cybercriminalité" / "cybercrime": an umbrella term (Senegal's loi n° 2008-11, Côte
 *   d'Ivoire's loi n° 2013-451 and Nigeria's Cybercrimes Act 2015 each cover attacks on
 *   computer systems, computer fraud and content offences). ICCS treats "cyber-related" as a tag
 *   on other codes, not a category, so only the specific offences are mapped (0903, 09031).
 * - "manslaughter", "culpable homicide": voluntary or involuntary depending on the code
 *   (0101 or 0103).
 * - "contrefaçon": counterfeit money (0702) or counterfeit goods (0503).
 * - "abus de confiance", "attentat à la pudeur": their scope differs from the nearest ICCS
 *   category (embezzlement by officials; sexual assault).
 *
 * Each row quotes the ICCS label from core/reference/iccs.ts and says why the labels belong there.
 * Matching ignores case, accents, apostrophe style and repeated spaces, and is done in the
 * language of the request only (`Langue / Language`).
 */
import { normalizeLabel } from './labels.js';

export type OffenceLanguage = 'fr' | 'en' | 'pt';

export interface OffenceMapping {
  /** ICCS v1.0 code (core/reference/iccs.ts). */
  readonly iccs: string;
  readonly fr: readonly string[];
  readonly en: readonly string[];
  readonly pt: readonly string[];
}

export const OFFENCE_TABLE: readonly OffenceMapping[] = [
  // ---- 01 Acts leading to death or intending to cause death ----
  // 0101 "Intentional homicide": meurtre and assassinat (premeditated murder) in the French
  // tradition; homicídio (qualificado: aggravated) in the Portuguese one.
  { iccs: '0101', fr: ['meurtre', 'assassinat', 'homicide volontaire'], en: ['murder', 'intentional homicide'], pt: ['homicídio', 'homicídio qualificado'] },
  // 0103 "Non-intentional homicide".
  {
    iccs: '0103',
    fr: ['homicide involontaire'],
    en: ['involuntary manslaughter', 'negligent homicide'],
    pt: ['homicídio por negligência'],
  },

  // ---- 02 Acts causing harm or intending to cause harm to the person ----
  // 02011 "Assault".
  { iccs: '02011', fr: ['coups et blessures volontaires'], en: ['assault', 'assault occasioning actual bodily harm'], pt: ['ofensa à integridade física'] },
  // 0202 "Acts against liberty": enlèvement, kidnapping and sequestro cover both taking away and
  // holding, with or without a ransom, depending on the code, so they stay at level 2.
  { iccs: '0202', fr: ['enlèvement'], en: ['kidnapping', 'abduction'], pt: ['sequestro', 'rapto'] },
  // 02022 "Deprivation of liberty": séquestration is holding a person without right.
  { iccs: '02022', fr: ['séquestration', 'séquestration de personne'], en: ['false imprisonment', 'unlawful detention'], pt: [] },
  // 020221 "Kidnapping" in ICCS's sense: detention to obtain a gain.
  { iccs: '020221', fr: ['enlèvement contre rançon', 'prise d\'otage contre rançon'], en: ['kidnapping for ransom'], pt: ['rapto para obtenção de resgate'] },
  // 0204 "Trafficking in persons": traite des personnes (the ECOWAS States' laws against
  // trafficking, e.g. Senegal's loi n° 2005-06), including child trafficking.
  {
    iccs: '0204',
    fr: ['traite des personnes', 'traite des êtres humains', 'traite d\'enfants', 'traite des enfants'],
    en: ['trafficking in persons', 'human trafficking', 'child trafficking'],
    pt: ['tráfico de pessoas', 'tráfico de seres humanos', 'tráfico de menores'],
  },
  // 02041 / 02042: trafficking by its purpose.
  {
    iccs: '02041',
    fr: ["traite des personnes à des fins d'exploitation sexuelle"],
    en: ['trafficking in persons for sexual exploitation'],
    pt: ['tráfico de pessoas para fins de exploração sexual'],
  },
  {
    iccs: '02042',
    fr: ['traite des personnes à des fins de travail forcé'],
    en: ['trafficking in persons for forced labour'],
    pt: ['tráfico de pessoas para fins de trabalho forçado'],
  },
  // 0205 "Coercion", the parent of 02051 "Extortion or blackmail"; kept at level 2 as the EAW
  // list does (core/reference/eaw-list.ts, item 21) and as the IberRed table does.
  { iccs: '0205', fr: ['extorsion', 'extorsion de fonds', 'chantage'], en: ['extortion', 'blackmail'], pt: ['extorsão'] },

  // ---- 03 Injurious acts of a sexual nature ----
  // 03011 "Rape".
  { iccs: '03011', fr: ['viol'], en: ['rape'], pt: ['violação'] },
  // 03012 "Sexual assault": non-consensual sexual acts other than rape.
  { iccs: '03012', fr: ['agression sexuelle'], en: ['sexual assault', 'indecent assault'], pt: ['coação sexual'] },
  // 030221 "Child pornography".
  {
    iccs: '030221',
    fr: ['pédopornographie', 'pornographie infantile', 'pornographie mettant en scène des mineurs'],
    en: ['child pornography', 'child sexual abuse material'],
    pt: ['pornografia de menores', 'pornografia infantil'],
  },

  // ---- 04 / 05 Acts against property ----
  // 0401 "Robbery": vol avec violence, vol à main armée (armed robbery).
  { iccs: '0401', fr: ['vol avec violence', 'vol à main armée'], en: ['robbery', 'armed robbery'], pt: ['roubo'] },
  // 0501 "Burglary": vol avec effraction is theft by breaking in.
  { iccs: '0501', fr: ['vol avec effraction', 'cambriolage'], en: ['burglary'], pt: [] },
  // 0502 "Theft".
  { iccs: '0502', fr: ['vol'], en: ['theft', 'stealing'], pt: ['furto'] },

  // ---- 06 Controlled drugs ----
  // 0601 "Unlawful acts involving controlled drugs or precursors".
  {
    iccs: '0601',
    fr: ['trafic de stupéfiants', 'trafic illicite de stupéfiants', 'trafic de drogue', 'trafic de drogues', 'trafic illicite de drogues'],
    en: ['drug trafficking', 'illicit drug trafficking', 'trafficking in narcotic drugs', 'trafficking in narcotic drugs and psychotropic substances'],
    pt: ['tráfico de estupefacientes', 'tráfico ilícito de estupefacientes', 'tráfico de droga', 'tráfico de drogas'],
  },

  // ---- 07 Fraud, deception or corruption ----
  // 0701 "Fraud": escroquerie (obtaining by deceit); obtaining by false pretences and advance
  // fee fraud in the common-law States (Nigeria's Advance Fee Fraud and Other Fraud Related
  // Offences Act 2006); burla in the Portuguese tradition.
  {
    iccs: '0701',
    fr: ['escroquerie', 'fraude'],
    en: ['fraud', 'obtaining by false pretences', 'obtaining property by false pretences', 'advance fee fraud'],
    pt: ['burla', 'burla qualificada', 'fraude'],
  },
  // 0702 "Forgery/counterfeiting": documents and currency.
  {
    iccs: '0702',
    fr: ['faux et usage de faux', 'faux en écriture', 'faux monnayage', 'fausse monnaie'],
    en: ['forgery', 'uttering forged documents', 'counterfeiting of currency'],
    pt: ['falsificação de documento', 'falsificação de documentos', 'contrafação de moeda'],
  },
  // 0703 "Corruption": the generic label (in the French tradition "corruption" is itself the
  // bribery offence, but the label alone does not say which side; the level-2 code is safe).
  { iccs: '0703', fr: ['corruption'], en: ['corruption'], pt: ['corrupção'] },
  // 07031 "Bribery".
  { iccs: '07031', fr: ['corruption active', 'corruption passive'], en: ['bribery', 'bribery of public officials'], pt: ['corrupção ativa', 'corrupção passiva'] },
  // 07032 "Embezzlement": by public officials.
  {
    iccs: '07032',
    fr: ['détournement de deniers publics', 'détournement de fonds publics'],
    en: ['embezzlement of public funds', 'misappropriation of public funds'],
    pt: ['peculato'],
  },
  // 07034 "Trading in influence".
  { iccs: '07034', fr: ["trafic d'influence"], en: ['trading in influence'], pt: ['tráfico de influência'] },
  // 07035 "Illicit enrichment" (Senegal's loi n° 81-53, the CREI; UNCAC art. 20).
  { iccs: '07035', fr: ['enrichissement illicite'], en: ['illicit enrichment'], pt: ['enriquecimento ilícito'] },
  // 0704 "Acts involving the proceeds of crime": money laundering under the UEMOA uniform law
  // (blanchiment de capitaux; branqueamento de capitais in Guinea-Bissau), Nigeria's Money
  // Laundering (Prevention and Prohibition) Act 2022, Ghana's Anti-Money Laundering Act 2020.
  // Level 2 as the EAW list (item 9) and the IberRed table; 07041 is the finer code.
  {
    iccs: '0704',
    fr: ['blanchiment de capitaux', "blanchiment d'argent", 'blanchiment'],
    en: ['money laundering', 'laundering of proceeds of crime'],
    pt: ['branqueamento de capitais', 'branqueamento', 'lavagem de dinheiro'],
  },

  // ---- 08 Public order ----
  // 08051 "Smuggling of migrants offences".
  { iccs: '08051', fr: ['trafic illicite de migrants'], en: ['smuggling of migrants', 'migrant smuggling'], pt: ['auxílio à imigração ilegal'] },

  // ---- 09 Public safety and state security ----
  // 0903 "Acts against computer systems" (the specific offences of the cybercrime laws).
  {
    iccs: '0903',
    fr: ['atteinte aux systèmes informatiques', 'atteintes aux systèmes informatiques'],
    en: ['offences against computer systems'],
    pt: ['crimes contra sistemas informáticos'],
  },
  // 09031 "Unlawful access to a computer system".
  {
    iccs: '09031',
    fr: ['accès frauduleux à un système informatique'],
    en: ['unlawful access to a computer system', 'unauthorised access to a computer system'],
    pt: ['acesso ilegítimo'],
  },
  // 09051 "Participation in an organized criminal group": association de malfaiteurs.
  { iccs: '09051', fr: ['association de malfaiteurs'], en: ['participation in an organised criminal group'], pt: ['associação criminosa'] },
  // 0906 terrorism (code-only in our table; the EAW list maps "terrorism", item 2, to it).
  { iccs: '0906', fr: ['terrorisme', 'actes de terrorisme'], en: ['terrorism', 'acts of terrorism'], pt: ['terrorismo'] },
  // 09062 "Financing of terrorism".
  { iccs: '09062', fr: ['financement du terrorisme'], en: ['financing of terrorism', 'terrorist financing'], pt: ['financiamento do terrorismo'] },
  // 09012 "Trafficking of weapons and explosives".
  { iccs: '09012', fr: ["trafic d'armes"], en: ['arms trafficking', 'illicit trafficking in firearms'], pt: ['tráfico de armas'] },

  // ---- 10 Natural environment ----
  // 1003 "Trade or possession of protected or prohibited species of fauna and flora".
  { iccs: '1003', fr: ["trafic d'espèces protégées"], en: ['wildlife trafficking', 'illegal wildlife trade'], pt: ['tráfico de espécies protegidas'] },

  // ---- 11 Other ----
  // 11011 "Torture".
  { iccs: '11011', fr: ['torture'], en: ['torture'], pt: ['tortura'] },
];

const byLanguage: Record<OffenceLanguage, Map<string, string>> = { fr: new Map(), en: new Map(), pt: new Map() };
for (const row of OFFENCE_TABLE) {
  for (const language of ['fr', 'en', 'pt'] as const) {
    for (const label of row[language]) byLanguage[language].set(normalizeLabel(label), row.iccs);
  }
}

/** The table's language for a BCP 47 tag (`fr-SN` → `fr`), or undefined. */
export function offenceLanguage(tag: string): OffenceLanguage | undefined {
  const primary = tag.toLowerCase().split('-')[0];
  return primary === 'fr' || primary === 'en' || primary === 'pt' ? primary : undefined;
}

/** The ICCS code of a native offence label in the request's language, or undefined. */
export function iccsForLabel(label: string, language: string): string | undefined {
  const table = offenceLanguage(language);
  return table ? byLanguage[table].get(normalizeLabel(label)) : undefined;
}
