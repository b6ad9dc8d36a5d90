/**
 * The Central American centres of excellence, simulated: statistics offices of prosecution
 * services that drop quarterly SDMX-CSV reports (adapters/coe-stats/FORMAT.md) on
 * international cooperation into the adapter's watched folder — written as name.csv.part and
 * renamed when complete, as the adapter asks — and read the reports Comity writes back.
 *
 * Pure: coeReport builds one file's text; ./service.ts writes and reads the folders.
 */
import { pick, serial, type Random } from './common.js';

const HEADER = 'DATAFLOW,REF_AREA,COUNTERPART_AREA,FLOW,REQUEST_TYPE,ICCS,CJ_STAGE,OUTCOME,MEASURE,TIME_PERIOD,OBS_VALUE,OBS_STATUS,REPORT_ID,REVISION';
const DATAFLOW = 'COMITY:CJ_COOPERATION(1.0)';

/** The reporting offices: State and the prefix of their report ids. */
const OFFICES: readonly { readonly state: string; readonly office: string }[] = [
  { state: 'GT', office: 'GT-MP-UAI' },
  { state: 'SV', office: 'SV-FGR-UCI' },
  { state: 'CR', office: 'CR-MP-OATRI' },
  { state: 'PA', office: 'PA-MP-SAI' },
  { state: 'DO', office: 'DO-PGR-DCI' },
];

const COUNTERPARTS = ['US', 'MX', 'CO', 'ES', 'HN', 'NI', 'DE', 'IT'] as const;
/** ICCS sections the offices report most: homicide, trafficking in persons, drugs, fraud, corruption, money laundering. */
const ICCS = ['0101', '0204', '0601', '0701', '0703', '0704'] as const;

/** A quarter already closed, e.g. 2026-Q1 in May 2026. */
function lastQuarter(now: Date): string {
  const quarter = Math.floor(now.getUTCMonth() / 3);
  return quarter === 0 ? `${now.getUTCFullYear() - 1}-Q4` : `${now.getUTCFullYear()}-Q${quarter}`;
}

/** One report file: a centre's quarterly counts of requests sent and received, by partner and offence. */
export function coeReport(random: Random, now = new Date()): { name: string; text: string; reportId: string; state: string } {
  const { state, office } = pick(random, OFFICES);
  const period = lastQuarter(now);
  const reportId = `${office}-${period}-${serial(random)}`;
  const rows: string[] = [];
  const used = new Set<string>();
  let total = 0;
  for (let i = 0; i < 4 + Math.floor(random() * 5); i++) {
    const partner = pick(random, COUNTERPARTS.filter((code) => code !== state));
    const flow = random() < 0.5 ? 'OUTGOING' : 'INCOMING';
    const iccs = pick(random, ICCS);
    const key = `${partner}|${flow}|${iccs}`;
    if (used.has(key)) continue;
    used.add(key);
    const all = 3 + Math.floor(random() * 40);
    const executed = Math.floor(all * random());
    total += all;
    const row = (outcome: string, value: number) =>
      [DATAFLOW, state, partner, flow, 'MUTUAL_LEGAL_ASSISTANCE', iccs, 'PROSECUTION', outcome, 'COUNT', period, value, 'A', reportId, 1].join(',');
    rows.push(row('_T', all), row('EXECUTED', executed));
  }
  rows.push([DATAFLOW, state, '_T', '_T', 'MUTUAL_LEGAL_ASSISTANCE', '_T', 'PROSECUTION', '_T', 'COUNT', period, total + Math.floor(random() * 50), 'A', reportId, 1].join(','));
  return { name: `${reportId.toLowerCase()}.csv`, text: `${HEADER}\n${rows.join('\n')}\n`, reportId, state };
}
