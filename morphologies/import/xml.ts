/**
 * The XML layer of the MJCF and URDF importers: `fast-xml-parser` in its order-preserving mode,
 * turned into a small element tree where every element knows its file, its line and its path
 * (`mujoco/worldbody/body[torso]/site`), so that an importer can refuse an element by name and
 * line. Lines come from the parser's node metadata (`captureMetaData`: the source offset of each
 * element's `<`), counted against the offsets of the newlines in the text.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SpecError } from '../spec-error.js';

export interface XmlElement {
  tag: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** the file the element was read from (includes keep their own file) */
  file: string;
  /** 1-based line of the element's `<` */
  line: number;
  /** slash-separated tags from the document element, `tag[name]` for named elements, `tag[k]` (1-based) for unnamed repeats */
  path: string;
}

const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

/** Parse `text` (read from `file`) into its document element; not-well-formed XML is a SpecError with the line. */
export function parseXml(text: string, file: string): XmlElement {
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    throw new SpecError('(file)', `not well-formed XML: ${valid.err.msg}`, `${file}:${valid.err.line}`);
  }
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    commentPropName: '#comment',
    captureMetaData: true,
  });
  const nodes = parser.parse(text) as OrderedNode[];
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineOf = (offset: number): number => {
    let lo = 0, hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const build = (list: OrderedNode[], parentPath: string): XmlElement[] => {
    const elements = list.filter((n) => elementTag(n) !== null);
    const counts = new Map<string, number>();
    for (const n of elements) counts.set(elementTag(n)!, (counts.get(elementTag(n)!) ?? 0) + 1);
    const seen = new Map<string, number>();
    return elements.map((n) => {
      const tag = elementTag(n)!;
      const attrs: Record<string, string> = { ...(n[':@'] ?? {}) };
      const k = (seen.get(tag) ?? 0) + 1;
      seen.set(tag, k);
      const label = attrs.name !== undefined ? `${tag}[${attrs.name}]` : counts.get(tag)! > 1 ? `${tag}[${k}]` : tag;
      const path = parentPath ? `${parentPath}/${label}` : label;
      const meta = (n as Record<symbol, { startIndex?: number } | undefined>)[META];
      const el: XmlElement = { tag, attrs, children: [], file, line: lineOf(meta?.startIndex ?? 0), path };
      el.children = build((n[tag] as OrderedNode[]) ?? [], path);
      return el;
    });
  };
  const roots = build(nodes, '');
  if (roots.length !== 1) throw new SpecError('(file)', `expected one document element, found ${roots.length}`, file);
  return roots[0];
}

function elementTag(n: OrderedNode): string | null {
  for (const k of Object.keys(n)) if (k !== ':@' && k !== '#text' && k !== '#comment') return k;
  return null;
}

/** A SpecError about one element: `file:line: path: detail`. */
export function elementError(el: XmlElement, detail: string): SpecError {
  return new SpecError(el.path, detail, `${el.file}:${el.line}`);
}
