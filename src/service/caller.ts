/** Who is asking: the authenticated user and the key they used (the key's role decides access). */
import type { ApiKey, User } from '../store/types.js';

export interface Caller {
  user: User;
  key: ApiKey;
}
