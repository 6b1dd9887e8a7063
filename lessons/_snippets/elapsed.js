// elapsed() gives the whole milliseconds since the program started
const startedAt = Date.now();
function elapsed() {
  return Date.now() - startedAt;
}
