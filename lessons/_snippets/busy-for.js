// busyFor(ms) keeps the only thread busy for ms milliseconds, as slow synchronous work would
function busyFor(ms) {
  const until = Date.now() + ms;
  while (Date.now() < until);
}
