// A gdb terminal shared through the silo: binary frames in, JSON {type:"input"|"resize"} out.
// The same page serves a watch link (/watch/<id>/), read-only: it sends nothing.
'use strict';

const watching = location.pathname.split('/').filter(Boolean).at(-2) === 'watch';

const term = new Terminal({
  cursorBlink: !watching,
  disableStdin: watching,
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
  if (watching) return; // the server would ignore it anyway
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

function showTarget(target) {
  document.getElementById('target').textContent = `gdb · ${target}`;
  document.title = `gdb ${target} · Core File Profiler`;
}

// Offers the read-only link; where the clipboard is out of reach (plain http), shows it to copy by hand.
function offerWatchLink(url) {
  const button = document.getElementById('copy-watch');
  button.hidden = false;
  button.dataset.url = url;
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(url);
      button.textContent = 'watch link copied';
      setTimeout(() => { button.textContent = 'copy watch link'; }, 2000);
    } catch {
      window.prompt('A read-only link to this terminal:', url);
    }
  });
}

if (watching) {
  // A watcher knows the terminal's target and time left, and nothing that leads to the session.
  document.getElementById('back').hidden = true;
  document.getElementById('read-only').hidden = false;
  fetch('api').then(response => response.ok ? response.json() : null).then(watched => {
    if (!watched) return;
    showTarget(watched.target);
    startCountdown(document.getElementById('time-left'), Date.parse(watched.expiresAt));
  });
} else {
  // The session's time left and this terminal's target and watch link, from the session's JSON.
  const terminalId = location.pathname.split('/').filter(Boolean).at(-1);
  document.getElementById('recording').hidden = false;
  fetch('../../api').then(response => response.ok ? response.json() : null).then(session => {
    if (!session) return;
    const terminal = session.terminals.find(t => t.id === terminalId);
    if (terminal) {
      showTarget(terminal.target);
      offerWatchLink(new URL(`../../../../watch/${terminal.watchId}/`, location.href).href);
    }
    startCountdown(document.getElementById('time-left'), Date.parse(session.expiresAt));
  });
}

connect();
