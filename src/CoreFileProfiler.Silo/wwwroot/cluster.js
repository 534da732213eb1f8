// The cluster page: renders /api/nodes, /api/sessions and /api/cores and refreshes them (needs countdown.js).
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

async function refresh() {
  try {
    const [nodes, sessions, cores] = await Promise.all(['/api/nodes', '/api/sessions', '/api/cores'].map(p => api(p).then(r => r.json())));
    fill(document.getElementById('nodes'), nodes.map(n => el('tr', { class: n.status },
      el('td', { class: 'path' }, n.node), el('td', { class: `status-${n.status}` }, n.status),
      el('td', { class: 'num' }, n.containers), el('td', { class: 'num' }, n.liveSessions),
      el('td', { class: 'num' }, n.cores), el('td', { class: 'num' }, bytes(n.coreBytes)))), 'No nodes.');
    fill(document.getElementById('sessions'), sessions.map(s => el('tr', {},
      el('td', { class: 'path' }, el('a', { href: here(s.url) }, s.target)), el('td', {}, s.node), el('td', {}, s.type),
      el('td', {}, s.terminals.map(t => `${t.target} (${t.viewers} viewing)`).join(', ') || '—'),
      el('td', {}, formatTimeLeft(secondsLeft(Date.parse(s.expiresAt)))),
      el('td', { class: 'actions' }, el('button', { class: 'button', onclick: () => closeSession(s.id) }, 'close')))), 'No live sessions.');
    fill(document.getElementById('cores'), cores.slice(0, MaxCores).map(c => el('tr', {},
      el('td', { class: 'path', title: c.path }, c.pod ? `${c.namespace}/${c.pod}/${c.container}` : `(node) ${c.path.split('/').pop()}`),
      el('td', {}, c.node), el('td', {}, c.signal == null ? '—' : Signals[c.signal] ?? `signal ${c.signal}`),
      el('td', { class: 'num' }, bytes(c.size)), el('td', {}, c.time.replace('T', ' ').slice(0, 19)),
      el('td', { class: 'actions' }, el('button', { class: 'button', onclick: () => debugCore(c) }, 'debug')))), 'No cores collected yet.');
    const down = nodes.filter(n => n.status !== 'up').length;
    document.getElementById('summary').textContent =
      `${nodes.length} nodes${down ? ` (${down} down)` : ''} · ${sessions.length} live sessions · ${cores.length} cores`;
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
