console.log('later module runs');
