import { isoDate, sourceType, type ExportPlan, type ItemFacts } from './layout';

// Characters XML 1.0 cannot hold at all (most control characters, lone surrogates, U+FFFE/U+FFFF).
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text or an attribute value made safe for XML: `<&>"'` escaped, characters XML cannot hold dropped. */
export function escapeXml(value: string): string {
  return value.replace(NOT_XML, '').replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

/** A tiny XML writer: elements with escaped text and attributes, indented by two spaces. */
export class XmlWriter {
  private readonly lines: string[] = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'];
  private readonly open: string[] = [];

  private static tag(name: string): string {
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) throw new Error(`not an XML name: ${name}`);
    return name;
  }

  private static attributes(attrs: Record<string, string | undefined>): string {
    return Object.entries(attrs)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([key, value]) => ` ${XmlWriter.tag(key)}="${escapeXml(value)}"`)
      .join('');
  }

  private get indent(): string {
    return '  '.repeat(this.open.length);
  }

  start(name: string, attrs: Record<string, string | undefined> = {}): this {
    this.lines.push(`${this.indent}<${XmlWriter.tag(name)}${XmlWriter.attributes(attrs)}>`);
    this.open.push(name);
    return this;
  }

  end(): this {
    const name = this.open.pop();
    if (!name) throw new Error('no element to close');
    this.lines.push(`${this.indent}</${name}>`);
    return this;
  }

  /** `<name attrs>value</name>`; nothing when the value is undefined or empty. */
  element(name: string, value: string | number | undefined, attrs: Record<string, string | undefined> = {}): this {
    if (value === undefined || value === '' || (typeof value === 'number' && !Number.isFinite(value))) return this;
    this.lines.push(`${this.indent}<${XmlWriter.tag(name)}${XmlWriter.attributes(attrs)}>${escapeXml(String(value))}</${name}>`);
    return this;
  }

  toString(): string {
    if (this.open.length > 0) throw new Error(`unclosed elements: ${this.open.join(', ')}`);
    return `${this.lines.join('\n')}\n`;
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/** Minutes, as Kodi's `<runtime>` wants them (at least 1 for anything that has a length). */
export function runtimeMinutes(seconds: number | undefined): number | undefined {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) return undefined;
  return Math.max(1, Math.round(seconds / 60));
}

export interface NfoOptions {
  /** The picture's path as the .nfo names it (next to it in the export). */
  thumb?: string | undefined;
}

/**
 * A Kodi/Jellyfin .nfo for an item: `<episodedetails>` in the `shows` layout, `<movie>` otherwise.
 * Every value is escaped; the item's Haven id and its source id are `<uniqueid>`s.
 */
export function buildNfo(item: ItemFacts, plan: ExportPlan, options: NfoOptions = {}): string {
  const xml = new XmlWriter().start(plan.nfoRoot);
  const { metadata } = item;
  const date = plan.date ? isoDate(plan.date) : undefined;
  const duration = item.duration ?? (typeof metadata.duration === 'number' ? metadata.duration : undefined);
  xml.element('title', plan.title);
  if (plan.nfoRoot === 'episodedetails') {
    xml.element('showtitle', plan.show);
    xml.element('season', plan.season);
    xml.element('episode', plan.episode);
  } else {
    xml.element('year', plan.date?.year);
  }
  xml.element('plot', text(metadata.description) ?? text(metadata.summary));
  xml.element('runtime', runtimeMinutes(duration));
  if (plan.nfoRoot === 'episodedetails') xml.element('aired', date);
  xml.element('premiered', date);
  xml.element('studio', plan.show);
  xml.element('uniqueid', item.id, { type: 'haven', default: 'true' });
  xml.element('uniqueid', item.sourceId, { type: sourceType(item.plugin) });
  xml.element('thumb', options.thumb, { aspect: plan.nfoRoot === 'episodedetails' ? 'thumb' : 'poster' });
  return xml.end().toString();
}

/** The `<uniqueid type=TYPE>` of an .nfo, or undefined (to find an item's earlier export). */
export function uniqueIdIn(nfo: string, type: string): string | undefined {
  const escapedType = type.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`<uniqueid[^>]*\\btype="${escapedType}"[^>]*>([^<]*)</uniqueid>`).exec(nfo);
  if (!match) return undefined;
  return match[1]!.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[name]!);
}

/** A minimal `tvshow.nfo` for a channel, so a media server does not look the show up as someone else's. */
export function buildTvShowNfo(show: string): string {
  return new XmlWriter().start('tvshow').element('title', show).element('studio', show).end().toString();
}
