/** The post templates by key (the crisis templates are templates/crisis). */
import { newsTemplate } from './news/index';
import { pressReleaseTemplate } from './press-release/index';
import type { CommonVariables, PostTemplate } from './posts';

export const postTemplates = { nyhet: newsTemplate, pressmeddelande: pressReleaseTemplate } as const;
export type PostTemplateKey = keyof typeof postTemplates;
export const postTemplateKeys = Object.keys(postTemplates) as PostTemplateKey[];
export type AnyPostTemplate = PostTemplate<CommonVariables & Record<string, unknown>>;
export * from './posts';
