console.log('late module runs');
