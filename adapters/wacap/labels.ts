/**
 * The words of the WACAP mail form: the titles of the kinds of message, the section names, the
 * field labels and the code lists, each in French, English and Portuguese. Pure data.
 *
 * Comity writes every label bilingually, French then English (`Autorité requérante / Requesting
 * authority`), the way the template is distributed. It reads a label in French alone, English
 * alone, Portuguese alone, or any of them joined by ` / `, ignoring case, accents, apostrophe
 * style and spacing (see {@link normalizeLabel}), so a Lusophone focal point may write the form
 * in Portuguese and anyone may delete the language they do not use. FORMAT.md shows the same
 * tables for people.
 */

/** One label in the three languages; `pt` is accepted when reading, never written. */
export interface Label {
  readonly fr: string;
  readonly en: string;
  readonly pt: string;
}

const L = (fr: string, en: string, pt: string): Label => ({ fr, en, pt });

/** The kinds of form, by the title of their start line (`=== WACAP : DEMANDE / REQUEST ===`). */
export const KINDS = {
  request: L('DEMANDE', 'REQUEST', 'PEDIDO'),
  acknowledgement: L('ACCUSÉ DE RÉCEPTION', 'ACKNOWLEDGEMENT OF RECEIPT', 'AVISO DE RECEÇÃO'),
  informationRequested: L("DEMANDE DE COMPLÉMENT D'INFORMATION", 'REQUEST FOR ADDITIONAL INFORMATION', 'PEDIDO DE INFORMAÇÃO COMPLEMENTAR'),
  informationProvided: L("COMPLÉMENT D'INFORMATION", 'ADDITIONAL INFORMATION', 'INFORMAÇÃO COMPLEMENTAR'),
  recognised: L('ACCEPTATION', 'ACCEPTANCE', 'ACEITAÇÃO'),
  postponed: L("REPORT DE L'EXÉCUTION", 'POSTPONEMENT', 'ADIAMENTO'),
  executed: L('EXÉCUTION', 'EXECUTION', 'EXECUÇÃO'),
  partiallyExecuted: L('EXÉCUTION PARTIELLE', 'PARTIAL EXECUTION', 'EXECUÇÃO PARCIAL'),
  refused: L('REFUS', 'REFUSAL', 'RECUSA'),
  withdrawn: L('RETRAIT', 'WITHDRAWAL', 'RETIRADA'),
  notDelivered: L('AVIS DE NON-REMISE', 'NON-DELIVERY NOTICE', 'AVISO DE NÃO ENTREGA'),
} as const satisfies Record<string, Label>;

export type FormKind = keyof typeof KINDS;

/** The closing line: `=== FIN / END ===`. */
export const END_TITLE = L('FIN', 'END', 'FIM');

/** The network's name on the start line. */
export const FORM_MARK = 'WACAP';

/** Fields of the part before the first section (the form's head), whatever the kind. */
export const HEAD_FIELDS = {
  reference: L('Référence', 'Reference', 'Referência'),
  comityReference: L('Référence Comity', 'Comity reference', 'Referência Comity'),
  requestType: L('Type de demande', 'Request type', 'Tipo de pedido'),
  language: L('Langue', 'Language', 'Língua'),
  date: L('Date', 'Date', 'Data'),
  requestedState: L('État requis', 'Requested State', 'Estado requerido'),
  legalInstrument: L('Base juridique', 'Legal basis', 'Base jurídica'),
  legalArticle: L('Article', 'Article', 'Artigo'),
  legalNote: L('Précision sur la base juridique', 'Legal basis note', 'Nota sobre a base jurídica'),
  urgency: L('Urgence', 'Urgency', 'Urgência'),
  urgencyReason: L("Motif de l'urgence", 'Reason for urgency', 'Motivo da urgência'),
  deadline: L('Délai', 'Deadline', 'Prazo'),
  confidential: L('Confidentialité requise', 'Confidentiality required', 'Confidencialidade requerida'),
  signatory: L('Signataire', 'Signatory', 'Signatário'),
  relatedRequests: L('Demandes liées', 'Related requests', 'Pedidos relacionados'),
  note: L('Note', 'Note', 'Nota'),
  reason: L('Motif', 'Reason', 'Motivo'),
  conditions: L('Conditions', 'Conditions', 'Condições'),
  personConsented: L('Consentement de la personne', 'Person consented', 'Consentimento da pessoa'),
  expectedExecution: L('Exécution prévue le', 'Expected execution', 'Execução prevista'),
  grounds: L('Motifs du report', 'Grounds for postponement', 'Fundamentos do adiamento'),
  legalProvision: L('Disposition légale', 'Legal provision', 'Disposição legal'),
  until: L("Jusqu'au", 'Until', 'Até'),
  untilCondition: L('Condition de reprise', 'Condition for resuming', 'Condição para retomar'),
  executedMeasures: L('Mesures exécutées', 'Measures executed', 'Diligências executadas'),
  alternative: L('Alternative proposée', 'Alternative offered', 'Alternativa proposta'),
  network: L('Réseau', 'Network', 'Rede'),
  cause: L('Cause', 'Cause', 'Causa'),
  detail: L('Détail', 'Detail', 'Detalhe'),
  willRetry: L('Nouvelle tentative prévue', 'Will be retried', 'Nova tentativa prevista'),
  attempts: L('Tentatives', 'Attempts', 'Tentativas'),
  nextAttempt: L('Prochaine tentative', 'Next attempt', 'Próxima tentativa'),
  remarks: L('Observations', 'Remarks', 'Observações'),
} as const satisfies Record<string, Label>;

export type HeadField = keyof typeof HEAD_FIELDS;

const AUTHORITY_FIELDS = {
  name: L('Nom', 'Name', 'Nome'),
  state: L('Pays', 'Country', 'País'),
  kind: L("Type d'autorité", 'Kind of authority', 'Tipo de autoridade'),
  id: L('Identifiant Comity', 'Comity identifier', 'Identificador Comity'),
  contactPerson: L('Personne à contacter', 'Contact person', 'Pessoa de contacto'),
  email: L('Courriel', 'E-mail', 'Correio eletrónico'),
  phone: L('Téléphone', 'Telephone', 'Telefone'),
  address: L('Adresse', 'Address', 'Endereço'),
  city: L('Ville', 'City', 'Cidade'),
  region: L('Région', 'Region', 'Região'),
  postalCode: L('Code postal', 'Postal code', 'Código postal'),
  languages: L('Langues de travail', 'Working languages', 'Línguas de trabalho'),
} as const satisfies Record<string, Label>;

/** The sections a form may have: their names, whether they repeat, and their fields (or free text). */
export const SECTIONS = {
  requestingAuthority: { label: L('Autorité requérante', 'Requesting authority', 'Autoridade requerente'), repeated: false, fields: AUTHORITY_FIELDS },
  requestedAuthority: { label: L('Autorité requise', 'Requested authority', 'Autoridade requerida'), repeated: false, fields: AUTHORITY_FIELDS },
  authority: { label: L('Autorité', 'Authority', 'Autoridade'), repeated: false, fields: AUTHORITY_FIELDS },
  facts: { label: L('Exposé des faits', 'Summary of facts', 'Exposição dos factos'), repeated: false, fields: 'text' },
  result: { label: L('Résultat', 'Result', 'Resultado'), repeated: false, fields: 'text' },
  offence: {
    label: L('Infraction', 'Offence', 'Infração'),
    repeated: true,
    fields: {
      label: L('Qualification', 'Offence', 'Qualificação'),
      code: L('Article ou code', 'Article or code', 'Artigo ou código'),
      scheme: L('Référentiel', 'Code scheme', 'Referencial'),
      provisions: L('Texte applicable', 'Legal provisions', 'Disposições legais'),
      iccs: L('Code ICCS', 'ICCS code', 'Código ICCS'),
      maxPenaltyMonths: L('Peine maximale (mois)', 'Maximum penalty (months)', 'Pena máxima (meses)'),
      life: L('Réclusion à perpétuité', 'Life imprisonment', 'Prisão perpétua'),
      description: L('Description', 'Description', 'Descrição'),
      from: L('Date des faits (début)', 'Date of the acts (from)', 'Data dos factos (início)'),
      until: L('Date des faits (fin)', 'Date of the acts (until)', 'Data dos factos (fim)'),
      place: L('Lieu', 'Place', 'Local'),
      states: L('États concernés', 'States concerned', 'Estados envolvidos'),
      language: L('Langue de la qualification', 'Language of the offence label', 'Língua da qualificação'),
    },
  },
  person: {
    label: L('Personne', 'Person', 'Pessoa'),
    repeated: true,
    fields: {
      role: L('Qualité', 'Role', 'Qualidade'),
      kind: L('Type de personne', 'Kind of person', 'Tipo de pessoa'),
      familyName: L('Nom', 'Family name', 'Apelido'),
      givenNames: L('Prénoms', 'Given names', 'Nomes próprios'),
      legalName: L('Dénomination', 'Company name', 'Denominação'),
      aliases: L('Alias', 'Aliases', 'Alcunhas'),
      originalScript: L("Nom en écriture d'origine", 'Name in original script', 'Nome na escrita original'),
      birthDate: L('Date de naissance', 'Date of birth', 'Data de nascimento'),
      birthPlace: L('Lieu de naissance', 'Place of birth', 'Local de nascimento'),
      sex: L('Sexe', 'Sex', 'Sexo'),
      nationalities: L('Nationalité', 'Nationality', 'Nacionalidade'),
      languages: L('Langues parlées', 'Languages spoken', 'Línguas faladas'),
      documents: L("Pièces d'identité", 'Identity documents', 'Documentos de identificação'),
      addresses: L('Adresses', 'Addresses', 'Endereços'),
      description: L('Signalement', 'Description', 'Descrição'),
      registration: L('Immatriculation', 'Registration number', 'Número de registo'),
      inCustody: L('Détenu', 'In custody', 'Detido'),
    },
  },
  measure: {
    label: L('Mesure demandée', 'Measure requested', 'Diligência solicitada'),
    repeated: true,
    fields: {
      kind: L('Type de mesure', 'Kind of measure', 'Tipo de diligência'),
      description: L('Description', 'Description', 'Descrição'),
      persons: L('Personnes concernées', 'Persons concerned', 'Pessoas envolvidas'),
      place: L("Lieu d'exécution", 'Place of execution', 'Local de execução'),
    },
  },
  assistance: {
    label: L('Entraide judiciaire', 'Mutual legal assistance', 'Auxílio judiciário'),
    repeated: false,
    fields: {
      proceedings: L('Procédure en cours', 'Proceedings', 'Procedimento em curso'),
      purpose: L('Objet de la demande', 'Purpose of the request', 'Finalidade do pedido'),
      formalities: L('Formalités à respecter', 'Formalities to follow', 'Formalidades a observar'),
      speciality: L('Engagement de spécialité', 'Speciality undertaking', 'Compromisso de especialidade'),
      officials: L("Présence d'agents de l'État requérant", 'Presence of officials of the requesting State', 'Presença de agentes do Estado requerente'),
    },
  },
  extradition: {
    label: L('Extradition', 'Extradition', 'Extradição'),
    repeated: false,
    fields: {
      personSought: L('Personne réclamée', 'Person sought', 'Pessoa reclamada'),
      purpose: L('Finalité', 'Purpose', 'Finalidade'),
      decision: L("Mandat d'arrêt ou jugement", 'Arrest warrant or judgment', 'Mandado de detenção ou sentença'),
      decisionDate: L('Date du mandat ou du jugement', 'Date of the warrant or judgment', 'Data do mandado ou da sentença'),
      sentence: L('Peine prononcée', 'Sentence imposed', 'Pena aplicada'),
      sentenceMonths: L('Durée de la peine (mois)', 'Term of the sentence (months)', 'Duração da pena (meses)'),
      sentenceLife: L('Peine perpétuelle', 'Life sentence', 'Pena perpétua'),
      remainingMonths: L('Reste à purger (mois)', 'Remaining to serve (months)', 'Pena por cumprir (meses)'),
      finalOn: L('Décision définitive le', 'Final since', 'Trânsito em julgado em'),
      interpol: L('Référence INTERPOL', 'INTERPOL reference', 'Referência INTERPOL'),
      assurances: L('Garanties', 'Assurances', 'Garantias'),
    },
  },
  spontaneous: {
    label: L("Transmission spontanée d'informations", 'Spontaneous information', 'Transmissão espontânea de informações'),
    repeated: false,
    fields: {
      summary: L('Informations transmises', 'Information transmitted', 'Informações transmitidas'),
      conditions: L("Conditions d'utilisation", 'Conditions on use', 'Condições de utilização'),
    },
  },
  document: {
    label: L('Document', 'Document', 'Documento'),
    repeated: true,
    fields: {
      name: L('Nom du fichier', 'File name', 'Nome do ficheiro'),
      mediaType: L('Type de fichier', 'File type', 'Tipo de ficheiro'),
      size: L('Taille (octets)', 'Size (bytes)', 'Tamanho (bytes)'),
      sha256: L('SHA-256', 'SHA-256', 'SHA-256'),
      uri: L('Emplacement', 'Location', 'Localização'),
      language: L('Langue', 'Language', 'Língua'),
      description: L('Description', 'Description', 'Descrição'),
    },
  },
  question: {
    label: L('Question', 'Question', 'Pergunta'),
    repeated: true,
    fields: { id: L('Identifiant', 'Identifier', 'Identificador'), text: L('Texte', 'Text', 'Texto') },
  },
  answer: {
    label: L('Réponse', 'Answer', 'Resposta'),
    repeated: true,
    fields: { question: L('Question', 'Question', 'Pergunta'), text: L('Texte', 'Text', 'Texto') },
  },
  ground: {
    label: L('Motif de refus', 'Ground for refusal', 'Motivo de recusa'),
    repeated: true,
    fields: {
      ground: L('Motif', 'Ground', 'Motivo'),
      provision: L('Disposition légale', 'Legal provision', 'Disposição legal'),
      explanation: L('Explication', 'Explanation', 'Explicação'),
    },
  },
  unexecuted: {
    label: L('Partie non exécutée', 'Part not executed', 'Parte não executada'),
    repeated: true,
    fields: {
      measure: L('Mesure', 'Measure', 'Diligência'),
      description: L('Description', 'Description', 'Descrição'),
      ground: L('Motif de refus', 'Ground for refusal', 'Motivo de recusa'),
      provision: L('Disposition légale', 'Legal provision', 'Disposição legal'),
      explanation: L('Explication', 'Explanation', 'Explicação'),
      reason: L('Raison', 'Reason', 'Razão'),
    },
  },
} as const satisfies Record<string, { label: Label; repeated: boolean; fields: 'text' | Record<string, Label> }>;

export type SectionName = keyof typeof SECTIONS;

/** The head fields and sections each kind of form may have, in the order Comity writes them. */
export const LAYOUT: Readonly<Record<FormKind, { readonly head: readonly HeadField[]; readonly sections: readonly SectionName[] }>> = {
  request: {
    head: [
      'reference',
      'comityReference',
      'requestType',
      'language',
      'date',
      'requestedState',
      'legalInstrument',
      'legalArticle',
      'legalNote',
      'urgency',
      'urgencyReason',
      'deadline',
      'confidential',
      'signatory',
      'relatedRequests',
      'remarks',
    ],
    sections: ['requestingAuthority', 'requestedAuthority', 'facts', 'offence', 'person', 'measure', 'assistance', 'extradition', 'spontaneous', 'document'],
  },
  acknowledgement: { head: ['comityReference', 'reference', 'requestType', 'language', 'date', 'confidential', 'note', 'remarks'], sections: ['authority'] },
  informationRequested: {
    head: ['comityReference', 'reference', 'requestType', 'language', 'date', 'confidential', 'deadline', 'reason', 'remarks'],
    sections: ['authority', 'question'],
  },
  informationProvided: { head: ['comityReference', 'reference', 'requestType', 'language', 'date', 'confidential', 'remarks'], sections: ['authority', 'answer', 'document'] },
  recognised: {
    head: ['comityReference', 'reference', 'requestType', 'language', 'date', 'confidential', 'conditions', 'personConsented', 'expectedExecution', 'remarks'],
    sections: ['authority'],
  },
  postponed: {
    head: ['comityReference', 'reference', 'requestType', 'language', 'date', 'confidential', 'grounds', 'legalProvision', 'until', 'untilCondition', 'remarks'],
    sections: ['authority'],
  },
  executed: { head: ['comityReference', 'reference', 'requestType', 'language', 'date', 'confidential', 'remarks'], sections: ['authority', 'result', 'document'] },
  partiallyExecuted: {
    head: ['comityReference', 'reference', 'requestType', 'language', 'date', 'confidential', 'executedMeasures', 'remarks'],
    sections: ['authority', 'result', 'unexecuted', 'document'],
  },
  refused: { head: ['comityReference', 'reference', 'requestType', 'language', 'date', 'confidential', 'alternative', 'remarks'], sections: ['authority', 'ground'] },
  withdrawn: { head: ['comityReference', 'reference', 'requestType', 'language', 'date', 'confidential', 'reason', 'remarks'], sections: ['authority'] },
  notDelivered: {
    head: ['comityReference', 'requestType', 'language', 'network', 'cause', 'detail', 'willRetry', 'attempts', 'nextAttempt', 'remarks'],
    sections: [],
  },
};

// ---- Code lists -------------------------------------------------------------------------

/** A code list: a stable key per value, with its words in the three languages. */
export type CodeList<K extends string> = Readonly<Record<K, Label>>;

export const YES_NO = { yes: L('oui', 'yes', 'sim'), no: L('non', 'no', 'não') } as const satisfies CodeList<string>;

export const REQUEST_TYPES = {
  mla: L('entraide judiciaire', 'mutual legal assistance', 'auxílio judiciário'),
  extradition: L('extradition', 'extradition', 'extradição'),
  provisionalArrest: L('arrestation provisoire', 'provisional arrest', 'detenção provisória'),
  spontaneousInformation: L("transmission spontanée d'informations", 'spontaneous information', 'transmissão espontânea de informações'),
} as const satisfies CodeList<string>;

export const URGENCIES = {
  normal: L('normale', 'normal', 'normal'),
  urgent: L('urgente', 'urgent', 'urgente'),
  immediate: L('immédiate', 'immediate', 'imediata'),
} as const satisfies CodeList<string>;

export const AUTHORITY_KINDS = {
  judicial: L('judiciaire', 'judicial', 'judicial'),
  prosecution: L('parquet', 'prosecution', 'ministério público'),
  police: L('police', 'police', 'polícia'),
  centralAuthority: L('autorité centrale', 'central authority', 'autoridade central'),
  ministry: L('ministère', 'ministry', 'ministério'),
  assetRecovery: L('recouvrement des avoirs', 'asset recovery office', 'recuperação de ativos'),
  other: L('autre', 'other', 'outra'),
} as const satisfies CodeList<string>;

export const PERSON_ROLES = {
  suspect: L('suspect', 'suspect', 'suspeito'),
  accused: L('inculpé', 'accused', 'arguido'),
  convicted: L('condamné', 'convicted', 'condenado'),
  victim: L('victime', 'victim', 'vítima'),
  witness: L('témoin', 'witness', 'testemunha'),
  other: L('autre', 'other', 'outro'),
} as const satisfies CodeList<string>;

export const PERSON_KINDS = {
  natural: L('personne physique', 'natural person', 'pessoa singular'),
  legal: L('personne morale', 'legal person', 'pessoa coletiva'),
} as const satisfies CodeList<string>;

export const IDENTITY_DOCUMENT_KINDS = {
  passport: L('passeport', 'passport', 'passaporte'),
  nationalIdCard: L("carte nationale d'identité", 'national identity card', 'bilhete de identidade'),
  personalNumber: L('numéro personnel', 'personal number', 'número pessoal'),
  residencePermit: L('titre de séjour', 'residence permit', 'autorização de residência'),
  drivingLicence: L('permis de conduire', 'driving licence', 'carta de condução'),
  other: L('autre', 'other', 'outro'),
} as const satisfies CodeList<string>;

/** After UNTOC art. 18(3) and the special investigative techniques (MeasureKind in the schema). */
export const MEASURE_KINDS = {
  takingEvidence: L('recueil de témoignages ou de dépositions', 'taking evidence or statements', 'recolha de depoimentos'),
  serviceOfDocuments: L("signification d'actes judiciaires", 'service of judicial documents', 'notificação de atos judiciais'),
  searchAndSeizure: L('perquisition et saisie', 'search and seizure', 'busca e apreensão'),
  freezing: L('gel', 'freezing', 'congelamento'),
  examination: L("examen d'objets et de lieux", 'examination of objects and sites', 'exame de objetos e locais'),
  information: L("fourniture d'informations et d'expertises", 'information and expert evaluations', 'informações e perícias'),
  records: L('documents et dossiers', 'documents and records', 'documentos e registos'),
  tracingProceeds: L('identification des produits du crime', 'tracing proceeds of crime', 'identificação do produto do crime'),
  voluntaryAppearance: L('comparution volontaire', 'voluntary appearance', 'comparência voluntária'),
  videoconference: L('audition par vidéoconférence', 'hearing by videoconference', 'audição por videoconferência'),
  temporaryTransfer: L('transfèrement temporaire', 'temporary transfer', 'transferência temporária'),
  bankInformation: L('informations bancaires', 'bank information', 'informações bancárias'),
  interception: L('interception des communications', 'interception of communications', 'interceção de comunicações'),
  covert: L('enquête sous couverture', 'covert investigation', 'ação encoberta'),
  controlledDelivery: L('livraison surveillée', 'controlled delivery', 'entrega controlada'),
  electronicEvidence: L('preuves électroniques', 'electronic evidence', 'prova digital'),
  dataPreservation: L('conservation rapide de données', 'data preservation', 'conservação de dados'),
  other: L('autre', 'other', 'outra'),
} as const satisfies CodeList<string>;

export const SURRENDER_PURPOSES = {
  prosecution: L('poursuites', 'prosecution', 'procedimento criminal'),
  sentence: L("exécution d'une peine", 'execution of a sentence', 'cumprimento de pena'),
} as const satisfies CodeList<string>;

export const ASSURANCE_KINDS = {
  noDeathPenalty: L('non-application de la peine de mort', 'no death penalty', 'não aplicação da pena de morte'),
  speciality: L('spécialité', 'speciality', 'especialidade'),
  retrial: L('nouveau procès après jugement par défaut', 'retrial after judgment in absentia', 'novo julgamento'),
  lifeReview: L('révision de la peine perpétuelle', 'life sentence review', 'revisão da pena perpétua'),
  returnToServe: L('retour pour purger la peine', 'return to serve the sentence', 'regresso para cumprimento da pena'),
  detentionConditions: L('conditions de détention', 'detention conditions', 'condições de detenção'),
  noReExtradition: L('non-réextradition', 'no re-extradition', 'não reextradição'),
  other: L('autre', 'other', 'outra'),
} as const satisfies CodeList<string>;

export const REFUSAL_GROUNDS = {
  dualCriminality: L('double incrimination', 'dual criminality', 'dupla incriminação'),
  neBisInIdem: L('ne bis in idem', 'ne bis in idem', 'ne bis in idem'),
  political: L('infraction politique', 'political offence', 'infração política'),
  military: L('infraction militaire', 'military offence', 'infração militar'),
  fiscal: L('infraction fiscale', 'fiscal offence', 'infração fiscal'),
  deathPenalty: L('peine de mort', 'death penalty', 'pena de morte'),
  humanRights: L("droits de l'homme", 'human rights', 'direitos humanos'),
  essentialInterests: L('intérêts essentiels', 'essential interests', 'interesses essenciais'),
  immunity: L('immunité ou privilège', 'immunity or privilege', 'imunidade ou privilégio'),
  territoriality: L('territorialité', 'territoriality', 'territorialidade'),
  limitation: L('prescription', 'statute of limitations', 'prescrição'),
  insufficientInformation: L('informations insuffisantes', 'insufficient information', 'informação insuficiente'),
  disproportionality: L('disproportion', 'disproportionality', 'desproporcionalidade'),
  nationality: L('nationalité', 'nationality', 'nacionalidade'),
  amnesty: L('amnistie', 'amnesty', 'amnistia'),
  age: L('âge de la responsabilité pénale', 'age of criminal responsibility', 'idade de responsabilidade criminal'),
  pendingProceedings: L('poursuites en cours', 'pending proceedings', 'processo pendente'),
  inAbsentia: L('jugement par défaut', 'trial in absentia', 'julgamento à revelia'),
  penaltyThreshold: L('seuil de peine', 'penalty threshold', 'limiar da pena'),
  measureUnavailable: L('mesure non disponible', 'measure unavailable', 'medida indisponível'),
  other: L('autre', 'other', 'outro'),
} as const satisfies CodeList<string>;

export const NON_DELIVERY_CAUSES = {
  endpointUnavailable: L('destinataire injoignable', 'endpoint unavailable', 'destinatário inacessível'),
  rejected: L('refusé par le système destinataire', 'rejected by the receiving system', 'recusado pelo sistema destinatário'),
  translationFailed: L('traduction impossible', 'translation failed', 'tradução impossível'),
  signatureInvalid: L('signature invalide', 'signature invalid', 'assinatura inválida'),
  sealInvalid: L('chiffrement invalide', 'seal invalid', 'selo inválido'),
  recipientUnknown: L('destinataire inconnu', 'recipient unknown', 'destinatário desconhecido'),
  policyDenied: L('refusé par la politique de la fédération', 'denied by federation policy', 'recusado pela política da federação'),
  retriesExhausted: L('tentatives épuisées', 'retries exhausted', 'tentativas esgotadas'),
  other: L('autre', 'other', 'outra'),
} as const satisfies CodeList<string>;

// ---- Matching --------------------------------------------------------------------------

/**
 * A label or code as compared: lower case, without accents, one kind of apostrophe, single
 * spaces, ` / ` between languages, no trailing period.
 */
export function normalizeLabel(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[’ʼ‘`´]/g, "'")
    .replace(/\s+/g, ' ')
    .replace(/ ?\/ ?/g, ' / ')
    .trim()
    .replace(/\.$/, '');
}

/** The spellings under which a label is recognised. */
export function spellings(label: Label): string[] {
  const { fr, en, pt } = label;
  return [fr, en, pt, `${fr} / ${en}`, `${en} / ${fr}`, `${fr} / ${pt}`, `${fr} / ${en} / ${pt}`].map(normalizeLabel);
}

/** How Comity writes a label: French / English, once when both are the same. */
export function written(label: Label): string {
  return label.fr === label.en ? label.fr : `${label.fr} / ${label.en}`;
}

/** A lookup from every spelling of each label to its key; throws if two keys share a spelling. */
export function lookup<K extends string>(labels: Readonly<Record<K, Label>>): ReadonlyMap<string, K> {
  const map = new Map<string, K>();
  for (const key of Object.keys(labels) as K[]) {
    for (const spelling of spellings(labels[key])) {
      const other = map.get(spelling);
      if (other !== undefined && other !== key) throw new Error(`"${spelling}" names both ${other} and ${key}`);
      map.set(spelling, key);
    }
  }
  return map;
}
