// The tiers view's benchmark load: about 0.1 s of calls that V8 optimises, deoptimises and optimises again.
function area(shape) {
  return shape.w * shape.h;
}
let total = 0;
for (let i = 0; i < 2e6; i++) total += area({ w: i & 7, h: 2 });
for (let i = 0; i < 2e4; i++) total += area({ h: 1, w: 0.5, name: 'odd' }); // another shape: a deopt
for (let i = 0; i < 2e6; i++) total += area({ w: i & 7, h: 3 });
console.log(total > 0);
