// The session page: time left, and "debug" opening a gdb terminal on a core.
'use strict';

const left = document.getElementById('time-left');
startCountdown(left, Number(left.dataset.expires), () => {
  document.getElementById('ended').hidden = false;
  document.body.classList.add('ended');
});

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
