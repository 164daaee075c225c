// The feed links of the static page (in the head and the footer) exist only when the snapshot says
// the worker publishes feeds: a few lines on the page's own elements, no markup.
import { useEffect } from 'react';
import type { PublishedStatus } from '../../shared/contract.ts';
import { fill } from '../i18n/fill.ts';

const types: Record<string, string> = { atom: 'application/atom+xml', json: 'application/feed+json' };

/** `title`: the page's words for a feed's link, with {feed} for its name (Atom, JSON Feed). */
export function useFeedLinks(feeds: PublishedStatus['feeds'] | undefined, title: string): void {
  const key = feeds ? `${feeds.atom} ${feeds.json}` : '';
  useEffect(() => {
    // The contract admits only http(s) URLs, and the page checked the file against it.
    const [atom, json] = key.split(' ');
    const urls: Record<string, string | undefined> = key ? { atom, json } : {};
    for (const link of document.head.querySelectorAll('link[data-feed]')) link.remove();
    for (const anchor of document.querySelectorAll<HTMLAnchorElement>('a[data-feed]')) {
      const feed = anchor.dataset.feed!;
      const url = urls[feed];
      if (!url) {
        anchor.removeAttribute('href');
        continue;
      }
      anchor.href = url;
      const link = Object.assign(document.createElement('link'), { rel: 'alternate', type: types[feed]!, title: fill(title, { feed: anchor.textContent ?? '' }), href: url });
      link.dataset.feed = feed;
      document.head.append(link);
    }
    document.querySelector<HTMLElement>('[data-feed-links]')!.hidden = !key;
  }, [key, title]);
}
