// ExpertRouter console: keeps an open page current. The server renders every page complete; this script only asks
// for the same page again every few seconds (while the tab is visible and not paused) and swaps in the parts marked
// data-live, keeping open <details> open. Nothing runs when nobody has a page open.
(() => {
  'use strict';
  const seconds = Number(document.body.dataset.refresh || 0);
  const status = document.getElementById('live-status');
  const toggle = document.getElementById('live-toggle');
  if (!seconds || !status || !toggle) return;

  let paused = false;
  let timer = 0;
  let busy = false;

  const schedule = () => { clearTimeout(timer); timer = setTimeout(refresh, seconds * 1000); };

  const stop = (message) => { paused = true; toggle.disabled = true; status.textContent = message; clearTimeout(timer); };

  async function refresh() {
    if (paused || busy || document.hidden) { schedule(); return; }
    busy = true;
    try {
      const response = await fetch(location.href, { credentials: 'same-origin', cache: 'no-store', headers: { 'X-Console-Refresh': '1' } });
      if (response.redirected || !response.ok) {
        stop('Updates stopped: the session ended or the page is unavailable. Reload the page.');
        return;
      }
      const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
      for (const part of fresh.querySelectorAll('[data-live][id]')) {
        const current = document.getElementById(part.id);
        if (!current || current.contains(document.activeElement)) continue;
        for (const open of current.querySelectorAll('details[open][id]')) {
          const again = part.querySelector('#' + CSS.escape(open.id));
          if (again) again.open = true;
        }
        current.replaceWith(document.importNode(part, true));
      }
      status.textContent = 'Updated at ' + new Date().toLocaleTimeString() + '; every ' + seconds + ' s.';
    } catch (error) {
      status.textContent = 'Update failed (' + error.message + '); trying again.';
    } finally {
      busy = false;
    }
    schedule();
  }

  toggle.addEventListener('click', () => {
    paused = !paused;
    toggle.setAttribute('aria-pressed', String(paused));
    toggle.textContent = paused ? 'Resume updates' : 'Pause updates';
    status.textContent = paused ? 'Updates paused.' : 'Updates every ' + seconds + ' s while this page is open.';
    if (!paused) refresh();
  });
  document.addEventListener('visibilitychange', () => { if (!document.hidden && !paused) refresh(); });
  schedule();
})();
