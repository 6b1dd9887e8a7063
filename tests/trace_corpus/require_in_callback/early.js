console.log('early module runs');
