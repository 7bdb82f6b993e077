/** Schemas of users, API keys and courses. */
import { id, obj, ref, role, str, time } from './common.js';

export const USERS_COMPONENTS = {
  User: obj({ id, name: { type: 'string' }, role, createdAt: time }, ['id', 'name', 'role', 'createdAt']),
  ApiKey: obj(
    {
      id,
      userId: id,
      role,
      label: { type: 'string' },
      prefix: { type: 'string' },
      createdAt: time,
      expiresAt: time,
      revokedAt: time,
      scope: obj(
        { resourceLink: { type: 'string' }, contextId: { type: 'string' }, examId: { type: 'string' } },
        ['resourceLink'],
        'an LTI launch key: limited to its resource link, course and exam',
      ),
    },
    ['id', 'userId', 'role', 'label', 'prefix', 'createdAt'],
  ),
  NewKey: obj({ key: ref('ApiKey'), apiKey: { type: 'string', description: 'the secret, shown once' } }, ['key', 'apiKey']),
  NewUser: obj(
    { id, name: { type: 'string' }, role, createdAt: time, apiKey: { type: 'string', description: 'the secret, shown once' }, key: ref('ApiKey') },
    ['id', 'name', 'role', 'createdAt', 'apiKey', 'key'],
  ),
  Course: obj({ id, title: { type: 'string' }, createdBy: id, createdAt: time }, ['id', 'title', 'createdBy', 'createdAt']),
  CourseList: { type: 'array', items: ref('Course') },
};

export const USERS_REQUESTS = {
  NewUserRequest: obj({ name: str(100), role }, ['name', 'role']),
  NewKeyRequest: obj({ label: str(100) }, ['label']),
  NewCourseRequest: obj({ title: str(200) }, ['title']),
};
