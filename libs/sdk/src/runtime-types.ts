import type { components, operations } from './openapi-types.js';

/** The runtime's intents and routes (../shared/API.md, "Intents and routes"), as the OpenAPI document gives them. */
type Schemas = components['schemas'];
export type Intent = Schemas['Intent'];
export type IntentState = Schemas['IntentState']['state'];
export type IntentCreate = NonNullable<operations['createIntent']['requestBody']>['content']['application/json'];
export type IntentList = { status?: Intent['status'] };
export type Route = Schemas['Route'];
export type RouteCreate = NonNullable<operations['createRoute']['requestBody']>['content']['application/json'];
