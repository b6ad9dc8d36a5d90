/**
 * EJN's side, simulated: the e-CODEX connector of EU judicial authorities. It submits mutual
 * legal assistance requests as e-CODEX backend XML (Comity's rendering, adapters/ejn-ecodex/
 * README.md) in the requesting authority's language, and answers the requests Comity delivers
 * to it: an acknowledgement (Annex B style), then execution, partial execution, a request for
 * more information or a refusal with grounds, each from an authority of the requested State.
 *
 * Pure: these functions build and read native messages; ./service.ts sends and schedules them.
 */
import { isoDay, isoSeconds, pick, serial, xmlEscape, type Random } from './common.js';

export const EJN_CONTENT_TYPE = 'application/xml';

/** An EU authority, as the connector's messages name it. */
interface EuAuthority {
  readonly id: string;
  readonly kind: 'prosecution' | 'judicial' | 'central-authority' | 'ministry';
  readonly state: string;
  readonly name: string;
  readonly language: string;
  readonly city: string;
  readonly party: string;
}

const AUTHORITIES: readonly EuAuthority[] = [
  { id: 'de/sta-frankfurt-am-main', kind: 'prosecution', state: 'DE', name: 'Staatsanwaltschaft Frankfurt am Main', language: 'de', city: 'Frankfurt am Main', party: 'DE-JUSTIZ' },
  { id: 'fr/parquet-national-financier', kind: 'prosecution', state: 'FR', name: 'Parquet national financier', language: 'fr', city: 'Paris', party: 'FR-JUSTICE' },
  { id: 'it/procura-milano', kind: 'prosecution', state: 'IT', name: 'Procura della Repubblica presso il Tribunale di Milano', language: 'it', city: 'Milano', party: 'IT-GIUSTIZIA' },
  { id: 'nl/irc-amsterdam', kind: 'prosecution', state: 'NL', name: 'Openbaar Ministerie, Internationaal Rechtshulpcentrum Amsterdam', language: 'nl', city: 'Amsterdam', party: 'NL-OM' },
  { id: 'be/parquet-federal', kind: 'prosecution', state: 'BE', name: 'Parquet fédéral / Federaal Parket', language: 'fr', city: 'Bruxelles', party: 'BE-JUSTICE' },
  { id: 'pl/prokuratura-krajowa', kind: 'prosecution', state: 'PL', name: 'Prokuratura Krajowa, Biuro Współpracy Międzynarodowej', language: 'pl', city: 'Warszawa', party: 'PL-PK' },
];

/**
 * A request case: where it goes, in which language it is written, and its text. The texts are
 * written as the requesting authority would, in the requested State's language or a language
 * it accepts (here, as in practice, Spanish for Latin America, French for West Africa).
 */
interface RequestCase {
  readonly from: string;
  readonly requestedState: string;
  readonly requestedAuthority: { id: string; kind: string; name: string };
  readonly language: string;
  readonly legalBasis: { instrument: string; article: string; text: string };
  readonly proceedings: string;
  readonly purpose: string;
  readonly facts: string;
  readonly offence: { scheme: string; code: string; label: string; provisions: string; language: string };
  readonly person: { familyName: string; givenNames: string; nationality: string; born: string };
  readonly measure: { kind: string; description: string };
}

const CASES: readonly RequestCase[] = [
  {
    from: 'DE',
    requestedState: 'CO',
    requestedAuthority: { id: 'co/fiscalia-general-dai', kind: 'central-authority', name: 'Fiscalía General de la Nación, Dirección de Asuntos Internacionales' },
    language: 'es',
    legalBasis: { instrument: 'UNTOC', article: '18', text: 'Convención de las Naciones Unidas contra la Delincuencia Organizada Transnacional, a falta de tratado bilateral.' },
    proceedings: 'Procedimiento de investigación penal de la Fiscalía de Fráncfort del Meno contra una red de importación de cocaína a través del puerto de Hamburgo.',
    purpose: 'Obtener pruebas sobre el origen de los envíos y los pagos hacia Colombia.',
    facts: 'Entre marzo y noviembre de 2025 se importaron en Hamburgo, ocultos en contenedores de fruta procedentes de Cartagena de Indias, varios cargamentos de cocaína pagados mediante transferencias a cuentas en Bogotá.',
    offence: { scheme: 'de-btmg', code: '30a', label: 'Bandenmäßige Einfuhr von Betäubungsmitteln in nicht geringer Menge', provisions: '§ 30a Abs. 1 BtMG', language: 'de' },
    person: { familyName: 'Restrepo Gaviria', givenNames: 'Hernán Darío', nationality: 'CO', born: '1975-02' },
    measure: { kind: 'bank-information', description: 'Extractos de las cuentas del investigado en entidades colombianas del 01/01/2025 al 31/12/2025.' },
  },
  {
    from: 'IT',
    requestedState: 'AR',
    requestedAuthority: { id: 'ar/cancilleria-dajin', kind: 'central-authority', name: 'Ministerio de Relaciones Exteriores, Dirección de Asistencia Jurídica Internacional' },
    language: 'es',
    legalBasis: { instrument: 'UNTOC', article: '18', text: 'Convención de las Naciones Unidas contra la Delincuencia Organizada Transnacional.' },
    proceedings: 'Procedimiento penal n.º 18233/2025 R.G.N.R. de la Fiscalía de Milán por blanqueo de capitales.',
    purpose: 'Identificar a los beneficiarios finales de las sociedades argentinas que recibieron los fondos.',
    facts: 'Entre 2023 y 2025 una sociedad milanesa transfirió 2,3 millones de euros a dos sociedades con sede en Buenos Aires sin contraprestación comercial documentada.',
    offence: { scheme: 'it-cp', code: '648-bis', label: 'Riciclaggio', provisions: 'art. 648-bis c.p.', language: 'it' },
    person: { familyName: 'Bellandi', givenNames: 'Marco', nationality: 'IT', born: '1968-09' },
    measure: { kind: 'documents-and-records', description: 'Copia certificada de los estatutos y del registro de accionistas de las sociedades destinatarias ante la Inspección General de Justicia.' },
  },
  {
    from: 'NL',
    requestedState: 'MX',
    requestedAuthority: { id: 'mx/fgr-dgpi', kind: 'central-authority', name: 'Fiscalía General de la República, Dirección General de Procedimientos Internacionales' },
    language: 'es',
    legalBasis: { instrument: 'UNTOC', article: '18', text: 'Convención de las Naciones Unidas contra la Delincuencia Organizada Transnacional.' },
    proceedings: 'Investigación penal del Ministerio Público de los Países Bajos (Fiscalía de Róterdam) sobre tráfico de precursores químicos.',
    purpose: 'Obtener la declaración del representante de la empresa exportadora y la documentación aduanera.',
    facts: 'En 2025 se interceptaron en el puerto de Róterdam tres envíos de precursores declarados como productos de limpieza, exportados desde Manzanillo por una sociedad mexicana.',
    offence: { scheme: 'nl-opiumwet', code: '10a', label: 'Voorbereidingshandelingen drugshandel', provisions: 'art. 10a Opiumwet', language: 'nl' },
    person: { familyName: 'Vermeulen', givenNames: 'Joost', nationality: 'NL', born: '1981-04' },
    measure: { kind: 'taking-evidence', description: 'Declaración testimonial del representante legal de la sociedad exportadora sobre los compradores en Europa.' },
  },
  {
    from: 'FR',
    requestedState: 'SN',
    requestedAuthority: { id: 'sn/dacg', kind: 'central-authority', name: 'Ministère de la Justice, Direction des Affaires criminelles et des Grâces' },
    language: 'fr',
    legalBasis: { instrument: 'UNTOC', article: '18', text: "Convention des Nations Unies contre la criminalité transnationale organisée ; accord franco-sénégalais d'entraide judiciaire." },
    proceedings: "Information judiciaire ouverte au tribunal judiciaire de Paris des chefs d'escroquerie en bande organisée et de blanchiment.",
    purpose: 'Établir le circuit des fonds virés vers Dakar et entendre le gérant de la société bénéficiaire.',
    facts: 'En 2025, plus de deux cents épargnants français ont versé 3,4 millions d’euros à une prétendue plateforme de placement dont les fonds ont été virés vers des comptes ouverts à Dakar.',
    offence: { scheme: 'fr-cp', code: '313-2', label: 'Escroquerie en bande organisée', provisions: 'article 313-2 du code pénal', language: 'fr' },
    person: { familyName: 'Diop', givenNames: 'Mamadou', nationality: 'SN', born: '1984-06' },
    measure: { kind: 'bank-information', description: 'Relevés des comptes de la société bénéficiaire ouverts dans des banques de Dakar, du 1er janvier 2025 à ce jour.' },
  },
  {
    from: 'BE',
    requestedState: 'BR',
    requestedAuthority: { id: 'br/drci', kind: 'central-authority', name: 'Departamento de Recuperação de Ativos e Cooperação Jurídica Internacional' },
    language: 'pt',
    legalBasis: { instrument: 'UNTOC', article: '18', text: 'Convenção das Nações Unidas contra a Criminalidade Organizada Transnacional.' },
    proceedings: 'Instrução do Ministério Público federal belga por tráfico de seres humanos.',
    purpose: 'Ouvir testemunhas e obter registos de transferências para o Brasil.',
    facts: 'Em 2025, uma rede recrutou no Brasil trabalhadores para obras em Antuérpia, retendo os seus passaportes e salários.',
    offence: { scheme: 'be-sw', code: '433quinquies', label: 'Traite des êtres humains', provisions: 'art. 433quinquies Code pénal', language: 'fr' },
    person: { familyName: 'Peeters', givenNames: 'Luc', nationality: 'BE', born: '1972-11' },
    measure: { kind: 'taking-evidence', description: 'Inquirição de duas testemunhas residentes em Goiânia sobre as condições de recrutamento.' },
  },
  {
    from: 'PL',
    requestedState: 'CL',
    requestedAuthority: { id: 'cl/fiscalia-uciex', kind: 'central-authority', name: 'Fiscalía Nacional, Unidad de Cooperación Internacional y Extradiciones' },
    language: 'es',
    legalBasis: { instrument: 'UNCAC', article: '46', text: 'Convención de las Naciones Unidas contra la Corrupción.' },
    proceedings: 'Investigación de la Fiscalía Nacional de Polonia por corrupción en una licitación pública de equipamiento minero.',
    purpose: 'Obtener documentación contractual y bancaria de la filial chilena.',
    facts: 'Durante 2024 un directivo de una empresa polaca habría pagado sobornos a través de la filial chilena para obtener contratos públicos.',
    offence: { scheme: 'pl-kk', code: '229', label: 'Przekupstwo', provisions: 'art. 229 Kodeksu karnego', language: 'pl' },
    person: { familyName: 'Kowalski', givenNames: 'Tomasz', nationality: 'PL', born: '1970-03' },
    measure: { kind: 'documents-and-records', description: 'Copia de los contratos y de los pagos de la filial chilena a intermediarios durante 2024.' },
  },
];

/** States the simulated EJN sends requests to; a unit test checks each routes to a running network. */
export const EJN_REQUESTED_STATES: readonly string[] = [...new Set(CASES.map((request) => request.requestedState))];

function authorityXml(tag: string, authority: EuAuthority): string {
  return `<${tag} id="${authority.id}" kind="${authority.kind}" state="${authority.state}"><name>${xmlEscape(authority.name)}</name><language>${authority.language}</language></${tag}>`;
}

/** A new mutual legal assistance request from an EU authority, as the connector POSTs it. */
export function ejnRequest(random: Random, now = new Date()): { body: string; reference: string; requestedState: string } {
  const request = pick(random, CASES);
  const from = AUTHORITIES.find((authority) => authority.state === request.from)!;
  const reference = `${from.state}-RH-${now.getUTCFullYear()}-${serial(random)}`;
  const deadline = new Date(now.getTime() + 60 * 86_400_000);
  const body = `<?xml version="1.0" encoding="UTF-8"?>
<message xmlns="urn:comity:ecodex:backend:1">
  <details>
    <backendMessageId>${reference}</backendMessageId>
    <ebmsMessageId>${reference.toLowerCase()}@gw.ecodex.${from.state.toLowerCase()}.example</ebmsMessageId>
    <conversationId>${reference}</conversationId>
    <originalSender>${from.id}</originalSender>
    <service>MLA</service>
    <action>SubmitMLARequest</action>
    <fromParty>${from.party}</fromParty>
    <toParty>EJN-COMITY</toParty>
  </details>
  <content>
    <businessContent>
      <MutualLegalAssistanceRequest xmlns="urn:comity:ecodex:business:1" xml:lang="${request.language}" reference="${reference}" issuedAt="${isoSeconds(now)}"
          requestedState="${request.requestedState}" speciality="true">
        ${authorityXml('requestingAuthority', from)}
        <requestedAuthority id="${request.requestedAuthority.id}" kind="${request.requestedAuthority.kind}" state="${request.requestedState}">
          <name>${xmlEscape(request.requestedAuthority.name)}</name>
        </requestedAuthority>
        <legalBasis instrument="${request.legalBasis.instrument}" article="${request.legalBasis.article}">${xmlEscape(request.legalBasis.text)}</legalBasis>
        <urgency level="${random() < 0.3 ? 'urgent' : 'normal'}" deadline="${isoDay(deadline)}T00:00:00Z"/>
        <proceedings>${xmlEscape(request.proceedings)}</proceedings>
        <purpose>${xmlEscape(request.purpose)}</purpose>
        <facts>${xmlEscape(request.facts)}</facts>
        <offence ref="o1" scheme="${request.offence.scheme}" code="${request.offence.code}" language="${request.offence.language}">
          <label>${xmlEscape(request.offence.label)}</label>
          <statutoryProvisions>${xmlEscape(request.offence.provisions)}</statutoryProvisions>
        </offence>
        <person ref="p1" kind="natural" role="suspect" dateOfBirth="${request.person.born}">
          <familyName>${xmlEscape(request.person.familyName)}</familyName>
          <givenNames>${xmlEscape(request.person.givenNames)}</givenNames>
          <nationality>${request.person.nationality}</nationality>
        </person>
        <measure ref="m1" kind="${request.measure.kind}">
          <description>${xmlEscape(request.measure.description)}</description>
          <personRef>p1</personRef>
        </measure>
        <signatory>${xmlEscape(from.name)}</signatory>
      </MutualLegalAssistanceRequest>
    </businessContent>
  </content>
</message>
`;
  return { body, reference, requestedState: request.requestedState };
}

/** What a delivered connector message is, as far as the simulated authorities care. */
export interface EjnDelivered {
  readonly kind: 'request' | 'answer' | 'confirmation';
  readonly requestType: string;
  /** For a request: the EU State asked. */
  readonly requestedState?: string;
  /** The business document's element name, or the confirmation type. */
  readonly document: string;
}

const REQUEST_ROOTS: Readonly<Record<string, string>> = {
  MutualLegalAssistanceRequest: 'mutual-legal-assistance',
  EuropeanInvestigationOrder: 'european-investigation-order',
  EuropeanArrestWarrant: 'european-arrest-warrant',
};

export function readEjnDelivery(xml: string): EjnDelivered | undefined {
  const confirmation = /<confirmation\s+type="([A-Z_]+)"/.exec(xml);
  if (confirmation) return { kind: 'confirmation', requestType: '', document: confirmation[1]! };
  const root = /<businessContent>\s*<([A-Za-z]+)[\s>]/.exec(xml)?.[1];
  if (!root) return undefined;
  const requestType = REQUEST_ROOTS[root];
  if (requestType) {
    const state = /requestedState="([A-Z]{2})"/.exec(xml)?.[1] ?? /<executingState>([A-Z]{2})</.exec(xml)?.[1] ?? /<executingState[^>]*>([A-Z]{2})</.exec(xml)?.[1];
    return { kind: 'request', requestType, requestedState: state, document: root };
  }
  return { kind: 'answer', requestType: /requestType="([a-z-]+)"/.exec(xml)?.[1] ?? '', document: root };
}

export type LegalAnswer = 'acknowledged' | 'executed' | 'partially-executed' | 'refused' | 'more-information';

/** The answering authority: one of the State asked, else its central authority. */
function answeringAuthority(state: string | undefined): EuAuthority {
  return (
    AUTHORITIES.find((authority) => authority.state === state) ?? {
      id: `${(state ?? 'eu').toLowerCase()}/central-authority`,
      kind: 'central-authority',
      state: state ?? 'BE',
      name: `Central authority (${state ?? 'EU'})`,
      language: 'en',
      city: '',
      party: `${state ?? 'EU'}-JUSTICE`,
    }
  );
}

const ANSWER_TEXT: Readonly<Record<string, Readonly<Record<Exclude<LegalAnswer, 'refused'> | 'ground', string>>>> = {
  de: {
    acknowledged: 'Das Ersuchen ist eingegangen und wurde der zuständigen Staatsanwaltschaft zur Erledigung zugeleitet.',
    executed: 'Das Ersuchen wurde erledigt; die Kontounterlagen und das Vernehmungsprotokoll sind beigefügt.',
    'partially-executed': 'Die Bankunterlagen wurden beigezogen; die Zeugin konnte nicht ermittelt werden.',
    'more-information': 'Bitte teilen Sie die vollständigen Kontonummern und den genauen Zeitraum mit.',
    ground: 'Die beschriebene Handlung ist nach deutschem Recht nicht strafbar.',
  },
  fr: {
    acknowledged: 'La demande a été reçue et transmise au parquet compétent pour exécution.',
    executed: 'La demande a été exécutée ; les relevés bancaires et le procès-verbal d’audition sont joints.',
    'partially-executed': 'Les relevés ont été obtenus ; le témoin n’a pas pu être localisé.',
    'more-information': 'Merci de préciser les numéros de compte et la période visée.',
    ground: 'Les faits décrits ne constituent pas une infraction en droit français.',
  },
  it: {
    acknowledged: 'La richiesta è stata ricevuta e trasmessa alla Procura competente per l’esecuzione.',
    executed: 'La richiesta è stata eseguita; si allegano gli estratti conto e il verbale di audizione.',
    'partially-executed': 'Gli estratti conto sono stati acquisiti; il testimone non è stato rintracciato.',
    'more-information': 'Si prega di indicare i numeri di conto completi e il periodo di interesse.',
    ground: 'Il fatto descritto non costituisce reato secondo la legge italiana.',
  },
  nl: {
    acknowledged: 'Het verzoek is ontvangen en doorgezonden aan het bevoegde parket.',
    executed: 'Het verzoek is uitgevoerd; de bankafschriften en het verhoor zijn bijgevoegd.',
    'partially-executed': 'De bankgegevens zijn verkregen; de getuige kon niet worden gevonden.',
    'more-information': 'Graag ontvangen wij de volledige rekeningnummers en de periode.',
    ground: 'Het beschreven feit is naar Nederlands recht niet strafbaar.',
  },
  pl: {
    acknowledged: 'Wniosek wpłynął i został przekazany właściwej prokuraturze do wykonania.',
    executed: 'Wniosek został wykonany; wyciągi bankowe i protokół przesłuchania w załączeniu.',
    'partially-executed': 'Uzyskano wyciągi bankowe; świadka nie odnaleziono.',
    'more-information': 'Prosimy o podanie pełnych numerów rachunków i okresu.',
    ground: 'Opisany czyn nie jest przestępstwem w prawie polskim.',
  },
  en: {
    acknowledged: 'The request has been received and passed to the competent prosecutor for execution.',
    executed: 'The request has been executed; the bank statements and the record of the hearing are attached.',
    'partially-executed': 'The bank statements were obtained; the witness could not be traced.',
    'more-information': 'Please give the full account numbers and the period concerned.',
    ground: 'The conduct described is not an offence under our law.',
  },
};

/**
 * The EU authority's answer to a request Comity delivered: `refToMessageId` is the delivered
 * event's id and `conversationId` the request id, as the connector's side correlates them.
 */
export function ejnAnswer(
  answer: LegalAnswer,
  context: { readonly eventId: string; readonly requestId: string; readonly requestType: string; readonly requestedState?: string },
  random: Random,
  now = new Date(),
): string {
  const authority = answeringAuthority(context.requestedState);
  const language = authority.language in ANSWER_TEXT ? authority.language : 'en';
  const text = ANSWER_TEXT[language]!;
  const requestType = context.requestType || 'mutual-legal-assistance';
  const reference = `${authority.state}-${serial(random)}`;
  const head = `xmlns="urn:comity:ecodex:business:1" xml:lang="${language}" requestType="${requestType}"`;
  const who = (tag: string) => authorityXml(tag, authority);
  const document = {
    acknowledged: `<Acknowledgement ${head} receivedAt="${isoSeconds(now)}" executingReference="${reference}">${who('competentAuthority')}<note>${xmlEscape(text.acknowledged)}</note></Acknowledgement>`,
    executed: `<ExecutionNotice ${head} completedAt="${isoSeconds(now)}"><result>${xmlEscape(text.executed)}</result>${who('executingAuthority')}</ExecutionNotice>`,
    'partially-executed': `<PartialExecutionNotice ${head} completedAt="${isoSeconds(now)}"><result>${xmlEscape(text['partially-executed'])}</result>${who('executingAuthority')}</PartialExecutionNotice>`,
    refused: `<Refusal ${head} decidedAt="${isoSeconds(now)}" reference="${reference}"><ground code="dual-criminality"><explanation>${xmlEscape(text.ground)}</explanation></ground>${who('decidingAuthority')}</Refusal>`,
    'more-information': `<AdditionalInformationRequest ${head} deadline="${isoDay(new Date(now.getTime() + 30 * 86_400_000))}T00:00:00Z"><question id="1">${xmlEscape(text['more-information'])}</question>${who('askedBy')}</AdditionalInformationRequest>`,
  }[answer];
  return `<?xml version="1.0" encoding="UTF-8"?>
<message xmlns="urn:comity:ecodex:backend:1">
  <details>
    <backendMessageId>${reference}</backendMessageId>
    <refToMessageId>${xmlEscape(context.eventId)}</refToMessageId>
    <conversationId>${xmlEscape(context.requestId)}</conversationId>
    <fromParty>${authority.party}</fromParty>
    <toParty>EJN-COMITY</toParty>
  </details>
  <content>
    <businessContent>
      ${document}
    </businessContent>
  </content>
</message>
`;
}
