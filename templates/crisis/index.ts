/**
 * Crisis message templates (pure: no I/O, safe in the browser). Each template has typed variables (zod) and renders
 * one variant per language: Swedish, English and easy Swedish (lättläst: short sentences, common words, one thing
 * per line). The rendered text is what every channel gets; the headline, description and instruction go to CAP.
 */
import { z } from 'zod';
import { fieldErrorsOf, hasControlChars } from '../../common/form-rules';

export const crisisTemplateLanguages = ['sv', 'en', 'sv-easy'] as const;
export type TemplateLanguage = (typeof crisisTemplateLanguages)[number];


const line = (max: number) =>
  z
    .string({ error: 'validation.required' })
    .trim()
    .min(1, { error: 'validation.required' })
    .max(max, { error: 'crisis.tooLong' })
    // One line each: a line break inside a variable would break the message's layout on every channel.
    .refine((v) => !hasControlChars(v), { error: 'crisis.controlChars' });

/** The variables every template takes. whatToDo is optional: empty means the template's own advice. */
export const baseVariables = z.object({
  area: line(120),
  time: line(60),
  whatToDo: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), line(200).optional()),
  readMore: z
    .string({ error: 'validation.required' })
    .trim()
    .max(200, { error: 'crisis.tooLong' })
    .url({ error: 'validation.url' })
    .refine((v) => /^https:\/\//i.test(v), { error: 'validation.url' }),
});
export type BaseVariables = z.infer<typeof baseVariables>;

export interface Rendered {
  headline: string;
  description: string;
  instruction: string;
  /** The post text for every channel. */
  text: string;
}

export interface CrisisTemplate<V extends BaseVariables = BaseVariables> {
  key: string;
  /** all_clear templates end the incident (CAP Cancel); the others alert or update. */
  allClear: boolean;
  /** CAP category (OASIS CAP §3.2.2). */
  capCategory: 'Health' | 'Infra' | 'Fire' | 'Met' | 'Transport' | 'Safety' | 'Other';
  capEvent: string;
  name: Record<TemplateLanguage, string>;
  variables: z.ZodType<V, unknown>;
  render(lang: TemplateLanguage, v: V): Rendered;
}

function compose(headline: string, description: string, instruction: string, readMore: string, readMoreLabel: string): Rendered {
  return { headline, description, instruction, text: `${headline}\n${description}\n${instruction}\n${readMoreLabel} ${readMore}` };
}
const readMoreLabel: Record<TemplateLanguage, string> = { sv: 'Läs mer:', en: 'More:', 'sv-easy': 'Läs mer här:' };

type Texts = Record<TemplateLanguage, { headline: (v: BaseVariables) => string; description: (v: BaseVariables) => string; advice: string }>;

function simple(
  key: string,
  meta: Pick<CrisisTemplate, 'capCategory' | 'capEvent' | 'allClear'> & { name: Record<TemplateLanguage, string> },
  texts: Texts,
): CrisisTemplate {
  return {
    key,
    ...meta,
    variables: baseVariables,
    render(lang, v) {
      const tx = texts[lang];
      return compose(tx.headline(v), tx.description(v), v.whatToDo ?? tx.advice, v.readMore, readMoreLabel[lang]);
    },
  };
}

const boilWater = simple(
  'boil_water',
  { capCategory: 'Health', capEvent: 'Kokningsrekommendation', allClear: false, name: { sv: 'Koka vattnet', en: 'Boil-water advice', 'sv-easy': 'Koka vattnet' } },
  {
    sv: { headline: (v) => `Koka dricksvattnet i ${v.area}`, description: (v) => `Från ${v.time} kan vattnet innehålla bakterier.`, advice: 'Koka vatten i minst en minut innan du dricker det eller lagar mat.' },
    en: { headline: (v) => `Boil drinking water in ${v.area}`, description: (v) => `From ${v.time} the water may contain bacteria.`, advice: 'Boil water for at least one minute before drinking or cooking.' },
    'sv-easy': { headline: (v) => `Vattnet i ${v.area} kan göra dig sjuk`, description: (v) => `Det gäller från ${v.time}.`, advice: 'Koka vattnet innan du dricker det.' },
  },
);

const waterOutage = simple(
  'water_outage',
  { capCategory: 'Infra', capEvent: 'Vattenavbrott', allClear: false, name: { sv: 'Vattenavbrott', en: 'Water outage', 'sv-easy': 'Inget vatten' } },
  {
    sv: { headline: (v) => `Vattenavbrott i ${v.area}`, description: (v) => `Vattnet är avstängt från ${v.time}.`, advice: 'Hämta vatten vid tappstället och spara på vattnet du har.' },
    en: { headline: (v) => `Water outage in ${v.area}`, description: (v) => `The water is off from ${v.time}.`, advice: 'Fetch water at the water point and save the water you have.' },
    'sv-easy': { headline: (v) => `Inget vatten i kranen i ${v.area}`, description: (v) => `Det gäller från ${v.time}.`, advice: 'Hämta vatten vid tappstället.' },
  },
);

const powerOutage = simple(
  'power_outage',
  { capCategory: 'Infra', capEvent: 'Strömavbrott', allClear: false, name: { sv: 'Strömavbrott', en: 'Power outage', 'sv-easy': 'Ingen ström' } },
  {
    sv: { headline: (v) => `Strömavbrott i ${v.area}`, description: (v) => `Strömmen är borta sedan ${v.time}.`, advice: 'Ring 112 bara vid nödläge. Lyssna på Sveriges Radio P4.' },
    en: { headline: (v) => `Power outage in ${v.area}`, description: (v) => `The power has been out since ${v.time}.`, advice: 'Call 112 only in an emergency. Listen to Sveriges Radio P4.' },
    'sv-easy': { headline: (v) => `Ingen ström i ${v.area}`, description: (v) => `Strömmen försvann ${v.time}.`, advice: 'Ring 112 om det är fara för liv.' },
  },
);

const fireSmoke = simple(
  'fire_smoke',
  { capCategory: 'Fire', capEvent: 'Brandrök', allClear: false, name: { sv: 'Brandrök', en: 'Fire smoke', 'sv-easy': 'Rök från brand' } },
  {
    sv: { headline: (v) => `Brandrök över ${v.area}`, description: (v) => `Kraftig rök från en brand sedan ${v.time}.`, advice: 'Gå inomhus. Stäng dörrar, fönster och ventilation.' },
    en: { headline: (v) => `Fire smoke over ${v.area}`, description: (v) => `Heavy smoke from a fire since ${v.time}.`, advice: 'Go indoors. Close doors, windows and ventilation.' },
    'sv-easy': { headline: (v) => `Rök från en brand i ${v.area}`, description: (v) => `Det gäller från ${v.time}.`, advice: 'Gå in. Stäng dörrar och fönster. Stäng av fläkten.' },
  },
);

const storm = simple(
  'storm',
  { capCategory: 'Met', capEvent: 'Storm', allClear: false, name: { sv: 'Storm', en: 'Storm', 'sv-easy': 'Storm' } },
  {
    sv: { headline: (v) => `Storm i ${v.area}`, description: (v) => `Mycket hårda vindar från ${v.time}.`, advice: 'Stanna inne om du kan. Håll dig borta från stranden och träd.' },
    en: { headline: (v) => `Storm in ${v.area}`, description: (v) => `Very strong winds from ${v.time}.`, advice: 'Stay indoors if you can. Keep away from the shore and trees.' },
    'sv-easy': { headline: (v) => `Det blåser mycket i ${v.area}`, description: (v) => `Det gäller från ${v.time}.`, advice: 'Stanna inne om du kan.' },
  },
);

const roadVariables = baseVariables.extend({ road: line(80) });
type RoadVariables = z.infer<typeof roadVariables>;
const roadTexts: Record<TemplateLanguage, { headline: (v: RoadVariables) => string; description: (v: RoadVariables) => string; advice: string }> = {
  sv: { headline: (v) => `${v.road} är avstängd`, description: (v) => `Vägen i ${v.area} är stängd från ${v.time}.`, advice: 'Välj en annan väg och följ skyltarna.' },
  en: { headline: (v) => `${v.road} is closed`, description: (v) => `The road in ${v.area} is closed from ${v.time}.`, advice: 'Take another route and follow the signs.' },
  'sv-easy': { headline: (v) => `Du kan inte köra på ${v.road}`, description: (v) => `Vägen i ${v.area} är stängd från ${v.time}.`, advice: 'Kör en annan väg.' },
};
const roadClosure: CrisisTemplate<RoadVariables> = {
  key: 'road_closure',
  allClear: false,
  capCategory: 'Transport',
  capEvent: 'Avstängd väg',
  name: { sv: 'Avstängd väg', en: 'Road closure', 'sv-easy': 'Stängd väg' },
  variables: roadVariables,
  render(lang, v) {
    const tx = roadTexts[lang];
    return compose(tx.headline(v), tx.description(v), v.whatToDo ?? tx.advice, v.readMore, readMoreLabel[lang]);
  },
};

const allClear = simple(
  'all_clear',
  { capCategory: 'Safety', capEvent: 'Faran över', allClear: true, name: { sv: 'Faran över', en: 'All clear', 'sv-easy': 'Faran är över' } },
  {
    sv: { headline: (v) => `Faran är över i ${v.area}`, description: (v) => `Från ${v.time} gäller inte längre tidigare råd.`, advice: 'Du kan leva som vanligt igen.' },
    en: { headline: (v) => `All clear in ${v.area}`, description: (v) => `From ${v.time} the earlier advice no longer applies.`, advice: 'You can go back to normal.' },
    'sv-easy': { headline: (v) => `Nu är det ingen fara i ${v.area}`, description: (v) => `Det gäller från ${v.time}.`, advice: 'Du kan göra som vanligt igen.' },
  },
);

export const crisisTemplates = {
  boil_water: boilWater,
  water_outage: waterOutage,
  power_outage: powerOutage,
  fire_smoke: fireSmoke,
  storm,
  road_closure: roadClosure as unknown as CrisisTemplate,
  all_clear: allClear,
} as const satisfies Record<string, CrisisTemplate>;

export type CrisisTemplateKey = keyof typeof crisisTemplates;
export const crisisTemplateKeys = Object.keys(crisisTemplates) as CrisisTemplateKey[];

export function isCrisisTemplateKey(v: unknown): v is CrisisTemplateKey {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(crisisTemplates, v);
}

/** Variable names a template takes, in form order (the screen shows a field per name). */
export function templateFields(key: CrisisTemplateKey): string[] {
  return key === 'road_closure' ? ['area', 'road', 'time', 'whatToDo', 'readMore'] : ['area', 'time', 'whatToDo', 'readMore'];
}

export type RenderResult =
  | { ok: true; variables: Record<string, string>; variants: { language: TemplateLanguage; rendered: Rendered }[] }
  | { ok: false; fieldErrors: Record<string, string[]> };

/** Validates the variables with the template's schema and renders one variant per language asked for. */
export function renderCrisisMessage(key: CrisisTemplateKey, input: unknown, languages: readonly TemplateLanguage[]): RenderResult {
  const template = crisisTemplates[key];
  const parsed = template.variables.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) };
  const variables = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)) as Record<string, string>;
  return { ok: true, variables, variants: languages.map((language) => ({ language, rendered: template.render(language, parsed.data) })) };
}
