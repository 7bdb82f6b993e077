/**
 * The public origin the server builds URLs with (LTI redirect, launch, JWKS and deep linking URLs).
 * With STEPWISE_BASE_URL it is that, whatever the request says. Without it, a request's Host header
 * is used only when it names this server: a loopback name (localhost, 127.0.0.1, [::1]), the
 * address it listens on (HOST), or a name in STEPWISE_ALLOWED_HOSTS. Any other Host is an
 * attacker's or a misconfiguration, and a request that needs a URL built from it gets 421.
 * Requests that build no URL answer any Host, so the API stays reachable by a LAN address.
 */
import type { Request } from 'express';
import { HttpError } from './problem.js';

export interface OriginOptions {
  /** STEPWISE_BASE_URL, without a trailing slash. */
  baseUrl?: string;
  /** The listen address (HOST), when it is a specific one. */
  listenHost?: string;
  /** STEPWISE_ALLOWED_HOSTS: host names, or host:port, accepted in a Host header. */
  allowedHosts?: readonly string[];
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
const WILDCARD = new Set(['', '0.0.0.0', '::', '[::]']);

/** `host[:port]` → [host, port?], lower-cased; IPv6 stays bracketed. */
function splitHost(value: string): [string, string | undefined] {
  const v = value.trim().toLowerCase();
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(v);
  return m ? [m[1], m[2]] : [v, undefined];
}

/** Parses STEPWISE_ALLOWED_HOSTS (comma or space separated). */
export function parseAllowedHosts(raw: string | undefined): string[] {
  return (raw ?? '').split(/[\s,]+/).filter((h) => h !== '');
}

/** A function from a request to the origin to build URLs with; it throws 421 for a foreign Host. */
export function publicOrigin(options: OriginOptions): (req: Request) => string {
  if (options.baseUrl) {
    const fixed = options.baseUrl.replace(/\/+$/, '');
    return () => fixed;
  }
  const names = new Set(LOOPBACK);
  const hostPorts = new Set<string>();
  if (options.listenHost && !WILDCARD.has(options.listenHost)) {
    names.add(options.listenHost.includes(':') && !options.listenHost.startsWith('[') ? `[${options.listenHost.toLowerCase()}]` : options.listenHost.toLowerCase());
  }
  for (const h of options.allowedHosts ?? []) {
    const [name, port] = splitHost(h);
    if (port === undefined) names.add(name);
    else hostPorts.add(`${name}:${port}`);
  }
  return (req) => {
    const host = req.get('host') ?? '';
    const [name, port] = splitHost(host);
    if (!names.has(name) && !hostPorts.has(`${name}:${port}`)) {
      throw new HttpError(
        421,
        'misdirected_request',
        `the Host ${JSON.stringify(host.slice(0, 100))} is not a name of this server, and no STEPWISE_BASE_URL is set to build URLs with; set STEPWISE_BASE_URL, or add the name to STEPWISE_ALLOWED_HOSTS`,
      );
    }
    return `${req.protocol}://${host.trim()}`;
  };
}
