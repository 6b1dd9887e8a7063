// The entry point of a small shop server.
// The import lines sit between other statements on purpose.
// Where do they really run?
console.log('main: first line of main.mjs');
import './http.mjs';
console.log('main: between the two imports');
import './orders.mjs';
console.log('main: last line of main.mjs');
