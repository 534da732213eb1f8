// The session page: time left; "debug" and "attach gdb" open a gdb terminal, "snapshot" runs gcore.
'use strict';

const left = document.getElementById('time-left');
startCountdown(left, Number(left.dataset.expires), () => {
  document.getElementById('ended').hidden = false;
  document.body.classList.add('ended');
});

async function post(button, path, body, busyText) {
  const label = button.textContent;
  button.disabled = true;
  button.textContent = busyText;
  try {
    const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const result = await response.json().catch(() => ({}));
    if (response.status === 401) {
      throw new Error(`${result.detail || 'This needs the admin token.'}\n\nIn a browser: sign in on the cluster page (${location.origin}/), then try again here.`);
    }
    if (!response.ok) throw new Error(result.detail || `${response.status} ${response.statusText}`);
    return result;
  } catch (error) {
    alert(error.message);
    return null;
  } finally {
    button.disabled = false;
    button.textContent = label;
  }
}

for (const button of document.querySelectorAll('button.debug')) {
  button.addEventListener('click', async () => {
    const terminal = await post(button, 'terminals', { file: button.dataset.file }, 'starting…');
    if (terminal) location.href = terminal.url;
  });
}

for (const button of document.querySelectorAll('button.attach')) {
  button.addEventListener('click', async () => {
    const terminal = await post(button, 'terminals', { pid: Number(button.dataset.pid) }, 'attaching…');
    if (terminal) location.href = terminal.url;
  });
}

for (const button of document.querySelectorAll('button.snapshot')) {
  button.addEventListener('click', async () => {
    let snapshot = await post(button, 'snapshots', { pid: Number(button.dataset.pid) }, 'writing core…');
    if (!snapshot) return;
    const result = document.getElementById('snapshot-result');
    if (snapshot.status) { // 202: gcore still runs; its status URL says when the core is filed
      result.textContent = `Writing a core of pid ${snapshot.pid}…`;
      result.hidden = false;
      snapshot = await waitForSnapshot(snapshot.url);
      if (snapshot.status === 'failed') {
        result.textContent = `No core of pid ${snapshot.pid}: ${snapshot.reason}`;
        return;
      }
    }
    result.textContent = `Core of pid ${snapshot.pid} written: ${snapshot.path} (${(snapshot.size / 1048576).toFixed(1)} MiB). A coredump session of the pod lists it.`;
    result.hidden = false;
  });
}

async function waitForSnapshot(url) {
  for (;;) {
    await new Promise(resolve => setTimeout(resolve, 1000));
    const response = await fetch(url);
    const status = await response.json().catch(() => ({}));
    if (!response.ok) return { status: 'failed', reason: status.detail || `${response.status} ${response.statusText}` };
    if (status.status !== 'running') return status;
  }
}
