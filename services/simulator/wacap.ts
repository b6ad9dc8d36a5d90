/**
 * WACAP's side, simulated: focal points of West African central authorities who write e-mails
 * holding the bilingual French/English WACAP form (adapters/wacap/FORMAT.md). They send
 * requests, and answer the requests Comity e-mails them (through the relay this simulator
 * runs) with an acknowledgement of receipt, then execution or refusal, in their own language.
 *
 * Pure: these functions write and read form texts; ./service.ts mails and schedules them.
 */
import { isoDay, pick, serial, type Random } from './common.js';

export interface FocalPoint {
  readonly email: string;
  readonly state: string;
  readonly name: string;
  readonly language: 'fr' | 'en';
}

/** The simulated focal points; `comity up` lists them in the adapter's `focalPoints`. */
export const WACAP_FOCAL_POINTS: readonly FocalPoint[] = [
  { email: 'entraide.penale@justice.gouv.sn.example', state: 'SN', name: 'Direction des Affaires criminelles et des Grâces (Sénégal)', language: 'fr' },
  { email: 'dacp.entraide@justice.gouv.ci.example', state: 'CI', name: 'Direction des Affaires civiles et pénales (Côte d’Ivoire)', language: 'fr' },
  { email: 'mla.unit@mojagd.gov.gh.example', state: 'GH', name: "Office of the Attorney-General, MLA Unit (Ghana)", language: 'en' },
  { email: 'cau@justice.gov.ng.example', state: 'NG', name: 'Federal Ministry of Justice, Central Authority Unit (Nigeria)', language: 'en' },
];

interface RequestCase {
  readonly from: string;
  readonly to: readonly string[];
  readonly facts: string;
  readonly offence: string;
  readonly measure: { kind: string; description: string };
}

const CASES: readonly RequestCase[] = [
  {
    from: 'SN',
    to: ['FR', 'CI', 'DE'],
    facts: "Entre 2024 et 2025, une société de placement fictive a collecté auprès d'épargnants de Dakar environ 400 millions de francs CFA, virés ensuite sur des comptes à l'étranger.",
    offence: 'escroquerie',
    measure: { kind: 'informations bancaires / bank information', description: 'Communication des relevés des comptes bénéficiaires des virements, de 2024 à ce jour.' },
  },
  {
    from: 'CI',
    to: ['SN', 'ES', 'IT'],
    facts: "Un réseau a acheminé depuis Abidjan des fonds provenant du trafic de stupéfiants vers des sociétés écrans ; plusieurs virements ont transité par des banques étrangères.",
    offence: 'blanchiment de capitaux',
    measure: { kind: 'informations bancaires / bank information', description: "Identification des titulaires et relevés des comptes ayant reçu les virements en 2025." },
  },
  {
    from: 'GH',
    to: ['NG', 'NL', 'DE'],
    facts: 'Between 2024 and 2025 a criminal group shipped cocoa containers from Tema in which cocaine was concealed; proceeds were paid into foreign company accounts.',
    offence: 'drug trafficking',
    measure: { kind: 'informations bancaires / bank information', description: 'Statements of the accounts that received the payments, January 2024 to date.' },
  },
];

/** States the simulated WACAP asks; a unit test checks each routes to a running network. */
export const WACAP_REQUESTED_STATES: readonly string[] = [...new Set(CASES.flatMap((request) => request.to))];

export interface MailDraft {
  readonly from: string;
  readonly subject: string;
  readonly text: string;
  readonly inReplyTo?: string;
}

/** A new request e-mail from a focal point. */
export function wacapRequest(random: Random, now = new Date()): MailDraft & { reference: string; requestedState: string } {
  const request = pick(random, CASES);
  const focal = WACAP_FOCAL_POINTS.find((point) => point.state === request.from)!;
  const state = pick(random, request.to);
  const reference = `${request.from}/EJ/${now.getUTCFullYear()}/${serial(random)}`;
  const fr = focal.language === 'fr';
  const text = [
    fr ? "J'ai l'honneur de vous transmettre la demande d'entraide judiciaire ci-dessous." : 'Please find below a request for mutual legal assistance.',
    '',
    '=== WACAP : DEMANDE / REQUEST ===',
    `Référence / Reference: ${reference}`,
    'Type de demande / Request type: entraide judiciaire / mutual legal assistance',
    `Langue / Language: ${focal.language}`,
    `Date: ${isoDay(now)}`,
    `État requis / Requested State: ${state}`,
    'Urgence / Urgency: normale / normal',
    '',
    '--- Autorité requérante / Requesting authority ---',
    `Nom / Name: ${focal.name}`,
    `Pays / Country: ${focal.state}`,
    'Type d\'autorité / Kind of authority: autorité centrale / central authority',
    `Courriel / E-mail: ${focal.email}`,
    '',
    '--- Exposé des faits / Summary of facts ---',
    request.facts,
    '',
    '--- Infraction 1 / Offence 1 ---',
    `Qualification / Offence: ${request.offence}`,
    `États concernés / States concerned: ${focal.state}, ${state}`,
    '',
    '--- Mesure demandée 1 / Measure requested 1 ---',
    `Type de mesure / Kind of measure: ${request.measure.kind}`,
    `Description / Description: ${request.measure.description}`,
    '=== FIN / END ===',
    '',
    focal.name,
    '',
  ].join('\n');
  const subject = fr ? `Demande d'entraide judiciaire – ${reference}` : `Request for mutual legal assistance - ${reference}`;
  return { from: focal.email, subject, text, reference, requestedState: state };
}

/** What a form e-mailed by Comity is: its kind and, for a request, the State asked. */
export function readWacapForm(text: string): { kind: 'request' | 'other'; requestedState?: string } {
  const title = /===\s*WACAP\s*:?\s*([^=]+?)\s*===/.exec(text)?.[1] ?? '';
  if (/DEMANDE \/ REQUEST|^REQUEST$/.test(title)) {
    return { kind: 'request', requestedState: /(?:État requis \/ Requested State|Requested State):\s*([A-Z]{2})/.exec(text)?.[1] };
  }
  return { kind: 'other' };
}

export type WacapAnswer = 'acknowledged' | 'executed' | 'refused';

/** A focal point's answer to a request Comity e-mailed to it. */
export function wacapAnswer(
  answer: WacapAnswer,
  context: { readonly requestId: string; readonly focalPoint: FocalPoint; readonly messageId?: string },
  random: Random,
  now = new Date(),
): MailDraft {
  const focal = context.focalPoint;
  const fr = focal.language === 'fr';
  const heading = {
    acknowledged: '=== WACAP : ACCUSÉ DE RÉCEPTION / ACKNOWLEDGEMENT OF RECEIPT ===',
    executed: '=== WACAP : EXÉCUTION / EXECUTION ===',
    refused: '=== WACAP : REFUS / REFUSAL ===',
  }[answer];
  const lines = [
    heading,
    `Référence Comity / Comity reference: ${context.requestId}`,
    `Référence / Reference: ${focal.state}/EJ/${serial(random)}`,
    `Langue / Language: ${focal.language}`,
    `Date: ${isoDay(now)}`,
  ];
  if (answer === 'acknowledged') {
    lines.push(`Note / Note: ${fr ? "La demande a été transmise au parquet compétent pour exécution." : 'The request has been passed to the competent prosecutor for execution.'}`);
  }
  lines.push('', '--- Autorité / Authority ---', `Nom / Name: ${focal.name}`, `Pays / Country: ${focal.state}`, 'Type d\'autorité / Kind of authority: autorité centrale / central authority');
  if (answer === 'executed') {
    lines.push('', '--- Résultat / Result ---', fr ? 'Les relevés bancaires demandés ont été obtenus et sont transmis par la voie diplomatique.' : 'The bank statements requested were obtained and are sent through the diplomatic channel.');
  }
  if (answer === 'refused') {
    lines.push(
      '',
      '--- Motif de refus 1 / Ground for refusal 1 ---',
      'Motif / Ground: informations insuffisantes / insufficient information',
      `Explication / Explanation: ${fr ? "La demande n'identifie pas les comptes visés." : 'The request does not identify the accounts concerned.'}`,
    );
  }
  lines.push('=== FIN / END ===', '');
  const title = { acknowledged: fr ? 'Accusé de réception' : 'Acknowledgement of receipt', executed: fr ? 'Exécution' : 'Execution', refused: fr ? 'Refus' : 'Refusal' }[answer];
  return { from: focal.email, subject: `${title} – ${context.requestId}`, text: lines.join('\n'), inReplyTo: context.messageId };
}
