/**
 * The IberRed JSON form (`iberred-json`), in its two languages. Pure: no I/O.
 *
 * One form, two vocabularies: a message written with Spanish field names (`tipoMensaje`,
 * `autoridadRequirente`, `hechos`…) and Spanish codes (`asistencia_judicial_penal`), or with
 * Portuguese ones (`tipoMensagem`, `autoridadeRequerente`, `fatos`…, `auxilio_judiciario_penal`).
 * FORMAT.md documents it for people; this module is its definition for the codec:
 *
 * - {@link FIELD_NAMES}: each field's neutral key (used inside the adapter) and its Spanish and
 *   Portuguese name;
 * - the code lists (`MESSAGE_KINDS`, `REQUEST_TYPES`, …): each native code in both languages
 *   with the value it stands for;
 * - the message shapes, written once with neutral keys. From them {@link FORM_SCHEMAS} derives
 *   the zod schema of every message in each language (which parses native JSON into the neutral
 *   value) and {@link renderForm} writes a neutral value back as native JSON, so that parsing and
 *   rendering are inverse by construction.
 *
 * Optional fields are absent or meaningful: optional strings are non-empty, optional lists have
 * at least one item, optional flags that only add something are `true` when present. So every
 * valid message has exactly one neutral value and back, which is what makes the adapter's round
 * trip lossless. Nested objects refuse unknown fields; unknown top-level fields are kept in
 * `extra` (the codec carries them in extensions).
 */
import { z } from 'zod';
import { AuthorityKind, IdentityDocumentKind, PersonKind, PersonRole } from '../../core/gen/comity/v1/offence.js';
import { NonDeliveryReason, OnwardTransferScope, RefusalGroundCode } from '../../core/gen/comity/v1/lifecycle.js';
import { AssuranceKind, MeasureKind, SurrenderPurpose } from '../../core/gen/comity/v1/request.js';
import { isIccsCode } from '../../core/reference/iccs.js';
import { DecodeError } from '../sdk/errors.js';

/** The language of a form's field names and codes (not necessarily of its text: see `idioma`). */
export type FormLanguage = 'es' | 'pt';
export const FORM_LANGUAGES: readonly FormLanguage[] = ['es', 'pt'];

interface Names {
  readonly es: string;
  readonly pt: string;
}

/** Every field of the form: neutral key → Spanish and Portuguese name. */
export const FIELD_NAMES = {
  // Envelope, common to all messages.
  messageType: { es: 'tipoMensaje', pt: 'tipoMensagem' },
  language: { es: 'idioma', pt: 'idioma' },
  reference: { es: 'referencia', pt: 'referencia' },
  comityReference: { es: 'referenciaComity', pt: 'referenciaComity' },
  answersEvent: { es: 'eventoRespondido', pt: 'eventoRespondido' },
  requestType: { es: 'tipoSolicitud', pt: 'tipoPedido' },
  date: { es: 'fecha', pt: 'data' },
  confidential: { es: 'confidencial', pt: 'confidencial' },
  authority: { es: 'autoridad', pt: 'autoridade' },
  remarks: { es: 'observaciones', pt: 'observacoes' },
  electronicTransmission: { es: 'transmisionElectronica', pt: 'transmissaoEletronica' },
  // A request.
  signatory: { es: 'firmante', pt: 'signatario' },
  relatedRequests: { es: 'solicitudesRelacionadas', pt: 'pedidosRelacionados' },
  requestingAuthority: { es: 'autoridadRequirente', pt: 'autoridadeRequerente' },
  requestedState: { es: 'paisRequerido', pt: 'paisRequerido' },
  requestedAuthority: { es: 'autoridadRequerida', pt: 'autoridadeRequerida' },
  legalBasis: { es: 'baseJuridica', pt: 'fundamentoJuridico' },
  urgent: { es: 'urgente', pt: 'urgente' },
  immediate: { es: 'atencionInmediata', pt: 'atencaoImediata' },
  urgencyReason: { es: 'motivoUrgencia', pt: 'motivoUrgencia' },
  deadline: { es: 'plazo', pt: 'prazo' },
  facts: { es: 'hechos', pt: 'fatos' },
  offences: { es: 'delitos', pt: 'crimes' },
  persons: { es: 'personas', pt: 'pessoas' },
  measures: { es: 'diligencias', pt: 'diligencias' },
  attachments: { es: 'adjuntos', pt: 'anexos' },
  assistance: { es: 'asistencia', pt: 'auxilio' },
  extradition: { es: 'extradicion', pt: 'extradicao' },
  details: { es: 'detalles', pt: 'detalhes' },
  // Authority.
  id: { es: 'id', pt: 'id' },
  name: { es: 'nombre', pt: 'nome' },
  state: { es: 'pais', pt: 'pais' },
  kind: { es: 'tipo', pt: 'tipo' },
  contactPerson: { es: 'contacto', pt: 'contato' },
  email: { es: 'correo', pt: 'email' },
  phone: { es: 'telefono', pt: 'telefone' },
  // Legal basis.
  instrument: { es: 'instrumento', pt: 'instrumento' },
  article: { es: 'articulo', pt: 'artigo' },
  note: { es: 'nota', pt: 'nota' },
  // Offence.
  code: { es: 'codigo', pt: 'codigo' },
  label: { es: 'denominacion', pt: 'denominacao' },
  scheme: { es: 'esquema', pt: 'esquema' },
  statutoryProvisions: { es: 'tipificacion', pt: 'tipificacao' },
  iccs: { es: 'iccs', pt: 'iccs' },
  maxPenaltyMonths: { es: 'penaMaximaMeses', pt: 'penaMaximaMeses' },
  lifeImprisonment: { es: 'penaPerpetua', pt: 'penaPerpetua' },
  description: { es: 'descripcion', pt: 'descricao' },
  from: { es: 'fechaInicio', pt: 'dataInicio' },
  until: { es: 'fechaFin', pt: 'dataFim' },
  place: { es: 'lugar', pt: 'local' },
  // Person.
  role: { es: 'rol', pt: 'papel' },
  personKind: { es: 'tipoPersona', pt: 'tipoPessoa' },
  givenNames: { es: 'nombres', pt: 'nomes' },
  familyNames: { es: 'apellidos', pt: 'sobrenomes' },
  legalName: { es: 'razonSocial', pt: 'razaoSocial' },
  aliases: { es: 'alias', pt: 'alcunhas' },
  birthDate: { es: 'fechaNacimiento', pt: 'dataNascimento' },
  birthPlace: { es: 'lugarNacimiento', pt: 'localNascimento' },
  sex: { es: 'sexo', pt: 'sexo' },
  nationalities: { es: 'nacionalidad', pt: 'nacionalidade' },
  languages: { es: 'idiomas', pt: 'idiomas' },
  identityDocuments: { es: 'documentos', pt: 'documentos' },
  addresses: { es: 'domicilios', pt: 'enderecos' },
  registration: { es: 'registro', pt: 'registro' },
  inCustody: { es: 'detenido', pt: 'preso' },
  number: { es: 'numero', pt: 'numero' },
  expiry: { es: 'vencimiento', pt: 'validade' },
  lines: { es: 'lineas', pt: 'linhas' },
  locality: { es: 'localidad', pt: 'localidade' },
  region: { es: 'region', pt: 'regiao' },
  postalCode: { es: 'codigoPostal', pt: 'codigoPostal' },
  // Attachment.
  mediaType: { es: 'tipoMime', pt: 'tipoMime' },
  sha256: { es: 'sha256', pt: 'sha256' },
  size: { es: 'tamano', pt: 'tamanho' },
  uri: { es: 'uri', pt: 'uri' },
  // Mutual legal assistance.
  proceedings: { es: 'procedimiento', pt: 'procedimento' },
  purpose: { es: 'finalidad', pt: 'finalidade' },
  formalities: { es: 'formalidades', pt: 'formalidades' },
  speciality: { es: 'especialidad', pt: 'especialidade' },
  officialsPresent: { es: 'presenciaAutoridades', pt: 'presencaAutoridades' },
  // Extradition.
  personSought: { es: 'personaReclamada', pt: 'pessoaReclamada' },
  decision: { es: 'resolucion', pt: 'decisao' },
  sentence: { es: 'condena', pt: 'condenacao' },
  months: { es: 'meses', pt: 'meses' },
  remainingMonths: { es: 'mesesPendientes', pt: 'mesesRestantes' },
  finalSince: { es: 'firmeDesde', pt: 'transitoEmJulgado' },
  interpol: { es: 'interpol', pt: 'interpol' },
  assurances: { es: 'garantias', pt: 'garantias' },
  text: { es: 'texto', pt: 'texto' },
  // Answers.
  questions: { es: 'preguntas', pt: 'perguntas' },
  question: { es: 'pregunta', pt: 'pergunta' },
  answers: { es: 'respuestas', pt: 'respostas' },
  reason: { es: 'motivo', pt: 'motivo' },
  result: { es: 'resultado', pt: 'resultado' },
  executedMeasures: { es: 'diligenciasEjecutadas', pt: 'diligenciasExecutadas' },
  notExecuted: { es: 'noEjecutadas', pt: 'naoExecutadas' },
  measure: { es: 'diligencia', pt: 'diligencia' },
  refusalGrounds: { es: 'motivosDenegacion', pt: 'motivosRecusa' },
  ground: { es: 'causal', pt: 'fundamento' },
  provision: { es: 'norma', pt: 'norma' },
  explanation: { es: 'explicacion', pt: 'explicacao' },
  alternative: { es: 'alternativa', pt: 'alternativa' },
  untilDate: { es: 'hasta', pt: 'ate' },
  untilCondition: { es: 'condicion', pt: 'condicao' },
  conditions: { es: 'condiciones', pt: 'condicoes' },
  personConsented: { es: 'consentimientoPersona', pt: 'consentimentoPessoa' },
  expectedExecution: { es: 'ejecucionPrevista', pt: 'execucaoPrevista' },
  thirdNetwork: { es: 'redTercera', pt: 'redeTerceira' },
  thirdState: { es: 'paisTercero', pt: 'paisTerceiro' },
  scope: { es: 'alcance', pt: 'alcance' },
  events: { es: 'eventos', pt: 'eventos' },
  validUntil: { es: 'vigenciaHasta', pt: 'validadeAte' },
  // Transport notices.
  transportEvent: { es: 'evento', pt: 'evento' },
  network: { es: 'red', pt: 'rede' },
  networks: { es: 'redes', pt: 'redes' },
  route: { es: 'ruta', pt: 'rota' },
  nativeMessageId: { es: 'identificadorNativo', pt: 'identificadorNativo' },
  cause: { es: 'causa', pt: 'causa' },
  detail: { es: 'detalle', pt: 'detalhe' },
  willRetry: { es: 'nuevoIntento', pt: 'novaTentativa' },
  attempts: { es: 'intentos', pt: 'tentativas' },
  nextAttempt: { es: 'proximoIntento', pt: 'proximaTentativa' },
  authorityId: { es: 'idAutoridad', pt: 'idAutoridade' },
} as const satisfies Record<string, Names>;

export type FieldKey = keyof typeof FIELD_NAMES;

// ---- Code lists: native code in each language ⇄ the value it stands for -------------------

export interface Code<T> {
  readonly value: T;
  readonly es: string;
  readonly pt: string;
}

function codes<T>(...rows: readonly [T, string, string][]): readonly Code<T>[] {
  return rows.map(([value, es, pt]) => ({ value, es, pt }));
}

export type MessageKind =
  | 'request'
  | 'acknowledgement'
  | 'informationRequested'
  | 'informationProvided'
  | 'recognised'
  | 'executed'
  | 'partiallyExecuted'
  | 'refused'
  | 'postponed'
  | 'withdrawn'
  | 'onwardTransferConsented'
  | 'transport';

/** `tipoMensaje` / `tipoMensagem`. */
export const MESSAGE_KINDS = codes<MessageKind>(
  ['request', 'solicitud', 'pedido'],
  ['acknowledgement', 'acuse_recibo', 'confirmacao_recebimento'],
  ['informationRequested', 'solicitud_informacion_adicional', 'pedido_informacao_adicional'],
  ['informationProvided', 'informacion_adicional', 'informacao_adicional'],
  ['recognised', 'admitida', 'admitido'],
  ['executed', 'ejecutada', 'executado'],
  ['partiallyExecuted', 'ejecutada_parcialmente', 'executado_parcialmente'],
  ['refused', 'denegada', 'recusado'],
  ['postponed', 'aplazada', 'adiado'],
  ['withdrawn', 'retirada', 'retirado'],
  ['onwardTransferConsented', 'consentimiento_transferencia', 'consentimento_transferencia'],
  ['transport', 'acuse_transporte', 'aviso_transporte'],
);

export type FormRequestType =
  | 'mla'
  | 'extradition'
  | 'provisionalArrest'
  | 'eio'
  | 'eaw'
  | 'freezingOrConfiscation'
  | 'jointInvestigationTeam'
  | 'transferOfProceedings'
  | 'transferOfSentencedPersons'
  | 'spontaneousInformation'
  | 'assetTracing';

/**
 * `tipoSolicitud` / `tipoPedido` of a request. Detención preventiva (provisional arrest with a
 * view to extradition) is an extradition request whose provisional arrest is asked.
 */
export const REQUEST_TYPES = codes<FormRequestType>(
  ['mla', 'asistencia_judicial_penal', 'auxilio_judiciario_penal'],
  ['extradition', 'extradicion', 'extradicao'],
  ['provisionalArrest', 'detencion_preventiva', 'prisao_preventiva_extradicao'],
  ['eio', 'orden_europea_investigacion', 'decisao_europeia_investigacao'],
  ['eaw', 'orden_europea_detencion', 'mandado_detencao_europeu'],
  ['freezingOrConfiscation', 'embargo_decomiso', 'bloqueio_confisco'],
  ['jointInvestigationTeam', 'equipo_conjunto_investigacion', 'equipe_conjunta_investigacao'],
  ['transferOfProceedings', 'transferencia_procedimiento', 'transferencia_processo'],
  ['transferOfSentencedPersons', 'traslado_personas_condenadas', 'transferencia_pessoas_condenadas'],
  ['spontaneousInformation', 'informacion_espontanea', 'informacao_espontanea'],
  ['assetTracing', 'localizacion_activos', 'localizacao_ativos'],
);

/** `tipoSolicitud` / `tipoPedido` on answers and notices: the envelope's request type only. */
export const ANSWER_REQUEST_TYPES = REQUEST_TYPES.filter((row) => row.value !== 'provisionalArrest');

export const AUTHORITY_KINDS = codes<AuthorityKind>(
  [AuthorityKind.AUTHORITY_KIND_JUDICIAL, 'judicial', 'judicial'],
  [AuthorityKind.AUTHORITY_KIND_PROSECUTION, 'fiscalia', 'ministerio_publico'],
  [AuthorityKind.AUTHORITY_KIND_POLICE, 'policia', 'policia'],
  [AuthorityKind.AUTHORITY_KIND_CENTRAL_AUTHORITY, 'autoridad_central', 'autoridade_central'],
  [AuthorityKind.AUTHORITY_KIND_MINISTRY, 'ministerio', 'ministerio'],
  [AuthorityKind.AUTHORITY_KIND_ASSET_RECOVERY_OFFICE, 'recuperacion_activos', 'recuperacao_ativos'],
  [AuthorityKind.AUTHORITY_KIND_OTHER, 'otra', 'outra'],
);

export const PERSON_ROLES = codes<PersonRole>(
  [PersonRole.PERSON_ROLE_SUSPECT, 'investigado', 'investigado'],
  [PersonRole.PERSON_ROLE_ACCUSED, 'imputado', 'acusado'],
  [PersonRole.PERSON_ROLE_CONVICTED, 'condenado', 'condenado'],
  [PersonRole.PERSON_ROLE_VICTIM, 'victima', 'vitima'],
  [PersonRole.PERSON_ROLE_WITNESS, 'testigo', 'testemunha'],
  [PersonRole.PERSON_ROLE_OTHER, 'otro', 'outro'],
);

export const PERSON_KINDS = codes<PersonKind>(
  [PersonKind.PERSON_KIND_NATURAL, 'fisica', 'fisica'],
  [PersonKind.PERSON_KIND_LEGAL, 'juridica', 'juridica'],
);

export const IDENTITY_DOCUMENT_KINDS = codes<IdentityDocumentKind>(
  [IdentityDocumentKind.IDENTITY_DOCUMENT_KIND_PASSPORT, 'pasaporte', 'passaporte'],
  [IdentityDocumentKind.IDENTITY_DOCUMENT_KIND_NATIONAL_ID_CARD, 'documento_identidad', 'documento_identidade'],
  [IdentityDocumentKind.IDENTITY_DOCUMENT_KIND_PERSONAL_NUMBER, 'numero_identificacion', 'numero_identificacao'],
  [IdentityDocumentKind.IDENTITY_DOCUMENT_KIND_RESIDENCE_PERMIT, 'permiso_residencia', 'autorizacao_residencia'],
  [IdentityDocumentKind.IDENTITY_DOCUMENT_KIND_DRIVING_LICENCE, 'licencia_conducir', 'carteira_habilitacao'],
  [IdentityDocumentKind.IDENTITY_DOCUMENT_KIND_OTHER, 'otro', 'outro'],
);

export const MEASURE_KINDS = codes<MeasureKind>(
  [MeasureKind.MEASURE_KIND_TAKING_EVIDENCE, 'toma_declaracion', 'tomada_depoimento'],
  [MeasureKind.MEASURE_KIND_SERVICE_OF_DOCUMENTS, 'notificacion', 'notificacao'],
  [MeasureKind.MEASURE_KIND_SEARCH_AND_SEIZURE, 'registro_incautacion', 'busca_apreensao'],
  [MeasureKind.MEASURE_KIND_FREEZING, 'embargo_preventivo', 'bloqueio_bens'],
  [MeasureKind.MEASURE_KIND_EXAMINATION_OF_OBJECTS_AND_SITES, 'inspeccion', 'inspecao'],
  [MeasureKind.MEASURE_KIND_INFORMATION_AND_EXPERT_EVALUATION, 'informes_peritajes', 'informacoes_pericias'],
  [MeasureKind.MEASURE_KIND_DOCUMENTS_AND_RECORDS, 'documentos_registros', 'documentos_registros'],
  [MeasureKind.MEASURE_KIND_TRACING_PROCEEDS, 'localizacion_bienes', 'rastreamento_bens'],
  [MeasureKind.MEASURE_KIND_VOLUNTARY_APPEARANCE, 'comparecencia_voluntaria', 'comparecimento_voluntario'],
  [MeasureKind.MEASURE_KIND_HEARING_BY_VIDEOCONFERENCE, 'videoconferencia', 'videoconferencia'],
  [MeasureKind.MEASURE_KIND_TEMPORARY_TRANSFER, 'traslado_temporal_detenido', 'transferencia_temporaria_preso'],
  [MeasureKind.MEASURE_KIND_BANK_INFORMATION, 'informacion_bancaria', 'informacao_bancaria'],
  [MeasureKind.MEASURE_KIND_INTERCEPTION_OF_COMMUNICATIONS, 'interceptacion_comunicaciones', 'interceptacao_comunicacoes'],
  [MeasureKind.MEASURE_KIND_COVERT_INVESTIGATION, 'agente_encubierto', 'agente_infiltrado'],
  [MeasureKind.MEASURE_KIND_CONTROLLED_DELIVERY, 'entrega_vigilada', 'entrega_controlada'],
  [MeasureKind.MEASURE_KIND_ELECTRONIC_EVIDENCE, 'prueba_electronica', 'prova_eletronica'],
  [MeasureKind.MEASURE_KIND_DATA_PRESERVATION, 'conservacion_datos', 'preservacao_dados'],
  [MeasureKind.MEASURE_KIND_OTHER, 'otra', 'outra'],
);

export const SURRENDER_PURPOSES = codes<SurrenderPurpose>(
  [SurrenderPurpose.SURRENDER_PURPOSE_PROSECUTION, 'procesamiento', 'processo_penal'],
  [SurrenderPurpose.SURRENDER_PURPOSE_EXECUTION_OF_SENTENCE, 'cumplimiento_condena', 'cumprimento_pena'],
);

export const ASSURANCE_KINDS = codes<AssuranceKind>(
  [AssuranceKind.ASSURANCE_KIND_NO_DEATH_PENALTY, 'no_pena_muerte', 'nao_pena_morte'],
  [AssuranceKind.ASSURANCE_KIND_SPECIALITY, 'especialidad', 'especialidade'],
  [AssuranceKind.ASSURANCE_KIND_RETRIAL_AFTER_IN_ABSENTIA, 'nuevo_juicio_ausencia', 'novo_julgamento_revelia'],
  [AssuranceKind.ASSURANCE_KIND_LIFE_SENTENCE_REVIEW, 'revision_cadena_perpetua', 'revisao_prisao_perpetua'],
  [AssuranceKind.ASSURANCE_KIND_RETURN_TO_SERVE_SENTENCE, 'retorno_cumplimiento_condena', 'retorno_cumprimento_pena'],
  [AssuranceKind.ASSURANCE_KIND_DETENTION_CONDITIONS, 'condiciones_detencion', 'condicoes_detencao'],
  [AssuranceKind.ASSURANCE_KIND_NO_RE_EXTRADITION, 'no_reextradicion', 'nao_reextradicao'],
  [AssuranceKind.ASSURANCE_KIND_OTHER, 'otra', 'outra'],
);

export const REFUSAL_GROUNDS = codes<RefusalGroundCode>(
  [RefusalGroundCode.REFUSAL_GROUND_CODE_DUAL_CRIMINALITY, 'doble_incriminacion', 'dupla_incriminacao'],
  [RefusalGroundCode.REFUSAL_GROUND_CODE_NE_BIS_IN_IDEM, 'cosa_juzgada', 'coisa_julgada'],
  [RefusalGroundCode.REFUSAL_GROUND_CODE_POLITICAL_OFFENCE, 'delito_politico', 'crime_politico'],
  [RefusalGroundCode.REFUSAL_GROUND_CODE_MILITARY_OFFENCE, 'delito_militar', 'crime_militar'],
  [RefusalGroundCode.REFUSAL_GROUND_CODE_FISCAL_OFFENCE, 'delito_fiscal', 'crime_fiscal'],
  [RefusalGroundCode.REFUSAL_GROUND_CODE_DEATH_PENALTY, 'pena_muerte', 'pena_morte'],
  [RefusalGroundCode.REFUSAL_GROUND_CODE_HUMAN_RIGHTS, 'derechos_humanos', 'direitos_humanos'],
  [RefusalGroundCode.REFUSAL_GROUND_CODE_ESSENTIAL_INTERESTS, 'intereses_esenciales', 'interesses_essenciais'],
  [RefusalGroundCode.REFUSAL_GROUND_CODE_IMMUNITY_OR_PRIVILEGE, 'inmunidad', 'imunidade'],
  [RefusalGroundCode.REFUSAL_GROUND_CODE_TERRITORIALITY, 'territorialidad', 'territorialidade'],
  [RefusalGroundCode.REFUSAL_GROUND_CODE_STATUTE_OF_LIMITATIONS, 'prescripcion', 'prescricao'],
  [RefusalGroundCode.REFUSAL_GROUND_CODE_INSUFFICIENT_INFORMATION, 'informacion_insuficiente', 'informacao_insuficiente'],
  [RefusalGroundCode.REFUSAL_GROUND_CODE_DISPROPORTIONALITY, 'desproporcion', 'desproporcionalidade'],
  [RefusalGroundCode.REFUSAL_GROUND_CODE_NATIONALITY, 'nacionalidad', 'nacionalidade'],
  [RefusalGroundCode.REFUSAL_GROUND_CODE_AMNESTY, 'amnistia', 'anistia'],
  [RefusalGroundCode.REFUSAL_GROUND_CODE_AGE_OF_CRIMINAL_RESPONSIBILITY, 'edad_responsabilidad_penal', 'idade_responsabilidade_penal'],
  [RefusalGroundCode.REFUSAL_GROUND_CODE_PENDING_PROCEEDINGS, 'procedimiento_pendiente', 'processo_pendente'],
  [RefusalGroundCode.REFUSAL_GROUND_CODE_TRIAL_IN_ABSENTIA, 'juicio_en_ausencia', 'julgamento_revelia'],
  [RefusalGroundCode.REFUSAL_GROUND_CODE_PENALTY_THRESHOLD, 'umbral_pena', 'limite_pena'],
  [RefusalGroundCode.REFUSAL_GROUND_CODE_MEASURE_UNAVAILABLE, 'medida_no_disponible', 'medida_indisponivel'],
  [RefusalGroundCode.REFUSAL_GROUND_CODE_OTHER, 'otro', 'outro'],
);

export type TransportEvent = 'delivered' | 'notDelivered' | 'retrieved' | 'relayed';

/** `evento` of a transport notice (`acuse_transporte` / `aviso_transporte`). */
export const TRANSPORT_EVENTS = codes<TransportEvent>(
  ['delivered', 'entregado', 'entregue'],
  ['notDelivered', 'no_entregado', 'nao_entregue'],
  ['retrieved', 'recuperado', 'recuperado'],
  ['relayed', 'retransmitido', 'retransmitido'],
);

export const NON_DELIVERY_REASONS = codes<NonDeliveryReason>(
  [NonDeliveryReason.NON_DELIVERY_REASON_ENDPOINT_UNAVAILABLE, 'destino_no_disponible', 'destino_indisponivel'],
  [NonDeliveryReason.NON_DELIVERY_REASON_REJECTED_BY_NATIVE_SYSTEM, 'rechazado_por_sistema', 'rejeitado_pelo_sistema'],
  [NonDeliveryReason.NON_DELIVERY_REASON_TRANSLATION_FAILED, 'traduccion_fallida', 'traducao_falhou'],
  [NonDeliveryReason.NON_DELIVERY_REASON_SIGNATURE_INVALID, 'firma_invalida', 'assinatura_invalida'],
  [NonDeliveryReason.NON_DELIVERY_REASON_SEAL_INVALID, 'cifrado_invalido', 'cifragem_invalida'],
  [NonDeliveryReason.NON_DELIVERY_REASON_RECIPIENT_UNKNOWN, 'destinatario_desconocido', 'destinatario_desconhecido'],
  [NonDeliveryReason.NON_DELIVERY_REASON_POLICY_DENIED, 'politica_denegada', 'politica_negada'],
  [NonDeliveryReason.NON_DELIVERY_REASON_RETRIES_EXHAUSTED, 'reintentos_agotados', 'tentativas_esgotadas'],
  [NonDeliveryReason.NON_DELIVERY_REASON_OTHER, 'otra', 'outra'],
);

export const ONWARD_TRANSFER_SCOPES = codes<OnwardTransferScope>(
  [OnwardTransferScope.ONWARD_TRANSFER_SCOPE_STATUS_ONLY, 'solo_estado', 'somente_situacao'],
  [OnwardTransferScope.ONWARD_TRANSFER_SCOPE_LISTED_EVENTS, 'eventos_indicados', 'eventos_indicados'],
  [OnwardTransferScope.ONWARD_TRANSFER_SCOPE_ALL_EVENTS, 'todos_eventos', 'todos_eventos'],
);

// ---- Fields: one definition, a zod schema per language and a renderer -----------------------

/**
 * One field of the form. `schema(lang)` parses the native JSON value into the neutral value;
 * `render(lang, value)` writes the neutral value back as native JSON. For every valid native
 * value `v`, `render(lang, parse(v))` deep-equals `v`.
 */
export interface Field<T, Optional extends boolean = boolean> {
  readonly optional: Optional;
  schema(lang: FormLanguage): z.ZodType<T>;
  render(lang: FormLanguage, value: T): unknown;
}

type AnyField = Field<any, boolean>; // eslint-disable-line @typescript-eslint/no-explicit-any
type ValueOf<F> = F extends Field<infer T, boolean> ? T : never;
type Shape = { readonly [K in FieldKey]?: AnyField };
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type OptionalKeys<S> = { [K in keyof S]: S[K] extends Field<unknown, true> ? K : never }[keyof S];
export type ObjectValue<S extends Shape> = Simplify<
  { -readonly [K in Exclude<keyof S, OptionalKeys<S>>]: ValueOf<S[K]> } & { -readonly [K in OptionalKeys<S>]?: ValueOf<S[K]> }
>;

function field<T>(schema: (lang: FormLanguage) => z.ZodType<T>, render: (lang: FormLanguage, value: T) => unknown = (_lang, value) => value): Field<T, false> {
  return { optional: false, schema, render };
}

function optional<T>(inner: Field<T, false>): Field<T, true> {
  return { ...inner, optional: true };
}

/** No C0 control characters or DEL (`\p{Cc}` also covers C1, which identifiers never need). */
const NO_CONTROL_CHARACTERS = /^\P{Cc}*$/u;

/** Free text: non-empty. */
const text = (max = 200_000) => field(() => z.string().min(1).max(max));
/** A single-line identifier: a file number, an id. */
const identifier = () => field(() => z.string().min(1).max(200).regex(NO_CONTROL_CHARACTERS, 'must be one line without control characters'));
const state = () => field(() => z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 code in capitals (AR, BR, ES)'));
const languageTag = () =>
  field(() => z.string().max(35).regex(/^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'expected a BCP 47 language tag (es, pt-BR, es-CO)'));
const flag = () => field(() => z.boolean());
/** A flag that only adds something: present and `true`, or absent. */
const yes = () => optional(field(() => z.literal(true)));
const count = (min: number, max = 1_000_000) => field(() => z.number().int().min(min).max(max));
/** An ISO 8601 calendar date, possibly partial (`1980`, `1980-05`, `1980-05-12`). */
const partialDate = () =>
  field(() => z.string().regex(/^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/, 'expected an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)'));

/** `YYYY-MM-DDTHH:MM:SSZ`: an instant in UTC, whole seconds. */
const timestamp = () =>
  field(
    () =>
      z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, 'expected an RFC 3339 UTC time with whole seconds (2026-03-15T14:30:00Z)')
        .refine((value) => isRealInstant(value), 'not a real date and time')
        .transform((value) => new Date(value)),
    (_lang, value: Date) => formatTimestamp(value),
  );

/** `YYYY-MM-DD`: a calendar day, carried canonically as midnight UTC of that day. */
const day = () =>
  field(
    () =>
      z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
        .refine((value) => isRealInstant(`${value}T00:00:00Z`), 'not a real date')
        .transform((value) => new Date(`${value}T00:00:00Z`)),
    (_lang, value: Date) => formatDay(value),
  );

const sha256 = () =>
  field(
    () =>
      z
        .string()
        .regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hexadecimal digits')
        .transform((hex) => Buffer.from(hex, 'hex')),
    (_lang, value: Buffer) => Buffer.from(value).toString('hex'),
  );

function list<T>(item: Field<T, false>, max = 10_000): Field<T[], false> {
  return field(
    (lang) => z.array(item.schema(lang)).min(1).max(max),
    (lang, values: T[]) => values.map((value) => item.render(lang, value)),
  );
}

function code<T>(table: readonly Code<T>[]): Field<T, false> {
  return field(
    (lang) => {
      const natives = table.map((row) => row[lang]) as [string, ...string[]];
      return z.enum(natives).transform((native) => (table.find((row) => row[lang] === native) as Code<T>).value);
    },
    (lang, value: T) => {
      const row = table.find((candidate) => candidate.value === value);
      if (!row) throw new RangeError(`no ${lang} code for ${String(value)}`);
      return row[lang];
    },
  );
}

/** A JSON object held as it is (Comity's canonical JSON of an instrument-specific section). */
const jsonObject = () =>
  field(() =>
    z
      .record(z.string(), z.unknown())
      .refine((value) => Object.keys(value).length > 0, 'must not be empty: leave it out instead'),
  );

/** Reports a problem at a path of neutral keys (and list indexes) inside the value refined. */
type Report = (path: readonly (FieldKey | number)[], message: string) => void;

/** The native name of every key of a shape, refusing two keys with the same native name. */
function nativeNames(shape: Shape, lang: FormLanguage): Map<FieldKey, string> {
  const names = new Map<FieldKey, string>();
  const taken = new Set<string>();
  for (const key of Object.keys(shape) as FieldKey[]) {
    const name = FIELD_NAMES[key][lang];
    if (taken.has(name)) throw new Error(`form definition: two fields are called "${name}" in one ${lang} object`);
    taken.add(name);
    names.set(key, name);
  }
  return names;
}

function nativePath(path: readonly (FieldKey | number)[], lang: FormLanguage): (string | number)[] {
  return path.map((part) => (typeof part === 'number' ? part : FIELD_NAMES[part][lang]));
}

/**
 * An object with the fields of `shape`; unknown fields are refused. `refine` checks rules that
 * span fields, on the neutral value.
 */
function object<S extends Shape>(shape: S, refine?: (value: ObjectValue<S>, report: Report) => void): Field<ObjectValue<S>, false> {
  return field(
    (lang) => {
      const names = nativeNames(shape, lang);
      const localized: Record<string, z.ZodType> = {};
      for (const [key, name] of names) {
        const inner = shape[key] as AnyField;
        localized[name] = inner.optional ? inner.schema(lang).optional() : inner.schema(lang);
      }
      const parsed = z.strictObject(localized).transform((native) => {
        const value: Record<string, unknown> = {};
        for (const [key, name] of names) if (native[name] !== undefined) value[key] = native[name];
        return value as ObjectValue<S>;
      });
      if (!refine) return parsed;
      return parsed.superRefine((value, context) =>
        refine(value, (path, message) => context.addIssue({ code: 'custom', message, path: nativePath(path, lang) })),
      );
    },
    (lang, value) => renderFields(shape, lang, value as Record<string, unknown>),
  );
}

function renderFields(shape: Shape, lang: FormLanguage, value: Record<string, unknown>): Record<string, unknown> {
  const native: Record<string, unknown> = {};
  for (const key of Object.keys(shape) as FieldKey[]) {
    const inner = shape[key] as AnyField;
    const fieldValue = value[key];
    if (fieldValue === undefined) continue;
    native[FIELD_NAMES[key][lang]] = inner.render(lang, fieldValue);
  }
  return native;
}

/** Every message: its kind, its fields, and the unknown top-level fields it carried. */
export type MessageValue<K extends MessageKind, S extends Shape> = Simplify<{ messageType: K; extra: Record<string, unknown> } & ObjectValue<S>>;

interface MessageDefinition<K extends MessageKind, S extends Shape> {
  readonly kind: K;
  readonly shape: S;
  schema(lang: FormLanguage): z.ZodType<MessageValue<K, S>>;
  render(lang: FormLanguage, value: MessageValue<K, S>): Record<string, unknown>;
}

function message<K extends MessageKind, S extends Shape>(
  kind: K,
  shape: S,
  refine?: (value: ObjectValue<S>, report: Report) => void,
): MessageDefinition<K, S> {
  const nativeKind = (lang: FormLanguage) => (MESSAGE_KINDS.find((row) => row.value === kind) as Code<MessageKind>)[lang];
  return {
    kind,
    shape,
    schema(lang) {
      const names = nativeNames({ messageType: field(() => z.string()), ...shape }, lang);
      const localized: Record<string, z.ZodType> = { [FIELD_NAMES.messageType[lang]]: z.literal(nativeKind(lang)) };
      for (const [key, name] of names) {
        if (key === 'messageType') continue;
        const inner = shape[key] as AnyField;
        localized[name] = inner.optional ? inner.schema(lang).optional() : inner.schema(lang);
      }
      const known = new Set(names.values());
      const parsed = z.looseObject(localized).transform((native) => {
        const value: Record<string, unknown> = { messageType: kind, extra: {} };
        for (const [key, name] of names) if (key !== 'messageType' && native[name] !== undefined) value[key] = native[name];
        for (const [name, fieldValue] of Object.entries(native)) {
          if (!known.has(name)) defineOwn(value.extra as Record<string, unknown>, name, fieldValue);
        }
        return value as MessageValue<K, S>;
      });
      if (!refine) return parsed;
      return parsed.superRefine((value, context) =>
        refine(value as ObjectValue<S>, (path, issue) => context.addIssue({ code: 'custom', message: issue, path: nativePath(path, lang) })),
      );
    },
    render(lang, value) {
      const native: Record<string, unknown> = { [FIELD_NAMES.messageType[lang]]: nativeKind(lang) };
      Object.assign(native, renderFields(shape, lang, value as Record<string, unknown>));
      for (const [name, fieldValue] of Object.entries(value.extra)) {
        if (!(name in native)) defineOwn(native, name, fieldValue);
      }
      return native;
    },
  };
}

/** Sets an own property even for names like `__proto__`, which plain assignment would not. */
function defineOwn(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

// ---- The parts of messages -------------------------------------------------------------

const authorityFields = {
  kind: optional(code(AUTHORITY_KINDS)),
  contactPerson: optional(text(500)),
  email: optional(field(() => z.email())),
  phone: optional(field(() => z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected a telephone number in E.164 form (+573001234567)'))),
} as const;

/** An authority named in full: the requesting one. */
const namedAuthority = object({ id: optional(identifier()), name: text(500), state: state(), ...authorityFields });
/** An authority as an answer or the requested side may give it: any of its fields. */
const authority = object({ id: optional(identifier()), name: optional(text(500)), state: optional(state()), ...authorityFields }, (value, report) => {
  if (Object.keys(value).length === 0) report([], 'must name the authority: leave it out instead');
});

const legalBasis = object(
  { instrument: optional(text(500)), article: optional(text(200)), note: optional(text(2000)) },
  (value, report) => {
    if (Object.keys(value).length === 0) report([], 'must not be empty: leave it out instead');
  },
);

const offence = object({
  code: optional(identifier()),
  label: text(500),
  scheme: optional(field(() => z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'expected a lower-kebab-case scheme name (ar-codigo-penal)'))),
  statutoryProvisions: optional(text(2000)),
  iccs: optional(field(() => z.string().refine(isIccsCode, 'expected an ICCS v1.0 code (0101, 07041)'))),
  maxPenaltyMonths: optional(count(1, 12_000)),
  lifeImprisonment: yes(),
  description: optional(text()),
  from: optional(partialDate()),
  until: optional(partialDate()),
  place: optional(text(1000)),
});

const identityDocument = object({
  kind: optional(code(IDENTITY_DOCUMENT_KINDS)),
  number: identifier(),
  state: optional(state()),
  expiry: optional(partialDate()),
});

const address = object(
  {
    lines: optional(list(text(500), 10)),
    locality: optional(text(200)),
    region: optional(text(200)),
    postalCode: optional(identifier()),
    state: optional(state()),
  },
  (value, report) => {
    if (Object.keys(value).length === 0) report([], 'must not be empty: leave it out instead');
  },
);

const person = object(
  {
    role: optional(code(PERSON_ROLES)),
    personKind: optional(code(PERSON_KINDS)),
    givenNames: optional(text(500)),
    familyNames: optional(text(500)),
    legalName: optional(text(500)),
    aliases: optional(list(text(500), 50)),
    birthDate: optional(partialDate()),
    birthPlace: optional(text(500)),
    sex: optional(field(() => z.enum(['F', 'M', 'X']))),
    nationalities: optional(list(state(), 10)),
    languages: optional(list(languageTag(), 20)),
    identityDocuments: optional(list(identityDocument, 20)),
    addresses: optional(list(address, 20)),
    description: optional(text()),
    registration: optional(text(500)),
    inCustody: yes(),
  },
  (value, report) => {
    const legal = value.personKind === PersonKind.PERSON_KIND_LEGAL;
    if (value.legalName !== undefined && !legal) report(['legalName'], 'only a legal person (tipoPersona "juridica") has a registered name');
    if (legal && value.givenNames !== undefined) report(['givenNames'], 'a legal person has no given names: use the registered name');
    if (legal && value.familyNames !== undefined) report(['familyNames'], 'a legal person has no surnames: use the registered name');
  },
);

const measure = object({
  kind: optional(code(MEASURE_KINDS)),
  description: text(),
  /** Persons concerned, by their position (1, 2…) in the message's list of persons. */
  persons: optional(list(count(1, 10_000), 100)),
  place: optional(text(1000)),
});

const attachment = object({
  name: text(500),
  mediaType: optional(field(() => z.string().regex(/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i, 'expected a media type (application/pdf)'))),
  sha256: optional(sha256()),
  size: optional(count(1, Number.MAX_SAFE_INTEGER)),
  uri: optional(field(() => z.string().min(1).max(2000).regex(/^[a-z][a-z0-9+.-]*:\S+$/i, 'expected a URI (https://…, ibera://…)'))),
  language: optional(languageTag()),
  description: optional(text(2000)),
});

const assistance = object(
  {
    proceedings: optional(text()),
    purpose: optional(text()),
    formalities: optional(text()),
    speciality: yes(),
    officialsPresent: yes(),
  },
  (value, report) => {
    if (Object.keys(value).length === 0) report([], 'must not be empty: leave it out instead');
  },
);

const sentence = object({
  description: optional(text(2000)),
  months: optional(count(1, 12_000)),
  lifeImprisonment: yes(),
  remainingMonths: optional(count(1, 12_000)),
  finalSince: optional(partialDate()),
});

const extradition = object(
  {
    /** The person sought, by position (1, 2…) in the message's list of persons. */
    personSought: optional(count(1, 10_000)),
    purpose: optional(code(SURRENDER_PURPOSES)),
    decision: optional(object({ reference: optional(identifier()), date: optional(partialDate()) })),
    sentence: optional(sentence),
    interpol: optional(identifier()),
    assurances: optional(list(object({ kind: optional(code(ASSURANCE_KINDS)), text: optional(text(5000)) }), 20)),
  },
  (value, report) => {
    if (Object.keys(value).length === 0) report([], 'must not be empty: leave it out instead');
  },
);

/** A refusal ground: its class, the provision relied on, the reasoning. */
const refusalGround = object({ ground: optional(code(REFUSAL_GROUNDS)), provision: optional(text(1000)), explanation: optional(text()) });

const envelope = {
  language: languageTag(),
  comityReference: identifier(),
  answersEvent: optional(identifier()),
  requestType: optional(code(ANSWER_REQUEST_TYPES)),
  remarks: optional(text()),
} as const;

/** What every legal answer carries. */
const answer = {
  ...envelope,
  reference: optional(identifier()),
  date: optional(timestamp()),
  confidential: flag(),
  authority: optional(authority),
} as const;

// ---- The messages --------------------------------------------------------------------------

const requestMessage = message(
  'request',
  {
    language: languageTag(),
    reference: identifier(),
    comityReference: optional(identifier()),
    requestType: code(REQUEST_TYPES),
    date: optional(timestamp()),
    signatory: optional(text(500)),
    relatedRequests: optional(list(identifier(), 100)),
    requestingAuthority: namedAuthority,
    requestedState: state(),
    requestedAuthority: optional(authority),
    legalBasis: optional(legalBasis),
    electronicTransmission: optional(text(1000)),
    confidential: flag(),
    urgent: flag(),
    immediate: yes(),
    urgencyReason: optional(text(5000)),
    deadline: optional(day()),
    facts: optional(text()),
    offences: optional(list(offence, 100)),
    persons: optional(list(person, 1000)),
    measures: optional(list(measure, 1000)),
    attachments: optional(list(attachment, 1000)),
    assistance: optional(assistance),
    extradition: optional(extradition),
    details: optional(jsonObject()),
    remarks: optional(text()),
  },
  (value, report) => {
    if (value.immediate && !value.urgent) report(['immediate'], 'immediate attention needs "urgente": true');
    const persons = value.persons?.length ?? 0;
    value.measures?.forEach((item, index) =>
      item.persons?.forEach((position, at) => {
        if (position > persons) report(['measures', index, 'persons', at], `there is no person ${position} in the list of persons`);
      }),
    );
    const sought = value.extradition?.personSought;
    if (sought !== undefined && sought > persons) report(['extradition', 'personSought'], `there is no person ${sought} in the list of persons`);
    const extraditionType = value.requestType === 'extradition' || value.requestType === 'provisionalArrest';
    if (value.assistance && value.requestType !== 'mla') report(['assistance'], 'only a request for mutual legal assistance has this section');
    if (value.extradition && !extraditionType) report(['extradition'], 'only an extradition request has this section');
    if (value.details && (value.requestType === 'mla' || extraditionType)) {
      report(['details'], 'mutual legal assistance and extradition use their own sections, not "details"');
    }
  },
);

const acknowledgementMessage = message('acknowledgement', { ...answer, note: optional(text()) });

const informationRequestedMessage = message('informationRequested', {
  ...answer,
  questions: list(object({ number: identifier(), text: text() }), 500),
  deadline: optional(day()),
  reason: optional(text()),
});

const informationProvidedMessage = message('informationProvided', {
  ...answer,
  answers: optional(list(object({ question: optional(identifier()), text: text() }), 500)),
  attachments: optional(list(attachment, 1000)),
});

const recognisedMessage = message('recognised', {
  ...answer,
  conditions: optional(list(text(), 100)),
  personConsented: yes(),
  expectedExecution: optional(day()),
});

const executedMessage = message('executed', { ...answer, result: optional(text()), attachments: optional(list(attachment, 1000)) });

const partiallyExecutedMessage = message('partiallyExecuted', {
  ...answer,
  result: optional(text()),
  executedMeasures: optional(list(identifier(), 1000)),
  notExecuted: optional(
    list(
      object({
        measure: optional(identifier()),
        description: optional(text()),
        ground: optional(code(REFUSAL_GROUNDS)),
        provision: optional(text(1000)),
        explanation: optional(text()),
        reason: optional(text()),
      }),
      1000,
    ),
  ),
  attachments: optional(list(attachment, 1000)),
});

const refusedMessage = message('refused', { ...answer, refusalGrounds: list(refusalGround, 50), alternative: optional(text()) });

const postponedMessage = message('postponed', {
  ...answer,
  reason: optional(text()),
  provision: optional(text(1000)),
  untilDate: optional(day()),
  untilCondition: optional(text()),
});

const withdrawnMessage = message('withdrawn', { ...answer, reason: optional(text()) });

const onwardTransferConsentedMessage = message('onwardTransferConsented', {
  ...answer,
  thirdNetwork: field(() => z.string().regex(/^[a-z][a-z0-9-]{1,30}[a-z0-9]$/, 'expected a Comity network id (ejn, oas-hemispheric-network)')),
  thirdState: optional(state()),
  scope: optional(code(ONWARD_TRANSFER_SCOPES)),
  events: optional(list(identifier(), 1000)),
  conditions: optional(list(text(), 100)),
  purpose: optional(text()),
  validUntil: optional(timestamp()),
});

const transportMessage = message(
  'transport',
  {
    ...envelope,
    transportEvent: code(TRANSPORT_EVENTS),
    answersEvent: identifier(),
    network: optional(field(() => z.string().min(1).max(32))),
    networks: optional(list(field(() => z.string().min(1).max(32)), 100)),
    route: optional(text(500)),
    nativeMessageId: optional(identifier()),
    date: optional(timestamp()),
    cause: optional(code(NON_DELIVERY_REASONS)),
    detail: optional(text(5000)),
    willRetry: optional(flag()),
    attempts: optional(count(1)),
    nextAttempt: optional(timestamp()),
    authorityId: optional(identifier()),
  },
  (value, report) => {
    // Which fields each notice has, so that a notice means one thing.
    const allowed: Record<TransportEvent, readonly FieldKey[]> = {
      delivered: ['network', 'nativeMessageId', 'date'],
      notDelivered: ['network', 'cause', 'detail', 'willRetry', 'attempts', 'nextAttempt'],
      retrieved: ['network', 'authorityId', 'date'],
      relayed: ['networks', 'route'],
    };
    const specific: readonly FieldKey[] = ['network', 'networks', 'route', 'nativeMessageId', 'date', 'cause', 'detail', 'willRetry', 'attempts', 'nextAttempt', 'authorityId'];
    for (const key of specific) {
      if ((value as Record<string, unknown>)[key] !== undefined && !allowed[value.transportEvent].includes(key)) {
        report([key], 'not part of this kind of transport notice');
      }
    }
    if (value.transportEvent !== 'relayed' && value.network === undefined) report(['network'], 'required: the network concerned');
    if (value.transportEvent === 'notDelivered' && value.willRetry === undefined) report(['willRetry'], 'required: whether delivery will be tried again');
  },
);

const MESSAGES = {
  request: requestMessage,
  acknowledgement: acknowledgementMessage,
  informationRequested: informationRequestedMessage,
  informationProvided: informationProvidedMessage,
  recognised: recognisedMessage,
  executed: executedMessage,
  partiallyExecuted: partiallyExecutedMessage,
  refused: refusedMessage,
  postponed: postponedMessage,
  withdrawn: withdrawnMessage,
  onwardTransferConsented: onwardTransferConsentedMessage,
  transport: transportMessage,
} as const;

type Messages = typeof MESSAGES;
type ValueOfMessage<D> = D extends MessageDefinition<infer K, infer S> ? MessageValue<K, S> : never;

/** A parsed message, by kind, with neutral keys. */
export type FormMessages = { [K in MessageKind]: ValueOfMessage<Messages[K]> };
export type FormMessage = FormMessages[MessageKind];

/** The zod schema of every message, in each language: native JSON in, neutral value out. */
export const FORM_SCHEMAS: Readonly<Record<FormLanguage, Readonly<Record<MessageKind, z.ZodType<FormMessage>>>>> = {
  es: schemasFor('es'),
  pt: schemasFor('pt'),
};

function schemasFor(lang: FormLanguage): Record<MessageKind, z.ZodType<FormMessage>> {
  const entries = (Object.keys(MESSAGES) as MessageKind[]).map((kind) => [kind, MESSAGES[kind].schema(lang) as z.ZodType<FormMessage>]);
  return Object.fromEntries(entries) as Record<MessageKind, z.ZodType<FormMessage>>;
}

// ---- Parsing and rendering a whole message ------------------------------------------------

/**
 * The language of a form's field names, from its message-type field: `tipoMensaje` (Spanish)
 * or `tipoMensagem` (Portuguese). Throws INVALID_FORM when it has neither or both.
 */
export function formLanguageOf(form: Record<string, unknown>): FormLanguage {
  const present = FORM_LANGUAGES.filter((lang) => Object.hasOwn(form, FIELD_NAMES.messageType[lang]));
  if (present.length === 1) return present[0] as FormLanguage;
  if (present.length === 0) {
    throw new DecodeError('INVALID_FORM', 'the form has no "tipoMensaje" (Spanish field names) or "tipoMensagem" (Portuguese field names)', '/tipoMensaje');
  }
  throw new DecodeError('INVALID_FORM', 'the form has both "tipoMensaje" and "tipoMensagem": use the field names of one language', '/tipoMensagem');
}

/**
 * A native form (already parsed JSON, an object) as its neutral value. Throws DecodeError
 * `UNKNOWN_MESSAGE_TYPE` or `INVALID_FORM`, with the JSON path of the first problem.
 */
export function parseForm(form: Record<string, unknown>): { lang: FormLanguage; message: FormMessage } {
  const lang = formLanguageOf(form);
  const typeField = FIELD_NAMES.messageType[lang];
  const nativeKind = form[typeField];
  if (typeof nativeKind !== 'string') {
    throw new DecodeError('INVALID_FORM', `"${typeField}" must be a string`, `/${typeField}`);
  }
  const kind = MESSAGE_KINDS.find((row) => row[lang] === nativeKind)?.value;
  if (!kind) {
    const known = MESSAGE_KINDS.map((row) => row[lang]).join(', ');
    throw new DecodeError('UNKNOWN_MESSAGE_TYPE', `"${typeField}" ${JSON.stringify(nativeKind).slice(0, 100)} is not one of: ${known}`, `/${typeField}`);
  }
  const result = FORM_SCHEMAS[lang][kind].safeParse(form);
  if (!result.success) {
    const issues = result.error.issues;
    const first = issues[0] as z.core.$ZodIssue;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem(s))` : '';
    throw new DecodeError('INVALID_FORM', `${describeIssue(first, form)}${more}`, `/${first.path.map(String).join('/')}`);
  }
  return { lang, message: result.data };
}

/** A neutral message as native JSON with the field names and codes of `lang`. */
export function renderForm(lang: FormLanguage, value: FormMessage): Record<string, unknown> {
  const definition = MESSAGES[value.messageType] as MessageDefinition<MessageKind, Shape>;
  return definition.render(lang, value as MessageValue<MessageKind, Shape>);
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const value = issue.path.reduce<unknown>(
    (node, key) => (typeof node === 'object' && node !== null && Object.hasOwn(node, key) ? (node as Record<PropertyKey, unknown>)[key] : undefined),
    input,
  );
  if (value === undefined && issue.code === 'invalid_type') return 'a required field is missing';
  return issue.message;
}

// ---- Dates ----------------------------------------------------------------------------------

function isRealInstant(value: string): boolean {
  const date = new Date(value);
  return !Number.isNaN(date.getTime()) && formatTimestamp(date) === value.replace(/\.000Z$/, 'Z');
}

/** An instant as the form writes it: UTC, whole seconds. */
export function formatTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A day as the form writes it: the UTC calendar date. */
export function formatDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
