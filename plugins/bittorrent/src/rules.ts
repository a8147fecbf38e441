import type { BitTorrentConfig } from './config';
import type { FeedItem } from './feed';

export type FeedRule = BitTorrentConfig['feed_rules'][number];

/** Season and episode in a title: S01E02, 1x02, or "Season 1 Episode 2". */
export function episodeOf(title: string): { season: number; episode: number } | undefined {
  const match = /\bS(\d{1,2})\s?E(\d{1,3})\b/i.exec(title) ?? /\b(\d{1,2})x(\d{1,3})\b/.exec(title) ?? /season\s+(\d{1,2})\D{1,12}episode\s+(\d{1,3})/i.exec(title);
  return match ? { season: Number(match[1]), episode: Number(match[2]) } : undefined;
}

/**
 * Whether an episode passes a filter like `1x1-12;2x1-`: season 1 episodes 1 to 12, season 2
 * from episode 1 on. A part without a range (`3x5`) takes that episode only.
 */
export function episodeMatches(filter: string, season: number, episode: number): boolean {
  return filter
    .split(';')
    .filter(Boolean)
    .some((part) => {
      const match = /^(\d+)x(\d+)(-(\d*))?$/.exec(part);
      if (!match || Number(match[1]) !== season) return false;
      const from = Number(match[2]);
      const to = match[3] === undefined ? from : match[4] ? Number(match[4]) : Infinity;
      return episode >= from && episode <= to;
    });
}

const words = (text: string): string[] => text.toLowerCase().split(/\s+/).filter(Boolean);

/** Why a rule does not take an item, or undefined when it does. */
export function ruleRefusal(rule: FeedRule, item: FeedItem): string | undefined {
  const title = item.title.toLowerCase();
  const missing = words(rule.must_contain).filter((word) => !title.includes(word));
  if (missing.length) return `does not contain ${missing.map((w) => `"${w}"`).join(', ')}`;
  const banned = words(rule.must_not_contain).find((word) => title.includes(word));
  if (banned) return `contains "${banned}"`;
  if (rule.regex && !new RegExp(rule.regex, 'i').test(item.title)) return `does not match /${rule.regex}/`;
  if (rule.episode_filter) {
    const episode = episodeOf(item.title);
    if (!episode) return `has no season and episode for the filter ${rule.episode_filter}`;
    if (!episodeMatches(rule.episode_filter, episode.season, episode.episode)) return `S${episode.season}E${episode.episode} is not in ${rule.episode_filter}`;
  }
  return undefined;
}

/** A rule's identity for its `ignore_days` memory: its content, so reordering rules keeps it. */
export function ruleKey(rule: FeedRule): string {
  return JSON.stringify([rule.feed ?? '', rule.must_contain, rule.must_not_contain, rule.regex ?? '', rule.episode_filter]);
}

/** When a rule last took an item, and which one. */
export interface RuleMatch {
  at: number;
  key: string;
}

export interface RuleDecision {
  take: boolean;
  /** The index of the rule that took it. */
  rule?: number;
  reason: string;
}

/**
 * What the rules say about one item of `feed`. With no rule for that feed, every item is taken;
 * otherwise the first rule that matches takes it, unless that rule took another item within its
 * `ignore_days` (`lastMatch`, by `ruleKey`). `key` names the item (its info hash or URL).
 */
export function decide(item: FeedItem, key: string, feed: string, rules: readonly FeedRule[], lastMatch: Readonly<Record<string, RuleMatch>>, now = Date.now()): RuleDecision {
  const applicable = rules.map((rule, index) => ({ rule, index })).filter(({ rule }) => !rule.feed || rule.feed === feed);
  if (applicable.length === 0) return { take: true, reason: 'the feed has no rules, so every item is taken' };
  const refusals: string[] = [];
  for (const { rule, index } of applicable) {
    const refusal = ruleRefusal(rule, item);
    if (refusal) {
      refusals.push(`rule ${index + 1}: ${refusal}`);
      continue;
    }
    const last = lastMatch[ruleKey(rule)];
    // The item the rule last took is still taken (Haven skips it as archived); others wait.
    if (rule.ignore_days > 0 && last && last.key !== key && now - last.at < rule.ignore_days * 86_400_000) {
      refusals.push(`rule ${index + 1} matched on ${new Date(last.at).toISOString().slice(0, 10)} and ignores further matches for ${rule.ignore_days} days`);
      continue;
    }
    return { take: true, rule: index, reason: `rule ${index + 1} matches` };
  }
  return { take: false, reason: `no rule takes it (${refusals.join('; ')})` };
}
