// Nine objects with the same two properties, x and y. Which of them share a hidden class (a map)?
class Point {
  constructor(x, y) {
    this.x = x;
    this.y = y;
  }
}

function grown(x, y) {
  const o = {};
  o.x = x;
  o.y = y;
  return o;
}

const objects = [
  ['p1 = { x: 1, y: 2 }', { x: 1, y: 2 }],
  ['p2 = { y: 3, x: 4 }', { y: 3, x: 4 }],
  ['p3 = grown(5, 6): {} then .x, then .y', grown(5, 6)],
  ['p4 = new Point(7, 8)', new Point(7, 8)],
  ['p5 = { x: 9, y: 10 }', { x: 9, y: 10 }],
  ["p6 = JSON.parse('{\"x\":11,\"y\":12}')", JSON.parse('{"x":11,"y":12}')],
  ['p7 = { x: 13, y: 14 }, then delete p7.x and set it again', { x: 13, y: 14 }],
  ['p8 = new Point(15, 16)', new Point(15, 16)],
  ['p9 = grown(17, 18)', grown(17, 18)],
];
const p7 = objects[6][1];
delete p7.x;
p7.x = 13;

// Group the objects by map: %HaveSameMap (V8's test function, from --allow-natives-syntax)
// says whether two objects have the very same hidden class.
const groups = [];
for (const [label, object] of objects) {
  const group = groups.find((g) => %HaveSameMap(g[0][1], object));
  if (group) group.push([label, object]);
  else groups.push([[label, object]]);
}
groups.forEach((group, i) => {
  console.log(`map ${i + 1}:`);
  for (const [label] of group) console.log(label);
});
