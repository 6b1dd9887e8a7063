// Top-level await in the entry: the rest of the body resumes as a microtask after the timer.
console.log('before await');
setImmediate(() => console.log('immediate'));
await new Promise((resolve) => setTimeout(resolve, 10));
console.log('after await');

// expect main/macrotask before await
// expect check/macrotask immediate
// expect timers/microtask after await
