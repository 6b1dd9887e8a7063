// gallery.mjs: top-level await on a dynamic import, next to a static import.
console.log('gallery: first line');
setImmediate(() => console.log('immediate: check phase'));
process.nextTick(() => console.log('tick: queued by gallery'));

const loading = import('./fonts.mjs');
console.log(`gallery: import() returned a ${loading.constructor.name}`);

const fonts = await loading; // the rest of the file waits here
console.log(`gallery: body font is ${fonts.bodyFont}`);

import layout from './layout.mjs';
console.log(`gallery: layout has ${layout.columns} columns`);
console.log('gallery: last line');
