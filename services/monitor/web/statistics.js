/* global document, location, fetch, URLSearchParams */
// The statistics page: the reports on comity.stats (GET /api/stats), charts as inline SVG.
// Reports come as proto3 JSON: fields at their default value are absent.

const SVG = 'http://www.w3.org/2000/svg';
const OUTCOMES = ['EXECUTED', 'PARTIALLY_EXECUTED', 'REFUSED', 'WITHDRAWN', 'NOT_DELIVERED', 'PENDING'];
const COLOURS = { EXECUTED: '#1a7f37', PARTIALLY_EXECUTED: '#7cc489', REFUSED: '#cf222e', WITHDRAWN: '#9a6700', NOT_DELIVERED: '#6e7781', PENDING: '#0b5cad' };
const LABELS = { EXECUTED: 'executed', PARTIALLY_EXECUTED: 'partially executed', REFUSED: 'refused', WITHDRAWN: 'withdrawn', NOT_DELIVERED: 'not delivered', PENDING: 'pending' };
const number = new Intl.NumberFormat('en');

const $ = (id) => document.getElementById(id);
const el = (name, attributes = {}, text) => {
  const node = document.createElement(name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
};
const svgEl = (name, attributes = {}, text) => {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
};

/** An observation with its proto3 JSON defaults filled in and enum prefixes dropped. */
function cell(o) {
  const strip = (value, prefix) => (value && value !== `${prefix}UNSPECIFIED` ? value.slice(prefix.length) : '_T');
  return {
    origin: o.originNetwork || '_T',
    destination: o.destinationNetwork || '_T',
    type: strip(o.requestType, 'REQUEST_TYPE_'),
    iccs: o.iccsCode || '_T',
    outcome: strip(o.outcome, 'STATISTIC_OUTCOME_'),
    measure: strip(o.measure, 'STATISTIC_MEASURE_'),
    value: o.value ?? 0,
    suppressed: o.suppressed === true,
    secondary: o.suppression === 'SUPPRESSION_SECONDARY',
    flowOnly: !o.reportingCountry && !o.counterpartCountry && !o.stage,
  };
}

function shown(c, threshold) {
  if (!c) return '0';
  if (!c.suppressed) return number.format(c.value);
  return c.secondary ? 'withheld' : `<${threshold}`;
}

async function load(month) {
  const message = $('stats-message');
  message.textContent = '';
  const query = month ? `?month=${encodeURIComponent(month)}` : '';
  $('download').setAttribute('href', `/api/stats?format=sdmx-csv${month ? `&month=${encodeURIComponent(month)}` : ''}`);
  let data;
  try {
    const response = await fetch(`/api/stats${query}`);
    data = await response.json();
    if (!response.ok) throw new Error(data.reason ?? response.statusText);
  } catch (error) {
    message.textContent = `Statistics could not be read: ${error.message}`;
    return;
  }
  const select = $('month');
  if (select.options.length === 0) {
    for (const m of data.months) select.append(el('option', { value: m }, m));
    if (!month && data.months[0]) return load(data.months[0]);
  }
  if (month) select.value = month;
  const hub = data.reports.find((entry) => entry.originNetwork === 'hub' && entry.report.period === month);
  const centres = data.reports.filter((entry) => entry.originNetwork !== 'hub');
  if (!hub) message.textContent = data.months.length ? `No hub statistics for ${month}.` : 'No statistics published yet: the stats service publishes each month once it has ended.';
  renderHub(hub?.report);
  renderCentres(centres);
}

function renderHub(report) {
  const threshold = report?.suppressionThreshold ?? 5;
  const cells = (report?.observations ?? []).map(cell).filter((c) => c.flowOnly);
  $('report-meta').textContent = report
    ? `${report.reportId}, revision ${report.revision ?? 0}, computed ${report.generatedAt ?? '?'}; counts below ${threshold} withheld.`
    : '';
  const counts = cells.filter((c) => c.measure === 'COUNT');
  const pairCells = counts.filter((c) => c.type === '_T' && c.iccs === '_T' && c.origin !== '_T' && c.destination !== '_T');
  const pairs = [...new Set(pairCells.map((c) => `${c.origin}→${c.destination}`))].sort();
  const find = (origin, destination, outcome) => pairCells.find((c) => c.origin === origin && c.destination === destination && c.outcome === outcome);
  drawPairs(pairs.map((key) => {
    const [origin, destination] = key.split('→');
    return { origin, destination, total: find(origin, destination, '_T'), parts: OUTCOMES.map((outcome) => ({ outcome, cell: find(origin, destination, outcome) })) };
  }), threshold);

  const durations = cells.filter((c) => c.type === '_T' && c.iccs === '_T' && c.outcome === '_T' && (c.measure === 'MEDIAN_DAYS' || c.measure === 'P90_DAYS'));
  const rows = [...new Set(durations.map((c) => `${c.origin}→${c.destination}`))].sort().map((key) => {
    const [origin, destination] = key.split('→');
    const of = (measure) => durations.find((c) => c.origin === origin && c.destination === destination && c.measure === measure);
    return { label: origin === '_T' && destination === '_T' ? 'all' : `${origin} → ${destination}`, median: of('MEDIAN_DAYS'), p90: of('P90_DAYS') };
  });
  drawTurnaround(rows.filter((row) => row.median && !row.median.suppressed));

  table($('pairs-table'), ['origin → destination', 'requests', ...OUTCOMES.map((o) => LABELS[o])],
    pairs.map((key) => {
      const [origin, destination] = key.split('→');
      return [`${origin} → ${destination}`, find(origin, destination, '_T'), ...OUTCOMES.map((o) => find(origin, destination, o))];
    }), threshold);
  const byType = counts.filter((c) => c.origin === '_T' && c.destination === '_T' && c.iccs === '_T' && c.type !== '_T');
  const types = [...new Set(byType.map((c) => c.type))].sort();
  table($('types-table'), ['request type', 'requests', ...OUTCOMES.map((o) => LABELS[o])],
    types.map((type) => [type.toLowerCase().replaceAll('_', ' '), byType.find((c) => c.type === type && c.outcome === '_T'), ...OUTCOMES.map((o) => byType.find((c) => c.type === type && c.outcome === o))]), threshold);
  const byIccs = counts.filter((c) => c.origin === '_T' && c.destination === '_T' && c.type === '_T' && c.iccs !== '_T');
  const sections = [...new Set(byIccs.map((c) => c.iccs))].sort();
  table($('iccs-table'), ['ICCS section', 'requests', ...OUTCOMES.map((o) => LABELS[o])],
    sections.map((iccs) => [iccs === '_U' ? 'unknown' : iccs, byIccs.find((c) => c.iccs === iccs && c.outcome === '_T'), ...OUTCOMES.map((o) => byIccs.find((c) => c.iccs === iccs && c.outcome === o))]), threshold);
}

function table(node, header, rows, threshold) {
  node.replaceChildren();
  const head = el('thead');
  const tr = el('tr');
  header.forEach((title, i) => tr.append(el('th', i === 0 ? { scope: 'col' } : { scope: 'col', class: 'num' }, title)));
  head.append(tr);
  const body = el('tbody');
  if (rows.length === 0) {
    const empty = el('tr');
    empty.append(el('td', { colspan: String(header.length), class: 'empty' }, 'none'));
    body.append(empty);
  }
  for (const [label, ...cells] of rows) {
    const row = el('tr');
    row.append(el('th', { scope: 'row' }, label));
    for (const c of cells) row.append(el('td', { class: c?.suppressed ? 'num withheld' : 'num' }, shown(c, threshold)));
    body.append(row);
  }
  node.append(head, body);
}

/** Horizontal stacked bars, one per pair: published outcomes in colour, the withheld remainder hatched. */
function drawPairs(rows, threshold) {
  const host = $('pairs-chart');
  host.replaceChildren();
  const legend = $('legend');
  legend.replaceChildren(...[...OUTCOMES, 'WITHHELD'].map((o) => el('li', { class: `o-${o}` }, o === 'WITHHELD' ? 'withheld' : LABELS[o])));
  if (rows.length === 0) return;
  const labelWidth = 260;
  const width = 900;
  const barHeight = 22;
  const height = rows.length * (barHeight + 10) + 10;
  const max = Math.max(1, ...rows.map((row) => row.total?.value ?? 0));
  const scale = (value) => ((width - labelWidth - 60) * value) / max;
  const svg = svgEl('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `Requests by pair of networks and outcome, ${rows.length} pairs` });
  const defs = svgEl('defs');
  const pattern = svgEl('pattern', { id: 'withheld', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' });
  pattern.append(svgEl('rect', { width: 6, height: 6, fill: '#ffffff' }), svgEl('rect', { width: 3, height: 6, fill: '#d0d7de' }));
  defs.append(pattern);
  svg.append(defs);
  rows.forEach((row, i) => {
    const y = 10 + i * (barHeight + 10);
    svg.append(svgEl('text', { x: labelWidth - 8, y: y + barHeight / 2 + 4, 'text-anchor': 'end' }, `${row.origin} → ${row.destination}`));
    let x = labelWidth;
    if (!row.total || row.total.suppressed) {
      svg.append(svgEl('text', { x, y: y + barHeight / 2 + 4, class: 'muted' }, row.total?.secondary ? 'withheld' : `fewer than ${threshold}`));
      return;
    }
    let published = 0;
    for (const { outcome, cell: c } of row.parts) {
      if (!c || c.suppressed) continue;
      published += c.value;
      const w = scale(c.value);
      const rect = svgEl('rect', { x, y, width: Math.max(w, 0.5), height: barHeight, fill: COLOURS[outcome] });
      rect.append(svgEl('title', {}, `${row.origin} → ${row.destination}: ${number.format(c.value)} ${LABELS[outcome]}`));
      svg.append(rect);
      x += w;
    }
    const hidden = row.total.value - published;
    if (hidden > 0) {
      const rect = svgEl('rect', { x, y, width: scale(hidden), height: barHeight, fill: 'url(#withheld)', stroke: '#8c959f', 'stroke-width': 0.5 });
      rect.append(svgEl('title', {}, `${number.format(hidden)} in outcomes withheld (small counts)`));
      svg.append(rect);
      x += scale(hidden);
    }
    svg.append(svgEl('text', { x: x + 6, y: y + barHeight / 2 + 4 }, number.format(row.total.value)));
  });
  host.append(svg);
}

/** Median (dot) and 90th percentile (bar end) per pair, in days. */
function drawTurnaround(rows) {
  const host = $('turnaround-chart');
  host.replaceChildren();
  if (rows.length === 0) {
    host.append(el('p', { class: 'hint' }, 'No turnaround over enough requests this month.'));
    return;
  }
  const labelWidth = 220;
  const width = 640;
  const rowHeight = 24;
  const height = rows.length * rowHeight + 30;
  const max = Math.max(1, ...rows.map((row) => (row.p90 && !row.p90.suppressed ? row.p90.value : row.median.value)));
  const scale = (days) => labelWidth + ((width - labelWidth - 120) * days) / max;
  const svg = svgEl('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Turnaround in days: median and 90th percentile by pair of networks' });
  rows.forEach((row, i) => {
    const y = 10 + i * rowHeight + rowHeight / 2;
    svg.append(svgEl('text', { x: labelWidth - 8, y: y + 4, 'text-anchor': 'end' }, row.label));
    const p90 = row.p90 && !row.p90.suppressed ? row.p90.value : undefined;
    if (p90 !== undefined) svg.append(svgEl('rect', { x: labelWidth, y: y - 4, width: scale(p90) - labelWidth, height: 8, fill: '#ddf4ff', stroke: '#0b5cad', 'stroke-width': 0.5 }));
    const dot = svgEl('circle', { cx: scale(row.median.value), cy: y, r: 5, fill: '#0b5cad' });
    dot.append(svgEl('title', {}, `${row.label}: median ${row.median.value} days${p90 !== undefined ? `, 90th percentile ${p90} days` : ''}`));
    svg.append(dot);
    svg.append(svgEl('text', { x: scale(p90 ?? row.median.value) + 8, y: y + 4, class: 'muted' }, `${row.median.value} / ${p90 ?? '–'} d`));
  });
  svg.append(svgEl('text', { x: labelWidth, y: height - 4, class: 'muted' }, '0 days'));
  svg.append(svgEl('text', { x: scale(max), y: height - 4, class: 'muted', 'text-anchor': 'end' }, `${number.format(max)} days`));
  host.append(svg);
}

function renderCentres(entries) {
  const rows = entries.flatMap(({ originNetwork, report }) =>
    (report.observations ?? []).map((o) => {
      const c = cell(o);
      const words = (code) => (code === '_T' ? 'all' : code.toLowerCase().replaceAll('_', ' '));
      return [
        `${report.reporter ?? originNetwork} · ${report.reportId} (rev. ${report.revision ?? 0})`,
        report.period,
        o.reportingCountry ?? 'all',
        o.counterpartCountry ?? 'all',
        words(c.type),
        c.iccs === '_T' ? 'all' : c.iccs,
        words(c.outcome),
        words(c.measure),
        c.suppressed ? (c.secondary ? 'withheld' : `<${report.suppressionThreshold ?? 5}`) : number.format(c.value),
      ];
    }),
  );
  const node = $('centres-table');
  node.replaceChildren();
  const head = el('thead');
  const tr = el('tr');
  for (const title of ['report', 'period', 'country', 'counterpart', 'request type', 'ICCS', 'outcome', 'measure', 'value']) tr.append(el('th', { scope: 'col' }, title));
  head.append(tr);
  const body = el('tbody');
  if (rows.length === 0) {
    const empty = el('tr');
    empty.append(el('td', { colspan: '9', class: 'empty' }, 'none for this period'));
    body.append(empty);
  }
  for (const values of rows) {
    const row = el('tr');
    values.forEach((value, i) => row.append(el('td', i === 8 ? { class: 'num' } : {}, value)));
    body.append(row);
  }
  node.append(head, body);
}

$('month').addEventListener('change', (event) => void load(event.target.value));
$('month-form').addEventListener('submit', (event) => event.preventDefault());
void load(new URLSearchParams(location.search).get('month') ?? '');
