// Counts a session's time down in an element: "1h 12m", "4m 5s", "12s"; calls onEnd at zero.
'use strict';

function startCountdown(element, expiresAtMs, onEnd) {
  (function tick() {
    const s = Math.max(0, Math.round((expiresAtMs - Date.now()) / 1000));
    element.textContent = s >= 3600 ? `${Math.floor(s / 3600)}h ${Math.floor(s % 3600 / 60)}m`
      : s >= 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s}s`;
    if (s > 0) setTimeout(tick, 1000);
    else if (onEnd) onEnd();
  })();
}
