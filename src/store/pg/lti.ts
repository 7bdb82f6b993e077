/**
 * The LTI tool's records in PostgreSQL: the same behaviour as src/store/sqlite/lti.ts. Where SQLite
 * relies on its single writer, each rule here holds across nodes on its own:
 * - a platform, a nonce, an exam home: INSERT … ON CONFLICT on the unique key (one winner);
 * - a login state: a conditional UPDATE … WHERE used_at IS NULL (the second waits for the first's row
 *   lock, then sees it used);
 * - a resource link: INSERT … ON CONFLICT DO UPDATE (no duplicate on concurrent first launches);
 * - the tool key: added under a transaction-scoped advisory lock (one key however many nodes start).
 * ISO times are compared and sorted COLLATE "C" (byte order, as SQLite's), whatever the database's
 * collation; `seq` keeps insertion order where SQLite breaks ties by rowid.
 */
import type { LtiPlatform, LtiRepo, LtiResourceLink } from '../lti-types.js';
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
  toPlatform,
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
import { toolKeySealer, type ToolKeySealer } from '../sqlite/sealed-keys.js';
import { sqlOf, transaction, type Pool } from './db.js';

/** Our advisory lock id for adding the tool key. */
const TOOL_KEY_LOCK = 0x5374_6571;
const DAY_MS = 86_400_000;

const PLATFORM_COLS = 'id, name, issuer, client_id, auth_login_url, auth_token_url, jwks_url, frame_origins, created_at';
const LINK_SELECT = `SELECT l.id, l.platform_id, l.deployment_id, l.resource_link_id, l.context_id, l.context_title, l.title, l.target_kind, l.target_id,
       l.created_at, l.updated_at, li.lineitem_url
  FROM lti_resource_links l LEFT JOIN lti_line_items li ON li.resource_link = l.id`;

/** `sealer`: how private keys are kept at rest (sealed under STEPWISE_SECRET, else plaintext), as sqliteLti. */
export function pgLti(pool: Pool, sealer: ToolKeySealer = toolKeySealer(undefined)): LtiRepo {
  const sql = sqlOf(pool);
  const toKey = toolKeyReader(sealer);

  /** Platforms with their deployments (one query for all of them), in the rows' order. */
  async function toPlatforms(rows: PlatformRow[]): Promise<LtiPlatform[]> {
    if (rows.length === 0) return [];
    const deps = await sql.query<{ platform_id: string; deployment_id: string }>(
      'SELECT platform_id, deployment_id FROM lti_deployments WHERE platform_id = ANY($1) ORDER BY created_at COLLATE "C", seq',
      [rows.map((r) => r.id)],
    );
    return rows.map((r) => toPlatform(r, deps.filter((d) => d.platform_id === r.id).map((d) => d.deployment_id)));
  }

  async function platformById(id: string): Promise<LtiPlatform | undefined> {
    const rows = await sql.query<PlatformRow>(`SELECT ${PLATFORM_COLS} FROM lti_platforms WHERE id = $1`, [id]);
    return (await toPlatforms(rows))[0];
  }

  async function linkById(id: string): Promise<LtiResourceLink> {
    const [r] = await sql.query<LinkRow>(`${LINK_SELECT} WHERE l.id = $1`, [id]);
    return toLink(r!);
  }

  async function homeOf(examId: string) {
    const [r] = await sql.query<HomeRow>('SELECT platform_id, context_id FROM lti_exam_homes WHERE exam_id = $1', [examId]);
    return r && toExamHome(r);
  }

  return {
    async createPlatform(input) {
      // ON CONFLICT on (issuer, client_id): of two nodes registering the same platform, one inserts.
      const id = await transaction(pool, async (tx) => {
        const at = now();
        const [row] = await tx.query<{ id: string }>(
          `INSERT INTO lti_platforms (id, name, issuer, client_id, auth_login_url, auth_token_url, jwks_url, frame_origins, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (issuer, client_id) DO NOTHING RETURNING id`,
          [newId('ltp'), input.name, input.issuer, input.clientId, input.authLoginUrl, input.authTokenUrl, input.jwksUrl, input.frameOrigins ? JSON.stringify(input.frameOrigins) : null, at],
        );
        if (!row) return undefined;
        for (const d of input.deploymentIds) {
          await tx.query('INSERT INTO lti_deployments (platform_id, deployment_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [row.id, d, at]);
        }
        return row.id;
      });
      return id === undefined ? undefined : platformById(id);
    },
    getPlatform: platformById,
    async findPlatforms(issuer, clientId) {
      const rows = await sql.query<PlatformRow>(
        `SELECT ${PLATFORM_COLS} FROM lti_platforms WHERE issuer = $1 AND ($2::text IS NULL OR client_id = $2) ORDER BY created_at COLLATE "C", seq`,
        [issuer, clientId ?? null],
      );
      return toPlatforms(rows);
    },
    examHome: homeOf,
    async bindExamHome(examId, home) {
      // One winner: a second binding of the same exam changes nothing (the caller compares the home).
      await sql.query('INSERT INTO lti_exam_homes (exam_id, platform_id, context_id, bound_at) VALUES ($1, $2, $3, $4) ON CONFLICT (exam_id) DO NOTHING', [
        examId,
        home.platformId,
        home.contextId,
        now(),
      ]);
      return (await homeOf(examId))!;
    },
    async listPlatforms() {
      return toPlatforms(await sql.query<PlatformRow>(`SELECT ${PLATFORM_COLS} FROM lti_platforms ORDER BY created_at COLLATE "C", seq`));
    },
    async setFrameOrigins(id, origins) {
      await sql.query('UPDATE lti_platforms SET frame_origins = $1 WHERE id = $2', [origins ? JSON.stringify(origins) : null, id]);
      return platformById(id);
    },

    async createLoginState(input) {
      // States are kept a day past expiry (for diagnosis), then swept on a later login. SKIP LOCKED:
      // two nodes sweeping at once split the rows instead of waiting on (or deadlocking over) each other.
      await sql.query(
        `DELETE FROM lti_login_states WHERE state IN (
           SELECT state FROM lti_login_states WHERE expires_at COLLATE "C" < $1 FOR UPDATE SKIP LOCKED)`,
        [new Date(Date.now() - DAY_MS).toISOString()],
      );
      const row = loginStateRow(input);
      await sql.query(
        `INSERT INTO lti_login_states (state, nonce, platform_id, target_link_uri, storage_target, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [row.state, row.nonce, row.platform_id, row.target_link_uri, row.storage_target, row.created_at, row.expires_at],
      );
      return toState(row);
    },
    async consumeLoginState(state, at = now()) {
      // One statement decides: of two nodes consuming the same state, the second waits for the first's
      // row lock, re-reads the row (READ COMMITTED) and finds it used.
      const [won] = await sql.query<StateRow>(
        `UPDATE lti_login_states SET used_at = $2 WHERE state = $1 AND used_at IS NULL AND expires_at COLLATE "C" > $2
         RETURNING state, nonce, platform_id, target_link_uri, storage_target, created_at, expires_at, used_at`,
        [state, at],
      );
      if (won) return { ok: true as const, state: toState(won) };
      const [r] = await sql.query<StateRow>('SELECT used_at FROM lti_login_states WHERE state = $1', [state]);
      if (!r) return { ok: false as const, reason: 'unknown' as const };
      return { ok: false as const, reason: r.used_at !== null ? ('used' as const) : ('expired' as const) };
    },
    async useNonce(platformId, nonce, expiresAt) {
      await sql.query(
        `DELETE FROM lti_nonces WHERE (platform_id, nonce) IN (
           SELECT platform_id, nonce FROM lti_nonces WHERE expires_at COLLATE "C" < $1 FOR UPDATE SKIP LOCKED)`,
        [now()],
      );
      // The primary key decides: a concurrent second insert waits for the first, then does nothing.
      const rows = await sql.query('INSERT INTO lti_nonces (platform_id, nonce, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1 AS ok', [
        platformId,
        nonce,
        expiresAt,
      ]);
      return rows.length === 1;
    },

    async upsertResourceLink(input) {
      const at = now();
      // Title and context replaced when given; the target only when given (as sqliteLti's UPDATE).
      const [r] = await sql.query<{ id: string }>(
        `INSERT INTO lti_resource_links AS l (id, platform_id, deployment_id, resource_link_id, context_id, context_title, title, target_kind, target_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
         ON CONFLICT (platform_id, deployment_id, resource_link_id) DO UPDATE
            SET context_id = coalesce(excluded.context_id, l.context_id), context_title = coalesce(excluded.context_title, l.context_title),
                title = coalesce(excluded.title, l.title), target_kind = coalesce(excluded.target_kind, l.target_kind),
                target_id = CASE WHEN excluded.target_kind IS NULL THEN l.target_id ELSE excluded.target_id END, updated_at = excluded.updated_at
         RETURNING id`,
        [
          newId('ltl'),
          input.platformId,
          input.deploymentId,
          input.resourceLinkId,
          input.contextId ?? null,
          input.contextTitle ?? null,
          input.title ?? null,
          input.target?.kind ?? null,
          input.target?.id ?? null,
          at,
        ],
      );
      return linkById(r!.id);
    },
    async setLineItem(resourceLink, lineItemUrl, lineItemsUrl) {
      await sql.query(
        `INSERT INTO lti_line_items (resource_link, lineitem_url, lineitems_url, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (resource_link) DO UPDATE SET lineitem_url = excluded.lineitem_url, lineitems_url = excluded.lineitems_url, updated_at = excluded.updated_at`,
        [resourceLink, lineItemUrl, lineItemsUrl ?? null, now()],
      );
    },

    async createLaunch(input) {
      const row = launchRow(input);
      await sql.query('INSERT INTO lti_launches (id, user_id, resource_link, variant_id, lineitem_url, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        row.id,
        row.user_id,
        row.resource_link,
        row.variant_id,
        row.lineitem_url,
        row.created_at,
      ]);
      return toLaunch(row);
    },
    async launchFor(variantId, userId) {
      const [r] = await sql.query<LaunchRow & { platform_id: string; lti_subject: string | null }>(
        `SELECT la.id, la.user_id, la.resource_link, la.variant_id, la.lineitem_url, la.created_at, l.platform_id, u.lti_subject
           FROM lti_launches la
           JOIN lti_resource_links l ON l.id = la.resource_link
           JOIN users u ON u.id = la.user_id
          WHERE la.variant_id = $1 AND la.user_id = $2
          ORDER BY la.created_at COLLATE "C" DESC, la.seq DESC LIMIT 1`,
        [variantId, userId],
      );
      if (!r || r.lti_subject === null) return undefined;
      const p = await platformById(r.platform_id);
      if (!p) return undefined;
      return { launch: toLaunch(r), platform: p, subject: r.lti_subject };
    },

    async recordScorePost(input) {
      const row = scorePostRow(input);
      await sql.query(
        `INSERT INTO lti_score_posts (id, attempt_id, launch_id, url, score_given, score_maximum, status, error, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [row.id, row.attempt_id, row.launch_id, row.url, row.score_given, row.score_maximum, row.status, row.error, row.created_at],
      );
      return toPost(row);
    },
    async scorePosts(attemptId) {
      const rows = await sql.query<PostRow>(
        `SELECT id, attempt_id, launch_id, url, score_given, score_maximum, status, error, created_at FROM lti_score_posts
          WHERE $1::text IS NULL OR attempt_id = $1 ORDER BY created_at COLLATE "C", seq`,
        [attemptId ?? null],
      );
      return rows.map(toPost);
    },

    async toolKeys() {
      const rows = await sql.query<KeyRow>('SELECT kid, private_jwk, public_jwk, created_at FROM lti_tool_keys ORDER BY created_at COLLATE "C", seq');
      return rows.map(toKey);
    },
    async addToolKey(key) {
      // Under an advisory lock: of several nodes starting at once with no key, one adds its key and
      // the others get that one (a check-then-insert, which no unique key covers).
      const row = await transaction(pool, async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [TOOL_KEY_LOCK]);
        const [existing] = await tx.query<KeyRow>('SELECT kid, private_jwk, public_jwk, created_at FROM lti_tool_keys ORDER BY created_at COLLATE "C", seq LIMIT 1');
        if (existing) return existing;
        const r = toolKeyRow(key, sealer);
        await tx.query('INSERT INTO lti_tool_keys (kid, private_jwk, public_jwk, created_at) VALUES ($1, $2, $3, $4)', [r.kid, r.private_jwk, r.public_jwk, r.created_at]);
        return r;
      });
      return toKey(row);
    },
  };
}
