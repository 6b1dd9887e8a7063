console.log('helper: loading');
