console.log('lazy module body');
