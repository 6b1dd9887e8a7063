// kitchen.mjs: one ES module that loads three modules in three different ways.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url); // gives an ES module a require()

console.log('kitchen: first line');

import('./menu.mjs').then((menu) => {
  console.log(`kitchen: menu has ${menu.dishes.length} dishes`);
});

const pantry = require('./pantry.cjs');
console.log(`kitchen: pantry holds ${pantry.jars} jars`);

import { ovenTemp } from './oven.mjs';
console.log(`kitchen: oven set to ${ovenTemp} degrees`);

console.log('kitchen: last line');
