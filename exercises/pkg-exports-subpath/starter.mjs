// shelf.mjs: print a shelf label with the label-printer package from node_modules.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { printLabel, version } from 'label-printer';
import { SIZES } from 'label-printer/src/sizes.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const sizesFile = fileURLToPath(import.meta.resolve('label-printer/src/sizes.js'));

console.log(`shelf: label-printer ${version}, sizes from ${path.relative(here, sizesFile)}`);
console.log(`shelf: ${printLabel('apricot jam', SIZES.small)}`);
