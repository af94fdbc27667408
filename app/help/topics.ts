/**
 * The Knowledge Base pages and the screen topics that link to them. Kept apart from the article
 * text so the "?" links on every screen do not load the whole Knowledge Base.
 */
export const helpPages = [
  { slug: "getting-started", title: "Getting started" },
  { slug: "what-is-backed-up", title: "What is backed up, and what is not" },
  { slug: "compare-and-restore", title: "Compare and restore one record" },
  { slug: "bulk-recovery", title: "Bulk Recovery and team-assisted types" },
  { slug: "exports", title: "Exports and schedules" },
  { slug: "settings", title: "Backup schedule, automatic sync and settings" },
  { slug: "troubleshooting", title: "Troubleshooting" },
  { slug: "best-practices", title: "Best practices" },
  { slug: "plans", title: "Plans and billing" },
] as const;

export type HelpSlug = (typeof helpPages)[number]["slug"];

/** Screen topics (what a page passes to `<HelpLink topic=...>`) and the page that explains each. */
export const helpTopicPages = {
  discovery: "getting-started",
  "getting-started": "getting-started",
  vault: "compare-and-restore",
  backup: "getting-started",
  "item-storage": "what-is-backed-up",
  "what-is-backed-up": "what-is-backed-up",
  compare: "compare-and-restore",
  restore: "compare-and-restore",
  "bulk-recovery": "bulk-recovery",
  "recovery-history": "bulk-recovery",
  "team-assisted": "bulk-recovery",
  export: "exports",
  "quick-export": "exports",
  "schedule-export": "exports",
  "export-history": "exports",
  settings: "settings",
  "automatic-sync": "settings",
  troubleshooting: "troubleshooting",
  "best-practices": "best-practices",
  pricing: "plans",
  plans: "plans",
} as const satisfies Record<string, HelpSlug>;

export type HelpTopic = keyof typeof helpTopicPages;

export function helpPageFor(topic: HelpTopic): { slug: HelpSlug; title: string } {
  const slug = helpTopicPages[topic];
  return helpPages.find((p) => p.slug === slug) ?? helpPages[0];
}
