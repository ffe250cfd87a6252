import { STATUS_PATH } from './contract';

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** "about 3 minutes", "about a minute", "less than a minute". */
export function aboutHowLong(seconds: number): string {
  if (seconds < 45) return 'less than a minute';
  const minutes = Math.max(1, Math.round(seconds / 60));
  return minutes === 1 ? 'about a minute' : `about ${minutes} minutes`;
}

const STYLE = 'body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2328}h1{font-size:1.5rem}';

function page(title: string, body: string, script = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}${script}</body></html>`;
}

/** How often the starting page asks whether the editor answers, in milliseconds. */
export const POLL_INTERVAL_MS = 5000;

/**
 * The page a developer sees while their editor starts: how long it takes, and a script that asks
 * the control plane every few seconds whether the editor answers, then loads the page they asked for.
 */
export function startingPage(editorName: string, secondsLeft: number, pollIntervalMs = POLL_INTERVAL_MS): string {
  const script = `<script>(function(){var left=document.getElementById('left');function poll(){fetch(${JSON.stringify(STATUS_PATH)},{credentials:'same-origin',cache:'no-store'}).then(function(r){return r.json()}).then(function(s){if(s.ready){location.reload();return}left.textContent=s.about;setTimeout(poll,${pollIntervalMs})},function(){setTimeout(poll,${pollIntervalMs})})}setTimeout(poll,${pollIntervalMs})})()</script>`;
  return page(
    'Your editor is starting',
    `<h1>Your editor is starting</h1><p>${escapeHtml(editorName)}'s editor was stopped while nobody used it. It is starting now, on the same home; that takes <strong id="left">${aboutHowLong(secondsLeft)}</strong>.</p><p>This page opens the editor when it is ready: keep it open.</p>`,
    script,
  );
}

/** The page of a visit refused: no valid Access token for this editor. */
export function refusedPage(): string {
  return page('Not allowed', '<h1>Not allowed</h1><p>This request did not come through this editor\'s Cloudflare Access application. Open the editor\'s address in a browser and sign in.</p>');
}

/** The page of a start refused because the editor was started too often. */
export function limitedPage(editorName: string, retryAfterSeconds: number): string {
  return page(
    'Started too often',
    `<h1>Started too often</h1><p>${escapeHtml(editorName)}'s editor was started too many times in the last hour. Try again in ${aboutHowLong(retryAfterSeconds)}, or ask your platform team.</p>`,
  );
}

/** The page of a start that failed (the start hook or DigitalOcean refused): the next visit tries again. */
export function failedStartPage(editorName: string): string {
  return page(
    'Your editor could not be started',
    `<h1>Your editor could not be started</h1><p>${escapeHtml(editorName)}'s editor is stopped, and asking for its start failed. Reload this page to try again; if it fails again, ask your platform team.</p>`,
  );
}
