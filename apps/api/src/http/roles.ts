import { SetMetadata } from '@nestjs/common';
import { Role } from '#tenancy/index.js';

export const ACCESS_KEY = 'zentra:access';

export type Access =
  | { kind: 'public' }
  | { kind: 'platform_admin' }
  | { kind: 'roles'; roles: Role[]; action: string };

/** Tenant keys with one of these roles may call the route; `action` names it in the audit log. */
export const Allow = (action: string, ...roles: Role[]) => SetMetadata(ACCESS_KEY, { kind: 'roles', roles, action } satisfies Access);
export const PlatformAdminOnly = () => SetMetadata(ACCESS_KEY, { kind: 'platform_admin' } satisfies Access);
export const Public = () => SetMetadata(ACCESS_KEY, { kind: 'public' } satisfies Access);

export const READERS: Role[] = ['admin', 'service', 'operator', 'auditor'];
