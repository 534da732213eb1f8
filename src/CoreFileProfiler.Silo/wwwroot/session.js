// The session page: time left, and "debug" opening a gdb terminal on a core.
'use strict';

const left = document.getElementById('time-left');
const expires = Number(left.dataset.expires);
(function tick() {
  const s = Math.max(0, Math.round((expires - Date.now()) / 1000));
  left.textContent = s >= 3600 ? `${Math.floor(s / 3600)}h ${Math.floor(s % 3600 / 60)}m`
    : s >= 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s}s`;
  if (s === 0) {
    document.getElementById('ended').hidden = false;
    document.body.classList.add('ended');
  } else {
    setTimeout(tick, 1000);
  }
})();

for (const button of document.querySelectorAll('button.debug')) {
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.textContent = 'starting…';
    const response = await fetch('terminals', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ file: button.dataset.file }),
    });
    if (response.ok) {
      location.href = (await response.json()).url;
    } else {
      const problem = await response.json().catch(() => ({}));
      alert(problem.detail || `Could not start gdb (${response.status}).`);
      button.disabled = false;
      button.textContent = 'debug';
    }
  });
}
