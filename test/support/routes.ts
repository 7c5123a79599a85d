import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Access, ACCESS_KEY } from '#api/http/roles.js';

/** One route of the running API, with who may call it as its decorators say. */
export interface RouteEntry {
  method: string;
  /** With `:name` path parameters, e.g. `/accounts/:id/freeze`. */
  path: string;
  /** Undefined for a route that declares nothing (which the guard keeps closed). */
  access: Access | undefined;
}

function join(...parts: (string | undefined)[]): string {
  return `/${parts.filter((p) => p !== undefined && p !== '' && p !== '/').map((p) => p!.replace(/^\/+|\/+$/g, '')).join('/')}`;
}

/**
 * Every route the Nest application serves, read from its controllers' metadata: a route added
 * later is in this table without anyone listing it.
 */
export function routeTable(app: NestFastifyApplication): RouteEntry[] {
  const routes: RouteEntry[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: unknown[]) => unknown) | null;
      if (!controller) continue;
      const base = Reflect.getMetadata(PATH_METADATA, controller) as string | undefined;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = controller.prototype[name];
        if (typeof handler !== 'function' || name === 'constructor') continue;
        const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (paths === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        const access = (Reflect.getMetadata(ACCESS_KEY, handler) ?? Reflect.getMetadata(ACCESS_KEY, controller)) as Access | undefined;
        for (const path of Array.isArray(paths) ? paths : [paths]) routes.push({ method, path: join(base, path), access });
      }
    }
  }
  return routes.sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
}
