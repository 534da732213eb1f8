// The cluster page: renders /api/nodes, /api/sessions, /api/crashes and /api/cores and refreshes them (needs countdown.js).
'use strict';

const RefreshMs = 5000;
const MaxCores = 200;
const Signals = { 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE', 9: 'SIGKILL', 11: 'SIGSEGV', 24: 'SIGXCPU', 25: 'SIGXFSZ', 31: 'SIGSYS' };

function el(tag, attributes, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attributes || {})) {
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c ?? '—');
  return e;
}

function bytes(n) {
  if (n == null) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

// Session URLs name the gateway that opened them; any gateway serves any session, so stay on this one.
const here = url => location.origin + new URL(url).pathname;

function fill(table, rows, empty) {
  const body = table.tBodies[0];
  body.replaceChildren(...rows);
  if (rows.length === 0) body.append(el('tr', {}, el('td', { colspan: table.tHead.rows[0].cells.length, class: 'empty' }, empty)));
}

async function api(path, init) {
  const response = await fetch(path, { credentials: 'same-origin', ...init });
  if (!response.ok && response.status !== 204) throw new Error(`${path}: ${response.status} ${(await response.json().catch(() => ({}))).detail ?? ''}`);
  return response;
}

async function closeSession(id) {
  await api(`/api/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' });
  refresh();
}

async function debugCore(core) {
  const body = {
    'param.diagnoser.runtime.core_file_profiler.type': 'coredump',
    'param.diagnoser.runtime.core_file_profiler.expiration_seconds': '3600',
    'param.diagnoser.runtime.core_file_profiler.filepath': core.path,
    'node': core.node,
  };
  const response = await api('/processor/coreFileProfiler', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  location.href = here((await response.json())['diagnoser.runtime.core_file_profiler.result.endpoint']);
}

const utc = time => time.replace('T', ' ').slice(0, 19);

// Crashes per hour over the last 24 h as inline SVG bars (PerHour: oldest first, the last is the current UTC hour).
// Every label is set as an attribute or text, never parsed as markup.
function perHourChart(perHour) {
  const svg = 'http://www.w3.org/2000/svg', width = 4, gap = 1, height = 24;
  const max = Math.max(1, ...perHour);
  const total = perHour.reduce((a, b) => a + b, 0);
  const chart = document.createElementNS(svg, 'svg');
  chart.setAttribute('class', 'per-hour');
  chart.setAttribute('width', perHour.length * (width + gap));
  chart.setAttribute('height', height);
  chart.setAttribute('role', 'img');
  chart.setAttribute('aria-label', `${total} crashes in the last 24 hours, per hour`);
  const title = document.createElementNS(svg, 'title');
  title.textContent = `${total} crashes in the last 24 hours (one bar per hour, the newest on the right)`;
  chart.append(title);
  const hour = new Date();
  perHour.forEach((n, i) => {
    const bar = document.createElementNS(svg, 'rect');
    const h = n === 0 ? 1 : Math.max(2, Math.round(n / max * height));
    bar.setAttribute('x', i * (width + gap));
    bar.setAttribute('y', height - h);
    bar.setAttribute('width', width);
    bar.setAttribute('height', h);
    bar.setAttribute('class', n === 0 ? 'none' : 'crashes');
    bar.dataset.count = n;
    const label = document.createElementNS(svg, 'title');
    const start = new Date(hour.getTime() - (perHour.length - 1 - i) * 3600_000);
    label.textContent = `${String(start.getUTCHours()).padStart(2, '0')}:00 UTC: ${n} crash${n === 1 ? '' : 'es'}`;
    bar.append(label);
    chart.append(bar);
  });
  return chart;
}

// Opens a session on the group's newest kept core, or says why there is none.
function debugNewest(group) {
  const newest = group.cores.at(-1);
  if (!newest) {
    return el('span', {}, el('button', { class: 'button', disabled: '', title: 'No core of this group is kept on disk: later crashes keep only their report.' }, 'debug newest'),
      el('div', { class: 'ago' }, 'no core kept'));
  }
  return el('button', { class: 'button debug-newest', title: `${newest.node}: ${newest.path}`, onclick: () => debugCore(newest) }, 'debug newest');
}

function crashRow(g) {
  return el('tr', {},
    el('td', { class: 'path' }, `${g.namespace ?? '(node)'}/${g.container ?? '—'}`, el('div', { class: 'ago signature', title: 'crash signature' }, g.signature)),
    el('td', { class: 'summary' }, g.summary),
    el('td', { class: 'num' }, g.count),
    el('td', {}, perHourChart(g.perHour)),
    el('td', { class: 'when' }, utc(g.firstSeen)), el('td', { class: 'when' }, utc(g.lastSeen)),
    el('td', {}, g.nodes.join(', ')),
    el('td', { class: 'actions' }, debugNewest(g)));
}

async function refresh() {
  try {
    const [nodes, sessions, crashes, cores] = await Promise.all(['/api/nodes', '/api/sessions', '/api/crashes', '/api/cores'].map(p => api(p).then(r => r.json())));
    fill(document.getElementById('nodes'), nodes.map(n => el('tr', { class: n.status },
      el('td', { class: 'path' }, n.node), el('td', { class: `status-${n.status}` }, n.status),
      el('td', { class: 'num' }, n.containers), el('td', { class: 'num' }, n.liveSessions),
      el('td', { class: 'num' }, n.cores), el('td', { class: 'num' }, bytes(n.coreBytes)))), 'No nodes.');
    fill(document.getElementById('sessions'), sessions.map(s => el('tr', {},
      el('td', { class: 'path' }, el('a', { href: here(s.url) }, s.target)), el('td', {}, s.node), el('td', {}, s.type),
      el('td', {}, s.terminals.map(t => `${t.target} (${t.viewers} viewing)`).join(', ') || '—'),
      el('td', {}, formatTimeLeft(secondsLeft(Date.parse(s.expiresAt)))),
      el('td', { class: 'actions' }, el('button', { class: 'button', onclick: () => closeSession(s.id) }, 'close')))), 'No live sessions.');
    crashes.sort((a, b) => Date.parse(b.lastSeen) - Date.parse(a.lastSeen));
    fill(document.getElementById('crashes'), crashes.map(crashRow), 'No crashes reported yet.');
    fill(document.getElementById('cores'), cores.slice(0, MaxCores).map(c => el('tr', {},
      el('td', { class: 'path', title: c.path }, c.pod ? `${c.namespace}/${c.pod}/${c.container}` : `(node) ${c.path.split('/').pop()}`),
      el('td', {}, c.node), el('td', {}, c.signal == null ? '—' : Signals[c.signal] ?? `signal ${c.signal}`),
      el('td', { class: 'num' }, bytes(c.size)), el('td', {}, utc(c.time)),
      el('td', { class: 'actions' }, el('button', { class: 'button', onclick: () => debugCore(c) }, 'debug')))), 'No cores collected yet.');
    const down = nodes.filter(n => n.status !== 'up').length;
    document.getElementById('summary').textContent =
      `${nodes.length} nodes${down ? ` (${down} down)` : ''} · ${sessions.length} live sessions · ${crashes.length} crash groups · ${cores.length} cores`;
    document.getElementById('refreshed').textContent = `updated ${new Date().toLocaleTimeString()}`;
    document.getElementById('problem').hidden = true;
  } catch (e) {
    const problem = document.getElementById('problem');
    problem.textContent = e.message;
    problem.hidden = false;
  }
}

refresh();
setInterval(refresh, RefreshMs);
