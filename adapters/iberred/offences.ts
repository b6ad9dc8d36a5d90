/**
 * IberRed offence labels ⇄ ICCS codes. Pure data and a lookup; no I/O.
 *
 * An IberRed form names an offence the way the requesting State's criminal code does
 * ("estafa", "estelionato", "lavado de activos", "branqueamento de capitais"). The codec keeps
 * that label and code as they are (`Offence.native_label`, `native_code`) and adds the ICCS
 * code found here as the neutral pivot. Only labels whose meaning is settled across the
 * Ibero-American codes are listed: a label that is not here keeps its native label and code
 * with an empty ICCS code — the codec never guesses.
 *
 * Each row quotes the ICCS label from core/reference/iccs.ts (with its certainty: `V1` quoted
 * from ICCS v1.0, `V2` third-party, `D` derived, `code-only`) and says why the native labels
 * belong to it. Statutory references are given where they explain a label's scope; they are
 * examples, not an exhaustive list of the codes that use the label.
 *
 * Matching ignores case, accents (á = a, ç = c, ñ = n) and repeated spaces, and is done in the
 * language of the form only: the same word can mean different things in Spanish and
 * Portuguese ("estupro" is rape in Brazil's code, but a different, narrower offence in the
 * Spanish-language codes that still use the word, so it is listed for Portuguese only).
 */
import type { FormLanguage } from './form.js';

export interface OffenceMapping {
  /** ICCS v1.0 code (core/reference/iccs.ts). */
  readonly iccs: string;
  /** Labels as Spanish-language codes and forms write them. */
  readonly es: readonly string[];
  /** Labels as Portuguese-language codes and forms write them (Brazil and Portugal). */
  readonly pt: readonly string[];
}

/**
 * A label whose meaning differs in one State's code: it wins over {@link OFFENCE_TABLE} when the
 * requesting authority belongs to that State.
 */
export interface StateOffenceMapping {
  readonly state: string;
  readonly language: FormLanguage;
  readonly label: string;
  readonly iccs: string;
}

export const OFFENCE_TABLE: readonly OffenceMapping[] = [
  // ---- 01 Acts leading to death or intending to cause death ----
  // 0101 "Intentional homicide" (V1). The aggravated forms (asesinato in Spain's code,
  // homicidio calificado/agravado, homicídio qualificado) and femicide (feminicidio/femicidio,
  // feminicídio: the intentional killing of a woman for reasons of gender) are intentional
  // killings with aggravating circumstances, so they share the code.
  {
    iccs: '0101',
    es: ['homicidio', 'homicidio doloso', 'homicidio calificado', 'homicidio agravado', 'asesinato', 'feminicidio', 'femicidio'],
    pt: ['homicídio', 'homicídio doloso', 'homicídio qualificado', 'feminicídio'],
  },
  // 0102 "Attempted intentional homicide" (V1).
  { iccs: '0102', es: ['tentativa de homicidio', 'homicidio en grado de tentativa', 'homicidio frustrado'], pt: ['tentativa de homicídio', 'homicídio tentado'] },
  // 0103 "Non-intentional homicide" (V2): death caused by negligence — culposo in most
  // Ibero-American codes, imprudente in Spain's, por negligência in Portugal's.
  { iccs: '0103', es: ['homicidio culposo', 'homicidio imprudente', 'homicidio por imprudencia'], pt: ['homicídio culposo', 'homicídio por negligência'] },

  // ---- 02 Acts causing harm or intending to cause harm to the person ----
  // 02011 "Assault" (V1): intentional bodily injury — lesiones (es), lesão corporal (BR CP
  // art. 129), ofensa à integridade física (PT CP arts. 143–144).
  {
    iccs: '02011',
    es: ['lesiones', 'lesiones personales', 'lesiones graves'],
    pt: ['lesão corporal', 'lesão corporal grave', 'ofensa à integridade física', 'ofensa à integridade física grave'],
  },
  // 02012 "Threat" (V2).
  { iccs: '02012', es: ['amenazas', 'amenaza'], pt: ['ameaça'] },
  // 0202 "Acts against liberty" (V1). Plain "secuestro"/"sequestro" covers both kidnapping for a
  // gain and mere deprivation of liberty depending on the code (Brazil's "sequestro e cárcere
  // privado", CP art. 148, is deprivation of liberty), so it stays at level 2.
  { iccs: '0202', es: ['secuestro'], pt: ['sequestro'] },
  // 02022 "Deprivation of liberty" (V1).
  {
    iccs: '02022',
    es: ['detención ilegal', 'privación ilegal de la libertad', 'privación ilegítima de la libertad'],
    pt: ['cárcere privado', 'sequestro e cárcere privado'],
  },
  // 020221 "Kidnapping" (V1): ICCS's kidnapping is detention to obtain a gain (a ransom),
  // which is what secuestro extorsivo (e.g. AR CP art. 170, CO CP art. 169) and extorsão
  // mediante sequestro (BR CP art. 159) are.
  { iccs: '020221', es: ['secuestro extorsivo', 'secuestro con fines de rescate'], pt: ['extorsão mediante sequestro'] },
  // 02021 "Abduction of a minor" (V1): taking a minor from those who have custody.
  { iccs: '02021', es: ['sustracción de menores', 'sustracción de menor'], pt: ['subtração de incapazes', 'subtração de menor'] },
  // 0204 "Trafficking in persons" (V1): trata de personas / de seres humanos (es); tráfico de
  // pessoas (BR CP art. 149-A) and tráfico de seres humanos (PT CP art. 160) — in Portuguese
  // "tráfico de pessoas" is trafficking, not migrant smuggling (which is 08051 below).
  { iccs: '0204', es: ['trata de personas', 'trata de seres humanos'], pt: ['tráfico de pessoas', 'tráfico de seres humanos'] },
  // 02041 "Trafficking in persons for sexual exploitation" (V1).
  { iccs: '02041', es: ['trata de personas con fines de explotación sexual'], pt: ['tráfico de pessoas para fins de exploração sexual'] },
  // 02042 "Trafficking in persons for forced labour or services" (V1).
  { iccs: '02042', es: ['trata de personas con fines de explotación laboral'], pt: ['tráfico de pessoas para fins de exploração laboral'] },
  // 0205 "Coercion" (V1), the level-2 parent of 02051 "Extortion or blackmail" (V2):
  // extorsión / extorsão obtain a gain by intimidation. Kept at level 2, as the EAW list does
  // for "racketeering and extortion" (core/reference/eaw-list.ts, item 21).
  { iccs: '0205', es: ['extorsión'], pt: ['extorsão'] },

  // ---- 03 Injurious acts of a sexual nature ----
  // 03011 "Rape" (V1): violación (es), acceso carnal violento (CO CP art. 205), estupro (BR CP
  // art. 213), violação (PT CP art. 164).
  { iccs: '03011', es: ['violación', 'acceso carnal violento'], pt: ['estupro', 'violação'] },
  // 03012 "Sexual assault" (V1): non-consensual sexual acts other than rape.
  { iccs: '03012', es: ['abuso sexual', 'agresión sexual', 'acto sexual violento'], pt: ['coação sexual', 'importunação sexual'] },
  // 030221 "Child pornography" (V1).
  { iccs: '030221', es: ['pornografía infantil'], pt: ['pornografia infantil', 'pornografia de menores'] },

  // ---- 04 Acts against property involving violence or threat against a person ----
  // 0401 "Robbery" (V1). "robo" alone follows the Spanish and Southern Cone usage (taking with
  // violence or intimidation, or with force); Mexico's "robo" is plain theft (see
  // STATE_OFFENCE_TABLE).
  { iccs: '0401', es: ['robo', 'robo con violencia', 'robo con violencia o intimidación', 'robo agravado'], pt: ['roubo'] },

  // ---- 05 Acts against property only ----
  // 0501 "Burglary" (V1): Spain's robo con fuerza en las cosas (CP arts. 237–241) is entry by
  // force into a place to take property.
  { iccs: '0501', es: ['robo con fuerza en las cosas'], pt: [] },
  // 0502 "Theft" (V1).
  { iccs: '0502', es: ['hurto'], pt: ['furto'] },
  // 0504 "Property damage" (V1); arson as in the EAW list (item 29 → 0504).
  { iccs: '0504', es: ['daños', 'daño', 'incendio'], pt: ['dano', 'incêndio'] },

  // ---- 06 Controlled drugs ----
  // 0601 "Unlawful acts involving controlled drugs or precursors" (V1).
  {
    iccs: '0601',
    es: ['tráfico de drogas', 'tráfico ilícito de drogas', 'tráfico de estupefacientes', 'narcotráfico', 'tráfico, fabricación o porte de estupefacientes'],
    pt: ['tráfico de drogas', 'tráfico ilícito de drogas', 'tráfico de entorpecentes', 'tráfico ilícito de entorpecentes', 'tráfico de estupefacientes', 'tráfico internacional de drogas'],
  },

  // ---- 07 Fraud, deception or corruption ----
  // 0701 "Fraud" (V1): estafa (es), defraudación (AR), estelionato (BR CP art. 171), burla (PT
  // CP art. 217; qualificada, art. 218); the EAW list's "swindling" (item 20) is the same code.
  { iccs: '0701', es: ['estafa', 'estafa agravada', 'defraudación', 'fraude'], pt: ['estelionato', 'burla', 'burla qualificada', 'fraude'] },
  // 0702 "Forgery/counterfeiting" (V1): documents and currency alike (EAW items 10, 23 → 0702).
  {
    iccs: '0702',
    es: ['falsificación', 'falsificación de documentos', 'falsedad documental', 'falsificación de moneda'],
    pt: ['falsificação', 'falsificação de documento', 'falsificação de documentos', 'moeda falsa', 'contrafação de moeda'],
  },
  // 0703 "Corruption" (V1): the generic label.
  { iccs: '0703', es: ['corrupción'], pt: ['corrupção'] },
  // 07031 "Bribery" (V1): cohecho/soborno (es); corrupção ativa/passiva (BR CP arts. 317, 333;
  // PT CP arts. 373–374) are bribery seen from each side.
  {
    iccs: '07031',
    es: ['cohecho', 'soborno', 'soborno transnacional'],
    pt: ['corrupção ativa', 'corrupção passiva', 'suborno'],
  },
  // 07032 "Embezzlement" (V1): by public officials — peculado (es), malversación (Spain),
  // peculato (pt).
  { iccs: '07032', es: ['peculado', 'malversación', 'malversación de caudales públicos'], pt: ['peculato'] },
  // 07034 "Trading in influence" (V2).
  { iccs: '07034', es: ['tráfico de influencias'], pt: ['tráfico de influência'] },
  // 07035 "Illicit enrichment" (V1).
  { iccs: '07035', es: ['enriquecimiento ilícito'], pt: ['enriquecimento ilícito'] },
  // 0704 "Acts involving the proceeds of crime" (D): money laundering under each code's name —
  // lavado de activos (CO, PE…), lavado de dinero (AR, GT…), blanqueo de capitales (ES),
  // legitimación de capitales (VE), operaciones con recursos de procedencia ilícita (MX CPF
  // art. 400 bis), lavagem de dinheiro/capitais (BR Lei 9.613/1998), branqueamento (PT CP art.
  // 368-A). Level 2 as the EAW list (item 9 → 0704); 07041 "Money laundering" (V1) is the
  // finer code if statistics need it.
  {
    iccs: '0704',
    es: [
      'lavado de activos',
      'lavado de dinero',
      'lavado de dinero u otros activos',
      'blanqueo de capitales',
      'legitimación de capitales',
      'operaciones con recursos de procedencia ilícita',
    ],
    pt: ['lavagem de dinheiro', 'lavagem de capitais', 'branqueamento', 'branqueamento de capitais'],
  },

  // ---- 08 Public order, authority and provisions of the State ----
  // 08051 "Smuggling of migrants offences" (V1): tráfico (ilícito) de migrantes (es); promoção
  // de migração ilegal (BR CP art. 232-A), auxílio à imigração ilegal (PT Lei 23/2007 art. 183).
  { iccs: '08051', es: ['tráfico de migrantes', 'tráfico ilícito de migrantes'], pt: ['promoção de migração ilegal', 'auxílio à imigração ilegal'] },

  // ---- 09 Public safety and state security ----
  // 09051 "Participation in an organized criminal group" (V1): asociación ilícita (AR, CL),
  // concierto para delinquir (CO CP art. 340), delincuencia organizada (MX), organización
  // criminal (ES); organização criminosa (BR Lei 12.850/2013), associação criminosa (BR CP art.
  // 288, PT CP art. 299).
  {
    iccs: '09051',
    es: ['asociación ilícita', 'concierto para delinquir', 'delincuencia organizada', 'organización criminal', 'pertenencia a organización criminal'],
    pt: ['organização criminosa', 'associação criminosa'],
  },
  // 0906 (code-only in our ICCS table: the section of terrorism offences; the EAW list maps
  // "terrorism", item 2, to it with high confidence).
  { iccs: '0906', es: ['terrorismo'], pt: ['terrorismo'] },
  // 09062 "Financing of terrorism" (V1).
  { iccs: '09062', es: ['financiación del terrorismo', 'financiamiento del terrorismo'], pt: ['financiamento do terrorismo'] },
  // 09012 "Trafficking of weapons and explosives" (V1).
  { iccs: '09012', es: ['tráfico de armas', 'tráfico ilícito de armas de fuego'], pt: ['tráfico de armas', 'tráfico internacional de arma de fogo'] },
  // 090111 "Unlawful possession or use of firearms" (V2).
  {
    iccs: '090111',
    es: ['tenencia ilegal de armas', 'porte ilegal de armas', 'portación ilegal de armas de fuego'],
    pt: ['porte ilegal de arma de fogo', 'posse irregular de arma de fogo'],
  },
  // 09031 "Unlawful access to a computer system" (V1): acceso abusivo a un sistema informático
  // (CO CP art. 269A), acceso ilegítimo (AR CP art. 153 bis), invasão de dispositivo
  // informático (BR CP art. 154-A), acesso ilegítimo (PT Lei 109/2009 art. 6). Generic labels
  // such as "delito informático" are left out: they also cover computer fraud (0701).
  {
    iccs: '09031',
    es: ['acceso abusivo a un sistema informático', 'acceso ilícito a sistemas informáticos', 'acceso ilegítimo a un sistema informático'],
    pt: ['invasão de dispositivo informático', 'acesso ilegítimo'],
  },

  // ---- 10 Natural environment ----
  // 1003 "Trade or possession of protected or prohibited species of fauna and flora" (V1).
  { iccs: '1003', es: ['tráfico de especies silvestres', 'tráfico de fauna silvestre'], pt: ['tráfico de animais silvestres'] },

  // ---- 11 Other criminal acts ----
  // 11011 "Torture" (V2).
  { iccs: '11011', es: ['tortura'], pt: ['tortura'] },
];

export const STATE_OFFENCE_TABLE: readonly StateOffenceMapping[] = [
  // Mexico's Código Penal Federal (art. 367) defines "robo" as taking another's movable
  // property without right or consent — theft, 0502 "Theft" (V1); violence is an aggravation
  // (art. 372), so "robo con violencia" keeps 0401 through OFFENCE_TABLE.
  { state: 'MX', language: 'es', label: 'robo', iccs: '0502' },
];

/** Lower case, without accents or repeated spaces: the form in which labels are compared. */
export function normalizeLabel(label: string): string {
  return label
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

const byLanguage: Record<FormLanguage, Map<string, string>> = { es: new Map(), pt: new Map() };
for (const row of OFFENCE_TABLE) {
  for (const language of ['es', 'pt'] as const) {
    for (const label of row[language]) byLanguage[language].set(normalizeLabel(label), row.iccs);
  }
}
const byState = new Map(STATE_OFFENCE_TABLE.map((row) => [`${row.state}/${row.language}/${normalizeLabel(row.label)}`, row.iccs]));

/**
 * The ICCS code of a native offence label in the form's language, or undefined when the label
 * is not in the table. `state` is the requesting authority's State (ISO 3166-1 alpha-2), for
 * labels whose meaning differs in one State's code.
 */
export function iccsForLabel(label: string, language: FormLanguage, state?: string): string | undefined {
  const normalized = normalizeLabel(label);
  return (state ? byState.get(`${state}/${language}/${normalized}`) : undefined) ?? byLanguage[language].get(normalized);
}
