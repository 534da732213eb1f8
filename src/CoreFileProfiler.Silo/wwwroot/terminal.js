// A gdb terminal shared through the silo: binary frames in, JSON {type:"input"|"resize"} out.
'use strict';

const term = new Terminal({
  cursorBlink: true,
  scrollback: 20000,
  fontFamily: "'DejaVu Sans Mono', 'Liberation Mono', ui-monospace, Menlo, Consolas, monospace",
  lineHeight: 1.15, // room for underscores, which some fonts draw below the cell
  fontSize: 14,
  theme: { background: '#12151c', foreground: '#e6e8ee' },
});
const fit = new FitAddon.FitAddon();
term.loadAddon(fit);
term.open(document.getElementById('terminal'));
fit.fit();
term.focus();

const socketUrl = location.href.replace(/^http/, 'ws').replace(/[?#].*$/, '') + 'ws';
const statusText = document.getElementById('status');
let socket;
let ended = false;
let retries = 0;

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

function end(reason) {
  ended = true;
  statusText.textContent = 'ended';
  document.getElementById('ended-reason').textContent = reason;
  document.getElementById('ended').hidden = false;
  term.options.disableStdin = true;
}

function connect() {
  socket = new WebSocket(socketUrl);
  socket.binaryType = 'arraybuffer';
  socket.onopen = () => {
    retries = 0;
    term.reset(); // the server replays the scrollback to every new connection
    statusText.textContent = 'connected';
    send({ type: 'resize', cols: term.cols, rows: term.rows });
  };
  socket.onmessage = event => term.write(new Uint8Array(event.data));
  socket.onclose = event => {
    // 1000 gdb exited, 1001 session over, 1003/1008/1009 refused message: final.
    // Anything else (a dropped connection, 1013 too far behind) reconnects and replays.
    if ([1000, 1001, 1003, 1008, 1009].includes(event.code)) {
      end(event.reason || 'The terminal ended.');
    } else if (!ended) {
      statusText.textContent = 'reconnecting…';
      setTimeout(connect, Math.min(5000, 250 * 2 ** retries++));
    }
  };
}

term.onData(data => send({ type: 'input', data }));
term.onResize(size => send({ type: 'resize', cols: size.cols, rows: size.rows }));
window.addEventListener('resize', () => fit.fit());

// Ctrl+Shift+C copies the selection, Ctrl+Shift+V pastes (plain Ctrl+C is gdb's interrupt).
term.attachCustomKeyEventHandler(event => {
  if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey) return true;
  if (event.code === 'KeyC' && term.hasSelection()) {
    navigator.clipboard?.writeText(term.getSelection());
    return false;
  }
  if (event.code === 'KeyV') {
    navigator.clipboard?.readText().then(text => term.paste(text));
    return false;
  }
  return true;
});

// The session's time left and this terminal's target, from the session's JSON.
const terminalId = location.pathname.split('/').filter(Boolean).at(-1);
fetch('../../api').then(response => response.ok ? response.json() : null).then(session => {
  if (!session) return;
  const terminal = session.terminals.find(t => t.id === terminalId);
  if (terminal) {
    document.getElementById('target').textContent = `gdb · ${terminal.target}`;
    document.title = `gdb ${terminal.target} · Core File Profiler`;
  }
  startCountdown(document.getElementById('time-left'), Date.parse(session.expiresAt));
});

connect();
