// Two callbacks, both asked for "as soon as possible", scheduled from the main module.
// Run this several times and watch which one wins.
setTimeout(() => console.log('timer: 0 ms'), 0);
setImmediate(() => console.log('immediate'));
