// A session's time left, as "1h 12m", "4m 5s" or "12s"; and an element that counts it down.
'use strict';

function secondsLeft(expiresAtMs) {
  return Math.max(0, Math.round((expiresAtMs - Date.now()) / 1000));
}

function formatTimeLeft(s) {
  return s >= 3600 ? `${Math.floor(s / 3600)}h ${Math.floor(s % 3600 / 60)}m`
    : s >= 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s}s`;
}

// Calls onEnd at zero.
function startCountdown(element, expiresAtMs, onEnd) {
  (function tick() {
    const s = secondsLeft(expiresAtMs);
    element.textContent = formatTimeLeft(s);
    if (s > 0) setTimeout(tick, 1000);
    else if (onEnd) onEnd();
  })();
}
