/**
 * IberRed's side, simulated: the Iber@ gateway of the Ibero-American central authorities and
 * prosecutors. It submits requests as IberRed JSON forms in Spanish or Portuguese (adapters/
 * iberred/FORMAT.md), built from the adapter's own fixtures with fresh references and dates
 * and — for mutual legal assistance — sometimes addressed to an EU State, and answers the
 * forms Comity delivers: acknowledgement of receipt, then execution, partial execution, a
 * request for more information or a refusal with grounds; and gives the information asked.
 *
 * Pure: these functions build and read native messages; ./service.ts sends and schedules them.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ANSWER_REQUEST_TYPES, REQUEST_TYPES } from '../../adapters/iberred/form.js';
import { isoDay, isoSeconds, pick, serial, type Random } from './common.js';

export const IBERRED_CONTENT_TYPE = 'application/json';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'adapters', 'iberred', 'fixtures');

type Form = Record<string, unknown>;

function fixture(name: string): Form {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Form;
}

/** Request forms the simulated authorities send; `retarget` lists other States they may ask. */
const REQUEST_TEMPLATES: readonly { readonly name: string; readonly retarget: readonly string[] }[] = [
  { name: 'ar-es-solicitud-estafa', retarget: ['ES', 'DE', 'IT', 'NL', 'FR'] },
  { name: 'pe-co-solicitud-urgente', retarget: ['CO'] },
  { name: 'co-mx-extradicion', retarget: ['MX'] },
  { name: 'gt-pa-embargo', retarget: ['PA'] },
  { name: 'ec-es-solicitud-adjuntos', retarget: ['ES', 'DE', 'FR'] },
  { name: 'br-pt-pedido-lavagem', retarget: ['PT', 'DE', 'FR'] },
];

/** Central authorities of States outside IberRed that IberRed's members ask, by State. */
const FOREIGN_AUTHORITIES: Readonly<Record<string, { readonly es: string; readonly pt: string }>> = {
  DE: { es: 'Oficina Federal de Justicia (Bundesamt für Justiz)', pt: 'Serviço Federal de Justiça (Bundesamt für Justiz)' },
  IT: { es: 'Ministerio de Justicia de Italia, Dirección General de Asuntos Internacionales', pt: 'Ministério da Justiça de Itália' },
  NL: { es: 'Ministerio de Justicia y Seguridad de los Países Bajos, Centro Nacional de Asistencia Judicial', pt: 'Ministério da Justiça e Segurança dos Países Baixos' },
  FR: { es: 'Ministerio de Justicia de Francia, Oficina de Asistencia Penal Internacional (BEPI)', pt: 'Ministério da Justiça de França (BEPI)' },
};

/** Every State the simulated IberRed may ask; a unit test checks each routes to a running network. */
export const IBERRED_REQUESTED_STATES: readonly string[] = [...new Set(REQUEST_TEMPLATES.flatMap((template) => template.retarget))];

/** A new request form from an Ibero-American authority, as Iber@ POSTs it. */
export function iberredRequest(random: Random, now = new Date()): { body: string; reference: string; requestedState: string } {
  const template = pick(random, REQUEST_TEMPLATES);
  const form = fixture(template.name);
  const portuguese = 'tipoMensagem' in form;
  const reference = `${String(form.referencia)}-${serial(random)}`;
  form.referencia = reference;
  form[portuguese ? 'data' : 'fecha'] = isoSeconds(now);
  // Confidential forms are sealed to the requested network's key, which the sending side does
  // not know before the hub routes them: the simulated authorities send ordinary requests.
  form.confidencial = false;
  if ('expedienteIbera' in form) form.expedienteIbera = `IB-${serial(random)}`;
  for (const key of ['plazo', 'prazo']) {
    if (key in form) form[key] = isoDay(new Date(now.getTime() + 45 * 86_400_000));
  }
  const state = pick(random, template.retarget);
  if (state !== form.paisRequerido) {
    form.paisRequerido = state;
    const name = FOREIGN_AUTHORITIES[state];
    if (name) {
      form[portuguese ? 'autoridadeRequerida' : 'autoridadRequerida'] = portuguese
        ? { nome: name.pt, pais: state, tipo: 'autoridade_central' }
        : { nombre: name.es, pais: state, tipo: 'autoridad_central' };
    }
  }
  return { body: `${JSON.stringify(form, null, 2)}\n`, reference, requestedState: state };
}

/** What a delivered form is, as far as the simulated authorities care. */
export interface IberredDelivered {
  readonly kind: 'request' | 'more-information' | 'other';
  readonly messageType: string;
  readonly requestType: string;
  readonly requestedState?: string;
  readonly questions: readonly string[];
}

export function readIberredDelivery(body: string): IberredDelivered | undefined {
  let form: Form;
  try {
    form = JSON.parse(body) as Form;
  } catch {
    return undefined;
  }
  const text = (value: unknown, fallback: string) => (typeof value === 'string' ? value : fallback);
  const messageType = text(form.tipoMensaje ?? form.tipoMensagem, '');
  const requestType = text(form.tipoSolicitud ?? form.tipoPedido, 'asistencia_judicial_penal');
  const questions = ((form.preguntas ?? form.perguntas ?? []) as { numero?: string }[]).map((question) => String(question.numero ?? '1'));
  if (messageType === 'solicitud' || messageType === 'pedido') {
    return { kind: 'request', messageType, requestType, requestedState: typeof form.paisRequerido === 'string' ? form.paisRequerido : undefined, questions };
  }
  if (messageType === 'solicitud_informacion_adicional' || messageType === 'pedido_informacao_adicional') {
    return { kind: 'more-information', messageType, requestType, questions };
  }
  return { kind: 'other', messageType, requestType, questions };
}

export type IberredAnswer = 'acknowledged' | 'executed' | 'partially-executed' | 'refused' | 'more-information' | 'information';

const ANSWER_TEMPLATES: Readonly<Record<Exclude<IberredAnswer, 'information'>, string>> = {
  acknowledged: 'co-acuse-recibo',
  executed: 'es-ejecutada',
  'partially-executed': 'es-ejecutada-parcialmente',
  refused: 'cl-denegada',
  'more-information': 'es-solicitud-informacion-adicional',
};

/**
 * The Spanish `tipoSolicitud` of an answer about a request of type `code` (Spanish or
 * Portuguese, as delivered): answers are written in Spanish, and carry no provisional arrest.
 */
export function spanishAnswerType(code: string): string {
  const row = REQUEST_TYPES.find((entry) => entry.es === code || entry.pt === code);
  if (row?.value === 'provisionalArrest') return 'extradicion';
  return ANSWER_REQUEST_TYPES.find((entry) => entry.value === row?.value)?.es ?? 'asistencia_judicial_penal';
}

/** Authorities that answer for the Ibero-American State asked. */
const ANSWERING: Readonly<Record<string, { readonly nombre: string; readonly tipo: string; readonly idioma: string }>> = {
  AR: { nombre: 'Dirección de Asistencia Jurídica Internacional, Ministerio de Relaciones Exteriores', tipo: 'autoridad_central', idioma: 'es-AR' },
  CO: { nombre: 'Dirección de Asuntos Internacionales, Fiscalía General de la Nación', tipo: 'autoridad_central', idioma: 'es-CO' },
  MX: { nombre: 'Dirección General de Procedimientos Internacionales, Fiscalía General de la República', tipo: 'autoridad_central', idioma: 'es-MX' },
  CL: { nombre: 'Unidad de Cooperación Internacional y Extradiciones, Fiscalía Nacional', tipo: 'autoridad_central', idioma: 'es-CL' },
  ES: { nombre: 'Subdirección General de Cooperación Jurídica Internacional, Ministerio de Justicia', tipo: 'autoridad_central', idioma: 'es' },
  PA: { nombre: 'Dirección de Asuntos Internacionales, Procuraduría General de la Nación', tipo: 'autoridad_central', idioma: 'es-PA' },
  BR: { nombre: 'Departamento de Recuperação de Ativos e Cooperação Jurídica Internacional', tipo: 'autoridad_central', idioma: 'es' },
  PT: { nombre: 'Procuradoría General de la República de Portugal, Gabinete de Cooperación Judicial', tipo: 'autoridad_central', idioma: 'es' },
};

/**
 * The answer of the State asked to a form Comity delivered: `referenciaComity` is the request
 * id and `eventoRespondido` the delivered event's id, as Iber@ correlates them.
 */
export function iberredAnswer(
  answer: IberredAnswer,
  context: { readonly eventId: string; readonly requestId: string; readonly requestType: string; readonly answeringState?: string; readonly questions?: readonly string[] },
  random: Random,
  now = new Date(),
): string {
  const state = context.answeringState && ANSWERING[context.answeringState] ? context.answeringState : 'ES';
  const authority = ANSWERING[state]!;
  const base: Form = {
    idioma: authority.idioma,
    referenciaComity: context.requestId,
    eventoRespondido: context.eventId,
    referencia: `${state}-CJI-${serial(random)}`,
    fecha: isoSeconds(now),
    confidencial: false,
    autoridad: { nombre: authority.nombre, pais: state, tipo: authority.tipo },
  };
  if (answer === 'information') {
    const form: Form = {
      tipoMensaje: 'informacion_adicional',
      ...base,
      respuestas: (context.questions?.length ? context.questions : ['1']).map((pregunta) => ({
        pregunta,
        texto: 'Se aportan los datos solicitados: números de cuenta completos y periodo del 1 de enero de 2025 a la fecha.',
      })),
    };
    return `${JSON.stringify(form, null, 2)}\n`;
  }
  const template = fixture(ANSWER_TEMPLATES[answer]);
  const form: Form = { ...template, ...base };
  if ('tipoSolicitud' in template || answer !== 'more-information') form.tipoSolicitud = spanishAnswerType(context.requestType);
  if ('plazo' in form) form.plazo = isoDay(new Date(now.getTime() + 30 * 86_400_000));
  delete form.adjuntos;
  return `${JSON.stringify(form, null, 2)}\n`;
}
