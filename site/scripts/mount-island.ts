// Hydrates the island that site/pages/index.astro rendered, with the props it rendered it with.
// Astro's own island loader (client:load) would add about 2.7 KB gzip of JavaScript for what these
// lines do, and the page's budget is 80 KB in all, React included.
import { createElement } from 'react';
import { hydrateRoot } from 'react-dom/client';
import StatusIsland from '../components/status-island.tsx';

const root = document.getElementById('status-island')!;
hydrateRoot(root, createElement(StatusIsland, JSON.parse(root.dataset.props!)));
