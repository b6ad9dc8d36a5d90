/* global document, window, location, fetch, EventSource, HTMLInputElement, HTMLTextAreaElement, setTimeout, clearTimeout */
// The flows page of the Comity dashboard. Plain browser JavaScript, no framework, nothing
// loaded from elsewhere: it talks only to the monitor that served it (see services/monitor/http.ts).
// Data is always put in the page with textContent, never as HTML.

const $ = (selector) => document.querySelector(selector);
const SVG = 'http://www.w3.org/2000/svg';
const number = new Intl.NumberFormat('en');

const TRANSPORT_TYPES = new Set([
  'comity.v1.RequestSubmitted',
  'comity.v1.RequestRelayed',
  'comity.v1.RequestDelivered',
  'comity.v1.RequestNotDelivered',
  'comity.v1.RequestRetrieved',
  'comity.hub.RouteRefused',
]);

let latest;

// ---- small helpers ------------------------------------------------------------------------

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') node.textContent = String(value);
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== undefined && child !== null) node.append(child);
  return node;
}

function svg(tag, attributes = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

function numCell(value, name) {
  return el('td', { class: 'num', 'data-counter': name, text: number.format(value ?? 0) });
}

function time(value) {
  if (!value) return '—';
  const date = typeof value === 'number' ? new Date(value) : new Date(value);
  return Number.isNaN(date.getTime()) ? '—' : date.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

function seconds(value) {
  if (value === undefined) return '—';
  if (value < 1) return `${Math.round(value * 1000)} ms`;
  if (value < 120) return `${value.toFixed(1)} s`;
  return `${(value / 60).toFixed(1)} min`;
}

function shortType(type) {
  return (type || '').replace(/^comity\.(v1|hub)\./, '');
}

function label(enumName, prefix) {
  return (enumName || '').replace(prefix, '').toLowerCase().replaceAll('_', ' ') || '—';
}

function replaceRows(tbody, rows) {
  tbody.replaceChildren(...rows);
}

// ---- live flows ---------------------------------------------------------------------------

function connect() {
  const state = $('#live-state');
  const source = new EventSource('/api/stream');
  source.addEventListener('open', () => {
    state.dataset.state = 'live';
    state.textContent = 'live';
  });
  source.addEventListener('flows', (message) => render(JSON.parse(message.data)));
  source.addEventListener('error', () => {
    state.dataset.state = 'down';
    state.textContent = 'reconnecting';
  });
}

function render(snapshot) {
  latest = snapshot;
  document.body.dataset.records = String(snapshot.records);
  $('#live-detail').textContent =
    `· ${number.format(snapshot.records)} records · ${number.format(snapshot.requests)} requests · ` +
    (snapshot.catchUpMs === undefined ? 'catching up…' : `rebuilt in ${seconds(snapshot.catchUpMs / 1000)}`) +
    ` · updated ${time(snapshot.observedAt).slice(11)}`;
  $('#counting-since').textContent = time(snapshot.countingSince);
  renderNetworks(snapshot);
  renderPairs(snapshot);
  renderDeadLetterSummary(snapshot);
  renderGraph(snapshot);
}

function networkName(snapshot, id) {
  return snapshot.federation.find((network) => network.id === id)?.name ?? id;
}

function renderNetworks(snapshot) {
  const lagOf = (id) => snapshot.lag.filter((entry) => entry.network === id && entry.group.endsWith(id) && entry.topic.includes('.outbound.'));
  const rows = snapshot.networks.map((network) => {
    const lag = lagOf(network.network);
    return el(
      'tr',
      { 'data-network': network.network },
      el('th', { scope: 'row' }, el('span', { class: 'id', text: network.network }), el('span', { class: 'name', text: networkName(snapshot, network.network) })),
      numCell(network.counters.received, 'received'),
      numCell(network.counters.routed, 'routed'),
      numCell(network.counters.delivered, 'delivered'),
      numCell(network.counters.rejected, 'rejected'),
      numCell(network.counters.queued, 'queued'),
      el('td', { class: 'num', 'data-counter': 'lag', text: lag.length ? number.format(lag.reduce((sum, entry) => sum + entry.lag, 0)) : '—' }),
      el('td', { text: network.adapterLastSeen ? time(network.adapterLastSeen) : '—' }),
    );
  });
  replaceRows($('#network-table tbody'), rows);
}

function renderPairs(snapshot) {
  const rows = snapshot.pairs.map((pair) =>
    el(
      'tr',
      { 'data-pair': `${pair.origin}>${pair.destination}` },
      el('th', { scope: 'row', text: pair.origin }),
      el('td', { text: pair.destination }),
      numCell(pair.counters.received, 'received'),
      numCell(pair.counters.routed, 'routed'),
      numCell(pair.counters.delivered, 'delivered'),
      numCell(pair.counters.rejected, 'rejected'),
      numCell(pair.counters.queued, 'queued'),
      el('td', { class: 'num', text: seconds(pair.latency.p50) }),
      el('td', { class: 'num', text: seconds(pair.latency.p95) }),
    ),
  );
  if (rows.length === 0) rows.push(el('tr', {}, el('td', { colspan: 9, class: 'empty', text: 'No events between networks yet.' })));
  replaceRows($('#pair-table tbody'), rows);
}

function renderDeadLetterSummary(snapshot) {
  const rows = [];
  for (const network of snapshot.networks) {
    for (const [reason, count] of Object.entries(network.deadLettersByReason)) {
      rows.push(
        el(
          'tr',
          { 'data-dlq': `${network.network}/${reason}` },
          el('th', { scope: 'row', text: network.network }),
          el('td', {}, el('code', { text: reason })),
          el('td', { class: 'num', text: number.format(count) }),
          el(
            'td',
            {},
            el('button', {
              type: 'button',
              text: 'Show',
              'aria-label': `Show dead letters of ${network.network} with reason ${reason}`,
              onclick: () => showDeadLetters(network.network, reason),
            }),
          ),
        ),
      );
    }
  }
  if (rows.length === 0) rows.push(el('tr', {}, el('td', { colspan: 4, class: 'empty', text: 'No dead letters.' })));
  replaceRows($('#dlq-summary tbody'), rows);
}

// The graph: networks on a circle (those with traffic first), arrows weighted by events routed.
function renderGraph(snapshot) {
  const edges = $('#graph-edges');
  const nodes = $('#graph-nodes');
  const active = new Set(snapshot.pairs.flatMap((pair) => [pair.origin, pair.destination]));
  const ids = snapshot.federation.map((network) => network.id);
  for (const network of snapshot.networks) if (!ids.includes(network.network)) ids.push(network.network);
  const cx = 380;
  const cy = 260;
  const radius = 200;
  const position = new Map(
    ids.map((id, index) => {
      const angle = (2 * Math.PI * index) / Math.max(ids.length, 1) - Math.PI / 2;
      return [id, { x: cx + radius * Math.cos(angle), y: cy + radius * Math.sin(angle), angle }];
    }),
  );
  const maxRouted = Math.max(1, ...snapshot.pairs.map((pair) => pair.counters.routed));
  const edgeNodes = [];
  for (const pair of snapshot.pairs) {
    const from = position.get(pair.origin);
    const to = position.get(pair.destination);
    if (!from || !to || pair.origin === pair.destination) continue;
    // Curve each direction to its own side, so A→B and B→A do not overlap.
    const mx = (from.x + to.x) / 2;
    const my = (from.y + to.y) / 2;
    const dx = to.x - from.x;
    const dy = to.y - from.y;
    const length = Math.hypot(dx, dy) || 1;
    const bend = 0.18 * length;
    const qx = mx - (dy / length) * bend;
    const qy = my + (dx / length) * bend;
    // Stop short of the node circles.
    const end = shorten(qx, qy, to.x, to.y, 20);
    const start = shorten(qx, qy, from.x, from.y, 18);
    const width = 1.5 + 9 * Math.sqrt(pair.counters.routed / maxRouted);
    const problem = pair.counters.rejected > 0 ? ' has-rejected' : pair.counters.queued > 0 ? ' has-queued' : '';
    const path = svg('path', {
      d: `M ${start.x} ${start.y} Q ${qx} ${qy} ${end.x} ${end.y}`,
      class: `edge${problem}`,
      'stroke-width': width.toFixed(1),
      'marker-end': 'url(#arrow)',
      tabindex: 0,
      'data-pair': `${pair.origin}>${pair.destination}`,
      'aria-label': `${pair.origin} to ${pair.destination}: ${pair.counters.routed} routed, ${pair.counters.delivered} delivered, ${pair.counters.rejected} rejected, ${pair.counters.queued} queued`,
    });
    const title = svg('title');
    title.textContent = path.getAttribute('aria-label');
    path.append(title);
    const countLabel = svg('text', { x: qx, y: qy, class: 'edge-label', 'aria-hidden': 'true' });
    countLabel.textContent = number.format(pair.counters.routed);
    edgeNodes.push(path, countLabel);
  }
  edges.replaceChildren(...edgeNodes);
  const nodeNodes = ids.map((id) => {
    const at = position.get(id);
    const counters = snapshot.networks.find((network) => network.network === id)?.counters;
    const group = svg('g', { class: `node${active.has(id) ? ' active' : ''}`, 'data-network': id });
    group.append(svg('circle', { cx: at.x, cy: at.y, r: 16 }));
    const outside = { x: at.x + 34 * Math.cos(at.angle), y: at.y + 34 * Math.sin(at.angle) };
    const anchor = Math.abs(Math.cos(at.angle)) < 0.3 ? 'middle' : Math.cos(at.angle) > 0 ? 'start' : 'end';
    const text = svg('text', { x: outside.x, y: outside.y + 4, 'text-anchor': anchor });
    text.textContent = id;
    const title = svg('title');
    title.textContent = `${networkName(snapshot, id)}: ${counters?.received ?? 0} received, ${counters?.delivered ?? 0} delivered`;
    group.append(text, title);
    return group;
  });
  nodes.replaceChildren(...nodeNodes);
  const busiest = [...snapshot.pairs].sort((a, b) => b.counters.routed - a.counters.routed).slice(0, 5);
  $('#flow-graph-desc').textContent = busiest.length
    ? `Busiest flows: ${busiest.map((pair) => `${pair.origin} to ${pair.destination}, ${pair.counters.routed} events`).join('; ')}.`
    : 'No flows yet.';
}

function shorten(fromX, fromY, toX, toY, by) {
  const dx = toX - fromX;
  const dy = toY - fromY;
  const length = Math.hypot(dx, dy) || 1;
  return { x: toX - (dx / length) * by, y: toY - (dy / length) * by };
}

// ---- dead letters -------------------------------------------------------------------------

let shownLetters = { network: '', reason: '', letters: [] };

async function showDeadLetters(network, reason) {
  const message = $('#dlq-message');
  message.textContent = 'Loading…';
  const response = await fetch(`/api/dead-letters?network=${encodeURIComponent(network)}&reason=${encodeURIComponent(reason)}&limit=500`);
  const body = await response.json();
  if (!response.ok) {
    message.textContent = `Could not list dead letters: ${body.reason ?? response.status}`;
    return;
  }
  shownLetters = { network, reason, letters: body.deadLetters };
  message.textContent = `${body.deadLetters.length} dead letters of ${network} with reason ${reason}.`;
  $('#dlq-detail').hidden = false;
  $('#dlq-detail-title').textContent = `${network} · ${reason}`;
  renderLetters();
  $('#dlq-detail-title').focus();
}

function renderLetters() {
  const rows = shownLetters.letters.map((letter) =>
    el(
      'tr',
      { 'data-letter': letter.id },
      el('td', { text: time(letter.failedAt) }),
      el('td', { text: letter.stage }),
      el('td', {}, letter.requestId ? el('a', { href: `#request=${encodeURIComponent(letter.requestId)}`, text: letter.requestId }) : '—'),
      el('td', { text: shortType(letter.eventType) || '(native message)' }),
      el('td', { class: 'reason', text: letter.reason }),
      el('td', { text: letter.retriable ? 'yes' : 'no' }),
      el('td', { 'data-state': letter.redriven ? 'redriven' : 'waiting', text: letter.redriven ? 'redriven' : 'waiting' }),
      el(
        'td',
        {},
        el('button', {
          type: 'button',
          text: 'Redrive',
          disabled: letter.redriven,
          'aria-label': `Redrive dead letter ${letter.id}${letter.requestId ? ` of request ${letter.requestId}` : ''}`,
          onclick: () => redrive([letter.id]),
        }),
      ),
    ),
  );
  if (rows.length === 0) rows.push(el('tr', {}, el('td', { colspan: 8, class: 'empty', text: 'None.' })));
  replaceRows($('#dlq-letters tbody'), rows);
}

async function redrive(ids) {
  const message = $('#dlq-message');
  const { network, reason } = shownLetters;
  message.textContent = `Redriving ${ids ? ids.length : 'all'}…`;
  const response = await fetch('/api/dead-letters/redrive', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ids ? { network, ids } : { network, reason }),
  });
  const body = await response.json();
  if (!response.ok) {
    message.textContent = `Redrive failed: ${body.reason ?? response.status}`;
    return;
  }
  message.textContent = `Redriven: ${body.redriven}.` + (body.notRedriven.length ? ` Not redriven: ${body.notRedriven.length}.` : '');
  await showDeadLetters(network, reason);
  message.textContent = `Redriven: ${body.redriven}.` + (body.notRedriven.length ? ` Not redriven: ${body.notRedriven.length}.` : '');
}

// ---- request search -----------------------------------------------------------------------

let suggestTimer;
async function suggest(query) {
  const response = await fetch(`/api/requests?q=${encodeURIComponent(query)}&limit=20`);
  if (!response.ok) return;
  const { requests } = await response.json();
  $('#request-suggestions').replaceChildren(...requests.map((entry) => el('option', { value: entry.requestId })));
}

async function showRequest(query) {
  const message = $('#search-message');
  const id = query.trim();
  if (!id) return;
  let response = await fetch(`/api/requests/${encodeURIComponent(id)}`);
  if (response.status === 404) {
    // Not an exact id: take the one match, if there is exactly one.
    const search = await (await fetch(`/api/requests?q=${encodeURIComponent(id)}&limit=2`)).json();
    if (search.requests.length === 1) response = await fetch(`/api/requests/${encodeURIComponent(search.requests[0].requestId)}`);
    else {
      message.textContent = search.requests.length ? `Several requests match “${id}”: pick one from the list.` : `No request “${id}”.`;
      if (search.requests.length) suggest(id);
      return;
    }
  }
  if (!response.ok) {
    message.textContent = `Could not load the request (${response.status}).`;
    return;
  }
  message.textContent = '';
  renderRequest(await response.json());
}

function renderRequest(record) {
  const summary = record.summary ?? {};
  $('#request-section').hidden = false;
  $('#request-title').textContent = `Request ${summary.requestId}`;
  const facts = [
    ['Request id', summary.requestId],
    ['Type', label(summary.requestType, 'REQUEST_TYPE_')],
    ['From network', summary.originNetwork],
    ['Networks', (summary.networks ?? []).join(', ') || '—'],
    ['Requested States', (summary.requestedStates ?? []).join(', ') || '—'],
    ['Transport', label(summary.transportStatus, 'TRANSPORT_STATUS_')],
    ['Legal', label(summary.legalStatus, 'LEGAL_STATUS_')],
    ['Submitted', time(summary.submittedAt)],
    ['Last event', time(summary.lastEventAt)],
    ['Deadline', time(summary.deadline)],
  ];
  $('#request-summary').replaceChildren(
    ...facts.flatMap(([term, value]) => [el('dt', { text: term }), el('dd', { 'data-fact': term, text: value || '—' })]),
  );
  const eventsById = new Map((record.timeline ?? []).map((entry) => [entry.eventId, entry]));
  replaceRows(
    $('#request-timeline tbody'),
    (record.timeline ?? []).map((entry) => {
      const layer = TRANSPORT_TYPES.has(entry.type) ? 'transport' : 'legal';
      const regarding = entry.regardingEventId ? eventsById.get(entry.regardingEventId) : undefined;
      return el(
        'tr',
        { 'data-type': entry.type, 'data-layer': layer },
        el('td', { text: time(entry.time) }),
        el('td', {}, el('span', { class: `layer ${layer}`, text: layer })),
        el('td', { text: shortType(entry.type) + (entry.final ? ' (final)' : '') + (entry.sealed ? ' 🔒' : '') }),
        el('td', { text: entry.originNetwork }),
        el('td', { text: regarding ? shortType(regarding.type) : entry.regardingEventId ? entry.regardingEventId.slice(0, 13) + '…' : '' }),
        el('td', { text: entry.note || (entry.targets ?? []).map((target) => target.network || target.state).filter(Boolean).join(', ') }),
      );
    }),
  );
  const deadlines = (record.deadlines ?? []).map((deadline) =>
    el('tr', {}, el('td', { text: deadline.name }), el('td', { text: deadline.basis }), el('td', { text: time(deadline.due) }), el('td', { text: deadline.metAt ? time(deadline.metAt) : 'running' })),
  );
  if (deadlines.length === 0) deadlines.push(el('tr', {}, el('td', { colspan: 4, class: 'empty', text: 'No deadline runs.' })));
  replaceRows($('#request-deadlines tbody'), deadlines);
  const receipts = (record.expectedReceipts ?? []).map((receipt) =>
    el(
      'tr',
      { 'data-receipt': receipt.network },
      el('td', { text: receipt.network }),
      el('td', { text: shortType(eventsById.get(receipt.regardingEventId)?.type) || receipt.regardingEventId }),
      el('td', { text: time(receipt.expectedBy) }),
      el('td', { text: receipt.receivedAt ? time(receipt.receivedAt) : 'awaited' }),
    ),
  );
  if (receipts.length === 0) receipts.push(el('tr', {}, el('td', { colspan: 4, class: 'empty', text: 'No receipts expected.' })));
  replaceRows($('#request-receipts tbody'), receipts);
  const flags = record.flags ?? [];
  $('#request-flags-wrap').hidden = flags.length === 0;
  $('#request-flags').replaceChildren(...flags.map((flag) => el('li', { text: `${shortType(flag.type)}: ${flag.problem}` })));
  $('#request-title').focus();
}

// ---- wiring -------------------------------------------------------------------------------

function start() {
  const search = $('#request-search');
  $('#request-search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = `request=${encodeURIComponent(search.value.trim())}`;
  });
  search.addEventListener('input', () => {
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(() => suggest(search.value), 150);
  });
  document.addEventListener('keydown', (event) => {
    const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement;
    if (event.key === '/' && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      search.focus();
      search.select();
    }
  });
  $('#dlq-redrive-all').addEventListener('click', () => redrive(shownLetters.letters.filter((letter) => !letter.redriven).map((letter) => letter.id)));
  $('#dlq-close').addEventListener('click', () => {
    $('#dlq-detail').hidden = true;
    $('#dlq-message').textContent = '';
  });
  const fromHash = () => {
    const match = /^#request=(.+)$/.exec(location.hash);
    if (match) {
      const id = decodeURIComponent(match[1]);
      search.value = id;
      showRequest(id);
    }
  };
  window.addEventListener('hashchange', fromHash);
  fromHash();
  fetch('/api/flows')
    .then((response) => response.json())
    .then((snapshot) => latest ?? render(snapshot))
    .catch(() => undefined);
  connect();
}

start();
