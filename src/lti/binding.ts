/**
 * Binding a login to the browser that started it (login CSRF): /lti/login sets a short-lived
 * cookie named after the state, and /lti/launch accepts the state only from a browser that sends
 * that cookie back, so an id_token and state obtained in one browser cannot be completed in
 * another. Over https the cookie is `__Host-`, Secure, SameSite=None (the launch is a cross-site
 * form post) and Partitioned (CHIPS: kept, per top-level site, where third-party cookies are
 * blocked). Over plain http (development) it is SameSite=Lax, which a same-site platform sends.
 *
 * Where the browser drops the cookie anyway, the platform's client-side storage is the fallback
 * (1EdTech "LTI Client Side postMessage Storage"): the login names a frame (`lti_storage_target`);
 * the login page stores the state there (`lti.put_data`) before going on to the platform, and the
 * launch page reads it back (`lti.get_data`) and shows nothing, and forgets its session, unless
 * the stored state is this launch's. The launch page's session lives only in that page's script,
 * so a page a forged launch lands in cannot be used.
 */
import type { Request, Response } from 'express';
import { STATE_TTL_MS } from './login.js';

export type Binding = 'cookie' | 'storage';

const secure = (baseUrl: string): boolean => baseUrl.startsWith('https:');

export function stateCookieName(baseUrl: string, state: string): string {
  return `${secure(baseUrl) ? '__Host-' : ''}lti_state_${state}`;
}

function attributes(baseUrl: string, maxAgeS: number): string {
  return secure(baseUrl)
    ? `Path=/; Max-Age=${maxAgeS}; HttpOnly; Secure; SameSite=None; Partitioned`
    : `Path=/lti; Max-Age=${maxAgeS}; HttpOnly; SameSite=Lax`;
}

export function setStateCookie(res: Response, baseUrl: string, state: string): void {
  res.append('Set-Cookie', `${stateCookieName(baseUrl, state)}=1; ${attributes(baseUrl, Math.floor(STATE_TTL_MS / 1000))}`);
}

export function clearStateCookie(res: Response, baseUrl: string, state: string): void {
  res.append('Set-Cookie', `${stateCookieName(baseUrl, state)}=; ${attributes(baseUrl, 0)}`);
}

/** Whether the request carries the cookie set for this state. */
export function hasStateCookie(req: Request, baseUrl: string, state: string): boolean {
  const name = stateCookieName(baseUrl, state);
  const header = req.get('cookie') ?? '';
  return header.split(';').some((c) => {
    const eq = c.indexOf('=');
    return eq > 0 && c.slice(0, eq).trim() === name && c.slice(eq + 1).trim() === '1';
  });
}

/** A frame name the platform may give as lti_storage_target (`_parent`, or a sibling frame's name). */
export function checkStorageTarget(v: string | undefined): string | undefined {
  return v !== undefined && /^[\w.-]{1,100}$/.test(v) ? v : undefined;
}

/** The storage key of a login's state in the platform's frame. */
export const storageKey = (state: string): string => `stepwise_state_${state}`;

/**
 * Browser script: the frame named `target` (in the platform's window, `origin`) as a key-value
 * store. `call(subject, fields)` posts an LTI storage message and resolves with the response's
 * fields, or undefined after `timeoutMs` or on an error response.
 */
export function storageClientScript(target: string, origin: string, timeoutMs = 3000): string {
  return `
const ltiStorage = (() => {
  const origin = ${JSON.stringify(origin)}, name = ${JSON.stringify(target)};
  const frame = () => { try { return name === '_parent' ? window.parent : window.parent.frames[name]; } catch { return undefined; } };
  return (subject, fields) => new Promise((resolve) => {
    const f = frame();
    if (!f || f === window) return resolve(undefined);
    const id = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2));
    const done = (v) => { window.removeEventListener('message', on); clearTimeout(timer); resolve(v); };
    const on = (ev) => {
      if (ev.origin !== origin || !ev.data || ev.data.message_id !== id || ev.data.subject !== subject + '.response') return;
      done(ev.data.error ? undefined : ev.data);
    };
    const timer = setTimeout(() => done(undefined), ${timeoutMs});
    window.addEventListener('message', on);
    f.postMessage({ subject, message_id: id, ...fields }, origin);
  });
})();`;
}
