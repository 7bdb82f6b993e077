/** Registering platforms (API and CLI), the tool configuration, its JWKS, and small helpers. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { config, configBaseUrl, configText, platformText, register } from '../../src/cli/lti.js';
import { scoresUrl } from '../../src/lti/index.js';
import { isInstructorRole } from '../../src/lti/claims.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import { startLti, type LtiHarness } from './harness.js';
import { ROLE } from './platform.js';

describe('the API', () => {
  let h: LtiHarness;
  beforeEach(async () => {
    h = await startLti();
  });
  afterEach(async () => {
    await h.close();
  });

  const platform = (over: Record<string, unknown> = {}) => ({
    name: 'Moodle',
    issuer: 'https://moodle.example.edu',
    clientId: 'abc',
    authLoginUrl: 'https://moodle.example.edu/mod/lti/auth.php',
    authTokenUrl: 'https://moodle.example.edu/mod/lti/token.php',
    jwksUrl: 'https://moodle.example.edu/mod/lti/certs.php',
    deploymentIds: ['1', '2'],
    ...over,
  });

  it('registers and lists platforms; a second registration of issuer + client id is a conflict', async () => {
    const r = await h.call('POST', '/api/v1/lti/platforms', { key: h.instructor, body: platform() });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ ...platform(), id: expect.stringMatching(/^ltp_/) });
    const list = await h.call('GET', '/api/v1/lti/platforms', { key: h.instructor });
    expect(list.body.map((p: { name: string }) => p.name)).toEqual(['Simulated LMS', 'Moodle']);
    const again = await h.call('POST', '/api/v1/lti/platforms', { key: h.instructor, body: platform({ name: 'Again' }) });
    expect(again.status).toBe(409);
    const otherClient = await h.call('POST', '/api/v1/lti/platforms', { key: h.instructor, body: platform({ clientId: 'def' }) });
    expect(otherClient.status).toBe(201);
  });

  it('names the bad field (422) and needs an instructor key', async () => {
    const bad = await h.call('POST', '/api/v1/lti/platforms', { key: h.instructor, body: platform({ jwksUrl: 'ftp://x' }) });
    expect(bad.status).toBe(422);
    expect(bad.body.field).toBe('body.jwksUrl');
    const none = await h.call('POST', '/api/v1/lti/platforms', { key: h.instructor, body: platform({ deploymentIds: [] }) });
    expect(none.status).toBe(422);
    const user = await h.call('POST', '/api/v1/users', { key: h.instructor, body: { name: 'S', role: 'student' } });
    expect((await h.call('GET', '/api/v1/lti/platforms', { key: user.body.apiKey })).status).toBe(403);
    expect((await h.call('GET', '/api/v1/lti/config')).status).toBe(401);
  });

  it('gives the configuration an LMS administrator enters', async () => {
    const r = await h.call('GET', '/api/v1/lti/config', { key: h.instructor });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      loginUrl: `${h.url}/lti/login`,
      launchUrl: `${h.url}/lti/launch`,
      redirectUris: [`${h.url}/lti/launch`],
      jwksUrl: `${h.url}/lti/jwks`,
      deepLinkingUrl: `${h.url}/lti/launch`,
      scopes: ['https://purl.imsglobal.org/spec/lti-ags/scope/score'],
    });
  });

  it('publishes one stable public RSA key, never its private parts', async () => {
    const a = await h.call('GET', '/lti/jwks');
    const b = await h.call('GET', '/lti/jwks');
    expect(a.status).toBe(200);
    expect(a.body.keys).toHaveLength(1);
    expect(a.body).toEqual(b.body);
    expect(a.body.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(a.body.keys[0].d).toBeUndefined();
    expect((await h.store.lti.toolKeys())[0].kid).toBe(a.body.keys[0].kid);
  });

  it('lists the LTI routes in the OpenAPI document', async () => {
    const doc = await h.call('GET', '/api/v1/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/lti/jwks', '/lti/login', '/lti/launch', '/lti/deep-link/response', '/api/v1/lti/platforms', '/api/v1/lti/config']));
  });
});

describe('the CLI commands', () => {
  let dir: string;
  const saved = process.env.STEPWISE_DB;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stepwise-lti-'));
    process.env.STEPWISE_DB = join(dir, 'db.sqlite');
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.STEPWISE_DB;
    else process.env.STEPWISE_DB = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  const opts = {
    name: 'Canvas',
    issuer: 'https://canvas.instructure.com',
    clientId: '10000000000001',
    authLoginUrl: 'https://sso.canvaslms.com/api/lti/authorize_redirect',
    authTokenUrl: 'https://sso.canvaslms.com/login/oauth2/token',
    jwksUrl: 'https://sso.canvaslms.com/api/lti/security/jwks',
    deploymentId: ['1:abc', '2:def'],
  };

  it('register writes the platform to STEPWISE_DB; a repeat is refused with a clear message', async () => {
    const p = await register(opts);
    expect(p.deploymentIds).toEqual(['1:abc', '2:def']);
    await expect(register(opts)).rejects.toThrow(/registered already/);
    await expect(register({ ...opts, clientId: 'x', jwksUrl: 'not a url' })).rejects.toMatchObject({ code: 'invalid_request', path: 'jwksUrl' });
    const store = SqliteStore.open({ file: process.env.STEPWISE_DB! });
    expect((await store.lti.listPlatforms()).map((x) => x.clientId)).toEqual(['10000000000001']);
    await store.close();
  });

  it('register takes frame origins (Canvas frames from the school host) and refuses one with a path', async () => {
    const p = await register({ ...opts, frameOrigin: ['https://school.instructure.com', 'https://school.instructure.com/'] });
    expect(p.frameOrigins).toEqual(['https://school.instructure.com']);
    expect(platformText(p)).toContain('frame origins   https://school.instructure.com');
    const none = await register({ ...opts, clientId: 'z', frameOrigin: [] });
    expect(none.frameOrigins).toBeUndefined(); // an empty list is the default, not "no frames"
    await expect(register({ ...opts, clientId: 'y', frameOrigin: ['https://school.instructure.com/courses/1'] })).rejects.toMatchObject({
      code: 'invalid_request',
      path: 'frameOrigins[0]',
    });
  });

  it('config without a base URL uses PORT, as serve listens', () => {
    expect(configBaseUrl(undefined, { PORT: '4321' })).toBe('http://localhost:4321');
    expect(configBaseUrl(undefined, {})).toBe('http://localhost:3000');
    expect(configBaseUrl(undefined, { PORT: '4321', STEPWISE_BASE_URL: 'https://sw.example.edu/' })).toBe('https://sw.example.edu');
  });

  it('config prints the URLs for a base URL and keeps the same key', async () => {
    const a = await config('https://stepwise.example.edu/');
    expect(a).toMatchObject({ loginUrl: 'https://stepwise.example.edu/lti/login', jwksUrl: 'https://stepwise.example.edu/lti/jwks' });
    const b = await config('https://stepwise.example.edu');
    expect(b.publicJwk).toEqual(a.publicJwk);
    expect(a.publicJwk).not.toHaveProperty('d');
    await expect(config('nope')).rejects.toMatchObject({ code: 'invalid_request' });
    expect(configText(a)).toContain('Canvas (JSON config)   https://stepwise.example.edu/lti/canvas.json');
  });
});

describe('helpers', () => {
  it('inserts /scores before the line item query string', () => {
    expect(scoresUrl('https://lms.example/api/lineitems/7?type=x&a=b')).toBe('https://lms.example/api/lineitems/7/scores?type=x&a=b');
    expect(scoresUrl('https://lms.example/api/lineitems/7/')).toBe('https://lms.example/api/lineitems/7/scores');
  });

  it('counts Instructor and Administrator roles, not learners or sub-roles', () => {
    expect(isInstructorRole([ROLE.instructor])).toBe(true);
    expect(isInstructorRole(['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator'])).toBe(true);
    expect(isInstructorRole(['Instructor'])).toBe(true);
    expect(isInstructorRole([ROLE.learner, ROLE.ta])).toBe(false);
    expect(isInstructorRole(['http://purl.imsglobal.org/vocab/lis/v2/system/person#User'])).toBe(false);
  });
});
