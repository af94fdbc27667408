/** Themes and their configurations (themes.v3.yml). Theme files themselves are a small generated zip. */
import { iso, type Rand, uuid } from "./content-kit.ts";

export interface Theme {
  uuid: string;
  name: string;
  is_private: boolean;
  is_active: boolean;
  updated_at: string;
  variations: { uuid: string; name: string; description: string; external_id: string }[];
}

export interface ThemeConfiguration {
  uuid: string;
  theme_uuid: string;
  variation_id: string;
  settings: Record<string, unknown>;
  date_created: string;
  site_id: number;
}

export interface ThemeJob {
  id: string;
  status: "COMPLETED" | "QUEUED" | "WORKING" | "FAILED";
  percent_complete: number;
  time: string;
  errors: { error: string; message: string }[];
  warnings: { message: string; warning: string }[];
  result: Record<string, unknown>;
  /** Not part of the response: when the job completes and when its download link stops working. */
  ready_at: number;
  expires_at: number;
  theme_uuid: string;
}

export function generateThemes(rand: Rand, now: number, count: number, siteId: number) {
  const themes: Theme[] = [];
  const configurations: ThemeConfiguration[] = [];
  const names = ["Cornerstone", "Cornerstone — custom", "Lumen"];
  for (let i = 0; i < count; i++) {
    const themeUuid = uuid(rand);
    const variations = ["Light", "Bold", "Warm"].map((name) => ({
      uuid: uuid(rand),
      name,
      description: `${name} variation`,
      external_id: "",
    }));
    themes.push({
      uuid: themeUuid,
      name: names[i % names.length] as string,
      is_private: i > 0,
      is_active: i === count - 1,
      updated_at: iso(now - (count - i) * 30 * 86_400_000),
      variations,
    });
    const variation = variations[0];
    if (variation) {
      configurations.push({
        uuid: uuid(rand),
        theme_uuid: themeUuid,
        variation_id: variation.uuid,
        settings: {
          "color-primary": "#3c64f4",
          "body-font": "Google_Karla_400",
          homepage_featured_products_count: 8,
          show_powered_by: false,
        },
        date_created: iso(now - (count - i) * 30 * 86_400_000),
        site_id: siteId,
      });
    }
  }
  return { themes, theme_configurations: configurations };
}
