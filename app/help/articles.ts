import type { HelpSlug } from "./topics";

/**
 * The Knowledge Base, written for Strongbox. Each article is data (headings, paragraphs, numbered
 * steps, lists, notes) so the search can read the same text the page shows. Links between pages
 * use `/help/<slug>`; links into the app use its routes.
 */
export type Block =
  | { h: string }
  | { p: string }
  | { steps: string[] }
  | { list: string[] }
  | { note: string }
  | { qa: { q: string; causes: string[]; fix: string[] }[] };

export type Article = {
  slug: HelpSlug;
  title: string;
  summary: string;
  /** Words a merchant might search for that the text does not use. */
  keywords: string[];
  /** Where in the app this page is about, for the "Open" link at its top. */
  screen?: { href: string; label: string };
  body: Block[];
};

export const articles: Article[] = [
  {
    slug: "getting-started",
    title: "Getting started",
    summary: "What happens after you install Strongbox, your first backup, and how to read Discovery.",
    keywords: ["install", "first backup", "home", "discovery", "onboarding", "progress"],
    screen: { href: "/", label: "Open Discovery" },
    body: [
      {
        p: "Strongbox keeps a version history of your BigCommerce store: every product, category, customer, order, page and the other content types your plan includes. When something is changed or deleted by mistake, you find the earlier version, compare it with what is live, and put it back.",
      },
      { h: "Your first backup" },
      {
        p: "Right after you install the app, Strongbox starts a first backup of the whole store. It reads your store through the BigCommerce API at a pace that leaves part of your API quota free for your other apps, so a large catalog can take a while. Discovery shows how far it is and about how long is left.",
      },
      {
        steps: [
          "Open Strongbox from the Apps menu of your BigCommerce control panel. You land on Discovery.",
          "Under the next step, read the progress of the first backup (for example 34%, about 5 minutes left).",
          "You can leave the page: the backup keeps running on our servers and Discovery shows the result next time.",
          "When it is done, open Backup Vault to see the items stored per content type.",
        ],
      },
      { h: "Reading Discovery" },
      {
        list: [
          "Protection status: when the last backup ran and whether it succeeded, when the next scheduled backup runs, and whether automatic sync is on (with the last change it captured).",
          "Items and storage: how many records the vault holds per content group, and the space they use.",
          "Recent activity: the latest backups, restores and exports with their status; each row opens its detail.",
          "What changed recently: how many records changed per content type over the last 7 days.",
          "Next step: the one thing worth doing now, such as starting a backup or adding notification emails.",
        ],
      },
      { h: "After the first backup" },
      {
        p: "On the Standard and Pro plans a backup runs every day at the hour you choose in Settings, in your store's time zone. Each backup stores only what changed since the previous one, so the vault grows with your changes, not with your catalog size. You can also run Backup all data from Backup Vault at any time, for example just before a big import.",
      },
      {
        note: "Strongbox never changes your store on its own. Only a restore that you confirm writes to BigCommerce.",
      },
    ],
  },
  {
    slug: "what-is-backed-up",
    title: "What is backed up, and what is not",
    summary:
      "The content types Strongbox stores, and the data BigCommerce does not let any app copy or restore, with the reasons.",
    keywords: [
      "content types",
      "item storage",
      "passwords",
      "scripts",
      "images",
      "payments",
      "coverage",
      "supported data",
    ],
    screen: { href: "/vault", label: "Open Backup Vault" },
    body: [
      {
        p: "Backup Vault lists what is stored under Item Storage, in two groups: store business data (catalog, customers, orders, pricing, marketing, channels and settings) and theme and content data (sites, pages, blog posts, banners, widgets, email templates, scripts, themes and redirects). The Free plan covers products, categories and brands; Standard and Pro cover every type.",
      },
      { h: "What is stored for each record" },
      {
        p: "Each record is saved with the sub-records BigCommerce keeps with it: a product comes with its variants, options, modifiers, custom fields, bulk pricing rules, videos and image details; a customer with addresses and attribute values. A new version is stored only when something in the record actually changed.",
      },
      { h: "What is not backed up, and why" },
      {
        list: [
          "Customer passwords. BigCommerce never returns passwords through its API, to any app. A restored customer keeps their account and details; if the customer was deleted and re-created, they set a new password with the storefront's reset link.",
          "Scripts installed by other apps. BigCommerce shows each app only the scripts it created itself, so scripts of your other apps are invisible to Strongbox. Reinstalling or reconnecting those apps puts their scripts back. Scripts you added through Strongbox's account are listed and can be re-created with our team's help.",
          "Image files, until image backup is available on your store. Today the vault keeps each image's URL, order, alt text and thumbnail flag; the picture file itself lives on BigCommerce's CDN. If a product is deleted together with its images, keep a copy of the original files (an export helps) until image file backup is switched on.",
          "Order payments and refunds. Payments live with your payment provider, not in the order record. Strongbox keeps every order's details, but an order re-created through the API is a new order without its payment history, which is why orders are restored with team assistance.",
          "Data outside the BigCommerce API: analytics, abandoned-cart emails already sent, and files in WebDAV are not reachable by apps.",
        ],
      },
      { h: "How long versions are kept" },
      {
        p: "Versions older than your retention period are removed: 30 days on Free, up to 365 days on Standard and up to 3 years on Pro. You can shorten it in Settings. The latest version of every record that still exists is always kept, whatever its age.",
      },
    ],
  },
  {
    slug: "compare-and-restore",
    title: "Compare and restore one record",
    summary:
      "Find a record in Backup Vault, compare its versions side by side, and restore one to an earlier version.",
    keywords: [
      "restore",
      "single record",
      "version",
      "compare",
      "diff",
      "undo",
      "rollback",
      "deleted product",
      "Restore to this version",
    ],
    screen: { href: "/vault", label: "Open Backup Vault" },
    body: [
      {
        p: "Use this when one product, category, page or other record was changed or deleted and you want it back as it was.",
      },
      { h: "Find the record" },
      {
        steps: [
          "Open Backup Vault, Backup vault tab.",
          "Under Item Storage, open the content type (for example Products).",
          "Search by name, SKU, email or id. Deleted records are listed too, marked Deleted.",
          "Open the record to see its versions, newest first.",
        ],
      },
      { h: "Compare versions" },
      {
        steps: [
          "The left side shows the current version: what BigCommerce holds now (or the last version before deletion).",
          "On the right, pick an earlier version in Selected version.",
          "Summary shows the fields a merchant recognises; Json and Source Code show everything.",
          "Turn on View change only to hide what did not change, or click Inspect all changes for the full comparison.",
        ],
      },
      { h: "Restore to this version" },
      {
        steps: [
          "With the version you want selected, click Restore to this version.",
          "Read the confirmation: it says what will change in your live store.",
          "Confirm. Strongbox first saves the record as it is now, then writes the selected version to BigCommerce.",
          "When it is done, check the record in your control panel.",
        ],
      },
      {
        p: "A deleted record is re-created. BigCommerce gives it a new id; Strongbox remembers the link between the old and the new id, so later restores and the record's history keep working. Sub-records such as variants and custom fields come back with it.",
      },
      {
        note: "Changed your mind? Open the restore (from Recent activity on Discovery or from the record) and click Undo this restore: the record goes back to the state saved just before the restore.",
      },
      { h: "When there is no Restore button" },
      {
        list: [
          "You are looking at the current version: select an earlier one.",
          "The content type is restored with team assistance (orders, scripts, themes and theme configurations): see Bulk Recovery and team-assisted types.",
          "Another backup, restore or export of your store is running: Strongbox runs one at a time, so wait for it to finish.",
          "Your plan does not include the content type: see Plans and billing.",
        ],
      },
    ],
  },
  {
    slug: "bulk-recovery",
    title: "Bulk Recovery and team-assisted types",
    summary:
      "Restore many records or whole content types to an earlier backup, follow the restore, and what team-assisted means.",
    keywords: [
      "bulk restore",
      "restore many",
      "recovery history",
      "team assisted",
      "orders restore",
      "mass restore",
      "import gone wrong",
      "point-in-time",
    ],
    screen: { href: "/vault/recovery", label: "Open Bulk Recovery" },
    body: [
      {
        p: "Use Bulk Recovery when a bulk import, an app or a colleague changed many records at once and you want a group of content types back to a known good moment.",
      },
      { h: "Choose the moment" },
      {
        steps: [
          "Open Backup Vault and the Bulk Recovery tab.",
          "In History, pick a backup from before the problem. Use the date filter to narrow the list.",
          "For each content type, read Backed up items and Compare to the latest. Click Compare to see how many records would be added, updated or deleted, and which ones.",
        ],
      },
      {
        p: "On the Pro plan you can also restore to any moment, not only to a backup: automatic sync captures each change as it happens, so Strongbox knows every record's state minute by minute.",
      },
      { h: "Start the restore" },
      {
        steps: [
          "Click Restore to this version.",
          "Select the content types to restore; restore only the ones that need it.",
          "Check the notification emails: everyone listed hears when the restore finishes.",
          "Click Restore now, read the summary and confirm.",
        ],
      },
      {
        p: "Strongbox restores types in a safe order (for example categories and brands before the products that use them) and saves each record's current state before changing it. The restore page shows, per content type, the status, successful items, errors and totals; View Detail lists the items.",
      },
      { h: "Team-assisted types" },
      {
        p: "Some data cannot be put back faithfully by an app alone, so our team does it with you instead of the app writing something that only looks right:",
      },
      {
        list: [
          "Orders: BigCommerce creates a restored order as a new order with a new number and without its payments and refunds, and can move stock. Our team re-imports orders keeping the original number in the order's external reference.",
          "Scripts: BigCommerce shows each app only its own scripts, so scripts of other apps must be reinstalled by those apps.",
          "Themes and theme configurations: restoring a theme means uploading it as a new theme and activating it, which changes your live storefront.",
        ],
      },
      {
        p: "Bulk Recovery lists these types under Restored with team assistance, each with the reason. Write to our support team at the address shown there with the backup date and the types you need: we restore them with you, usually within one to three business days and at most seven.",
      },
      { h: "Recovery history" },
      {
        p: "Click Recovery history to see every bulk restore with its target date, when it ran, success and error counts and status (Progressing, Done or Fail). Filter by date or status, and open View Detail for the items.",
      },
      {
        note: "Cancelling a restore stops it between records. Records already restored stay restored; their earlier state was saved, so Undo this restore puts them back.",
      },
    ],
  },
  {
    slug: "exports",
    title: "Exports and schedules",
    summary:
      "Download your store data as CSV and JSON files now or every week or month, and find past exports.",
    keywords: [
      "export",
      "quick export",
      "schedule export",
      "csv",
      "download",
      "zip",
      "weekly",
      "monthly",
      "export history",
      "email link",
    ],
    screen: { href: "/export", label: "Open Export" },
    body: [
      {
        p: "An export packs the current data of the content types you choose into ZIP files (CSV for spreadsheets and JSON with every field), and emails a download link to the recipients.",
      },
      { h: "Quick Export" },
      {
        steps: [
          "Open Export, Quick Export tab.",
          "Under Select content type to export, tick the types (or All items in a group).",
          "Under Your emails, keep or add recipients: type an address and press Enter. Duplicates are ignored and invalid addresses are refused.",
          "Click Start export. The button is available once at least one type and one email are chosen.",
        ],
      },
      {
        p: "Links work for one week; the files are deleted after that. An export larger than 1 GB is split into several ZIP files.",
      },
      { h: "Schedule Export" },
      {
        steps: [
          "Open Export, Schedule Export tab (Standard and Pro plans).",
          "Choose Weekly and a day of the week, or Monthly and a day of the month. A day that a month does not have (for example the 31st) runs on that month's last day.",
          "Choose the content types and the recipients, then click Save.",
        ],
      },
      { h: "Export History" },
      {
        p: "The History tab lists manual, weekly and monthly exports with date, time, type and number of content types. Open an export there to download its files again while the link is valid.",
      },
      {
        note: "On the Free plan you can export products, categories and brands manually. Exporting other types, and scheduled exports, need the Standard plan.",
      },
    ],
  },
  {
    slug: "settings",
    title: "Backup schedule, automatic sync and settings",
    summary:
      "When backups run, how often each content type is captured, automatic sync, notification emails, API quota and retention.",
    keywords: [
      "settings",
      "schedule",
      "time zone",
      "timezone",
      "backup time",
      "hourly",
      "frequency",
      "webhooks",
      "automatic sync",
      "quota",
      "api limit",
      "retention",
      "emails",
    ],
    screen: { href: "/settings", label: "Open Settings" },
    body: [
      { h: "Daily backup time" },
      {
        p: "Pick the hour and the time zone; a quiet hour for your store is best. The next scheduled backup is shown in Settings and on Discovery.",
      },
      { h: "Frequency per content type" },
      {
        p: "Each content type can be captured daily (the default) or weekly, and on Pro, orders, customers and products can be captured every hour. Types that BigCommerce announces changes for (products, categories, customers, orders, inventory, price lists and store settings) can use automatic sync instead. Settings shows the API calls per day each choice costs, computed from the number of records in your store.",
      },
      { h: "Automatic sync (Pro)" },
      {
        p: "With automatic sync on, BigCommerce tells Strongbox about each change within seconds, and the changed record is saved right away. The daily backup still runs as a safety net, lighter: deletions and stock changes are left to the notifications while they keep arriving. Once a week every record is listed in full, which catches a notification that was missed and the few changes BigCommerce does not announce (a complex rule, or a customer metafield, edited on its own). Discovery shows the last change automatic sync captured.",
      },
      { h: "Notification emails" },
      {
        p: "These addresses are filled in by default when you start a restore or an export. You can still change them each time.",
      },
      { h: "API quota left to other apps" },
      {
        p: "Every BigCommerce store has an API quota shared by all its apps. Strongbox keeps the share you choose here (5% to 50%) free for your other apps and slows itself down when the quota runs low. A bigger reserve makes large backups take longer.",
      },
      { h: "Retention" },
      {
        p: "How long older versions are kept, up to your plan's limit (30 days on Free, 365 on Standard, 3 years on Pro).",
      },
    ],
  },
  {
    slug: "troubleshooting",
    title: "Troubleshooting",
    summary:
      "A recent change is missing, a restore button is missing, Bulk Recovery or an export will not start, an export email did not arrive, a restore finished with errors.",
    keywords: [
      "problem",
      "not working",
      "missing",
      "error",
      "help",
      "support",
      "restore failed",
      "export email",
      "cannot",
      "disabled button",
    ],
    body: [
      {
        qa: [
          {
            q: "I cannot see a recent change in Backup Vault",
            causes: [
              "No backup has run since the change. Without automatic sync, changes are captured by the next daily backup (or hourly, for the types you set to hourly).",
              "A backup is running and has not reached that content type yet.",
              "You are looking at another content type or a record with a similar name.",
              "The content type is not in your plan (Free covers products, categories and brands).",
            ],
            fix: [
              "Check Discovery: it shows whether a backup is running and when the last one finished.",
              "Click Backup all data in Backup Vault and wait for it to finish, then reopen the record.",
              "Search by id or SKU instead of name.",
              "On Pro, turn on automatic sync in Settings so changes are saved within seconds.",
            ],
          },
          {
            q: "The Restore to this version button is not there",
            causes: [
              "The selected version is the current one: there is nothing to restore.",
              "The content type is restored with team assistance (orders, scripts, themes, theme configurations).",
              "A backup, restore or export of your store is running; Strongbox runs one job at a time.",
              "Your plan does not include the content type, or point-in-time restore (Pro) for a moment between backups.",
            ],
            fix: [
              "Pick an earlier version in Selected version.",
              "For team-assisted types, write to our support team at the address shown under Restored with team assistance in Bulk Recovery.",
              "Wait for the running job (Discovery shows its progress), then reload the page.",
              "See Plans and billing if the message names a plan.",
            ],
          },
          {
            q: "Bulk Recovery does not let me continue",
            causes: [
              "No backup is selected in History.",
              "No content type is ticked, or only team-assisted types are ticked for an automatic restore.",
              "The comparison with the latest version is still loading.",
              "Another restore, backup or export is running.",
            ],
            fix: [
              "Select a backup in History, then tick at least one content type.",
              "Check there is at least one valid notification email.",
              "Wait for the page to finish loading, and for any running job to finish.",
            ],
          },
          {
            q: "My export will not start",
            causes: [
              "No content type is selected, or no recipient.",
              "An email address is invalid (it is shown in red).",
              "Another export, backup or restore of your store is running.",
              "A selected type is not in your plan.",
            ],
            fix: [
              "Select at least one content type and keep at least one valid email.",
              "Remove the invalid address and add it again correctly.",
              "Wait for the running job to finish; Discovery shows it.",
            ],
          },
          {
            q: "I did not receive the export email",
            causes: [
              "The export is still running (large stores take longer).",
              "The address was mistyped.",
              "The message was filtered to spam, promotions or a quarantine.",
              "The export failed.",
            ],
            fix: [
              "Open Export History: a finished export can be downloaded from there while its link is valid (one week).",
              "Check the recipient list of the export in its detail.",
              "Look in spam and ask your mail administrator to allow messages from Strongbox.",
              "If the export shows Fail, start it again; the error is shown in the history.",
            ],
          },
          {
            q: "A restore finished with errors",
            causes: [
              "BigCommerce refused some records, for example a SKU now used by another product, or a category that no longer exists.",
              "The store's API quota ran out for long enough that some writes were given up.",
            ],
            fix: [
              "Open Recovery history and the restore's View Detail; each failed item shows BigCommerce's message.",
              "Fix the cause in BigCommerce (for example rename the duplicate SKU), then restore those records one by one from Backup Vault.",
              "Records restored successfully stay restored; the state before the restore was saved, so Undo this restore can still put everything back.",
              "If items still fail, write to our support team at the address shown in Bulk Recovery and we will help.",
            ],
          },
        ],
      },
    ],
  },
  {
    slug: "best-practices",
    title: "Best practices",
    summary:
      "Habits that make recovery quick: back up before big changes, compare before restoring, restore only what you need.",
    keywords: ["tips", "recommendations", "policy", "before import", "audit"],
    body: [
      {
        list: [
          "Click Backup all data just before a bulk import, a price update, a theme change or a migration, and again after it: you get a clean before and after.",
          "Compare before restoring: Summary for a quick look, View change only to see exactly what will change.",
          "Restore only the content types, or the single records, that need it. A restore overwrites live data, including good changes made since.",
          "Tell your team before a bulk restore that affects the live storefront, and avoid editing the same records while it runs.",
          "Keep notification emails current so the right people hear when restores and exports finish.",
          "Check Recovery history after each bulk restore and Export History regularly if exports are part of your record keeping.",
          "Download export files promptly: links last one week.",
          "Order-heavy stores: on Pro, capture orders hourly or with automatic sync, and keep a quota reserve for your other apps.",
        ],
      },
    ],
  },
  {
    slug: "plans",
    title: "Plans and billing",
    summary:
      "What Free, Standard and Pro include, what happens when you change plan, and where billing happens.",
    keywords: [
      "pricing",
      "upgrade",
      "downgrade",
      "subscription",
      "price",
      "free plan",
      "standard plan",
      "pro plan",
      "billing",
    ],
    screen: { href: "/pricing", label: "Open Pricing" },
    body: [
      {
        list: [
          "Free: products, categories and brands; 30 days of versions; backups and exports when you ask for them.",
          "Standard: every content type; up to 365 days of versions; a daily scheduled backup; weekly and monthly scheduled exports.",
          "Pro: everything in Standard, plus automatic sync, point-in-time restore, hourly capture for orders, customers and products, and up to 3 years of versions.",
        ],
      },
      { p: "New installs start on Standard. The Pricing page compares the plans and highlights yours." },
      { h: "Changing plan" },
      {
        p: "The store owner can change the plan from Pricing. The change is recorded with who made it and when, and applies at once: on a smaller plan, automatic sync turns off, retention is shortened to the plan's limit and types outside the plan are no longer backed up (their stored versions are kept until retention removes them). Going up again restores your frequency choices.",
      },
      {
        p: 'When something is not in your plan, Strongbox says which plan includes it, for example "Exporting Customers needs the Standard plan."',
      },
      { note: "Billing is handled by BigCommerce's app marketplace, not inside Strongbox." },
    ],
  },
];

/** All the text of an article, one sentence-ish line per block item: what the search reads. */
export function articleText(a: Article): string {
  const parts: string[] = [a.title, a.summary, ...a.keywords];
  for (const b of a.body) {
    if ("h" in b) parts.push(b.h);
    else if ("p" in b) parts.push(b.p);
    else if ("note" in b) parts.push(b.note);
    else if ("steps" in b) parts.push(...b.steps);
    else if ("list" in b) parts.push(...b.list);
    else for (const item of b.qa) parts.push(item.q, ...item.causes, ...item.fix);
  }
  return parts.join("\n");
}

export type SearchHit = { article: Article; score: number; snippet: string | null };

const textIndex = new Map<Article, { text: string; lower: string }>();
function indexed(a: Article) {
  let entry = textIndex.get(a);
  if (!entry) {
    const text = articleText(a);
    entry = { text, lower: text.toLowerCase() };
    textIndex.set(a, entry);
  }
  return entry;
}

/**
 * Client-side search over titles and bodies: every word of the query must appear; title matches
 * rank first, then the number of mentions. The snippet is the first body sentence with the first word.
 */
export function searchArticles(query: string): SearchHit[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return articles.map((article) => ({ article, score: 0, snippet: null }));
  const hits: SearchHit[] = [];
  for (const article of articles) {
    const { text, lower } = indexed(article);
    if (!words.every((w) => lower.includes(w))) continue;
    const title = article.title.toLowerCase();
    const score = words.reduce((s, w) => s + (title.includes(w) ? 100 : 0) + lower.split(w).length - 1, 0);
    const sentences = text.split(/(?<=[.!?])\s+|\n/).slice(1);
    const snippet = sentences.find((s) => s.toLowerCase().includes(words[0])) ?? null;
    hits.push({
      article,
      score,
      snippet: snippet && snippet.length > 200 ? `${snippet.slice(0, 197)}…` : snippet,
    });
  }
  return hits.sort((a, b) => b.score - a.score);
}
