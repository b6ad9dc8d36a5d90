/**
 * The simulated native systems produce what the real ones would: every generated message is
 * accepted by its adapter's codec, and every State they address is reached through a network
 * `comity up` runs.
 */
import { describe, expect, it } from 'vitest';
import { coeStatsAdapter } from '../../adapters/coe-stats/index.js';
import { ejnEcodexAdapter } from '../../adapters/ejn-ecodex/index.js';
import { iberredAdapter } from '../../adapters/iberred/index.js';
import { indexFederation, loadFederation } from '../directory/federation.js';
import { seededRandom } from './common.js';
import { coeReport } from './coe.js';
import { EJN_REQUESTED_STATES, ejnAnswer, ejnRequest, readEjnDelivery, type LegalAnswer } from './ejn.js';
import { IBERRED_REQUESTED_STATES, iberredAnswer, iberredRequest, readIberredDelivery, spanishAnswerType, type IberredAnswer } from './iberred.js';
import { readWacapForm, WACAP_REQUESTED_STATES, wacapAnswer, wacapRequest, WACAP_FOCAL_POINTS } from './wacap.js';

const native = (body: string, contentType: string) => ({ body: Buffer.from(body), contentType, attributes: {} });
const EVENT_ID = '0195c0aa-3f51-7b08-8c2d-9e4a6b1c3d57';

describe('services/simulator', () => {
  it('EJN requests and every kind of answer are valid e-CODEX messages', () => {
    const random = seededRandom(7);
    for (let i = 0; i < 30; i++) {
      const request = ejnRequest(random);
      const [draft] = ejnEcodexAdapter.codec.decode(native(request.body, 'application/xml'));
      expect(draft!.subject).toBe(`ejn:${request.reference}`);
      expect(readEjnDelivery(request.body)).toMatchObject({ kind: 'request', requestedState: request.requestedState });
    }
    for (const answer of ['acknowledged', 'executed', 'partially-executed', 'refused', 'more-information'] as LegalAnswer[]) {
      for (const state of ['DE', 'FR', 'IT', 'NL', 'PL', 'SE']) {
        const xml = ejnAnswer(answer, { eventId: EVENT_ID, requestId: 'iberred:X-1', requestType: 'mutual-legal-assistance', requestedState: state }, random);
        const [draft] = ejnEcodexAdapter.codec.decode(native(xml, 'application/xml'));
        expect(draft!.subject).toBe('iberred:X-1');
      }
    }
  });

  it('IberRed requests (Spanish and Portuguese) and every kind of answer are valid forms', () => {
    const random = seededRandom(8);
    const languages = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const request = iberredRequest(random);
      const [draft] = iberredAdapter.codec.decode(native(request.body, 'application/json'));
      expect(draft!.subject).toBe(`iberred:${request.reference}`);
      languages.add(String(draft!.language).slice(0, 2));
      expect(readIberredDelivery(request.body)?.kind).toBe('request');
    }
    expect([...languages].sort()).toEqual(['es', 'pt']);
    for (const answer of ['acknowledged', 'executed', 'partially-executed', 'refused', 'more-information', 'information'] as IberredAnswer[]) {
      for (const requestType of ['asistencia_judicial_penal', 'auxilio_judiciario_penal', 'extradicion', 'prisao_preventiva_extradicao', 'embargo_decomiso']) {
        const form = iberredAnswer(answer, { eventId: EVENT_ID, requestId: 'ejn:DE-1', requestType, answeringState: 'CO', questions: ['1'] }, random);
        expect(() => iberredAdapter.codec.decode(native(form, 'application/json')), `${answer} ${requestType}`).not.toThrow();
      }
    }
    expect(spanishAnswerType('auxilio_judiciario_penal')).toBe('asistencia_judicial_penal');
  });

  it('WACAP forms are bilingual, from known focal points, and answers name the Comity reference', () => {
    const random = seededRandom(9);
    const request = wacapRequest(random);
    expect(request.text).toContain('=== WACAP : DEMANDE / REQUEST ===');
    expect(WACAP_FOCAL_POINTS.map((point) => point.email)).toContain(request.from);
    expect(readWacapForm(request.text)).toEqual({ kind: 'request', requestedState: request.requestedState });
    const answer = wacapAnswer('acknowledged', { requestId: 'ejn:FR-1', focalPoint: WACAP_FOCAL_POINTS[0]! }, random);
    expect(answer.text).toContain('Référence Comity / Comity reference: ejn:FR-1');
    expect(readWacapForm(answer.text).kind).toBe('other');
  });

  it('centres-of-excellence reports are valid SDMX-CSV', () => {
    const random = seededRandom(10);
    for (let i = 0; i < 20; i++) {
      const report = coeReport(random);
      const [draft] = coeStatsAdapter.codec.decode(native(report.text, 'text/csv'));
      expect(draft!.subject).toBe(`central-america-coe:${report.reportId}`);
    }
  });

  it('every State the simulators address is a member of a network that comity up runs', () => {
    const federation = indexFederation(loadFederation('deploy/config/federation.yaml'));
    const running = new Set(['ejn', 'iberred', 'wacap', 'central-america-coe']);
    for (const state of [...EJN_REQUESTED_STATES, ...IBERRED_REQUESTED_STATES, ...WACAP_REQUESTED_STATES]) {
      expect(federation.networksOfState(state).some((network) => running.has(network.id)), state).toBe(true);
    }
  });
});
