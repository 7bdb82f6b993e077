/** The LTI tool's records in SQLite (db/migrations/002_lti.sql; exam homes: 007_lti_exam_homes.sql). */
import type { LtiRepo, ToolKey } from '../lti-types.js';
import { newId, now } from '../ids.js';
import {
  launchRow,
  loginStateRow,
  scorePostRow,
  toExamHome,
  toLaunch,
  toLink,
  toolKeyReader,
  toolKeyRow,
  toPlatform as platformOf,
  toPost,
  toState,
  type HomeRow,
  type KeyRow,
  type LaunchRow,
  type LinkRow,
  type PlatformRow,
  type PostRow,
  type StateRow,
} from '../rows/lti.js';
import { writeTransaction, type Db } from './db.js';
import { toolKeySealer, type ToolKeySealer } from './sealed-keys.js';

/** `sealer`: how private keys are kept at rest (sealed under STEPWISE_SECRET, else plaintext). */
export function sqliteLti(db: Db, sealer: ToolKeySealer = toolKeySealer(undefined)): LtiRepo {
  const toKey = toolKeyReader(sealer);
  const insertPlatform = db.prepare(
    `INSERT INTO lti_platforms (id, name, issuer, client_id, auth_login_url, auth_token_url, jwks_url, frame_origins, created_at)
     VALUES (@id, @name, @issuer, @client_id, @auth_login_url, @auth_token_url, @jwks_url, @frame_origins, @created_at)`,
  );
  const updateFrames = db.prepare('UPDATE lti_platforms SET frame_origins = ? WHERE id = ?');
  const platformByKey = db.prepare<[string, string], { id: string }>('SELECT id FROM lti_platforms WHERE issuer = ? AND client_id = ?');
  const insertDeployment = db.prepare('INSERT OR IGNORE INTO lti_deployments (platform_id, deployment_id, created_at) VALUES (?, ?, ?)');
  const platformById = db.prepare<[string], PlatformRow>('SELECT * FROM lti_platforms WHERE id = ?');
  const platformsByIssuer = db.prepare<[string], PlatformRow>('SELECT * FROM lti_platforms WHERE issuer = ? ORDER BY created_at, rowid');
  const allPlatforms = db.prepare<[], PlatformRow>('SELECT * FROM lti_platforms ORDER BY created_at, rowid');
  const deployments = db.prepare<[string], { deployment_id: string }>('SELECT deployment_id FROM lti_deployments WHERE platform_id = ? ORDER BY created_at, rowid');

  const insertState = db.prepare(
    `INSERT INTO lti_login_states (state, nonce, platform_id, target_link_uri, storage_target, created_at, expires_at)
     VALUES (@state, @nonce, @platform_id, @target_link_uri, @storage_target, @created_at, @expires_at)`,
  );
  // States and nonces are kept a day past expiry (for diagnosis), then swept on the next login.
  const sweepStates = db.prepare("DELETE FROM lti_login_states WHERE expires_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day')");
  const stateByKey = db.prepare<[string], StateRow>('SELECT * FROM lti_login_states WHERE state = ?');
  const markStateUsed = db.prepare('UPDATE lti_login_states SET used_at = ? WHERE state = ? AND used_at IS NULL');
  const sweepNonces = db.prepare('DELETE FROM lti_nonces WHERE expires_at < ?');
  const insertNonce = db.prepare('INSERT OR IGNORE INTO lti_nonces (platform_id, nonce, expires_at) VALUES (?, ?, ?)');

  const linkSelect = `SELECT l.*, li.lineitem_url FROM lti_resource_links l LEFT JOIN lti_line_items li ON li.resource_link = l.id`;
  const linkByKey = db.prepare<[string, string, string], LinkRow>(`${linkSelect} WHERE l.platform_id = ? AND l.deployment_id = ? AND l.resource_link_id = ?`);
  const linkById = db.prepare<[string], LinkRow>(`${linkSelect} WHERE l.id = ?`);
  const homeOf = db.prepare<[string], HomeRow>('SELECT platform_id, context_id FROM lti_exam_homes WHERE exam_id = ?');
  // One winner: a second binding of the same exam changes nothing (the caller compares the home).
  const insertHome = db.prepare('INSERT OR IGNORE INTO lti_exam_homes (exam_id, platform_id, context_id, bound_at) VALUES (?, ?, ?, ?)');
  const insertLink = db.prepare(
    `INSERT INTO lti_resource_links (id, platform_id, deployment_id, resource_link_id, context_id, context_title, title, target_kind, target_id, created_at, updated_at)
     VALUES (@id, @platform_id, @deployment_id, @resource_link_id, @context_id, @context_title, @title, @target_kind, @target_id, @created_at, @updated_at)`,
  );
  const updateLink = db.prepare(
    `UPDATE lti_resource_links
        SET context_id = coalesce(@context_id, context_id), context_title = coalesce(@context_title, context_title),
            title = coalesce(@title, title), target_kind = coalesce(@target_kind, target_kind),
            target_id = CASE WHEN @target_kind IS NULL THEN target_id ELSE @target_id END, updated_at = @updated_at
      WHERE id = @id`,
  );
  const upsertLineItem = db.prepare(
    `INSERT INTO lti_line_items (resource_link, lineitem_url, lineitems_url, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (resource_link) DO UPDATE SET lineitem_url = excluded.lineitem_url, lineitems_url = excluded.lineitems_url, updated_at = excluded.updated_at`,
  );

  const insertLaunch = db.prepare(
    'INSERT INTO lti_launches (id, user_id, resource_link, variant_id, lineitem_url, created_at) VALUES (@id, @user_id, @resource_link, @variant_id, @lineitem_url, @created_at)',
  );
  const latestLaunch = db.prepare<[string, string], LaunchRow & { platform_id: string; lti_subject: string | null }>(
    `SELECT la.*, l.platform_id, u.lti_subject
       FROM lti_launches la
       JOIN lti_resource_links l ON l.id = la.resource_link
       JOIN users u ON u.id = la.user_id
      WHERE la.variant_id = ? AND la.user_id = ?
      ORDER BY la.created_at DESC, la.rowid DESC LIMIT 1`,
  );

  const insertPost = db.prepare(
    `INSERT INTO lti_score_posts (id, attempt_id, launch_id, url, score_given, score_maximum, status, error, created_at)
     VALUES (@id, @attempt_id, @launch_id, @url, @score_given, @score_maximum, @status, @error, @created_at)`,
  );
  const postsOf = db.prepare<[string], PostRow>('SELECT * FROM lti_score_posts WHERE attempt_id = ? ORDER BY created_at, rowid');
  const allPosts = db.prepare<[], PostRow>('SELECT * FROM lti_score_posts ORDER BY created_at, rowid');

  const allKeys = db.prepare<[], KeyRow>('SELECT * FROM lti_tool_keys ORDER BY created_at, rowid');
  const insertKey = db.prepare('INSERT INTO lti_tool_keys (kid, private_jwk, public_jwk, created_at) VALUES (?, ?, ?, ?)');

  const toPlatform = (r: PlatformRow) => platformOf(r, deployments.all(r.id).map((d) => d.deployment_id));

  const createPlatform = writeTransaction(db, (input: Parameters<LtiRepo['createPlatform']>[0]): string | undefined => {
    if (platformByKey.get(input.issuer, input.clientId)) return undefined;
    const id = newId('ltp');
    const at = now();
    insertPlatform.run({
      id,
      name: input.name,
      issuer: input.issuer,
      client_id: input.clientId,
      auth_login_url: input.authLoginUrl,
      auth_token_url: input.authTokenUrl,
      jwks_url: input.jwksUrl,
      frame_origins: input.frameOrigins ? JSON.stringify(input.frameOrigins) : null,
      created_at: at,
    });
    for (const d of input.deploymentIds) insertDeployment.run(id, d, at);
    return id;
  });

  const consume = writeTransaction(db, (state: string, at: string) => {
    const r = stateByKey.get(state);
    if (!r) return { ok: false as const, reason: 'unknown' as const };
    if (r.used_at !== null) return { ok: false as const, reason: 'used' as const };
    if (r.expires_at <= at) return { ok: false as const, reason: 'expired' as const };
    markStateUsed.run(at, state);
    return { ok: true as const, state: toState({ ...r, used_at: at }) };
  });

  const upsertLink = writeTransaction(db, (input: Parameters<LtiRepo['upsertResourceLink']>[0]): string => {
    const at = now();
    const existing = linkByKey.get(input.platformId, input.deploymentId, input.resourceLinkId);
    const fields = {
      context_id: input.contextId ?? null,
      context_title: input.contextTitle ?? null,
      title: input.title ?? null,
      target_kind: input.target?.kind ?? null,
      target_id: input.target?.id ?? null,
    };
    if (existing) {
      updateLink.run({ id: existing.id, ...fields, updated_at: at });
      return existing.id;
    }
    const id = newId('ltl');
    insertLink.run({
      id,
      platform_id: input.platformId,
      deployment_id: input.deploymentId,
      resource_link_id: input.resourceLinkId,
      ...fields,
      created_at: at,
      updated_at: at,
    });
    return id;
  });

  const addKey = writeTransaction(db, (key: Omit<ToolKey, 'createdAt'>): KeyRow => {
    const existing = allKeys.get();
    if (existing) return existing;
    const row = toolKeyRow(key, sealer);
    insertKey.run(row.kid, row.private_jwk, row.public_jwk, row.created_at);
    return row;
  });

  return {
    async createPlatform(input) {
      const id = createPlatform(input);
      return id === undefined ? undefined : toPlatform(platformById.get(id)!);
    },
    async getPlatform(id) {
      const r = platformById.get(id);
      return r && toPlatform(r);
    },
    async findPlatforms(issuer, clientId) {
      return platformsByIssuer
        .all(issuer)
        .filter((r) => clientId === undefined || r.client_id === clientId)
        .map(toPlatform);
    },
    async examHome(examId) {
      const r = homeOf.get(examId);
      return r && toExamHome(r);
    },
    async bindExamHome(examId, home) {
      insertHome.run(examId, home.platformId, home.contextId, now());
      return toExamHome(homeOf.get(examId)!);
    },
    async listPlatforms() {
      return allPlatforms.all().map(toPlatform);
    },
    async setFrameOrigins(id, origins) {
      updateFrames.run(origins ? JSON.stringify(origins) : null, id);
      const r = platformById.get(id);
      return r && toPlatform(r);
    },

    async createLoginState(input) {
      sweepStates.run();
      const row = loginStateRow(input);
      insertState.run(row);
      return toState(row);
    },
    async consumeLoginState(state, at = now()) {
      return consume(state, at);
    },
    async useNonce(platformId, nonce, expiresAt) {
      sweepNonces.run(now());
      return insertNonce.run(platformId, nonce, expiresAt).changes === 1;
    },

    async upsertResourceLink(input) {
      return toLink(linkById.get(upsertLink(input))!);
    },
    async setLineItem(resourceLink, lineItemUrl, lineItemsUrl) {
      upsertLineItem.run(resourceLink, lineItemUrl, lineItemsUrl ?? null, now());
    },

    async createLaunch(input) {
      const row = launchRow(input);
      insertLaunch.run(row);
      return toLaunch(row);
    },
    async launchFor(variantId, userId) {
      const r = latestLaunch.get(variantId, userId);
      if (!r || r.lti_subject === null) return undefined;
      const p = platformById.get(r.platform_id);
      if (!p) return undefined;
      return { launch: toLaunch(r), platform: toPlatform(p), subject: r.lti_subject };
    },

    async recordScorePost(input) {
      const row = scorePostRow(input);
      insertPost.run(row);
      return toPost(row);
    },
    async scorePosts(attemptId) {
      return (attemptId === undefined ? allPosts.all() : postsOf.all(attemptId)).map(toPost);
    },

    async toolKeys() {
      return allKeys.all().map(toKey);
    },
    async addToolKey(key) {
      return toKey(addKey(key));
    },
  };
}
