// This file sets up a message of the day and wants to show it once it is set.
// Right now it shows it too early. Fix it without moving the call to showMotd()
// and without moving the assignment.
let motd;

function showMotd() {
  console.log(`message of the day: ${motd}`);
}

showMotd();

motd = 'queues before phases';
console.log('motd assigned');
