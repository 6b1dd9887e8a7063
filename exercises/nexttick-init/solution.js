// This file sets up a message of the day and wants to show it once it is set.
// process.nextTick runs showMotd as soon as this file has finished running,
// so by then motd has its value.
let motd;

function showMotd() {
  console.log(`message of the day: ${motd}`);
}

process.nextTick(showMotd);

motd = 'queues before phases';
console.log('motd assigned');
